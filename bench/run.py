"""The benchmark: `make bench` (`python -m bench.run`).

Builds the 5,000-group province and its three years of study activity with `gen_scale` in
its own SQLite file (bench/data/bench.sqlite3; gen_scale runs only the steps the file does
not hold yet, so an existing province gains the newer steps and a complete one is reused),
then measures in process, through Django's test client and the whole middleware stack with
DEBUG=0:

- the root supervisor's unit list, a group roster page, the person list,
- the API people list for the root supervisor (when the API provides it),
- importing a 10,000-row roster file (inside a transaction that is rolled back),
- the root's compliance overview, a group's compliance page and its annual report (.docx),
- a member's QR sign-in (POST) to a session open now (made for the run and rolled back),
- visit plan proposals for 115 groups with 24 teams and for the whole province with its
  200 teams, the assessment computation for every group and the ranking page (see
  bench/supervision.py; the writes in transactions that are rolled back),

each as the median and p90 of repeated runs after warm-ups, with the query count of one
more run, and writes BENCHMARKS.md. BENCH_DATABASE_URL measures another database instead
(e.g. a PostgreSQL one); BENCH_GROUPS and BENCH_RUNS change the size and the repeats.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import platform
import random
import re
import sys
import time
import traceback
import warnings
from pathlib import Path

from bench.archive import measure_archive
from bench.bulletins import measure_bulletins
from bench.measure import RUNS, WARMUPS, Result, client_for, measure_get, timed
from bench.statistics import measure_statistics
from bench.supervision import PLAN_RUNS, SUBTREE_RUNS, measure_supervision

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
DB_FILE = DATA / "bench.sqlite3"
BUILD_INFO = DATA / "builds.json"  # database URL -> how and when gen_scale built it
REPORT = ROOT / "BENCHMARKS.md"
GROUPS = int(os.environ.get("BENCH_GROUPS", "5000"))
SEED = 2026
IMPORT_ROWS = 10_000
IMPORT_RUNS = 3


def configure() -> None:
    """Production settings (DEBUG=0) on the benchmark's own database, before Django starts."""
    DATA.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{DB_FILE}")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    # A fixed key for the province's phone numbers (production takes it from the environment).
    os.environ.setdefault("PHONE_ENCRYPTION_KEY", "YmVuY2gtb25seS1waG9uZS1rZXktMDEyMzQ1Njc4OWE=")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhongxinzu.settings"
    os.environ["DEBUG"] = "0"
    os.environ["DEMO_MODE"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    # The test client speaks plain HTTP.
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    # whitenoise warns that collectstatic has not run; the pages measured need no files.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


# --- dataset ---------------------------------------------------------------------------


class _Tee:
    """Write to the terminal and keep a copy (to read gen_scale's step timings)."""

    def __init__(self, *outs):
        self.outs = outs

    def write(self, text: str) -> None:
        for out in self.outs:
            out.write(text)

    def flush(self) -> None:
        for out in self.outs:
            out.flush()


def ensure_dataset() -> dict:
    """Migrate, then let gen_scale build what the database lacks; returns the build record:
    {"groups", "seed", "runs": [{"built_at", "seconds", "steps": {name: seconds}}], …}."""
    from django.core.management import call_command

    url = os.environ["DATABASE_URL"]
    builds = json.loads(BUILD_INFO.read_text()) if BUILD_INFO.exists() else {}
    record = builds.get(url, {})
    call_command("migrate", verbosity=0, interactive=False)
    print(f"gen_scale --groups {GROUPS} --seed {SEED} (only the steps not built yet) …")
    copy = io.StringIO()
    started = time.perf_counter()
    call_command("gen_scale", groups=GROUPS, seed=SEED, stdout=_Tee(sys.stdout, copy))
    seconds = round(time.perf_counter() - started, 1)
    text = copy.getvalue()
    if "未做任何改动" in text:
        return {**record, "reused": True}
    runs = record.get("runs") or []
    if not runs and "seconds" in record:  # a record from before runs were kept: org only
        runs = [{"built_at": record["built_at"], "seconds": record["seconds"], "steps": {}}]
    steps = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^  (\w+)\s+([\d.]+) s", text, flags=re.MULTILINE)
    }
    runs.append(
        {
            "built_at": dt.datetime.now().isoformat(timespec="minutes"),
            "seconds": seconds,
            "steps": steps,
        }
    )
    info = {
        "groups": record.get("groups", GROUPS),
        "seed": record.get("seed", SEED),
        "runs": runs,
        "seconds": round(sum(r["seconds"] for r in runs), 1),
        "built_at": runs[0]["built_at"],
    }
    BUILD_INFO.write_text(json.dumps({**builds, url: info}, indent=1))
    return {**info, "reused": False}


def dataset_counts() -> dict:
    from django.db.models import Max, Min
    from django.utils import timezone

    from zhongxinzu.meetings.models import Attendance, MakeUp, StudySession
    from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
    from zhongxinzu.outputs.models import Output
    from zhongxinzu.supervision.models import (
        Expert,
        ObservationTeam,
        ObservationVisit,
        Problem,
        ScoreSheet,
    )

    span = StudySession.objects.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    return {
        "experts": Expert.objects.count(),
        "teams": ObservationTeam.objects.count(),
        "visits": ObservationVisit.objects.count(),
        "sheets": ScoreSheet.objects.count(),
        "problems": Problem.objects.count(),
        "units": Unit.objects.count(),
        "groups": StudyGroup.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "sessions": StudySession.objects.count(),
        "attendance": Attendance.objects.count(),
        "makeups": MakeUp.objects.count(),
        "outputs": Output.objects.count(),
        "first": timezone.localtime(span["first"]).date() if span["first"] else None,
        "last": timezone.localtime(span["last"]).date() if span["last"] else None,
    }


def bench_users():
    """The province's supervisor and one secretary, with their passwords fresh enough for
    the session policy (a reused database may be older than the password expiry)."""
    from django.utils import timezone

    from zhongxinzu.accounts.models import User
    from zhongxinzu.org.scale import SECRETARY_USERNAME, SUPERVISOR_USERNAME

    names = [SUPERVISOR_USERNAME, SECRETARY_USERNAME]
    User.objects.filter(username__in=names).update(password_changed_at=timezone.now())
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return users[SUPERVISOR_USERNAME], users[SECRETARY_USERNAME]


def roster_groups(secretary):
    """A large group deep in the tree (seen by the supervisor) and the secretary's own."""
    from django.db.models import Count, Q

    from zhongxinzu.org.models import StudyGroup

    deepest = StudyGroup.objects.order_by("-unit__depth").values_list("unit__depth", flat=True)[0]
    large = (
        StudyGroup.objects.filter(unit__depth=deepest)
        .annotate(n=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .order_by("-n", "unit__path")
        .first()
    )
    own = StudyGroup.objects.get(
        memberships__person=secretary.person_id, memberships__role="secretary"
    )
    return large, own


# --- measuring -------------------------------------------------------------------------


def measure_pages(supervisor, secretary) -> list[Result]:
    from zhongxinzu.org.models import Unit

    large, own = roster_groups(secretary)
    sup, sec = client_for(supervisor), client_for(secretary)
    pages = math.ceil(Unit.objects.filter(is_active=True).count() / 50)
    results = [
        measure_get(Result("Unit list, root supervisor, page 1 (/org/units/)"), sup, "/org/units/"),
        measure_get(
            Result(f"Unit list, root supervisor, last page (?page={pages})"),
            sup,
            f"/org/units/?page={pages}",
        ),
        measure_get(
            Result(
                f"Group roster, supervisor ({large.memberships.count()} rows, "
                f"/org/groups/{large.pk}/)",
                target_ms=100,
            ),
            sup,
            f"/org/groups/{large.pk}/",
        ),
        measure_get(
            Result(f"Group roster, its secretary (/org/groups/{own.pk}/)", target_ms=100),
            sec,
            f"/org/groups/{own.pk}/",
        ),
        measure_get(
            Result("Person list, root supervisor, page 1 (/org/people/)"), sup, "/org/people/"
        ),
    ]
    results.append(measure_api(supervisor))
    return results


def measure_compliance(supervisor, secretary) -> list[Result]:
    """规则落实: the root's overview (page 1 of 50 groups, live; subtree totals from the
    snapshot that `refresh_compliance` keeps, refreshed here first if missing) for the year
    running (what the page opens on) and the last one, then one group's page and its annual
    report for the last year (a whole year of data)."""
    from django.urls import reverse
    from django.utils import timezone

    from zhongxinzu.compliance.models import GroupCompliance
    from zhongxinzu.compliance.services import snapshot_refresh

    this_year = timezone.localdate().year
    year = this_year - 1
    for y in (this_year, year):
        if not GroupCompliance.objects.filter(year=y).exists():
            started = time.perf_counter()
            done = snapshot_refresh(year=y)
            print(f"refresh_compliance {y}: {done} groups in {time.perf_counter() - started:.1f} s")
    large, _ = roster_groups(secretary)
    sup = client_for(supervisor)
    overview = reverse("compliance:overview")
    page = reverse("compliance:group_detail", args=[large.pk])
    report = reverse("compliance:report_docx", args=[large.pk])
    return [
        measure_get(
            Result(f"Compliance overview, root supervisor, {this_year} ({overview})", 300),
            sup,
            overview,
        ),
        measure_get(
            Result(f"Compliance overview, root supervisor, {year} ({overview}?year={year})", 300),
            sup,
            f"{overview}?year={year}",
        ),
        measure_get(
            Result(f"Group compliance page, {year} ({page}?year={year})", target_ms=100),
            sup,
            f"{page}?year={year}",
        ),
        measure_get(
            Result(f"Group annual report .docx, {year} ({report}?year={year})", target_ms=2000),
            sup,
            f"{report}?year={year}",
        ),
    ]


def measure_sign_in(secretary) -> Result:
    """签到: a member's POST of the QR code's URL (the token of the current 30 s slot) to a
    session of the secretary's group whose window is open now, committed as in production.
    The session is made for the run and deleted after it; the member's attendance row is
    deleted after each POST (untimed), so every POST is a first sign-in. What stays in the
    database: the member's account `bench_member` and the audit entries of the sign-ins."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from zhongxinzu.accounts.models import User
    from zhongxinzu.meetings.models import Attendance, StudySession
    from zhongxinzu.meetings.services import sign_in_token
    from zhongxinzu.org.access import active_memberships

    result = Result("", target_ms=50)
    _, group = roster_groups(secretary)
    now = timezone.now()
    member = (
        active_memberships(on=timezone.localdate())
        .filter(group=group, role="member")
        .select_related("person")
        .order_by("role_rank", "person__rank_order")
        .first()
    )
    user = User.objects.filter(username="bench_member").first()
    if user is None:
        user = User(username="bench_member", person=member.person)
        user.set_unusable_password()
    user.person, user.password_changed_at = member.person, now
    user.save()
    session = StudySession.objects.create(
        group=group,
        kind=StudySession.Kind.COLLECTIVE_STUDY,
        title="基准测试：扫码签到",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=3),
        place="机关三楼会议室",
    )
    client = client_for(user)

    result.name = (
        "QR sign-in, a member's POST "
        f"({reverse('meetings:sign_in', args=['TOKEN']).replace('TOKEN', '<token>')})"
    )

    def post(around=contextlib.nullcontext):
        url = reverse("meetings:sign_in", args=[sign_in_token(session_id=session.pk)])
        with around() as captured:
            response = client.post(url)
        mine = Attendance.objects.filter(session=session, person=member.person, method="qr")
        if response.status_code != 200 or mine.delete()[0] != 1:
            raise RuntimeError(f"POST {url} answered {response.status_code}, no sign-in")
        return captured

    try:
        for _ in range(WARMUPS):
            post()
        for _ in range(RUNS):
            post(lambda: timed(result))
        captured = post(lambda: CaptureQueriesContext(connection)).captured_queries
        result.queries = len(captured)
        slowest = max(captured, key=lambda q: float(q["time"]))
        result.slowest = f"{float(slowest['time']) * 1000:.0f} ms: {slowest['sql'][:300]}"
        result.note = (
            f"{member.person.name} of group {group.pk}, with the token of the current slot; "
            "every POST a first sign-in, committed"
        )
    except Exception as e:  # the harness reports a broken page instead of stopping
        traceback.print_exc()
        result.samples, result.cpu = [], []
        result.note = f"not measured: {e}"
    finally:
        session.delete()
    return result


def api_people_url() -> str | None:
    from django.urls import Resolver404, resolve

    for url in ("/api/people", "/api/people/"):
        try:
            resolve(url)
        except Resolver404:
            continue
        return url
    return None


def measure_api(supervisor) -> Result:
    """The API people list as the root supervisor: the browser session, else a token."""
    result = Result("API people list, root supervisor (GET /api/people)", target_ms=100)
    url = api_people_url()
    if url is None:
        result.note = "not measured: API missing (no route /api/people)"
        return result
    result.name = f"API people list, root supervisor (GET {url})"
    client = client_for(supervisor)
    headers = {}
    try:
        status = client.get(url).status_code
    except Exception as e:
        traceback.print_exc()
        result.note = f"not measured: {e}"
        return result
    if status in (401, 403):
        token = api_token(supervisor)
        if token is None:
            result.note = "not measured: the API refused the session and gave no token"
            return result
        client, headers = client_for_anonymous(), {"Authorization": f"Bearer {token}"}
        result.name += " with a bearer token"
    measure_get(result, client, url, headers)
    if result.samples:
        body = client.get(url, headers=headers).json()
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            total = body.get("count", "?")
            result.note = f"one page of {len(body['items'])} of {total} people"
    return result


def client_for_anonymous():
    from django.test import Client

    return Client()


def api_token(user) -> str | None:
    password = "Bench@" + "".join(random.choices("abcdefghjkmnpqrstuvwxyz23456789", k=16))
    user.set_password(password)
    user.save(update_fields=["password"])
    response = client_for_anonymous().post(
        "/api/auth/token",
        {"username": user.username, "password": password},
        content_type="application/json",
    )
    if response.status_code != 200:
        return None
    body = response.json()
    return body.get("token") or body.get("access_token")


# --- the import ------------------------------------------------------------------------

# Template header text → what the benchmark writes in that column.
COLUMNS = [
    (("单位编码", "单位代码", "组织编码", "编码"), "unit_code"),
    (("单位名称", "所在单位", "单位"), "unit_name"),
    (("中心组",), "group_name"),
    (("姓名",), "name"),
    (("性别",), "gender"),
    (("职务类别",), "post_category"),
    (("职务",), "post"),
    (("排序",), "rank_order"),
    (("手机", "电话"), "phone"),
    (("角色", "身份"), "role"),
    (("起始", "开始", "任职", "加入"), "start_date"),
    (("结束", "终止", "退出"), "end_date"),
    (("备注",), "note"),
]


def _template_sheet(template):
    from openpyxl import Workbook, load_workbook

    if hasattr(template, "content"):  # an HttpResponse
        template = template.content
    workbook = template if isinstance(template, Workbook) else load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows():
        if any(isinstance(c.value, str) and "姓名" in c.value for c in row):
            return workbook, sheet, row[0].row, [str(c.value or "") for c in row]
    raise RuntimeError("the roster template has no header row with 姓名")


def roster_file(rows: int) -> tuple[bytes, list[str]]:
    """A roster file in the import template's own columns: `rows` new members spread over
    every group of the province (two or so per group, as a yearly roster update)."""
    from zhongxinzu.org.imports import roster_template
    from zhongxinzu.org.models import Unit
    from zhongxinzu.org.scale import person_name

    workbook, sheet, header_row, headers = _template_sheet(roster_template())
    keys = []
    for header in headers:
        key = next((k for words, k in COLUMNS if any(w in header for w in words)), None)
        keys.append(key)
    unknown = [h for h, k in zip(headers, keys, strict=True) if h and k is None]
    if sheet.max_row > header_row:
        sheet.delete_rows(header_row + 1, sheet.max_row - header_row)
    units = list(Unit.objects.filter(is_active=True).order_by("path").values_list("code", "name"))
    rng = random.Random(SEED)
    taken: set[tuple[str, str]] = set()
    for i in range(rows):
        code, unit_name = units[i % len(units)]
        gender = "女" if rng.random() < 0.35 else "男"
        name = person_name(rng, gender)
        while (code, name) in taken:
            name = person_name(rng, gender)
        taken.add((code, name))
        values = {
            "unit_code": code,
            "unit_name": unit_name,
            "group_name": f"{unit_name}理论学习中心组",
            "name": name,
            "gender": gender,
            "post": "党委委员",
            "post_category": "",
            "rank_order": 50 + i // len(units),
            "phone": f"139{i:08d}",
            "role": "成员",
            "start_date": dt.date(2026, 1, 1),
            "end_date": None,
            "note": "",
        }
        sheet.append([values.get(k) if k else None for k in keys])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), unknown


def _import_problem(result_obj) -> str:
    """The import's own complaint, if its return value carries one."""
    errors = getattr(result_obj, "errors", None)
    if errors is None and isinstance(result_obj, dict):
        errors = result_obj.get("errors")
    if errors:
        return f"the import reported {len(errors)} errors, first: {list(errors)[:3]}"
    return ""


def measure_import(supervisor) -> list[Result]:
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from zhongxinzu.org.models import Membership, Person

    first = Result(f"Roster import, {IMPORT_ROWS:,} new rows (roster_import)", target_ms=15_000)
    again = Result("Roster re-import of the same file (nothing changes)")
    try:
        from zhongxinzu.org.imports import roster_import
    except ImportError as e:
        first.note = again.note = f"not measured: import missing ({e})"
        return [first, again]
    try:
        data, unknown = roster_file(IMPORT_ROWS)
    except Exception as e:
        traceback.print_exc()
        first.note = again.note = f"not measured: could not build the file from the template ({e})"
        return [first, again]
    size = f"{len(data) / 1024:.0f} KiB"
    notes = [f"file {size}"] + ([f"template columns left empty: {unknown}"] if unknown else [])

    def run_once(res: Result):
        with timed(res):
            outcome = roster_import(actor=supervisor, data=data, filename="bench_roster.xlsx")
        if problem := _import_problem(outcome):
            raise RuntimeError(problem)

    try:
        for n in range(IMPORT_RUNS):
            with transaction.atomic():  # each run starts from the same data: roll back
                people, members = Person.objects.count(), Membership.objects.count()
                run_once(first)
                added = (Person.objects.count() - people, Membership.objects.count() - members)
                if n == 0:
                    notes.append(f"first run added {added[0]:,} people, {added[1]:,} memberships")
                    run_once(again)
                    again_added = Person.objects.count() - people - added[0]
                    again.note = f"re-import added {again_added} people"
                transaction.set_rollback(True)
            print(f"  import run {n + 1}: {first.samples[-1] / 1000:.1f} s")
    except (ValidationError, RuntimeError) as e:
        traceback.print_exc()
        first.samples, again.samples, first.cpu, again.cpu = [], [], [], []
        first.note = f"not measured: the import rejected the file: {e}"[:400]
    first.note = "; ".join(notes + ([first.note] if first.note else []))
    return [first, again]


# --- the report ------------------------------------------------------------------------


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def machine() -> dict[str, str]:
    import sqlite3

    import django
    from django.db import connection

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    load = load_average()
    vendor = connection.vendor
    db = vendor
    if vendor == "sqlite":
        db = f"SQLite {sqlite3.sqlite_version} ({DB_FILE.relative_to(ROOT)}, WAL, synchronous=FULL)"
    elif vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            db = f"PostgreSQL {cur.fetchone()[0]}"
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores, {ram}",
        "load": f"{load:.2f}",
        "software": (
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"{platform.system()} {platform.release()}"
        ),
        "database": db,
    }


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def write_report(
    results: list[Result], info: dict, counts: dict, env: dict, started: dt.datetime
) -> str:
    met_label = {True: "yes", False: "**no**", None: "—"}
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit by hand. "
        "性能基准，由 `make bench` 生成。",
        "",
        f"- **Date:** {started:%Y-%m-%d %H:%M} (local time)",
        f"- **Machine:** {env['cpu']}; load average {env['load']} at the start, "
        f"{load_average():.2f} at the end"
        + (
            " (the machine was shared: wall times are noisy, compare the CPU column)"
            if max(float(env["load"]), load_average()) > (os.cpu_count() or 1) / 2
            else ""
        ),
        f"- **Software:** {env['software']}; {env['database']}",
        f"- **Dataset:** `gen_scale --groups {info.get('groups', GROUPS)} --seed "
        f"{info.get('seed', SEED)}`: {counts['units']:,} units with {counts['groups']:,} "
        f"study groups, {counts['people']:,} people, {counts['memberships']:,} memberships; "
        + (
            f"study activity from {counts['first']} to {counts['last']}: "
            f"{counts['sessions']:,} sessions, {counts['attendance']:,} attendance rows, "
            f"{counts['makeups']:,} make-ups, {counts['outputs']:,} outputs."
            if counts["sessions"]
            else "no study activity."
        )
        + (
            f" Supervision this year: {counts['experts']:,} experts, {counts['teams']:,} "
            f"observation teams, {counts['visits']:,} visits with {counts['sheets']:,} score "
            f"sheets, {counts['problems']:,} problems with their rectifications; the "
            "assessment of last year (published) and this year (computed)."
            if counts["visits"]
            else ""
        ),
        "- **gen_scale build time:** " + build_time(info),
        f"- **Method:** in-process through Django's test client and the full middleware "
        f"stack (DEBUG=0, database sessions saved on every request), {WARMUPS} warm-up "
        f"requests, then the median and p90 of {RUNS} runs; the query count is of one more "
        f"run. The import is timed {IMPORT_RUNS} times, each in a transaction that is "
        f"rolled back; the province-wide plan proposal and the assessment computation "
        f"{PLAN_RUNS} times and the 115-group proposal {SUBTREE_RUNS} times, likewise, "
        "after one untimed run (in its own rolled-back transaction) whose queries are "
        "counted. Times are server-side only (no network, no browser); CPU ms is the "
        "median CPU time of the benchmark process itself (Python and SQLite), which other "
        "load on the machine disturbs much less than the wall-clock time.",
        "",
        "| Measurement | Median ms | p90 ms | CPU ms | Queries | Target | Met? |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        target = f"≤ {_ms(r.target_ms)} ms" if r.target_ms else "(report only)"
        queries = "—" if r.queries is None else str(r.queries)
        lines.append(
            f"| {r.name} | {_ms(r.median)} | {_ms(r.p90)} | {_ms(r.cpu_median)} | {queries} "
            f"| {target} | "
            f"{met_label[r.met]} |"
        )
    lines += ["", "## Notes", ""]
    lines.append(
        "- Query counts independent of the data size are asserted at two sizes by "
        "`zhongxinzu/org/tests/test_query_counts.py` (unit list, roster, person list); "
        "the API list's by the API tests."
    )
    for r in results:
        if r.met is False:
            lines.append(
                f"- **Target not met — {r.name}:** median {_ms(r.median)} ms against "
                f"≤ {_ms(r.target_ms)} ms with {r.queries} queries; the slowest query "
                f"took {r.slowest or 'n/a'}"
                + (
                    f". Its CPU median ({_ms(r.cpu_median)} ms) is within the target: the "
                    "rest of the wall time was spent waiting for a CPU the other load held"
                    if r.cpu_median is not None and r.cpu_median <= r.target_ms
                    else ""
                )
            )
        if r.note:
            lines.append(f"- {r.name}: {r.note}")
        if r.target_ms is None and r.median is not None and r.slowest:
            lines.append(f"- {r.name}: slowest query {r.slowest}")
    lines.append("")
    text = "\n".join(lines)
    REPORT.write_text(text + kept_load_runs(), encoding="utf-8")
    return text


def kept_load_runs() -> str:
    """The "Load run" sections that `make bench-load` wrote (bench/load.py), kept as they are."""
    if not REPORT.exists():
        return ""
    old = REPORT.read_text(encoding="utf-8")
    sections = re.findall(r"\n## Load run \(.*?(?=\n## |\Z)", old, flags=re.S)
    return "".join(sections)


def built_steps(steps: dict) -> str:
    """Which of gen_scale's steps a run built: "org, study and supervision steps", or the
    names where a run built part of a kind (a step rebuilt alone)."""
    from zhongxinzu.org import scale, scale_study, scale_supervision

    if not steps:  # a record from before the steps were kept: the org build
        return "org steps"
    kinds = []
    for kind, group in (
        ("org", scale.ORG_STEPS),
        ("study", scale_study.STEPS),
        ("supervision", scale_supervision.STEPS),
    ):
        names = [name for name, _, _ in group if name in steps]
        if len(names) == len(group):
            kinds.append(kind)
        elif names:
            kinds.append(f"{kind} ({', '.join(names)})")
    if not kinds:
        return "steps " + ", ".join(steps)
    return (", ".join(kinds[:-1]) + " and " if len(kinds) > 1 else "") + kinds[-1] + " steps"


def build_time(info: dict) -> str:
    """How long gen_scale took, run by run (a province built before the study steps existed
    was extended later), with each run's slowest steps."""
    if "seconds" not in info:
        return "not recorded (the database was built outside the bench)"
    runs = info.get("runs") or [{"built_at": info["built_at"], "seconds": info["seconds"]}]
    parts = []
    for run in runs:
        steps = run.get("steps") or {}
        what = built_steps(steps)
        slowest = sorted(steps.items(), key=lambda kv: -kv[1])[:4]
        detail = ", ".join(f"{name} {sec:g} s" for name, sec in slowest)
        parts.append(
            f"{run['seconds']} s for the {what} on {run['built_at']}"
            + (f" (slowest: {detail})" if detail else "")
        )
    total = [f"{info['seconds']} s in all"] if len(runs) > 1 else []
    when = "reused for this run" if info.get("reused") else "built or extended by this run"
    return "; ".join(total + parts) + f" — {when}"


def main() -> int:
    configure()
    started = dt.datetime.now()
    info = ensure_dataset()
    counts = dataset_counts()
    supervisor, secretary = bench_users()
    env = machine()
    results = measure_pages(supervisor, secretary)
    results += measure_import(supervisor)
    results += measure_compliance(supervisor, secretary)
    results.append(measure_sign_in(secretary))
    results += measure_supervision(supervisor)
    results += measure_statistics(supervisor)
    results += measure_archive(supervisor, secretary)
    results += measure_bulletins(supervisor)
    print(write_report(results, info, counts, env, started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
