"""API operations of supervision (assessment) in the permission matrix; see matrix.py."""

ENTRIES = []
