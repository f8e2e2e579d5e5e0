"""The secretary builds last year's archive volume (学习档案专卷): starts the job from the
group's archive page, follows its progress page to the end, opens the result and downloads
the .zip, whose first entry is the catalogue."""

import io
import zipfile

from playwright.sync_api import expect

from zhongxinzu.archive.models import ArchiveVolume
from zhongxinzu.archive.tests.conftest import last_year, roll, session
from zhongxinzu.jobs.models import Job
from zhongxinzu.jobs.testing import run_worker
from zhongxinzu.plans.models import YearPlan


def test_secretary_builds_follows_and_downloads_the_volume(
    world, page, login, url, shots, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    group, year = world.groups["own"], last_year()
    YearPlan.objects.create(group=group, year=year, title=f"{year}年度学习计划", status="filed")
    held = session(group, year, 4, title="学习党的二十届四中全会精神")
    roll(held, group)
    session(group, year, 7, kind="discussion", title="专题研讨：作风建设", status="held")
    page = login(page, "secretary")
    page.goto(url("archive:group", group.pk) + f"?year={year}")
    expect(page.locator("#register-sign_in")).to_contain_text("不全")
    expect(page.locator("#register-self_study")).to_contain_text("无记录")
    shots(page, "archive-page")
    page.get_by_role("button", name=f"生成{year}年度学习档案专卷").click()
    page.wait_for_load_state()
    expect(page.locator("#job-status")).to_have_text("排队中")
    shots(page, "queued")
    run_worker()  # the worker of make run, in this process
    job = Job.objects.get(kind="archive.build")
    assert job.status == Job.Status.DONE, job.error
    expect(page.locator("#job-status")).to_have_text("已完成")  # updated by polling
    expect(page.locator("#job-result")).to_contain_text("学习档案专卷第1版")
    shots(page, "done")
    page.locator("#job-result-link").click()
    page.wait_for_load_state()
    expect(page.locator("#catalogue")).to_contain_text("学习记录：学习党的二十届四中全会精神")
    shots(page, "volume")
    with page.expect_download() as info:
        page.locator("a.download-zip").first.click()
    download = info.value
    assert download.suggested_filename.endswith("（第1版）.zip")
    with open(download.path(), "rb") as f:
        names = zipfile.ZipFile(io.BytesIO(f.read())).namelist()
    volume = ArchiveVolume.objects.get()
    assert names[:2] == ["00_卷内目录.docx", "00_卷内目录.xlsx"]
    assert names[2:] == [n for row in volume.catalogue for n in row["files"]]
