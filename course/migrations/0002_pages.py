import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.CreateModel(
            name="HomePage",
            fields=[
                (
                    "page_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to=settings.WAGTAIL_PAGE_MODEL,
                    ),
                ),
                ("intro", wagtail.fields.RichTextField(blank=True, verbose_name="intro")),
            ],
            options={
                "verbose_name": "home page",
            },
            bases=("wagtailcore.page",),
        ),
        migrations.CreateModel(
            name="CoursePage",
            fields=[
                (
                    "page_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to=settings.WAGTAIL_PAGE_MODEL,
                    ),
                ),
                ("intro", wagtail.fields.RichTextField(verbose_name="intro")),
                (
                    "outcomes",
                    wagtail.fields.StreamField(
                        [("outcome", 0)],
                        blank=True,
                        block_lookup={
                            0: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"icon": "tick", "label": "Outcome", "max_length": 200},
                            )
                        },
                        help_text="What a participant can do after the course, one line each.",
                        verbose_name="outcomes",
                    ),
                ),
                (
                    "default_cadence_days",
                    models.PositiveSmallIntegerField(
                        choices=[(7, "Weekly"), (14, "Every two weeks")],
                        default=7,
                        help_text="How far apart lessons open; a cohort may choose its own.",
                        verbose_name="default cadence",
                    ),
                ),
                (
                    "cover_image",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailimages.image",
                        verbose_name="cover image",
                    ),
                ),
            ],
            options={
                "verbose_name": "course page",
            },
            bases=("wagtailcore.page",),
        ),
    ]
