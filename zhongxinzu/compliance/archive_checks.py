"""The year's archive (学习档案) in the compliance engine: the three registers ("三簿", DOMAIN.md
§6) kept complete, from the records the platform holds.

- 签到簿 (sign-in book): every held session has its attendance taken (at least one row).
- 研讨记录簿 (discussion record): every held discussion (集中研讨, 专题学习研讨) is recorded
  with its minutes (status "recorded" and the minutes written).
- 自学笔记 (self-study notes): every member of the group (组长, 副组长, 成员 on the roster in
  the period) has handed in at least one 学习笔记 (an output of kind "notes", not a draft).
  A group with no study notes at all shows "无记录": the platform holds no self-study.

`register_counts` answers for any number of groups with three GROUP BY queries; the
engine's check "archive" reads the same counts (loaded with the other records), so the
archive page, the supervisors' list and the compliance grid agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from zhongxinzu.compliance.engine import (
    AT_RISK,
    DONE,
    MET,
    MISSED,
    NA,
    Check,
    GroupData,
    GroupResult,
    Period,
)
from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.org.models import Membership
from zhongxinzu.outputs.models import Output

CORE_ROLES = (Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER)
SOURCE = "学习档案管理要求（三簿齐全）"

COMPLETE, INCOMPLETE, NO_RECORD, NOT_DUE = "complete", "incomplete", "no_record", "not_due"
REGISTER_STATUS_LABELS = {
    COMPLETE: "齐全",
    INCOMPLETE: "不全",
    NO_RECORD: "无记录",
    NOT_DUE: "无需登记",
}


@dataclass
class RegisterCounts:
    """What the three registers of one group hold for a period."""

    held: int = 0  # sessions held
    signed: int = 0  # of them with attendance taken
    discussions: int = 0  # discussions held
    minuted: int = 0  # of them recorded with minutes
    members: int = 0  # members expected to keep study notes
    noted: int = 0  # of them with at least one study note
    notes: int = 0  # study notes handed in by anyone of the group

    @staticmethod
    def _status(done: int, due: int) -> str:
        if not due:
            return NOT_DUE
        return COMPLETE if done >= due else INCOMPLETE

    @property
    def sign_in(self) -> str:
        return self._status(self.signed, self.held)

    @property
    def discussion(self) -> str:
        return self._status(self.minuted, self.discussions)

    @property
    def self_study(self) -> str:
        if not self.members:
            return NOT_DUE
        if not self.notes:
            return NO_RECORD
        return self._status(self.noted, self.members)

    @property
    def statuses(self) -> list[str]:
        return [self.sign_in, self.discussion, self.self_study]

    @property
    def complete(self) -> bool:
        return all(s in (COMPLETE, NOT_DUE) for s in self.statuses)

    @property
    def gaps(self) -> int:
        """How many records are missing over the three registers."""
        notes_missing = self.members - self.noted if self.members else 0
        return (self.held - self.signed) + (self.discussions - self.minuted) + notes_missing


def held_sessions_q(period: Period, as_of: dt.date, prefix: str = "") -> Q:
    """Sessions held in `period` up to `as_of` (the sessions the registers must cover)."""
    start, end = period.bounds()
    if as_of < period.start:
        last = start
    elif as_of < period.end:
        last = Period(period.start, as_of).bounds()[1]
    else:
        last = end
    return Q(
        **{
            f"{prefix}status__in": DONE,
            f"{prefix}starts_at__gte": start,
            f"{prefix}starts_at__lt": last,
        }
    )


MINUTED = Q(status=StudySession.Status.RECORDED) & ~Q(minutes="")
SIGNED = Q(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
DISCUSSION = Q(kind__in=StudySession.DISCUSSION_KINDS)


def notes_q(period: Period) -> Q:
    """Study notes (not drafts) of the period: by year for a whole year, else by date."""
    q = Q(kind=Output.Kind.NOTES) & ~Q(status=Output.Status.DRAFT)
    if period.is_year:
        return q & Q(year=period.rule_year)
    start, end = period.bounds()
    return q & Q(submitted_at__gte=start, submitted_at__lt=end)


def members_q(period: Period) -> Q:
    return Q(role__in=CORE_ROLES, start_date__lte=period.end) & (
        Q(end_date__isnull=True) | Q(end_date__gte=period.start)
    )


def register_counts(
    group_ids: list[int], period: Period, as_of: dt.date
) -> dict[int, RegisterCounts]:
    """The three registers' counts of every group in `group_ids` (three queries)."""
    out = {gid: RegisterCounts() for gid in group_ids}
    if not group_ids:
        return out
    for gid, held, signed, disc, minuted in (
        StudySession.objects.filter(held_sessions_q(period, as_of), group_id__in=group_ids)
        .order_by()
        .values_list("group_id")
        .annotate(
            held=Count("pk"),
            signed=Count("pk", filter=SIGNED),
            disc=Count("pk", filter=DISCUSSION),
            minuted=Count("pk", filter=DISCUSSION & MINUTED),
        )
    ):
        c = out[gid]
        c.held, c.signed, c.discussions, c.minuted = held, signed, disc, minuted
    notes = Output.objects.filter(notes_q(period))
    has_note = Exists(notes.filter(group_id=OuterRef("group_id"), author_id=OuterRef("person_id")))
    for gid, members, noted in (
        Membership.objects.filter(members_q(period), group_id__in=group_ids)
        .order_by()
        .values_list("group_id")
        .annotate(
            members=Count("person", distinct=True),
            noted=Count("person", distinct=True, filter=Q(has_note)),
        )
    ):
        out[gid].members, out[gid].noted = members, noted
    for gid, n in (
        notes.filter(group_id__in=group_ids)
        .order_by()
        .values_list("group_id")
        .annotate(n=Count("pk"))
    ):
        out[gid].notes = n
    return out


# --- the compliance check "archive" ---------------------------------------------------------


def load_archive(data: dict[int, GroupData], ids: list[int], period: Period, as_of) -> None:
    for gid, counts in register_counts(ids, period, as_of).items():
        data[gid].archive = counts


def archive_verdict(c: RegisterCounts, period: Period, as_of: dt.date) -> tuple[str, bool]:
    """(status, final): complete is met; a gap while the period runs is at risk (the
    registers can still be completed), a gap once it is over is missed; a group with
    neither sessions nor members has nothing to judge."""
    if not c.held and not c.members:
        return NA, False
    if c.complete:
        return MET, period.over(as_of)
    return (MISSED, True) if period.over(as_of) else (AT_RISK, False)


def judge_archive(r: GroupResult) -> None:
    """三簿 complete: met; a gap while the period runs is at risk (the registers can still
    be completed), a gap once it is over is missed; nothing held yet: not applicable."""
    c: RegisterCounts = r.data.archive or RegisterCounts()
    parts = [
        f"签到簿{REGISTER_STATUS_LABELS[c.sign_in]}（已举行{c.held}次，已签到{c.signed}次）",
        f"研讨记录簿{REGISTER_STATUS_LABELS[c.discussion]}"
        f"（集中研讨{c.discussions}次，有纪要{c.minuted}次）",
        f"自学笔记{REGISTER_STATUS_LABELS[c.self_study]}"
        f"（成员{c.members}人，有学习笔记{c.noted}人）",
    ]
    status, final = archive_verdict(c, r.period, r.as_of)
    missing = [
        name
        for name, s in zip(("签到簿", "研讨记录簿", "自学笔记"), c.statuses, strict=True)
        if s in (INCOMPLETE, NO_RECORD)
    ]
    r.checks["archive"] = Check(
        key="archive",
        status=status,
        value=c.gaps,
        target=0,
        value_text=f"{'、'.join(missing)}不全" if missing else "三簿齐全",
        target_text="三簿齐全",
        detail="；".join(parts),
        final=final,
        source=SOURCE,
    )


def proof_archive(r: GroupResult):
    """The drill-down: one row per register, linked to the group's archive page."""
    from django.urls import NoReverseMatch, reverse

    from zhongxinzu.compliance.proofs import ProofRow

    c: RegisterCounts = r.data.archive or RegisterCounts()
    try:
        link = reverse("archive:group", args=[r.group.pk]) + f"?year={r.period.rule_year}"
    except NoReverseMatch:
        link = ""
    rows = []
    for name, status, done, due, noun in (
        ("签到簿", c.sign_in, c.signed, c.held, "次学习"),
        ("研讨记录簿", c.discussion, c.minuted, c.discussions, "次集中研讨"),
        ("自学笔记", c.self_study, c.noted, c.members, "名成员"),
    ):
        colour = {INCOMPLETE: MISSED, NO_RECORD: MISSED}.get(status, "")
        rows.append(
            ProofRow(
                [name, REGISTER_STATUS_LABELS[status], f"{done}/{due}{noun}"],
                colour,
                link,
                0,
            )
        )
    return ["登记簿", "状态", "已登记/应登记"], rows
