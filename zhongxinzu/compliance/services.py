"""Writes of the compliance app: the overview snapshot, the annual report's narrative, the
in-app inbox and the reminders sent by `manage.py send_reminders` (cron, daily).

Reminders are idempotent: each has a key naming the rule, the record and the period
(`makeup_overdue:<makeup id>`, `plan_overdue:<group>:<year>` …) and Notification is unique
on (user, key), so running the command twice — or every hour — delivers each reminder once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.assessment.models import AssessmentScheme
from zhongxinzu.audit.services import audit_record
from zhongxinzu.compliance.engine import Period, evaluate, month_day
from zhongxinzu.compliance.models import AnnualReportText, GroupCompliance, Notification
from zhongxinzu.compliance.visit_checks import PUBLISHED
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.lib.workdays import add_working_days, working_days_between
from zhongxinzu.meetings.models import MakeUp, StudySession
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, StudyGroup, Unit
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import FirstItem, Prompt, PromptAck, YearPlan
from zhongxinzu.rules.services import rulebooks_for
from zhongxinzu.supervision.models import ObservationVisit, TeamMember

SNAPSHOT_CHUNK = 200
# A change to every group below a unit is brought into the snapshot at once up to this
# many groups (~17 ms each); a larger subtree is recounted by a background job.
SNAPSHOT_INLINE_MAX = 50
PLAN_DUE_SOON_DAYS = 14
SPEECH_AHEAD_DAYS = 3
LOOKBACK_DAYS = 365  # prompts and first items older than this are not chased any more
VISIT_SOON_WORKING_DAYS = 3


# --- the overview snapshot -------------------------------------------------------------------


def snapshot_refresh(
    *,
    year: int,
    as_of: dt.date | None = None,
    root=None,
    skip_frozen: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> int:
    """Evaluate every active group (of `root`'s subtree, if given) for `year` and store the
    verdicts in GroupCompliance, SNAPSHOT_CHUNK groups at a time, each chunk in its own short
    transaction; progress(done, total, stage) after each. With skip_frozen, groups whose year
    is closed by a published assessment keep their last snapshot. Returns the groups done."""
    as_of = as_of or timezone.localdate()
    qs = StudyGroup.objects.filter(is_active=True).select_related("unit").order_by("pk")
    if root is not None:
        qs = qs.filter(access.subtree_q([root], "unit__"))
    if skip_frozen:
        qs = qs.exclude(frozen_q(year))
    total = qs.count() if progress else 0
    done, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:SNAPSHOT_CHUNK])
        if not chunk:
            return done
        _snapshot_store(chunk, year, as_of)
        done += len(chunk)
        last = chunk[-1].pk
        if progress:
            progress(done, total, f"已重算{done}个中心组")


def snapshot_years(today: dt.date | None = None) -> tuple[int, int]:
    """The years whose figures a write may still change: this year and the previous one."""
    today = today or timezone.localdate()
    return today.year, today.year - 1


def frozen_q(year: int) -> Q:
    """Groups whose `year` is closed: an assessment of that year covering them is published."""
    owners = AssessmentScheme.objects.filter(
        year=year, status=AssessmentScheme.Status.PUBLISHED
    ).values_list("owner_unit_id", flat=True)
    units = list(Unit.objects.filter(pk__in=list(owners)))
    return access.subtree_q(units, "unit__") if units else Q(pk__in=[])


def snapshot_refresh_groups(*, group_ids: Iterable[int], today: dt.date | None = None) -> None:
    """Bring these groups' snapshots up to date after a write: for this year, and for the
    previous year unless its assessment covering the group is already published. Groups
    that have no snapshot row yet get one, so the totals count them from now on."""
    today = today or timezone.localdate()
    this_year, last_year = snapshot_years(today)
    ids = sorted(group_ids)
    closed = frozen_q(last_year)  # one query, not one per chunk
    for start in range(0, len(ids), SNAPSHOT_CHUNK):
        groups = StudyGroup.objects.filter(
            pk__in=ids[start : start + SNAPSHOT_CHUNK], is_active=True
        ).select_related("unit")
        current = list(groups)
        if current:
            _snapshot_store(current, this_year, today)
        previous = list(groups.exclude(closed))
        if previous:
            _snapshot_store(previous, last_year, today)


def snapshot_follow_change(group_ids: frozenset[int], below: frozenset[int]) -> None:
    """The lib.changes handler: refresh the changed groups now; for a change to everything
    below a unit, refresh its subtree now when it is small (SNAPSHOT_INLINE_MAX groups), else
    queue a full recount of the subtree as a background job (unless one is already queued)."""
    from zhongxinzu.jobs.services import job_start

    ids = set(group_ids)
    today = timezone.localdate()
    for unit in Unit.objects.filter(pk__in=below):
        subtree = StudyGroup.objects.filter(access.subtree_q([unit], "unit__"), is_active=True)
        if subtree.count() <= SNAPSHOT_INLINE_MAX:
            ids.update(subtree.values_list("pk", flat=True))
            continue
        for year in snapshot_years(today):
            with contextlib.suppress(ValidationError):  # the same recount is already queued
                job_start(actor=None, kind="compliance.refresh", unit=unit, year=year)
    if ids:
        snapshot_refresh_groups(group_ids=ids, today=today)


def _snapshot_store(groups: list[StudyGroup], year: int, as_of: dt.date) -> None:
    results = evaluate(groups, Period.year(year), as_of=as_of)
    now = timezone.now()
    rows = [
        GroupCompliance(
            group_id=r.group.pk,
            year=year,
            worst=r.worst,
            missed=r.missed,
            at_risk=r.at_risk,
            statuses={k: c.status for k, c in r.checks.items()},
            codes=r.codes,
            as_of=as_of,
            computed_at=now,
        )
        for r in results.values()
    ]
    with transaction.atomic():
        GroupCompliance.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["group", "year"],
            update_fields=[
                "worst",
                "missed",
                "at_risk",
                "statuses",
                "codes",
                "as_of",
                "computed_at",
            ],
        )


# --- the annual report's narrative -----------------------------------------------------------

REPORT_FIELDS = ("intro", "practices", "problems", "next_steps")


@transaction.atomic
def report_text_save(
    *, actor, group: StudyGroup, year: int, expected_version: int | None, **texts: str
) -> AnnualReportText:
    """Save the narrative parts of `group`'s `year` report (optimistic locking; audited)."""
    unknown = set(texts) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    text, created = AnnualReportText.objects.get_or_create(
        group=group, year=year, defaults={**texts, "updated_by": actor}
    )
    if not created:
        for name, value in texts.items():
            setattr(text, name, value)
        text.updated_by = actor
        save_versioned(
            text,
            expected_version=expected_version,
            fields=[*texts, "updated_by", "updated_at"],
        )
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=text,
        detail={"group": group.pk, "year": year, "fields": sorted(texts)},
    )
    return text


# --- the inbox -------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s notifications (those of `ids`, or all) read. Others' ids are ignored."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    user_id: int
    key: str
    kind: str
    message: str
    link: str = ""


def _url(name: str, *args, query: str = "") -> str:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def _records(group_id: int, key: str, year: int) -> str:
    return _url("compliance:records", group_id, key, query=f"year={year}")


def _staff_users(group_ids: Iterable[int], on: dt.date) -> dict[int, dict[str, list[int]]]:
    """group id -> {"secretary": [user ids], "leader": [user ids]} from the roster on `on`."""
    rows = (
        access.active_memberships(on=on)
        .filter(
            group_id__in=list(group_ids),
            role__in=[Membership.Role.SECRETARY, Membership.Role.LEADER],
        )
        .values_list("group_id", "role", "person_id")
    )
    rows = list(rows)
    users = _users_of({pid for *_, pid in rows})
    staff: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for gid, role, pid in rows:
        for uid in users.get(pid, []):
            staff[gid][role].append(uid)
    return staff


def _users_of(person_ids: set[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for uid, pid in User.objects.filter(person_id__in=person_ids, is_active=True).values_list(
        "pk", "person_id"
    ):
        out[pid].append(uid)
    return out


def _plan_reminders(groups, books, staff, on: dt.date):
    year = on.year
    filed = set(
        YearPlan.objects.filter(year=year, filed_at__isnull=False).values_list(
            "group_id", flat=True
        )
    )
    for g in groups:
        if g.pk in filed:
            continue
        due = month_day(books[g.unit_id]["plan_due"], year)
        if on > due:
            key, text = f"plan_overdue:{g.pk}:{year}", f"已超过报备期限（{due:%m月%d日}）"
        elif (due - on).days < PLAN_DUE_SOON_DAYS:
            key, text = f"plan_due_soon:{g.pk}:{year}", f"须于{due:%m月%d日}前报备"
        else:
            continue
        for uid in staff[g.pk]["secretary"]:
            yield Reminder(
                uid,
                key,
                "plan",
                f"{g.name}{year}年度学习计划{text}，尚未报备",
                _records(g.pk, "plan", year),
            )


def _session_reminders(groups_by_id, books, staff, on: dt.date):
    rows = StudySession.objects.filter(
        status=StudySession.Status.HELD,
        group_id__in=list(groups_by_id),
        ends_at__lt=timezone.now(),
    ).values_list("pk", "group_id", "title", "ends_at")
    for pk, gid, title, ends in rows:
        g = groups_by_id[gid]
        days = int(books[g.unit_id]["session_record_days"])
        ended = timezone.localtime(ends).date()
        if on <= ended + dt.timedelta(days=days):
            continue
        for uid in staff[gid]["secretary"]:
            yield Reminder(
                uid,
                f"session_unrecorded:{pk}",
                "session_record",
                f"{ended:%m月%d日}的学习“{title}”举行后已超过{days}天，尚未完成记录",
                _url("meetings:session_detail", pk) or _records(gid, "session_record", ended.year),
            )


def _makeup_reminders(groups_by_id, staff, on: dt.date):
    rows = list(
        MakeUp.objects.filter(
            status=MakeUp.Status.OPEN,
            due_date__lt=on,
            due_date__gte=on - dt.timedelta(days=LOOKBACK_DAYS),
        ).values_list(
            "pk",
            "due_date",
            "attendance__person_id",
            "attendance__person__name",
            "attendance__session__group_id",
            "attendance__session__title",
        )
    )
    rows = [r for r in rows if r[4] in groups_by_id]
    users = _users_of({r[2] for r in rows})
    for pk, due, pid, name, gid, title in rows:
        link = _url("meetings:makeup_detail", pk) or _records(gid, "makeups", due.year)
        for uid in users.get(pid, []):
            yield Reminder(
                uid,
                f"makeup_overdue:{pk}",
                "makeup",
                f"您对“{title}”的补学已超过期限（{due:%Y-%m-%d}），请尽快提交补学材料",
                link,
            )
        for uid in staff[gid]["secretary"]:
            yield Reminder(
                uid,
                f"makeup_overdue:{pk}",
                "makeup",
                f"{name}对“{title}”的补学已超过期限（{due:%Y-%m-%d}）",
                link,
            )


def _speech_reminders(groups_by_id, books, staff, on: dt.date):
    now = timezone.now()
    rows = Output.objects.filter(
        kind=Output.Kind.SPEECH_DRAFT,
        status=Output.Status.SUBMITTED,
        session__group_id__in=list(groups_by_id),
        session__starts_at__gte=now - dt.timedelta(days=30),
        session__starts_at__lt=now + dt.timedelta(days=SPEECH_AHEAD_DAYS),
    ).values_list("pk", "group_id", "title", "author__name", "session__starts_at")
    for pk, gid, title, author, starts in rows:
        g = groups_by_id.get(gid)
        if g is None or not books[g.unit_id]["speech_review_before_session"]:
            continue
        when = timezone.localtime(starts)
        text = "学习已开始，尚未审阅" if starts <= now else "请在学习开始前审阅"
        for uid in staff[gid]["leader"]:
            yield Reminder(
                uid,
                f"speech_review:{pk}",
                "speech_review",
                f"{author}为{when:%m月%d日}学习提交的发言材料《{title}》待审阅，{text}",
                _url("outputs:output_detail", pk) or _records(gid, "speech_review", when.year),
            )


def _in_subtree(groups_by_id, unit) -> list[StudyGroup]:
    return [g for g in groups_by_id.values() if access.in_subtree(g.unit, [unit])]


def _prompt_reminders(groups_by_id, books, staff, on: dt.date):
    since = timezone.now() - dt.timedelta(days=LOOKBACK_DAYS)
    prompts = list(
        Prompt.objects.filter(status=Prompt.Status.ISSUED, issued_at__gte=since).select_related(
            "issuer_unit"
        )
    )
    acked = set(PromptAck.objects.filter(prompt__in=prompts).values_list("prompt_id", "group_id"))
    supervisors = defaultdict(set)
    for unit_id, uid in RoleGrant.objects.filter(
        role=Role.SUPERVISOR, unit_id__in={p.issuer_unit_id for p in prompts}
    ).values_list("unit_id", "user_id"):
        supervisors[unit_id].add(uid)
    for prompt in prompts:
        issued = timezone.localtime(prompt.issued_at).date()
        late = []
        for g in _in_subtree(groups_by_id, prompt.issuer_unit):
            if (prompt.pk, g.pk) in acked:
                continue
            deadline = issued + dt.timedelta(days=int(books[g.unit_id]["prompt_ack_days"]))
            if on <= deadline:
                continue
            late.append(g)
            for uid in staff[g.pk]["secretary"]:
                yield Reminder(
                    uid,
                    f"prompt_unacked:{prompt.pk}:{g.pk}",
                    "prompt_ack",
                    f"学习提示《{prompt.title}》已过签收期限（{deadline:%m月%d日}），请及时签收",
                    _url("plans:prompt_detail", prompt.pk) or _records(g.pk, "prompt_ack", on.year),
                )
        if late:
            names = "、".join(g.name for g in late[:3]) + ("等" if len(late) > 3 else "")
            for uid in supervisors[prompt.issuer_unit_id] | {prompt.created_by_id}:
                yield Reminder(
                    uid,
                    f"prompt_unacked:{prompt.pk}",
                    "prompt_ack",
                    f"学习提示《{prompt.title}》已过签收期限，{names}{len(late)}个中心组尚未签收",
                    _url("plans:prompt_detail", prompt.pk),
                )


def _first_item_reminders(groups_by_id, books, staff, on: dt.date):
    from zhongxinzu.meetings.models import AgendaItem

    items = list(
        FirstItem.objects.filter(
            released_on__gte=on - dt.timedelta(days=LOOKBACK_DAYS), released_on__lt=on
        ).select_related("owner_unit")
    )
    studied = set(
        AgendaItem.objects.filter(
            first_item__in=items,
            session__status__in=[StudySession.Status.HELD, StudySession.Status.RECORDED],
        )
        .values_list("first_item_id", "session__group_id")
        .distinct()
    )
    for item in items:
        for g in _in_subtree(groups_by_id, item.owner_unit):
            if not staff[g.pk]["secretary"] or (item.pk, g.pk) in studied:
                continue
            lag = int(books[g.unit_id]["first_item_lag_days"])
            if on <= item.released_on + dt.timedelta(days=lag):
                continue
            for uid in staff[g.pk]["secretary"]:
                yield Reminder(
                    uid,
                    f"first_item_late:{item.pk}:{g.pk}",
                    "first_item",
                    f"第一议题《{item.title}》发布已超过{lag}天，本中心组尚未学习",
                    _url("plans:first_item_detail", item.pk)
                    or _records(g.pk, "first_item_lag", item.released_on.year),
                )


def _rectification_reminders(groups_by_id, staff, on: dt.date):
    from zhongxinzu.supervision.models import Rectification
    from zhongxinzu.supervision.problems import overdue_q

    rows = Rectification.objects.filter(overdue_q(on, prefix="")).values_list(
        "pk", "deadline", "problem_id", "problem__group_id", "problem__description"
    )
    for pk, deadline, problem_id, gid, description in rows:
        if gid not in groups_by_id:
            continue
        for uid in staff[gid]["secretary"]:
            yield Reminder(
                uid,
                f"rect-overdue:{pk}",
                "rectification",
                f"整改事项“{description[:40]}”已超过整改时限（{deadline:%Y-%m-%d}），"
                "请抓紧整改并报送进展",
                _url("supervision:problem_detail", problem_id),
            )


def _left(on: dt.date, due: dt.date) -> str:
    left = working_days_between(on, due)
    return f"还有{left}个工作日" if left else "今天到期"


def _visit_reminders(groups_by_id, staff, on: dt.date):
    """Observation visits of published plans: materials due within VISIT_SOON_WORKING_DAYS
    working days or overdue (the host group's secretary; the leader too once overdue), and
    the summary likewise (the team's observers, or the observing group's secretary).

    The texts are built from the visit as it stands today, and the keys carry the visit's
    date and the deadline the text announces: each reminder goes out once for a given date,
    and a visit moved after a reminder went out (or a deadline recomputed) gets one new
    reminder with the new date instead of none. The earlier one stays in the inbox as sent."""
    soon = add_working_days(on, VISIT_SOON_WORKING_DAYS)
    since = on - dt.timedelta(days=LOOKBACK_DAYS)
    rows = list(
        ObservationVisit.objects.filter(PUBLISHED, group_id__in=list(groups_by_id))
        .exclude(stage=ObservationVisit.Stage.CLOSED)
        .filter(
            Q(materials_sent_at__isnull=True, materials_due__range=(since, soon))
            | Q(summary_submitted_at__isnull=True, summary_due__range=(since, soon))
        )
        .values_list(
            "pk",
            "group_id",
            "planned_on",
            "team_id",
            "team__name",
            "observer_group_id",
            "observer_group__name",
            "materials_due",
            "materials_sent_at",
            "summary_due",
            "summary_submitted_at",
        )
    )
    team_users: dict[int, set[int]] = defaultdict(set)
    for team_id, uid in TeamMember.objects.filter(
        team_id__in={r[3] for r in rows} - {None}, expert__user__is_active=True
    ).values_list("team_id", "expert__user_id"):
        team_users[team_id].add(uid)
    for pk, gid, day, team_id, team, peer_id, peer, m_due, m_sent, s_due, s_done in rows:
        g, link = groups_by_id[gid], _url("supervision:visit_detail", pk)
        when = f"{day:%m月%d日}"
        if m_sent is None and m_due is not None and since <= m_due <= soon:
            dates = f"{day:%Y%m%d}:{m_due:%Y%m%d}"
            if m_due < on:
                key = f"visit_materials_overdue:{pk}:{dates}"
                text = f"已超过报送期限（{m_due:%Y-%m-%d}），尚未报送"
                users = staff[gid]["secretary"] + staff[gid]["leader"]
            else:
                key = f"visit_materials_soon:{pk}:{dates}"
                text = f"须于{m_due:%m月%d日}前报送（{_left(on, m_due)}）"
                users = staff[gid]["secretary"]
            for uid in users:
                yield Reminder(
                    uid,
                    key,
                    "visit_materials",
                    f"{team or peer or '旁听组'}{when}列席旁听{g.name}学习，"
                    f"学习方案、材料和发言稿{text}",
                    link,
                )
        if s_done is None and s_due is not None and since <= s_due <= soon:
            dates = f"{day:%Y%m%d}:{s_due:%Y%m%d}"
            if s_due < on:
                key = f"visit_summary_overdue:{pk}:{dates}"
                text = f"已超过提交期限（{s_due:%Y-%m-%d}），请尽快提交"
            else:
                key = f"visit_summary_soon:{pk}:{dates}"
                text = f"须于{s_due:%m月%d日}前提交（{_left(on, s_due)}）"
            observers = team_users[team_id] if team_id else set(staff[peer_id]["secretary"])
            for uid in observers:
                yield Reminder(
                    uid,
                    key,
                    "visit_summary",
                    f"{when}列席旁听{g.name}学习的旁听总结{text}",
                    link,
                )


def _deliver(reminders: Iterable[Reminder]) -> Counter:
    """Create the reminders not delivered before; returns new ones by kind."""
    pending: dict[tuple[int, str], Reminder] = {}
    for r in reminders:
        pending.setdefault((r.user_id, r.key), r)
    created: Counter = Counter()
    items = list(pending.values())
    for start in range(0, len(items), 500):
        batch = items[start : start + 500]
        existing = set(
            Notification.objects.filter(
                Q(key__in={r.key for r in batch}), user_id__in={r.user_id for r in batch}
            ).values_list("user_id", "key")
        )
        new = [r for r in batch if (r.user_id, r.key) not in existing]
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=r.user_id,
                    key=r.key[:120],
                    kind=r.kind,
                    message=r.message[:300],
                    link=r.link[:200],
                )
                for r in new
            ],
            ignore_conflicts=True,
        )
        created.update(r.kind for r in new)
    return created


def reminders_send(*, on: dt.date | None = None) -> Counter:
    """Create the reminders due on `on` (today by default) for every active group: plan due
    soon or overdue and session not recorded (secretary), make-up overdue (member and
    secretary), speech draft not reviewed (leader), prompt not acknowledged (secretary and
    the issuing supervisors), first item not studied in time, rectification overdue
    (secretary), observation-visit materials (host secretary, leader once overdue) and
    summary (the team) due soon or overdue. Returns the new notifications by kind; audited
    once."""
    on = on or timezone.localdate()
    groups = list(
        StudyGroup.objects.filter(is_active=True, unit__is_active=True).select_related("unit")
    )
    by_id = {g.pk: g for g in groups}
    books = rulebooks_for([g.unit for g in groups], on.year)
    staff = _staff_users(by_id, on)
    with transaction.atomic():
        created = Counter()
        for source in (
            _plan_reminders(groups, books, staff, on),
            _session_reminders(by_id, books, staff, on),
            _makeup_reminders(by_id, staff, on),
            _speech_reminders(by_id, books, staff, on),
            _prompt_reminders(by_id, books, staff, on),
            _first_item_reminders(by_id, books, staff, on),
            _rectification_reminders(by_id, staff, on),
            _visit_reminders(by_id, staff, on),
        ):
            created += _deliver(source)
        audit_record(
            action="send_reminders",
            object_type="compliance.Notification",
            detail={"date": on.isoformat(), "created": dict(created)},
        )
    return created
