"""/api/score-sheets: to be written."""

from ninja import Router

router = Router(tags=["旁听评分表"])
