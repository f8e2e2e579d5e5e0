"""Official holidays and 调休 working days entered by the system administrator."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.lib import workdays
from zhongxinzu.rules.models import CalendarDay
from zhongxinzu.rules.services import calendar_day_delete, calendar_days_add

NOTICE_2027 = "2027年的法定节假日和调休安排尚未录入，工作日暂按周一至周五计算"


@pytest.fixture
def admin(world):
    return world.login(Client(), "sys_admin")


def test_entered_holiday_shifts_a_deadline(db):
    # Friday 2027-01-01: without data the next working day is Monday the 4th.
    assert workdays.add_working_days(dt.date(2027, 1, 1), 1) == dt.date(2027, 1, 4)
    calendar_days_add(actor=None, lines="2027-01-01 元旦 休\n2027-01-04 元旦补假 休")
    assert workdays.add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 5)
    assert workdays.add_working_days(dt.date(2027, 1, 8), -5) == dt.date(2026, 12, 30)


def test_entered_day_beats_the_built_in_calendar(db):
    # Monday 2026-03-09 is a working day in chinese_calendar; an entry makes it a day off.
    assert workdays.add_working_days(dt.date(2026, 3, 6), 1) == dt.date(2026, 3, 9)
    calendar_days_add(actor=None, lines="2026-03-09 地方假日 休")
    assert workdays.add_working_days(dt.date(2026, 3, 6), 1) == dt.date(2026, 3, 10)


def test_entered_makeup_working_day_counts(db):
    # Sunday 2027-02-07 is worked.
    calendar_days_add(actor=None, lines="2027-02-07 调休上班")
    assert workdays.is_workday(dt.date(2027, 2, 7))
    assert workdays.working_days_between(dt.date(2027, 2, 5), dt.date(2027, 2, 8)) == 2
    day = CalendarDay.objects.get()
    assert (day.kind, day.name) == (CalendarDay.Kind.WORKDAY, "")


def test_a_range_and_comments_are_read(db):
    days = calendar_days_add(
        actor=None, lines="# 国庆\n2027-10-01至2027-10-07 国庆节 休\n\n2027-10-09，补班"
    )
    assert len(days) == 8
    assert [d.date.day for d in CalendarDay.objects.filter(kind="holiday")] == list(range(1, 8))
    assert CalendarDay.objects.get(kind="workday").date == dt.date(2027, 10, 9)
    entry = AuditEntry.objects.get(action="calendar_day_add")
    assert ["2027-10-09", "workday", ""] in entry.detail["days"]


def test_a_year_is_official_once_entries_exist(db):
    assert workdays.is_official(2026) and not workdays.is_official(2027)
    calendar_days_add(actor=None, lines="2027-01-01 元旦 休")
    assert workdays.is_official(2027)
    assert workdays.missing_years(2026, 2027, 2028) == [2028]


def test_a_year_is_read_with_one_query(db):
    calendar_days_add(actor=None, lines="2027-01-01 元旦 休")
    workdays.forget_entered_days()
    with CaptureQueriesContext(connection) as ctx:
        workdays.working_days_between(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
        workdays.add_working_days(dt.date(2027, 6, 1), 40)
    assert len(ctx.captured_queries) == 1


@pytest.mark.parametrize(
    "lines,message",
    [
        ("2027-02-30 休", "第1行：“2027-02-30”不是有效日期"),
        ("2027-01-01 元旦 请假", "第1行：请写明“休”（放假）或“上班”（调休上班）"),
        ("2027-01-01 元旦 休\n2027-01-01 元旦 休", "第2行：2027-01-01与第1行重复"),
        ("2027-01-02 休\n2027-01-01 已有 休", "第2行：2027-01-01已录入为“2027-01-01 元旦”"),
        ("   \n", "请填写此项"),
        ("# 只有说明", "请至少填写一行"),
    ],
)
def test_bad_lines_give_a_chinese_message_and_change_nothing(world, admin, lines, message):
    calendar_days_add(actor=None, lines="2027-01-01 元旦 休")
    audits = AuditEntry.objects.count()
    response = admin.post(reverse("rules:calendar") + "?year=2027", {"lines": lines})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1)]
    assert AuditEntry.objects.count() == audits


def test_one_bad_line_refuses_the_whole_paste(db):
    with pytest.raises(ValidationError) as e:
        calendar_days_add(actor=None, lines="2027-01-01 元旦 休\n2027-13-01 休\n2027-02-07 上班")
    assert e.value.messages == ["第2行：“2027-13-01”不是有效日期，请按“2027-01-01”的格式填写"]
    assert not CalendarDay.objects.exists()


def test_admin_enters_lists_and_deletes_days(world, admin):
    url = reverse("rules:calendar")
    response = admin.post(f"{url}?year=2027", {"lines": "2027-01-01 元旦 休\n2027-02-07 调休上班"})
    assert response.status_code == 302 and response["Location"] == f"{url}?year=2027"
    html = admin.get(url, {"year": 2027}).content.decode()
    assert "元旦" in html and "调休上班" in html and NOTICE_2027 not in html
    assert "星期五" in html and "2027-02-07" in html
    day = CalendarDay.objects.get(date=dt.date(2027, 1, 1))
    assert admin.get(reverse("rules:calendar_delete", args=[day.pk])).status_code == 405
    response = admin.post(reverse("rules:calendar_delete", args=[day.pk]))
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    entry = AuditEntry.objects.get(action="calendar_day_delete")
    assert entry.username == "sys_admin" and entry.detail["date"] == "2027-01-01"
    assert AuditEntry.objects.get(action="calendar_day_add").username == "sys_admin"
    assert not workdays.entered_days(2027).get(dt.date(2027, 1, 1))
    assert workdays.is_workday(dt.date(2027, 2, 7))


def test_delete_service_restores_the_built_in_calendar(db):
    [day] = calendar_days_add(actor=None, lines="2026-03-09 地方假日 休")
    assert not workdays.is_workday(dt.date(2026, 3, 9))
    calendar_day_delete(actor=None, day=day)
    assert workdays.is_workday(dt.date(2026, 3, 9))


def test_only_the_system_admin_edits_the_calendar(world):
    url = reverse("rules:calendar")
    for role in ("supervisor", "secretary", "sec_admin", "audit_admin"):
        client = world.login(Client(), role)
        assert client.get(url).status_code == 403
        assert client.post(url, {"lines": "2027-01-01 元旦 休"}).status_code == 403
    assert not CalendarDay.objects.exists()


def test_pages_say_when_a_year_has_no_official_calendar(world, admin):
    html = admin.get(reverse("rules:calendar"), {"year": 2027}).content.decode()
    assert NOTICE_2027 in html and "录入2027年安排" in html
    assert NOTICE_2027 not in admin.get(reverse("rules:calendar"), {"year": 2026}).content.decode()
    supervisor = world.login(Client(), "supervisor")
    html = supervisor.get(reverse("rules:rule_list"), {"year": 2027}).content.decode()
    assert NOTICE_2027 in html and "请联系系统管理员录入" in html
    assert 'href="/rules/calendar/' not in html
    group = world.groups["own"]
    visit = f.visit(
        group, dt.date(2027, 3, 16), owner=world.units["own"], by=world.users["supervisor"]
    )
    pages = [
        reverse("supervision:visit_detail", args=[visit.pk]),
        reverse("supervision:plan_detail", args=[visit.plan_id]),
        reverse("compliance:group_detail", args=[group.pk]) + "?year=2027",
    ]
    for page in pages:
        assert NOTICE_2027 in supervisor.get(page).content.decode(), page
    calendar_days_add(actor=None, lines="2027-01-01 元旦 休")
    for page in pages:
        assert NOTICE_2027 not in supervisor.get(page).content.decode(), page
