import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings
from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.org import demo, selectors
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit


def _counts():
    return (
        Unit.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        User.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_city_once():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
    assert 25 <= first[0] <= 35
    root = Unit.objects.get(code=demo.ROOT_CODE)
    assert root.name == "中共江川市委宣传部" and max(u.depth for u in Unit.objects.all()) == 3
    today = timezone.localdate()
    for group in StudyGroup.objects.all():
        assert 8 <= selectors.roster(group, on=today).count() <= 15, group


@pytest.mark.django_db
def test_demo_has_exactly_one_group_missing_a_required_post():
    demo.build_demo_city()
    groups = list(StudyGroup.objects.select_related("unit"))
    missing = selectors.missing_requirements(groups, on=timezone.localdate())
    flagged = [g.unit.code for g in groups if missing[g.pk]]
    assert flagged == [demo.MISSING_POST_UNIT]


@pytest.mark.django_db
def test_demo_group_roster_changed_mid_year():
    demo.build_demo_city()
    group = StudyGroup.objects.get(unit__code=demo.DEMO_GROUP)
    year = timezone.localdate().year
    june = set(selectors.roster(group, on=dt.date(year, 6, 30)).values_list("person_id", flat=True))
    july = set(selectors.roster(group, on=dt.date(year, 7, 1)).values_list("person_id", flat=True))
    assert len(june - july) == 1 and len(july - june) == 1


@pytest.mark.django_db
def test_demo_accounts_log_in_only_in_demo_mode():
    demo.build_demo_city()

    def sign_in():
        request = RequestFactory().post("/accounts/login/")
        return authenticate(request, username="secretary", password=demo.DEMO_PASSWORD)

    assert sign_in() is not None
    with override_settings(DEMO_MODE=False):
        assert sign_in() is None


@override_settings(DEMO_MODE=False)
@pytest.mark.django_db
def test_seed_demo_refuses_outside_demo_mode():
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert Unit.objects.count() == 0
