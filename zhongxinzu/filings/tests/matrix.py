"""材料报送: pages in the permission matrix."""

OBJECTS = {}

ENTRIES = []
