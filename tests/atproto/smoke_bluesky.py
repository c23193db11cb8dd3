# ruff: noqa  (a manual smoke script, not app code)
"""Manual smoke run of publishing.bluesky against tests/atproto/network.mjs (not collected by pytest):
connect from a handle, a thread with a link facet and card, a retried record key, a reply read back."""

import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
info = json.loads([l for l in open("/tmp/hh-atp/serve.log") if l.startswith("{")][0])
os.environ["ATPROTO_HANDLE_RESOLVER_URL"] = info["pds"]
os.environ["ATPROTO_PLC_URL"] = info["plc"]
django.setup()
import datetime
from types import SimpleNamespace

from atproto import Client

from publishing import bluesky


def make(handle):
    c = Client(base_url=info["pds"] + "/xrpc")
    c.com.atproto.server.create_account({"handle": handle, "email": handle + "@x.test", "password": "hunter2-long"})
    c.login(handle, "hunter2-long", fetch_bsky_profile=False)
    pw = c.com.atproto.server.create_app_password({"name": "klartext"}).password
    return c, pw


import random

S = str(random.randint(1000, 9999))
alice, pw = make(f"alice{S}.test")
bob, _ = make(f"bob{S}.test")
did, pds, handle, session = bluesky.login(f"alice{S}.test", pw)
print("login", did, pds, handle)
acct = SimpleNamespace(remote_id=did, secret=pw, session=session, service_url=pds, handle=handle, save=lambda **k: None)
text = (
    ("Listening is the part of writing in public that nobody sees. " * 5)
    + "More: https://klartext.example/notes/listening and yours? "
    + ("Listening is quiet work. " * 6)
)
from lessons.network_text import split_thread

parts = split_thread(text, "bluesky", 300)
pub = SimpleNamespace(pk=42, created_at=datetime.datetime.now(datetime.UTC), parts=parts, posted=[])
pub_root = None


class P(SimpleNamespace):
    @property
    def root(self):
        return self.posted[0] if self.posted else None


pub = P(pk=42, created_at=datetime.datetime.now(datetime.UTC), parts=parts, posted=[])
for i, part in enumerate(parts):
    r = bluesky.post(acct, pub, i, part, pub.posted[-1] if pub.posted else None)
    pub.posted.append(r)
print(len(text), len(parts), [p["url"] for p in pub.posted])
# retry of part 0: conflicts, not duplicated
again = bluesky.post(acct, pub, 0, parts[0], None)
print("retry same rkey ->", again["uri"] == pub.posted[0]["uri"])
recs = alice.com.atproto.repo.list_records({"repo": did, "collection": "app.bsky.feed.post"}).records
print(
    "records in repo:",
    len(recs),
    "facets:",
    [getattr(r.value, "facets", None) for r in recs],
    "embed:",
    [getattr(r.value, "embed", None) for r in recs],
)
# bob replies
root = pub.posted[0]
bob_did = bob.com.atproto.server.get_session().did
bob.com.atproto.repo.create_record(
    {
        "repo": bob_did,
        "collection": "app.bsky.feed.post",
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "Which part was hardest?",
            "createdAt": datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z"),
            "reply": {
                "root": {"uri": root["uri"], "cid": root["cid"]},
                "parent": {"uri": root["uri"], "cid": root["cid"]},
            },
        },
    }
)
for _ in range(20):
    try:
        found = bluesky.replies(acct, pub)
        if found:
            break
    except Exception as e:
        print("thread err", repr(e)[:200])
    time.sleep(1)
print("replies:", found)
