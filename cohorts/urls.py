from django.urls import path, re_path

from . import practice_views, preference_views, views

app_name = "cohorts"

urlpatterns = [
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("invite/<str:token>/renew/", views.renew_invitation, name="renew_invitation"),
    # At most 18 digits: a longer number cannot be an id and would overflow the database integer.
    re_path(r"^cohorts/(?P<cohort_id>[0-9]{1,18})/$", views.cohort_home, name="cohort_home"),
    re_path(
        r"^cohorts/(?P<cohort_id>[0-9]{1,18})/calendar/reset/$",
        views.reset_calendar,
        name="reset_calendar",
    ),
    path("preferences/", preference_views.preferences, name="preferences"),
    path("practice/", practice_views.practice, name="practice"),
    path("practice/self-check/", practice_views.self_check, name="self_check"),
    path("practice/relationships/", practice_views.relationships, name="relationships"),
    path("practice/relationships/<int:pk>/", practice_views.relationship_detail, name="relationship"),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{16,64})\.ics$", views.calendar_feed, name="calendar"),
]
