"""Every link in the header and the footer works for everyone: signed out, a member, a
facilitator and staff. Signed in, members find Home, My writing, Circle, Practice and
Preferences; the landing page's section anchors appear only where those sections are."""

import datetime
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from tests.factories import CircleFactory, MembershipFactory, UserFactory, make_cohort, make_lesson

MEMBER_LINKS = ["Home", "My writing", "Circle", "Practice", "Preferences"]


@pytest.fixture
def cohort(course_page):
    make_lesson(course_page, "Who am I")
    today = timezone.localdate()
    return make_cohort(
        course_page, start_date=today - datetime.timedelta(days=3), end_date=today + datetime.timedelta(days=60)
    )


@pytest.fixture
def people(cohort):
    return {
        "anonymous": None,
        "member": MembershipFactory(cohort=cohort, circle=CircleFactory(cohort=cohort)).user,
        "facilitator": MembershipFactory(cohort=cohort, facilitator=True).user,
        "staff": UserFactory(superuser=True),
    }


def chrome_links(html):
    """(text, href) of every link in the site header and footer."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        (" ".join(a.get_text().split()), a["href"])
        for part in soup.select("header.site-header, footer.site-footer")
        for a in part.select("a[href]")
    ]


def crawl(client, start="/"):
    """Follow header and footer links from `start`, page by page, until no new one turns up.
    Returns {href: (status, html)}."""
    seen, queue = {}, [start]
    while queue:
        href = queue.pop()
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href in seen:
            continue
        response = client.get(parts.path or "/", parts.query, follow=True)
        html = response.content.decode()
        seen[href] = (response.status_code, html)
        queue.extend(link for _text, link in chrome_links(html) if link not in seen)
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member", "facilitator", "staff"])
def test_every_header_and_footer_link_works_for_each_role(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])

    pages = crawl(client)

    assert len(pages) >= (3 if role == "anonymous" else 5)
    for href, (status, html) in pages.items():
        assert status not in (404, 500), f"{role}: {href} answers {status}"
        fragment = urlsplit(href).fragment
        if fragment:
            assert f'id="{fragment}"' in html, f"{role}: {href} points to a missing anchor"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "facilitator", "staff"])
def test_signed_in_people_get_the_member_navigation_and_no_landing_anchors(client, people, role):
    client.force_login(people[role])
    links = chrome_links(client.get("/").content.decode())
    texts = [text for text, _href in links]
    assert [text for text in texts if text in MEMBER_LINKS] == MEMBER_LINKS
    assert not [href for _text, href in links if href.startswith("/#")]
    assert ("Admin" in texts) is (role == "staff")


@pytest.mark.django_db
def test_signed_out_visitors_get_the_landing_sections_and_sign_in(client, people):
    texts = [text for text, _href in chrome_links(client.get("/").content.decode())]
    assert "Courses" in texts and "How it works" in texts and "Sign in" in texts
    assert "My writing" not in texts
