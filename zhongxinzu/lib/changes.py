"""A write changed what some groups' figures count.

Write services call `figures_changed(group_id, ...)` inside their transaction; once it commits,
every registered handler runs with the set of group ids (the compliance app registers the one
that brings those groups' overview snapshots up to date, so the next page the user opens
already counts the change). The hook lives in lib so that the apps that record the study year
need not import the apps that report on it. A handler that fails is logged and does not undo
the committed write; the hourly snapshot timer repairs what it missed."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

Handler = Callable[[frozenset[int]], None]
_handlers: list[Handler] = []


def on_figures_changed(handler: Handler) -> Handler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def figures_changed(*group_ids: int | None, groups: Iterable[int] = ()) -> None:
    ids = frozenset(i for i in (*group_ids, *groups) if i)
    if not ids:
        return

    def run():
        for handler in list(_handlers):
            handler(ids)

    transaction.on_commit(run, robust=True)
