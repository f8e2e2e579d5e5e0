import django.db.models.functions.text
from django.db import migrations, models

ADMIN_ROLES = ["sys_admin", "sec_admin", "audit_admin"]


def resolve_collisions(apps, schema_editor):
    """Make existing rows fit the new constraints: a username that differs from an earlier
    one only in case gets a numbered suffix; an account holding two admin roles (which the
    services never allowed) keeps its earliest one."""
    User = apps.get_model("accounts", "User")
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    seen = set()
    taken = {u.lower() for u in User.objects.values_list("username", flat=True)}
    for user in User.objects.order_by("pk"):
        key = user.username.lower()
        if key in seen:
            n = 2
            while f"{key}-{n}" in taken:
                n += 1
            user.username = f"{user.username}-{n}"
            taken.add(user.username.lower())
            user.save(update_fields=["username"])
        seen.add(key)
    kept = set()
    for grant in RoleGrant.objects.filter(role__in=ADMIN_ROLES).order_by("granted_at", "pk"):
        if grant.user_id in kept:
            grant.delete()
        kept.add(grant.user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_activated_at"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(resolve_collisions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="rolegrant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role__in", ADMIN_ROLES)),
                fields=("user",),
                name="one_admin_role_per_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"), name="user_username_ci_unique"
            ),
        ),
    ]
