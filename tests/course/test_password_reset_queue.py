"""A password reset answers the same whether an account exists or not: the email leaves through
Celery after the response, never inside the request."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.urls import reverse

from config.celery import app
from course import tasks
from course.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def miriam(db):
    return User.objects.create_user(
        email="miriam@example.com", password="a-long-enough-passphrase", full_name="Miriam Maier", language="de"
    )


@pytest.mark.parametrize("url_name", ["password_reset", "wagtailadmin_password_reset"])
def test_the_request_sends_nothing_and_queues_one_task_on_commit(
    client, miriam, mailoutbox, url_name, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.send_password_reset, "delay", lambda *args: queued.append(args))

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse(url_name), {"email": "miriam@example.com"})

    assert response.status_code == 302
    assert mailoutbox == []
    assert queued == []  # nothing leaves before the request's transaction commits
    for callback in callbacks:
        callback()
    assert queued == [("miriam@example.com", "admin" if url_name.startswith("wagtail") else "member")]


@pytest.mark.parametrize("url_name", ["password_reset", "wagtailadmin_password_reset"])
def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_queueing(
    client, miriam, url_name, django_capture_on_commit_callbacks
):
    answers = []
    for email in ("miriam@example.com", "nobody@example.com"):
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(reverse(url_name), {"email": email})
        answers.append((response.status_code, response["Location"], len(callbacks)))

    assert answers[0] == answers[1] == (302, answers[0][1], 1)


def test_a_malformed_address_queues_nothing_and_shows_the_form_again(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("password_reset"), {"email": "not an address"})

    assert response.status_code == 200
    assert b"not an address" in response.content
    assert callbacks == []


def test_the_task_writes_to_the_account_in_its_own_language(miriam, mailoutbox):
    tasks.send_password_reset("MIRIAM@example.com", "member")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["miriam@example.com"]
    assert "/accounts/reset/" in mailoutbox[0].body
    assert "Passwort" in mailoutbox[0].subject + mailoutbox[0].body


def test_the_admin_flavour_links_to_the_admin_reset_page(miriam, mailoutbox):
    tasks.send_password_reset("miriam@example.com", "admin")

    assert len(mailoutbox) == 1
    assert "/admin/password_reset/" in mailoutbox[0].body


def test_the_task_sends_nothing_for_an_unknown_or_inactive_account(miriam, mailoutbox):
    tasks.send_password_reset("nobody@example.com", "member")
    miriam.is_active = False
    miriam.save()
    tasks.send_password_reset("miriam@example.com", "member")

    assert mailoutbox == []


@pytest.fixture
def real_worker():
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
    app.control.purge()
    connection.close()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real broker: set REDIS_URL")
def test_a_real_worker_sends_the_reset_after_the_response(client, miriam, smtp, real_worker):
    response = client.post(reverse("password_reset"), {"email": "miriam@example.com"})

    assert response.status_code == 302
    deadline = time.monotonic() + 30
    while not smtp.received and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [message["To"] for message in smtp.received] == ["miriam@example.com"]
