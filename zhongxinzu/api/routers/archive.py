"""/api/archive: 学习档案."""

from ninja import Router

router = Router(tags=["学习档案"])
