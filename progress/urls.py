from django.urls import path, re_path

from . import event_views, home, practice_views

app_name = "progress"

urlpatterns = [
    # At most 18 digits: a longer number cannot be an id and would overflow the database integer.
    re_path(r"^cohorts/(?P<cohort_id>[0-9]{1,18})/$", home.cohort_home, name="cohort_home"),
    path("practice/", practice_views.practice, name="practice"),
    path("practice/self-check/", practice_views.self_check, name="self_check"),
    path("practice/relationships/", practice_views.relationships, name="relationships"),
    path("practice/relationships/<int:pk>/", practice_views.relationship_detail, name="relationship"),
    path("events/<int:pk>/", event_views.event_page, name="event"),
]
