"""From raw MIME to what a person wrote: the standard library's `email` reads the message
(charsets, quoted-printable, base64, multipart), mail-parser-reply cuts the quoted original and
the signature (German and English mail clients), and HTML-only replies become the editor's
Markdown (markdownify) once the clients' quote containers are removed.
"""

import email
import re
from dataclasses import dataclass
from email import policy
from email.utils import getaddresses

from bs4 import BeautifulSoup
from mailparser_reply import EmailMessage as ReplyText
from markdownify import markdownify

LANGUAGES = ["de", "en"]

# Mobile and client footers that mail-parser-reply does not know as signatures (it knows
# "Sent from my …", "Get Outlook for …" and "Gesendet von …").
FOOTERS = re.compile(
    r"^\s*(?:"
    r"Von meinem (?:iPhone|iPad|Android|Smartphone|Mobiltelefon|Samsung[\w ]*)(?: gesendet)?\.?"
    r"|Von (?:meinem )?Outlook für (?:iOS|Android) gesendet"
    r"|Outlook für (?:iOS|Android) herunterladen"
    r"|Diese Nachricht wurde von meinem .{0,80} gesendet\.?"
    r"|Sent from (?:my )?(?:iPhone|iPad|Android|mobile|Outlook for (?:iOS|Android)|Mail for Windows).{0,40}"
    r"|Get Outlook for (?:iOS|Android).{0,40}"
    r"|Sent from Yahoo Mail.{0,60}"
    r")(?:\s*<[^>\n]*>)?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# Closing lines the library does not know, with up to two short lines (a name, a title) after
# them, at the very end of the new text.
SIGN_OFF = re.compile(
    r"(?:^|\n)[ \t]*(?:(?:Schöne|Herzliche|Freundliche|Sonnige|Liebe|Viele|Beste|Besten)\s+Grü(?:ß|ss)e"
    r"|LG|VG|MfG|Cheers|Best wishes|Warm regards|Kind regards|Regards|Many thanks)[,.!]?[ \t]*"
    r"(?:\n[^\n]{0,60}){0,2}\s*$",
    re.IGNORECASE,
)
# A quote header the library missed (a client that wraps "On … wrote:" over three lines, or an
# Outlook "-----Original Message-----" in German): everything from it on is the quoted original.
QUOTE_START = re.compile(
    r"^(?:>|-{3,} ?(?:Original Message|Ursprüngliche Nachricht) ?-{3,}|_{20,})",
    re.MULTILINE | re.IGNORECASE,
)
# HTML containers in which mail clients put the quoted original (Gmail, Apple Mail, Thunderbird,
# Outlook desktop and mobile, web mailers).
HTML_QUOTES = [
    ".gmail_quote",
    ".gmail_attr",
    "blockquote[type=cite]",
    ".moz-cite-prefix",
    "#appendonsend",
    "#divRplyFwdMsg",
    "#mail-editor-reference-message-container",
    ".OutlookMessageHeader",
    "[id^=ms-outlook-mobile-signature]",
    ".ms-outlook-mobile-reference-message",
    "#Signature",
    ".moz-signature",
    ".gmail_signature",
    "blockquote.yahoo_quoted",
    ".yahoo_quoted",
]
# Outlook puts the original after this element as a sibling, not inside it.
HTML_CUT_AFTER = ["#appendonsend", "#divRplyFwdMsg", "hr#stopSpelling"]
AUTOMATIC_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponse")


@dataclass
class Reply:
    sender: str  # the From address, as written
    subject: str
    text: str  # the new text only
    attachments: bool  # files were attached (and are not stored)
    automatic: bool  # an auto-reply (RFC 3834) or out-of-office


def parse(raw):
    return email.message_from_bytes(raw, policy=policy.default)


def sender_address(message):
    try:
        addresses = getaddresses([str(message.get("From", ""))])
    except (TypeError, ValueError, IndexError):
        return ""
    return addresses[0][1] if addresses else ""


def is_automatic(message):
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto not in ("", "no")
        or precedence in ("auto_reply", "bulk", "junk", "list")
        or any(message.get(name) for name in AUTOMATIC_HEADERS)
    )


def part_text(part):
    """A text part's content, whatever its transfer encoding and declared charset."""
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("latin-1")


def has_attachments(message):
    """Files (documents, images) came with the reply: they are not stored."""
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_filename() or part.get_content_disposition() == "attachment":
            return True
        if part.get_content_maintype() != "text":
            return True
    return False


def html_to_markdown(html):
    soup = BeautifulSoup(html, "html.parser")
    for selector in HTML_CUT_AFTER:
        for marker in soup.select(selector):
            for sibling in list(marker.find_next_siblings()):
                sibling.decompose()
    for selector in HTML_QUOTES:
        for element in soup.select(selector):
            element.decompose()
    for element in soup(["style", "script", "head", "title", "img"]):
        element.decompose()
    markdown = markdownify(
        str(soup),
        heading_style="ATX",
        bullets="-",
        escape_asterisks=False,
        escape_underscores=False,
        escape_misc=False,
    )
    return markdown.replace("\xa0", " ")


def body_of(message):
    """The reply's whole text (new and quoted) as plain text or Markdown."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part_text(part)
    if part.get_content_subtype() == "html":
        return html_to_markdown(text)
    if str(part.get_param("format", "")).lower() == "flowed":
        text = unflow(text, str(part.get_param("delsp", "no")).lower() == "yes")
    return text


def unflow(text, delsp):
    """RFC 3676 format=flowed: a line ending in a space continues on the next one."""
    lines, current = [], ""
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            current += line[:-1] if delsp else line
            continue
        lines.append(current + line)
        current = ""
    if current:
        lines.append(current)
    return "\n".join(lines)


def new_text(text):
    """What the member wrote above the quoted original, without signature and mobile footer."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    replies = ReplyText(text=text, languages=list(LANGUAGES), keep_hyphen_lists=True).read().replies
    text = replies[0].body if replies else ""
    quote = QUOTE_START.search(text)
    if quote:
        text = text[: quote.start()]
    text = FOOTERS.sub("", text)
    text = SIGN_OFF.sub("", text.strip())
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def read_reply(message):
    return Reply(
        sender=sender_address(message),
        subject=str(message.get("Subject", "")),
        text=new_text(body_of(message)),
        attachments=has_attachments(message),
        automatic=is_automatic(message),
    )
