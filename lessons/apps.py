from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from .changes import writing_changed


class LessonsConfig(AppConfig):
    name = "lessons"

    def ready(self):
        names = ["Submission", "SubmissionVersion", "Response", "Feedback", "PostLog", "PeerReview", "Pause"]
        for model in [self.get_model(name) for name in names] + [self.apps.get_model("cohorts", "Membership")]:
            post_save.connect(writing_changed, sender=model, dispatch_uid=f"writing-changed-{model.__name__}-save")
            post_delete.connect(writing_changed, sender=model, dispatch_uid=f"writing-changed-{model.__name__}-delete")
        # Feedback.save keeps a piece's latest feedback; a deletion hands it to the one before.
        post_delete.connect(
            self.feedback_deleted, sender=self.get_model("Feedback"), dispatch_uid="latest-feedback-delete"
        )
        from . import receivers  # noqa: F401  (connects the receivers; importing it is the point)

    def feedback_deleted(self, sender, instance, **kwargs):
        self.models_module.renew_latest_feedback([instance.submission_id])
