from django.urls import path

from . import webhook

app_name = "inbound"

urlpatterns = [
    path("inbound/mailgun/", webhook.mailgun_inbound, name="mailgun"),
]
