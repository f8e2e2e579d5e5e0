"""/api/archive in the permission matrix."""

ENTRIES = []
