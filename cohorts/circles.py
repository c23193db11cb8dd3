"""Circles: splitting a cohort's members into small writing groups and moving people between them.

A circle reads and answers its members' writing, and peer review hands every shared piece to at
least two readers inside the circle. Four or five people is the size that works: enough readers
when someone is travelling, few enough that everyone reads everything.

`split_into_circles(n)` gives the sizes; it uses only 4s and 5s whenever that is possible, which
is for every n ≥ 8 except 11. The edge cases, and why:

====  ==========  ===========================================================================
n     sizes       why
====  ==========  ===========================================================================
0     []          nobody to place
1–5   [n]         one circle; a group below 4 is small, but splitting it further makes pairs
                  or singles, who cannot review each other (each piece needs two readers)
6     [6]         two circles of 3 would leave each piece exactly two readers and collapse
                  when one person drops out; one circle of 6 is still workable
7     [4, 3]      7 is above the largest circle we allow (6), so 4 + 3
11    [6, 5]      4s and 5s cannot make 11; 6 + 5 keeps every circle at ≥ 4 readers, which
                  survives a drop-out better than 4 + 4 + 3
====  ==========  ===========================================================================

Larger circles come first; `split_cohort` fills them in a stable order (language, then UTC
offset, then name) so that circle-mates share a language and working hours where possible, and
re-splitting the same members gives the same circles.
"""

import datetime
import math
from string import ascii_uppercase

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from course.timezones import zone_named

from .models import Circle, Cohort, Membership, Role

SMALLEST = 4
LARGEST = 5

_EDGE_CASES = {6: [6], 7: [4, 3], 11: [6, 5]}


def split_into_circles(n):
    """Circle sizes for n members, largest first (see the module docstring for the edge cases)."""
    if n < 0:
        raise ValueError("The number of members cannot be negative.")
    if n == 0:
        return []
    if n <= LARGEST:
        return [n]
    if n in _EDGE_CASES:
        return list(_EDGE_CASES[n])
    count = math.ceil(n / LARGEST)
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


def circle_letters(index):
    """0 → A, 25 → Z, 26 → AA, 27 → AB … (as spreadsheet columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, len(ascii_uppercase))
        letters = ascii_uppercase[remainder] + letters
    return letters


def circle_name(index, language):
    """'Circle A', 'Circle B' … in the cohort's language ('Kreis A' for a German cohort)."""
    with translation.override(language):
        return gettext("Circle %(letters)s") % {"letters": circle_letters(index)}


def _utc_offset(time_zone, at):
    return at.astimezone(zone_named(time_zone, default=datetime.UTC)).utcoffset()


def _placement_order(memberships, at):
    return sorted(
        memberships,
        key=lambda m: (m.language, _utc_offset(m.time_zone, at), m.user.full_name.casefold(), m.pk),
    )


def split_cohort(cohort, *, at=None):
    """Replace the cohort's circles with new ones of 4–5 members (role member only).

    Existing circles are deleted (their members lose their circle first), then every member
    gets exactly one new circle. Facilitators are never placed. Returns the new circles.
    """
    at = at or timezone.now()
    with transaction.atomic():
        # Serialise concurrent re-splits of the same cohort.
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        Circle.objects.filter(cohort=cohort).delete()
        members = _placement_order(
            Membership.objects.filter(cohort=cohort, role=Role.MEMBER).select_related("user"), at
        )
        sizes = split_into_circles(len(members))
        circles = []
        start = 0
        for index, size in enumerate(sizes):
            circle = Circle.objects.create(cohort=cohort, name=circle_name(index, cohort.language))
            ids = [m.pk for m in members[start : start + size]]
            Membership.objects.filter(pk__in=ids).update(circle=circle)
            circles.append(circle)
            start += size
    return circles


class CircleError(ValidationError):
    pass


def move_to_circle(membership, circle):
    """Put a member into one of their cohort's circles (or none, with circle=None).

    A circle of another cohort is refused: circles never mix cohorts.
    """
    if circle is not None and circle.cohort_id != membership.cohort_id:
        raise CircleError(_("The circle belongs to another cohort."), code="other_cohort")
    if membership.role != Role.MEMBER and circle is not None:
        raise CircleError(_("Only members are placed in circles."), code="not_a_member")
    membership.circle = circle
    membership.save(update_fields=["circle"])
    return membership


def save_circle(cohort, name, circle=None):
    """Create a circle in the cohort, or rename `circle` (which must belong to it)."""
    name = (name or "").strip()
    if not name:
        raise CircleError(_("A circle needs a name."), code="required")
    if circle is not None and circle.cohort_id != cohort.pk:
        raise CircleError(_("The circle belongs to another cohort."), code="other_cohort")
    taken = Circle.objects.filter(cohort=cohort, name__iexact=name)
    if circle is not None:
        taken = taken.exclude(pk=circle.pk)
    if taken.exists():
        raise CircleError(_("This cohort already has a circle called “%(name)s”."), params={"name": name}, code="taken")
    if circle is None:
        circle = Circle(cohort=cohort)
    circle.name = name
    try:
        with transaction.atomic():
            circle.save()
    except IntegrityError:
        # Someone else took the name between the check and the save.
        raise CircleError(
            _("This cohort already has a circle called “%(name)s”."), params={"name": name}, code="taken"
        ) from None
    return circle
