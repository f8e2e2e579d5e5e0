"""The demo city's bulletins: the first half-year's bulletin issued (numbered, sent to every
group, acknowledged by about two thirds of them — the demo secretary's group among them),
and the third quarter's drafted from the records, 经验做法 picked from the visits'
highlights, waiting to be edited and issued. The annual bulletin is left for the user to
draft. Re-running changes nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from zhongxinzu.bulletins import services
from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient
from zhongxinzu.stats.periods import half_span, quarter_span


def _drafted(supervisor, root, span):
    bulletin = Bulletin.objects.filter(
        issuer_unit=root, kind=span.kind, start=span.start, end=span.end
    ).first()
    if bulletin is not None:
        return bulletin, False
    bulletin = services.bulletin_create(actor=supervisor, issuer_unit=root, span=span)
    bulletin = services.bulletin_draft(actor=supervisor, bulletin=bulletin)
    if bulletin.highlights:
        keys = [h["key"] for h in bulletin.highlights[:3]]
        bulletin = services.bulletin_choose_practices(
            actor=supervisor, bulletin=bulletin, keys=keys, expected_version=bulletin.version
        )
    else:
        # No visit of the period recorded highlights: the supervisor writes 经验做法 from what
        # they know, about the units that studied most often.
        rows = sorted(
            bulletin.figures.get("rows", []),
            key=lambda r: (-(r["values"].get("sessions") or 0), r["label"]),
        )[: len(PRACTICES)]
        text = "\n".join(
            f"（{'一二三'[i]}）{row['label']}。{practice}"
            for i, (row, practice) in enumerate(zip(rows, PRACTICES, strict=False))
        )
        bulletin = services.bulletin_update(
            actor=supervisor, bulletin=bulletin, expected_version=bulletin.version, practices=text
        )
    return bulletin, True


PRACTICES = [
    "坚持“第一议题”制度，每次学习由组长带头领学，做到分题到人、事先准备，一人主讲、大家补充。",
    "把调查研究贯穿学习全过程，围绕重点工作形成调研报告，推动学习成果转化为工作举措。",
    "严格学习考勤和请假补学制度，签到簿、研讨记录簿、自学笔记“三簿”齐全，学习记录规范完整。",
]


def build_bulletins_demo(city, rng: random.Random, today: dt.date) -> None:
    from zhongxinzu.org.demo import DEMO_GROUP, ROOT_CODE
    from zhongxinzu.org.models import Unit

    supervisor = city.accounts.get("supervisor")
    root = Unit.objects.get(code=ROOT_CODE)
    if supervisor is None:
        from zhongxinzu.accounts.models import User

        supervisor = User.objects.get(username="supervisor")
    year = today.year if today.month > 6 else today.year - 1
    half, created = _drafted(supervisor, root, half_span(year, 1))
    if created:
        half = services.bulletin_issue(
            actor=supervisor, bulletin=half, expected_version=half.version
        )
        secretary = city.accounts.get("secretary")
        mine = BulletinRecipient.objects.filter(bulletin=half, group__unit__code=DEMO_GROUP)
        for receipt in mine.select_related("group"):
            if secretary is not None:
                services.bulletin_acknowledge(actor=secretary, bulletin=half, group=receipt.group)
        # The other groups' secretaries have no demo accounts: about two thirds of them
        # acknowledged within a fortnight of the issue.
        others = list(
            BulletinRecipient.objects.filter(bulletin=half, acknowledged_at__isnull=True)
            .order_by("group__unit__path")
            .values_list("pk", flat=True)
        )
        now = timezone.now()
        for pk in others:
            if rng.random() < 0.65:
                at = now - dt.timedelta(hours=rng.randint(1, 300))
                BulletinRecipient.objects.filter(pk=pk).update(
                    acknowledged_at=max(at, half.issued_at)
                )
    quarter = (today.month - 1) // 3  # the last full quarter
    q_year = today.year if quarter else today.year - 1
    _drafted(supervisor, root, quarter_span(q_year, quarter or 4))
