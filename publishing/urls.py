"""Connected networks and posting, mounted at /networks/."""

from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("bluesky/connect/", views.connect_bluesky, name="connect_bluesky"),
    path("mastodon/connect/", views.connect_mastodon, name="connect_mastodon"),
    path("mastodon/callback/", views.mastodon_callback, name="mastodon_callback"),
    path("linkedin/connect/", views.connect_linkedin, name="connect_linkedin"),
    path("linkedin/callback/", views.linkedin_callback, name="linkedin_callback"),
    path("<str:network>/disconnect/", views.disconnect, name="disconnect"),
    path("piece/<int:pk>/", views.piece, name="piece"),
    path("publication/<int:pk>/cancel/", views.cancel, name="cancel"),
]
