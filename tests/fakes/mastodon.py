"""A FAKE Mastodon server for tests: the documented endpoints Mastodon.py calls, on loopback.

Not Mastodon: it answers the requests Klartext makes with the JSON shapes the Mastodon API
documentation gives (docs.joinmastodon.org: Application, Token, Account, Status, Context,
Instance v2/v1), keeps what was posted, and can be told to misbehave for the next status post:

    "drop"        read the request, keep the status, close the connection without an answer
    ("429", n)    answer 429 with Retry-After: n
    "401"         answer 401 (the token was revoked)
    "hang"        keep the status, set `hanging`, answer only once `release` is set (meanwhile a
                  test kills the process that posted)

Statuses with the same Idempotency-Key are posted once; a repeat gets the first status back,
as Mastodon does.
"""

import datetime
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

PUBLIC_HOST = "mastodon.example"


class FakeMastodon:
    def __init__(self, max_characters=500):
        self.max_characters = max_characters
        self.apps = []
        self.tokens = {}  # token → account id
        self.revoked = set()
        self.codes = {}
        self.statuses = {}  # id → status
        self.posted = []  # ids in order, each only once
        self.by_key = {}
        self.faults = []
        self.requests = []
        self.status_texts = []  # the text of every status post received, repeats included
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.accounts = {"1": {"id": "1", "username": "alice", "acct": "alice", "display_name": "Alice A."}}
        self._ids = itertools.count(110000000000000001)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # -- what tests use ---------------------------------------------------------------------------

    def account(self, username):
        account_id = str(len(self.accounts) + 1)
        self.accounts[account_id] = {
            "id": account_id,
            "username": username,
            "acct": f"{username}@elsewhere.example",
            "display_name": username.title(),
        }
        return account_id

    def token_for(self, account_id):
        token = f"token-{account_id}-{len(self.tokens)}"
        self.tokens[token] = account_id
        return token

    def reply(self, account_id, in_reply_to_id, text):
        with self.lock:
            return self._new_status(account_id, text, in_reply_to_id)

    # -- documented shapes ----------------------------------------------------------------------

    def _account_json(self, account_id):
        a = self.accounts[account_id]
        return {
            "id": a["id"],
            "username": a["username"],
            "acct": a["acct"],
            "display_name": a["display_name"],
            "locked": False,
            "bot": False,
            "created_at": "2025-01-01T00:00:00.000Z",
            "note": "",
            "url": f"https://{PUBLIC_HOST}/@{a['username']}",
            "avatar": "",
            "header": "",
            "emojis": [],
            "fields": [],
        }

    def _new_status(self, account_id, text, in_reply_to_id):
        status_id = str(next(self._ids))
        username = self.accounts[account_id]["username"]
        status = {
            "id": status_id,
            "uri": f"https://{PUBLIC_HOST}/users/{username}/statuses/{status_id}",
            "url": f"https://{PUBLIC_HOST}/@{username}/{status_id}",
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "account": self._account_json(account_id),
            "content": "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>") + "</p>",
            "visibility": "public",
            "sensitive": False,
            "spoiler_text": "",
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "in_reply_to_id": in_reply_to_id,
            "in_reply_to_account_id": self.statuses[in_reply_to_id]["account"]["id"] if in_reply_to_id else None,
            "reblog": None,
            "language": "en",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
        }
        self.statuses[status_id] = status
        self.posted.append(status_id)
        return status

    def _instance_v2(self):
        return {
            "domain": PUBLIC_HOST,
            "title": "Fake Mastodon",
            "version": "4.3.0",
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "",
            "configuration": {
                "urls": {"streaming": ""},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23,
                },
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "contact": {"email": "", "account": None},
            "rules": [],
        }

    def _context(self, status_id):
        descendants, frontier = [], [status_id]
        while frontier:
            parent = frontier.pop(0)
            for status in self.statuses.values():
                if status["in_reply_to_id"] == parent:
                    descendants.append(status)
                    frontier.append(status["id"])
        return {"ancestors": [], "descendants": sorted(descendants, key=lambda s: s["id"])}

    # -- HTTP ------------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, body=None, headers=None):
                data = json.dumps(body if body is not None else {}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _params(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    return json.loads(raw or "{}")
                return {k: v[-1] for k, v in parse_qs(raw).items()}

            def _me(self):
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if token in fake.revoked:
                    return None
                return fake.tokens.get(token)

            def do_GET(self):
                parts = urlsplit(self.path)
                path, query = parts.path.rstrip("/"), {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(("GET", path))
                if path == "/api/v2/instance":
                    return self._send(200, fake._instance_v2())
                if path == "/api/v1/instance":
                    v2 = fake._instance_v2()
                    return self._send(
                        200,
                        {
                            "uri": PUBLIC_HOST,
                            "title": v2["title"],
                            "version": v2["version"],
                            "configuration": v2["configuration"],
                        },
                    )
                if path == "/.well-known/oauth-authorization-server":
                    return self._send(404, {"error": "Not found"})
                if path == "/oauth/authorize":
                    # The member signs in and allows: straight back to the app with a code.
                    code = f"code-{len(fake.codes)}"
                    fake.codes[code] = query.get("account", "1")
                    location = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                me = self._me()
                if me is None:
                    return self._send(401, {"error": "The access token is invalid"})
                if path == "/api/v1/accounts/verify_credentials":
                    return self._send(200, fake._account_json(me))
                if path.startswith("/api/v1/statuses/") and path.endswith("/context"):
                    status_id = path.split("/")[4]
                    if status_id not in fake.statuses:
                        return self._send(404, {"error": "Record not found"})
                    return self._send(200, fake._context(status_id))
                return self._send(404, {"error": "Record not found"})

            def do_POST(self):
                path = urlsplit(self.path).path.rstrip("/")
                params = self._params()
                fake.requests.append(("POST", path))
                if path == "/api/v1/apps":
                    app = {
                        "id": str(len(fake.apps) + 1),
                        "name": params.get("client_name"),
                        "website": params.get("website"),
                        "redirect_uri": params.get("redirect_uris"),
                        "redirect_uris": [params.get("redirect_uris")],
                        "scopes": (params.get("scopes") or "").split(),
                        "client_id": f"client-id-{len(fake.apps) + 1}",
                        "client_secret": f"client-secret-{len(fake.apps) + 1}",
                        "vapid_key": "",
                    }
                    fake.apps.append(app)
                    return self._send(200, app)
                if path == "/oauth/token":
                    account_id = fake.codes.pop(params.get("code"), None)
                    if account_id is None:
                        return self._send(400, {"error": "invalid_grant"})
                    token = fake.token_for(account_id)
                    return self._send(
                        200,
                        {
                            "access_token": token,
                            "token_type": "Bearer",
                            "scope": params.get("scope", ""),
                            "created_at": 1735689600,
                        },
                    )
                if path == "/oauth/revoke":
                    fake.revoked.add(params.get("token"))
                    return self._send(200, {})
                me = self._me()
                if path == "/api/v1/statuses":
                    fake.status_texts.append(params.get("status") or "")
                    fault = fake.faults.pop(0) if fake.faults else None
                    if fault == "401" or me is None:
                        return self._send(401, {"error": "The access token is invalid"})
                    if isinstance(fault, tuple) and fault[0] == "429":
                        return self._send(429, {"error": "Too many requests"}, {"Retry-After": str(fault[1])})
                    key = self.headers.get("Idempotency-Key")
                    text = params.get("status") or ""
                    if len(text) > fake.max_characters:
                        return self._send(422, {"error": "Validation failed: Text character limit exceeded"})
                    with fake.lock:
                        if key and (me, key) in fake.by_key:
                            status = fake.statuses[fake.by_key[(me, key)]]
                        else:
                            status = fake._new_status(me, text, params.get("in_reply_to_id") or None)
                            if key:
                                fake.by_key[(me, key)] = status["id"]
                    if fault == "hang":
                        fake.hanging.set()
                        fake.release.wait(120)
                    if fault == "drop":
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return None
                    return self._send(200, status)
                return self._send(404, {"error": "Record not found"})

        return Handler
