"""Page views keep working while another process holds a long write transaction on SQLite
(e.g. an assessment computation or an import): a view must not need the write lock."""

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from zhongxinzu.accounts.models import User

# Runs in a fresh process on a file copy of the test database: signs in, then requests pages
# while a second connection holds BEGIN IMMEDIATE longer than SQLite's default 5 s wait.
SCRIPT = textwrap.dedent(
    """
    import sqlite3, sys, threading
    import django
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from zhongxinzu.accounts.models import User

    path, username = sys.argv[1], sys.argv[2]
    client = Client()
    client.force_login(User.objects.get(username=username))
    first = client.get("/meetings/mine/")
    assert first.status_code == 200, (first.status_code, first.get("Location"))
    locked, done = threading.Event(), threading.Event()

    def hold():
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE django_session SET expire_date = expire_date")
        locked.set()
        done.wait(8)
        other.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait()
    codes = [client.get(p).status_code for p in ("/meetings/mine/", "/", "/meetings/mine/")]
    done.set()
    holder.join()
    print(" ".join(map(str, codes)))
    """
)


@pytest.mark.django_db(transaction=True)
def test_page_view_succeeds_while_another_connection_holds_a_write_transaction(world, tmp_path):
    User.objects.filter(username="member").update(password_changed_at=timezone.now())
    path = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    env = {
        "DJANGO_SETTINGS_MODULE": "zhongxinzu.settings_test",
        "DATABASE_URL": f"sqlite:///{path}",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), "member"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["200", "302", "200"]
