"""The three registers (三簿) against a recount by hand-written SQL, the compliance check
"archive", the stored snapshots' codes, and the pages' scope and counts."""

from __future__ import annotations

import datetime as dt
import importlib

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.archive import selectors
from zhongxinzu.compliance.archive_checks import register_counts
from zhongxinzu.compliance.engine import CHECKS, Period, evaluate_group
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.tests.helpers import add_groups


def _sql_counts(group_id: int, year: int) -> tuple[int, int, int, int, int, int]:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    with connection.cursor() as c:
        c.execute(
            """
            SELECT COUNT(*),
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM meetings_attendance a
                                         WHERE a.session_id = s.id) THEN 1 ELSE 0 END),
                   SUM(CASE WHEN s.kind IN ('discussion', 'topical') THEN 1 ELSE 0 END),
                   SUM(CASE WHEN s.kind IN ('discussion', 'topical') AND s.status = 'recorded'
                             AND s.minutes <> '' THEN 1 ELSE 0 END)
            FROM meetings_studysession s
            WHERE s.group_id = %s AND s.status IN ('held', 'recorded')
              AND s.starts_at >= %s AND s.starts_at < %s
            """,
            [group_id, start, end],
        )
        held, signed, disc, minuted = (v or 0 for v in c.fetchone())
        c.execute(
            """
            SELECT COUNT(DISTINCT m.person_id),
                   COUNT(DISTINCT CASE WHEN EXISTS (
                       SELECT 1 FROM outputs_output o
                       WHERE o.group_id = m.group_id AND o.author_id = m.person_id
                         AND o.kind = 'notes' AND o.status <> 'draft' AND o.year = %s)
                   THEN m.person_id END)
            FROM org_membership m
            WHERE m.group_id = %s AND m.role IN ('leader', 'deputy', 'member')
              AND m.start_date <= %s AND (m.end_date IS NULL OR m.end_date >= %s)
            """,
            [year, group_id, dt.date(year, 12, 31), dt.date(year, 1, 1)],
        )
        members, noted = c.fetchone()
    return held, signed, disc, minuted, members, noted


def test_register_counts_equal_a_recount_by_sql(world, year_records):
    y = year_records
    c = register_counts([y.group.pk], Period.year(y.year), timezone.localdate())[y.group.pk]
    got = (c.held, c.signed, c.discussions, c.minuted, c.members, c.noted)
    assert got == _sql_counts(y.group.pk, y.year) == (3, 2, 2, 1, 3, 1)
    assert (c.sign_in, c.discussion, c.self_study) == ("incomplete",) * 3
    assert not c.complete


def test_the_group_page_links_every_missing_record(world, client, year_records):
    y = year_records
    world.login(client, "secretary")
    html = client.get(reverse("archive:group", args=[y.group.pk]), {"year": y.year}).content
    html = html.decode()
    unsigned = y.sessions[2]
    assert reverse("meetings:session_detail", args=[unsigned.pk]) in html
    member = world.users["member"].person
    assert reverse("org:person_detail", args=[member.pk]) in html
    assert "三簿不全" in html
    status = selectors.archive_status(y.group, y.year)
    sign_in, discussion, notes = status.registers
    assert [m["label"][11:] for m in sign_in.missing] == ["专题研讨：作风建设"]
    assert [m["label"][11:] for m in discussion.missing] == ["专题研讨：作风建设"]
    assert sorted(m["label"] for m in notes.missing) == sorted(["member人", "成员own"])


def test_no_study_notes_at_all_shows_no_record(world, year_records):
    Output.objects.filter(kind="notes").delete()
    status = selectors.archive_status(year_records.group, year_records.year)
    assert status.registers[2].status_label == "无记录"


def test_archive_is_a_compliance_check(world, year_records):
    y = year_records
    r = evaluate_group(y.group, Period.year(y.year))
    check = r.checks["archive"]
    assert check.status == "missed"  # last year is over and the registers have gaps
    assert check.detail.startswith("签到簿不全（已举行3次，已签到2次）")
    assert check.value == 1 + 1 + 2
    keys = [c.key for c in CHECKS]
    assert len(r.codes) == len(CHECKS) and r.codes[keys.index("archive")] == "r"


def test_complete_registers_meet_the_check(world, year_records):
    from zhongxinzu.archive.tests.conftest import roll
    from zhongxinzu.org.models import Membership

    y = year_records
    s3 = y.sessions[2]
    roll(s3, y.group)
    s3.status, s3.minutes = "recorded", "会议纪要。"
    s3.save()
    now = timezone.now()
    for m in Membership.objects.filter(group=y.group, role__in=["leader", "member"]):
        Output.objects.create(
            group=y.group,
            author=m.person,
            kind="notes",
            title="笔记",
            year=y.year,
            submitted_at=now,
        )
    assert evaluate_group(y.group, Period.year(y.year)).checks["archive"].status == "met"
    assert selectors.archive_status(y.group, y.year).complete


def test_stored_snapshots_gain_the_archive_letter(world, year_records):
    from django.apps import apps

    y = year_records
    keys = [c.key for c in CHECKS]
    old = {k: "met" for k in keys if k != "archive"}
    snap = GroupCompliance.objects.create(
        group=y.group,
        year=y.year,
        worst="met",
        statuses=old,
        codes="g" * (len(keys) - 1),
        as_of=timezone.localdate(),
        computed_at=timezone.now(),
    )
    migration = importlib.import_module("zhongxinzu.archive.migrations.0002_snapshot_codes")
    migration.add_archive(apps, None)
    snap.refresh_from_db()
    assert snap.statuses["archive"] == "missed"
    assert (snap.worst, snap.missed) == ("missed", 1)
    assert len(snap.codes) == len(CHECKS) and snap.codes[keys.index("archive")] == "r"


def test_supervisor_overview_counts_equal_rows_and_stay_in_the_subtree(world, client, year_records):
    world.login(client, "supervisor")
    r = client.get(reverse("archive:overview"), {"year": year_records.year})
    html = r.content.decode()
    ctx = r.context
    names = [g.name for g, _ in ctx["rows"]]
    assert sorted(names) == sorted([world.groups["own"].name, world.groups["child"].name])
    assert world.groups["sibling"].name not in html
    totals = ctx["totals"]
    assert totals["all"] == len(names) == totals["complete"] + totals["incomplete"]
    incomplete = client.get(
        reverse("archive:overview"), {"year": year_records.year, "status": "incomplete"}
    ).context
    assert len(incomplete["rows"]) == totals["incomplete"]


def test_member_and_outsiders_cannot_read_the_archive(world, client, year_records):
    world.login(client, "member")
    assert client.get(reverse("archive:group", args=[year_records.group.pk])).status_code == 403
    world.login(client, "secretary")
    sibling = world.groups["sibling"]
    assert client.get(reverse("archive:group", args=[sibling.pk])).status_code == 404
    assert client.get(reverse("archive:overview")).status_code == 403


def test_overview_query_count_does_not_grow_with_groups(world, client):
    from django.test.utils import CaptureQueriesContext

    world.login(client, "supervisor")
    url = reverse("archive:overview")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add_groups(world.units["own"], 3)
    with CaptureQueriesContext(connection) as more:
        r = client.get(url)
    assert len(r.context["rows"]) == 5
    assert len(one.captured_queries) == len(more.captured_queries)
