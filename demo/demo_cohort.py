"""The demo cohort: a running leadership team with a facilitator, two circles, members who can log
in, and a living writing circle (shared pieces, responses, feedback, a published post).

Idempotent like the rest of seed_demo: the cohort is found by name, people by email, pieces by
(member, assignment); nothing that exists is changed.
"""

import datetime

from django.utils import timezone
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from cohorts.models import Circle, Cohort, Membership, Role
from cohorts.schedule import Schedule
from course.models import User
from lessons import writing
from lessons.models import Feedback, PostLog, Response, Submission

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

PIECES = {
    "katrin@klartext.localhost": (
        "What a grid outage taught me about saying 'we don't know yet'",
        "Last Tuesday a substation failure left 4,000 households without power for six hours.\n\n"
        "The hardest sentence I said all week was: *we don't know the cause yet, and we will tell "
        "you when we do.* It was also the sentence that earned the most trust.\n\n"
        "What I am trying now:\n\n- say what we know\n- say what we don't\n- say when we will know more",
    ),
    "james@klartext.localhost": (
        "Three questions I ask before every board meeting",
        "I used to prepare answers. Now I prepare questions: What would change our mind? Who "
        "disagrees and why? What are we not discussing?\n\nIt has made our meetings shorter.",
    ),
    "stefan@klartext.localhost": (
        "Why our apprentices explain the heat pump better than I do",
        "We asked two apprentices to explain our new heat-pump tariff to customers. They used "
        "half the words and got twice the questions. I am learning from them.",
    ),
    "miriam@klartext.localhost": (
        "Listening first, even when it is uncomfortable",
        "In our town hall on Thursday someone asked why we still invest in gas. I wanted to "
        "answer at once. I asked a question back instead. The conversation that followed was "
        "the best one of the year.",
    ),
    "oliver@klartext.localhost": (
        "What I learned from reading 20 customer complaints",
        "Every Friday I read twenty complaints, unfiltered. Most are about the same three "
        "things. None of them appear in our dashboards.",
    ),
}


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


def seed_cohort(course, consultant, password, today=None):
    """The running demo cohort. Returns (cohort, created, [(user, created)])."""
    today = today or timezone.localdate()
    cohort = Cohort.objects.filter(name=COHORT_NAME, course=course).first()
    created = cohort is None
    if created:
        # Started two weeks ago: three lessons are open, the rest follow weekly.
        start = today - datetime.timedelta(days=14)
        cohort = Cohort.objects.create(
            course=course,
            name=COHORT_NAME,
            organisation=ORGANISATION,
            start_date=start,
            end_date=start + datetime.timedelta(weeks=len(course.lessons) + 1),
            time_zone="Europe/Berlin",
            hashtag="NordlichtOffen",
            language="de",
        )
    Membership.objects.get_or_create(user=consultant, cohort=cohort, defaults={"role": Role.FACILITATOR})
    circles = {}
    for name in sorted({member[4] for member in MEMBERS}):
        circles[name], _ = Circle.objects.get_or_create(cohort=cohort, name=name)
    people = []
    for full_name, email, language, zone, circle in MEMBERS:
        user = User.objects.filter(email__iexact=email).first()
        user_created = user is None
        if user_created:
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, language=language, time_zone=zone
            )
        Membership.objects.get_or_create(
            user=user, cohort=cohort, defaults={"role": Role.MEMBER, "circle": circles[circle]}
        )
        people.append((user, user_created))
    if created:
        seed_writing(cohort, consultant)
    return cohort, created, people


def seed_writing(cohort, consultant):
    """Shared pieces, responses, feedback and one published post, so the circle looks alive."""

    schedule = Schedule.for_cohort(cohort)
    opened = schedule.open_lessons()
    if not opened:
        return
    # The latest open lesson with a public writing assignment.
    slot = next(
        (s for s in reversed(opened) if any(a.value["default_audience"] == "circle" for a in s.assignments)),
        opened[-1],
    )
    assignment = next((a for a in slot.assignments if a.value["default_audience"] == "circle"), slot.assignments[0])
    memberships = {
        m.user.email: m
        for m in Membership.objects.filter(cohort=cohort, role=Role.MEMBER).select_related("user", "circle")
    }
    pieces = {}
    for email, (title, body) in PIECES.items():
        membership = memberships[email]
        piece = writing.get_or_start(membership, slot.lesson, assignment.block_id)
        writing.save_draft(piece.pk, title=title, body=body, base_version=piece.version)
        piece.refresh_from_db()
        pieces[email] = writing.share(piece, visibility="circle")
    # Responses: listening inside each circle.
    replies = [
        (
            "james@klartext.localhost",
            "katrin@klartext.localhost",
            "The middle sentence is the post. Lead with it.",
        ),
        (
            "priya@klartext.localhost",
            "katrin@klartext.localhost",
            "I would read more about what you did next.",
        ),
        (
            "katrin@klartext.localhost",
            "james@klartext.localhost",
            "Which of the three questions surprised the board most?",
        ),
        (
            "hannah@klartext.localhost",
            "miriam@klartext.localhost",
            "Brave. What was the question you asked back?",
        ),
        (
            "thomas@klartext.localhost",
            "oliver@klartext.localhost",
            "Could you share one complaint, anonymised?",
        ),
    ]
    for author, owner, text in replies:
        if not Response.objects.filter(submission=pieces[owner], author=memberships[author]).exists():
            writing.respond(pieces[owner], memberships[author], text)
    # Feedback from the consultant: one to revise, one ready to publish.
    katrin = pieces["katrin@klartext.localhost"]
    if not Feedback.objects.filter(submission=katrin).exists():
        writing.give_feedback(
            katrin,
            consultant,
            "Strong and honest. Move the sentence in italics to the top and cut the list to two points.",
            "revise",
        )
    james = pieces["james@klartext.localhost"]
    if not Feedback.objects.filter(submission=james).exists():
        writing.give_feedback(james, consultant, "Clear and useful. Publish it as it is.", "ready")
        if not PostLog.objects.filter(submission=james).exists():
            writing.record_post(
                memberships["james@klartext.localhost"],
                url="https://www.linkedin.com/posts/james-whitfield-demo",
                platform="linkedin",
                submission=Submission.objects.get(pk=james.pk),
            )
