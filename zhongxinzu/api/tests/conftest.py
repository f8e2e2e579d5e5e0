import pytest

from zhongxinzu.api.services import token_issue
from zhongxinzu.api.tests.helpers import ApiClient


@pytest.fixture
def api(world):
    """api("supervisor") -> an ApiClient with a fresh bearer token for that role."""

    def make(role: str | None = None) -> ApiClient:
        if role is None:
            return ApiClient()
        raw, _ = token_issue(user=world.users[role])
        return ApiClient(raw)

    return make


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Files stored by these tests go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
