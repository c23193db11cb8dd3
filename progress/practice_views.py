"""The member's practice pages under /practice/: the habit strip, the yearly self-check and the
relationships log (Working Out Loud). Every lookup goes through `access.memberships_for`; another
member's cohort or relationship is a 404. No follower, like or view counts, on purpose."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cohorts import access
from course.validators import validate_single_line, validate_visible
from lessons.models import Contribution, PostLog, Relationship, SelfCheck, Submission
from lessons.writing import MAX_BODY_CHARS
from mail.preferences import next_weekly_nudge
from publishing.replies import conversation_counts

from .habit import GRACE_PER_QUARTER, SUGGESTED_RESPONSES, habit_for

SELF_CHECK_QUESTION = gettext_lazy("Who am I, what do I say, to whom?")
SIDE_BY_SIDE = 2  # previous answers shown next to this year's; older ones are listed below

# The strip's geometry (SVG user units).
CELL, GAP, TOP = 30, 6, 30
ROW = 26
ROWS = [
    ("wrote", "W", "url(#pat-wrote)"),
    ("published", "P", "url(#pat-published)"),
    ("responded", "R", "url(#pat-responded)"),
]


def _with_cohort(name, membership, *args):
    return f"{reverse(name, args=args)}?cohort={membership.cohort_id}"


def _week_title(week):
    parts = [
        _("Week %(key)s (%(monday)s – %(sunday)s)")
        % {
            "key": week.key,
            "monday": date_format(week.monday, "MONTH_DAY_FORMAT"),
            "sunday": date_format(week.sunday, "DATE_FORMAT"),
        },
        _("wrote %(n)d") % {"n": week.wrote},
        _("published %(n)d") % {"n": week.published},
        _("responded %(n)d") % {"n": week.responded},
        _("contributions to others %(n)d") % {"n": week.contributions},
    ]
    if week.paused:
        parts.append(_("paused"))
    if week.grace:
        parts.append(_("a grace week bridged the gap"))
    if week.in_streak:
        parts.append(_("part of your streak"))
    if week.current:
        parts.append(_("this week"))
    return "; ".join(str(part) for part in parts)


def _strip(habit):
    """Cells with their x offsets and per-activity rows, plus the SVG's size and its alt text."""
    cells = []
    for index, week in enumerate(habit.weeks):
        x = index * (CELL + GAP)
        rows = [
            {"name": name, "letter": letter, "fill": fill, "count": getattr(week, name), "y": TOP + i * (ROW + 4)}
            for i, (name, letter, fill) in enumerate(ROWS)
        ]
        cells.append(
            {"week": week, "x": x, "cx": x + CELL // 2, "rows": rows, "number": week.iso[1], "title": _week_title(week)}
        )
    height = TOP + len(ROWS) * (ROW + 4) + 34
    width = len(cells) * (CELL + GAP) - GAP
    weeks = len(habit.weeks)
    summary = _(
        "Your last %(weeks)d weeks: active in %(active)d, paused in %(paused)d. "
        "Current streak: %(streak)d weeks. Contributions to others: %(contributions)d."
    ) % {
        "weeks": weeks,
        "active": habit.active_weeks,
        "paused": habit.paused_weeks,
        "streak": habit.streak,
        "contributions": sum(week.contributions for week in habit.weeks),
    }
    return {
        "cells": cells,
        "width": width,
        "height": height,
        "paused_height": len(ROWS) * (ROW + 4) - 4,
        "count_y": TOP + len(ROWS) * (ROW + 4) + 14,
        "status_y": TOP + len(ROWS) * (ROW + 4) + 30,
        "summary": summary,
    }


@login_required
def practice(request):
    now = timezone.now()
    memberships = list(access.memberships_for(request.user))
    if not memberships:
        return render(request, "progress/practice.html", {"memberships": []})
    membership = access.requested_membership(request, memberships, now)
    habit = habit_for(membership, now)
    return render(
        request,
        "progress/practice.html",
        {
            "memberships": memberships,
            "membership": membership,
            "cohort": membership.cohort,
            "habit": habit,
            "strip": _strip(habit),
            "grace_per_quarter": GRACE_PER_QUARTER,
            "suggested_responses": SUGGESTED_RESPONSES,
            "next_nudge": next_weekly_nudge(membership, now),
            "time_zone": membership.time_zone,
            "switch_url": "progress:practice",
            # On the networks: conversations started and replies answered, never reach.
            "conversations": conversation_counts(Submission.objects.filter(membership=membership)),
        },
    )


# --- yearly self-check ------------------------------------------------------------------------


class SelfCheckForm(forms.ModelForm):
    answer = forms.CharField(
        label=SELF_CHECK_QUESTION,
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Markdown works: *emphasis*, lists, links."),
    )

    class Meta:
        model = SelfCheck
        fields = ["answer"]


@login_required
@require_http_methods(["GET", "POST"])
def self_check(request):
    now = timezone.now()
    memberships = list(access.memberships_for(request.user))
    membership = access.requested_membership(request, memberships, now)
    year = now.astimezone(membership.zone).year
    answers = list(SelfCheck.objects.filter(membership=membership).order_by("-year"))
    current = next((answer for answer in answers if answer.year == year), None)
    previous = [answer for answer in answers if answer.year != year]
    form = SelfCheckForm(request.POST or None, instance=current or SelfCheck(membership=membership, year=year))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your self-check for %(year)d is saved.") % {"year": year})
        return redirect(_with_cohort("progress:self_check", membership))
    return render(
        request,
        "progress/practice/self_check.html",
        {
            "memberships": memberships,
            "membership": membership,
            "cohort": membership.cohort,
            "form": form,
            "year": year,
            "question": SELF_CHECK_QUESTION,
            "side_by_side": previous[:SIDE_BY_SIDE],
            "older": previous[SIDE_BY_SIDE:],
            "switch_url": "progress:self_check",
        },
    )


# --- relationships log (Working Out Loud) -------------------------------------------------------


class RelationshipForm(forms.ModelForm):
    class Meta:
        model = Relationship
        fields = ["name", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"]
        for validator in (validate_visible, validate_single_line):
            validator(name)
        return name


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["kind", "made_on", "note", "post"]
        widgets = {"made_on": forms.DateInput(attrs={"type": "date"}), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = PostLog.objects.filter(membership=membership)
        self.fields["post"].required = False


@login_required
@require_http_methods(["GET", "POST"])
def relationships(request):
    now = timezone.now()
    memberships = list(access.memberships_for(request.user))
    membership = access.requested_membership(request, memberships, now)
    form = RelationshipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.membership = membership
        form.save()
        messages.success(request, _("%(name)s is on your list.") % {"name": form.instance.name})
        return redirect(_with_cohort("progress:relationships", membership))
    people = Relationship.objects.filter(membership=membership).prefetch_related("contributions").order_by("name", "pk")
    return render(
        request,
        "progress/practice/relationships.html",
        {
            "memberships": memberships,
            "membership": membership,
            "cohort": membership.cohort,
            "people": people,
            "form": form,
            "switch_url": "progress:relationships",
        },
    )


def _own_relationship(user, pk):
    return get_object_or_404(
        Relationship.objects.select_related("membership__cohort", "membership__cohort__course"),
        pk=pk,
        membership__in=access.memberships_for(user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_detail(request, pk):
    person = _own_relationship(request.user, pk)
    membership = person.membership
    action = request.POST.get("action") if request.method == "POST" else None
    form = RelationshipForm(request.POST if action == "edit" else None, instance=person)
    contribution_form = ContributionForm(
        request.POST if action == "contribute" else None,
        membership=membership,
        initial={"made_on": membership.local_today()},
    )
    if action == "edit" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("progress:relationship", pk=person.pk)
    if action == "contribute" and contribution_form.is_valid():
        contribution_form.instance.relationship = person
        contribution_form.save()
        messages.success(request, _("Contribution logged."))
        return redirect("progress:relationship", pk=person.pk)
    if action == "delete":
        name = person.name
        person.delete()
        messages.success(request, _("%(name)s is off your list.") % {"name": name})
        return redirect(_with_cohort("progress:relationships", membership))
    return render(
        request,
        "progress/practice/relationship.html",
        {
            "membership": membership,
            "cohort": membership.cohort,
            "person": person,
            "form": form,
            "contribution_form": contribution_form,
            "contributions": person.contributions.select_related("post"),
        },
    )
