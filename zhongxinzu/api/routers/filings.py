"""/api/filings: 材料报送."""

from ninja import Router

router = Router(tags=["材料报送"])
