"""Backup / restore drill: the archive made from the test database restores into a second,
freshly migrated database (a separate SQLite file, through `manage.py` in a subprocess: the
test database itself can never be emptied, since the audit triggers keep young records)."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record
from zhongxinzu.ops import services
from zhongxinzu.rules.models import RuleValue

ROOT = Path(settings.BASE_DIR)
SIGNING_KEY = "drill-signing-key-" + "s" * 32


def _manage(*args, db: Path, media: Path, check=True):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "EXPECT_DB_VENDOR"}}
    env.update(
        DJANGO_SETTINGS_MODULE="zhongxinzu.settings",
        DEBUG="0",
        DEMO_MODE="0",
        SECRET_KEY="restore-drill-" + "k" * 40,
        DATABASE_URL=f"sqlite:///{db}",
        MEDIA_ROOT=str(media),
        BACKUP_SIGNING_KEY=SIGNING_KEY,
        # Phones are encrypted at rest (org.fields).
        PHONE_ENCRYPTION_KEY="Fmu9XEuGDcnwRXq4dg8WvDpUGCXYiWfgORSOkIplp7Q=",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


def _rows(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.extractfile(services.DB_MEMBER).read().decode().splitlines()


def _repack(archive: Path, dest: Path, change) -> Path:
    """Copy `archive` to `dest`, passing each member's bytes through change(name, data)."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w:gz") as out:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return dest


@pytest.fixture
def media(tmp_path, settings):
    settings.BACKUP_SIGNING_KEY = SIGNING_KEY
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "sessions" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "sessions" / "2026" / "纪要.docx").write_bytes(b"PK\x03\x04 minutes")
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(world, media, tmp_path):
    audit_record(action="login", username="secretary", detail={"note": "年轻的审计记录"})
    # Rows that a data migration wrote, then changed here: the restore must bring back these
    # values, not the fresh database's defaults.
    default = RuleValue.objects.filter(scope=None, year=None).order_by("pk").first()
    default.value, default.note = 99, "本地调整"
    default.save()
    RuleValue.objects.create(rule=default.rule, scope=world.units["own"], year=2026, value=7)
    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    (found,) = (tmp_path / "backups").glob("zhongxinzu-backup-*.tar.gz")
    return found


def test_backup_holds_rows_files_and_checksums(archive, world):
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names == {
        "manifest.json",
        "manifest.sig",
        services.DB_MEMBER,
        "media/sessions/2026/纪要.docx",
    }
    assert manifest["rows"]["org.unit"] == len(world.units)
    assert manifest["rows"]["audit.auditentry"] >= 1
    assert "contenttypes.contenttype" not in manifest["rows"]
    assert set(manifest["files"]) == names - {"manifest.json", "manifest.sig"}
    sidecar = Path(f"{archive}.sha256").read_text().split()
    assert sidecar[1] == archive.name and len(sidecar[0]) == 64
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert AuditEntry.objects.filter(action="backup", object_id=archive.name).exists()


def test_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(archive, tmp_path):
    db, media2 = tmp_path / "restored.sqlite3", tmp_path / "media2"
    _manage("migrate", "--noinput", "-v0", db=db, media=media2)
    out = _manage("restore", str(archive), db=db, media=media2).stdout
    assert "恢复完成" in out
    assert (media2 / "sessions" / "2026" / "纪要.docx").read_bytes() == b"PK\x03\x04 minutes"

    # A backup of the restored database holds every original row, exactly (microseconds
    # included), plus the audit record of the restore itself.
    _manage("backup", "--output", str(tmp_path / "again"), db=db, media=media2)
    (again,) = (tmp_path / "again").glob("zhongxinzu-backup-*.tar.gz")
    # The audit chain head moves on with the restore's own audit record.
    before, after = (
        [r for r in _rows(a) if '"audit.auditchainhead"' not in r] for a in (archive, again)
    )
    assert set(before) <= set(after)
    extra = [json.loads(line) for line in set(after) - set(before)]
    assert [(e["model"], e["fields"]["action"]) for e in extra] == [("audit.auditentry", "restore")]

    # The restored audit log, with the restore's record appended, still verifies.
    assert "审计日志完整" in _manage("verify_audit", db=db, media=media2).stdout

    # The restored database refuses a second restore: it is no longer empty.
    second = _manage("restore", str(archive), db=db, media=media2, check=False)
    assert second.returncode != 0 and "不是空库" in second.stderr


def test_restore_refuses_a_tampered_archive(archive, tmp_path):
    def change(name, data):
        return (
            data.replace("成员own".encode(), "篡改者".encode())
            if name == services.DB_MEMBER
            else data
        )

    tampered = _repack(archive, tmp_path / "tampered.tar.gz", change)
    with pytest.raises(CommandError, match="被篡改.*SHA-256"):
        call_command("restore", str(tampered), verify_only=True)


def test_restore_refuses_an_archive_that_no_longer_matches_its_sha256_file(archive):
    with archive.open("ab") as f:
        f.write(b"\0")
    with pytest.raises(CommandError, match=r"\.sha256 不一致"):
        call_command("restore", str(archive), verify_only=True)


def test_restore_refuses_unexpected_members(archive, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(evil, "w:gz") as out:
        for member in src:
            out.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("../../etc/cron.d/evil")
        info.size = 4
        out.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(CommandError, match="不允许的条目"):
        call_command("restore", str(evil))


def test_restore_refuses_a_database_that_already_has_data(archive):
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(archive))


def test_verify_only_accepts_an_intact_archive(archive):
    out = io.StringIO()
    call_command("restore", str(archive), verify_only=True, stdout=out)
    assert "校验通过" in out.getvalue()


def test_keep_prunes_older_archives(world, media, tmp_path):
    out = tmp_path / "rotating"
    for _ in range(3):
        call_command("backup", output=str(out), keep=2, stdout=io.StringIO())
    assert len(list(out.glob("*.tar.gz"))) == 2
    assert len(list(out.glob("*.tar.gz.sha256"))) == 2


def test_restore_refuses_an_edited_archive_whose_manifest_was_recomputed(archive, tmp_path):
    """The attacker edits the data and recomputes every checksum (manifest and .sha256):
    without the signing key, which is not in the backup, the signature no longer fits."""
    import hashlib

    def change(name, data):
        if name == services.DB_MEMBER:
            return data.replace("成员own".encode(), "篡改者".encode())
        return data

    with tarfile.open(archive) as tar:
        dump = change(services.DB_MEMBER, tar.extractfile(services.DB_MEMBER).read())
    digest = hashlib.sha256(dump).hexdigest()

    def forge(name, data):
        if name == services.MANIFEST_MEMBER:
            manifest = json.loads(data)
            manifest["files"][services.DB_MEMBER] = {"sha256": digest, "size": len(dump)}
            return json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        return change(name, data)

    forged = _repack(archive, tmp_path / "forged.tar.gz", forge)
    Path(f"{forged}.sha256").write_text(
        f"{hashlib.sha256(forged.read_bytes()).hexdigest()}  {forged.name}\n"
    )
    with pytest.raises(CommandError, match="签名校验失败"):
        call_command("restore", str(forged), verify_only=True)


def test_restore_refuses_an_unsigned_archive(archive, tmp_path):
    def drop_signature(name, data):
        return data

    unsigned = tmp_path / "unsigned.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(unsigned, "w:gz") as out:
        for member in src:
            if member.name != services.SIGNATURE_MEMBER:
                out.addfile(member, src.extractfile(member))
    with pytest.raises(CommandError, match="没有签名"):
        call_command("restore", str(unsigned), verify_only=True)


def test_restore_with_another_key_is_refused(archive, settings):
    settings.BACKUP_SIGNING_KEY = "another-key-" + "o" * 32
    with pytest.raises(CommandError, match="签名校验失败"):
        call_command("restore", str(archive), verify_only=True)
