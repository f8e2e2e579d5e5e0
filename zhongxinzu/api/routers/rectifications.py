"""/api/rectifications: to be written."""

from ninja import Router

router = Router(tags=["整改清单"])
