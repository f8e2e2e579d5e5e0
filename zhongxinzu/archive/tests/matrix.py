"""学习档案: pages in the permission matrix.

Object kinds: "archive_volume" — a stored volume of that relation's group (its two files
written at once, since the test transaction never commits)."""

from __future__ import annotations

from zhongxinzu.lib.matrix import (
    ALL_HIDDEN,
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
    Page,
    everyone_else,
)

ZIP_PATH = "archive/matrix/volume.zip"
DOCX_PATH = "archive/matrix/volume.docx"


def _stored(path: str, data: bytes) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage, default_storage

    if not default_storage.exists(path):
        FileSystemStorage().save(path, ContentFile(data))
    return path


def _volume(world, rel):
    from zhongxinzu.archive.models import ArchiveVolume

    group = world.groups[rel]
    return ArchiveVolume.objects.get_or_create(
        group=group,
        year=2026,
        version=1,
        defaults={
            "file": _stored(ZIP_PATH, b"PK\x05\x06" + b"\0" * 18),
            "print_file": _stored(DOCX_PATH, b"PK\x05\x06" + b"\0" * 18),
            "catalogue": [],
        },
    )[0]


OBJECTS = {"archive_volume": _volume}

ARCHIVE_READ = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN,
        "leader": OWN,
        "member": OWN_READ_ONLY,
        "observer": ALL_HIDDEN,
    },
    DENIED,
)
ARCHIVE_BUILD = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN,
        "leader": OWN_READ_ONLY,
        "member": OWN_READ_ONLY,
        "observer": ALL_HIDDEN,
    },
    DENIED,
)

ENTRIES = [
    Page("archive:overview", "GET", everyone_else({"supervisor": OK}, DENIED)),
    Page("archive:group", "GET", ARCHIVE_READ, obj="group"),
    Page("archive:build", "POST", ARCHIVE_BUILD, obj="group", data={"year": 2026}),
    Page("archive:download", "GET", ARCHIVE_READ, obj="archive_volume"),
]
