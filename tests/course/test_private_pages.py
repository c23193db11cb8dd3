"""Answers to a signed-in person are never cached (course.middleware.PrivatePagesMiddleware);
answers to anonymous visitors are left as the view made them. The walk over every member URL is
in tests/test_authorization.py."""

import pytest
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from course.middleware import PrivatePagesMiddleware
from course.models import User


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
def test_a_signed_in_member_page_is_no_store_and_private(client, lesson_page):
    user = User.objects.create_user(email="m@acme.test", password="pw-a-long-one-42", full_name="M")
    client.force_login(user)

    response = client.get("/write/posts/")

    assert {"no-store", "private", "no-cache", "must-revalidate"} <= directives(response)


@pytest.mark.django_db
def test_an_anonymous_visitor_without_a_session_is_left_alone(client, home_page):
    response = client.get(home_page.url)

    assert response.status_code == 200
    assert "no-store" not in directives(response)


@pytest.mark.django_db
def test_the_answer_to_a_successful_sign_in_is_never_cached(client):
    User.objects.create_user(email="m@acme.test", password="pw-a-long-one-42", full_name="M")

    response = client.post("/accounts/login/", {"username": "m@acme.test", "password": "pw-a-long-one-42"})

    assert response.status_code == 302
    assert {"no-store", "private"} <= directives(response)


@pytest.mark.django_db
def test_a_view_may_opt_out_by_marking_its_answer_public(rf):
    user = User.objects.create_user(email="m@acme.test", password="pw-a-long-one-42", full_name="M")
    request = rf.get("/")
    request.COOKIES["sessionid"] = "x"
    request.user = user

    def public_view(request):
        response = HttpResponse("shared")
        patch_cache_control(response, public=True, max_age=60)
        return response

    response = PrivatePagesMiddleware(public_view)(request)

    assert directives(response) == {"public", "max-age=60"}
