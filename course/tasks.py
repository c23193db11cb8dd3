"""Account mail that must leave after the response: a password reset link (course.password_reset).
Thin: the task takes the typed address and which reset page was used, nothing else."""

from celery import shared_task

from .password_reset import send_reset_email


@shared_task(ignore_result=True)
def send_password_reset(email, flavour):
    send_reset_email(email, flavour)
