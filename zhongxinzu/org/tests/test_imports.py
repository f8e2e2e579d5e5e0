import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib import xlsx
from zhongxinzu.org import imports
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.org.tests.sheets import (
    roster_file,
    roster_row,
    unit_row,
    units_file,
    upload,
    xlsx_bytes,
)


def _counts():
    return Unit.objects.count(), Person.objects.count(), Membership.objects.count()


def _post(client, name, data, filename="名册.xlsx", query=""):
    return client.post(reverse(name) + query, {"file": upload(data, filename)})


GOOD = [
    roster_row("王一", role="组长", post="党委书记", rank=1, phone="13911110001"),
    roster_row("李二", role="副组长", post="局长", rank=2, phone="13911110002", start="2025-02-01"),
    roster_row("赵三", gender="女", role="学习秘书", post="办公室主任", rank=9, phone=""),
]


# --- templates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, columns, role",
    [
        ("org:roster_template", imports.ROSTER_COLUMNS, "secretary"),
        ("org:units_template", imports.UNIT_COLUMNS, "supervisor"),
    ],
)
def test_template_downloads_reopen_with_the_right_headers(world, url, columns, role):
    response = world.login(Client(), role).get(reverse(url))
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["导入数据", "填写说明"]
    ws = wb["导入数据"]
    assert [c.value for c in ws[1]] == columns
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws.max_row == 2  # header + one example row
    explained = [row[0] for row in wb["填写说明"].iter_rows(min_row=2, values_only=True)]
    assert set(columns) <= set(explained)


def test_roster_template_lists_the_allowed_roles():
    wb = openpyxl.load_workbook(io.BytesIO(imports.roster_template()))
    text = " ".join(str(v) for row in wb["填写说明"].iter_rows(values_only=True) for v in row)
    assert "组长、副组长、成员、学习秘书、联络员、列席" in text


# --- roster import ---------------------------------------------------------------------


def test_good_roster_imports_and_shows_on_the_roster_page(world):
    client = world.login(Client(), "secretary")
    response = _post(client, "org:import_roster", roster_file(GOOD))
    assert response.status_code == 200, response.content.decode()
    text = response.content.decode()
    assert "导入成功" in text and "新增人员3人" in text and "新增中心组成员3条" in text
    group = world.groups["own"]
    assert reverse("org:group_detail", args=[group.pk]) in text
    page = client.get(reverse("org:group_detail", args=[group.pk])).content.decode()
    for name in ("王一", "李二", "赵三"):
        assert name in page
    wang = Person.objects.get(name="王一")
    assert wang.unit == world.units["own"] and wang.post == "党委书记" and wang.rank_order == 1
    m = Membership.objects.get(person__name="李二")
    assert (m.role, m.role_rank, m.start_date) == ("deputy", 1, dt.date(2025, 2, 1))
    entry = AuditEntry.objects.filter(action="import").latest("id")
    assert entry.outcome == "success" and entry.username == "secretary"
    assert entry.detail["kind"] == "roster" and entry.detail["file"] == "名册.xlsx"
    assert entry.detail["rows"] == 3
    assert entry.detail["created"] == {"people": 3, "memberships": 3}


def test_one_bad_row_writes_nothing_and_fixing_it_imports(world):
    client = world.login(Client(), "secretary")
    rows = [*GOOD]
    rows[2] = roster_row("赵三", phone="12345")  # Excel row 4
    before = _counts()
    response = _post(client, "org:import_roster", roster_file(rows))
    assert response.status_code == 422
    text = response.content.decode()
    assert "未导入任何数据" in text
    assert "第4行" in text and "手机号应为11位数字" in text
    assert _counts() == before
    failure = AuditEntry.objects.filter(action="import").latest("id")
    assert failure.outcome == "failure" and failure.detail["errors"] == 1

    rows[2] = roster_row("赵三", phone="13911110003")
    response = _post(client, "org:import_roster", roster_file(rows))
    assert response.status_code == 200
    assert _counts() == (before[0], before[1] + 3, before[2] + 3)


def test_result_lists_every_problem_with_row_and_column(world):
    rows = [
        roster_row("", gender="男"),  # row 2
        roster_row("甲", gender="未知", role="组员"),  # row 3
        roster_row("乙", start="2025-13-01"),  # row 4
        roster_row("丙", start=dt.date(2025, 5, 1), end=dt.date(2025, 4, 1)),  # row 5
        roster_row("丁", start=None, rank="第一"),  # row 6
    ]
    result = imports.roster_import(
        actor=world.users["secretary"], data=roster_file(rows), filename="x.xlsx"
    )
    assert not result.ok
    messages = [str(e) for e in result.errors]
    assert "第2行 姓名：请填写姓名" in messages
    assert "第3行 性别：性别应为“男”或“女”" in messages
    assert any(m.startswith("第3行 组内角色：组内角色不正确") for m in messages)
    assert any(m.startswith("第4行 起始日期：日期格式不正确") for m in messages)
    assert "第5行 结束日期：结束日期不能早于起始日期" in messages
    assert "第6行 起始日期：请填写起始日期" in messages
    assert any(m.startswith("第6行 排序号") for m in messages)
    assert result.created == {} and result.updated == {}


def test_same_file_twice_updates_and_never_duplicates(world):
    secretary = world.users["secretary"]
    data = roster_file(GOOD)
    first = imports.roster_import(actor=secretary, data=data, filename="a.xlsx")
    assert first.ok
    after_first = _counts()
    again = imports.roster_import(actor=secretary, data=data, filename="a.xlsx")
    assert again.ok and _counts() == after_first
    assert again.created == {"people": 0, "memberships": 0}
    assert again.updated == {"people": 0, "memberships": 0}

    changed = [
        roster_row(
            "王一",
            role="组长",
            post="党委书记、局长",
            rank=1,
            phone="13911110001",
            end="2025-12-31",
        ),
        GOOD[1],
        roster_row("赵三", gender="女", role="联络员", post="", rank=None, phone=""),
    ]
    third = imports.roster_import(actor=secretary, data=roster_file(changed), filename="b.xlsx")
    assert third.ok, [str(e) for e in third.errors]
    assert _counts() == after_first
    assert third.updated == {"people": 1, "memberships": 2}
    wang = Person.objects.get(name="王一")
    assert wang.post == "党委书记、局长" and wang.version == 2
    assert wang.memberships.get().end_date == dt.date(2025, 12, 31)
    zhao = Person.objects.get(name="赵三")
    assert zhao.post == "办公室主任" and zhao.rank_order == 9  # empty cells keep stored values
    assert zhao.memberships.get().role == "liaison"


def test_person_without_phone_is_matched_by_name_and_gets_the_phone(world):
    secretary = world.users["secretary"]
    imports.roster_import(
        actor=secretary, data=roster_file([roster_row("钱七", phone="")]), filename="a.xlsx"
    )
    result = imports.roster_import(
        actor=secretary,
        data=roster_file([roster_row("钱七", phone="13911119999")]),
        filename="b.xlsx",
    )
    assert result.ok and result.created["people"] == 0
    assert Person.objects.get(name="钱七").phone == "13911119999"


def test_ambiguous_name_without_phone_is_a_row_error(world):
    own = world.units["own"]
    for phone in ("13911110008", "13911110009"):
        Person.objects.create(unit=own, name="孙八", gender="男", phone=phone)
    result = imports.roster_import(
        actor=world.users["secretary"],
        data=roster_file([roster_row("孙八", phone="")]),
        filename="a.xlsx",
    )
    assert [str(e) for e in result.errors] == [
        "第2行 手机号：本单位有2名叫“孙八”的人员，请填写手机号以区分"
    ]


def test_existing_person_is_matched_by_name_and_phone(world):
    person = world.people["own"]  # 成员own, 13800000001, member since a year ago
    m = world.memberships["own"]
    row = roster_row(person.name, phone=person.phone, role="副组长", start=m.start_date)
    result = imports.roster_import(
        actor=world.users["secretary"], data=roster_file([row]), filename="a.xlsx"
    )
    assert result.ok
    assert result.created == {"people": 0, "memberships": 0}
    m.refresh_from_db()
    assert (m.role, m.role_rank, m.version) == ("deputy", 1, 2)


def test_overlapping_memberships_are_row_errors(world):
    person = world.people["own"]  # open membership since a year ago
    rows = [
        roster_row(person.name, phone=person.phone, start=dt.date.today()),  # overlaps stored
        roster_row("周九", start="2024-01-01", end="2024-12-31"),
        roster_row("周九", start="2024-06-01"),  # overlaps row 3
        roster_row("周九", start="2025-01-01"),  # overlaps row 4 (open-ended)
        roster_row("吴十", start="2024-01-01", end="2024-06-30"),
        roster_row("吴十", start="2024-07-01"),  # no overlap
    ]
    result = imports.roster_import(
        actor=world.users["secretary"], data=roster_file(rows), filename="a.xlsx"
    )
    rows_with_errors = sorted({e.row for e in result.errors})
    assert rows_with_errors == [2, 4, 5]
    assert "在该时段已是本中心组成员" in result.errors[0].message


def test_duplicate_row_in_file_is_an_error(world):
    result = imports.roster_import(
        actor=world.users["secretary"],
        data=roster_file([roster_row(), roster_row()]),
        filename="a.xlsx",
    )
    assert [str(e) for e in result.errors] == [
        "第3行 起始日期：与第2行重复（同一人员、同一起始日期）"
    ]


@pytest.mark.parametrize(
    "role, code, allowed",
    [
        ("secretary", "A", True),
        ("secretary", "A1", False),  # child unit: not the secretary's group
        ("secretary", "B", False),
        ("supervisor", "A1", True),
        ("supervisor", "R", False),  # parent
        ("supervisor", "B", False),  # sibling
        ("supervisor", "X", False),  # unrelated
        ("supervisor", "NOPE", False),  # does not exist
    ],
)
def test_roster_scope(world, role, code, allowed):
    before = _counts()
    client = world.login(Client(), role)
    response = _post(client, "org:import_roster", roster_file([roster_row(code=code)]))
    text = response.content.decode()
    if allowed:
        assert response.status_code == 200 and "导入成功" in text
    else:
        assert response.status_code == 422
        assert f"第2行 单位编码：{code}不存在或不在您的管理范围内" in [
            str(e) for e in response.context["result"].errors
        ]
        assert _counts() == before


def test_names_with_direction_overrides_or_line_breaks_are_refused(world):
    """The same name rule as the forms and the API: an import cannot smuggle in a name
    that displays as something else."""
    client = world.login(Client(), "secretary")
    rows = [*GOOD]
    rows[1] = roster_row("\u202e李二", rank=2, phone="")  # Excel row 3
    before = _counts()
    text = _post(client, "org:import_roster", roster_file(rows)).content.decode()
    assert "第3行" in text and "名称不能包含文字方向控制字符" in text
    assert _counts() == before
    supervisor = world.login(Client(), "supervisor")
    response = _post(supervisor, "org:import_units", units_file([unit_row("A8", "\u200b\u200b")]))
    assert "名称不能只由空白或不可见字符组成" in response.content.decode()
    assert not Unit.objects.filter(code__in=["A8"]).exists()


def test_inactive_unit_is_refused(world):
    Unit.objects.filter(pk=world.units["child"].pk).update(is_active=False)
    StudyGroup.objects.filter(pk=world.groups["child"].pk).update(is_active=False)
    result = imports.roster_import(
        actor=world.users["supervisor"],
        data=roster_file([roster_row(code="A1")]),
        filename="a.xlsx",
    )
    assert "已停用" in result.errors[0].message


def test_excel_dates_text_dates_and_numeric_phones(world):
    rows = [
        roster_row("一号", phone=13911110011, start=dt.datetime(2025, 3, 1)),
        roster_row("二号", phone="13911110012", start="2025/3/2", end="2025.12.31"),
        roster_row("三号", phone="13911110013", start=45658, end="2025-12-31 00:00:00"),
    ]
    result = imports.roster_import(
        actor=world.users["secretary"], data=roster_file(rows), filename="a.xlsx"
    )
    assert result.ok, [str(e) for e in result.errors]
    assert Person.objects.get(name="一号").phone == "13911110011"
    m = Membership.objects.get(person__name="二号")
    assert (m.start_date, m.end_date) == (dt.date(2025, 3, 2), dt.date(2025, 12, 31))
    m = Membership.objects.get(person__name="三号")
    assert (m.start_date, m.end_date) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_columns_in_any_order_and_blank_rows_keep_excel_row_numbers(world):
    headers = list(reversed(imports.ROSTER_COLUMNS)) + ["备注"]
    rows = [
        list(reversed(roster_row("甲一"))) + ["x"],
        [None] * 10,
        list(reversed(roster_row("甲二", phone="bad"))) + [None],
    ]
    result = imports.roster_import(
        actor=world.users["secretary"], data=xlsx_bytes(headers, rows), filename="a.xlsx"
    )
    assert [e.row for e in result.errors] == [4]
    assert result.rows == 2


def test_wrong_headers_are_refused(world):
    data = xlsx_bytes(["单位", "名字"], [["A", "张三"]])
    client = world.login(Client(), "secretary")
    response = _post(client, "org:import_roster", data)
    assert response.status_code == 422
    assert "表头不符合模板，请下载最新模板" in response.content.decode()


def test_empty_sheet_is_refused(world):
    result = imports.roster_import(
        actor=world.users["secretary"], data=roster_file([]), filename="a.xlsx"
    )
    assert "没有数据行" in str(result.errors[0])


def test_missing_file_is_a_form_error(world):
    client = world.login(Client(), "secretary")
    response = client.post(reverse("org:import_roster"))
    assert response.status_code == 422
    assert "请选择要导入的Excel文件" in response.content.decode()


def test_group_param_preselects_the_group(world):
    client = world.login(Client(), "secretary")
    group = world.groups["own"]
    url = reverse("org:import_roster") + f"?group={group.pk}"
    page = client.get(url).content.decode()
    assert group.name in page and 'accept=".xlsx"' in page
    assert (
        client.get(
            reverse("org:import_roster") + f"?group={world.groups['sibling'].pk}"
        ).status_code
        == 404
    )
    response = _post(client, "org:import_roster", roster_file(GOOD), query=f"?group={group.pk}")
    assert reverse("org:group_detail", args=[group.pk]) in response.content.decode()


def test_import_home_links_to_imports_and_templates(world):
    page = world.login(Client(), "supervisor").get(reverse("org:import_home")).content.decode()
    for name in ("import_roster", "import_units", "roster_template", "units_template"):
        assert reverse(f"org:{name}") in page
    page = world.login(Client(), "secretary").get(reverse("org:import_home")).content.decode()
    assert reverse("org:import_units") not in page
    assert world.groups["own"].name in page


def test_ten_thousand_rows_run_in_a_bounded_number_of_queries(world):
    """No per-row queries: reads are a handful, writes are bulk batches. (Django caps a
    bulk INSERT on SQLite at 999 parameters, ~120 rows, hence the batch allowance.)"""
    rows = [roster_row(f"人员{i:05d}", phone=f"139{i:08d}", rank=i % 50) for i in range(10000)]
    data = roster_file(rows)
    with CaptureQueriesContext(connection) as ctx:
        result = imports.roster_import(
            actor=world.users["supervisor"], data=data, filename="big.xlsx"
        )
    assert result.ok and result.created == {"people": 10000, "memberships": 10000}
    sql = [q["sql"] for q in ctx.captured_queries]
    inserts = [s for s in sql if s.startswith("INSERT")]
    assert len(sql) - len(inserts) <= 50
    assert len(inserts) <= 2 * (10000 // 100) + 5

    with CaptureQueriesContext(connection) as ctx:
        again = imports.roster_import(
            actor=world.users["supervisor"], data=data, filename="big.xlsx"
        )
    assert again.ok and again.created == {"people": 0, "memberships": 0}
    assert len(ctx.captured_queries) <= 50


# --- units import ----------------------------------------------------------------------


def test_supervisor_imports_units_under_their_subtree(world):
    client = world.login(Client(), "supervisor")
    rows = [
        unit_row("A2", "市第二中学党委", parent="A", order=20),
        unit_row("A21", "市第二中学党总支", kind="党总支", parent="A2"),
    ]
    response = _post(client, "org:import_units", units_file(rows), "单位.xlsx")
    assert response.status_code == 200, response.content.decode()
    a2 = Unit.objects.get(code="A2")
    assert Unit.objects.get_parent(a2) == world.units["own"] and a2.order == 20
    assert Unit.objects.get_parent(Unit.objects.get(code="A21")) == a2
    assert StudyGroup.objects.get(unit=a2).name == "市第二中学党委理论学习中心组"
    entry = AuditEntry.objects.filter(action="import").latest("id")
    assert entry.detail["kind"] == "units" and entry.detail["created"]["units"] == 2


def test_units_reimport_updates_and_moves_without_duplicates(world):
    supervisor = world.users["supervisor"]
    rows = [
        unit_row("A2", "市第二中学党委", parent="A"),
        unit_row("A3", "市第三中学党委", parent="A"),
    ]
    assert imports.units_import(actor=supervisor, data=units_file(rows), filename="u.xlsx").ok
    count = Unit.objects.count()
    rows = [
        unit_row("A2", "市第二中学党委（新）", kind="党总支", parent="A", order=5),
        unit_row("A3", "市第三中学党委", parent="A2"),
    ]
    result = imports.units_import(actor=supervisor, data=units_file(rows), filename="u.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert Unit.objects.count() == count
    assert result.updated == {"units": 2}
    a2 = Unit.objects.get(code="A2")
    assert (a2.name, a2.kind, a2.order, a2.version) == ("市第二中学党委（新）", "党总支", 5, 2)
    assert Unit.objects.get_parent(Unit.objects.get(code="A3")) == a2
    # The new order puts A2 before A1 (order 100) among A's children.
    assert [u.code for u in Unit.objects.get_children(Unit.objects.get(code="A"))] == ["A2", "A1"]
    assert StudyGroup.objects.filter(unit__code__in=["A2", "A3"]).count() == 2


def test_blank_parent_keeps_an_existing_unit_in_place(world):
    rows = [unit_row("A1", "市第一中学党委（改）", parent="")]
    result = imports.units_import(
        actor=world.users["supervisor"], data=units_file(rows), filename="u.xlsx"
    )
    assert result.ok
    child = Unit.objects.get(code="A1")
    assert (
        child.name == "市第一中学党委（改）"
        and Unit.objects.get_parent(child) == world.units["own"]
    )


def test_an_unchanged_parent_outside_the_scope_is_accepted(world):
    rows = [unit_row("A", "市教育局党委（改）", parent="R")]
    result = imports.units_import(
        actor=world.users["supervisor"], data=units_file(rows), filename="u.xlsx"
    )
    assert result.ok, [str(e) for e in result.errors]
    assert Unit.objects.get(code="A").name == "市教育局党委（改）"


def test_moving_a_unit_under_its_own_child_is_refused(world):
    Unit.objects.add_child(
        Unit.objects.get(code="A1"), {"code": "A11", "name": "x", "kind": "党支部"}
    )
    rows = [unit_row("A1", "市第一中学党委", parent="A11")]
    result = imports.units_import(
        actor=world.users["supervisor"], data=units_file(rows), filename="u.xlsx"
    )
    assert "循环" in str(result.errors[0])


def test_moves_are_ordered_so_a_swap_of_levels_works(world):
    supervisor = world.users["supervisor"]
    imports.units_import(
        actor=supervisor, data=units_file([unit_row("A11", "x", parent="A1")]), filename="u.xlsx"
    )
    # A1 becomes the child of its former child A11, which moves up under A.
    rows = [unit_row("A1", "市第一中学党委", parent="A11"), unit_row("A11", "x", parent="A")]
    result = imports.units_import(actor=supervisor, data=units_file(rows), filename="u.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert Unit.objects.get_parent(Unit.objects.get(code="A1")).code == "A11"
    assert Unit.objects.get_parent(Unit.objects.get(code="A11")).code == "A"


@pytest.mark.parametrize(
    "row, column, message",
    [
        (
            unit_row("B", "市卫健委党组（改）", parent="R"),
            "单位编码",
            "B不存在或不在您的管理范围内",
        ),
        (unit_row("B9", "新单位", parent="B"), "上级单位编码", "B不存在或不在您的管理范围内"),
        (unit_row("N1", "新单位", parent="NOPE"), "上级单位编码", "NOPE不存在或不在您的管理范围内"),
        (unit_row("A", "市教育局党委", parent="B"), "上级单位编码", "B不存在或不在您的管理范围内"),
        (unit_row("N2", "新单位", parent=""), "上级单位编码", "请填写上级单位编码"),
        (unit_row("N3", "新单位", kind="委员会"), "类型", "单位类型不正确"),
        (unit_row("N 4", "新单位"), "单位编码", "单位编码只能包含字母"),
        (unit_row("N5", "新单位", order=-1), "排序", "排序应为0至99999之间的整数"),
    ],
)
def test_unit_row_errors(world, row, column, message):
    before = _counts()
    result = imports.units_import(
        actor=world.users["supervisor"], data=units_file([row]), filename="u.xlsx"
    )
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (2, column) and message in error.message
    assert _counts() == before


def test_sys_admin_may_create_a_root_and_import_anywhere(world):
    rows = [
        unit_row("ROOT2", "某市委组织部", kind="部门", parent=""),
        unit_row("B1", "市卫健委机关党委", parent="B"),
    ]
    result = imports.units_import(
        actor=world.users["sys_admin"], data=units_file(rows), filename="u.xlsx"
    )
    assert result.ok
    assert Unit.objects.get(code="ROOT2").is_root()
    assert Unit.objects.get_parent(Unit.objects.get(code="B1")) == world.units["sibling"]


def test_unit_export_reimports_unchanged(world):
    client = world.login(Client(), "supervisor")
    exported = client.get(reverse("org:unit_export")).content
    result = imports.units_import(
        actor=world.users["supervisor"], data=exported, filename="单位列表.xlsx"
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == {"units": 0, "groups": 0} and result.updated == {"units": 0}


def test_roster_import_sets_post_category_from_the_list(world):
    rows = [
        roster_row("甲一", post="组织部部长", category="党群部门负责人"),
        roster_row("甲二", phone="13911113333", category="组织委员"),
    ]
    result = imports.roster_import(
        actor=world.users["secretary"], data=roster_file(rows), filename="a.xlsx"
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "职务类别")]
    result = imports.roster_import(
        actor=world.users["secretary"], data=roster_file(rows[:1]), filename="a.xlsx"
    )
    assert not result.errors
    assert Person.objects.get(name="甲一").post_category == "party_affairs_head"
