"""The visit workflow: deadlines in working days, stages, who sees what, the letter."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.supervision import services
from zhongxinzu.supervision.models import ObservationVisit
from zhongxinzu.supervision.selectors import overdue_visits, visit_deadlines
from zhongxinzu.supervision.tests.helpers import expert, published_visit, team


@pytest.fixture
def visits(world):
    """A visit to A's group by the observer's team, and one to A1 by another team."""
    own = world.units["own"]
    mine = team(own, "第一旁听组", experts=[expert(own, "李专家", user=world.users["observer"])])
    other = team(own, "第二旁听组", experts=[expert(own, "张专家")])
    v1 = published_visit(world, world.groups["own"], mine, dt.date(2026, 10, 12))
    v2 = published_visit(world, world.groups["child"], other, dt.date(2026, 9, 28))
    services._due_dates([v1, v2], 2026)
    for v in (v1, v2):
        v.save()
    return v1, v2


def test_deadlines_count_working_days_across_the_national_day_holiday(visits):
    v1, v2 = visits
    # Five working days before Mon 12 Oct 2026: Sat 10 Oct (a make-up working day), 9, 8,
    # then over the 1–7 October holiday to 30 and 29 September.
    assert v1.materials_due == dt.date(2026, 9, 29)
    # Ten working days after Mon 28 Sep 2026: 29, 30 Sep, 8, 9, 10, 12–16 Oct.
    assert v2.summary_due == dt.date(2026, 10, 16)
    before = visit_deadlines([v1], dt.date(2026, 9, 29))[v1.pk]
    after = visit_deadlines([v1], dt.date(2026, 9, 30))[v1.pk]
    assert [d.status for d in before][:1] == ["pending"]
    assert [d.status for d in after][:1] == ["overdue"]
    late_summary = visit_deadlines([v2], dt.date(2026, 10, 19))[v2.pk]
    assert {d.stage: d.status for d in late_summary}["after"] == "overdue"
    everything = ObservationVisit.objects.all()
    assert set(overdue_visits(everything, dt.date(2026, 9, 20))) == set()
    assert set(overdue_visits(everything, dt.date(2026, 9, 29))) == {v2}
    assert set(overdue_visits(everything, dt.date(2026, 9, 30))) == {v1, v2}


def test_observer_sees_only_the_visits_of_their_teams(world, visits):
    v1, v2 = visits
    client = world.login(Client(), "observer")
    page = client.get(reverse("supervision:my_visits")).content.decode()
    assert world.groups["own"].name in page and world.groups["child"].name not in page
    assert client.get(reverse("supervision:visit_detail", args=[v1.pk])).status_code == 200
    assert client.get(reverse("supervision:visit_detail", args=[v2.pk])).status_code == 404
    assert client.post(reverse("supervision:visit_onsite", args=[v2.pk])).status_code == 404
    listing = client.get(reverse("supervision:visit_list")).content.decode()
    assert world.groups["child"].name not in listing


def test_supervisor_sees_every_visit_of_the_subtree(world, visits):
    page = world.login(Client(), "supervisor").get(reverse("supervision:visit_list"))
    text = page.content.decode()
    assert world.groups["own"].name in text and world.groups["child"].name in text
    assert "已逾期" in text, "materials due in September 2026 and never sent"


@pytest.mark.parametrize(
    "name,method,needs_pk",
    [
        ("visit_materials", "get", True),
        ("visit_letter", "post", True),
        ("plan_publish", "get", True),
        ("expert_list", "post", False),
        ("my_visits", "post", False),
    ],
)
def test_wrong_method_is_405(world, visits, name, method, needs_pk):
    client = world.login(Client(), "supervisor")
    url = reverse(f"supervision:{name}", args=[visits[0].pk] if needs_pk else None)
    assert getattr(client, method)(url).status_code == 405


def test_the_four_stages_from_materials_to_feedback(world, visits):
    v1, _ = visits
    secretary, observer = world.users["secretary"], world.users["observer"]
    services.visit_materials_send(actor=secretary, visit=v1)
    with pytest.raises(PermissionDenied):
        services.visit_onsite_save(actor=secretary, visit=v1, comments="不应由承办方填写")
    services.visit_checklist_save(actor=observer, visit=v1, checked=["plan", "materials"])
    assert v1.stage == ObservationVisit.Stage.BEFORE
    assert v1.checklist["items"]["plan"] and not v1.checklist["items"]["speeches"]
    services.visit_onsite_save(actor=observer, visit=v1, comments="领学准备充分。")
    services.visit_interview_save(actor=observer, visit=v1, notes="与两位成员座谈。")
    assert v1.stage == ObservationVisit.Stage.AFTER
    with pytest.raises(ValidationError, match="超过规定的500字"):
        services.visit_summary_submit(
            actor=observer, visit=v1, overall="好" * 300, highlights="亮" * 150, problems="问" * 51
        )
    services.visit_summary_submit(
        actor=observer,
        visit=v1,
        overall="学习组织规范。",
        highlights="第一议题学习及时。",
        problems="研讨联系实际不够。",
    )
    assert v1.stage == ObservationVisit.Stage.FEEDBACK
    with pytest.raises(PermissionDenied):
        services.visit_feedback_send(actor=observer, visit=v1)
    services.visit_feedback_send(actor=world.users["supervisor"], visit=v1)
    assert v1.stage == ObservationVisit.Stage.CLOSED
    with pytest.raises(ValidationError):
        services.visit_onsite_save(actor=observer, visit=v1, comments="再改")
    actions = set(AuditEntry.objects.filter(object_id=str(v1.pk)).values_list("action", flat=True))
    assert {"visit_materials", "visit_summary", "visit_feedback"} <= actions


def test_host_sees_schedule_but_not_the_teams_notes_until_feedback(world, visits):
    v1, _ = visits
    observer = world.users["observer"]
    services.visit_onsite_save(actor=observer, visit=v1, comments="内部点评意见XYZ")
    services.visit_summary_submit(
        actor=observer, visit=v1, overall="总体评价ABC", highlights="", problems=""
    )
    host = world.login(Client(), "secretary")
    url = reverse("supervision:visit_detail", args=[v1.pk])
    page = host.get(url).content.decode()
    assert "内部点评意见XYZ" not in page and "总体评价ABC" not in page
    assert host.get(reverse("supervision:visit_letter", args=[v1.pk])).status_code == 403
    services.visit_feedback_send(actor=world.users["supervisor"], visit=v1)
    page = host.get(url).content.decode()
    assert "总体评价ABC" in page and "内部点评意见XYZ" not in page
    assert host.get(reverse("supervision:visit_letter", args=[v1.pk])).status_code == 200


def test_views_post_each_stage(world, visits):
    v1, _ = visits
    host = world.login(Client(), "secretary")
    assert host.post(reverse("supervision:visit_materials", args=[v1.pk])).status_code == 302
    observer = world.login(Client(), "observer")
    observer.post(reverse("supervision:visit_checklist", args=[v1.pk]), {"checked": ["plan"]})
    observer.post(reverse("supervision:visit_onsite", args=[v1.pk]), {"comments": "点评"})
    observer.post(reverse("supervision:visit_interview", args=[v1.pk]), {"notes": "访谈"})
    observer.post(
        reverse("supervision:visit_summary", args=[v1.pk]),
        {"overall": "总体", "highlights": "亮点", "problems": "问题"},
    )
    v1.refresh_from_db()
    assert v1.materials_sent_at and v1.summary_submitted_at
    assert (v1.onsite_comments, v1.interview_notes) == ("点评", "访谈")
    page = observer.get(reverse("supervision:visit_detail", args=[v1.pk])).content.decode()
    assert "总体" in page and "已完成" in page


def test_feedback_letter_is_a_gbt9704_docx(world, visits):
    v1, _ = visits
    services.visit_summary_submit(
        actor=world.users["observer"],
        visit=v1,
        overall="学习组织规范，准备充分。",
        highlights="第一议题学习及时。",
        problems="研讨联系实际不够紧密。",
    )
    response = world.login(Client(), "supervisor").get(
        reverse("supervision:visit_letter", args=[v1.pk])
    )
    assert response.status_code == 200
    assert "docx" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]

    def mm(length):
        return round(length.mm)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert (mm(section.bottom_margin), mm(section.right_margin)) == (35, 26)
    texts = [p.text for p in doc.paragraphs]
    assert f"关于{world.groups['own'].name}学习列席旁听情况的反馈意见" in texts
    assert "一、总体评价" in texts and "研讨联系实际不够紧密。" in texts
    assert "三、存在问题" in texts
    assert AuditEntry.objects.filter(
        action="document", object_id=str(v1.pk), detail__document="feedback_letter"
    ).exists()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name,role", [("visit_list", "supervisor"), ("my_visits", "observer")])
def test_visit_lists_query_count_does_not_grow(world, visits, name, role):
    v1, _ = visits
    client = world.login(Client(), role)
    url = reverse(f"supervision:{name}")
    before = _queries(client, url)
    for day in (5, 6):
        published_visit(world, world.groups["own"], v1.team, dt.date(2026, 11, day))
    assert _queries(client, url) == before
