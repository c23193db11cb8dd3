"""Settings for `make bench`: the production settings (course.settings, driven by the same
environment) plus this package as an app, for the baseline page of B3."""

from course.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
