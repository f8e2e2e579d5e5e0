"""/api/problems: raising a problem with its rectification entry, the problem list with its
filters and overdue flag, and each group's three lists as JSON and as the page's exports."""

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.api.tests.test_query_counts import count_queries
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import Person, StudyGroup, Unit
from zhongxinzu.plans.models import PlanTopic, YearPlan
from zhongxinzu.supervision import problems
from zhongxinzu.supervision.models import ObservationVisit, Problem, Rectification


def body(world, rel="own", **fields):
    today = timezone.localdate()
    return {
        "group": world.groups[rel].pk,
        "source": "supervision",
        "category": "学习制度",
        "description": "研讨发言念稿，联系实际不够",
        "measures": "发言人提前准备提纲，脱稿交流",
        "deadline": (today + dt.timedelta(days=30)).isoformat(),
        **fields,
    }


def raise_problem(world, rel="own", **kw):
    today = timezone.localdate()
    fields = {
        "category": "学习制度",
        "description": "研讨发言念稿",
        "found_on": today,
        "measures": "脱稿交流",
        "deadline": today + dt.timedelta(days=30),
        "source": "supervision",
        **kw,
    }
    return problems.problem_create(
        actor=world.users["supervisor"], group=world.groups[rel], **fields
    )


def test_supervisor_raises_a_problem_with_its_rectification(world, api):
    visit = ObservationVisit.objects.create(
        group=world.groups["child"], planned_on=dt.date(2026, 5, 10)
    )
    response = api("supervisor").post(
        "/api/problems",
        body(
            world,
            "child",
            source="observation",
            visit=visit.pk,
            evidence="旁听现场记录",
            found_on="2026-05-10",
            owner=world.people["child"].pk,
            department="办公室",
            deadline="2026-06-30",
        ),
    )
    assert response.status_code == 201, response.content
    problem = response.json()
    assert (problem["group_id"], problem["visit_id"], problem["source_label"]) == (
        world.groups["child"].pk,
        visit.pk,
        "列席旁听",
    )
    rect = problem["rectification"]
    assert (rect["status"], rect["owner_name"], rect["department"], rect["deadline"]) == (
        "open",
        "成员child",
        "办公室",
        "2026-06-30",
    )
    assert problem["raised_by"] == "supervisor" and problem["reports"] == []
    assert (problem["can_report"], problem["can_decide"]) == (False, False)
    entry = AuditEntry.objects.get(action="problem_create")
    assert (entry.object_id, entry.detail) == (str(problem["id"]), {"source": "observation"})


def test_found_on_defaults_to_today(world, api):
    response = api("supervisor").post("/api/problems", body(world))
    assert response.json()["found_on"] == timezone.localdate().isoformat()


def test_secretary_raises_self_check_problems_for_their_group_only(world, api):
    secretary = api("secretary")
    ok = secretary.post("/api/problems", body(world, source="self_check"))
    assert ok.status_code == 201, ok.content
    assert ok.json()["can_report"] is True
    wrong_source = secretary.post("/api/problems", body(world, source="inspection"))
    assert (wrong_source.status_code, wrong_source.json()["field"]) == (400, "source")
    assert "自查" in wrong_source.json()["detail"]
    other_group = secretary.post("/api/problems", body(world, "child", source="self_check"))
    assert (other_group.status_code, other_group.json()["field"]) == (400, "group")
    for role in ("leader", "member", "observer", "sys_admin"):
        assert api(role).post("/api/problems", body(world)).status_code == 403, role
    assert Problem.objects.count() == 1


def test_bad_input_is_refused_and_changes_nothing(world, api):
    client = api("supervisor")
    cases = [
        (body(world, "sibling"), "group"),
        (body(world, found_on="2026-05-10", deadline="2026-05-01"), "deadline"),
        (body(world, owner=world.people["child"].pk), "owner"),
        (body(world, owner=999_999), "owner"),
        (body(world, visit=999_999), "visit"),
        (body(world, description=" "), "description"),
    ]
    for payload, field in cases:
        response = client.post("/api/problems", payload)
        assert (response.status_code, response.json()["field"]) == (400, field), payload
    visit = ObservationVisit.objects.create(
        group=world.groups["child"], planned_on=dt.date(2026, 5, 10)
    )
    wrong_visit = client.post("/api/problems", body(world, visit=visit.pk))
    assert (wrong_visit.status_code, wrong_visit.json()["field"]) == (400, "visit")
    assert "不是该中心组" in wrong_visit.json()["detail"]
    unknown = client.post("/api/problems", body(world, source="rumour"))
    assert (unknown.status_code, unknown.json()["field"]) == (422, "source")
    assert not Problem.objects.exists() and not Rectification.objects.exists()


def test_overdue_flag_and_filters(world, api):
    today = timezone.localdate()
    late = raise_problem(
        world,
        description="逾期问题",
        found_on=today - dt.timedelta(days=40),
        deadline=today - dt.timedelta(days=1),
    )
    fresh = raise_problem(world, "child", description="未到期问题", source="inspection")
    last_year = raise_problem(
        world,
        category="学习计划",
        found_on=dt.date(today.year - 1, 3, 1),
        deadline=dt.date(today.year - 1, 4, 1),
    )
    closed = Rectification.objects.get(problem=last_year)
    closed.status = "closed"
    closed.save()
    client = api("supervisor")
    everything = client.get("/api/problems").json()
    flags = {p["id"]: p["overdue"] for p in everything["items"]}
    assert flags == {late.pk: True, fresh.pk: False, last_year.pk: False}
    assert ids(client.get("/api/problems", {"overdue": True})) == {late.pk}
    assert ids(client.get("/api/problems", {"overdue": False})) == {fresh.pk, last_year.pk}
    assert ids(client.get("/api/problems", {"source": "inspection"})) == {fresh.pk}
    assert ids(client.get("/api/problems", {"status": "closed"})) == {last_year.pk}
    assert ids(client.get("/api/problems", {"category": "学习计划"})) == {last_year.pk}
    assert ids(client.get("/api/problems", {"year": today.year - 1})) == {last_year.pk}
    assert ids(client.get("/api/problems", {"group": world.groups["child"].pk})) == {fresh.pk}
    detail = client.get(f"/api/problems/{late.pk}").json()
    assert detail["overdue"] is True and detail["rectification"]["overdue"] is True
    bad = client.get("/api/problems", {"status": "lost"})
    assert (bad.status_code, bad.json()["field"]) == (422, "status")


def test_scope_observer_and_outsiders_get_nothing(world, api):
    own = raise_problem(world)
    child = raise_problem(world, "child")
    assert ids(api("supervisor").get("/api/problems")) == {own.pk, child.pk}
    for role in ("secretary", "leader"):
        assert ids(api(role).get("/api/problems")) == {own.pk}, role
        assert api(role).get(f"/api/problems/{child.pk}").status_code == 404, role
    for role in ("observer", "member", "sys_admin", "sec_admin", "audit_admin"):
        assert ids(api(role).get("/api/problems")) == set(), role
        assert api(role).get(f"/api/problems/{own.pk}").status_code == 404, role
        assert api(role).get("/api/problems/lists").status_code == 403, role
    sibling = Problem.objects.create(
        group=world.groups["sibling"],
        source="inspection",
        category="学习制度",
        description="他处问题",
        found_on=timezone.localdate(),
        raised_by=world.users["supervisor"],
    )
    Rectification.objects.create(problem=sibling, measures="整改", deadline=timezone.localdate())
    assert api("supervisor").get(f"/api/problems/{sibling.pk}").status_code == 404


def _lists_setup(world):
    year = timezone.localdate().year
    plan = YearPlan.objects.create(group=world.groups["own"], year=year, title="年度学习计划")
    PlanTopic.objects.create(plan=plan, order=1, title="学习贯彻四中全会精神", quarter=1)
    PlanTopic.objects.create(plan=plan, order=2, title="党史学习", month=7, form="集体学习")
    closed = raise_problem(world, description="发言念稿", owner=world.people["own"])
    problems.rectification_report_add(
        actor=world.users["secretary"], rectification=closed.rectification, text="已整改"
    )
    problems.rectification_close(
        actor=world.users["supervisor"], rectification=closed.rectification
    )
    raise_problem(
        world,
        description="计划未报备",
        source="inspection",
        evidence="巡察反馈",
        # overdue and still open: on the list even when found the year before
        found_on=timezone.localdate() - dt.timedelta(days=40),
        deadline=timezone.localdate() - dt.timedelta(days=1),
        department="办公室",
    )
    return year, plan


def test_lists_match_the_export(world, api):
    year, plan = _lists_setup(world)
    client = api("secretary")
    response = client.get("/api/problems/lists")  # the secretary's own group by default
    assert response.status_code == 200, response.content
    lists = response.json()
    assert (lists["group_id"], lists["year"], lists["plan_id"]) == (
        world.groups["own"].pk,
        year,
        plan.pk,
    )
    assert [r["title"] for r in lists["study"]] == ["学习贯彻四中全会精神", "党史学习"]
    assert lists["study"][1]["when"] == "7月"
    assert [r["status"] for r in lists["rectifications"]] == ["整改中（逾期）", "已销号"]
    exported = client.get("/api/problems/lists.xlsx", {"year": year})
    assert exported.status_code == 200
    assert exported["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["学习清单", "问题清单", "整改清单"]

    def cells(sheet):
        return [
            ["" if v is None else v for v in row]
            for row in book[sheet].iter_rows(min_row=3, values_only=True)  # title, header
        ]

    def day(value):
        return dt.date.fromisoformat(value) if value else ""

    assert cells("学习清单") == [
        [r["no"], r["title"], r["when"], r["form"], r["lead"]] for r in lists["study"]
    ]
    problem_cells = [row[:5] + [row[5].date()] for row in cells("问题清单")]
    assert problem_cells == [
        [r["no"], r["source"], r["category"], r["description"], r["evidence"], day(r["found_on"])]
        for r in lists["problems"]
    ]
    rect_cells = [
        row[:5] + [row[5].date(), row[6], row[7].date() if row[7] else ""]
        for row in cells("整改清单")
    ]
    assert rect_cells == [
        [
            r["no"],
            r["description"],
            r["measures"],
            r["owner"],
            r["department"],
            day(r["deadline"]),
            r["status"],
            day(r["closed_on"]),
        ]
        for r in lists["rectifications"]
    ]
    # the page exports the same workbook
    page = world.login(Client(), "secretary").get(
        reverse("supervision:problem_group_lists_xlsx", args=[world.groups["own"].pk])
    )
    page_book = openpyxl.load_workbook(io.BytesIO(page.content))
    for name in book.sheetnames:
        assert list(page_book[name].values) == list(book[name].values)
    document = client.get("/api/problems/lists.docx", {"group": world.groups["own"].pk})
    assert document.status_code == 200
    doc = Document(io.BytesIO(document.content))
    assert len(doc.tables) == 3
    assert doc.tables[2].rows[2].cells[6].text == "已销号"
    assert doc.tables[0].rows[1].cells[1].text == "学习贯彻四中全会精神"
    audited = AuditEntry.objects.filter(
        object_type="org.StudyGroup", object_id=str(world.groups["own"].pk)
    )
    assert set(audited.values_list("action", flat=True)) == {"export", "document"}


def test_lists_scope(world, api):
    _lists_setup(world)
    supervisor = api("supervisor")
    missing = supervisor.get("/api/problems/lists")
    assert (missing.status_code, missing.json()["field"]) == (400, "group")
    child = supervisor.get("/api/problems/lists", {"group": world.groups["child"].pk})
    assert child.status_code == 200 and child.json()["problems"] == []
    sibling = {"group": world.groups["sibling"].pk}
    for role in ("supervisor", "secretary", "leader"):
        for path in ("/api/problems/lists", "/api/problems/lists.xlsx", "/api/problems/lists.docx"):
            assert api(role).get(path, sibling).status_code == 404, (role, path)
    # the group's leaders read the lists as its secretary does
    assert api("leader").get("/api/problems/lists").json()["group_id"] == world.groups["own"].pk


def _grow(world, n: int) -> None:
    """n more groups in the supervisor's subtree, each with a problem and a report."""
    parent = Unit.objects.get(pk=world.units["child"].pk)
    today = timezone.localdate()
    for i in range(n):
        unit = Unit.objects.add_child(
            parent, {"code": f"P{n}-{i}", "name": f"单位{i}", "kind": "党支部"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"单位{i}中心组")
        owner = Person.objects.create(unit=unit, name=f"责任人{i}", gender="男")
        problem = Problem.objects.create(
            group=group,
            source="supervision",
            category="学习制度",
            description=f"问题{i}",
            found_on=today,
            raised_by=world.users["supervisor"],
        )
        rect = Rectification.objects.create(
            problem=problem,
            measures="措施",
            owner=owner,
            deadline=today,
            status="closed",
            closed_by=world.users["supervisor"],
            closed_at=timezone.now(),
        )
        rect.reports.create(text="已整改", reported_by=world.users["secretary"])
        parent = Unit.objects.get(pk=parent.pk)


@pytest.mark.parametrize("path", ["/api/problems", "/api/rectifications"])
def test_list_query_count_does_not_grow(world, api, path):
    client = api("supervisor")
    _grow(world, 3)
    small = count_queries(client, path)
    size = client.get(path).json()["count"]
    _grow(world, 12)
    large = count_queries(client, path)
    assert client.get(path).json()["count"] >= size + 12
    assert small == large
