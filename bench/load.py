"""The load run: `make bench-load` (`python -m bench.load`).

Serves a copy of the benchmark province (bench/run.py builds it) with gunicorn and
deploy/gunicorn.conf.py, plus two job workers (`manage.py db_worker`), and drives it over
HTTP with LOAD_USERS (50) logged-in users at once for LOAD_SECONDS (150): supervisors at
several levels, secretaries, leaders and members, each in a loop of its role's pages with a
short pause between requests — landing page, compliance overview, group pages, roster,
session list, my study, QR sign-in POSTs to a session open now, an annual report download.
Ten seconds in, the root supervisor starts the assessment computation of this year and a
10,000-row roster import through the web pages; both run as background jobs while the
users go on. Any answer other than the expected one is an error; the run wants 0.

Reported per page kind: server time p50/p95/p99 (gunicorn's access log, %(D)s), client time
p50/p95/p99, requests per second, and the server's CPU per request (the CPU time of the
gunicorn processes over the run, startup and logins included, divided by the requests).
The copy is thrown away afterwards: the province itself is not changed. The section
"Load run (<database>)" of BENCHMARKS.md is replaced; the rest of the file is kept.
BENCH_DATABASE_URL runs it on PostgreSQL (the copy is made with CREATE DATABASE …
TEMPLATE).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench import run as bench

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "150"))
PASSWORD = "Load@2026bench"  # set on the copy only
LOAD_DIR = bench.DATA / "load"
START_BACKGROUND_AFTER = 10
PLURAL = {
    "supervisor": "supervisors",
    "secretary": "secretaries",
    "leader": "leaders",
    "member": "members",
}
# Roles of the simulated users: (role, how many of every 50).
MIX = [("supervisor", 10), ("secretary", 10), ("leader", 10), ("member", 20)]
# A production deployment sits behind nginx with one address per user; here every user
# comes from 127.0.0.1, so the per-address limits are raised for the run (the per-account
# ones stay as configured).
RATE_ENV = {
    "RATELIMIT_LOGIN_IP": "1000/m",
    "RATELIMIT_EXPORT_IP": "10000/m",
    "RATELIMIT_UPLOAD_IP": "1000/m",
    "RATELIMIT_API_IP": "100000/m",
}


# --- the copy ----------------------------------------------------------------------------


def copy_database() -> tuple[str, str]:
    """(DATABASE_URL of a throw-away copy of the province, vendor)."""
    from django.db import connection

    url = os.environ["DATABASE_URL"]
    vendor = connection.vendor
    if vendor == "sqlite":
        LOAD_DIR.mkdir(parents=True, exist_ok=True)
        target = LOAD_DIR / "load.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        connection.close()
        return f"sqlite:///{target}", vendor
    name = connection.settings_dict["NAME"]
    copy_name = f"{name}_load"
    connection.close()
    with connection.cursor() as cursor:  # reconnects to the province database
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
    connection.close()
    with _maintenance_connection() as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{copy_name}"')
        pg.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
    return re.sub(r"/[^/?]+(\?|$)", f"/{copy_name}\\1", url, count=1), vendor


def drop_copy(url: str, vendor: str) -> None:
    if vendor == "sqlite":
        shutil.rmtree(LOAD_DIR, ignore_errors=True)
        return
    name = url.rsplit("/", 1)[1].split("?")[0]
    with _maintenance_connection() as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _maintenance_connection():
    """An autocommit connection to the server's `postgres` database, with Django's
    credentials (CREATE/DROP DATABASE cannot run inside the database concerned)."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    given = {"user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"], "port": s["PORT"]}
    return psycopg.connect(
        dbname="postgres", autocommit=True, **{k: v for k, v in given.items() if v}
    )


def use_database(url: str) -> None:
    """Point this process's Django connection at `url`."""
    import dj_database_url
    from django.db import connection

    connection.close()
    connection.settings_dict.update(
        {k: v for k, v in dj_database_url.parse(url).items() if k in ("NAME", "HOST", "PORT")}
    )


# --- the users ---------------------------------------------------------------------------


@dataclass
class Actor:
    username: str
    role: str
    group_id: int | None = None
    session_id: int | None = None


def prepare_users() -> tuple[list[Actor], dict]:
    """Accounts on the copy for LOAD_USERS people: supervisors of the root and of units at
    the first two levels below it, and the secretary, leader and members of sampled groups;
    a session open now in each member's group. Returns the actors and what the root
    supervisor starts in the background."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from zhongxinzu.accounts.models import Role, RoleGrant, User
    from zhongxinzu.assessment.models import AssessmentScheme
    from zhongxinzu.meetings.models import StudySession
    from zhongxinzu.org.access import active_memberships
    from zhongxinzu.org.models import StudyGroup, Unit
    from zhongxinzu.org.scale import SUPERVISOR_USERNAME

    rng = random.Random(2026)
    now, today = timezone.now(), timezone.localdate()
    hashed = make_password(PASSWORD)
    counts = {role: n * USERS // 50 for role, n in MIX}
    counts["member"] += USERS - sum(counts.values())
    root_user = User.objects.get(username=SUPERVISOR_USERNAME)
    root = Unit.objects.get(pk=RoleGrant.objects.filter(user=root_user).values("unit")[:1])
    User.objects.filter(pk=root_user.pk).update(password=hashed, password_changed_at=now)
    actors = [Actor(root_user.username, "supervisor")]
    below = list(
        Unit.objects.filter(depth__in=[root.depth + 1, root.depth + 2], path__startswith=root.path)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    for i, unit_id in enumerate(rng.sample(below, counts["supervisor"] - 1)):
        user = User.objects.create(
            username=f"load_sup{i}", password=hashed, password_changed_at=now, first_name="督导"
        )
        RoleGrant.objects.create(user=user, role=Role.SUPERVISOR, unit_id=unit_id)
        actors.append(Actor(user.username, "supervisor"))
    groups = list(StudyGroup.objects.filter(is_active=True).values_list("pk", flat=True))
    sampled = rng.sample(groups, counts["secretary"] + counts["leader"] + counts["member"])
    starts = now - dt.timedelta(minutes=5)
    for role in ("secretary", "leader", "member"):
        for _ in range(counts[role]):
            group_id = sampled.pop()
            membership = (
                active_memberships(on=today)
                .filter(group_id=group_id, role=role if role != "member" else "member")
                .exclude(person__user__isnull=False)
                .order_by("role_rank")
                .first()
            ) or active_memberships(on=today).filter(group_id=group_id).exclude(
                person__user__isnull=False
            ).first()
            user = User.objects.create(
                username=f"load_{role}{group_id}",
                password=hashed,
                password_changed_at=now,
                person=membership.person,
                first_name=membership.person.name,
            )
            actor = Actor(user.username, role, group_id=group_id)
            if role == "member":
                actor.session_id = StudySession.objects.create(
                    group_id=group_id,
                    kind=StudySession.Kind.COLLECTIVE_STUDY,
                    title="压力测试：扫码签到",
                    starts_at=starts,
                    ends_at=now + dt.timedelta(hours=4),
                    place="机关三楼会议室",
                ).pk
            actors.append(actor)
    scheme = (
        AssessmentScheme.objects.filter(owner_unit=root, year=today.year, status="draft")
        .order_by("-edition")
        .first()
    )
    roster, _ = bench.roster_file(bench.IMPORT_ROWS)
    return actors, {"scheme_id": scheme.pk if scheme else None, "roster": roster}


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, log: Path) -> tuple[subprocess.Popen, list]:
    env = {
        **os.environ,
        **RATE_ENV,
        "DATABASE_URL": url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "RATELIMIT_CACHE_DIR": str(LOAD_DIR / "ratelimit"),
        "MEDIA_ROOT": str(LOAD_DIR / "media"),
        "LOG_LEVEL": "ERROR",
        # No collectstatic on the copy: WhiteNoise's warning about it once per worker.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    python = str(Path(sys.executable))
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            gunicorn,
            "--config",
            str(bench.ROOT / "deploy" / "gunicorn.conf.py"),
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
            "--error-logfile",
            str(LOAD_DIR / "gunicorn-error.log"),
            "zhongxinzu.wsgi",
        ],
        cwd=bench.ROOT,
        env=env,
    )
    workers = [
        subprocess.Popen(  # noqa: S603
            [python, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=bench.ROOT,
            env=env,
            stdout=open(LOAD_DIR / f"worker{i}.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        for i in range(2)
    ]
    import requests

    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return server, workers
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


# --- the users' loop ---------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int
    ms: float
    ok: bool


@dataclass
class Tally:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, detail: str = "") -> None:
        with self.lock:
            self.samples.append(sample)
            if not sample.ok:
                self.errors.append(f"{sample.kind} {sample.status} {detail}"[:300])


def login(base: str, actor: Actor):
    import requests

    s = requests.Session()
    page = s.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = s.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": actor.username, "password": PASSWORD},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if r.status_code != 302:
        raise RuntimeError(f"login of {actor.username} answered {r.status_code}")
    return s


def pages_for(actor: Actor, year: int) -> list[tuple[str, str, int]]:
    """(kind, path, weight) of the role's pages."""
    g = actor.group_id
    common = [("landing page", "/", 3)]
    if actor.role == "supervisor":
        return common + [
            ("compliance overview", "/compliance/overview/", 3),
            ("unit list", "/org/units/", 2),
            ("session list", "/meetings/", 2),
            ("person list", "/org/people/", 1),
        ]
    group_pages = [
        ("group roster", f"/org/groups/{g}/", 2),
        ("group compliance page", f"/compliance/groups/{g}/", 2),
        ("session list", "/meetings/", 2),
    ]
    if actor.role == "secretary":
        return (
            common
            + group_pages
            + [("annual report .docx", f"/compliance/groups/{g}/report.docx?year={year - 1}", 1)]
        )
    if actor.role == "leader":
        return common + group_pages + [("my study", "/meetings/mine/", 1)]
    return (
        common
        + [("my study", "/meetings/mine/", 3), ("QR sign-in POST", "", 2)]
        + [("session list", "/meetings/", 1)]
    )


def user_loop(base: str, actor: Actor, session, tally: Tally, until: float, year: int) -> None:
    from zhongxinzu.meetings.services import sign_in_token

    rng = random.Random(actor.username)
    pages = pages_for(actor, year)
    weights = [w for *_, w in pages]
    csrf = session.cookies.get("csrftoken", "")
    while time.monotonic() < until:
        kind, path, _ = rng.choices(pages, weights)[0]
        started = time.perf_counter()
        try:
            if kind == "QR sign-in POST":
                token = sign_in_token(session_id=actor.session_id)
                url = f"{base}/meetings/sign-in/{token}/"
                r = session.post(
                    url,
                    data={"csrfmiddlewaretoken": csrf},
                    headers={"Referer": url, "X-CSRFToken": csrf},
                    timeout=60,
                )
            else:
                r = session.get(base + path, timeout=60)
            ms = (time.perf_counter() - started) * 1000
            ok = r.status_code == 200 and "/accounts/login/" not in r.url
            tally.add(Sample(kind, r.status_code, ms, ok), r.url)
        except Exception as e:  # a refused or dropped connection counts as an error
            tally.add(Sample(kind, 0, (time.perf_counter() - started) * 1000, False), repr(e))
        time.sleep(rng.uniform(0.3, 1.2))


def start_background(base: str, root_session, scheme_id: int | None, roster: bytes) -> dict:
    """The root supervisor starts the assessment computation and the 10,000-row import."""
    started = {}
    csrf = root_session.cookies.get("csrftoken", "")
    headers = {"X-CSRFToken": csrf}
    if scheme_id:
        r = root_session.post(
            f"{base}/assessment/{scheme_id}/compute/",
            data={"csrfmiddlewaretoken": csrf},
            headers={**headers, "Referer": f"{base}/assessment/{scheme_id}/"},
            timeout=60,
            allow_redirects=False,
        )
        started["assessment"] = (r.status_code, r.headers.get("Location", ""))
    r = root_session.post(
        f"{base}/org/import/roster/",
        data={"csrfmiddlewaretoken": csrf},
        files={"file": ("名册.xlsx", roster)},
        headers={**headers, "Referer": f"{base}/org/import/roster/"},
        timeout=120,
        allow_redirects=False,
    )
    started["import"] = (r.status_code, r.headers.get("Location", ""))
    return started


# --- the report --------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


KIND_PATTERNS = [
    ("QR sign-in POST", r"^POST /meetings/sign-in/"),
    ("annual report .docx", r"^GET /compliance/groups/\d+/report\.docx"),
    ("group compliance page", r"^GET /compliance/groups/\d+/$"),
    ("compliance overview", r"^GET /compliance/overview/"),
    ("group roster", r"^GET /org/groups/\d+/$"),
    ("unit list", r"^GET /org/units/$"),
    ("person list", r"^GET /org/people/$"),
    ("my study", r"^GET /meetings/mine/$"),
    ("session list", r"^GET /meetings/$"),
    ("landing page", r"^GET /$"),
]


def server_times(log: Path, since_line: int) -> dict[str, list[float]]:
    """Server ms per page kind from the access log lines after the logins."""
    times = defaultdict(list)
    lines = log.read_text().splitlines()[since_line:]
    for line in lines:
        method, path, _status, micros = line.rsplit(" ", 3)[-4:]
        request = f"{method} {path}"
        for kind, pattern in KIND_PATTERNS:
            if re.match(pattern, request):
                times[kind].append(int(micros) / 1000)
                break
        else:
            times["other"].append(int(micros) / 1000)
    return times


def job_outcomes(url: str) -> list[str]:
    """Status, duration and result of the background jobs the run started."""
    from zhongxinzu.jobs.models import Job

    use_database(url)
    out = []
    for job in Job.objects.filter(kind__in=["assessment.compute", "org.import_roster"]):
        took = (
            f"{(job.finished_at - job.started_at).total_seconds():.1f} s"
            if job.finished_at and job.started_at
            else "not finished"
        )
        out.append(
            f"{job.kind_label}: {job.get_status_display()} ({took}) {job.result_text or job.error}"
        )
    return out


def wait_for_jobs(url: str, limit: float = 600) -> None:
    from zhongxinzu.jobs.models import Job

    use_database(url)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not Job.objects.filter(status__in=Job.ACTIVE).exists():
            return
        time.sleep(2)


def section(vendor_label: str, rows: list[list[str]], facts: list[str]) -> str:
    head = (
        "| Page | Requests | Server p50 ms | p95 | p99 | Client p50 ms | p95 | p99 |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    table = head + "\n".join("| " + " | ".join(r) + " |" for r in rows)
    bullets = "\n".join(f"- {f}" for f in facts)
    return f"## Load run ({vendor_label})\n\n{bullets}\n\n{table}\n"


def write_section(vendor_label: str, text: str) -> None:
    report = bench.REPORT.read_text(encoding="utf-8") if bench.REPORT.exists() else ""
    pattern = re.compile(rf"## Load run \({re.escape(vendor_label)}\)\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(report):
        report = pattern.sub(text.rstrip("\n"), report)
    else:
        report = report.rstrip("\n") + "\n\n" + text
    bench.REPORT.write_text(report.rstrip("\n") + "\n", encoding="utf-8")


# --- main --------------------------------------------------------------------------------


def main() -> int:
    bench.configure()
    from django.utils import timezone

    bench.ensure_dataset()
    province = os.environ["DATABASE_URL"]
    url, vendor = copy_database()
    use_database(url)
    try:
        return run(url, vendor, province, timezone.localdate().year)
    finally:
        use_database(province)
        drop_copy(url, vendor)


def run(url: str, vendor: str, province: str, year: int) -> int:
    from django.db import connection

    actors, background = prepare_users()
    connection.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = LOAD_DIR / "access.log"
    LOAD_DIR.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    load_start = bench.load_average()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server, workers = start_server(url, port, log)
    tally = Tally()
    try:
        sessions = {a.username: login(base, a) for a in actors}
        time.sleep(1)
        logged_in_lines = len(log.read_text().splitlines())
        started = time.monotonic()
        until = started + SECONDS
        threads = [
            threading.Thread(
                target=user_loop, args=(base, a, sessions[a.username], tally, until, year)
            )
            for a in actors
        ]
        for t in threads:
            t.start()
        time.sleep(START_BACKGROUND_AFTER)
        root = actors[0]
        kicked = start_background(
            base, sessions[root.username], background["scheme_id"], background["roster"]
        )
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wait_for_jobs(url)
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.wait(timeout=120)
    outcomes = job_outcomes(url)
    connection.close()

    served = server_times(log, logged_in_lines)
    total_served = sum(len(v) for v in served.values())
    gunicorn_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (
        cpu_before.ru_utime + cpu_before.ru_stime
    )
    by_kind = defaultdict(list)
    for s in tally.samples:
        by_kind[s.kind].append(s.ms)
    rows = []
    for kind, _ in KIND_PATTERNS:
        if kind not in by_kind:
            continue
        server_ms, client_ms = served.get(kind, []), by_kind[kind]
        rows.append(
            [
                kind,
                f"{len(client_ms):,}",
                *(f"{pct(server_ms, p):,.1f}" for p in (50, 95, 99)),
                *(f"{pct(client_ms, p):,.1f}" for p in (50, 95, 99)),
            ]
        )
    errors = len(tally.errors)
    info = bench.machine()
    label = "SQLite" if vendor == "sqlite" else "PostgreSQL"
    facts = [
        f"**Date:** {dt.datetime.now():%Y-%m-%d %H:%M} (local time); written by `make bench-load`"
        " (`python -m bench.load`), do not edit by hand",
        f"**Machine:** {info['cpu']}; load average {load_start:.2f} at the start, "
        f"{bench.load_average():.2f} at the end; {info['software']}; {info['database']}",
        f"**Setup:** a throw-away copy of the benchmark province ({label}); gunicorn with "
        "`deploy/gunicorn.conf.py` (its default worker count, sync workers) and two job "
        "workers (`manage.py db_worker`); the load generator runs on the same machine",
        f"**Users:** {len(actors)} logged-in users at once "
        + ", ".join(f"{n} {PLURAL[role]}" for role, n in _role_counts(actors).items())
        + f", each looping over its role's pages with a pause of 0.3–1.2 s, for {elapsed:.0f} s",
        f"**Background work during the run** (started {START_BACKGROUND_AFTER} s in by the root "
        f"supervisor through the web pages: {kicked}): " + "; ".join(outcomes),
        f"**Requests:** {len(tally.samples):,} in {elapsed:.0f} s = "
        f"{len(tally.samples) / elapsed:.1f} per second; **errors: {errors}**"
        + (f" (first: {tally.errors[:3]})" if errors else ""),
        f"**Server CPU per request:** {gunicorn_cpu * 1000 / max(total_served, 1):.1f} ms "
        f"(gunicorn's CPU over the whole run, {gunicorn_cpu:.1f} s, startup and "
        f"{len(actors)} logins included, over {total_served:,} requests served after the logins)",
        "Server time is gunicorn's request time (%(D)s) of the request itself; client time is "
        "what the user waits, the redirect followed (the landing page / answers with a "
        "redirect to the role's home page, which its client time includes), plus the load "
        "generator's own waiting for the CPU of this 2-core machine it shares with the server",
    ]
    write_section(label, section(label, rows, facts))
    print(section(label, rows, facts))
    if errors:
        print("\n".join(tally.errors[:20]), file=sys.stderr)
    failed_jobs = [o for o in outcomes if "失败" in o or "not finished" in o]
    return 1 if errors or failed_jobs else 0


def _role_counts(actors: list[Actor]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for a in actors:
        counts[a.role] += 1
    return counts


if __name__ == "__main__":
    sys.exit(main())
