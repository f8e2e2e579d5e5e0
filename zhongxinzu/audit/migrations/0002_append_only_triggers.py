"""Make the audit table append-only in the database itself: no UPDATE ever, and no DELETE of
records younger than the 184-day retention period."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    """CREATE TRIGGER audit_no_early_delete BEFORE DELETE ON audit_auditentry
       WHEN OLD.at > datetime('now', '-184 days')
       BEGIN SELECT RAISE(ABORT, 'audit records are kept for 184 days'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER audit_no_update;", "DROP TRIGGER audit_no_early_delete;"]

POSTGRES = [
    """CREATE FUNCTION audit_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'audit log is append-only';
         END IF;
         IF OLD.at > now() - interval '184 days' THEN
           RAISE EXCEPTION 'audit records are kept for 184 days';
         END IF;
         RETURN OLD;
       END $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_guard();""",
]
POSTGRES_REVERSE = ["DROP TRIGGER audit_guard ON audit_auditentry;", "DROP FUNCTION audit_guard();"]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
