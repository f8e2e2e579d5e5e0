"""学情通报: pages in the permission matrix."""

OBJECTS = {}

ENTRIES = []
