"""学情通报 pages in the permission matrix.

A bulletin is issued by a unit: the supervisors of that unit's subtree see and manage it;
once issued, every role of a group of that subtree reads it ("own" and "parent" for the
world's group A), and the secretary and leader acknowledge it. Drafts are the issuer's only.
"""

from zhongxinzu.lib.matrix import (
    ALL_HIDDEN,
    DENIED,
    OK,
    SUBTREE,
    SUBTREE_READ_ONLY,
    Page,
    everyone_else,
)

ABOVE = {**ALL_HIDDEN, "own": OK, "parent": OK}
ABOVE_READ_ONLY = {**ALL_HIDDEN, "own": DENIED, "parent": DENIED}

BUSINESS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK, "member": OK}, DENIED)
SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
ISSUED_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": ABOVE, "leader": ABOVE, "member": ABOVE}, DENIED
)
DRAFT_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": ALL_HIDDEN, "leader": ALL_HIDDEN, "member": ALL_HIDDEN},
    DENIED,
)
WRITE = everyone_else({"supervisor": SUBTREE}, DENIED)
ACK = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": ABOVE,
        "leader": ABOVE,
        "member": ABOVE_READ_ONLY,
    },
    DENIED,
)


def make_bulletin(world, rel, status="issued"):
    import datetime as dt

    from django.utils import timezone

    from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient, BulletinVersion
    from zhongxinzu.stats.selectors import subtree_groups

    unit = world.units[rel]
    issued = status == "issued"
    b, created = Bulletin.objects.get_or_create(
        issuer_unit=unit,
        title=f"矩阵通报{status}",
        defaults={
            "kind": "year",
            "start": dt.date(2026, 1, 1),
            "end": dt.date(2026, 12, 31),
            "status": status,
            "doc_prefix": "矩通",
            "overview": "总体情况。",
            "problems": "存在问题。",
            "requirements": "工作要求。",
            "drafted_at": timezone.now(),
            "created_by": world.users["supervisor"],
            "serial": 1 if issued else None,
            "number_year": 2026 if issued else None,
            "doc_number": "矩通〔2026〕1号" if issued else "",
            "issued_at": timezone.now() if issued else None,
        },
    )
    if created and issued:
        BulletinVersion.objects.create(
            bulletin=b,
            number=1,
            title=b.title,
            created_by=world.users["supervisor"],
            **b.texts(),
        )
        BulletinRecipient.objects.bulk_create(
            [BulletinRecipient(bulletin=b, group=g) for g in subtree_groups(unit)]
        )
    return b


OBJECTS = {
    "bulletin": make_bulletin,
    "draft_bulletin": lambda w, rel: make_bulletin(w, rel, "draft"),
}

ENTRIES = [
    Page("bulletins:list", "GET", BUSINESS),
    Page("bulletins:create", "GET", SUPERVISOR_ONLY),
    Page("bulletins:create", "POST", SUPERVISOR_ONLY, data={"period": "year"}),
    Page("bulletins:detail", "GET", ISSUED_READ, obj="bulletin"),
    Page("bulletins:detail", "GET", DRAFT_READ, obj="draft_bulletin"),
    Page("bulletins:section", "GET", WRITE, obj="draft_bulletin", kwargs={"section": "overview"}),
    Page("bulletins:section", "POST", WRITE, obj="draft_bulletin", kwargs={"section": "overview"}),
    Page("bulletins:section", "GET", WRITE, obj="bulletin", kwargs={"section": "header"}),
    Page("bulletins:section", "POST", WRITE, obj="bulletin", kwargs={"section": "problems"}),
    Page("bulletins:practices", "POST", WRITE, obj="draft_bulletin"),
    Page("bulletins:regenerate", "POST", WRITE, obj="draft_bulletin"),
    Page("bulletins:issue", "POST", WRITE, obj="draft_bulletin"),
    Page("bulletins:acknowledge", "POST", ACK, obj="bulletin"),
    Page("bulletins:download", "GET", ISSUED_READ, obj="bulletin"),
    Page("bulletins:download", "GET", DRAFT_READ, obj="draft_bulletin"),
]
