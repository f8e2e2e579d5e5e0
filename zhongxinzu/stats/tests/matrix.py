"""学习统计: pages in the permission matrix."""

OBJECTS = {}

ENTRIES = []
