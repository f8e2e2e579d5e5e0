"""/api/experts: to be written."""

from ninja import Router

router = Router(tags=["专家库"])
