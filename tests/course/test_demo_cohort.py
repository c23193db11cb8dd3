"""Seeding the demo again leaves its cohort as it was (what the cohort holds:
test_seed_demo_content.py)."""

import pytest
from django.core.management import call_command

from cohorts.models import Circle, Cohort, Membership
from course.models import User
from lessons.models import Feedback, PostLog, Response, Submission
from mail.models import Delivery


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Cohort, Circle, Membership, Submission, Response, Feedback, PostLog)
    }


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_in_the_cohort():
    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before
    # Seeding sends nothing by itself: the past nudges are recorded as sent, nothing is pending.
    assert not Delivery.objects.exclude(state="sent").exists()
