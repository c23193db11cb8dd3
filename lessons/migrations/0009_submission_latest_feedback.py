import django.db.models.deletion
from django.db import migrations, models


def point_at_latest_feedback(apps, schema_editor):
    Feedback = apps.get_model("lessons", "Feedback")
    Submission = apps.get_model("lessons", "Submission")
    newest = Feedback.objects.filter(submission=models.OuterRef("pk")).order_by("-created_at", "-pk")
    Submission.objects.update(latest_feedback=models.Subquery(newest.values("pk")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0008_assignment_wait_for_ready"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="latest_feedback",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="lessons.feedback",
            ),
        ),
        migrations.RunPython(point_at_latest_feedback, migrations.RunPython.noop),
    ]
