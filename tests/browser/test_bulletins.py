"""学情通报 in the browser: the supervisor drafts the year's bulletin (followed through its
job), edits a section, issues it; the group's secretary acknowledges it on a phone."""

from playwright.sync_api import expect

from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient
from zhongxinzu.bulletins.tests.helpers import YEAR, study_year
from zhongxinzu.jobs.testing import run_worker


def _accept_next_confirm(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def test_supervisor_drafts_edits_and_issues_and_the_secretary_acknowledges(
    world, page, phone_page, login, url, shots
):
    study_year(world)
    page = login(page, "supervisor")
    page.goto(url("bulletins:list"))
    page.get_by_role("link", name="起草通报").click()
    page.get_by_label("年度").fill(str(YEAR))
    shots(page, "new")
    page.get_by_role("button", name="生成通报草稿").click()
    page.wait_for_load_state()
    run_worker()
    expect(page.locator("#job-status")).to_have_text("已完成")
    page.locator("#job-result-link").click()
    page.wait_for_load_state()
    expect(page.locator("#section-overview")).to_contain_text("共开展集体学习20次")
    expect(page.locator("#figures")).to_contain_text("学习次数")
    shots(page, "draft")
    page.get_by_role("link", name="修改四、工作要求").click()
    page.get_by_label("正文").fill("（一）对照通报逐项整改。各单位要在一个月内报送整改情况。")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#section-requirements")).to_contain_text("对照通报逐项整改")
    _accept_next_confirm(page)
    page.locator("#issue-form button").click()
    page.wait_for_load_state()
    bulletin = Bulletin.objects.get()
    assert bulletin.status == "issued"
    expect(page.locator("#doc-number")).to_have_text(bulletin.doc_number)
    expect(page.locator("#ack-summary")).to_contain_text("共发送 4 个中心组")
    shots(page, "issued")

    phone = login(phone_page, "secretary")
    phone.goto(url("bulletins:list"))
    expect(phone.locator("#bulletins")).to_contain_text("本单位未签收")
    phone.get_by_role("link", name=bulletin.title).click()
    phone.get_by_role("button", name="签收").click()
    phone.wait_for_load_state()
    expect(phone.locator("#receipts")).to_contain_text("已于")
    shots(phone, "acknowledged")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    receipt = BulletinRecipient.objects.get(bulletin=bulletin, group=world.groups["own"])
    assert receipt.acknowledged_by == world.users["secretary"]
