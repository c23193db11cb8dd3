"""Mail providers' inbound webhooks, through django-anymail's normalised inbound event: Mailgun
(its route's "forward" action to /inbound/mailgun/, the HMAC signature checked with
KLARTEXT_MAILGUN_WEBHOOK_SIGNING_KEY). The message then takes the SMTP server's path."""

from anymail.signals import inbound
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.dispatch import receiver
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from .models import InboundMessage
from .receiving import accept


@csrf_exempt  # the provider posts without a CSRF token; the signature is the proof
def mailgun_inbound(request):
    key = settings.KLARTEXT_MAILGUN_WEBHOOK_SIGNING_KEY
    if not key:
        raise Http404("Mailgun's inbound webhook is not configured.")
    return MailgunInboundWebhookView.as_view(webhook_signing_key=key)(request)


@receiver(inbound, dispatch_uid="klartext.inbound.anymail")
def store_inbound(sender, event, esp_name, **kwargs):
    message = event.message
    recipients = [message.envelope_recipient] if message.envelope_recipient else [a.addr_spec for a in message.to]
    accept(message.as_bytes(), message.envelope_sender or "", recipients, source=InboundMessage.Source.MAILGUN)
