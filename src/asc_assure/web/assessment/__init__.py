"""Web pages for CQC assessment preparation: the timeline, the information-return checklist and case tracking."""
