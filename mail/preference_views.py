"""The member's nudge preferences page (/preferences/, linked from every email).

One form per page, for one of the member's cohorts (a switcher picks the cohort). Every lookup
goes through `access.requested_membership`: another person's membership or cohort id is a 404.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cohorts import access
from cohorts.models import Membership

from .forms_preferences import SAVED_FIELDS, PreferencesForm
from .models import Kind
from .preferences import next_weekly_nudge, record_pause, set_opt_outs
from .replies import address_works


def _page_url(membership):
    return f"{reverse('mail:preferences')}?cohort={membership.cohort_id}"


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    memberships = list(access.memberships_for(request.user))
    now = timezone.now()
    if not memberships:
        return render(request, "mail/preferences.html", {"memberships": []})

    membership = access.requested_membership(request, memberships, now)

    opted_out = set(membership.opt_outs.values_list("kind", flat=True))
    next_nudge = next_weekly_nudge(membership, now)

    if request.method == "POST" and request.POST.get("action") == "resubscribe":
        Membership.objects.filter(pk=membership.pk).update(unsubscribed_at=None)
        messages.success(
            request, _("Welcome back: you get emails for %(cohort)s again.") % {"cohort": membership.cohort}
        )
        return redirect(_page_url(membership))

    if request.method == "POST" and request.POST.get("action") == "address_works":
        address_works(request.user.pk)
        messages.success(request, _("Thank you: we send email to %(email)s again.") % {"email": request.user.email})
        return redirect(_page_url(membership))

    if request.method == "POST":
        # A copy: a form with errors must not change the saved values the page shows.
        form = PreferencesForm(
            request.POST, instance=copy.copy(membership), user=request.user, opted_out_kinds=opted_out
        )
        if form.is_valid():
            with transaction.atomic():
                form.instance.save(update_fields=SAVED_FIELDS)
                request.user.short_name = form.cleaned_data["short_name"]
                request.user.save(update_fields=["short_name"])
                set_opt_outs(membership, form.cleaned_data["opt_outs"], shown=form.kinds)
                if form.instance.paused_until != membership.paused_until:
                    record_pause(
                        membership,
                        form.instance.paused_until,
                        timezone.localdate(timezone=form.instance.zone),
                    )
            messages.success(request, _("Your preferences for %(cohort)s are saved.") % {"cohort": membership.cohort})
            return redirect(_page_url(membership))
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    else:
        form = PreferencesForm(instance=membership, user=request.user, opted_out_kinds=opted_out)

    return render(
        request,
        "mail/preferences.html",
        {
            "memberships": memberships,
            "membership": membership,
            "cohort": membership.cohort,
            "form": form,
            "next_nudge": next_nudge,
            "time_zone": membership.time_zone,
            "weekly_opted_out": Kind.WEEKLY_NUDGE in opted_out,
        },
    )
