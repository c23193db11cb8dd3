"""The user model and the course-level Wagtail pages."""

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from .identity import clean_email, matching
from .names import short_name_from
from .page_cache import kept_lessons
from .timezones import AVAILABLE_ZONES, zone_named
from .translations import Translations, source_of


def validate_time_zone(value):
    if value not in AVAILABLE_ZONES:
        raise ValidationError(
            _("%(value)s is not a known time zone. Use a name such as Europe/Berlin."),
            params={"value": value},
            code="invalid_time_zone",
        )


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=clean_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Email is the login, compared as course/identity.py says (the lockout counts the same key).
        user = self.get_by_email(username)
        if user is None:
            raise self.model.DoesNotExist
        return user

    def get_by_email(self, email):
        """The account this address means, or None. Should two old accounts share the key, only
        the one stored exactly as typed matches."""
        found = matching(self.all(), email)
        if len(found) > 1:
            found = [user for user in found if user.email == clean_email(email)]
        return found[0] if len(found) == 1 else None


class User(AbstractBaseUser, PermissionsMixin):
    """A person: the consultant, a facilitator or a member. Email is the login."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    short_name = models.CharField(
        _("what should we call you?"),
        max_length=60,
        blank=True,
        help_text=_("Used in greetings, in emails and on the site. Empty: your first name."),
    )
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Staff can sign in to the Wagtail admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set by a hard bounce (or three soft ones in a row) to this address: no email is planned or
    # sent to it until the person says it works again (preferences page).
    email_bouncing_since = models.DateTimeField(_("email bouncing since"), null=True, blank=True)
    email_soft_bounces = models.PositiveSmallIntegerField(_("soft bounces in a row"), default=0)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = clean_email(self.email)
        # One account per person: no second one whose address differs only in case or look-alikes.
        if any(other.pk != self.pk for other in matching(self.__class__.objects.all(), self.email)):
            raise ValidationError({"email": _("An account with this email address already exists.")})

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """What greetings call this person: their chosen short name, else their first name
        without titles (course.names)."""
        return self.short_name or short_name_from(self.full_name)

    @property
    def first_name(self):
        # Wagtail's sidebar and notification emails show people by first name. We keep the name
        # as the person wrote it there: splitting at the first space made "Dr." the first name
        # of "Dr. Anna Berger". Greetings use `get_short_name`.
        return self.full_name or self.email

    @property
    def zone(self):
        return zone_named(self.time_zone, default=timezone.get_default_timezone())


def is_staff(user):
    """Staff run the courses: they see and manage every cohort."""
    return user.is_authenticated and (user.is_staff or user.is_superuser)


class HomePage(Page):
    """The site root: the landing page for visitors, the member home once logged in."""

    intro = RichTextField(_("intro"), blank=True, features=["bold", "italic", "link"])

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["course.CoursePage"]
    max_count = 1

    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")

    @cached_property
    def canonical(self):
        return source_of(self)

    def route(self, request, path_components):
        # A page not translated yet is still there for a German reader: the source tree answers.
        try:
            return self.route_in_tree(request, path_components)
        except Http404:
            source = self.canonical
            if source.pk == self.pk:
                raise
            return source.route(request, path_components)

    def route_in_tree(self, request, path_components):
        if path_components:
            # The children are courses: one query for the course, not Wagtail's two (the page,
            # then its specific class).
            course = CoursePage.objects.child_of(self).filter(slug=path_components[0]).first()
            if course is not None:
                return course.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The source home's courses make the site; a translation shows each in its language.
        source = self.canonical
        courses = CoursePage.objects.child_of(source).live().public()
        if source.pk != self.pk:
            shown = Translations(courses, self.locale.language_code)
            courses = [shown(course) for course in courses]
        context["courses"] = courses
        return context

    def serve(self, request, *args, **kwargs):
        """The landing page (staff who are in no cohort get a link to the admin). Members never
        get here: their home is answered before (progress.wagtail_hooks, `before_serve_page`)."""
        response = super().serve(request, *args, **kwargs)
        if is_staff(request.user):
            response.template_name = "course/landing_staff.html"
        return response


class Cadence(models.IntegerChoices):
    WEEKLY = 7, _("Weekly")
    FORTNIGHTLY = 14, _("Every two weeks")


class CoursePage(Page):
    """A course: what it promises and, as its children, the lessons in order."""

    intro = RichTextField(_("intro"), features=["bold", "italic", "link", "ol", "ul"])
    outcomes = StreamField(
        [("outcome", blocks.CharBlock(label=_("Outcome"), icon="tick", max_length=200))],
        blank=True,
        verbose_name=_("outcomes"),
        help_text=_("What a participant can do after the course, one line each."),
    )
    default_cadence_days = models.PositiveSmallIntegerField(
        _("default cadence"),
        choices=Cadence.choices,
        default=Cadence.WEEKLY,
        help_text=_("How far apart lessons open; a cohort may choose its own."),
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cover image"),
    )

    parent_page_types = ["course.HomePage"]
    subpage_types = ["lessons.LessonPage"]
    # The admin lists the lessons in course order, not the last edited first.
    admin_default_ordering = "ord"

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("outcomes"),
        FieldPanel("cover_image"),
        FieldPanel("default_cadence_days"),
        HelpPanel(
            content=_("Lessons are the children of this page; their order in the page tree is the order of the course.")
        ),
    ]

    class Meta:
        verbose_name = _("course page")

    @cached_property
    def canonical(self):
        return source_of(self)

    @cached_property
    def lessons(self):
        """The live lessons under this page, in course order (for a cohort's course: the source)."""
        # By name, like a foreign key to another app: lessons sit above course.
        lesson_page = apps.get_model("lessons", "LessonPage")

        def load():
            lessons = list(lesson_page.objects.child_of(self).live().order_by("path"))
            for lesson in lessons:
                lesson.assignment_dates  # noqa: B018 - worked out once, kept with the page
            return lessons

        return kept_lessons(self, load)

    def route(self, request, path_components):
        # A lesson is looked up in the course's live lessons, which its page loads anyway (for the
        # schedule and the pager): no two queries of Wagtail's own for the last URL segment.
        if len(path_components) == 1:
            lesson = next((lesson for lesson in self.lessons if lesson.slug == path_components[0]), None)
            if lesson is not None:
                lesson.course = self
                return lesson.route(request, [])
        return super().route(request, path_components)

    @cached_property
    def reader_lessons(self):
        """The lessons as a reader of this page sees them. The source course's lessons make the
        course, so a translation lists those, each in its own language where it is translated."""
        source = self.canonical
        if source.pk == self.pk:
            return self.lessons
        shown = Translations(source.lessons, self.locale.language_code)
        return [shown(lesson) for lesson in source.lessons]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = self.reader_lessons
        context["total_minutes"] = sum(lesson.estimated_minutes for lesson in self.reader_lessons)
        return context
