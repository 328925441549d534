"""Web pages for the self-assessment (themes, versions, review, exports) and quality statement scores."""
