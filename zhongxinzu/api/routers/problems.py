"""/api/problems: to be written."""

from ninja import Router

router = Router(tags=["问题清单"])
