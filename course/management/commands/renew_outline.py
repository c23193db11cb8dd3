"""`manage.py renew_outline`: make every process reload the course outline it keeps
(course/outline.py). Page changes do this themselves; this is for changes made behind Django's
back (SQL, QuerySet.update() on pages)."""

from django.core.management.base import BaseCommand

from course import outline


class Command(BaseCommand):
    help = "Make every web and worker process reload the course outline it keeps in memory."

    def handle(self, *args, **options):
        outline.renew()
        self.stdout.write(self.style.SUCCESS("Every process reloads the course outline on its next request or task."))
