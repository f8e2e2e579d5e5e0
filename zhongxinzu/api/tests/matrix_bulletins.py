"""/api/bulletins in the permission matrix."""

ENTRIES = []
