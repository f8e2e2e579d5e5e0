"""A write changed what some groups' figures count.

Write services call `figures_changed(group_id, ...)` inside their transaction — or
`figures_changed(below=unit_id)` when a record issued by a unit (a study prompt) changes the
figures of every group below it; once it commits, every registered handler runs with the set
of group ids and the set of units (the compliance app registers the one
that brings those groups' overview snapshots up to date, so the next page the user opens
already counts the change). The hook lives in lib so that the apps that record the study year
need not import the apps that report on it. A handler that fails is logged and does not undo
the committed write; the hourly snapshot timer repairs what it missed."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

Handler = Callable[[frozenset[int], frozenset[int]], None]
_handlers: list[Handler] = []


def on_figures_changed(handler: Handler) -> Handler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def figures_changed(
    *group_ids: int | None, groups: Iterable[int] = (), below: int | None = None
) -> None:
    ids = frozenset(i for i in (*group_ids, *groups) if i)
    units = frozenset([below] if below else [])
    if not ids and not units:
        return

    def run():
        for handler in list(_handlers):
            handler(ids, units)

    transaction.on_commit(run, robust=True)
