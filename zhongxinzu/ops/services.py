"""Backup and restore: the whole database and the uploaded files in one .tar.gz.

The database goes through Django's serialisation (JSON Lines, microseconds kept), not a
vendor tool, so one format serves SQLite and PostgreSQL alike and a backup of the embedded
SQLite database restores into PostgreSQL. The archive holds

    database.zxzjsonl   every row, model by model, in primary-key order
    media/...           the files under MEDIA_ROOT
    manifest.json       format, time, migrations, row counts, and a SHA-256 of every member

and a `<archive>.sha256` file beside it, in `sha256sum` format.

A restore verifies every checksum before it touches anything, and loads only into a freshly
migrated database: the audit table's triggers refuse to change or delete young records, so
"restore over existing data" cannot be done honestly and is not offered. Rows that the
migrations themselves wrote (default rules and the like) are replaced by the backup's.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import io
import json
import re
import shutil
import tarfile
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from zhongxinzu.audit.services import audit_record

FORMAT_NAME = "zhongxinzu-backup"
FORMAT_VERSION = 1
SERIALIZER = "zxzjsonl"
DB_MEMBER = f"database.{SERIALIZER}"
MANIFEST_MEMBER = "manifest.json"
SIGNATURE_MEMBER = "manifest.sig"


def _signing_key() -> bytes:
    """The backup signing key, kept outside every backup: BACKUP_SIGNING_KEY_FILE or
    BACKUP_SIGNING_KEY; without either, a key derived from SECRET_KEY (also outside)."""
    path = getattr(settings, "BACKUP_SIGNING_KEY_FILE", "")
    if path:
        return Path(path).read_bytes().strip()
    if key := getattr(settings, "BACKUP_SIGNING_KEY", ""):
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"zhongxinzu.backup", "sha256").digest()


def _sign(raw_manifest: bytes) -> bytes:
    """HMAC-SHA256 of the manifest, which holds the SHA-256 of every other member: a backup
    edited and given a recomputed manifest no longer matches without the key."""
    return hmac.new(_signing_key(), raw_manifest, "sha256").hexdigest().encode()


MEDIA_PREFIX = "media/"
ARCHIVE_PREFIX = "zhongxinzu-backup-"

# Rebuilt by `migrate` itself, so never dumped: restore resolves references to them by
# natural key. Sessions are left out on purpose: a restore logs everybody out.
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]

# No migration ever writes these: a database holding any of them is not freshly migrated.
IN_USE_MARKERS = [settings.AUTH_USER_MODEL, "audit.AuditEntry", "org.Unit"]

_MODEL_RE = re.compile(r'^\{"model": "([\w.]+)"')
_CHUNK = 1024 * 1024


class BackupError(ValidationError):
    """A backup or restore refused, with a message for the operator (in Chinese)."""


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.data["files"]

    @property
    def rows(self) -> dict[str, int]:
        return self.data["rows"]

    @property
    def migrations(self) -> list[str]:
        return self.data["migrations"]


def _register_serializer() -> None:
    if SERIALIZER not in serializers.get_serializer_formats():
        serializers.register_serializer(SERIALIZER, "zhongxinzu.ops.serializer")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _os_user() -> str:
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:?"


def _applied_migrations() -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


@contextmanager
def _snapshot():
    """One consistent view of the database for the whole dump, without blocking writers."""
    if connection.in_atomic_block:  # already inside a transaction (tests): that is the view
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred read transaction: under WAL it sees one snapshot and lets writers go on
        # (the project's default BEGIN IMMEDIATE would hold the write lock for the whole dump).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:
        with transaction.atomic():
            yield


def _count_rows(dump: Path) -> dict[str, int]:
    counts: Counter[str] = Counter()
    with dump.open(encoding="utf-8") as f:
        for line in f:
            if m := _MODEL_RE.match(line):
                counts[m.group(1)] += 1
    return dict(sorted(counts.items()))


class _HashingReader(io.RawIOBase):
    """Hands a file to tarfile and hashes exactly the bytes tarfile takes."""

    def __init__(self, f):
        self._f = f
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def read(self, size=-1):
        data = self._f.read(size)
        self.digest.update(data)
        return data


def _media_files(root: Path) -> list[tuple[Path, str]]:
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path, MEDIA_PREFIX + path.relative_to(root).as_posix()))
    return found


def _prune(output_dir: Path, keep: int) -> list[Path]:
    archives = sorted(output_dir.glob(f"{ARCHIVE_PREFIX}*.tar.gz"))
    removed = archives[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
        Path(f"{old}.sha256").unlink(missing_ok=True)
    return removed


def backup_create(*, output_dir: Path, keep: int = 0) -> Path:
    """Write a backup archive (and its .sha256) into `output_dir`; return the archive's path.
    With `keep` > 0, older archives beyond the newest `keep` are removed afterwards."""
    _register_serializer()
    output_dir.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    stamp = f"{timezone.localtime(now):%Y%m%d-%H%M%S}"
    name, n = f"{ARCHIVE_PREFIX}{stamp}.tar.gz", 1
    while (output_dir / name).exists():
        n += 1
        name = f"{ARCHIVE_PREFIX}{stamp}-{n}.tar.gz"
    target = output_dir / name
    partial = output_dir / f".{name}.partial"

    with tempfile.TemporaryDirectory(prefix="zxz-backup-") as tmp:
        dump = Path(tmp) / DB_MEMBER
        with _snapshot():
            migrations = _applied_migrations()
            call_command(
                "dumpdata",
                format=SERIALIZER,
                exclude=EXCLUDED,
                natural_foreign=True,
                use_base_manager=True,
                output=str(dump),
                verbosity=0,
            )
        files = {DB_MEMBER: {"sha256": _sha256_file(dump), "size": dump.stat().st_size}}
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(dump, arcname=DB_MEMBER, recursive=False)
                for path, arcname in _media_files(Path(settings.MEDIA_ROOT)):
                    info = tar.gettarinfo(str(path), arcname=arcname)
                    with path.open("rb") as f:
                        reader = _HashingReader(f)
                        tar.addfile(info, reader)
                    files[arcname] = {"sha256": reader.digest.hexdigest(), "size": info.size}
                manifest = {
                    "format": FORMAT_NAME,
                    "version": FORMAT_VERSION,
                    "created_at": now.isoformat(),
                    "database_vendor": connection.vendor,
                    "django": django.get_version(),
                    "migrations": migrations,
                    "rows": _count_rows(dump),
                    "files": files,
                }
                raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST_MEMBER)
                info.size, info.mtime, info.mode = len(raw), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(raw))
                sig = _sign(raw)
                info = tarfile.TarInfo(SIGNATURE_MEMBER)
                info.size, info.mtime, info.mode = len(sig), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(sig))
            partial.chmod(0o600)  # personal data: readable by the service account only
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)

    Path(f"{target}.sha256").write_text(f"{_sha256_file(target)}  {target.name}\n")
    audit_record(
        action="backup",
        object_type="backup",
        object_id=target.name[:64],
        username=_os_user(),
        detail={"rows": sum(manifest["rows"].values()), "files": len(files) - 1},
    )
    _prune(output_dir, keep)
    return target


def _safe_member_name(name: str) -> bool:
    p = PurePosixPath(name)
    return (
        not p.is_absolute()
        and ".." not in p.parts
        and name == p.as_posix()
        and (
            name in (MANIFEST_MEMBER, SIGNATURE_MEMBER, DB_MEMBER) or name.startswith(MEDIA_PREFIX)
        )
    )


def _refuse(message: str):
    raise BackupError(message)


def _check_sidecar(archive: Path) -> None:
    sidecar = Path(f"{archive}.sha256")
    if not sidecar.exists():
        return
    expected = sidecar.read_text().split()[:1]
    if expected != [_sha256_file(archive)]:
        _refuse(
            f"备份文件校验失败：{archive.name} 的 SHA-256 与 {sidecar.name} 不一致，"
            "文件可能已损坏或被篡改，已拒绝恢复。"
        )


def backup_extract(*, archive: Path, into: Path) -> Manifest:
    """Unpack `archive` into the directory `into` and verify every member against the
    manifest. Raises BackupError (nothing is kept that failed the check)."""
    if not archive.is_file():
        _refuse(f"找不到备份文件：{archive}")
    _check_sidecar(archive)
    actual: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if not member.isfile() or not _safe_member_name(member.name):
                    _refuse(f"备份文件含有不允许的条目“{member.name}”，已拒绝恢复。")
                if member.name in actual:
                    _refuse(f"备份文件中“{member.name}”重复出现，已拒绝恢复。")
                dest = into / member.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                src = tar.extractfile(member)
                with dest.open("wb") as out:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                actual[member.name] = (digest.hexdigest(), member.size)
    except (tarfile.TarError, OSError, EOFError) as e:
        _refuse(f"备份文件无法读取（{e.__class__.__name__}），可能已损坏。")

    if MANIFEST_MEMBER not in actual:
        _refuse("备份文件缺少 manifest.json，不是本系统生成的备份。")
    if SIGNATURE_MEMBER not in actual:
        _refuse("备份文件没有签名（manifest.sig），无法确认未被篡改，已拒绝恢复。")
    signature = (into / SIGNATURE_MEMBER).read_bytes().strip()
    if not hmac.compare_digest(signature, _sign((into / MANIFEST_MEMBER).read_bytes())):
        _refuse(
            "备份文件签名校验失败：清单与签名不符（备份被篡改，或本机的 BACKUP_SIGNING_KEY "
            "与备份时不同），已拒绝恢复。"
        )
    actual.pop(SIGNATURE_MEMBER)
    try:
        data = json.loads((into / MANIFEST_MEMBER).read_text(encoding="utf-8"))
        manifest = Manifest(data)
        files = manifest.files
        if data.get("format") != FORMAT_NAME:
            _refuse("manifest.json 格式不符，不是本系统生成的备份。")
        if data.get("version") != FORMAT_VERSION:
            _refuse(f"备份格式版本 {data.get('version')} 不受支持（本程序支持 {FORMAT_VERSION}）。")
    except (ValueError, KeyError, TypeError):
        _refuse("manifest.json 无法解析，备份文件可能已损坏。")
    actual.pop(MANIFEST_MEMBER)
    if set(actual) != set(files) or DB_MEMBER not in files:
        extra = sorted(set(actual) ^ set(files))[:3]
        _refuse(
            f"备份文件内容与清单不一致（{'、'.join(extra) or DB_MEMBER}），"
            "可能已被篡改，已拒绝恢复。"
        )
    for name, (sha, size) in sorted(actual.items()):
        if files[name].get("sha256") != sha or files[name].get("size") != size:
            _refuse(f"备份文件已损坏或被篡改：{name} 的 SHA-256 校验不一致，已拒绝恢复。")
    return manifest


def backup_verify(*, archive: Path) -> Manifest:
    """Check an archive without restoring it."""
    with tempfile.TemporaryDirectory(prefix="zxz-verify-") as tmp:
        return backup_extract(archive=archive, into=Path(tmp))


def _check_target(manifest: Manifest) -> None:
    applied = set(_applied_migrations())
    missing = sorted(set(manifest.migrations) - applied)
    if missing:
        _refuse(
            f"目标数据库缺少 {len(missing)} 个数据库迁移（如 {missing[0]}）：请用不低于备份时的"
            "程序版本，先执行 manage.py migrate，再恢复。"
        )
    for label in manifest.rows:
        try:
            apps.get_model(label)
        except LookupError:
            _refuse(f"备份中的数据表 {label} 在本程序中不存在：请使用与备份相同的程序版本恢复。")
    occupied = [
        str(model._meta.verbose_name)
        for model in map(apps.get_model, IN_USE_MARKERS)
        if model._base_manager.exists()
    ]
    if occupied:
        _refuse(
            f"目标数据库不是空库（{'、'.join(map(str, occupied[:5]))}已有数据）。恢复只能导入"
            "新建并执行过 migrate 的空数据库，不会覆盖现有数据。"
        )


def _clear_seeded(labels) -> None:
    """Empty the tables that migrations filled (in a freshly migrated database, only those have
    rows), so that the backup's rows replace them exactly. Tables that protect each other are
    emptied dependants first: retry until nothing is left."""
    pending = [m for m in map(apps.get_model, labels) if m._base_manager.exists()]
    while pending:
        stuck = []
        for model in pending:
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except (ProtectedError, RestrictedError, IntegrityError):
                stuck.append(model)
        if len(stuck) == len(pending):
            names = "、".join(str(m._meta.verbose_name) for m in stuck)
            _refuse(f"无法清空由数据库迁移写入的数据（{names}），已拒绝恢复。")
        pending = stuck


def _check_media(staged: Path, media_root: Path) -> None:
    for path in staged.rglob("*"):
        if path.is_file():
            dest = media_root / path.relative_to(staged)
            if dest.exists() and _sha256_file(dest) != _sha256_file(path):
                _refuse(f"上传文件目录中已存在不同内容的同名文件：{dest}，已拒绝恢复。")


def backup_restore(*, archive: Path) -> Manifest:
    """Restore `archive` into the current (empty, migrated) database and MEDIA_ROOT."""
    _register_serializer()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="zxz-restore-") as tmp:
        staged = Path(tmp)
        manifest = backup_extract(archive=archive, into=staged)
        _check_target(manifest)
        staged_media = staged / MEDIA_PREFIX.rstrip("/")
        _check_media(staged_media, media_root)
        # One transaction: loaddata defers constraint checks to the end and resets the
        # PostgreSQL sequences; all or nothing.
        with transaction.atomic():
            _clear_seeded(manifest.rows)
            call_command("loaddata", str(staged / DB_MEMBER), verbosity=0)
        if staged_media.is_dir():
            for path in sorted(staged_media.rglob("*")):
                if path.is_file():
                    dest = media_root / path.relative_to(staged_media)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)
    for label, expected in manifest.rows.items():
        got = apps.get_model(label)._base_manager.count()
        if got != expected:
            _refuse(f"恢复后 {label} 有 {got} 行，备份中为 {expected} 行，请检查。")
    audit_record(
        action="restore",
        object_type="backup",
        object_id=archive.name[:64],
        username=_os_user(),
        detail={
            "rows": sum(manifest.rows.values()),
            "files": len(manifest.files) - 1,
            "created_at": manifest.data.get("created_at", ""),
        },
    )
    return manifest
