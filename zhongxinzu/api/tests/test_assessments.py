"""/api/assessments: schemes, computation, ranking, publishing, editions, the 约谈名单, the
ranking download and score cards, as supervisors and assessed groups use them."""

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.api.tests.test_query_counts import count_queries
from zhongxinzu.assessment import services
from zhongxinzu.assessment.models import Adjustment, AssessmentScheme, ManualScore
from zhongxinzu.assessment.tests.helpers import YEAR, add_groups, published_scheme
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.jobs.testing import run_worker

BASE = "/api/assessments"


def create(api, world, rel="own", year=YEAR):
    response = api("supervisor").post(BASE, {"owner_unit": world.units[rel].pk, "year": year})
    assert response.status_code == 201, response.content
    return response.json()


def draft(world, rel="own", year=YEAR) -> AssessmentScheme:
    return services.scheme_create_default(
        actor=world.users["supervisor"], owner_unit=world.units[rel], year=year
    )


def put(client, path, body):
    return client.client.generic(
        "PUT", path, data=json.dumps(body), content_type="application/json", headers=client.headers
    )


def indicator(scheme_json: dict, metric: str) -> dict:
    return next(i for i in scheme_json["indicators"] if i["metric"] == metric)


def actions(scheme_id: int) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            object_type="assessment.AssessmentScheme", object_id=str(scheme_id)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- schemes ---------------------------------------------------------------------------


def test_supervisor_creates_the_default_scheme(world, api):
    body = create(api, world)
    assert body["name"] == f"{YEAR}年度理论学习中心组学习考核评价方案"
    assert (body["status"], body["edition"], body["previous_id"]) == ("draft", 1, None)
    assert body["weight_total"] == 100
    assert [g["name"] for g in body["grades"]] == ["优秀", "良好", "合格", "不合格"]
    sessions = indicator(body, "sessions")
    assert (sessions["weight"], sessions["method"]) == (10, "computed")
    assert sessions["formula"] == "权重 × min(1, 已举行集体学习次数 ÷ 规定次数)"
    assert actions(body["id"]) == ["assessment.scheme_create"]
    again = api("supervisor").post(BASE, {"owner_unit": world.units["own"].pk, "year": YEAR})
    assert (again.status_code, again.json()["field"]) == (400, "year")
    assert "已有" in again.json()["detail"]


def test_only_supervisors_create_and_only_within_their_subtree(world, api):
    for role in ("secretary", "leader", "member", "observer", "sys_admin"):
        refused = api(role).post(BASE, {"owner_unit": world.units["own"].pk, "year": YEAR})
        assert refused.status_code == 403, role
    for rel in ("parent", "sibling", "unrelated"):
        refused = api("supervisor").post(BASE, {"owner_unit": world.units[rel].pk, "year": YEAR})
        assert (refused.status_code, refused.json()["field"]) == (400, "owner_unit"), rel
    create(api, world, "child")
    assert not AssessmentScheme.objects.exclude(owner_unit=world.units["child"]).exists()


def test_list_filters_and_scope(world, api):
    own, child = draft(world, "own"), draft(world, "child")
    parent = AssessmentScheme.objects.create(
        owner_unit=world.units["parent"], year=YEAR, name="上级"
    )
    older = draft(world, "own", YEAR - 1)
    client = api("supervisor")
    assert ids(client.get(BASE)) == {own.pk, child.pk, older.pk}
    assert ids(client.get(BASE, {"year": YEAR})) == {own.pk, child.pk}
    assert ids(client.get(BASE, {"owner_unit": world.units["child"].pk})) == {child.pk}
    assert ids(client.get(BASE, {"status": "published"})) == set()
    assert client.get(f"{BASE}/{parent.pk}").status_code == 404
    for role in ("secretary", "leader", "member", "observer", "sys_admin", "audit_admin"):
        assert ids(api(role).get(BASE)) == set(), role
        assert api(role).get(f"{BASE}/{own.pk}").status_code == 404, role


def test_weights_not_summing_to_100_are_refused_and_nothing_changes(world, api):
    scheme = draft(world)
    sessions = scheme.indicators.get(metric="sessions")
    client = api("supervisor")
    refused = client.patch(
        f"{BASE}/{scheme.pk}",
        {
            "version": scheme.version,
            "name": "新名称",
            "indicators": [{"id": sessions.pk, "weight": 15, "name": "集体学习次数"}],
        },
    )
    assert refused.status_code == 400, refused.content
    assert refused.json()["detail"] == "各指标权重之和应为100分，当前为105分"
    sessions.refresh_from_db()
    fresh = AssessmentScheme.objects.get(pk=scheme.pk)
    assert (sessions.weight, sessions.name) == (10, "组织实施·集体学习次数")
    assert (fresh.name, fresh.version) == (scheme.name, scheme.version)
    assert "assessment.scheme_update" not in actions(scheme.pk)

    # moving five points from one indicator to another keeps the total at 100
    archive = scheme.indicators.get(metric="archive")
    moved = client.patch(
        f"{BASE}/{scheme.pk}",
        {
            "version": scheme.version,
            "bottom_n": 2,
            "grades": [{"name": "好", "threshold": 85.5}, {"name": "差", "threshold": 0}],
            "indicators": [{"id": sessions.pk, "weight": 15}, {"id": archive.pk, "weight": 5}],
        },
    )
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert (indicator(body, "sessions")["weight"], indicator(body, "archive")["weight"]) == (15, 5)
    assert indicator(body, "sessions")["name"] == "组织实施·集体学习次数"  # unsent: kept
    assert body["grades"] == [{"name": "好", "threshold": 85.5}, {"name": "差", "threshold": 0}]
    assert (body["bottom_n"], body["version"]) == (2, scheme.version + 1)
    stale = client.patch(f"{BASE}/{scheme.pk}", {"version": scheme.version, "name": "旧"})
    assert stale.status_code == 409
    bad_grades = client.patch(
        f"{BASE}/{scheme.pk}",
        {"version": body["version"], "grades": [{"name": "好", "threshold": 60}]},
    )
    assert (bad_grades.status_code, bad_grades.json()["field"]) == (400, "grades")
    other = draft(world, "child").indicators.first()
    foreign = client.patch(
        f"{BASE}/{scheme.pk}", {"version": body["version"], "indicators": [{"id": other.pk}]}
    )
    assert (foreign.status_code, foreign.json()["field"]) == (400, "indicators")
    unknown_metric = client.patch(
        f"{BASE}/{scheme.pk}",
        {"version": body["version"], "indicators": [{"id": sessions.pk, "metric": "luck"}]},
    )
    assert unknown_metric.status_code == 422
    assert AssessmentScheme.objects.get(pk=scheme.pk).version == body["version"]


def test_indicators_are_added_with_no_weight_and_deleted_once_emptied(world, api):
    scheme = draft(world)
    client = api("supervisor")
    added = client.post(f"{BASE}/{scheme.pk}/indicators")
    assert added.status_code == 201, added.content
    new = added.json()
    assert (new["name"], new["weight"], new["method"]) == ("新指标", 0, "manual")
    sessions = scheme.indicators.get(metric="sessions")
    refused = client.delete(f"{BASE}/{scheme.pk}/indicators/{sessions.pk}")
    assert refused.status_code == 400 and "权重调为0" in refused.json()["detail"]
    other = draft(world, "child")
    assert client.delete(f"{BASE}/{other.pk}/indicators/{new['id']}").status_code == 404
    assert client.delete(f"{BASE}/{scheme.pk}/indicators/{new['id']}").status_code == 204
    assert scheme.indicators.count() == 12
    assert "assessment.indicator_add" in AuditEntry.objects.values_list("action", flat=True)


# --- computing and ranking -------------------------------------------------------------


@pytest.fixture
def compute(django_capture_on_commit_callbacks):
    """POST …/compute queues a background job (202); the worker then runs it."""

    def run(client, path):
        with django_capture_on_commit_callbacks(execute=True):
            queued = client.post(f"{path}/compute")
        assert queued.status_code == 202, queued.content
        job = queued.json()
        assert (job["kind"], job["status"], job["finished"]) == (
            "assessment.compute",
            "queued",
            False,
        )
        run_worker()
        done = client.get(f"/api/jobs/{job['id']}").json()
        assert (done["status"], done["finished"], done["percent"]) == ("done", True, 100), done
        return done

    return run


def test_compute_and_ranking_through_the_api(world, api, compute):
    client = api("supervisor")
    scheme = create(api, world)
    path = f"{BASE}/{scheme['id']}"
    assert client.get(f"{path}/results").json() == {"items": [], "count": 0}
    own, child = world.groups["own"], world.groups["child"]
    bonus = client.post(
        f"{path}/adjustments",
        {"group": child.pk, "points": 5, "reason": "经验做法被推广", "evidence": "市委办通报"},
    )
    assert bonus.status_code == 201, bonus.content
    assert (bonus.json()["points"], bonus.json()["created_by"]) == (5, "supervisor")
    computed = compute(client, path)
    assert computed["result_text"] == "已计算2个中心组的考核结果"
    assert client.get(path).json()["result_count"] == 2
    ranking = client.get(f"{path}/results")
    assert ranking.status_code == 200
    rows = ranking.json()["items"]
    assert [(r["rank"], r["group_id"]) for r in rows] == [(1, child.pk), (2, own.pk)]
    first, second = rows
    assert first["total"] == second["total"] + 5
    assert (first["adjustment_total"], second["adjustment_total"]) == (5, 0)
    assert first["unit_name"] == world.units["child"].name
    assert len(first["points"]) == 12
    sessions = next(p for p in first["points"] if p["indicator_name"] == "组织实施·集体学习次数")
    assert sessions["points"] == 0  # no session held
    assert first["total"] == sum(p["points"] for p in first["points"]) + 5
    expected = services.grade_for(Decimal(str(first["total"])), scheme_grades(scheme))
    assert first["grade"] == expected
    paged = client.get(f"{path}/results", {"limit": 1, "offset": 1}).json()
    assert (paged["count"], [r["group_id"] for r in paged["items"]]) == (2, [own.pk])
    assert "assessment.compute" in actions(scheme["id"])
    # only the supervisors see the ranking
    for role in ("secretary", "leader", "observer"):
        assert api(role).get(f"{path}/results").status_code == 404, role


def scheme_grades(scheme_json: dict) -> list:
    return [[g["name"], g["threshold"]] for g in scheme_json["grades"]]


def test_manual_scores_need_a_reason_and_show_on_the_card(world, api, compute):
    scheme = draft(world)
    archive = scheme.indicators.get(metric="archive")
    client = api("supervisor")
    path = f"{BASE}/{scheme.pk}"
    switched = client.patch(
        path,
        {"version": 1, "indicators": [{"id": archive.pk, "method": "manual", "name": "档案管理"}]},
    )
    assert switched.status_code == 200, switched.content
    assert indicator(switched.json(), "")["method"] == "manual"
    own, child = world.groups["own"], world.groups["child"]
    no_reason = put(
        client,
        f"{path}/manual-scores",
        {"indicator": archive.pk, "scores": [{"group": own.pk, "score": 8, "reason": " "}]},
    )
    assert no_reason.status_code == 400 and "理由" in no_reason.json()["detail"]
    too_high = put(
        client,
        f"{path}/manual-scores",
        {"indicator": archive.pk, "scores": [{"group": own.pk, "score": 11, "reason": "好"}]},
    )
    assert too_high.status_code == 400 and "0至10分" in too_high.json()["detail"]
    outsider = put(
        client,
        f"{path}/manual-scores",
        {
            "indicator": archive.pk,
            "scores": [
                {"group": own.pk, "score": 8, "reason": "好"},
                {"group": world.groups["sibling"].pk, "score": 8, "reason": "好"},
            ],
        },
    )
    assert outsider.status_code == 400 and "考核范围" in outsider.json()["detail"]
    assert not ManualScore.objects.exists()
    computed_one = scheme.indicators.get(metric="sessions")
    refused = put(
        client,
        f"{path}/manual-scores",
        {"indicator": computed_one.pk, "scores": [{"group": own.pk, "score": 1, "reason": "x"}]},
    )
    assert refused.status_code == 400 and "自动计算" in refused.json()["detail"]
    saved = put(
        client,
        f"{path}/manual-scores",
        {
            "indicator": archive.pk,
            "scores": [
                {"group": own.pk, "score": 8.5, "reason": "档案齐全规范"},
                {"group": child.pk, "score": None},
            ],
        },
    )
    assert saved.status_code == 200, saved.content
    assert [(s["group_id"], s["score"], s["reason"]) for s in saved.json()["scores"]] == [
        (own.pk, 8.5, "档案齐全规范")
    ]
    compute(client, path)
    result = scheme.results.get(group=own)
    card = client.get(f"{BASE}/results/{result.pk}").json()
    line = next(x for x in card["lines"] if x["indicator_id"] == archive.pk)
    assert (line["points"], line["value"], line["rule"]) == (8.5, "档案齐全规范", "人工评分")
    assert "理由：档案齐全规范" in line["formula"]


def test_adjustments_need_evidence_and_a_group_of_the_subtree(world, api):
    scheme = draft(world)
    client = api("supervisor")
    path = f"{BASE}/{scheme.pk}/adjustments"
    body = {"group": world.groups["own"].pk, "points": -3, "reason": "材料弄虚作假"}
    missing = client.post(path, {**body, "evidence": "  "})
    assert (missing.status_code, missing.json()["field"]) == (400, "evidence")
    outside = client.post(path, {**body, "group": world.groups["parent"].pk, "evidence": "通报"})
    assert (outside.status_code, outside.json()["field"]) == (400, "group")
    zero = client.post(path, {**body, "points": 0, "evidence": "通报"})
    assert (zero.status_code, zero.json()["field"]) == (400, "points")
    assert not Adjustment.objects.exists()
    added = client.post(path, {**body, "evidence": "督查通报〔2025〕3号"})
    assert added.status_code == 201, added.content
    detail = client.get(f"{BASE}/{scheme.pk}").json()
    assert [(a["points"], a["evidence"]) for a in detail["adjustments"]] == [
        (-3, "督查通报〔2025〕3号")
    ]
    adjustment_id = added.json()["id"]
    other = draft(world, "child")
    assert client.delete(f"{BASE}/{other.pk}/adjustments/{adjustment_id}").status_code == 404
    assert client.delete(f"{path}/{adjustment_id}").status_code == 204
    assert not Adjustment.objects.exists()
    assert {"assessment.adjustment_add", "assessment.adjustment_delete"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


# --- publishing and editions -----------------------------------------------------------


def test_publish_locks_and_a_new_edition_takes_the_changes(world, api, compute):
    scheme = draft(world)
    client = api("supervisor")
    path = f"{BASE}/{scheme.pk}"
    early = client.post(f"{path}/publish", {"version": 1})
    assert early.status_code == 400 and "请先计算" in early.json()["detail"]
    compute(client, path)
    assert client.post(f"{path}/publish", {"version": 9}).status_code == 409
    published = client.post(f"{path}/publish", {"version": 1})
    assert published.status_code == 200, published.content
    body = published.json()
    assert (body["status"], body["published_by"]) == ("published", "supervisor")
    assert body["published_at"]

    locked = client.patch(path, {"version": body["version"], "name": "改名"})
    assert locked.status_code == 400
    assert "新版本" in locked.json()["detail"]
    sessions = scheme.indicators.get(metric="sessions")
    adjustment = {"group": world.groups["own"].pk, "points": 1, "reason": "x", "evidence": "y"}
    manual = {"indicator": sessions.pk, "scores": []}
    for response in (
        client.post(f"{path}/adjustments", adjustment),
        put(client, f"{path}/manual-scores", manual),
        client.post(f"{path}/indicators"),
        client.post(f"{path}/compute"),
    ):
        assert response.status_code == 400, response.content
    assert AssessmentScheme.objects.count() == 1  # no edition made behind the caller's back
    assert AssessmentScheme.objects.get(pk=scheme.pk).name == scheme.name

    made = client.post(f"{path}/new-edition")
    assert made.status_code == 201, made.content
    second = made.json()
    assert (second["edition"], second["previous_id"], second["status"]) == (2, scheme.pk, "draft")
    assert second["weight_total"] == 100 and len(second["indicators"]) == 12
    assert client.get(path).json()["next_edition_id"] == second["id"]
    again = client.post(f"{path}/new-edition")
    assert (again.status_code, again.json()["id"]) == (200, second["id"])
    entry = AuditEntry.objects.get(action="assessment.new_edition")
    assert entry.detail == {"previous": scheme.pk, "edition": 2}
    assert "assessment.publish" in actions(scheme.pk)

    renamed = client.patch(f"{BASE}/{second['id']}", {"version": 1, "name": "修订后的方案"})
    assert renamed.status_code == 200, renamed.content
    compute(client, f"{BASE}/{second['id']}")
    assert client.post(f"{BASE}/{second['id']}/publish", {"version": 2}).status_code == 200
    assert client.get(path).json()["status"] == "superseded"
    assert client.patch(path, {"version": 2, "name": "再改"}).status_code == 400
    assert client.post(f"{path}/new-edition").status_code == 400
    assert client.post(f"{BASE}/{draft(world, 'child').pk}/new-edition").status_code == 400


def test_talk_list_shows_the_group_at_the_bottom_two_years_running(world, api):
    extra = add_groups(world.units["own"], 3)
    own, child = world.groups["own"], world.groups["child"]
    totals = {own: 95, child: 90, extra[0]: 88, extra[1]: 85, extra[2]: 50}
    last_year = published_scheme(world, world.units["own"], YEAR - 1, totals)
    scheme = published_scheme(world, world.units["own"], YEAR, {**totals, child: 40})
    AssessmentScheme.objects.filter(pk__in=[last_year.pk, scheme.pk]).update(bottom_n=1)
    response = api("supervisor").get(f"{BASE}/{scheme.pk}/talk-list")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["previous_scheme_id"], body["count"]) == (last_year.pk, 1)
    (row,) = body["items"]
    assert (row["group_id"], row["rank"], row["total"], row["grade"]) == (
        extra[2].pk,
        4,
        50,
        "不合格",
    )
    assert (row["previous_rank"], row["previous_total"]) == (5, 50)
    # the first year has no year before it: nobody is on the list
    first = api("supervisor").get(f"{BASE}/{last_year.pk}/talk-list").json()
    assert (first["previous_scheme_id"], first["items"]) == (None, [])
    for role in ("secretary", "observer"):
        assert api(role).get(f"{BASE}/{scheme.pk}/talk-list").status_code == 404


# --- score cards and the download ------------------------------------------------------


def test_score_card_shows_each_indicators_formula(world, api):
    scheme = draft(world)
    services.adjustment_add(
        actor=world.users["supervisor"],
        scheme=scheme,
        group=world.groups["own"],
        points_=Decimal("-2"),
        reason="未按时报送材料",
        evidence="督查通报",
    )
    services.scheme_compute(actor=world.users["supervisor"], scheme=scheme)
    result = scheme.results.get(group=world.groups["own"])
    response = api("supervisor").get(f"{BASE}/results/{result.pk}")
    assert response.status_code == 200, response.content
    card = response.json()
    assert (card["group_id"], card["group_count"], card["rank"]) == (
        world.groups["own"].pk,
        2,
        result.rank,
    )
    assert len(card["lines"]) == 12
    sessions = next(x for x in card["lines"] if x["name"] == "组织实施·集体学习次数")
    assert sessions["rule"] == "权重 × min(1, 已举行集体学习次数 ÷ 规定次数)"
    assert sessions["formula"] == "10 × min(1, 0 ÷ 12) = 0"
    assert sessions["value"] == "已举行0次（规定不少于12次）"
    assert sessions["points"] == 0
    link = reverse("compliance:records", args=[world.groups["own"].pk, "sessions"])
    assert f"{link}?year={YEAR}" in [r["url"] for r in sessions["records"]]
    assert card["adjustments"] == [
        {"points": -2, "reason": "未按时报送材料", "evidence": "督查通报"}
    ]
    assert card["total"] == float(result.total)


def test_secretary_sees_only_their_own_groups_published_result(world, api):
    scheme = published_scheme(
        world, world.units["own"], YEAR, {world.groups["own"]: 91, world.groups["child"]: 70}
    )
    own = scheme.results.get(group=world.groups["own"])
    child = scheme.results.get(group=world.groups["child"])
    for role in ("secretary", "leader"):
        client = api(role)
        card = client.get(f"{BASE}/results/{own.pk}")
        assert (card.status_code, card.json()["grade"]) == (200, "优秀"), role
        assert client.get(f"{BASE}/results/{child.pk}").status_code == 404, role
        assert ids(client.get(f"{BASE}/results")) == {own.pk}, role
        assert client.get(f"{BASE}/{scheme.pk}").status_code == 404, role
    for role in ("member", "observer", "sys_admin", "sec_admin", "audit_admin"):
        assert api(role).get(f"{BASE}/results/{own.pk}").status_code == 404, role
        assert ids(api(role).get(f"{BASE}/results")) == set(), role
    assert ids(api("supervisor").get(f"{BASE}/results")) == {own.pk, child.pk}
    # a draft's results stay with the supervisors
    AssessmentScheme.objects.filter(pk=scheme.pk).update(status="draft")
    assert api("secretary").get(f"{BASE}/results/{own.pk}").status_code == 404
    assert ids(api("secretary").get(f"{BASE}/results")) == set()
    assert api("supervisor").get(f"{BASE}/results/{own.pk}").status_code == 200


def test_observer_sees_nothing(world, api):
    scheme = draft(world)
    services.scheme_compute(actor=world.users["supervisor"], scheme=scheme)
    result = scheme.results.first()
    observer = api("observer")
    assert observer.get(BASE).json() == {"items": [], "count": 0}
    for path in (
        f"{BASE}/{scheme.pk}",
        f"{BASE}/{scheme.pk}/results",
        f"{BASE}/{scheme.pk}/talk-list",
        f"{BASE}/{scheme.pk}/ranking.xlsx",
        f"{BASE}/results/{result.pk}",
    ):
        assert observer.get(path).status_code == 404, path
    assert observer.post(f"{BASE}/{scheme.pk}/compute").status_code == 404
    assert observer.patch(f"{BASE}/{scheme.pk}", {"version": 1, "name": "x"}).status_code == 404
    assert AssessmentScheme.objects.get(pk=scheme.pk).name == scheme.name


def _cells(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


def test_ranking_download_matches_the_page(world, api):
    extra = add_groups(world.units["own"], 1)
    totals = {world.groups["own"]: 95, world.groups["child"]: 50, extra[0]: 70}
    published_scheme(world, world.units["own"], YEAR - 1, totals)
    scheme = published_scheme(world, world.units["own"], YEAR, totals)
    AssessmentScheme.objects.update(bottom_n=1)
    scheme.refresh_from_db()
    response = api("supervisor").get(f"{BASE}/{scheme.pk}/ranking.xlsx")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    page = world.login(api().client, "supervisor").get(
        reverse("assessment:ranking_export", args=[scheme.pk])
    )
    assert _cells(response.content) == _cells(page.content)
    sheets = _cells(response.content)
    assert [row[1] for row in sheets["考核结果"][2:5]] == [  # below the title and header rows
        world.groups["own"].name,
        extra[0].name,
        world.groups["child"].name,
    ]
    assert sheets["约谈名单"][2][0] == world.groups["child"].name
    # One entry for the API download and one for the page's: every download is audited.
    entries = AuditEntry.objects.filter(action="export", object_id=str(scheme.pk))
    assert entries.count() == 2
    assert all(e.detail["document"] == "assessment_ranking" for e in entries)


# --- query counts ----------------------------------------------------------------------


def _grow(world, schemes: list[AssessmentScheme], n: int) -> None:
    """n more groups under A, each with a result and an adjustment in every scheme, and n
    more schemes."""
    groups = add_groups(world.units["own"], n)
    for s in schemes:
        start = s.results.count()
        s.results.bulk_create(
            s.results.model(
                scheme=s,
                group=g,
                total=Decimal(60 + i),
                rank=start + i + 1,
                grade="合格",
                breakdown={
                    str(ind.pk): {"score": "5", "formula": "", "value": "", "records": []}
                    for ind in s.indicators.all()
                }
                | {"adjustments": [{"points": "1", "reason": "r", "evidence": "e"}]},
                computed_at=timezone.now(),
            )
            for i, g in enumerate(groups)
        )
        Adjustment.objects.bulk_create(
            Adjustment(
                scheme=s,
                group=g,
                points=1,
                reason="r",
                evidence="e",
                created_by=world.users["supervisor"],
            )
            for g in groups
        )
    for _ in range(n):
        # schemes of other years lengthen the list
        year = 2040 + AssessmentScheme.objects.filter(owner_unit=world.units["child"]).count()
        draft(world, "child", year)


@pytest.mark.parametrize(
    "path", ["", "/{scheme}/results", "/{scheme}/talk-list", "/results", "/{scheme}"]
)
def test_query_count_does_not_grow(world, api, path):
    groups = [world.groups["own"], world.groups["child"]]
    previous = published_scheme(world, world.units["own"], YEAR - 1, dict.fromkeys(groups, 50))
    scheme = published_scheme(world, world.units["own"], YEAR, dict.fromkeys(groups, 50))
    AssessmentScheme.objects.filter(pk__in=[previous.pk, scheme.pk]).update(bottom_n=1000)
    url = BASE + path.format(scheme=scheme.pk)
    client = api("supervisor")
    _grow(world, [previous, scheme], 2)
    small = count_queries(client, url)
    small_size = client.get(url).json().get("count", 0)
    _grow(world, [previous, scheme], 20)
    large = count_queries(client, url)
    if path != "/{scheme}":
        assert client.get(url).json()["count"] >= small_size + 20
    assert small == large
