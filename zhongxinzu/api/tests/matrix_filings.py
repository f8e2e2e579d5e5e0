"""/api/filings in the permission matrix."""

ENTRIES = []
