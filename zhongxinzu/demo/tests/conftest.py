import pytest

from zhongxinzu.org.demo import build_demo_city


@pytest.fixture(scope="package")
def city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            built = build_demo_city()
            yield built
            transaction.set_rollback(True)
