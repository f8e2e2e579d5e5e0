"""Every download and export is audited (issue 8, 5k): the web downloads of the 三清单 and
the ranking wrote no entry while their API routes did.

The test walks every GET entry of the permission matrix (every page and API operation of
every app) as a role allowed to use it; any answer that is an attachment must have written
an audit entry for that user in that request. Stored files (attachments, evidence) are
checked on their own below, since the matrix's records have no files on disk."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib.matrix import OK
from zhongxinzu.tests.test_hostile_uploads import ENDPOINTS, PDF
from zhongxinzu.tests.test_permission_matrix import APIS, OBJECTS, PAGES, RELATIONS, ROLES, _fill

WEB_DOWNLOADS_THAT_WROTE_NONE = {
    "supervision:problem_group_lists_xlsx",
    "supervision:problem_group_lists_docx",
    "assessment:ranking_export",
}


def _allowed(entry):
    """The first (role, relation) the matrix says may use `entry`."""
    for role in ROLES:
        if role == "anonymous":
            continue
        value = entry.expect.get(role)
        for rel in RELATIONS if entry.obj else ["own"]:
            outcome = value.get(rel) if isinstance(value, dict) else value
            if outcome == OK:
                return role, rel
    return None


def _is_download(response) -> bool:
    return response.get("Content-Disposition", "").startswith("attachment")


def _audited(world, role, before: int) -> bool:
    return AuditEntry.objects.filter(
        pk__gt=before, user=world.users[role], action__in=["download", "export", "document"]
    ).exists()


def _last_id() -> int:
    last = AuditEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_every_web_download_writes_an_audit_entry(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    downloads, unaudited = set(), []
    for entry in PAGES:
        if entry.method != "GET" or not (who := _allowed(entry)):
            continue
        role, rel = who
        kwargs = dict(entry.kwargs)
        obj = OBJECTS[entry.obj](world, rel) if entry.obj else None
        if obj is not None and not entry.param:
            kwargs["pk"] = obj.pk
        url = reverse(entry.name, kwargs=kwargs or None)
        if obj is not None and entry.param:
            url += f"?{entry.param}={obj.pk}"
        before = _last_id()
        response = world.login(Client(), role).get(url)
        if _is_download(response):
            downloads.add(entry.name)
            if not _audited(world, role, before):
                unaudited.append(entry.name)
    assert unaudited == []
    assert downloads >= WEB_DOWNLOADS_THAT_WROTE_NONE  # the walk reached them
    assert len(downloads) >= 12


def test_every_api_download_writes_an_audit_entry(world, tmp_path, settings):
    from zhongxinzu.api.services import token_issue

    settings.MEDIA_ROOT = tmp_path
    downloads, unaudited = set(), []
    for entry in APIS:
        if entry.method != "GET" or not (who := _allowed(entry)):
            continue
        role, rel = who
        obj = OBJECTS[entry.obj](world, rel) if entry.obj else None
        path = _fill(entry.path, obj) if obj is not None else entry.path
        raw, _ = token_issue(user=world.users[role])
        before = _last_id()
        response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
        if _is_download(response):
            downloads.add(entry.path)
            if not _audited(world, role, before):
                unaudited.append(entry.path)
    assert unaudited == []
    assert {
        "/api/assessments/{scheme_id}/ranking.xlsx",
        "/api/groups/{group_id}/annual-report.docx",
        "/api/groups/{group_id}/attendance-register.xlsx",
        "/api/plans/{plan_id}/plan.docx",
    } <= downloads


DOWNLOAD_URL = {
    "prompt attachment": lambda: ("plans:attachment_download", "plans.PromptAttachment"),
    "session attachment": lambda: ("meetings:attachment_download", "meetings.SessionAttachment"),
    "make-up evidence": lambda: ("meetings:makeup_file", "meetings.MakeUp"),
    "output file": lambda: ("outputs:output_file", "outputs.Output"),
    "rectification evidence": lambda: (
        "supervision:rectification_report_file",
        "supervision.RectificationReport",
    ),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_stored_file_download_writes_an_audit_entry(
    world, tmp_path, settings, endpoint, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    role, field, build = ENDPOINTS[endpoint]
    url, data, stored = build(world)
    client = world.login(Client(), role)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, field: SimpleUploadedFile("通知.pdf", PDF)})
    record = stored.get()
    name, object_type = DOWNLOAD_URL[endpoint]()
    before = _last_id()
    response = client.get(reverse(name, args=[record.pk]))
    assert _is_download(response) and b"".join(response.streaming_content) == PDF
    entry = AuditEntry.objects.get(pk__gt=before, action="download")
    assert entry.user == world.users[role]
    assert entry.object_type == object_type and entry.object_id == str(record.pk)
