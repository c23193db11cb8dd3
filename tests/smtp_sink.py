"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

It can answer a share of messages with a temporary (4xx) or permanent (5xx) error, decided per
Message-ID so that a retried message meets the same rule only on its first attempt.
"""

import email
import random
import socket
import threading
from collections import Counter
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self, *, temp_fail_rate=0.0, perm_fail_rate=0.0, seed=7):
        self.lock = threading.Lock()
        self.messages = []
        self.attempts = Counter()
        self.temp_fail_rate = temp_fail_rate
        self.perm_fail_rate = perm_fail_rate
        self.random = random.Random(seed)
        self.temp_failed = set()
        self.perm_failed = set()
        self.peers = set()  # (host, port) of each client connection that delivered something

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message_id = message.get("Message-ID", "")
        with self.lock:
            self.peers.add(session.peer)
            self.attempts[message_id] += 1
            first_attempt = self.attempts[message_id] == 1
            roll = self.random.random()
            if first_attempt and roll < self.perm_fail_rate:
                self.perm_failed.add(message_id)
            if message_id in self.perm_failed:
                return "550 5.1.1 Mailbox unavailable"
            if first_attempt and roll < self.perm_fail_rate + self.temp_fail_rate:
                self.temp_failed.add(message_id)
                return "451 4.3.0 Try again later"
            self.messages.append(message)
        return "250 OK"

    @property
    def received(self):
        with self.lock:
            return list(self.messages)

    def count_by_message_id(self):
        with self.lock:
            return Counter(m.get("Message-ID") for m in self.messages)


@contextmanager
def smtp_sink(**options):
    handler = RecordingHandler(**options)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()
