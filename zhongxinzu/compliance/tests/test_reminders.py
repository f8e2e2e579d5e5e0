import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance.models import Notification
from zhongxinzu.compliance.services import reminders_send
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.meetings.models import MakeUp

ON = dt.date(2026, 1, 20)


@pytest.fixture(autouse=True)
def frozen():
    """Before `world`, so its rosters start a year before the frozen day."""
    with time_machine.travel(f.at(2026, 1, 20, 8, 0), tick=False):
        yield


@pytest.fixture
def due(world, frozen):
    """One overdue or due-soon record of every kind for the world's own group."""
    group = world.groups["own"]
    people = {
        "leader": world.users["leader"].person,
        "member": world.users["member"].person,
    }
    supervisor = world.users["supervisor"]
    held = f.session(group, f.at(2026, 1, 5, 9, 0), status="held")
    s = f.session(group, f.at(2025, 12, 1, 9, 0))
    rows = f.roll(s, {people["leader"]: "present", people["member"]: "absent"})
    MakeUp.objects.filter(attendance_id=rows[people["member"].pk].pk).update(
        status=MakeUp.Status.OPEN, submitted_at=None, due_date=dt.date(2026, 1, 10)
    )
    upcoming = f.session(group, f.at(2026, 1, 21, 9, 0), status="planned")
    draft = f.output(
        group, people["member"], year=2026, kind="speech", status="submitted", session=upcoming
    )
    prompt = f.prompt(world.units["own"], supervisor, f.at(2026, 1, 2, 9, 0))
    item = f.first_item(world.units["own"], supervisor, dt.date(2025, 12, 1))
    return {"held": held, "draft": draft, "prompt": prompt, "item": item}


def keys_of(user):
    return set(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_each_reminder_goes_to_the_right_people_once(world, due):
    created = reminders_send(on=ON)
    g = world.groups["own"].pk
    secretary = keys_of(world.users["secretary"])
    assert f"plan_due_soon:{g}:2026" in secretary
    assert f"session_unrecorded:{due['held'].pk}" in secretary
    assert f"prompt_unacked:{due['prompt'].pk}:{g}" in secretary
    assert f"first_item_late:{due['item'].pk}:{g}" in secretary
    makeup = MakeUp.objects.get(status=MakeUp.Status.OPEN)
    assert f"makeup_overdue:{makeup.pk}" in secretary
    assert keys_of(world.users["member"]) == {f"makeup_overdue:{makeup.pk}"}
    assert keys_of(world.users["leader"]) == {f"speech_review:{due['draft'].pk}"}
    assert keys_of(world.users["supervisor"]) == {f"prompt_unacked:{due['prompt'].pk}"}
    assert created["plan"] >= 1 and created["makeup"] == 2
    # running again (cron every day) delivers nothing new
    before = Notification.objects.count()
    assert sum(reminders_send(on=ON).values()) == 0
    assert Notification.objects.count() == before
    assert AuditEntry.objects.filter(action="send_reminders").count() == 2


def test_overdue_plan_gets_its_own_reminder(world, due):
    reminders_send(on=dt.date(2026, 2, 2))
    assert f"plan_overdue:{world.groups['own'].pk}:2026" in keys_of(world.users["secretary"])


def test_nothing_is_sent_for_records_in_order(world, frozen):
    f.plan(world.groups["own"], 2026, filed_at=f.at(2026, 1, 10, 9, 0))
    prompt = f.prompt(world.units["own"], world.users["supervisor"], f.at(2026, 1, 2, 9, 0))
    for g in world.groups.values():
        f.ack(prompt, g, world.users["secretary"], f.at(2026, 1, 3, 9, 0))
    assert sum(reminders_send(on=ON).values()) == 0


def test_other_units_groups_get_no_reminder_of_a_prompt_they_were_not_sent(world, due):
    reminders_send(on=ON)
    sibling = world.groups["sibling"].pk
    assert not Notification.objects.filter(key__endswith=f":{sibling}").exists()
    assert not Notification.objects.filter(
        key__contains=f"prompt_unacked:{due['prompt'].pk}:{sibling}"
    )


def test_command_reports_counts_and_checks_the_date(world, due):
    out = StringIO()
    call_command("send_reminders", "--date", "2026-01-20", stdout=out)
    assert "补学逾期：2 条" in out.getvalue() and "共生成新提醒" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "2026-13-01")


def test_refresh_compliance_command(world):
    out = StringIO()
    call_command("refresh_compliance", "--year", "2025", "--date", "2026-01-10", stdout=out)
    assert "已计算 5 个中心组" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("refresh_compliance", "--unit", "NOPE")
