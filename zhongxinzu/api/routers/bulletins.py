"""/api/bulletins: 学情通报."""

from ninja import Router

router = Router(tags=["学情通报"])
