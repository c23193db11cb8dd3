"""The "Facilitators" group: may sign in to the Wagtail admin and add, change and view cohorts,
memberships, circles, invitations and lesson dates. Which cohorts they see is decided by
cohorts.access.facilitated_cohorts; creating and deleting cohorts is left to staff by the
cohort permission policy (cohorts.admin_views.CohortPermissionPolicy)."""

from django.db import migrations

GROUP_NAME = "Facilitators"
MODELS = {
    "cohort": "cohort",
    "membership": "membership",
    "circle": "circle",
    "invitation": "invitation",
    "lessondate": "lesson date",
}
ACTIONS = ("add", "change", "view")


def create_facilitators_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    # On a fresh database the permissions do not exist yet (Django creates them after the last
    # migration); get_or_create makes the same rows Django would, so nothing is duplicated.
    permissions = []
    for model, verbose_name in MODELS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="cohorts", model=model)
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            permissions.append(permission)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    permissions.append(access_admin)

    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*permissions)


def remove_facilitators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_facilitators_group, remove_facilitators_group)]
