"""Replace Wagtail's placeholder welcome page with our HomePage as the default site's root."""

from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("course.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    # Wagtail's own migration creates a placeholder page at /home/; delete it if it is still there.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()

    homepage_content_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="course")
    locale = Locale.objects.order_by("pk").first()
    homepage = HomePage.objects.create(
        title="Klartext",
        draft_title="Klartext",
        slug="home",
        content_type=homepage_content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale_id=locale.pk if locale else None,
        live=True,
        intro="<p>Build an honest digital presence, one post at a time.</p>",
    )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page_id": homepage.id, "site_name": "Klartext"},
    )


def remove_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    HomePage = apps.get_model("course.HomePage")
    HomePage.objects.filter(slug="home", depth=2).delete()
    ContentType.objects.filter(model="homepage", app_label="course").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0002_pages"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
