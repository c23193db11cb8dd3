from django.urls import path, re_path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("invite/<str:token>/renew/", views.renew_invitation, name="renew_invitation"),
    # At most 18 digits: a longer number cannot be an id and would overflow the database integer.
    re_path(
        r"^cohorts/(?P<cohort_id>[0-9]{1,18})/calendar/reset/$",
        views.reset_calendar,
        name="reset_calendar",
    ),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{16,64})\.ics$", views.calendar_feed, name="calendar"),
]
