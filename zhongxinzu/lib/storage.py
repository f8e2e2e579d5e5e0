"""Uploaded files are stored under random names outside the web root and served only through
views that check access (as attachments).

`CommitFileSystemStorage` (the default storage) writes a file only once the transaction
that saves its record commits: a rolled-back upload (a refused form, a failed audit write,
a conflict) leaves nothing on disk, and a record never points at a file that is not there
after commit. Outside a transaction it writes at once, as Django's FileSystemStorage does.
"""

import uuid
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.utils import timezone


def random_upload_path(instance, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{instance._meta.app_label}/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}"


class CommitFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        if not connection.in_atomic_block:
            return super()._save(name, content)
        content.seek(0)
        data = content.read()
        # Names are random (random_upload_path), so the name chosen now stays free.
        transaction.on_commit(
            lambda: super(CommitFileSystemStorage, self)._save(name, ContentFile(data))
        )
        return name.replace("\\", "/")
