from django.db import migrations, models

from lessons.rendering import plain_excerpt

BATCH = 500


def fill_excerpts(apps, schema_editor):
    """Every existing piece gets the excerpt that saving it would have stored."""
    Submission = apps.get_model("lessons", "Submission")
    pieces = Submission.objects.exclude(body="").only("pk", "body").order_by("pk")
    batch = []
    for piece in pieces.iterator(chunk_size=BATCH):
        piece.excerpt = plain_excerpt(piece.body)
        batch.append(piece)
        if len(batch) == BATCH:
            Submission.objects.bulk_update(batch, ["excerpt"])
            batch = []
    Submission.objects.bulk_update(batch, ["excerpt"])


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0005_one_platform_table_and_visibility"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="excerpt",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_excerpts, migrations.RunPython.noop),
    ]
