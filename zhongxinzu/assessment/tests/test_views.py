import difflib
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhongxinzu.assessment import services
from zhongxinzu.assessment.models import AssessmentScheme
from zhongxinzu.assessment.tests.helpers import YEAR, add_groups, published_scheme
from zhongxinzu.jobs.testing import run_worker
from zhongxinzu.lib.tests.test_xlsx_layout import assert_prints_well


def _computed(world, year=YEAR):
    scheme = services.scheme_create_default(
        actor=world.users["supervisor"], owner_unit=world.units["own"], year=year
    )
    services.scheme_compute(actor=world.users["supervisor"], scheme=scheme)
    return scheme


def test_supervisor_creates_edits_computes_and_publishes(
    world, as_role, django_capture_on_commit_callbacks
):
    client = as_role("supervisor")
    r = client.post(
        reverse("assessment:scheme_create"), {"owner_unit": world.units["own"].pk, "year": YEAR}
    )
    scheme = AssessmentScheme.objects.get(owner_unit=world.units["own"], year=YEAR)
    assert r.status_code == 302
    html = client.get(reverse("assessment:scheme_detail", args=[scheme.pk])).content.decode()
    assert "权重 × min(1, 已举行集体学习次数 ÷ 规定次数)" in html  # formulas shown
    assert "合计100分" in html

    data = {
        "version": scheme.version,
        "name": scheme.name,
        "bottom_n": 3,
        "grades": "优秀:90，良好:80，合格:60，不合格:0",
    }
    for i in scheme.indicators.all():
        data |= {
            f"name_{i.pk}": i.name,
            f"weight_{i.pk}": str(i.weight + (5 if i.metric == "sessions" else 0)),
            f"method_{i.pk}": i.method,
            f"metric_{i.pk}": i.metric,
            f"description_{i.pk}": i.description,
        }
    r = client.post(reverse("assessment:scheme_edit", args=[scheme.pk]), data)
    assert r.status_code == 200
    assert "各指标权重之和应为100分，当前为105分" in r.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("assessment:scheme_compute", args=[scheme.pk]))
    assert r.status_code == 302 and "/jobs/" in r["Location"]
    run_worker()
    assert scheme.results.count() == 2
    r = client.get(reverse("assessment:scheme_publish", args=[scheme.pk]))
    assert "确认发布" in r.content.decode()
    scheme.refresh_from_db()
    client.post(reverse("assessment:scheme_publish", args=[scheme.pk]), {"version": scheme.version})
    scheme.refresh_from_db()
    assert scheme.status == "published"
    html = client.get(reverse("assessment:scheme_detail", args=[scheme.pk])).content.decode()
    assert 'id="new-edition"' in html and 'id="compute"' not in html
    r = client.post(reverse("assessment:scheme_new_edition", args=[scheme.pk]))
    draft = AssessmentScheme.objects.get(previous=scheme)
    assert r["Location"] == reverse("assessment:scheme_detail", args=[draft.pk])


def test_group_staff_see_only_their_own_published_card(world, as_role):
    scheme = published_scheme(
        world, world.units["own"], YEAR, {world.groups["own"]: 91, world.groups["child"]: 70}
    )
    own = scheme.results.get(group=world.groups["own"])
    child = scheme.results.get(group=world.groups["child"])
    for role in ("secretary", "leader"):
        client = as_role(role)
        assert client.get(reverse("assessment:result_detail", args=[own.pk])).status_code == 200
        assert client.get(reverse("assessment:result_detail", args=[child.pk])).status_code == 404
        mine = client.get(reverse("assessment:my_results")).content.decode()
        assert world.groups["own"].name in mine and world.groups["child"].name not in mine
    assert (
        as_role("member").get(reverse("assessment:result_detail", args=[own.pk])).status_code == 403
    )
    # a draft's results stay with the supervisors
    AssessmentScheme.objects.filter(pk=scheme.pk).update(status="draft")
    assert (
        as_role("secretary").get(reverse("assessment:result_detail", args=[own.pk])).status_code
        == 404
    )
    assert (
        as_role("supervisor").get(reverse("assessment:result_detail", args=[own.pk])).status_code
        == 200
    )


def test_score_card_shows_how_each_point_was_earned(world, as_role):
    scheme = _computed(world)
    result = scheme.results.get(group=world.groups["own"])
    html = as_role("supervisor").get(reverse("assessment:result_detail", args=[result.pk]))
    html = html.content.decode()
    assert "10 × min(1, 0 ÷ 12) = 0" in html  # sessions: value, formula and score
    assert "已举行0次（规定不少于12次）" in html
    records = reverse("compliance:records", args=[world.groups["own"].pk, "sessions"])
    assert f'href="{records}?year={YEAR}"' in html


def test_ranking_shows_the_two_year_bottom_group(world, as_role):
    extra = add_groups(world.units["own"], 3)
    own, child = world.groups["own"], world.groups["child"]
    totals = {own: 95, child: 90, extra[0]: 88, extra[1]: 85, extra[2]: 50}
    published_scheme(world, world.units["own"], YEAR - 1, totals)
    scheme = published_scheme(world, world.units["own"], YEAR, {**totals, child: 40})
    html = as_role("supervisor").get(reverse("assessment:ranking", args=[scheme.pk]))
    html = html.content.decode()
    talk = html[html.index('id="talk-list"') : html.index('id="ranking"')]
    assert extra[2].name in talk and child.name not in talk and own.name not in talk


def test_ranking_export_reopens_with_every_group(world, as_role):
    scheme = _computed(world)
    r = as_role("supervisor").get(reverse("assessment:ranking_export", args=[scheme.pk]))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["考核结果"]
    assert ws["A1"].value.startswith(scheme.name) and ws["A1"].font.b
    header = [c.value for c in ws[2]]
    assert header[:6] == ["排名", "中心组", "单位", "总分", "折算分（权重10%）", "等次"]
    assert "组织实施·集体学习次数（10分）" in header
    names = {ws.cell(row=i, column=2).value for i in (3, 4)}
    assert names == {world.groups["own"].name, world.groups["child"].name}
    assert isinstance(ws["A3"].value, int)  # the rank
    for cell in (ws["D3"], ws["E3"], ws.cell(row=3, column=len(header))):
        assert isinstance(cell.value, int | float) and cell.number_format == "0.00"
    assert_prints_well(ws, header_row=2, columns=len(header))
    assert "约谈名单" in wb.sheetnames
    assert_prints_well(wb["约谈名单"], header_row=2, columns=2)


def test_ranking_shows_the_score_converted_by_the_annual_weight(world, as_role):
    totals = {world.groups["own"]: 95, world.groups["child"]: 90}
    scheme = published_scheme(world, world.units["own"], YEAR, totals)
    assert scheme.annual_weight == 10
    client = as_role("supervisor")
    html = client.get(reverse("assessment:ranking", args=[scheme.pk])).content.decode()
    assert "折算分（权重10%）" in html
    for r in scheme.results.all():
        assert f'<td data-label="折算分">{float(r.total) / 10:g}</td>' in html
    r = client.get(reverse("assessment:ranking_export", args=[scheme.pk]))
    ws = load_workbook(io.BytesIO(r.content))["考核结果"]
    converted = {ws.cell(row=i, column=2).value: ws.cell(row=i, column=5).value for i in (3, 4)}
    assert converted == {r.group.name: float(r.total) / 10 for r in scheme.results.all()}


def _sql(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_ranking_query_count_does_not_grow(world, as_role):
    client = as_role("supervisor")
    groups = [world.groups["own"], world.groups["child"]]
    previous = published_scheme(world, world.units["own"], YEAR - 1, dict.fromkeys(groups, 50))
    scheme = published_scheme(world, world.units["own"], YEAR, dict.fromkeys(groups, 50))
    url = reverse("assessment:ranking", args=[scheme.pk])
    small = _sql(client, url)
    more = add_groups(world.units["own"], 30)
    for s in (previous, scheme):
        s.results.bulk_create(
            s.results.model(
                scheme=s,
                group=g,
                total=Decimal(60 + i),
                rank=i + 1,
                grade="合格",
                computed_at=timezone.now(),
            )
            for i, g in enumerate(more)
        )
    large = _sql(client, url)
    if len(small) != len(large):
        diff = "\n".join(difflib.unified_diff(small, large, lineterm=""))
        pytest.fail(f"{len(small)} queries with 2 groups, {len(large)} with 32:\n{diff}")


def test_published_scheme_pages_are_read_only(world, as_role):
    scheme = _computed(world)
    services.scheme_publish(actor=world.users["supervisor"], scheme=scheme)
    client = as_role("supervisor")
    r = client.get(reverse("assessment:scheme_edit", args=[scheme.pk]))
    assert r.status_code == 302
    indicator = scheme.indicators.first()
    indicator.method, indicator.metric = "manual", ""
    indicator.save()
    url = reverse("assessment:manual_scores", args=[indicator.pk])
    assert "disabled" in client.get(url).content.decode()
    own = world.groups["own"]
    client.post(url, {f"score_{own.pk}": "5", f"reason_{own.pk}": "好"})
    assert not indicator.manual_scores.exists()
    assert AssessmentScheme.objects.filter(previous=scheme).count() == 0


def test_manual_scores_page_saves_with_reasons(world, as_role):
    scheme = services.scheme_create_default(
        actor=world.users["supervisor"], owner_unit=world.units["own"], year=YEAR
    )
    indicator = scheme.indicators.get(metric="archive")
    indicator.method, indicator.metric = "manual", ""
    indicator.save()
    own, child = world.groups["own"], world.groups["child"]
    url = reverse("assessment:manual_scores", args=[indicator.pk])
    client = as_role("supervisor")
    r = client.post(url, {f"score_{own.pk}": "9", f"reason_{own.pk}": ""}, follow=True)
    assert "人工评分须填写理由" in r.content.decode()
    client.post(
        url, {f"score_{own.pk}": "9", f"reason_{own.pk}": "档案规范", f"score_{child.pk}": ""}
    )
    assert {m.group_id: m.score for m in indicator.manual_scores.all()} == {own.pk: 9}
