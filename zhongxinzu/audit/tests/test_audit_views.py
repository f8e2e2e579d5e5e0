import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record

pytestmark = pytest.mark.django_db
LIST = reverse("audit:entry_list")
EXPORT = reverse("audit:entry_export")


@pytest.fixture
def auditor(world):
    return world.login(Client(), "audit_admin")


def _seed():
    audit_record(action="login", username="alice")
    audit_record(action="login_failed", username="bob", outcome="failure")
    audit_record(action="export", username="alice", detail={"rows": 3})


def test_list_shows_entries_in_chinese(world, auditor):
    _seed()
    page = auditor.get(LIST).content.decode()
    assert "登录失败" in page and "bob" in page and "alice" in page and "失败" in page


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"user": "alice"}, ["alice"], ["bob"]),
        ({"action": "login_failed"}, ["bob"], ["alice"]),
        ({"outcome": "failure"}, ["bob"], ["alice"]),
    ],
)
def test_filters(world, auditor, params, present, absent):
    _seed()
    page = auditor.get(LIST, params).content.decode()
    body = page[page.index("<tbody>") :]
    for name in present:
        assert name in body
    for name in absent:
        assert name not in body


def test_date_range_filter(world, auditor):
    _seed()
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    page = auditor.get(LIST, {"date_from": tomorrow.isoformat()}).content.decode()
    assert "没有符合条件的记录" in page
    page = auditor.get(
        LIST, {"date_from": today.isoformat(), "date_to": today.isoformat()}
    ).content.decode()
    assert "bob" in page
    page = auditor.get(
        LIST, {"date_from": tomorrow.isoformat(), "date_to": today.isoformat()}
    ).content.decode()
    assert "截止日期不能早于起始日期" in page


def test_bad_date_is_a_message_not_an_error(world, auditor):
    response = auditor.get(LIST, {"date_from": "not-a-date"})
    assert response.status_code == 200 and "起始日期" in response.content.decode()


def test_list_query_count_is_constant(world, auditor):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert auditor.get(LIST).status_code == 200
        return len(ctx)

    _seed()
    small = count()
    for n in range(120):  # more than two pages
        audit_record(action="update", username=f"user{n}")
    assert count() == small
    assert "下一页" in auditor.get(LIST).content.decode()


def test_export_is_filtered_escaped_and_audited(world, auditor):
    _seed()
    audit_record(action="update", username="alice", object_type='=HYPERLINK("http://x")')
    response = auditor.get(EXPORT, {"user": "alice"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and len(rows) == 1 + 3
    assert {r[1] for r in rows[1:]} == {"alice"}
    assert '=HYPERLINK("http://x")' in [r[6] for r in rows[1:]]  # text, never a formula
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if str(cell.value or "").startswith(("=", "+", "-", "@")):
                assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.username == "audit_admin" and entry.detail["rows"] == 3
    assert entry.detail["filters"] == {"user": "alice"}
