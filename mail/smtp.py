"""One SMTP connection for a batch, and sending one message over it knowing whether the server can
have accepted it.

Django's SMTP backend raises the same `SMTPServerDisconnected` whether the connection broke before
the message was sent or after the end of DATA, while the server was answering; only the second
may have delivered it. So the transaction is run here, phase by phase, over the connection the
backend opened (its settings for host, TLS and login are kept):

    connect, MAIL FROM, RCPT TO, DATA, the message and its final "."   → any error: NotAccepted
    the server's reply to the final "."                                  → 250: accepted
                                                                           4xx/5xx: NotAccepted
                                                                           lost: Unknown

A message whose sending broke off before its final "." left the socket cannot have been accepted
(the end of data is the last thing sent). The file and memory backends (development and tests)
send through Django as before: they cannot lose a reply.
"""

import contextlib
import re
import smtplib

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

CRLF = b"\r\n"
TRANSIENT_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError)


def is_transient(error):
    """4xx replies and connections lost before the end of data are worth retrying; 5xx are final."""
    if isinstance(error, SoftTimeLimitExceeded):
        return True  # the batch ran out of time before the message was complete
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    return isinstance(error, TRANSIENT_ERRORS)


class NotAccepted(Exception):
    """The server has not accepted the message (it refused, or it never got the end of data)."""

    def __init__(self, error):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error
        self.transient = is_transient(error)


class Unknown(Exception):
    """The whole message was sent and the server's answer was lost: it may have been delivered."""

    def __init__(self, error):
        super().__init__(f"No reply after the end of DATA ({type(error).__name__}: {error})")
        self.error = error


def quoted(data):
    """The message as sent after DATA (as smtplib does it): leading dots doubled, ending with
    CRLF "." CRLF."""
    body = re.sub(rb"(?m)^\.", b"..", data)
    if not body.endswith(CRLF):
        body += CRLF
    return body + b"." + CRLF


class Connection:
    """One connection for a batch: opened on the first message, opened again after a failure
    closed it, closed by `close()`."""

    def __init__(self):
        self.backend = get_connection()
        self.smtp = isinstance(self.backend, SMTPBackend)

    def send(self, message):
        """Send an EmailMessage. Raises NotAccepted or Unknown; returns when the server said 250."""
        if not self.smtp:
            try:
                self.backend.send_messages([message])
            except (smtplib.SMTPException, OSError) as error:
                raise NotAccepted(error) from error
            return
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
        waiting_for_reply = False
        try:
            connection = self._open()
            self._envelope(connection, sender, recipients, len(data))
            self._command(connection, "data", expect=(354,))
            connection.send(quoted(data))  # raises before the final "." has left, or not at all
            waiting_for_reply = True
            code, reply = connection.getreply()
        except (smtplib.SMTPException, OSError, SoftTimeLimitExceeded) as error:
            if waiting_for_reply:
                self.drop()
                raise Unknown(error) from error
            self._after_refusal(error)
            raise NotAccepted(error) from error
        if code == 250:
            return
        if not 400 <= code < 600:  # not an answer we can read: it may have been accepted
            self.drop()
            raise Unknown(smtplib.SMTPDataError(code, reply))
        self._after_refusal(smtplib.SMTPDataError(code, reply))
        raise NotAccepted(smtplib.SMTPDataError(code, reply))

    def _open(self):
        if self.backend.connection is None:
            self.backend.open()
        return self.backend.connection

    def _envelope(self, connection, sender, recipients, size):
        connection.ehlo_or_helo_if_needed()
        options = [f"size={size}"] if connection.does_esmtp and connection.has_extn("size") else []
        code, reply = connection.mail(sender, options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
            if code == 421:
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)

    def _command(self, connection, command, *, expect):
        code, reply = connection.docmd(command)
        if code not in expect:
            raise smtplib.SMTPDataError(code, reply)

    def _after_refusal(self, error):
        """A refused message leaves a usable connection once reset; a broken one is dropped so the
        next message opens a new one."""
        code = getattr(error, "smtp_code", None)
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code = 421 if any(c == 421 for c, _r in error.recipients.values()) else 550
        if code is None or code == 421 or self.backend.connection is None:
            self.drop()
            return
        try:
            self.backend.connection.rset()
        except (smtplib.SMTPException, OSError):
            self.drop()

    def drop(self):
        """Forget a broken connection without a QUIT."""
        connection, self.backend.connection = getattr(self.backend, "connection", None), None
        if connection is not None:
            with contextlib.suppress(OSError):  # it is already gone
                connection.close()

    def close(self):
        if self.smtp and self.backend.connection is not None:
            try:
                self.backend.close()
            except (smtplib.SMTPException, OSError):
                self.drop()
