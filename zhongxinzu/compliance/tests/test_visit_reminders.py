"""Reminders of observation-visit deadlines (in working days): the host group's materials,
the team's summary."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from zhongxinzu.compliance.models import Notification
from zhongxinzu.compliance.services import reminders_send
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.lib.workdays import add_working_days
from zhongxinzu.supervision.models import ObservationVisit
from zhongxinzu.supervision.tests.helpers import expert, team

ON = dt.date(2026, 3, 10)  # a Tuesday; three working days on is Friday 03-13
SENT = f.at(2026, 2, 1, 9, 0)
VISIT_KINDS = ("visit_materials", "visit_summary")


@pytest.fixture(autouse=True)
def frozen():
    """Before `world`, so its rosters start a year before the frozen day."""
    with time_machine.travel(f.at(2026, 3, 10, 8, 0), tick=False):
        yield


@pytest.fixture
def observers(world):
    """A team of the supervisor's unit: the observer account and an expert without one."""
    owner = world.units["own"]
    linked = expert(owner, "周专家", user=world.users["observer"])
    return team(owner, "第一旁听组", experts=[linked, expert(owner, "钱专家")])


def hosted(world, planned_on, *, group=None, **kwargs) -> ObservationVisit:
    return f.visit(
        group or world.groups["own"],
        planned_on,
        owner=world.units["own"],
        by=world.users["supervisor"],
        **kwargs,
    )


def visit_notes(user):
    return {
        n.key: n
        for n in Notification.objects.filter(user=user, kind__in=VISIT_KINDS).order_by("pk")
    }


def key(kind: str, visit: ObservationVisit) -> str:
    """A reminder's key names the visit, its date and the deadline the text announces."""
    due = visit.materials_due if kind.startswith("visit_materials") else visit.summary_due
    return f"{kind}:{visit.pk}:{visit.planned_on:%Y%m%d}:{due:%Y%m%d}"


def move(visit: ObservationVisit, planned_on: dt.date) -> ObservationVisit:
    """The visit moved to another day, with its deadlines recomputed as the rules say."""
    visit.planned_on = planned_on
    visit.materials_due = add_working_days(planned_on, -5)
    visit.summary_due = add_working_days(planned_on, 10)
    visit.save(update_fields=["planned_on", "materials_due", "summary_due"])
    return visit


def latest(user, kind: str) -> Notification:
    return Notification.objects.filter(user=user, kind=kind).order_by("-pk").first()


def test_materials_due_soon_remind_the_host_secretary_once(world, observers):
    visit = hosted(world, dt.date(2026, 3, 20), team=observers)  # materials due 03-13
    later = hosted(world, dt.date(2026, 3, 23), team=observers)  # due 03-16: four working days
    assert reminders_send(on=ON)["visit_materials"] == 1
    notes = visit_notes(world.users["secretary"])
    note = notes[key("visit_materials_soon", visit)]
    assert list(notes) == [key("visit_materials_soon", visit)]
    assert "第一旁听组03月20日列席旁听" in note.message
    assert "须于03月13日前报送（还有3个工作日）" in note.message
    assert note.link == reverse("supervision:visit_detail", args=[visit.pk])
    assert visit_notes(world.users["leader"]) == {}
    assert visit_notes(world.users["observer"]) == {}
    # running again the same day delivers nothing; the next day only the later visit's
    assert sum(reminders_send(on=ON).values()) == 0
    assert reminders_send(on=dt.date(2026, 3, 11))["visit_materials"] == 1
    assert set(visit_notes(world.users["secretary"])) == {
        key("visit_materials_soon", visit),
        key("visit_materials_soon", later),
    }


def test_materials_overdue_remind_the_secretary_and_the_leader(world, observers):
    visit = hosted(world, dt.date(2026, 3, 5), team=observers)  # due 02-27
    reminders_send(on=ON)
    overdue = key("visit_materials_overdue", visit)
    for role in ("secretary", "leader"):
        assert list(visit_notes(world.users[role])) == [overdue], role
    assert (
        "已超过报送期限（2026-02-27），尚未报送"
        in visit_notes(world.users["leader"])[overdue].message
    )
    assert visit_notes(world.users["member"]) == {}


def test_summary_due_soon_or_overdue_reminds_the_team_not_the_host(world, observers):
    soon = hosted(world, dt.date(2026, 2, 27), team=observers, sent_at=SENT)  # summary 03-12
    late = hosted(world, dt.date(2026, 2, 20), team=observers, sent_at=SENT)  # summary 03-06
    assert reminders_send(on=ON)["visit_summary"] == 2
    notes = visit_notes(world.users["observer"])
    assert set(notes) == {key("visit_summary_soon", soon), key("visit_summary_overdue", late)}
    assert "须于03月12日前提交（还有2个工作日）" in notes[key("visit_summary_soon", soon)].message
    assert "已超过提交期限（2026-03-06）" in notes[key("visit_summary_overdue", late)].message
    assert visit_notes(world.users["secretary"]) == {}
    # once submitted, nothing more; the overdue reminder for the other one is not repeated
    ObservationVisit.objects.filter(pk=soon.pk).update(summary_submitted_at=SENT)
    assert sum(reminders_send(on=dt.date(2026, 3, 13)).values()) == 0


def test_moved_visit_reminds_the_host_again_with_its_new_date_once(world, observers):
    visit = hosted(world, dt.date(2026, 3, 20), team=observers)  # materials due 03-13
    reminders_send(on=ON)
    secretary = world.users["secretary"]
    assert "第一旁听组03月20日列席旁听" in latest(secretary, "visit_materials").message
    move(visit, dt.date(2026, 3, 17))  # materials now due today
    assert reminders_send(on=ON)["visit_materials"] == 1
    note = latest(secretary, "visit_materials")
    assert "第一旁听组03月17日列席旁听" in note.message
    assert "须于03月10日前报送（今天到期）" in note.message
    assert "03月20日" not in note.message and "03月13日" not in note.message
    # once for the new date: the same day and the next deliver nothing more to the host
    assert sum(reminders_send(on=ON).values()) == 0
    reminders_send(on=dt.date(2026, 3, 11))  # now overdue: that reminder is a new one
    assert "03月17日列席旁听" in latest(secretary, "visit_materials").message
    assert len(visit_notes(secretary)) == 3


def test_moved_visit_reminds_the_observers_with_the_date_they_sit_in(world, observers):
    visit = hosted(world, dt.date(2026, 2, 27), team=observers, sent_at=SENT)  # summary 03-12
    observer = world.users["observer"]
    reminders_send(on=ON)
    assert latest(observer, "visit_summary").message.startswith("02月27日列席旁听")
    move(visit, dt.date(2026, 2, 26))  # a day earlier: the summary is due a day earlier too
    assert reminders_send(on=ON)["visit_summary"] == 1
    note = latest(observer, "visit_summary")
    assert note.message.startswith("02月26日列席旁听" + world.groups["own"].name)
    assert note.key == key("visit_summary_soon", visit)
    assert sum(reminders_send(on=ON).values()) == 0


def test_cross_visit_summary_reminds_the_observing_groups_secretary(world):
    visit = hosted(
        world,
        dt.date(2026, 2, 20),
        group=world.groups["child"],
        observer_group=world.groups["own"],
        sent_at=SENT,
    )
    reminders_send(on=ON)
    assert list(visit_notes(world.users["secretary"])) == [key("visit_summary_overdue", visit)]


def test_no_reminder_for_unpublished_plans_done_deadlines_or_closed_visits(world, observers):
    hosted(world, dt.date(2026, 3, 5), team=observers, published=False)
    hosted(world, dt.date(2026, 3, 5), team=observers, sent_at=SENT)  # summary due 03-19
    hosted(world, dt.date(2026, 2, 20), team=observers, sent_at=SENT, summary_at=SENT)
    hosted(world, dt.date(2026, 2, 20), team=observers, stage=ObservationVisit.Stage.CLOSED)
    hosted(world, dt.date(2024, 6, 17), team=observers)  # long past: not chased any more
    created = reminders_send(on=ON)
    assert not any(created[k] for k in VISIT_KINDS)
    assert not Notification.objects.filter(kind__in=VISIT_KINDS).exists()


def test_command_counts_the_visit_reminders(world, observers):
    hosted(world, dt.date(2026, 3, 5), team=observers)
    out = StringIO()
    call_command("send_reminders", "--date", "2026-03-10", stdout=out)
    assert "旁听材料报送：2 条" in out.getvalue()  # the secretary and the leader
