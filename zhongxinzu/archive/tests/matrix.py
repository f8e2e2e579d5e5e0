"""学习档案: pages in the permission matrix."""

OBJECTS = {}

ENTRIES = []
