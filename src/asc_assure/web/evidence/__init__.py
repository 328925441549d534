"""Web pages for the CQC evidence library (core: ``asc_assure.assurance.evidence``)."""
