import pytest
from django.test import Client


@pytest.fixture
def as_role(world):
    def login(role):
        return world.login(Client(), role)

    return login
