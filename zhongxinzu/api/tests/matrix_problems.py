"""API operations of supervision (problems) in the permission matrix; see matrix.py."""

ENTRIES = []
