"""What every measurement of the benchmark shares: the result record, the timer, the query
counter, a GET measured through the test client and a write measured in transactions that
are rolled back."""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
WARMUPS = 3


@dataclass
class Result:
    name: str
    target_ms: float | None = None
    samples: list[float] = field(default_factory=list)  # wall-clock milliseconds
    cpu: list[float] = field(default_factory=list)  # this process's CPU milliseconds
    queries: int | None = None
    note: str = ""  # why it was not measured, or what it measured
    slowest: str = ""  # the slowest query of the counted run

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    @property
    def p90(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]

    @property
    def met(self) -> bool | None:
        if self.target_ms is None or self.median is None:
            return None
        return self.median <= self.target_ms


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="zhongxinzu.accounts.backends.PolicyModelBackend")
    return client


@contextlib.contextmanager
def timed(result: Result):
    """Add the wall-clock and CPU time of the block to `result`. On a shared machine the
    CPU time (SQLite runs in this process) shows how much of the wall time was waiting."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    result.samples.append((time.perf_counter() - wall) * 1000)
    result.cpu.append((time.process_time() - cpu) * 1000)


def count_queries(fn) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
    text = ""
    if slowest is not None:
        text = f"{float(slowest['time']) * 1000:.0f} ms: {slowest['sql'][:300]}"
    return len(ctx.captured_queries), text


def measure_get(result: Result, client, url: str, headers: dict | None = None) -> Result:
    headers = headers or {}

    def get():
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    try:
        for _ in range(WARMUPS):
            get()
        for _ in range(RUNS):
            with timed(result):
                get()
        result.queries, result.slowest = count_queries(get)
    except Exception as e:  # the harness reports a broken page instead of stopping
        result.samples, result.cpu = [], []
        result.note = f"not measured: {e}"
        traceback.print_exc()
    return result


def measure_rolled_back(
    result: Result,
    run: Callable[[], object],
    *,
    runs: int,
    setup: Callable[[], object] | None = None,
    check: Callable[[object], str] | None = None,
) -> Result:
    """Time `run` `runs` times, each in a transaction that is rolled back (so every run
    starts from the same data), after one untimed run whose queries are counted (it warms
    the caches as the pages' warm-ups do). `setup` runs untimed inside each transaction;
    `check` reads what the counted run wrote, before its rollback, and returns the note
    (or raises when the run did not do its work)."""
    from django.db import transaction

    def once(counted: bool) -> None:
        with transaction.atomic():
            if setup is not None:
                setup()
            if counted:
                out: dict = {}
                result.queries, result.slowest = count_queries(lambda: out.update(v=run()))
                if check is not None:
                    result.note = check(out["v"])
            else:
                with timed(result):
                    run()
            transaction.set_rollback(True)

    try:
        once(counted=True)
        for n in range(runs):
            once(counted=False)
            print(f"  {result.name[:70]} run {n + 1}: {result.samples[-1] / 1000:.2f} s")
    except Exception as e:  # the harness reports a broken measurement instead of stopping
        traceback.print_exc()
        result.samples, result.cpu = [], []
        result.note = f"not measured: {e}"[:400]
    return result
