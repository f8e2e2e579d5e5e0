import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib import xlsx
from zhongxinzu.org.models import Membership, Person, RosterRequirement, Unit


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    return wb.worksheets[0]


def _rows(ws):
    return list(ws.iter_rows(min_row=2, values_only=True))


def _column(ws, header):
    headers = [c.value for c in ws[1]]
    i = headers.index(header)
    return [row[i] for row in _rows(ws)]


def test_unit_export_has_the_scoped_filtered_list(world):
    client = world.login(Client(), "supervisor")
    ws = _sheet(client.get(reverse("org:unit_export")))
    assert [c.value for c in ws[1]][:5] == ["单位编码", "单位名称", "类型", "上级单位编码", "排序"]
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert _column(ws, "单位编码") == ["A", "A1"]
    assert _column(ws, "上级单位编码") == [None, "A"]  # R is outside the supervisor's scope
    assert "在册成员" in [c.value for c in ws[1]]
    ws = _sheet(client.get(reverse("org:unit_export") + "?q=中学"))
    assert _column(ws, "单位编码") == ["A1"]
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.detail == {"kind": "units", "rows": 1, "filters": {"q": "中学"}}
    assert entry.username == "supervisor" and entry.outcome == "success"


def test_sys_admin_unit_export_has_no_people_figures(world):
    ws = _sheet(world.login(Client(), "sys_admin").get(reverse("org:unit_export")))
    assert "在册成员" not in [c.value for c in ws[1]]
    assert set(_column(ws, "单位编码")) == {"R", "A", "A1", "B", "X"}


def test_person_export_has_scoped_people_with_masked_phones(world):
    own = world.units["own"]
    Person.objects.create(unit=own, name="=1+1", gender="男", phone="13712345678")
    ws = _sheet(world.login(Client(), "supervisor").get(reverse("org:person_export")))
    names = _column(ws, "姓名")
    assert "成员own" in names and "成员child" in names
    assert "成员sibling" not in names and "成员parent" not in names
    assert "=1+1" in names and "'=1+1" not in names  # quote-prefixed text, no apostrophe
    phones = _column(ws, "手机号")
    assert "137****5678" in phones
    assert not any(p and "****" not in p for p in phones)


def test_person_export_uses_the_list_filters(world):
    client = world.login(Client(), "supervisor")
    ws = _sheet(client.get(reverse("org:person_export") + "?unit=A1"))
    assert _column(ws, "姓名") == ["成员child"]


def test_member_export_has_only_their_roster(world):
    ws = _sheet(world.login(Client(), "member").get(reverse("org:person_export")))
    names = set(_column(ws, "姓名"))
    assert names == {"成员own", "secretary人", "leader人", "member人"}


def test_roster_export_in_official_order_on_a_date(world):
    group = world.groups["own"]
    person = world.people["own"]
    old = Person.objects.create(unit=world.units["own"], name='=HYPERLINK("x")', gender="男")
    Membership.objects.create(
        group=group,
        person=old,
        role="member",
        role_rank=2,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
    )
    client = world.login(Client(), "leader")
    response = client.get(reverse("org:roster_export", args=[group.pk]))
    assert quote(f"{group.name}名册") in response["Content-Disposition"]
    ws = _sheet(response)
    assert [c.value for c in ws[1]] == [
        "序号",
        "组内角色",
        "姓名",
        "性别",
        "职务",
        "手机号",
        "起始日期",
        "结束日期",
    ]
    assert _column(ws, "组内角色") == ["组长", "成员", "成员", "学习秘书"]
    assert _column(ws, "序号") == [1, 2, 3, 4]
    assert person.masked_phone in _column(ws, "手机号")
    assert ws["G2"].is_date
    ws = _sheet(client.get(reverse("org:roster_export", args=[group.pk]) + "?on=2020-06-01"))
    assert _column(ws, "姓名") == ['=HYPERLINK("x")']
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.object_type == "org.StudyGroup" and entry.object_id == str(group.pk)
    assert entry.detail["on"] == "2020-06-01"


def test_requirement_export(world):
    RosterRequirement.objects.create(
        scope=world.units["own"], label="党群部门负责人", keywords="党群工作部"
    )
    RosterRequirement.objects.create(scope=world.units["sibling"], label="不可见", keywords="x")
    ws = _sheet(world.login(Client(), "supervisor").get(reverse("org:requirement_export")))
    assert _rows(ws) == [("党群部门负责人", "党群工作部", "市教育局党委", "A", "启用")]
    assert AuditEntry.objects.filter(action="export", object_type="org.RosterRequirement").exists()


# --- the writer itself -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_written_as_text(value):
    data = xlsx.write_xlsx(title="测试", headers=["值"], rows=[[value], [5], [-5]])
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws["A2"].value == value and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert (ws["A3"].value, ws["A4"].value) == (5, -5)  # numbers stay numbers


def test_read_rows_reads_formula_like_text_back_exactly():
    data = xlsx.write_xlsx(title="t", headers=["名称"], rows=[["=1+1"], ["'普通"]])
    assert [r["名称"] for _, r in xlsx.read_rows(data, headers=["名称"])] == ["=1+1", "'普通"]


def test_writer_layout():
    data = xlsx.workbook_bytes(
        xlsx.Sheet(
            title="单位/列表:一",
            headers=["编码", "名称"],
            rows=[["A", "很长的单位名称" * 3], ["B", None]],
        ),
        xlsx.Sheet(title="填写说明", headers=["列名"], rows=[]),
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["单位_列表_一", "填写说明"]
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws.column_dimensions["A"].width == 8
    assert ws.column_dimensions["B"].width == 44


def test_xlsx_response_encodes_the_chinese_filename(world):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.users["supervisor"]
    response = xlsx.xlsx_response(request, "单位 列表", b"data")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E5%8D%95%E4%BD%8D%20%E5%88%97%E8%A1%A8.xlsx" in disposition
    assert disposition.isascii()
    assert response["Cache-Control"] == "no-store"


def test_unit_export_filters_inactive_like_the_list(world):
    Unit.objects.filter(code="A1").update(is_active=False)
    client = world.login(Client(), "supervisor")
    assert _column(_sheet(client.get(reverse("org:unit_export"))), "单位编码") == ["A"]
    ws = _sheet(client.get(reverse("org:unit_export") + "?active=all"))
    assert _column(ws, "状态") == ["启用", "已停用"]


# --- print layout ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "columns"),
    [("org:unit_export", 8), ("org:person_export", 8), ("org:requirement_export", 5)],
)
def test_org_exports_print_well_and_keep_the_header_in_row_one(world, url, columns):
    """Exports can be edited and imported again, so no title row: the header stays in row 1
    (as the import templates promise) and the title is printed in the page header."""
    from zhongxinzu.lib.tests.test_xlsx_layout import assert_prints_well

    ws = _sheet(world.login(Client(), "supervisor").get(reverse(url)))
    assert ws["A1"].value in ("单位编码", "要求") and ws["A1"].font.b
    assert not ws.merged_cells.ranges
    assert_prints_well(ws, header_row=1, columns=columns)
    assert ws.oddHeader.center.text == ws.title


def test_unit_export_counts_are_numbers(world):
    ws = _sheet(world.login(Client(), "supervisor").get(reverse("org:unit_export")))
    for header in ("排序", "层级", "在册成员"):
        assert all(isinstance(v, int) for v in _column(ws, header)), header


def test_unit_with_a_formula_like_name_survives_export_and_import(world):
    from zhongxinzu.org import imports

    Unit.objects.filter(pk=world.units["child"].pk).update(name="-8.0 巡察单位")
    client = world.login(Client(), "supervisor")
    exported = client.get(reverse("org:unit_export")).content
    names = openpyxl.load_workbook(io.BytesIO(exported)).active["B"]
    cell = next(c for c in names if c.value == "-8.0 巡察单位")
    assert cell.data_type == "s" and cell.quotePrefix
    result = imports.units_import(
        actor=world.users["supervisor"], data=exported, filename="单位列表.xlsx"
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.updated == {"units": 0}  # read back exactly: nothing changed
    assert Unit.objects.get(pk=world.units["child"].pk).name == "-8.0 巡察单位"
