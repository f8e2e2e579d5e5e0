"""The generic hook: a kind of long work registers a runner here and is then started with
jobs.services.job_start(kind=...). A runner is called in the worker as
runner(job=job, progress=progress) and returns (result_text, result_url); it raises
ValidationError (Chinese message) to fail the job. Long documents (bulletins, archive
volumes) register the same way and return the link of the file they wrote."""

from collections.abc import Callable
from dataclasses import dataclass

KINDS: dict[str, "Kind"] = {}


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    runner: Callable


def register(name: str, label: str):
    def wrap(fn):
        KINDS[name] = Kind(name, label, fn)
        return fn

    return wrap
