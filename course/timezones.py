"""Time zones and weeks, for every package above this one.

A person's, member's or cohort's zone is its model's `.zone` (User, Membership, Cohort), which
calls `zone_named`; code that holds only a zone's name calls `zone_named` itself. A week is the ISO
week of a local date: `week_start` is its Monday, `iso_week_key` its name ("2026-W48"), the period
key of weekly emails and the key of the habit strip's weeks.

Choosing a zone (preferences, the user and invitation forms, the cohort form) offers the current
IANA zones, one or more per country as the tz database's `zone.tab` lists them, grouped by
region: no deprecated aliases ("US/Pacific", "Asia/Calcutta") and no links. Any name the tz
database knows stays valid, so a zone stored before keeps working and is shown as it is.
"""

import datetime
import zoneinfo
from importlib import resources
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

AVAILABLE_ZONES = frozenset(zoneinfo.available_timezones())

REGIONS = {
    "Europe": _("Europe"),
    "America": _("Americas"),
    "Asia": _("Asia"),
    "Africa": _("Africa"),
    "Australia": _("Australia"),
    "Pacific": pgettext_lazy("time zone region", "Pacific"),
    "Atlantic": pgettext_lazy("time zone region", "Atlantic"),
    "Indian": _("Indian Ocean"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
}
OTHER_ZONES = ("UTC",)


def _zone_table():
    """The text of the tz database's zone.tab where zoneinfo reads the zones (the system's, else
    the tzdata package's)."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")


def _current_zones():
    names = set()
    for line in _zone_table().splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("\t")[2])
    return frozenset(name for name in names if name in AVAILABLE_ZONES)


# Static data read once, like AVAILABLE_ZONES: the tz database does not change while we run.
CURRENT_ZONES = _current_zones()


def zone_label(name):
    """ "Europe/Berlin" → "Berlin", "America/Argentina/Buenos_Aires" → "Argentina / Buenos Aires"."""
    place = name.split("/", 1)[1] if "/" in name else name
    return place.replace("_", " ").replace("/", " / ")


def time_zone_choices(current=None):
    """The zone choices grouped by region, [(region, [(name, label), …]), …], Europe first.
    `current` (a stored name that is valid but not current, e.g. "US/Pacific") is offered first,
    so nobody loses the zone they have."""
    groups = {}
    for name in CURRENT_ZONES:
        region = name.split("/", 1)[0]
        if region in REGIONS:
            groups.setdefault(region, []).append((name, zone_label(name)))
    choices = [
        (REGIONS[region], sorted(groups[region], key=lambda choice: choice[1]))
        for region in REGIONS
        if region in groups
    ]
    choices.append((_("Other"), [(name, name) for name in OTHER_ZONES]))
    if current and current in AVAILABLE_ZONES and current not in CURRENT_ZONES and current not in OTHER_ZONES:
        choices.insert(0, (_("Your current zone"), [(current, current.replace("_", " "))]))
    return choices


# What people type that is not in a zone's name: German names of cities, and cities, countries
# and regions that share a zone with its named city. The search box matches these too.
SEARCH_WORDS = {
    "Europe/Berlin": "Deutschland Germany München Munich Hamburg Köln Cologne Frankfurt Stuttgart Düsseldorf "
    "Leipzig Dresden Hannover Nürnberg Bremen Bonn Essen Dortmund",
    "Europe/London": "England UK United Kingdom Großbritannien Vereinigtes Königreich Schottland Scotland "
    "Wales Edinburgh Manchester Birmingham Glasgow Leeds Bristol Liverpool Cardiff Belfast",
    "Europe/Vienna": "Wien Österreich Austria Graz Linz Salzburg Innsbruck",
    "Europe/Zurich": "Zürich Schweiz Switzerland Genf Geneva Basel Bern Lausanne Luzern",
    "Europe/Brussels": "Brüssel Belgien Belgium Antwerpen",
    "Europe/Amsterdam": "Niederlande Netherlands Holland Rotterdam Den Haag",
    "Europe/Paris": "Frankreich France Lyon Marseille",
    "Europe/Rome": "Rom Italien Italy Mailand Milan Neapel Florenz",
    "Europe/Madrid": "Spanien Spain Barcelona Valencia Sevilla",
    "Europe/Lisbon": "Lissabon Portugal Porto",
    "Europe/Prague": "Prag Tschechien Czechia",
    "Europe/Warsaw": "Warschau Polen Poland Krakau",
    "Europe/Copenhagen": "Kopenhagen Dänemark Denmark",
    "Europe/Stockholm": "Schweden Sweden Göteborg",
    "Europe/Oslo": "Norwegen Norway",
    "Europe/Helsinki": "Finnland Finland",
    "Europe/Dublin": "Irland Ireland Cork",
    "Europe/Luxembourg": "Luxemburg",
    "Europe/Athens": "Athen Griechenland Greece",
    "Europe/Istanbul": "Türkei Turkey Ankara",
    "Europe/Moscow": "Moskau Russland Russia Sankt Petersburg",
    "Europe/Kyiv": "Kiew Ukraine",
    "America/New_York": "USA Boston Washington Philadelphia Miami Atlanta Ostküste East Coast",
    "America/Chicago": "Dallas Houston Austin Minneapolis",
    "America/Los_Angeles": "San Francisco Seattle San Diego Silicon Valley Westküste West Coast",
    "America/Toronto": "Kanada Canada Montreal Ottawa",
    "Asia/Shanghai": "China Peking Beijing Shenzhen",
    "Asia/Kolkata": "Indien India Mumbai Bombay Delhi Bangalore Bengaluru",
    "Asia/Tokyo": "Japan Osaka",
    "Asia/Singapore": "Singapur",
    "Asia/Dubai": "Vereinigte Arabische Emirate UAE Abu Dhabi",
    "Australia/Sydney": "Australien Australia Canberra",
}


class ZoneSelect(forms.Select):
    """A grouped zone select with a search box (static/js/zone_search.js) that filters it."""

    template_name = "course/widgets/zone_select.html"

    class Media:
        js = ["js/zone_search.js"]

    def __init__(self, attrs=None):
        super().__init__({"data-zone-search": "", **(attrs or {})})

    def get_context(self, name, value, attrs):
        self.choices = time_zone_choices(current=value)
        return super().get_context(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["search_words"] = SEARCH_WORDS.get(value, "")
        return option


class TimeZoneField(forms.ChoiceField):
    """A zone chosen from `time_zone_choices`; any name the tz database knows is valid."""

    widget = ZoneSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        super().__init__(choices=time_zone_choices, **kwargs)

    def valid_value(self, value):
        return value in AVAILABLE_ZONES

    def validate(self, value):
        super().validate(value)
        if value and value not in AVAILABLE_ZONES:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


def zone_named(name, default=None):
    """The ZoneInfo for an IANA name such as "Europe/Berlin". An empty or unknown name gives
    `default` when one is given (a ZoneInfo), and raises ZoneInfoNotFoundError (or ValueError)
    otherwise."""
    if default is not None and name not in AVAILABLE_ZONES:
        return default
    return zoneinfo.ZoneInfo(name)


def week_start(day):
    """The Monday of the ISO week `day` (a local date) is in."""
    return day - datetime.timedelta(days=day.weekday())


def iso_week_key(day):
    """The ISO week of a local date as "2026-W48"; the ISO year, so 1 January 2027 is "2026-W53"."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
