import pytest

from course import account_views
from course.password_reset import send_reset_email


@pytest.fixture(autouse=True)
def password_reset_mail_sent_in_process(request, monkeypatch):
    """The reset views queue their email for a Celery worker once the request commits; tests of
    what the email says and of the limits read it from mailoutbox straight away. The queueing
    itself is tested where a test asks for django_capture_on_commit_callbacks, and with a real
    worker in test_password_reset_queue.py."""
    if "django_capture_on_commit_callbacks" in request.fixturenames or "real_worker" in request.fixturenames:
        return
    monkeypatch.setattr(account_views, "queue_password_reset", send_reset_email)
