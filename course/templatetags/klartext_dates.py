"""`{{ value|when:"weekday" }}`: dates with the weekday in the active language's convention.
Django's `date` filter only knows its fixed format names, so these styles live next to our
format modules (course/formats/<lang>/formats.py) and are looked up for the active language."""

from importlib import import_module

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.timezone import is_aware, localtime

register = template.Library()

STYLES = {
    "weekday": "WEEKDAY_DATETIME_FORMAT",
    "weekday_short": "WEEKDAY_SHORT_DATETIME_FORMAT",
    "weekday_day": "WEEKDAY_MONTH_DAY_FORMAT",
    "weekday_day_time": "WEEKDAY_MONTH_DAY_TIME_FORMAT",
}


def style_format(style, language=None):
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    module = import_module(f"course.formats.{language}.formats")
    return getattr(module, STYLES[style])


@register.filter
def when(value, style="weekday"):
    if value in (None, ""):
        return ""
    if hasattr(value, "tzinfo") and is_aware(value):
        value = localtime(value)  # honours an enclosing {% timezone %} like `date` does
    return format_date(value, style_format(style))
