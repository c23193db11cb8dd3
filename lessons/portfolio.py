"""A member's portfolio: all their own writing to take away, as a Markdown zip or as JSON.

Each piece comes in its latest (final) version with its public URLs (PostLog), the responses it
received and the facilitator's feedback. Only the member's own pieces are ever included, drafts too:
it is their writing. Posts recorded outside any assignment are listed in the index.
"""

import datetime
import io
import json
import zipfile

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cohorts.models import Role
from course.translations import Translations

from .models import Feedback, PostLog, Response, Submission

FOLDER = "klartext-portfolio"


def _iso(value, zone=None):
    """ISO 8601; datetimes in the member's own time zone (dates in headings are their dates)."""
    if value is None:
        return None
    if zone is not None and isinstance(value, datetime.datetime):
        value = timezone.localtime(value, zone)
    return value.isoformat()


def _author_name(response):
    if response.author is None:
        return _("a former member")
    return response.author.user.full_name or _("a member")


def own_submissions(user, cohort_id=None):
    """The user's own pieces (as a member), with everything the portfolio shows loaded."""
    queryset = (
        Submission.objects.filter(membership__user=user, membership__role=Role.MEMBER)
        .select_related("membership__cohort", "lesson")
        .prefetch_related(
            Prefetch("posts", queryset=PostLog.objects.order_by("posted_on", "pk")),
            Prefetch(
                "responses", queryset=Response.objects.select_related("author__user").order_by("created_at", "pk")
            ),
            Prefetch("feedback", queryset=Feedback.objects.order_by("created_at", "pk")),
        )
        .order_by("membership__cohort__start_date", "created_at", "pk")
    )
    if cohort_id is not None:
        queryset = queryset.filter(membership__cohort_id=cohort_id)
    return queryset


def other_posts(user, cohort_id=None):
    """Public posts the member recorded outside any assignment."""
    queryset = PostLog.objects.filter(
        membership__user=user, membership__role=Role.MEMBER, submission__isnull=True
    ).select_related("membership__cohort")
    if cohort_id is not None:
        queryset = queryset.filter(membership__cohort_id=cohort_id)
    return queryset.order_by("posted_on", "pk")


def piece_data(submission, zone=None, shown=None):
    """`shown` (a course.translations.Translations) names the lesson in the member's language."""
    lesson = shown(submission.lesson) if shown is not None else submission.lesson
    return {
        "id": submission.pk,
        "title": submission.title,
        "assignment": submission.assignment_title,
        "lesson": lesson.title if lesson is not None else None,
        "cohort": submission.membership.cohort.name,
        "state": submission.state,
        "visibility": submission.visibility,
        "version": submission.version,
        "revisions": submission.revision_count,
        "created_at": _iso(submission.created_at, zone),
        "shared_at": _iso(submission.shared_at, zone),
        "published_at": _iso(submission.published_at, zone),
        "text": submission.body,
        "public_urls": [
            {"url": post.url, "platform": post.platform, "posted_on": _iso(post.posted_on)}
            for post in submission.posts.all()
        ],
        "responses": [
            {"author": _author_name(response), "created_at": _iso(response.created_at, zone), "text": response.body}
            for response in submission.responses.all()
        ],
        "feedback": [
            {
                "verdict": feedback.verdict,
                "version": feedback.version,
                "created_at": _iso(feedback.created_at, zone),
                "text": feedback.body,
            }
            for feedback in submission.feedback.all()
        ],
    }


def post_data(post):
    return {
        "url": post.url,
        "platform": post.platform,
        "posted_on": _iso(post.posted_on),
        "cohort": post.membership.cohort.name,
    }


def as_json(user, cohort_id=None):
    submissions = list(own_submissions(user, cohort_id))
    shown = Translations([submission.lesson for submission in submissions], user.language)
    return {
        "owner": {"name": user.full_name, "email": user.email},
        "time_zone": user.time_zone,
        "generated_at": _iso(timezone.now(), user.zone),
        "pieces": [piece_data(submission, user.zone, shown) for submission in submissions],
        "other_posts": [post_data(post) for post in other_posts(user, cohort_id)],
    }


def _yaml(value):
    """A scalar as YAML: JSON strings, numbers and null are valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def piece_markdown(piece):
    lines = [
        "---",
        f"title: {_yaml(piece['title'] or piece['assignment'])}",
        f"assignment: {_yaml(piece['assignment'])}",
        f"lesson: {_yaml(piece['lesson'])}",
        f"cohort: {_yaml(piece['cohort'])}",
        f"state: {_yaml(piece['state'])}",
        f"version: {piece['version']}",
        f"shared_at: {_yaml(piece['shared_at'])}",
        f"published_at: {_yaml(piece['published_at'])}",
        "public_urls:" if piece["public_urls"] else "public_urls: []",
        *[f"  - {_yaml(post['url'])}" for post in piece["public_urls"]],
        "---",
        "",
        f"# {piece['title'] or piece['assignment'] or _('Untitled')}",
        "",
        piece["text"].strip(),
        "",
    ]
    if piece["responses"]:
        lines += [f"## {_('Responses')}", ""]
        for response in piece["responses"]:
            lines += [f"### {response['author']} · {response['created_at'][:10]}", "", response["text"].strip(), ""]
    if piece["feedback"]:
        lines += [f"## {_('Feedback')}", ""]
        for feedback in piece["feedback"]:
            lines += [
                f"### {Feedback.Verdict(feedback['verdict']).label} · v{feedback['version']}"
                f" · {feedback['created_at'][:10]}",
                "",
                feedback["text"].strip(),
                "",
            ]
    return "\n".join(lines)


def _file_name(index, piece):
    slug = slugify(piece["title"] or piece["assignment"] or "") or "piece"
    return f"{index:02d}-{slug[:60]}-{piece['id']}.md"


def index_markdown(data, names):
    lines = [
        f"# {_('Portfolio')}: {data['owner']['name']}",
        "",
        _("Downloaded from Klartext on %(date)s.") % {"date": data["generated_at"][:10]},
        "",
        f"## {_('Pieces')}",
        "",
    ]
    if not data["pieces"]:
        lines.append(_("No writing yet."))
    for piece, name in zip(data["pieces"], names, strict=True):
        title = (piece["title"] or piece["assignment"] or _("Untitled")).replace("]", "\\]")
        urls = " ".join(f"<{post['url']}>" for post in piece["public_urls"])
        lines.append(f"- [{title}]({name}) — {piece['cohort']}, {piece['state']}" + (f" — {urls}" if urls else ""))
    if data["other_posts"]:
        lines += ["", f"## {_('Other public posts')}", ""]
        lines += [f"- {post['posted_on']} · {post['platform']} · <{post['url']}>" for post in data["other_posts"]]
    lines.append("")
    return "\n".join(lines)


def as_zip(user, cohort_id=None):
    """The portfolio as zip bytes: index.md and one Markdown file (with front matter) per piece."""
    data = as_json(user, cohort_id)
    names = [_file_name(index, piece) for index, piece in enumerate(data["pieces"], start=1)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{FOLDER}/index.md", index_markdown(data, names))
        for piece, name in zip(data["pieces"], names, strict=True):
            archive.writestr(f"{FOLDER}/{name}", piece_markdown(piece))
    return buffer.getvalue()


def filename(cohort_id, fmt):
    suffix = f"-{cohort_id}" if cohort_id is not None else ""
    return f"{FOLDER}{suffix}-{timezone.localdate().isoformat()}.{fmt}"
