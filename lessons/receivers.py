"""What lessons does when something below it happens (connected in LessonsConfig.ready)."""

from django.dispatch import receiver

from cohorts.leaving import reader_lost

from .writing import replace_lost_readers


@receiver(reader_lost, dispatch_uid="lessons.reader_lost")
def give_lost_readings_to_others(sender, pieces, **kwargs):
    """A member removed from a cohort: the pieces they were asked to read get another reader."""
    replace_lost_readers(pieces)
