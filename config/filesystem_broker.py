"""The embedded default's broker (no REDIS_URL): kombu's filesystem transport, with every message
written whole before a worker can see it.

kombu creates a message file under its final name and then writes it; a worker polling the folder
can take the still-empty file, fail to decode it and stop ("Unrecoverable error:
JSONDecodeError"), as a test run showed. Here a message is written under a name the worker does
not read (`….msg.part`) and renamed into place, which is atomic within one folder."""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's own name: queue order is the order of these names.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
