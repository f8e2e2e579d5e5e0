"""/api/statistics in the permission matrix: supervisors, for units of their subtree."""

from zhongxinzu.lib.matrix import DENIED, OK, Api, everyone_else

ENTRIES = [
    Api("/api/statistics", "GET", everyone_else({"supervisor": OK}, DENIED)),
]
