"""/api/visit-plans: to be written."""

from ninja import Router

router = Router(tags=["旁听计划"])
