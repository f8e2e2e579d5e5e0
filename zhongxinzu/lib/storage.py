"""Uploaded files are stored under random names outside the web root and served only through
views that check access (as attachments)."""

import uuid
from pathlib import PurePath

from django.utils import timezone


def random_upload_path(instance, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{instance._meta.app_label}/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}"
