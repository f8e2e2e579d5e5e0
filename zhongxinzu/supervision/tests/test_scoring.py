"""Score sheets: templates, an observer's sheet, the team's average, the record sheet and
statistics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.supervision import scoring
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    ScoreSheet,
    ScoreTemplate,
    TeamMember,
)

DEFAULT_POINTS = [10, 15, 10, 20, 15, 10, 10, 10]


def make_team(world, *users, name="第一旁听组"):
    team = ObservationTeam.objects.create(owner_unit=world.units["own"], year=2026, name=name)
    experts = []
    for n, user in enumerate(users):
        expert = Expert.objects.create(owner_unit=world.units["own"], user=user, name=f"专家{n}")
        TeamMember.objects.create(team=team, expert=expert, is_leader=n == 0)
        experts.append(expert)
    return team, experts


def second_observer(world, username="observer2"):
    user = User.objects.create_user(
        username, password="Zxz@2026test", password_changed_at=timezone.now()
    )
    RoleGrant.objects.create(user=user, role=Role.OBSERVER)
    return user


def make_visit(world, team, rel="own", session=None, on=None):
    return ObservationVisit.objects.create(
        group=world.groups[rel],
        team=team,
        session=session,
        planned_on=on or dt.date(2026, 5, 10),
    )


def default_template():
    return ScoreTemplate.objects.get(owner_unit__isnull=True)


def full_scores(template, values):
    return {i.pk: v for i, v in zip(template.items.all(), values, strict=True)}


def login(world, role):
    return world.login(Client(), role)


def test_default_template_is_the_domain_sheet(db):
    template = default_template()
    assert [i.points for i in template.items.all()] == DEFAULT_POINTS
    assert [g[0] for g in template.grades] == ["好", "较好", "一般", "差"]


def test_submit_computes_total_and_grade(world):
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team)
    template = default_template()
    sheet = scoring.score_sheet_save(
        actor=world.users["observer"],
        visit=visit,
        scores=full_scores(template, [9, 14, 9, 18, 13, 9, 9, 8.5]),
        overall="总体较好",
        submit=True,
    )
    assert sheet.total == Decimal("89.5")
    assert sheet.grade == "较好"
    assert sheet.submitted_at is not None
    assert AuditEntry.objects.filter(action="score_sheet_submit").exists()


@pytest.mark.parametrize(
    ("total", "grade"), [(Decimal(95), "好"), (Decimal(80), "较好"), (Decimal(60), "一般")]
)
def test_grade_thresholds(total, grade):
    assert scoring.grade_for(total, scoring.DEFAULT_GRADES) == grade
    assert scoring.grade_for(Decimal("59.5"), scoring.DEFAULT_GRADES) == "差"


def test_score_above_points_refused_in_chinese(world):
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team)
    template = default_template()
    values = [11, 14, 9, 18, 13, 9, 9, 8]
    with pytest.raises(ValidationError) as e:
        scoring.score_sheet_save(
            actor=world.users["observer"],
            visit=visit,
            scores=full_scores(template, values),
            submit=True,
        )
    assert "“学习准备”的得分不能超过该项分值10分" in e.value.messages
    assert not ScoreSheet.objects.filter(submitted_at__isnull=False).exists()


def test_missing_and_negative_scores_refused(world):
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team)
    template = default_template()
    scores = full_scores(template, [9, 14, 9, 18, 13, 9, 9, -1])
    scores[template.items.first().pk] = ""
    with pytest.raises(ValidationError) as e:
        scoring.score_sheet_save(
            actor=world.users["observer"], visit=visit, scores=scores, submit=True
        )
    assert "请填写“学习准备”的得分" in e.value.messages
    assert "“记录与归档”的得分不能为负数" in e.value.messages


def test_submitted_sheet_is_locked(world):
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team)
    template = default_template()
    scores = full_scores(template, DEFAULT_POINTS)
    scoring.score_sheet_save(actor=world.users["observer"], visit=visit, scores=scores, submit=True)
    with pytest.raises(ValidationError, match="已提交"):
        scoring.score_sheet_save(actor=world.users["observer"], visit=visit, scores=scores)


def test_only_team_observers_fill(world):
    other = second_observer(world)
    team, _ = make_team(world, world.users["observer"])
    make_team(world, other, name="第二旁听组")
    visit = make_visit(world, team)
    with pytest.raises(PermissionDenied):
        scoring.score_sheet_save(actor=other, visit=visit, scores={})
    with pytest.raises(PermissionDenied):
        scoring.score_sheet_save(actor=world.users["supervisor"], visit=visit, scores={})
    url = reverse("supervision:score_sheet_fill", args=[visit.pk])
    assert login(world, "observer").get(url).status_code == 200
    c = Client()
    c.force_login(other, backend="zhongxinzu.accounts.backends.PolicyModelBackend")
    assert c.get(url).status_code == 404
    assert login(world, "supervisor").get(url).status_code == 403
    assert login(world, "secretary").get(url).status_code == 403


def test_fill_on_the_page_and_submit(world):
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team)
    template = default_template()
    url = reverse("supervision:score_sheet_fill", args=[visit.pk])
    c = login(world, "observer")
    page = c.get(url).content.decode()
    assert 'max="20"' in page and 'inputmode="decimal"' in page
    data = {f"score_{i.pk}": i.points for i in template.items.all()}
    data[f"score_{template.items.first().pk}"] = 12
    response = c.post(url, {**data, "action": "submit"})
    assert "不能超过该项分值10分" in response.content.decode()
    data[f"score_{template.items.first().pk}"] = 8
    response = c.post(url, {**data, "remarks": "很好", "action": "submit"})
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(visit=visit)
    assert (sheet.total, sheet.grade) == (Decimal(98), "好")
    assert "已于" in c.get(url).content.decode()


def test_team_average_of_several_sheets(world):
    other = second_observer(world)
    team, _ = make_team(world, world.users["observer"], other)
    visit = make_visit(world, team)
    template = default_template()
    scoring.score_sheet_save(
        actor=world.users["observer"],
        visit=visit,
        scores=full_scores(template, [10, 15, 10, 20, 15, 10, 10, 0]),
        submit=True,
    )
    scoring.score_sheet_save(
        actor=other,
        visit=visit,
        scores=full_scores(template, [10, 15, 10, 10, 15, 10, 10, 5]),
        submit=True,
    )
    result = scoring.visit_scores(visit)
    assert result.average == Decimal("87.5")
    assert result.grade == "较好"
    assert result.item_averages[list(template.items.all())[3].pk] == Decimal(15)


def test_record_sheet_has_the_header_fields(world):
    from zhongxinzu.meetings.models import Attendance, StudySession

    start = timezone.make_aware(dt.datetime(2026, 5, 10, 9, 0))
    session = StudySession.objects.create(
        group=world.groups["own"],
        kind=StudySession.Kind.COLLECTIVE_STUDY,
        title="学习贯彻党的二十届四中全会精神",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="三楼会议室",
    )
    Attendance.objects.create(
        session=session, person=world.people["own"], status="leave", reason="出差"
    )
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team, session=session)
    template = default_template()
    scoring.score_sheet_save(
        actor=world.users["observer"],
        visit=visit,
        scores=full_scores(template, DEFAULT_POINTS),
        overall="准备充分",
        submit=True,
    )
    for role in ("supervisor", "observer"):
        page = login(world, role).get(reverse("supervision:score_record", args=[visit.pk]))
        text = page.content.decode()
        assert page.status_code == 200
        for needle in (
            "市教育局党委",
            "2026年5月10日",
            "学习贯彻党的二十届四中全会精神",
            "专家0",
            "应到",
            "实到",
            "成员own（请假：出差）",
            "准备充分",
            'id="team-average">100.0',
        ):
            assert needle in text, needle
    record = reverse("supervision:score_record", args=[visit.pk])
    assert login(world, "member").get(record).status_code == 403


def test_supervisor_of_another_subtree_cannot_see_the_record(world):
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team, rel="sibling")
    url = reverse("supervision:score_record", args=[visit.pk])
    assert login(world, "supervisor").get(url).status_code == 404


def test_template_create_validates_points(world):
    c = login(world, "supervisor")
    url = reverse("supervision:score_template_create")
    data = {
        "owner_unit": world.units["own"].pk,
        "name": "本局评分表",
        "grades": "好90，较好80，一般60，差0",
        "items": "学习准备｜50｜材料\n研讨发言｜40",
        "is_active": "on",
    }
    assert "各项分值合计应为100分，当前为90分" in c.post(url, data).content.decode()
    data["items"] = "学习准备｜50｜材料\n研讨发言｜50"
    assert c.post(url, data).status_code == 302
    template = ScoreTemplate.objects.get(name="本局评分表")
    assert [(i.title, i.points) for i in template.items.all()] == [
        ("学习准备", 50),
        ("研讨发言", 50),
    ]
    # the group's unit is below the owner: its sheets use this template
    assert scoring.template_for_group(world.groups["child"]) == template
    assert scoring.template_for_group(world.groups["sibling"]) == default_template()
    edit = reverse("supervision:score_template_edit", args=[template.pk])
    assert c.get(edit).status_code == 200
    data.pop("owner_unit")
    data["name"] = "本局评分表（修订）"
    assert c.post(edit, data).status_code == 302
    template.refresh_from_db()
    assert template.name == "本局评分表（修订）"
    # the platform default is read-only
    default_edit = reverse("supervision:score_template_edit", args=[default_template().pk])
    assert c.get(default_edit).status_code == 403


def test_template_items_frozen_once_used(world):
    template = scoring.score_template_create(
        actor=world.users["supervisor"],
        owner_unit=world.units["own"],
        name="本局评分表",
        grades="好90，较好80，一般60，差0",
        items="甲｜60\n乙｜40",
    )
    team, _ = make_team(world, world.users["observer"])
    visit = make_visit(world, team)
    scoring.score_sheet_save(actor=world.users["observer"], visit=visit, scores={})
    with pytest.raises(ValidationError, match="不能再修改评分项目"):
        scoring.score_template_update(
            actor=world.users["supervisor"],
            template=template,
            name="本局评分表",
            grades="好90，较好80，一般60，差0",
            items="甲｜50\n乙｜50",
            is_active=True,
        )


def test_stats_per_group_team_and_threshold(world):
    other = second_observer(world)
    team, _ = make_team(world, world.users["observer"], other)
    template = default_template()
    v1 = make_visit(world, team, rel="own", on=dt.date(2026, 3, 1))
    v2 = make_visit(world, team, rel="child", on=dt.date(2026, 4, 1))
    v3 = make_visit(world, team, rel="own", on=dt.date(2025, 4, 1))
    for visit, a, b in ((v1, 0, 0), (v2, 10, 20), (v3, 0, 0)):
        # totals 100 - a and 100 - b; first item up to 10, fourth up to 20
        for user, minus in ((world.users["observer"], a), (other, b)):
            values = list(DEFAULT_POINTS)
            values[3] -= minus
            scoring.score_sheet_save(
                actor=user, visit=visit, scores=full_scores(template, values), submit=True
            )
    stats = scoring.score_stats(
        world.users["supervisor"], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert stats.visits == 2
    assert stats.average == Decimal("92.5")  # (100 + 85) / 2
    assert dict(stats.grades) == {"好": 1, "较好": 1}
    rows = {r.label: r for r in stats.by_group}
    assert rows[world.groups["own"].name].below == 0
    assert rows[world.groups["child"].name].average == Decimal(85)
    assert stats.by_team[0].visits == 2
    strict = scoring.score_stats(world.users["supervisor"], start=dt.date(2026, 1, 1), threshold=90)
    assert {r.label: r.below for r in strict.by_group}[world.groups["child"].name] == 1
    page = login(world, "supervisor").get(reverse("supervision:score_stats") + "?threshold=85")
    assert page.status_code == 200
    assert "均不低于85分" in page.content.decode()


def test_visit_list_query_count_is_constant(world):
    team, _ = make_team(world, world.users["observer"])
    c = login(world, "supervisor")
    url = reverse("supervision:score_visit_list")
    make_visit(world, team)
    c.get(url)
    with CaptureQueriesContext(connection) as one:
        c.get(url)
    for n in range(3):
        make_visit(world, team, rel="child", on=dt.date(2026, 6, n + 1))
    with CaptureQueriesContext(connection) as four:
        c.get(url)
    assert len(one) == len(four)
