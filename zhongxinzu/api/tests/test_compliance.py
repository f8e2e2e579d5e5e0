import io

import docx
import openpyxl
import pytest
from django.utils import timezone

from zhongxinzu.api.tests.test_attendance import roll_call
from zhongxinzu.api.tests.test_sessions import session_of
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance.models import AnnualReportText
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.org.models import Unit


@pytest.fixture
def year(world):
    return f.build_year(world, 2025)


def test_overview_shows_the_irregular_group_red(year, api):
    response = api("supervisor").get("/api/compliance", {"year": 2025})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {r["group_id"]: r for r in body["items"]}
    assert rows[year.bad.pk]["worst"] == "missed"
    assert rows[year.bad.pk]["statuses"]["sessions"] == "missed"
    assert rows[year.good.pk]["worst"] == "met"
    assert (body["live"], body["unit_id"], body["total"]) == (
        True,
        Unit.objects.get_parent(year.bad.unit).pk,
        4,
    )
    assert body["by_check"]["sessions"]["missed"] >= 1
    missed = (
        api("supervisor")
        .get("/api/compliance", {"year": 2025, "status": "missed", "check": "sessions"})
        .json()
    )
    assert year.bad.pk in {r["group_id"] for r in missed["items"]}
    assert year.good.pk not in {r["group_id"] for r in missed["items"]}
    paged = api("supervisor").get("/api/compliance", {"year": 2025, "limit": 2, "offset": 2})
    assert (paged.json()["count"], len(paged.json()["items"])) == (4, 2)
    beyond = api("supervisor").get("/api/compliance", {"year": 2025, "limit": 2, "offset": 8})
    assert beyond.json()["items"] == []
    odd = api("supervisor").get("/api/compliance", {"limit": 2, "offset": 1})
    assert (odd.status_code, odd.json()["field"]) == (400, "offset")


def test_overview_is_for_supervisors_within_their_subtree(world, api):
    assert api("secretary").get("/api/compliance").status_code == 403
    outside = api("supervisor").get("/api/compliance", {"unit": world.units["parent"].pk})
    assert outside.status_code == 404


def test_group_verdicts_and_drill_down(year, api):
    client = api("supervisor")
    response = client.get(f"/api/compliance/groups/{year.bad.pk}", {"year": 2025})
    assert response.status_code == 200, response.content
    body = response.json()
    checks = {c["key"]: c for c in body["checks"]}
    assert checks["sessions"]["status"] == "missed"
    assert checks["sessions"]["source"] == "全国/通用默认"
    assert body["period"]["label"] == "2025年度"
    assert len(body["members"]) == 5
    proof = client.get(f"/api/compliance/groups/{year.bad.pk}/records/sessions", {"year": 2025})
    assert proof.status_code == 200, proof.content
    rows = proof.json()["rows"]
    assert sum("本月无已举行的学习" in r["cells"] for r in rows) == 3
    assert {r["status"] for r in rows} >= {"missed"}
    quarter = client.get(
        f"/api/compliance/groups/{year.bad.pk}", {"year": 2025, "quarter": 4}
    ).json()
    assert quarter["period"]["label"] == "2025-10-01至2025-12-31"
    unknown = client.get(f"/api/compliance/groups/{year.bad.pk}/records/nope")
    assert (unknown.status_code, unknown.json()["field"]) == (400, "check")


def test_members_see_their_own_row_only(world, api):
    member = api("member")
    response = member.get(f"/api/compliance/groups/{world.groups['own'].pk}")
    assert response.status_code == 200, response.content
    assert [m["name"] for m in response.json()["members"]] == ["member人"]
    assert (
        len(api("leader").get(f"/api/compliance/groups/{world.groups['own'].pk}").json()["members"])
        == 3
    )
    records = member.get(f"/api/compliance/groups/{world.groups['own'].pk}/records/sessions")
    assert records.status_code == 403
    assert member.get(f"/api/compliance/groups/{world.groups['child'].pk}").status_code == 404


def test_secretary_edits_the_narrative_then_downloads_the_report(world, api):
    group = world.groups["own"]
    path = f"/api/groups/{group.pk}/annual-report"
    client = api("secretary")
    draft = client.get(path, {"year": 2026}).json()
    assert (draft["saved"], draft["version"]) == (False, None)
    assert draft["title"] == f"{group.name}2026年度学习情况汇报"
    assert draft["problems"] and draft["completion"]
    saved = client.patch(f"{path}?year=2026", {"problems": "学用结合还不够紧密。"})
    assert saved.status_code == 200, saved.content
    assert (saved.json()["saved"], saved.json()["version"], saved.json()["problems"]) == (
        True,
        1,
        "学用结合还不够紧密。",
    )
    text = AnnualReportText.objects.get(group=group, year=2026)
    assert text.intro == ""  # only what was sent is saved
    blind = client.patch(f"{path}?year=2026", {"next_steps": "x"})
    assert (blind.status_code, blind.json()["field"]) == (400, "version")
    stale = client.patch(f"{path}?year=2026", {"version": 7, "next_steps": "x"})
    assert stale.status_code == 409
    assert api("leader").patch(f"{path}?year=2026", {"version": 1}).status_code == 403
    assert api("member").get(path).status_code == 403

    response = api("leader").get(f"{path}.docx", {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(response.content))
    assert "学用结合还不够紧密。" in "\n".join(p.text for p in document.paragraphs)
    entry = AuditEntry.objects.get(action="document", object_type="org.StudyGroup")
    assert entry.username == "leader"
    assert entry.detail["document"] == "annual_report" and entry.detail["year"] == 2026
    assert entry.detail["file"].endswith("年度学习情况汇报.docx")


def test_attendance_register_download(world, api):
    session = session_of(world)
    roll_call(api, world, session, plain="absent")
    year = timezone.localtime(session.starts_at).year
    response = api("supervisor").get(
        f"/api/groups/{world.groups['own'].pk}/attendance-register.xlsx", {"year": year}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "成员own" in values and "缺" in values
    entry = AuditEntry.objects.get(action="export", object_type="org.StudyGroup")
    assert entry.detail["document"] == "attendance_register"
    assert (
        api("member")
        .get(f"/api/groups/{world.groups['own'].pk}/attendance-register.xlsx")
        .status_code
        == 403
    )
