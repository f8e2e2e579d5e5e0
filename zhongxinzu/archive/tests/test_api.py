"""/api/archive: status with the registers, build as a job (202), download."""

from __future__ import annotations

import io
import zipfile

from docx import Document

from zhongxinzu.api.services import token_issue
from zhongxinzu.api.tests.helpers import ApiClient
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.jobs.testing import run_worker


def _api(world, role):
    raw, _ = token_issue(user=world.users[role])
    return ApiClient(raw)


def test_status_build_and_download_through_the_api(
    world, year_records, django_capture_on_commit_callbacks
):
    y = year_records
    api = _api(world, "secretary")
    status = api.get(f"/api/archive/groups/{y.group.pk}", {"year": y.year})
    assert status.status_code == 200, status.content
    body = status.json()
    assert body["complete"] is False and body["can_build"] is True
    sign_in = body["registers"][0]
    assert (sign_in["name"], sign_in["done"], sign_in["due"]) == ("签到簿", 2, 3)
    assert sign_in["missing"][0]["url"] == f"/meetings/{y.sessions[2].pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post(f"/api/archive/groups/{y.group.pk}/build", {"year": y.year})
    assert queued.status_code == 202, queued.content
    job = queued.json()
    assert (job["kind"], job["status"]) == ("archive.build", "queued")
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    done = api.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "done", done
    volume = api.get(f"/api/archive/groups/{y.group.pk}", {"year": y.year}).json()["volumes"][0]
    assert volume["version"] == 1 and volume["documents"] == len(volume["catalogue"]) == 11
    r = api.get(f"/api/archive/volumes/{volume['id']}/download")
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))).namelist()
    assert names[0] == "00_卷内目录.docx"
    assert names[2:] == [n for row in volume["catalogue"] for n in row["files"]]
    r = api.get(f"/api/archive/volumes/{volume['id']}/download", {"format": "docx"})
    doc = Document(io.BytesIO(b"".join(r.streaming_content)))
    assert any("卷内目录" in p.text for p in doc.paragraphs)
    assert AuditEntry.objects.filter(action="download", object_id=str(volume["id"])).count() == 2


def test_a_bad_year_is_refused_with_a_chinese_message(world):
    api = _api(world, "secretary")
    r = api.post(f"/api/archive/groups/{world.groups['own'].pk}/build", {"year": 1990})
    assert r.status_code in (400, 422)
    assert "年度须在2000年至今年之间" in r.content.decode()


def test_the_leader_reads_but_does_not_build(world):
    api = _api(world, "leader")
    group = world.groups["own"]
    assert api.get(f"/api/archive/groups/{group.pk}").json()["can_build"] is False
    assert api.post(f"/api/archive/groups/{group.pk}/build", {"year": 2025}).status_code == 403
