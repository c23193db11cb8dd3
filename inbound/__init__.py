"""Mail that comes back: replies that become drafts, bounces and complaints that stop the mail.

receiving   store every accepted message raw first (an InboundMessage row), then queue it in a batch
server      the inbound SMTP server (aiosmtpd): refuses strangers and oversized messages at once
webhook     the same for Mailgun's inbound route (django-anymail, signature verified)
parsing     MIME (stdlib `email`) to the reply's new text: quotes, signatures and mobile footers
            stripped (mail-parser-reply), HTML-only replies as the editor's Markdown
reports     RFC 3464 delivery status notifications and RFC 5965 (ARF) complaints
processing  the rules: whose reply it is, what it writes, bounces and complaints; exactly once
tasks       the Celery tasks: process a batch of messages (or one); sweep what a dead worker left behind
admin_views the "Inbound mail" report in the Wagtail admin
"""
