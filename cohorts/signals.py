"""What cohorts announce to the packages above them, which cohorts must not import."""

from django.dispatch import Signal

# An invitation's current link was issued (created or re-issued); kwargs: invitation.
# The email pipeline (mail.receivers) records the invitation email and sends it after commit.
invitation_issued = Signal()
