"""An SMTP sink on loopback that only counts (aiosmtpd): parsing each message would make the sink,
not the sender, what B1 measures. It notes the moment of the last message and the distinct
Message-IDs, so a duplicate or a lost message shows in the figures."""

import re
import threading
import time

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class CountingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.count = 0
            self.ids = set()
            self.first_at = None
            self.last_at = None

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content or b""
        head = content[: content.find(b"\r\n\r\n")] if b"\r\n\r\n" in content else content[:4096]
        match = MESSAGE_ID.search(head)
        now = time.monotonic()
        with self.lock:
            self.count += 1
            if match:
                self.ids.add(match.group(1))
            self.first_at = self.first_at or now
            self.last_at = now
        return "250 OK"

    def snapshot(self):
        with self.lock:
            return self.count, len(self.ids), self.last_at

    def wait_for(self, count, timeout, *, poll=0.2, stalled_after=None):
        """Until `count` messages arrived; gives up at `timeout`, or when nothing arrived for
        `stalled_after` seconds. Returns the number received."""
        deadline = time.monotonic() + timeout
        last_count, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            received, _distinct, _last = self.snapshot()
            if received >= count:
                return received
            if received != last_count:
                last_count, last_change = received, time.monotonic()
            elif stalled_after and time.monotonic() - last_change > stalled_after:
                break
            time.sleep(poll)
        return self.snapshot()[0]


class Sink:
    def __init__(self, port):
        self.handler = CountingHandler()
        # Messages of a few KB; the default 32 MB limit and timeouts are fine.
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port, ready_timeout=10)
        self.port = port

    def __enter__(self):
        self.controller.start()
        return self.handler

    def __exit__(self, *exc):
        self.controller.stop()
