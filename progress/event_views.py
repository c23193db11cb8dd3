"""A cohort event's page for its members: when and where, the agenda, the event kit's prompts for
before, during and after, links to follow the hashtag, "going / not going", and after the event the
people one met, added to one's relationships log (lessons.models.Relationship)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cohorts import access
from cohorts.models import CohortEvent, EventAnswer
from lessons.models import Relationship
from lessons.platforms import hashtag_urls
from mail import meetups

MAX_PEOPLE = 20


class PeopleMetForm(forms.Form):
    people = forms.CharField(
        label=gettext_lazy("Whom did you meet? One name per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_PEOPLE * 152,
    )

    def clean_people(self):
        names = [" ".join(line.split()) for line in self.cleaned_data["people"].splitlines()]
        names = [name for name in names if name]
        if not names:
            raise forms.ValidationError(_("Write at least one name."))
        if len(names) > MAX_PEOPLE:
            raise forms.ValidationError(_("At most %(count)s names at a time.") % {"count": MAX_PEOPLE})
        if any(len(name) > 150 for name in names):
            raise forms.ValidationError(_("A name can have at most 150 characters."))
        return names


def _phase(event, now):
    if event.is_over(now):
        return "after"
    if event.starts_at <= now:
        return "during"
    return "before"


@login_required
@require_http_methods(["GET", "POST"])
def event_page(request, pk):
    event = get_object_or_404(CohortEvent.objects.select_related("cohort"), pk=pk)
    membership = access.get_membership_or_404(request.user, event.cohort_id)
    now = timezone.now()
    answer = EventAnswer.objects.filter(event=event, membership=membership).first()
    form = PeopleMetForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("going", "not_going") and not event.cancelled:
            EventAnswer.objects.update_or_create(
                event=event, membership=membership, defaults={"going": action == "going"}
            )
            messages.success(request, _("Thank you, your answer is saved."))
            return redirect("progress:event", event.pk)
        if action == "met" and event.is_over(now):
            form = PeopleMetForm(request.POST)
            if form.is_valid():
                note = _("Met at %(event)s (%(day)s).") % {"event": event.name, "day": event.date.isoformat()}
                with transaction.atomic():
                    Relationship.objects.bulk_create(
                        [
                            Relationship(membership=membership, name=name, note=note)
                            for name in form.cleaned_data["people"]
                        ]
                    )
                messages.success(request, _("They are on your relationships list now."))
                return redirect("progress:event", event.pk)
        elif action not in ("going", "not_going", "met"):
            messages.error(request, _("Unknown action; nothing was changed."))
    phase = _phase(event, now)
    return render(
        request,
        "progress/event.html",
        {
            "event": event,
            "cohort": event.cohort,
            "membership": membership,
            "own_time": meetups.in_member_zone(event, membership),
            "answer": answer,
            "phase": phase,
            "follow_links": hashtag_urls(event.hashtag),
            "form": form,
            "can_name_people": phase == "after" and not event.cancelled,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
