import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files of these tests go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_role(world):
    def login(role):
        return world.login(Client(), role)

    return login
