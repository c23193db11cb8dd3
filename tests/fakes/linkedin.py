"""A FAKE LinkedIn for tests: the documented endpoints Klartext calls, on loopback.

Not LinkedIn: it answers what Klartext sends with the shapes LinkedIn's documentation gives
(learn.microsoft.com/linkedin: Authorization Code Flow, Sign In with LinkedIn using OpenID
Connect's userinfo, the Posts API), and keeps what was posted:

    GET  /oauth/v2/authorization   the member signs in and allows: back to redirect_uri with a code
    POST /oauth/v2/accessToken     code → {"access_token", "expires_in", "scope", "token_type"}
    POST /oauth/v2/revoke          client_id, client_secret, token → 200
    GET  /v2/userinfo              Bearer → {"sub", "name", "given_name", "family_name", ...}
    POST /rest/posts               Bearer, LinkedIn-Version, X-Restli-Protocol-Version: 2.0.0 →
                                   201, the post's URN in the x-restli-id header, empty body

Like LinkedIn, a post's commentary in the "little text" format is cut at the first unescaped
reserved character (`shown` keeps what a reader would see). LinkedIn has no idempotency key:
every request that arrives makes a post. Faults for the next post, in order:

    "drop"        keep the post, close the connection without an answer
    ("429", n)    answer 429 with Retry-After: n, post nothing
    "401"         answer 401 (the token was revoked or ended), post nothing
"""

import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

EXPIRES_IN = 5184000  # 60 days, as LinkedIn's tokens
RESERVED = set("\\|{}@[]()<>#*_~")
INVALID_TOKEN = {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
URL = re.compile(r"https?://[^\s()\[\]<>\\]+")


def little_text(commentary):
    """What LinkedIn shows of a commentary: escapes removed, cut at the first reserved character
    that is not escaped (links are taken whole)."""
    shown, index = [], 0
    while index < len(commentary):
        link = URL.match(commentary, index)
        if link:
            shown.append(link.group(0))
            index = link.end()
            continue
        char = commentary[index]
        if char == "\\" and index + 1 < len(commentary):
            shown.append(commentary[index + 1])
            index += 2
            continue
        if char in RESERVED:
            break
        shown.append(char)
        index += 1
    return "".join(shown)


class FakeLinkedIn:
    def __init__(self):
        self.client_id = "klartext-client-id"
        self.client_secret = "klartext-client-secret-do-not-leak"
        self.members = {"abc123": {"sub": "abc123", "given_name": "Alice", "family_name": "Adams"}}
        self.codes = {}
        self.tokens = {}  # token → member sub
        self.revoked = set()
        self.posts = []  # every post made: {"urn", "author", "commentary", "shown", "headers"}
        self.faults = []
        self.requests = []
        self._ids = itertools.count(7100000000000000001)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _userinfo(self, sub):
        member = self.members[sub]
        return {
            "sub": sub,
            "name": f"{member['given_name']} {member['family_name']}",
            "given_name": member["given_name"],
            "family_name": member["family_name"],
            "picture": "https://media.licdn.example/photo.jpg",
            "locale": {"country": "DE", "language": "de"},
            "email_verified": True,
        }

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, body=None, headers=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(code)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length).decode() if length else ""

            def _member(self):
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if token in fake.revoked:
                    return None
                return fake.tokens.get(token)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(("GET", parts.path))
                if parts.path == "/oauth/v2/authorization":
                    if query.get("client_id") != fake.client_id or query.get("response_type") != "code":
                        return self._send(400, {"error": "invalid_request"})
                    code = f"li-code-{len(fake.codes)}"
                    fake.codes[code] = (query.get("member", "abc123"), query["redirect_uri"], query.get("scope", ""))
                    location = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if parts.path == "/v2/userinfo":
                    sub = self._member()
                    if sub is None:
                        return self._send(401, INVALID_TOKEN)
                    return self._send(200, fake._userinfo(sub))
                return self._send(404, {"message": "Not found", "status": 404})

            def do_POST(self):
                path = urlsplit(self.path).path
                raw = self._body()
                fake.requests.append(("POST", path))
                if path == "/oauth/v2/accessToken":
                    form = {k: v[-1] for k, v in parse_qs(raw).items()}
                    grant = fake.codes.pop(form.get("code"), None)
                    if (
                        grant is None
                        or form.get("grant_type") != "authorization_code"
                        or form.get("client_id") != fake.client_id
                        or form.get("client_secret") != fake.client_secret
                        or form.get("redirect_uri") != grant[1]
                    ):
                        return self._send(400, {"error": "invalid_request", "error_description": "bad code"})
                    token = f"li-token-{grant[0]}-{len(fake.tokens)}"
                    fake.tokens[token] = grant[0]
                    return self._send(
                        200,
                        {"access_token": token, "expires_in": EXPIRES_IN, "scope": grant[2], "token_type": "Bearer"},
                    )
                if path == "/oauth/v2/revoke":
                    form = {k: v[-1] for k, v in parse_qs(raw).items()}
                    if form.get("client_id") != fake.client_id or form.get("client_secret") != fake.client_secret:
                        return self._send(401, {"error": "invalid_client"})
                    fake.revoked.add(form.get("token"))
                    return self._send(200)
                if path == "/rest/posts":
                    return self._post(raw)
                return self._send(404, {"message": "Not found", "status": 404})

            def _post(self, raw):
                fault = fake.faults.pop(0) if fake.faults else None
                sub = self._member()
                if fault == "401" or sub is None:
                    return self._send(401, INVALID_TOKEN)
                if isinstance(fault, tuple) and fault[0] == "429":
                    too_many = {"message": "Too many requests", "status": 429}
                    return self._send(429, too_many, {"Retry-After": str(fault[1])})
                if self.headers.get("X-Restli-Protocol-Version") != "2.0.0" or not re.fullmatch(
                    r"\d{6}", self.headers.get("LinkedIn-Version") or ""
                ):
                    return self._send(400, {"message": "Missing or invalid version headers", "status": 400})
                body = json.loads(raw or "{}")
                missing = [
                    name
                    for name in ("author", "commentary", "visibility", "distribution", "lifecycleState")
                    if name not in body
                ]
                if missing:
                    errors = "".join(f"ERROR :: /{name} :: field is required but not found\n" for name in missing)
                    return self._send(422, {"message": errors, "status": 422})
                if body["author"] != f"urn:li:person:{sub}":
                    return self._send(403, {"message": "Not enough permissions to post as this author", "status": 403})
                with fake.lock:
                    urn = f"urn:li:share:{next(fake._ids)}"
                    fake.posts.append(
                        {
                            "urn": urn,
                            "author": body["author"],
                            "commentary": body["commentary"],
                            "shown": little_text(body["commentary"]),
                            "headers": dict(self.headers),
                        }
                    )
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                return self._send(201, None, {"x-restli-id": urn, "Location": f"/rest/posts/{urn}"})

        return Handler
