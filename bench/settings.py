"""Settings for `make bench`: the production settings (config.settings, driven by the same
environment) plus this package as an app, for the baseline page of B3."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
