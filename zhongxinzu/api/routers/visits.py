"""/api/visits: to be written."""

from ninja import Router

router = Router(tags=["旁听活动"])
