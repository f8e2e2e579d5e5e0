"""/api/teams: to be written."""

from ninja import Router

router = Router(tags=["旁听小组"])
