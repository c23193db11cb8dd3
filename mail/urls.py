from django.urls import path

from . import preference_views, views

app_name = "mail"

urlpatterns = [
    path("preferences/", preference_views.preferences, name="preferences"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
