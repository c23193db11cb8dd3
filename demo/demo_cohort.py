"""The demo cohort: a running leadership team with a facilitator, two circles, members who can log
in, and seven weeks of a living writing circle (demo/demo_history.py).

Idempotent like the rest of seed_demo: the cohort is found by name, people by email, pieces by
(member, assignment); nothing that exists is changed.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from cohorts.models import Circle, Cohort, Membership, Role
from course.models import User
from course.timezones import week_start, zone_named

from . import demo_history

COHORT_NAME = "Leadership team"
ORGANISATION = "Nordlicht Energie AG"

# (full name, email, language, time zone, circle)
MEMBERS = [
    ("Katrin Vogel", "katrin@klartext.localhost", "de", "Europe/Berlin", "Circle A"),
    ("James Whitfield", "james@klartext.localhost", "en", "Europe/London", "Circle A"),
    ("Stefan Krüger", "stefan@klartext.localhost", "de", "Europe/Berlin", "Circle A"),
    ("Priya Raman", "priya@klartext.localhost", "en", "Europe/London", "Circle A"),
    ("Miriam Schäfer", "miriam@klartext.localhost", "de", "Europe/Berlin", "Circle B"),
    ("Oliver Bennett", "oliver@klartext.localhost", "en", "Europe/London", "Circle B"),
    ("Thomas Brandt", "thomas@klartext.localhost", "de", "Europe/Vienna", "Circle B"),
    ("Hannah Clarke", "hannah@klartext.localhost", "en", "Europe/Dublin", "Circle B"),
]

# Nudge day and hour of each member (weekday, local hour), as people chose them.
NUDGE_SLOTS = {
    "katrin@klartext.localhost": (0, 8),
    "james@klartext.localhost": (1, 9),
    "stefan@klartext.localhost": (0, 10),
    "priya@klartext.localhost": (2, 8),
    "miriam@klartext.localhost": (3, 9),
    "thomas@klartext.localhost": (1, 13),
}
# Two members who work from another office: their zone, day and hour are chosen when the demo is
# seeded so that the first tick after `make run` has a weekly nudge to send at once, whatever the
# weekday and hour: one is due in the current local hour, the other in the next.
DUE_NOW = ("oliver@klartext.localhost", "hannah@klartext.localhost")
# Zones a team of a European energy company plausibly works from, at least one of them in office
# hours (09:00–17:59 local) at any moment; the cohort's own zones first.
OFFICE_ZONES = [
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Pacific/Honolulu",
]
# Weeks of history: the cohort started on the Monday this many weeks before this week's.
WEEKS_BEHIND = 6


def due_now_slots(now):
    """[(zone, weekday, hour)] for the DUE_NOW members: the first office zone where it is between
    09:00 and 17:59 now, its local weekday, the current hour and the next. The member's chosen day
    is that weekday, so a weekend counts as their chosen day and is allowed (mail/timing.py); no
    hour is in the quiet hours."""
    for name in OFFICE_ZONES:
        local = timezone.localtime(now, zone_named(name))
        if 9 <= local.hour <= 17:
            return [(name, local.weekday(), local.hour), (name, local.weekday(), local.hour + 1)]
    raise RuntimeError("No office zone is in office hours now; OFFICE_ZONES must cover every hour.")


def seed_video_embeds(urls):
    """Store the demo videos' embed HTML so lessons render at once, even offline (Wagtail looks
    embeds up in the database before asking the provider)."""
    created = 0
    for url in urls:
        video_id = url.rsplit("v=", 1)[-1]
        _embed, was_created = Embed.objects.get_or_create(
            hash=get_embed_hash(url),
            defaults={
                "url": url,
                "type": "video",
                "html": (
                    f'<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/{video_id}" '
                    'title="Video" allow="encrypted-media; picture-in-picture" allowfullscreen></iframe>'
                ),
                "provider_name": "YouTube",
                "width": 560,
                "height": 315,
            },
        )
        created += was_created
    return created


def seed_cohort(course, consultant, password, now=None):
    """The running demo cohort with its past. Returns (cohort, created, [(user, created)])."""
    now = now or timezone.now()
    cohort = Cohort.objects.filter(name=COHORT_NAME, course=course).first()
    created = cohort is None
    if created:
        # Lessons open on Mondays at 08:00 (never on a Saturday): the cohort started on a Monday
        # WEEKS_BEHIND weeks ago, so this week's lesson is open and one is still to come.
        today = timezone.localtime(now, zone_named("Europe/Berlin")).date()
        start = week_start(today) - datetime.timedelta(weeks=WEEKS_BEHIND)
        cohort = Cohort.objects.create(
            course=course,
            name=COHORT_NAME,
            organisation=ORGANISATION,
            start_date=start,
            end_date=start + datetime.timedelta(weeks=len(course.lessons) + 3),
            time_zone="Europe/Berlin",
            hashtag="NordlichtOffen",
            language="de",
        )
    Membership.objects.get_or_create(user=consultant, cohort=cohort, defaults={"role": Role.FACILITATOR})
    circles = {}
    for name in sorted({member[4] for member in MEMBERS}):
        circles[name], _ = Circle.objects.get_or_create(cohort=cohort, name=name)
    people = []
    # Hashed once for every member (they share the demo password): PBKDF2 takes ~0.3 s a hash.
    hashed = make_password(password)
    slots = dict(NUDGE_SLOTS)
    zones = {}
    for email, (zone, weekday, hour) in zip(DUE_NOW, due_now_slots(now), strict=True):
        slots[email] = (weekday, hour)
        zones[email] = zone
    for full_name, email, language, zone, circle in MEMBERS:
        zone = zones.get(email, zone)
        user = User.objects.filter(email__iexact=email).first()
        user_created = user is None
        if user_created:
            user = User.objects.create_user(
                email=email, password=None, full_name=full_name, language=language, time_zone=zone
            )
            user.password = hashed
            user.save(update_fields=["password"])
        weekday, hour = slots.get(email, (0, 9))
        Membership.objects.get_or_create(
            user=user,
            cohort=cohort,
            defaults={
                "role": Role.MEMBER,
                "circle": circles[circle],
                "time_zone": zone if created else user.time_zone,
                "nudge_weekday": weekday,
                "nudge_hour": hour,
                "joined_at": datetime.datetime.combine(cohort.start_date, datetime.time(8), tzinfo=cohort.zone)
                - datetime.timedelta(days=5),
            },
        )
        people.append((user, user_created))
    if created:
        demo_history.seed_history(cohort, consultant, now)
    return cohort, created, people
