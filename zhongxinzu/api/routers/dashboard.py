"""/api/dashboard: 驾驶舱."""

from ninja import Router

router = Router(tags=["驾驶舱"])
