"""/api/assessments: to be written."""

from ninja import Router

router = Router(tags=["考核评价"])
