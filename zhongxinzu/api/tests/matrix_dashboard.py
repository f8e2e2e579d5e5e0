"""/api/dashboard in the permission matrix."""

ENTRIES = []
