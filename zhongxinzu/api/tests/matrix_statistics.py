"""/api/statistics in the permission matrix."""

ENTRIES = []
