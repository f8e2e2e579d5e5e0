"""驾驶舱: pages in the permission matrix."""

OBJECTS = {}

ENTRIES = []
