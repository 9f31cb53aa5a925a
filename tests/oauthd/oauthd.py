#!/usr/bin/python3
"""Test OAuth2 endpoints for mailhop's integration tests.

python3 standard library only (http.server + ssl).  Listens on 127.0.0.1
(port 0 unless --port) over HTTPS with the tests' throwaway certificate,
writes the real port to --port-file once it accepts connections, and
records every request as one JSON object per line in --log.  SIGTERM or
SIGINT stops it; so does the test script going away.

Endpoints (tests/lib/README.md has the details):
  POST /token      grant_type refresh_token, authorization_code (PKCE
                   S256 checked) and urn:ietf:params:oauth:grant-type:
                   device_code (RFC 8628 pending / slow_down / interval)
  POST /device     RFC 8628 device authorization
  GET  /authorize  the browser's side of the code flow: checks the
                   request and redirects to the loopback redirect_uri
  GET  /admin/...  what a test changes while the server runs: mode,
                   revoke, expires, rotate, state
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import secrets
import signal
import ssl
import sys
import threading
import time
import urllib.parse

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
MODES = ("ok", "malformed", "500", "slow", "invalid_grant", "no_token",
         "html", "empty_error")


class State:
    """Everything the endpoints share; one lock around all of it."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.logf = open(args.log, "a", buffering=1)
        self.clients = {}
        for c in args.client:
            cid, _, secret = c.partition(":")
            self.clients[cid] = secret or None
        self.refresh = set(args.refresh)    # refresh tokens that work
        self.mode = args.mode
        self.slow = args.slow
        self.expires = args.expires
        self.rotate = args.rotate
        self.seq = 0
        self.codes = {}         # authorization code -> its request
        self.devices = {}       # device_code -> poll state
        self.last_access = None
        self.last_refresh = None

    def log(self, obj):
        obj.setdefault("time", round(time.time(), 3))
        with self.lock:
            self.logf.write(json.dumps(obj) + "\n")

    def issue(self, with_refresh):
        """A fresh access token (and refresh token); caller holds lock."""
        self.seq += 1
        body = {"access_token": "at-%d-%s" % (self.seq, secrets.token_hex(8)),
                "token_type": "Bearer", "expires_in": self.expires}
        if self.args.expires_string:    # old Azure AD v1 endpoints did
            body["expires_in"] = str(self.expires)
        if self.args.scope_out:
            body["scope"] = self.args.scope_out
        self.last_access = body["access_token"]
        if self.args.issued:
            with open(self.args.issued, "a") as f:
                f.write(body["access_token"] + "\n")
        if with_refresh:
            rt = "rt-%d-%s" % (self.seq, secrets.token_hex(12))
            self.refresh.add(rt)
            self.last_refresh = rt
            body["refresh_token"] = rt
        return body


def b64url_sha256(text):
    d = hashlib.sha256(text.encode("ascii")).digest()
    return base64.urlsafe_b64encode(d).rstrip(b"=").decode("ascii")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "oauthd/1"

    def log_message(self, fmt, *args):    # quiet: our log is the JSON one
        pass

    @property
    def st(self):
        return self.server.st

    # ---- plumbing ---------------------------------------------------------

    def send_json(self, code, obj, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)
        return code

    def send_text(self, code, text, ctype="text/plain"):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return code

    def form(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        ctype = self.headers.get("Content-Type", "")
        return ctype, {k: v[0] for k, v in
                       urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def client_ok(self, f):
        """client_id known and, when it has a secret, the secret given."""
        cid = f.get("client_id")
        auth = self.headers.get("Authorization", "")
        secret = f.get("client_secret")
        if auth.lower().startswith("basic "):
            try:
                dec = base64.b64decode(auth[6:]).decode()
                cid, _, secret = dec.partition(":")
                cid = urllib.parse.unquote_plus(cid)
                secret = urllib.parse.unquote_plus(secret)
            except ValueError:
                return False
        if cid not in self.st.clients:
            return False
        want = self.st.clients[cid]
        return want is None or (secret is not None and
                                hmac.compare_digest(want, secret))

    def error(self, code, err, desc):
        return self.send_json(code, {"error": err, "error_description": desc})

    # ---- POST -------------------------------------------------------------

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        ctype, f = self.form()
        rec = {"type": "request", "arrived": round(time.time(), 3),
               "method": "POST", "path": path,
               "content_type": ctype, "grant_type": f.get("grant_type"),
               "client_id": f.get("client_id"), "scope": f.get("scope"),
               "has_secret": "client_secret" in f or
               "Authorization" in self.headers}
        try:
            if path == "/token":
                rec["status"] = self.token(f, rec)
            elif path == "/device":
                rec["status"] = self.device(f, rec)
            else:
                rec["status"] = self.send_text(404, "no such endpoint\n")
        except OSError as e:    # the client gave up (a slow answer)
            rec["status"] = "client gone: %s" % e.__class__.__name__
            self.close_connection = True
        finally:
            self.st.log(rec)

    def token(self, f, rec):
        st = self.st
        mode = st.mode
        if mode == "slow":
            time.sleep(st.slow)
        if mode == "500":
            return self.send_text(500, "internal error\n")
        if mode == "malformed":
            return self.send_json(200, None, raw=b'{"access_token": "at-x", ')
        if mode == "html":
            return self.send_text(200, "<html>login</html>", "text/html")
        if mode == "empty_error":
            # an error object whose error code is empty (RFC 6749 5.2
            # wants one): no error, and no access_token either
            return self.send_json(400, {"error": ""})
        if not ctype_form(self.headers.get("Content-Type", "")):
            return self.error(400, "invalid_request", "form encoding wanted")
        if not self.client_ok(f):
            return self.error(401, "invalid_client", "unknown client")
        grant = f.get("grant_type")
        if grant == "refresh_token":
            return self.grant_refresh(f, rec)
        if grant == "authorization_code":
            return self.grant_code(f, rec)
        if grant == DEVICE_GRANT and mode == "slow":
            # a poll the client may have given up on must not use up the
            # sign-in: it is answered "pending" and counts for nothing
            return self.error(400, "authorization_pending", "slow answer")
        if grant == DEVICE_GRANT:
            return self.grant_device(f, rec)
        return self.error(400, "unsupported_grant_type", str(grant))

    def grant_refresh(self, f, rec):
        st = self.st
        rt = f.get("refresh_token", "")
        with st.lock:
            known = rt in st.refresh
            if st.mode == "invalid_grant" or not known:
                body = None
            else:
                if st.rotate:
                    st.refresh.discard(rt)
                body = st.issue(st.rotate)
                if st.mode == "no_token":
                    del body["access_token"]
        rec["refresh_known"] = known
        if body is None:
            return self.error(400, "invalid_grant", "AADSTS70000: the "
                              "refresh token was revoked or has expired")
        rec["issued"] = body.get("access_token")
        rec["rotated"] = "refresh_token" in body
        return self.send_json(200, body)

    def grant_code(self, f, rec):
        st = self.st
        with st.lock:
            req = st.codes.pop(f.get("code", ""), None)
        if req is None:
            return self.error(400, "invalid_grant", "unknown code")
        rec["redirect_uri"] = f.get("redirect_uri")
        if f.get("redirect_uri") != req["redirect_uri"]:
            return self.error(400, "invalid_grant", "redirect_uri differs")
        verifier = f.get("code_verifier", "")
        rec["verifier_ok"] = b64url_sha256(verifier) == req["challenge"]
        if not rec["verifier_ok"]:
            return self.error(400, "invalid_grant", "PKCE verifier wrong")
        with st.lock:
            body = st.issue(True)
        return self.send_json(200, body)

    def grant_device(self, f, rec):
        st = self.st
        now = time.monotonic()
        with st.lock:
            d = st.devices.get(f.get("device_code", ""))
            if d is None:
                return self.error(400, "invalid_grant", "unknown device code")
            gap = None if d["last"] is None else now - d["last"]
            d["last"] = now
            d["polls"] += 1
            rec["poll"] = d["polls"]
            rec["gap"] = None if gap is None else round(gap, 3)
            rec["interval"] = d["interval"]
            # 0.1 s of slack for the timer granularity of a busy machine
            too_fast = gap is not None and gap < d["interval"] - 0.1
            rec["too_fast"] = too_fast
            if too_fast or d["slow_down"] > 0:
                if not too_fast:
                    d["slow_down"] -= 1
                d["interval"] += 5
                answer = ("slow_down", None)
            elif d["pending"] > 0:
                d["pending"] -= 1
                answer = ("authorization_pending", None)
            elif d["deny"]:
                answer = ("access_denied", None)
            else:
                st.devices.pop(f.get("device_code"))
                answer = (None, st.issue(True))
        if answer[0] is not None:
            rec["error"] = answer[0]
            return self.error(400, answer[0], "device login: " + answer[0])
        return self.send_json(200, answer[1])

    def device(self, f, rec):
        st = self.st
        if not self.client_ok(f):
            return self.error(401, "invalid_client", "unknown client")
        a = st.args
        dc = secrets.token_urlsafe(24)
        user_code = "%04X-%04X" % (secrets.randbelow(65536),
                                    secrets.randbelow(65536))
        with st.lock:
            st.devices[dc] = {"pending": a.device_pending,
                              "slow_down": a.device_slow_down,
                              "deny": a.device_deny,
                              "interval": a.device_interval,
                              "polls": 0, "last": None,
                              "scope": f.get("scope")}
        host = "https://127.0.0.1:%d" % self.server.server_address[1]
        body = {"device_code": dc, "user_code": user_code,
                "verification_uri": host + "/devicelogin",
                "expires_in": a.device_expires}
        if a.device_interval != 5:
            body["interval"] = a.device_interval
        rec["user_code"] = user_code
        return self.send_json(200, body)

    # ---- GET --------------------------------------------------------------

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        rec = {"type": "request", "method": "GET", "path": u.path}
        if u.path == "/authorize":
            rec["status"] = self.authorize(q, rec)
        elif u.path.startswith("/admin/"):
            rec["status"] = self.admin(u.path[7:], q, rec)
        else:
            rec["status"] = self.send_text(404, "no such page\n")
        self.st.log(rec)

    def authorize(self, q, rec):
        """What the provider's login page does once the user agrees."""
        st = self.st
        for k in ("response_type", "client_id", "redirect_uri", "state",
                  "code_challenge", "code_challenge_method", "scope"):
            rec[k] = q.get(k)
        ru = urllib.parse.urlsplit(q.get("redirect_uri", ""))
        problems = []
        if q.get("response_type") != "code":
            problems.append("response_type")
        if q.get("client_id") not in st.clients:
            problems.append("client_id")
        if ru.scheme != "http" or ru.hostname != "127.0.0.1" or not ru.port:
            problems.append("redirect_uri")
        if q.get("code_challenge_method") != "S256" or \
                len(q.get("code_challenge", "")) != 43:
            problems.append("pkce")
        if not q.get("state"):
            problems.append("state")
        rec["problems"] = problems
        if problems:
            return self.send_text(400, "bad request: %s" % " ".join(problems))
        code = secrets.token_urlsafe(16)
        with st.lock:
            st.codes[code] = {"redirect_uri": q["redirect_uri"],
                              "challenge": q["code_challenge"]}
        params = {"code": code, "state": q["state"]}
        if st.args.authorize_error:
            params = {"error": st.args.authorize_error, "state": q["state"]}
        sep = "&" if ru.query else "?"
        loc = q["redirect_uri"] + sep + urllib.parse.urlencode(params)
        self.send_response(302)
        self.send_header("Location", loc)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return 302

    def admin(self, op, q, rec):
        st = self.st
        rec["op"] = op
        with st.lock:
            if op == "mode" and q.get("set") in MODES:
                st.mode = q["set"]
                if "slow" in q:
                    st.slow = float(q["slow"])
            elif op == "revoke":
                st.refresh.clear()
            elif op == "expires":
                st.expires = int(q["set"])
            elif op == "rotate":
                st.rotate = q.get("set") == "yes"
            elif op == "grant":
                st.refresh.add(q["token"])
            elif op != "state":
                return self.send_text(400, "unknown admin request\n")
            body = {"mode": st.mode, "refresh": sorted(st.refresh),
                    "last_access": st.last_access,
                    "last_refresh": st.last_refresh}
        return self.send_json(200, body)


def ctype_form(ctype):
    return ctype.split(";")[0].strip().lower() == \
        "application/x-www-form-urlencoded"


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, st, ctx):
        self.st = st
        self.ctx = ctx
        super().__init__((st.args.host, st.args.port), Handler)

    def finish_request(self, request, client_address):
        # The handshake runs in the request's thread, so that a client
        # that never finishes it (or refuses our certificate) blocks no one.
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.st.log({"type": "tls_error", "error": str(e)})
            return
        try:
            tls.settimeout(30)
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.close()
            except OSError:
                pass


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--client", action="append", default=[],
                   help="CLIENT_ID[:SECRET] that may use the endpoints")
    p.add_argument("--refresh", action="append", default=[],
                   help="a refresh token that works from the start")
    p.add_argument("--expires", type=int, default=3600,
                   help="expires_in of each access token")
    p.add_argument("--expires-string", action="store_true",
                   help='send expires_in as a string ("3600")')
    p.add_argument("--rotate", action="store_true",
                   help="each refresh returns a new refresh token and "
                   "revokes the old one")
    p.add_argument("--scope-out", default="",
                   help="scope to return with each token")
    p.add_argument("--issued",
                   help="append each access token issued to this file "
                   "(smtpd.py --token-file reads it)")
    p.add_argument("--mode", choices=MODES, default="ok")
    p.add_argument("--slow", type=float, default=10)
    p.add_argument("--device-pending", type=int, default=0)
    p.add_argument("--device-slow-down", type=int, default=0)
    p.add_argument("--device-deny", action="store_true")
    p.add_argument("--device-interval", type=int, default=5)
    p.add_argument("--device-expires", type=int, default=900)
    p.add_argument("--authorize-error", default="")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(args.cert, args.key)
        st = State(args)
        srv = Server(st, ctx)
    except (OSError, ssl.SSLError) as e:
        print("oauthd.py: %s" % e, file=sys.stderr)
        return 2
    port = srv.server_address[1]
    st.log({"type": "listen", "port": port, "pid": os.getpid()})
    stop = threading.Event()

    def on_signal(*_):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True)
    t.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    ppid = os.getppid()
    # the test script went away without stopping us: stop too
    while not stop.wait(0.5):
        if os.getppid() != ppid:
            break
    srv.shutdown()
    st.log({"type": "stop"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
