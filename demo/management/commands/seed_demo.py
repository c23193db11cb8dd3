"""Seed the demo: the consultant's login and the course "Digital presence for leaders".

Idempotent: everything is looked up by email, slug or title first and only created when missing,
so a second run changes nothing. The German translations of the home page, the course and its
lessons (demo/demo_content_de.py) are found as translations of the English pages. Each
``seed_*`` function returns a ``Seeded`` (the object and whether it was created now) so that later
seeders (cohorts, members) can build on them.
"""

import io
import os
import random
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.blocks import StreamValue
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale

from course.models import CoursePage, HomePage, User
from demo import demo_cohort, demo_content, demo_content_de
from lessons.models import LessonPage


@dataclass
class Seeded:
    obj: Any
    created: bool


@dataclass
class SeededCourse:
    course: Seeded
    cover_image: Seeded
    lessons: list = field(default_factory=list)


@dataclass
class SeededTranslations:
    language: str
    pages: list = field(default_factory=list)  # Seeded German pages: home page, course, lessons


# --- consultant ------------------------------------------------------------------------------


def demo_password():
    data = demo_content.CONSULTANT
    return os.environ.get(data["password_env"]) or data["default_password"]


def seed_consultant(password=None):
    """The consultant's staff superuser, created with ``password`` (default: ``demo_password()``)."""
    data = demo_content.CONSULTANT
    user = User.objects.filter(email__iexact=data["email"]).first()
    if user is not None:
        return Seeded(user, created=False)
    user = User.objects.create_superuser(
        email=data["email"],
        password=password or demo_password(),
        full_name=data["full_name"],
        language=data["language"],
        time_zone=data["time_zone"],
    )
    return Seeded(user, created=True)


# --- cover image -----------------------------------------------------------------------------


def seed_collection():
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=demo_content.DEMO_COLLECTION_NAME).first()
    if collection is not None:
        return Seeded(collection, created=False)
    return Seeded(root.add_child(name=demo_content.DEMO_COLLECTION_NAME), created=True)


def render_cover_png(width=1600, height=900):
    """A cover picture drawn in code: a network of small circles, one highlighted. PNG bytes."""
    navy, line, dot, amber = (28, 39, 66), (70, 92, 134), (196, 208, 228), (242, 165, 65)
    picture = PILImage.new("RGB", (width, height), navy)
    draw = ImageDraw.Draw(picture)

    rng = random.Random(20250101)  # fixed seed: the same picture on every run
    centre = (width // 2 + 180, (height - 200) // 2)
    nodes = []
    while len(nodes) < 46:
        x, y = rng.randint(60, width - 60), rng.randint(60, height - 260)
        if (x - centre[0]) ** 2 + (y - centre[1]) ** 2 > 90**2:  # keep the highlight clear
            nodes.append((x, y))
    nodes.append(centre)
    reach = 260
    for i, (x1, y1) in enumerate(nodes):
        for x2, y2 in nodes[i + 1 :]:
            if (x1 - x2) ** 2 + (y1 - y2) ** 2 < reach**2:
                draw.line([(x1, y1), (x2, y2)], fill=line, width=2)
    for x, y in nodes[:-1]:
        radius = rng.choice([6, 8, 10, 12])
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=dot)
    cx, cy = centre
    for ring in (52, 38):
        draw.ellipse([cx - ring, cy - ring, cx + ring, cy + ring], outline=amber, width=3)
    draw.ellipse([cx - 20, cy - 20, cx + 20, cy + 20], fill=amber)

    draw.rectangle([0, height - 200, width, height], fill=(20, 28, 48))
    draw.text(
        (80, height - 170),
        demo_content.COVER["heading"],
        font=ImageFont.load_default(size=72),
        fill=(255, 255, 255),
    )
    draw.text((82, height - 78), demo_content.COVER["byline"], font=ImageFont.load_default(size=34), fill=amber)

    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def seed_cover_image(owner=None):
    """The course cover as a Wagtail image in the "Demo" collection."""
    Image = get_image_model()
    collection = seed_collection().obj
    title = demo_content.COVER["title"]
    image = Image.objects.filter(title=title, collection=collection).first()
    if image is not None:
        return Seeded(image, created=False)
    image = Image(
        title=title,
        collection=collection,
        uploaded_by_user=owner,
        description=demo_content.COVER["alt_text"],
        file=ImageFile(io.BytesIO(render_cover_png()), name=demo_content.COVER["filename"]),
    )
    image.save()
    return Seeded(image, created=True)


# --- course and lessons ----------------------------------------------------------------------


def home_page():
    home = HomePage.objects.filter(slug="home").first() or HomePage.objects.first()
    if home is None:
        raise CommandError("There is no home page yet. Run `manage.py migrate` first.")
    return home


def lesson_body(lesson, cover_image):
    """A lesson's body as a StreamValue with stable block ids and the cover image filled in.

    A plain list of ``(type, value)`` tuples would do, but only a StreamValue keeps our ids.
    """
    body = []
    counts = {}
    for block_type, value in lesson["body"]:
        ordinal = counts.get(block_type, 0)
        counts[block_type] = ordinal + 1
        if block_type == "image" and value.get("image") == demo_content.COVER_IMAGE:
            value = {**value, "image": cover_image}
        body.append((block_type, value, demo_content.block_id(lesson["slug"], block_type, ordinal)))
    return StreamValue(LessonPage._meta.get_field("body").stream_block, body)


def publish(page, user):
    page.save_revision(user=user, log_action=True).publish(user=user)


def seed_course(owner=None):
    """The demo course under the home page, its cover image and its lessons, each published."""
    data = demo_content.COURSE
    home = home_page()
    cover_image = seed_cover_image(owner=owner)

    course = CoursePage.objects.child_of(home).filter(slug=data["slug"]).first()
    if course is not None:
        seeded_course = Seeded(course, created=False)
    else:
        course = CoursePage(
            title=data["title"],
            slug=data["slug"],
            intro=data["intro"],
            outcomes=[("outcome", outcome) for outcome in data["outcomes"]],
            default_cadence_days=data["default_cadence_days"],
            cover_image=cover_image.obj,
            owner=owner,
        )
        home.add_child(instance=course)
        publish(course, owner)
        seeded_course = Seeded(course, created=True)

    result = SeededCourse(course=seeded_course, cover_image=cover_image)
    for index, lesson in enumerate(demo_content.LESSONS):
        result.lessons.append(seed_lesson(course, lesson, index, cover_image.obj, owner))
    return result


def seed_lesson(course, lesson, index, cover_image, owner=None):
    page = LessonPage.objects.child_of(course).filter(slug=lesson["slug"]).first()
    if page is not None:
        return Seeded(page, created=False)
    page = LessonPage(
        title=lesson["title"],
        slug=lesson["slug"],
        summary=lesson["summary"],
        estimated_minutes=lesson["estimated_minutes"],
        release_offset=index,
        body=lesson_body(lesson, cover_image),
        owner=owner,
    )
    course.add_child(instance=page)
    publish(page, owner)
    return Seeded(page, created=True)


# --- German translations ---------------------------------------------------------------------


def translated_body(lesson, translation, cover_image):
    """The German body: the English blocks with their translated fields laid over them, so that
    every block keeps its English id (assignments are the same in both languages)."""
    english = lesson["body"]
    german = translation["body"]
    if [block_type for block_type, _value in german] != [block_type for block_type, _value in english]:
        raise CommandError(f"The German blocks of {lesson['slug']!r} do not match the English ones.")
    body = [
        (block_type, {**value, **german_value} if isinstance(value, dict) else german_value)
        for (block_type, value), (_type, german_value) in zip(english, german, strict=True)
    ]
    return lesson_body({**lesson, "body": body}, cover_image)


def seed_translation(source, parent, locale, fields, owner=None):
    """The translation of `source` under `parent` (the translated parent page), created and
    published with `fields` when missing. A page with the source's slug that lost its link (its
    source was deleted and seeded again) becomes the translation again."""
    model = type(source)
    page = source.get_translation_or_none(locale)
    if page is not None:
        return Seeded(page, created=False)
    orphan = model.objects.child_of(parent).filter(locale=locale, slug=source.slug).first()
    if orphan is not None:
        orphan.translation_key = source.translation_key
        orphan.save(update_fields=["translation_key"])
        return Seeded(orphan, created=False)
    # Next to the English home under the tree root, the slug must differ; elsewhere it stays.
    slug = f"{source.slug}-{locale.language_code}" if parent.is_root() else source.slug
    page = model(slug=slug, locale=locale, translation_key=source.translation_key, owner=owner, **fields)
    parent.add_child(instance=page)
    publish(page, owner)
    return Seeded(page, created=True)


def seed_translations(seeded_course, owner=None):
    """The German home page, course and lessons, each a published translation of the English
    page with the same slug and (for lessons) the same block ids."""
    locale, _created = Locale.objects.get_or_create(language_code="de")
    result = SeededTranslations(language=locale.language_code)
    home = seeded_course.course.obj.get_parent().specific
    cover_image = seeded_course.cover_image.obj

    german_home = seed_translation(home, home.get_parent(), locale, demo_content_de.HOME, owner)
    course = seeded_course.course.obj
    data = demo_content_de.COURSE
    german_course = seed_translation(
        course,
        german_home.obj,
        locale,
        {
            "title": data["title"],
            "intro": data["intro"],
            "outcomes": [("outcome", outcome) for outcome in data["outcomes"]],
            "default_cadence_days": course.default_cadence_days,
            "cover_image": cover_image,
        },
        owner,
    )
    result.pages += [german_home, german_course]
    for lesson_data, seeded in zip(demo_content.LESSONS, seeded_course.lessons, strict=True):
        lesson = seeded.obj
        translation = demo_content_de.LESSONS[lesson_data["slug"]]
        fields = {
            "title": translation["title"],
            "summary": translation["summary"],
            "estimated_minutes": lesson.estimated_minutes,
            "release_offset": lesson.release_offset,
            "body": translated_body(lesson_data, translation, cover_image),
        }
        result.pages.append(seed_translation(lesson, german_course.obj, locale, fields, owner))
    return result


# --- the command -----------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Create the demo: the consultant's login and the course 'Digital presence for leaders' "
        "with its lessons. Safe to run again; existing objects are left as they are."
    )

    def handle(self, *args, **options):
        password = demo_password()
        with transaction.atomic():
            consultant = seed_consultant(password)
            course = seed_course(owner=consultant.obj)
            translations = seed_translations(course, owner=consultant.obj)
            demo_cohort.seed_video_embeds(demo_content.video_urls())
            cohort, cohort_created, people = demo_cohort.seed_cohort(course.course.obj, consultant.obj, password)

        self.report_course(course)
        self.report_translations(translations)
        self.report_consultant(consultant, password)
        self.report_cohort(cohort, cohort_created, people, password)

    def report_cohort(self, cohort, created, people, password):
        self.stdout.write(self.style.MIGRATE_HEADING("Demo cohort"))
        state = self.style.SUCCESS("created") if created else self.style.WARNING("already there")
        self.stdout.write(f"  {cohort}: {state} ({cohort.get_state_display()}, started {cohort.start_date})")
        self.stdout.write("  Member logins (all with the same password):")
        for user, _created in people:
            self.stdout.write(f"    {user.email:<32} {user.full_name}")
        if people and check_password(password, people[0][0].password):
            self.stdout.write(f"  Password  {password}")

    def status(self, seeded):
        if seeded.created:
            return self.style.SUCCESS("created")
        return self.style.WARNING("already there")

    def report_course(self, seeded):
        course = seeded.course.obj
        self.stdout.write(self.style.MIGRATE_HEADING("Demo course"))
        self.stdout.write(f"  Course  {course.title}: {self.status(seeded.course)}")
        self.stdout.write(f"          {settings.SITE_URL}{course.url}")
        self.stdout.write(f"  Cover   {seeded.cover_image.obj.title}: {self.status(seeded.cover_image)}")
        for number, lesson in enumerate(seeded.lessons, start=1):
            self.stdout.write(f"  {number:>2}. {lesson.obj.title}: {self.status(lesson)}")
        created = sum(lesson.created for lesson in seeded.lessons)
        self.stdout.write(f"  {created} of {len(seeded.lessons)} lessons created now.")

    def report_translations(self, seeded):
        created = sum(page.created for page in seeded.pages)
        self.stdout.write(
            f"  German  {created} of {len(seeded.pages)} pages translated now "
            f"(home page, course and {len(seeded.pages) - 2} lessons; the same URLs in German)."
        )

    def report_consultant(self, seeded, password):
        user = seeded.obj
        self.stdout.write(self.style.MIGRATE_HEADING("Consultant login"))
        self.stdout.write(f"  {user.full_name}: {self.status(seeded)}")
        if not (user.is_staff and user.is_superuser):
            self.stdout.write(self.style.ERROR("  This user is not a staff superuser; the demo expects one."))
        self.stdout.write(f"  URL       {settings.SITE_URL}/admin/")
        self.stdout.write(f"  Email     {user.email}")
        if check_password(password, user.password):
            self.stdout.write(f"  Password  {password}")
        else:
            self.stdout.write(
                "  Password  (changed since the demo was seeded, or set with a different "
                f"{demo_content.CONSULTANT['password_env']}; not shown)"
            )
