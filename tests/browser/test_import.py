"""The secretary's roster import in a real browser: one bad row → the row's error and no change;
the fixed file → the new members on the roster."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from zhongxinzu.org.imports import roster_template
from zhongxinzu.org.models import Membership, Person

pytestmark = pytest.mark.browser

NEW_PEOPLE = [
    # name, gender, post, rank, phone, role
    ("王建国", "男", "副局长", 3, "13911112222", "副组长"),
    ("李秀英", "女", "组织人事处处长", 8, "13933334444", "成员"),
]


def _roster_file(path, code: str, *, bad_gender: bool):
    """A roster sheet with the template's own header row: the first new person, then the
    second one — with an impossible gender when `bad_gender`."""
    template = load_workbook(io.BytesIO(roster_template()))
    headers = [cell.value for cell in next(template.worksheets[0].iter_rows(max_row=1))]
    wb = Workbook()
    ws = wb.active
    ws.title = "导入数据"
    ws.append(headers)
    for i, (name, gender, post, rank, phone, role) in enumerate(NEW_PEOPLE):
        values = {
            "单位编码": code,
            "姓名": name,
            "性别": "未知" if bad_gender and i else gender,
            "职务": post,
            "职务类别": "",
            "排序号": rank,
            "手机号": phone,
            "组内角色": role,
            "起始日期": "2026-01-01",
            "结束日期": None,
        }
        ws.append([values[h] for h in headers])
    wb.save(path)
    return path


def _roster_names(page) -> list[str]:
    return page.locator("#roster tbody td[data-label=姓名]").all_inner_texts()


def test_secretary_imports_a_roster_after_fixing_the_bad_row(
    page, login, url, world, shots, tmp_path
):
    group, unit = world.groups["own"], world.units["own"]
    login(page, "secretary")
    page.goto(url("org:group_detail", group.pk))
    assert page.locator("h1").inner_text() == group.name
    before = _roster_names(page)
    assert len(before) == 4
    people_before, memberships_before = Person.objects.count(), Membership.objects.count()

    page.get_by_role("link", name="从Excel导入名册").click()
    assert page.locator("h1").inner_text() == "导入中心组名册"
    shots(page, "import-page")

    # One bad row (Excel row 3): the error names the row and the column; nothing is written.
    bad = _roster_file(tmp_path / "名册-有错.xlsx", unit.code, bad_gender=True)
    page.locator("input[name=file]").set_input_files(bad)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="上传并导入").click()
    assert posted.value.status == 422
    assert "未导入任何数据" in page.locator("#import-errors").inner_text()
    error_rows = page.locator("#import-error-table tbody tr")
    assert error_rows.count() == 1
    assert error_rows.first.locator("td[data-label=行号]").inner_text() == "第3行"
    assert error_rows.first.locator("td[data-label=列]").inner_text() == "性别"
    shots(page, "row-error")
    assert (Person.objects.count(), Membership.objects.count()) == (
        people_before,
        memberships_before,
    )

    page.locator(".breadcrumb").get_by_role("link", name=group.name).click()
    assert _roster_names(page) == before
    shots(page, "roster-unchanged")

    # The fixed file goes in whole, and the roster shows both new members.
    page.get_by_role("link", name="从Excel导入名册").click()
    good = _roster_file(tmp_path / "名册-已改正.xlsx", unit.code, bad_gender=False)
    page.locator("input[name=file]").set_input_files(good)
    page.get_by_role("button", name="上传并导入").click()
    assert "导入成功" in page.locator("#import-result").inner_text()
    shots(page, "import-ok")

    page.locator("#import-result").get_by_role("link", name=group.name).click()
    after = _roster_names(page)
    assert len(after) == 6
    assert {"王建国", "李秀英"} <= set(after)
    # Official order: the new 副组长 right after the 组长.
    assert after.index("王建国") == 1
    shots(page, "roster-with-new-members")
