"""A background job seen from a phone: the supervisor starts the full recount, the progress
page polls its status (static script, no reload) and shows the result once the worker ran."""

from playwright.sync_api import expect

from zhongxinzu.jobs.models import Job
from zhongxinzu.jobs.testing import run_worker


def test_supervisor_follows_a_job_to_its_end_without_reloading(phone_page, login, url, shots):
    page = login(phone_page, "supervisor")
    page.goto(url("jobs:list"))
    shots(page, "job-list")
    page.get_by_role("button", name="全部重算规则落实情况").click()
    page.wait_for_load_state()
    expect(page.locator("#job-status")).to_have_text("排队中")
    shots(page, "queued")
    job = Job.objects.get()
    run_worker()  # the worker of make run, in this process
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    expect(page.locator("#job-status")).to_have_text("已完成")  # updated by polling
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    expect(page.locator("#job-result")).to_contain_text("已刷新")
    expect(page.locator("#job-result-link")).to_be_visible()
    shots(page, "done")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
