"""Outputs and conversions in the permission matrix. The "own" output is the member's (so a
member reaches it); the others belong to an ordinary member of each relation's group."""

from zhongxinzu.lib.matrix import (
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
    SUBTREE_READ_ONLY,
    Page,
    everyone_else,
)

BUSINESS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK, "member": OK}, DENIED)
MEMBERS = everyone_else({"secretary": OK, "leader": OK, "member": OK}, DENIED)
STATS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK}, DENIED)
STATS_GROUP = everyone_else({"supervisor": SUBTREE, "secretary": OWN, "leader": OWN}, DENIED)
READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, DENIED
)
AUTHOR = everyone_else({"secretary": OWN_READ_ONLY, "leader": OWN_READ_ONLY, "member": OWN}, DENIED)
REVIEW = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN_READ_ONLY,
        "leader": OWN,
        "member": OWN_READ_ONLY,
    },
    DENIED,
)
SECRETARY = everyone_else({"secretary": OWN}, DENIED)

MATRIX_PDF = b"%PDF-1.4\n% matrix\n"


def _output(world, rel):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage, default_storage
    from django.utils import timezone

    from zhongxinzu.outputs.models import Output

    name = "outputs/matrix/output.pdf"
    if not default_storage.exists(name):
        # Written now: the test transaction never commits, so default_storage would defer it.
        FileSystemStorage().save(name, ContentFile(MATRIX_PDF))
    author = world.users["member"].person if rel == "own" else world.people[rel]
    return Output.objects.get_or_create(
        group=world.groups[rel],
        author=author,
        title="矩阵发言材料",
        defaults={
            "kind": "speech",
            "body": "发言提纲",
            "year": 2026,
            "status": "submitted",
            "submitted_at": timezone.now(),
            "file": name,
        },
    )[0]


def _conversion(world, rel):
    import datetime as dt

    from zhongxinzu.outputs.models import Conversion

    return Conversion.objects.get_or_create(
        output=_output(world, rel),
        title="矩阵制度文件",
        defaults={
            "kind": "policy",
            "doc_number": "教党〔2026〕5号",
            "issued_on": dt.date(2026, 3, 1),
        },
    )[0]


OBJECTS = {"output": _output, "conversion": _conversion}

ENTRIES = [
    Page("outputs:output_list", "GET", BUSINESS),
    Page("outputs:output_list_xlsx", "GET", BUSINESS),
    Page("outputs:output_create", "GET", MEMBERS),
    Page("outputs:output_create", "POST", MEMBERS, data={"title": ""}),
    Page("outputs:output_stats", "GET", STATS),
    Page("outputs:output_stats", "GET", STATS_GROUP, obj="group", param="group"),
    Page("outputs:output_detail", "GET", READ, obj="output"),
    Page("outputs:output_edit", "GET", AUTHOR, obj="output"),
    Page("outputs:output_edit", "POST", AUTHOR, obj="output", data={"title": ""}),
    Page("outputs:output_delete", "POST", AUTHOR, obj="output"),
    Page("outputs:output_review", "POST", REVIEW, obj="output", data={"decision": "x"}),
    Page("outputs:output_file", "GET", READ, obj="output"),
    Page("outputs:conversion_create", "GET", SECRETARY, obj="output"),
    Page("outputs:conversion_create", "POST", SECRETARY, obj="output", data={"title": ""}),
    Page("outputs:conversion_list", "GET", BUSINESS),
    Page("outputs:conversion_list_xlsx", "GET", BUSINESS),
    Page("outputs:conversion_delete", "POST", SECRETARY, obj="conversion"),
]
