"""/api/statistics: 学习统计."""

from ninja import Router

router = Router(tags=["学习统计"])
