"""API operations of supervision (visits) in the permission matrix; see matrix.py."""

ENTRIES = []
