import io

import docx
import pytest

from zhongxinzu.bulletins.models import Bulletin
from zhongxinzu.bulletins.tests.helpers import YEAR, study_year

pytestmark = pytest.mark.django_db


def test_supervisor_drafts_edits_issues_and_a_secretary_acknowledges(world, api):
    study_year(world)
    client = api("supervisor")
    created = client.post(
        "/api/bulletins", {"issuer_unit": world.units["own"].pk, "period": "year", "year": YEAR}
    )
    assert created.status_code == 201, created.content  # a small subtree: drafted at once
    body = created.json()
    assert body["status"] == "draft" and "共开展集体学习20次" in body["overview"]
    assert body["figures_total"]["sessions"] == 20
    path = f"/api/bulletins/{body['id']}"
    assert api("secretary").get(path).status_code == 404  # drafts are the issuer's
    edited = client.patch(path, {"version": body["version"], "practices": "（一）某单位。做法。"})
    assert edited.status_code == 200, edited.content
    issued = client.post(f"{path}/issue", {"version": edited.json()["version"]})
    assert issued.status_code == 200, issued.content
    out = issued.json()
    assert out["doc_number"].endswith(f"〔{Bulletin.objects.get().number_year}〕1号")
    assert (out["text_version"], out["recipients"], out["acknowledged"]) == (1, 4, 0)
    ack = api("secretary").post(f"{path}/acknowledge", {})
    assert ack.status_code == 201, ack.content
    assert client.get(path).json()["acknowledged"] == 1
    document = client.get(f"{path}/docx")
    assert document.status_code == 200
    texts = [p.text for p in docx.Document(io.BytesIO(document.content)).paragraphs]
    assert out["doc_number"] in texts


def test_bad_input_gets_a_chinese_message_and_changes_nothing(world, api):
    client = api("supervisor")
    r = client.post(
        "/api/bulletins",
        {"issuer_unit": world.units["own"].pk, "period": "quarter", "year": YEAR, "n": 9},
    )
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "n", "message": "不能大于4"}]
    r = client.post(
        "/api/bulletins",
        {"issuer_unit": world.units["own"].pk, "period": "year", "doc_prefix": "江宣〔2026〕"},
    )
    assert r.status_code == 400 and "代字" in str(r.json())
    r = client.post("/api/bulletins", {"issuer_unit": world.units["sibling"].pk})
    assert r.status_code == 400 and "督导" in r.json()["detail"] + str(r.json()["errors"])
    assert not Bulletin.objects.exists()


def test_an_issued_bulletin_changes_only_as_a_new_version_with_a_reason(world, api):
    client = api("supervisor")
    b = client.post("/api/bulletins", {"issuer_unit": world.units["own"].pk, "year": YEAR}).json()
    path = f"/api/bulletins/{b['id']}"
    issued = client.post(f"{path}/issue", {"version": b["version"]}).json()
    r = client.patch(path, {"version": issued["version"], "overview": "新的总体情况。"})
    assert r.status_code == 400 and "修改说明" in str(r.json())
    r = client.patch(
        path, {"version": issued["version"], "overview": "新的总体情况。", "reason": "更正"}
    )
    assert r.status_code == 200 and r.json()["text_version"] == 2
    assert r.json()["overview"] == "新的总体情况。"
    assert Bulletin.objects.get().overview == b["overview"]
