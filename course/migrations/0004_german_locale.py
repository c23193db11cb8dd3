"""Course pages can be translated into German: make sure the German locale exists next to the
English one that Wagtail's own migration creates."""

from django.db import migrations


def create_german_locale(apps, schema_editor):
    Locale = apps.get_model("wagtailcore.Locale")
    Locale.objects.get_or_create(language_code="de")


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0003_create_homepage"),
        ("wagtailcore", "0098_apitoken"),
    ]

    # Reversing keeps the locale: German pages may already point to it.
    operations = [migrations.RunPython(create_german_locale, migrations.RunPython.noop)]
