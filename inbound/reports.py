"""Machine reports about mail we sent: RFC 3464 delivery status notifications (Postfix, Exim,
Sendmail and the big providers all send them as multipart/report) and RFC 5965 abuse reports
(ARF, the feedback loops' complaints)."""

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from .parsing import parse, part_text

BOUNCE, COMPLAINT = "bounce", "complaint"
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# Older MTAs without a delivery-status part still quote the remote server's reply.
SMTP_REPLY = re.compile(r"\b([45])\d\d[ -](?:([245]\.\d{1,3}\.\d{1,3})\b)?")


@dataclass
class Report:
    kind: str  # BOUNCE or COMPLAINT
    status: str = ""  # a DSN's status code, e.g. 5.1.1
    action: str = ""  # failed / delayed (bounces), the feedback type (complaints)
    recipient: str = ""  # the address the report is about
    original_headers: Message | None = None  # what the report quotes of our message

    @property
    def hard(self):
        return self.kind == BOUNCE and self.status.startswith("5")

    @property
    def soft(self):
        return self.kind == BOUNCE and self.status.startswith("4")


def read_report(message):
    """The Report a message carries, or None when it is no bounce or complaint."""
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type", "")).lower()
        if report_type == "feedback-report":
            return _complaint(message)
        if report_type == "delivery-status":
            return _dsn(message)
    return _plain_bounce(message)


def is_report(message):
    """Does the message say it is a delivery status or feedback report (multipart/report)?"""
    return message.get_content_type() == "multipart/report"


def _fields(part):
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else part_text(part)
    return [parse(block.strip().encode("utf-8", "replace")) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _original(message):
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            return inner[0] if isinstance(inner, list) and inner else None
        if content_type == "text/rfc822-headers":
            return parse(part_text(part).encode("utf-8", "replace"))
    return None


def _address(value):
    value = str(value or "")
    if ";" in value:
        value = value.split(";", 1)[1]
    found = getaddresses([value.strip()])
    return found[0][1] if found else value.strip()


def _dsn(message):
    recipients = []
    for part in message.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            recipients += [block for block in _fields(part) if block.get("Action") or block.get("Status")]
    # The worst outcome counts: a failed recipient before a delayed one.
    recipients.sort(key=lambda block: str(block.get("Action", "")).strip().lower() != "failed")
    for block in recipients:
        action = str(block.get("Action", "")).strip().lower()
        if action in ("delivered", "relayed", "expanded"):
            continue
        status = STATUS.search(str(block.get("Status", "")))
        code = status.group(0) if status else ("5.0.0" if action == "failed" else "4.0.0")
        return Report(
            BOUNCE,
            status=code,
            action=action,
            recipient=_address(block.get("Final-Recipient") or block.get("Original-Recipient")),
            original_headers=_original(message),
        )
    return _plain_bounce(message)


def _complaint(message):
    feedback_type, recipient = "abuse", ""
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            for block in _fields(part):
                feedback_type = str(block.get("Feedback-Type", feedback_type)).strip().lower()
                recipient = recipient or _address(block.get("Original-Rcpt-To"))
    return Report(COMPLAINT, action=feedback_type, recipient=recipient, original_headers=_original(message))


def _plain_bounce(message):
    """A bounce without a delivery-status part: only from a mailer daemon, read from its text."""
    sender = _address(message.get("From", "")).lower()
    subject = str(message.get("Subject", "")).lower()
    if not (sender.startswith(("mailer-daemon@", "postmaster@")) or "delivery" in subject or "undeliver" in subject):
        return None
    text = "\n".join(part_text(part) for part in message.walk() if part.get_content_type() == "text/plain")
    status = STATUS.search(text)
    if status and status.group(1) in "45":
        code = status.group(0)
    else:
        reply = SMTP_REPLY.search(text)
        if reply is None:
            return None
        code = reply.group(2) or f"{reply.group(1)}.0.0"
    return Report(BOUNCE, status=code, action="failed" if code.startswith("5") else "delayed")
