"""Issue 8 §5c: the documented deployment (README 部署) where the application's database
role may only SELECT and INSERT on the audit table: it cannot UPDATE, DELETE, or drop the
append-only trigger, whatever the application does."""

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "zxz_app_restricted_test"


def _admin_conn():
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"],
        port=s["PORT"] or 5432,
        password=s.get("PASSWORD") or None,
        autocommit=True,
    )


@pytest.fixture
def restricted():
    s = connection.settings_dict
    with _admin_conn() as admin:
        admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
        admin.execute(f"CREATE ROLE {ROLE} LOGIN")
        # The grants README 部署 documents for the audit tables.
        admin.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
        admin.execute(f"GRANT SELECT, INSERT ON audit_auditentry TO {ROLE}")
        admin.execute(f"GRANT USAGE ON SEQUENCE audit_auditentry_id_seq TO {ROLE}")
    conn = psycopg.connect(
        dbname=s["NAME"], user=ROLE, host=s["HOST"], port=s["PORT"] or 5432, autocommit=True
    )
    yield conn
    conn.close()
    with _admin_conn() as admin:
        admin.execute(f"REVOKE ALL ON audit_auditentry FROM {ROLE}")
        admin.execute(f"REVOKE ALL ON SEQUENCE audit_auditentry_id_seq FROM {ROLE}")
        admin.execute(f"REVOKE ALL ON SCHEMA public FROM {ROLE}")
        admin.execute(f"DROP ROLE {ROLE}")


def test_restricted_role_inserts_but_cannot_update_delete_or_drop_the_trigger(restricted):
    (current,) = restricted.execute("SELECT current_user").fetchone()
    assert current == ROLE
    (entry_id,) = restricted.execute(
        "INSERT INTO audit_auditentry (at, username, roles, unit, action, object_type,"
        " object_id, object_repr, outcome, request_id, detail)"
        " VALUES (now(), 'u', '', '', 'login', '', '', '', 'success', '', '{}') RETURNING id"
    ).fetchone()
    for sql in (
        "UPDATE audit_auditentry SET username = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            restricted.execute(sql, [entry_id])
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        restricted.execute("DROP TRIGGER audit_guard ON audit_auditentry")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        restricted.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_guard")
