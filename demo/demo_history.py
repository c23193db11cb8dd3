"""Seven weeks of the demo cohort's past, so every page shows what it is for: drafts, shared
pieces, responses inside the circles, the consultant's feedback (revise, then ready), published
posts, one member's holiday pause, the weekly nudges that went out, and this week's drafts.

Everything is written through lessons.writing as members write it, then dated back to when it
happened (weeks are the cohort's, from its first Monday). Nothing lies in the future.
"""

import datetime

from django.db.models import F
from django.utils import timezone

from cohorts.models import Membership, Role
from cohorts.schedule import Schedule
from course.timezones import iso_week_key
from lessons import writing
from lessons.models import Feedback, Pause, PeerReview, PostLog, Response, Submission, SubmissionVersion
from mail.models import Delivery, DeliveryState, Kind

# What each member wrote, lesson by lesson (index of the lesson in the course): the English
# speakers in English, the German speakers in German, as they would post.
TEXTS = {
    0: {
        "en": [
            (
                "Who I am at work, honestly",
                "I run operations for 600 people. What I actually have to say: how a grid stays up "
                "when the weather does not cooperate. My readers: engineers who might join us, and "
                "customers who wonder why their bill changed.",
            ),
            (
                "What I could talk about for an hour",
                "Procurement sounds dull until you explain why a transformer takes two years to "
                "arrive. That story I can tell. I want to tell it to suppliers and to our own teams.",
            ),
        ],
        "de": [
            (
                "Wer ich im Beruf bin",
                "Ich verantworte den Netzbetrieb. Was ich zu sagen habe: wie Versorgung sicher "
                "bleibt, wenn sich alles ändert. Für wen: Fachkräfte, die wir gewinnen wollen, und "
                "Kommunen, mit denen wir bauen.",
            ),
            (
                "Worüber ich eine Stunde reden könnte",
                "Über Ausbildung. Unsere Azubis erklären Technik besser als jede Broschüre. Ich "
                "möchte Eltern und Schulen erreichen, nicht nur Fachleute.",
            ),
        ],
    },
    1: {
        "en": [
            (
                "For the engineers we have not met yet",
                "If you like problems that do not fit in a spreadsheet, our control room is for "
                "you. Last winter we rerouted power around a flooded substation in 40 minutes. "
                "Here is what that felt like from the inside.",
            ),
            (
                "A note to our suppliers",
                "We will order fewer, larger batches next year. Not to squeeze you: to plan with "
                "you. Tell me what would make that easier on your side.",
            ),
        ],
        "de": [
            (
                "An die Bürgermeisterinnen und Bürgermeister in unserem Netz",
                "Wenn Sie ein Baugebiet planen, rufen Sie uns früh an. Ein Anruf im Frühjahr spart "
                "ein halbes Jahr Wartezeit auf den Anschluss.",
            ),
            (
                "Für Eltern, deren Kinder eine Ausbildung suchen",
                "Elektronikerin für Betriebstechnik klingt trocken. Fragen Sie unsere Azubis, was "
                "sie letzte Woche gemacht haben. Die Antworten überraschen.",
            ),
        ],
    },
    2: {
        "en": [
            (
                "Why I am starting to write in public",
                "Because the people who decide whether they trust us never see how we decide. I "
                "will write once a week about one decision and why we took it.",
            ),
            (
                "Writing as a leader, not as a press release",
                "Our communications team writes beautifully. But nobody shares a press release. "
                "I will try my own voice, with their help on the facts.",
            ),
        ],
        "de": [
            (
                "Warum ich öffentlich schreibe",
                "Weil Vertrauen nicht in Pressemitteilungen entsteht. Ich schreibe einmal pro "
                "Woche über eine Entscheidung und darüber, wie wir zu ihr gekommen sind.",
            ),
            (
                "Offenheit fängt bei mir an",
                "Ich erwarte von meinem Team, dass es Fehler offen anspricht. Dann sollte ich "
                "zeigen, wie das geht, auch draußen.",
            ),
        ],
    },
    4: {
        "en": [
            (
                "Three replies this week",
                "I answered a question about heat-pump tariffs, thanked an apprentice for her "
                "post, and asked a supplier what slowed them down. Listening is harder than posting.",
            ),
            (
                "Replies before posts",
                "This week I replied before I posted: three comments under colleagues' posts. Two "
                "turned into conversations I would not have had otherwise.",
            ),
        ],
        "de": [
            (
                "Drei Antworten",
                "Diese Woche habe ich erst zugehört: drei Kommentare bei anderen, bevor ich selbst "
                "etwas gepostet habe. Eine Antwort führte zu einem Termin.",
            ),
            (
                "Zuhören, bevor ich rede",
                "Ich habe einer Kundin geantwortet, die sich über Baustellen beschwert hat. Sie "
                "hat sich bedankt. Mehr war nicht nötig.",
            ),
        ],
    },
    5: {
        "en": [
            (
                "One thought, two platforms",
                "On LinkedIn the long version: why we publish our outage map. On Mastodon three "
                "sentences and the link. The short one got the better questions.",
            ),
            (
                "Same idea, shorter",
                "I cut my LinkedIn post to 300 characters for Bluesky. It lost the examples and "
                "kept the point. I am keeping the habit of writing the short one first.",
            ),
        ],
        "de": [
            (
                "Ein Gedanke, zwei Plattformen",
                "Auf LinkedIn ausführlich, auf Mastodon in drei Sätzen. Die kurze Fassung hat mich "
                "gezwungen zu sagen, was ich eigentlich meine.",
            ),
            (
                "Kürzer ist schwerer",
                "300 Zeichen für Bluesky: Ich musste zwei Beispiele streichen. Übrig blieb der "
                "Satz, um den es wirklich ging.",
            ),
        ],
    },
}

# Lesson 4 ("something from this week"): the pieces the circles already know.
WEEK_FOUR = {
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
    "priya@klartext.localhost": (
        "The spreadsheet that nobody opens",
        "We publish a monthly reliability report. I asked who reads it. Four people. This month "
        "I wrote the three findings as a post instead.",
    ),
    "hannah@klartext.localhost": (
        "A Monday in the control room",
        "I spent Monday with the night shift handing over to the day shift. Eleven minutes, "
        "no slides, every risk named. I want our meetings to work like that.",
    ),
}

# This week's drafts (the lesson that opened this week), not shared yet.
DRAFTS = {
    "katrin@klartext.localhost": (
        "See you at the Energy Transition Summit",
        "Next week I will be at the summit in Essen. I want to hear how other grid operators talk "
        "about delays. If you are there, tell me",
    ),
    "priya@klartext.localhost": ("", "Before the summit: what I want to learn from"),
}

RESPONSES = {
    "en": [
        "The second sentence is the post. Lead with it.",
        "I would read more about what you did next.",
        "Which part surprised you most?",
        "Clear. One example would make it stick.",
        "This is the tone I want to learn. Thank you.",
        "Could you say who this is for in the first line?",
    ],
    "de": [
        "Der zweite Satz ist der eigentliche Beitrag. Fang damit an.",
        "Ich würde gern lesen, wie es weiterging.",
        "Was hat dich dabei am meisten überrascht?",
        "Klar. Ein Beispiel würde es greifbar machen.",
        "Genau dieser Ton fehlt uns oft. Danke.",
    ],
}

FEEDBACK = {
    "revise": [
        "Strong and honest. Move your best sentence to the top and cut the list to two points.",
        "Good start. Say in the first line who you are writing for.",
    ],
    "ready": [
        "Clear and useful. Publish it as it is.",
        "Ready. Your own voice comes through; post it this week.",
    ],
}

# Who wrote in which weeks (lesson indexes), like real people: some skip a week, one goes on
# holiday (Thomas: a pause in weeks 3 and 4).
WROTE = {
    "katrin@klartext.localhost": [0, 1, 2, 3, 4, 5],
    "james@klartext.localhost": [0, 1, 2, 3, 5],
    "stefan@klartext.localhost": [0, 1, 3, 5],
    "priya@klartext.localhost": [0, 1, 2, 3, 4],
    "miriam@klartext.localhost": [0, 2, 3, 4, 5],
    "oliver@klartext.localhost": [0, 1, 3],
    "thomas@klartext.localhost": [0, 1, 2, 5],
    "hannah@klartext.localhost": [1, 2, 3, 4],
}
PAUSED = {"thomas@klartext.localhost": (3, 4)}  # first and last paused week
# Posts outside the assignments (the habit the course is for): (week, weekday, platform).
OWN_POSTS = {
    "katrin@klartext.localhost": [(1, 3, "linkedin"), (4, 2, "mastodon"), (5, 4, "linkedin")],
    "james@klartext.localhost": [(2, 4, "linkedin"), (5, 1, "bluesky")],
    "miriam@klartext.localhost": [(3, 3, "linkedin")],
}
PLATFORM_OF_FORMAT = {"linkedin": "linkedin", "blog": "blog", "short_300": "bluesky", "short_500": "mastodon"}
POST_URLS = {
    "linkedin": "https://www.linkedin.com/posts/{slug}",
    "blog": "https://blog.nordlicht-energie.example/{slug}",
    "bluesky": "https://bsky.app/profile/{slug}.bsky.social/post/3kdemo",
    "mastodon": "https://mastodon.social/@{slug}/11200",
}


class Clock:
    """Moments in the cohort's weeks, in its zone, never later than `now`."""

    def __init__(self, cohort, now):
        self.cohort = cohort
        self.now = now

    def at(self, week, day, hour, minute=0):
        local_day = self.cohort.start_date + datetime.timedelta(weeks=week, days=day)
        moment = datetime.datetime.combine(local_day, datetime.time(hour, minute), tzinfo=self.cohort.zone)
        return min(moment, self.now - datetime.timedelta(minutes=30))


def seed_history(cohort, consultant, now=None):
    """The cohort's past up to `now`. Returns the number of pieces written."""
    now = now or timezone.now()
    clock = Clock(cohort, now)
    schedule = Schedule.for_cohort(cohort)
    memberships = {
        m.user.email: m
        for m in Membership.objects.filter(cohort=cohort, role=Role.MEMBER).select_related("user", "circle")
    }
    people = sorted(memberships)
    weeks_done = max(0, (timezone.localtime(now, cohort.zone).date() - cohort.start_date).days // 7)
    pieces = 0
    for index, slot in enumerate(schedule.slots):
        if index >= weeks_done or not slot.assignments or not slot.is_open(now):
            continue
        assignment = slot.assignments[-1]
        for number, email in enumerate(people):
            if index not in WROTE.get(email, ()):
                continue
            membership = memberships[email]
            title, body = text_for(index, email, membership.language, number)
            write_piece(clock, index, number, membership, slot.lesson, assignment, title, body, memberships, consultant)
            pieces += 1
    write_drafts(clock, schedule, memberships, weeks_done, now)
    record_own_posts(clock, memberships)
    record_pauses(clock, memberships)
    record_past_nudges(clock, memberships, weeks_done)
    return pieces


def text_for(index, email, language, number):
    if index == 3 and email in WEEK_FOUR:
        return WEEK_FOUR[email]
    texts = TEXTS.get(index) or TEXTS[2]
    variants = texts["de" if language == "de" else "en"]
    return variants[number % len(variants)]


def write_piece(clock, week, number, membership, lesson, assignment, title, body, memberships, consultant):
    started = clock.at(week, 1 + number % 2, 8 + number % 9, 15)
    piece = writing.get_or_start(membership, lesson, assignment.block_id)
    writing.save_draft(piece.pk, title=title, body=body, base_version=piece.version)
    SubmissionVersion.objects.filter(submission=piece).update(created_at=started)
    Submission.objects.filter(pk=piece.pk).update(created_at=started, updated_at=started)
    piece.refresh_from_db()
    shared_at = clock.at(week, 2 + number % 2, 9 + number % 8, 40)
    audience = assignment.value["default_audience"]
    piece = writing.share(piece, visibility=audience, now=shared_at)
    PeerReview.objects.filter(submission=piece).update(assigned_at=shared_at)

    # Circle peers answer; the last assigned reader sometimes has not got round to it yet.
    readers = [
        review.reviewer for review in PeerReview.objects.filter(submission=piece).select_related("reviewer__user")
    ]
    for position, reader in enumerate(readers):
        away = PAUSED.get(reader.user.email)
        if (position and (week + number) % 3 == 0) or (away and away[0] <= week <= away[1]):
            continue
        replies = RESPONSES["de" if reader.language == "de" else "en"]
        response = writing.respond(piece, reader, replies[(week + number + position) % len(replies)])
        answered = clock.at(week, 3 + position, 10 + position * 3, 5)
        Response.objects.filter(pk=response.pk).update(created_at=answered)
        PeerReview.objects.filter(submission=piece, reviewer=reader).update(responded_at=answered)

    # The consultant's feedback: most pieces get it; every third first needs a revision.
    if (week + number) % 4 == 3:
        return  # still waiting for feedback
    if (week + number) % 3 == 0:
        feedback = writing.give_feedback(piece, consultant, FEEDBACK["revise"][number % 2], "revise")
        Feedback.objects.filter(pk=feedback.pk).update(created_at=clock.at(week, 4, 11))
        piece.refresh_from_db()
        writing.save_draft(
            piece.pk, title=piece.title, body=piece.body + "\n\n" + revision_line(piece), base_version=piece.version
        )
        revised = clock.at(week, 5, 9, 30)
        SubmissionVersion.objects.filter(submission=piece, number=F("submission__version")).update(created_at=revised)
        Submission.objects.filter(pk=piece.pk).update(updated_at=revised)
        piece.refresh_from_db()
        if week >= 5:
            return  # revised this week; the consultant has not looked again yet
    feedback = writing.give_feedback(piece, consultant, FEEDBACK["ready"][number % 2], "ready")
    Feedback.objects.filter(pk=feedback.pk).update(created_at=clock.at(week, 6, 10))
    platform = PLATFORM_OF_FORMAT.get(assignment.value["format"])
    if platform is None or (week + number) % 5 == 1:
        return  # ready, not posted yet
    away = PAUSED.get(membership.user.email)
    posted = clock.at(week, 6, 12) if away and away[0] <= week + 1 <= away[1] else clock.at(week + 1, number % 3, 12)
    posted_on = min(posted.date(), membership.local_today(clock.now))
    slug = f"{membership.user.email.split('@')[0]}-demo-{week + 1}"
    post = writing.record_post(
        membership,
        url=POST_URLS[platform].format(slug=slug),
        platform=platform,
        posted_on=posted_on,
        submission=Submission.objects.get(pk=piece.pk),
    )
    published = datetime.datetime.combine(posted_on, datetime.time(12), tzinfo=membership.zone)
    Submission.objects.filter(pk=piece.pk).update(published_at=min(published, clock.now))
    PostLog.objects.filter(pk=post.pk).update(created_at=min(published, clock.now))


def revision_line(piece):
    return (
        "Was ich daraus mitnehme: weniger erklären, mehr zeigen."
        if piece.membership.language == "de"
        else ("What I take from it: explain less, show more.")
    )


def write_drafts(clock, schedule, memberships, weeks_done, now):
    """This week's lesson: two members have started their piece."""
    current = schedule.current(now)
    if current is None or not current.assignments:
        return
    for email, (title, body) in DRAFTS.items():
        membership = memberships.get(email)
        if membership is None:
            continue
        piece = writing.get_or_start(membership, current.lesson, current.assignments[0].block_id)
        if piece.version:
            continue
        writing.save_draft(piece.pk, title=title, body=body, base_version=piece.version)
        started = clock.at(weeks_done, 0, 9, 10)
        SubmissionVersion.objects.filter(submission=piece).update(created_at=started)
        Submission.objects.filter(pk=piece.pk).update(created_at=started, updated_at=started)


def record_own_posts(clock, memberships):
    for email, posts in OWN_POSTS.items():
        membership = memberships.get(email)
        if membership is None:
            continue
        for week, weekday, platform in posts:
            posted_on = clock.cohort.start_date + datetime.timedelta(weeks=week, days=weekday)
            if posted_on < membership.local_today(clock.now):
                slug = f"{email.split('@')[0]}-week-{week + 1}"
                writing.record_post(
                    membership, url=POST_URLS[platform].format(slug=slug), platform=platform, posted_on=posted_on
                )


def record_pauses(clock, memberships):
    for email, (first, last) in PAUSED.items():
        membership = memberships.get(email)
        if membership is None:
            continue
        starts_on = clock.cohort.start_date + datetime.timedelta(weeks=first)
        ends_on = clock.cohort.start_date + datetime.timedelta(weeks=last, days=6)
        if ends_on < membership.local_today(clock.now):
            Pause.objects.get_or_create(membership=membership, starts_on=starts_on, defaults={"ends_on": ends_on})


def record_past_nudges(clock, memberships, weeks_done):
    """The weekly nudges of the weeks gone by, as sent (the Deliveries report has a past too).
    None for the current week: that one is the tick's to send."""
    rows = []
    for membership in memberships.values():
        paused = PAUSED.get(membership.user.email)
        for week in range(weeks_done):
            if paused and paused[0] <= week <= paused[1]:
                continue
            day = clock.cohort.start_date + datetime.timedelta(weeks=week, days=membership.nudge_weekday)
            sent = datetime.datetime.combine(day, datetime.time(membership.nudge_hour), tzinfo=membership.zone)
            if sent >= clock.now - datetime.timedelta(days=1):
                continue
            rows.append(
                Delivery(
                    membership=membership,
                    kind=Kind.WEEKLY_NUDGE,
                    period_key=iso_week_key(day),
                    state=DeliveryState.SENT,
                    due_at=sent,
                    sent_at=sent + datetime.timedelta(seconds=40),
                    attempts=1,
                    to_email=membership.user.email,
                )
            )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
