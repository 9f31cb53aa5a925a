#!/usr/bin/python3
"""Test SMTP server for mailhop's integration tests.

Runs on Debian's python3-aiosmtpd (1.4.x): start it with /usr/bin/python3.
It listens on 127.0.0.1 (port 0 unless --port), writes the real port to
--port-file once it accepts connections, and records what it sees as JSON
lines in --log (see tests/lib/README.md for the format).  SIGTERM or SIGINT
stops it cleanly.
"""

import argparse
import asyncio
import asyncio.sslproto as sslproto
import base64
import binascii
import fnmatch
import hmac
import json
import logging
import os
import re
import secrets
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import (SMTP, AuthResult, LoginPassword, MISSING,
                           TLSSetupException)

ALL_MECHS = ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER")
PHASES = ("connect", "ehlo", "starttls", "auth", "mail", "rcpt", "data",
          "dot", "rset", "quit")
REPLY_PHASES = ("GREET", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", "DOT")
TLS_VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
                "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


class Rule:
    """One --reply 'PHASE[:N] PATTERN CODE [TEXT]'."""

    def __init__(self, spec):
        parts = spec.split(None, 3)
        if len(parts) < 3:
            raise ValueError("--reply wants 'PHASE PATTERN CODE TEXT': %r" % spec)
        phase = parts[0].upper()
        self.remaining = None
        if ":" in phase:
            phase, n = phase.split(":", 1)
            self.remaining = int(n)
        if phase not in REPLY_PHASES:
            raise ValueError("--reply: unknown phase %r" % parts[0])
        code = parts[2]
        if len(code) != 3 or not code.isdigit():
            raise ValueError("--reply: bad code %r" % code)
        self.phase = phase
        self.pattern = parts[1].lower()
        self.code = int(code)
        text = parts[3] if len(parts) > 3 else ""
        # A literal \r\n in TEXT sends a second reply right behind the
        # first, unasked (a server that says 221 or 421 early).
        self.reply = ("%s %s" % (code, text)).rstrip().replace("\\r\\n", "\r\n")
        # \xNN in TEXT is that raw byte (a hostile server's ESC, a UTF-8
        # C1 control): the reply is then sent as bytes.
        if "\\x" in self.reply:
            raw = re.sub(rb"\\x([0-9a-fA-F]{2})",
                         lambda m: bytes([int(m.group(1), 16)]),
                         self.reply.encode("utf-8", "surrogateescape"))
            self.reply = raw

    def matches(self, phase, subjects):
        if phase != self.phase or self.remaining == 0:
            return False
        for s in subjects:
            if fnmatch.fnmatchcase((s or "").lower(), self.pattern):
                return True
        return False


class Config:
    def __init__(self, args):
        self.args = args
        self.mode = args.tls
        self.rules = [Rule(r) for r in args.reply]
        self.drop = {}
        for p in args.drop:
            p = p.lower()
            if p not in PHASES:
                raise ValueError("--drop: unknown phase %r" % p)
            self.drop[p] = True
        self.delay = {}
        for p, secs in args.delay:
            p = p.lower()
            if p not in PHASES:
                raise ValueError("--delay: unknown phase %r" % p)
            self.delay[p] = float(secs)
        self.fired = set()
        self.users = {}
        for u in args.user:
            name, sep, pw = u.partition(":")
            if not sep:
                raise ValueError("--user wants NAME:PASS")
            self.users[name] = pw
        self.tokens = {}
        for t in args.token:
            name, sep, tok = t.partition(":")
            if not sep:
                raise ValueError("--token wants NAME:TOKEN")
            self.tokens[name] = tok
        if args.no_auth:
            self.mechs = []
        else:
            self.mechs = [m.strip().upper() for m in args.auth.split(",") if m.strip()]
            for m in self.mechs:
                if m not in ALL_MECHS:
                    raise ValueError("--auth: unknown mechanism %r" % m)
        self.ctx = None
        if self.mode != "none":
            if not (args.cert and args.key):
                raise ValueError("--tls %s needs --cert and --key" % self.mode)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(args.cert, args.key)
            if args.tls_max:
                # An old server: only TLS 1.0 up to TLS_MAX, whatever the
                # system's OpenSSL policy says (its SECLEVEL forbids them).
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                ctx.minimum_version = ssl.TLSVersion.TLSv1
                ctx.maximum_version = TLS_VERSIONS[args.tls_max]
            if args.client_ca:
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(args.client_ca)
            self.ctx = ctx
        self.conn_seq = 0
        self.live = set()
        self.queue_seq = 0
        self.log = open(args.log, "a", encoding="ascii")

    def token_ok(self, user, token):
        """--token NAME:TOKEN, or any user with a token listed in
        --token-file (one per line, read at each AUTH: tests/oauthd
        appends each access token it issues)."""
        if token is None:
            return False
        want = self.tokens.get(user)
        if want is not None and hmac.compare_digest(want.encode(), token.encode()):
            return True
        if self.args.token_file:
            try:
                with open(self.args.token_file) as f:
                    listed = f.read().split()
            except OSError:
                listed = []
            return any(hmac.compare_digest(t.encode(), token.encode())
                       for t in listed)
        return False

    def write(self, obj):
        obj["time"] = round(time.time(), 3)
        self.log.write(json.dumps(obj) + "\n")
        self.log.flush()

    def fire(self, kind, phase):
        """Whether a drop/delay at PHASE applies now (--once: first time only)."""
        table = self.drop if kind == "drop" else self.delay
        if phase not in table:
            return False
        if self.args.once:
            if (kind, phase) in self.fired:
                return False
            self.fired.add((kind, phase))
        return True

    def match(self, phase, *subjects):
        for r in self.rules:
            if r.matches(phase, subjects):
                if r.remaining is not None:
                    r.remaining -= 1
                return r
        return None


def parse_xoauth2(blob):
    """(user, token) from an XOAUTH2 response; None for what is missing."""
    fields = {}
    for part in blob.decode("utf-8", "replace").split("\x01"):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.lower()] = value
    auth = fields.get("auth", "")
    token = auth[7:] if auth[:7].lower() == "bearer " else None
    return fields.get("user"), token


def parse_oauthbearer(blob):
    """RFC 7628: (user, token, fields, problem) from the client's response
    "n,a=USER,\x01host=H\x01port=P\x01auth=Bearer TOKEN\x01\x01"; problem
    names what is malformed, else None."""
    text = blob.decode("utf-8", "replace")
    gs2, sep, rest = text.partition("\x01")
    parts = gs2.split(",")
    if not sep or len(parts) != 3 or parts[0] not in ("n", "y") or \
            parts[2] != "":
        return None, None, {}, "gs2 header"
    user = parts[1][2:] if parts[1].startswith("a=") else None
    if not rest.endswith("\x01"):
        return user, None, {}, "missing final ^A"
    fields = {}
    for kv in rest[:-1].split("\x01")[:-1]:
        key, eq, value = kv.partition("=")
        if not eq:
            return user, None, fields, "key=value"
        fields[key] = value
    auth = fields.get("auth", "")
    token = auth[7:] if auth[:7].lower() == "bearer " else None
    return user, token, fields, None if token else "auth=Bearer"


def split_status(status):
    if isinstance(status, bytes):
        status = status.decode("utf-8", "surrogateescape")
    code = None
    if len(status) >= 3 and status[:3].isdigit():
        code = int(status[:3])
    return code, status


class Handler:
    """aiosmtpd hooks; per-connection state lives on the TestSMTP instance."""

    def __init__(self, cfg):
        self.cfg = cfg

    async def handle_HELO(self, server, session, envelope, hostname):
        await server.phase("ehlo")
        server.finish_txn("aborted")
        rule = self.cfg.match("EHLO", hostname)
        if rule and rule.code >= 400:
            return rule.reply
        session.host_name = hostname
        return rule.reply if rule else "250 %s" % server.hostname

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await server.phase("ehlo")
        server.finish_txn("aborted")
        rule = self.cfg.match("EHLO", hostname)
        if rule:
            if rule.code >= 400:
                return [rule.reply]
            responses[0] = rule.reply.replace(" ", "-", 1)
        session.host_name = hostname
        out = []
        for line in responses:
            if line.startswith("250-AUTH") and not self.cfg.mechs:
                continue
            out.append(line)
        return out

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await server.phase("mail")
        rule = self.cfg.match("MAIL", address)
        if rule and rule.code >= 300:
            return rule.reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        server.start_txn(address, mail_options)
        return rule.reply if rule else "250 2.1.0 Sender OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await server.phase("rcpt")
        rule = self.cfg.match("RCPT", address)
        if rule and rule.code >= 300:
            return rule.reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return rule.reply if rule else "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        if server.txn is not None:
            server.txn["data_b64"] = base64.b64encode(data).decode("ascii")
            server.txn["size"] = len(data)
        await server.phase("dot")
        rule = self.cfg.match("DOT", envelope.mail_from, *envelope.rcpt_tos)
        if rule:
            status = rule.reply
        else:
            self.cfg.queue_seq += 1
            status = "250 2.0.0 OK queued as T%06d" % self.cfg.queue_seq
        code, reply = split_status(status)
        server.finish_txn("accepted" if 200 <= code < 300 else "refused",
                          code=code, reply=reply)
        return status

    async def handle_RSET(self, server, session, envelope):
        await server.phase("rset")
        server.finish_txn("aborted")
        return "250 2.0.0 OK"

    async def handle_QUIT(self, server, session, envelope):
        await server.phase("quit")
        server.finish_txn("aborted")
        return "221 2.0.0 Bye"


class TestSMTP(SMTP):
    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"

    def __init__(self, cfg, **kw):
        self.cfg = cfg
        self.conn = None
        self.txn = None
        self.login_user = None
        self.login_mech = None
        self._auth_cont = False
        self._greeted = False
        self._drop_data = False
        self._in_data = False
        self._last_status = None
        self._implicit_waiter = None
        self._closed_logged = False
        exclude = [m for m in ALL_MECHS if m not in cfg.mechs]
        super().__init__(
            Handler(cfg),
            hostname="mailhop-test.localhost",
            ident="mailhop test smtpd",
            decode_data=False,
            enable_SMTPUTF8=not cfg.args.no_smtputf8,
            data_size_limit=cfg.args.size or None,
            tls_context=cfg.ctx if cfg.mode == "starttls" and not cfg.args.no_starttls else None,
            auth_require_tls=(cfg.mode != "none"),
            auth_required=cfg.args.auth_required and bool(cfg.mechs),
            auth_exclude_mechanism=exclude,
            authenticator=self._check_login,
            timeout=cfg.args.timeout,
            **kw)

    # ---- helpers -------------------------------------------------------

    def log(self, obj):
        obj.setdefault("conn", self.conn)
        self.cfg.write(obj)

    def tls_info(self):
        t = self.transport
        so = t.get_extra_info("ssl_object") if t is not None else None
        if so is None:
            return None
        info = {"version": so.version(), "cipher": (so.cipher() or [None])[0],
                "client_cert": None}
        try:
            cert = so.getpeercert()
        except Exception:
            cert = None
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        info["client_cert"] = v
        return info

    def start_txn(self, address, options):
        self.finish_txn("aborted")
        tls = self.tls_info()
        self.txn = {
            "type": "transaction",
            "ehlo": self.session.host_name,
            "tls": tls is not None,
            "tls_version": tls["version"] if tls else None,
            "client_cert": tls["client_cert"] if tls else None,
            "auth_user": self.login_user,
            "auth_mechanism": self.login_mech,
            "mail_from": address,
            "mail_options": list(options),
            "rcpts": [],
            "data_b64": None,
            "size": None,
            "code": None,
            "reply": None,
            "state": None,
        }

    def finish_txn(self, state, code=None, reply=None):
        txn, self.txn = self.txn, None
        if txn is None:
            return
        txn["state"] = state
        txn["code"] = code
        txn["reply"] = reply
        self.log(txn)

    def drop(self, phase):
        self.log({"type": "drop", "phase": phase})
        self.finish_txn("dropped")
        t = self._original_transport or self.transport
        if t is not None:
            t.abort()
        raise asyncio.CancelledError()

    async def phase(self, name):
        if self.cfg.fire("delay", name):
            self.log({"type": "delay", "phase": name, "seconds": self.cfg.delay[name]})
            await asyncio.sleep(self.cfg.delay[name])
        if self.cfg.fire("drop", name):
            self.drop(name)

    def _check_login(self, server, session, envelope, mechanism, auth_data):
        ok = False
        user = None
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode("utf-8", "replace")
            pw = auth_data.password.decode("utf-8", "replace")
            ok = user in self.cfg.users and hmac.compare_digest(
                self.cfg.users[user].encode(), pw.encode())
        return self._auth_done(mechanism, user, ok, auth_data)

    def _auth_done(self, mechanism, user, ok, auth_data):
        self.log({"type": "auth", "mechanism": mechanism, "user": user, "ok": ok})
        if ok:
            self.login_user = user
            self.login_mech = mechanism
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    async def auth_CRAM__MD5(self, _, args):
        """CRAM-MD5 (RFC 2195); aiosmtpd has no built-in one."""
        if len(args) > 1:
            await self.push("501 5.5.2 CRAM-MD5 takes no initial response")
            return AuthResult(success=False, handled=True)
        challenge = "<%s.%d@mailhop-test.localhost>" % (
            secrets.token_hex(8), int(time.time()))
        resp = await self.challenge_auth(challenge)
        if resp is MISSING:
            return AuthResult(success=False, handled=True)
        try:
            user, digest = resp.decode("utf-8").rsplit(" ", 1)
        except ValueError:
            await self.push("501 5.5.2 Cannot parse the CRAM-MD5 response")
            return AuthResult(success=False, handled=True)
        pw = self.cfg.users.get(user)
        want = hmac.new((pw or "").encode(), challenge.encode(), "md5").hexdigest()
        ok = pw is not None and hmac.compare_digest(want, digest.lower())
        return self._auth_done("CRAM-MD5", user, ok,
                               LoginPassword(user.encode(), b""))

    async def _bearer_blob(self, args):
        """The client's message: the initial response, or the answer to an
        empty 334 (XOAUTH2, OAUTHBEARER); MISSING after a 501."""
        if len(args) <= 1:
            return await self.challenge_auth("")
        try:
            return base64.b64decode(args[1], validate=True)
        except binascii.Error:
            await self.push("501 5.5.2 Can't decode base64")
            return MISSING

    async def auth_XOAUTH2(self, _, args):
        """XOAUTH2 (Google's bearer-token SASL): the initial response, or
        the reply to an empty 334, is base64 of
        "user=NAME\x01auth=Bearer TOKEN\x01\x01".  A refusal comes the
        way Gmail sends it: a 334 with a base64 JSON error, then, after the
        client's (empty) answer, 535."""
        blob = await self._bearer_blob(args)
        if blob is MISSING:
            return AuthResult(success=False, handled=True)
        user, token = parse_xoauth2(blob)
        ok = user is not None and self.cfg.token_ok(user, token)
        result = self._auth_done("XOAUTH2", user, ok,
                                 LoginPassword((user or "").encode(), b""))
        if not ok:
            # logged first: a client may hang up on the error challenge
            error = json.dumps({"status": "401", "schemes": "bearer",
                                "scope": "https://mail.google.com/"})
            if await self.challenge_auth(error) is MISSING:
                return AuthResult(success=False, handled=True)
        return result

    async def auth_OAUTHBEARER(self, _, args):
        """OAUTHBEARER (RFC 7628): the GS2 header names the user ("a="),
        "auth=Bearer TOKEN" carries the token.  A refusal is the RFC's
        dance: a 334 with the base64 JSON error, the client's %x01 ("AQ==")
        answer, then 535; the auth event records whether that answer was
        right ("ack")."""
        blob = await self._bearer_blob(args)
        if blob is MISSING:
            return AuthResult(success=False, handled=True)
        user, token, fields, problem = parse_oauthbearer(blob)
        ok = problem is None and user is not None and \
            self.cfg.token_ok(user, token)
        self.log({"type": "oauthbearer", "user": user, "problem": problem,
                  "host": fields.get("host"), "port": fields.get("port")})
        result = self._auth_done("OAUTHBEARER", user, ok,
                                 LoginPassword((user or "").encode(), b""))
        if not ok:
            error = json.dumps({"status": "invalid_token", "scope": "mail",
                                "openid-configuration":
                                "https://example.invalid/.well-known/openid-configuration"})
            ack = await self.challenge_auth(error)
            if ack is MISSING:
                return AuthResult(success=False, handled=True)
            self.log({"type": "oauthbearer_ack", "ack": ack == b"\x01"})
            await self.push("535 5.7.8 Authentication credentials invalid")
            return AuthResult(success=False, handled=True)
        return result

    # ---- connection plumbing --------------------------------------------

    def connection_made(self, transport):
        starttls = self._original_transport is not None
        if not starttls:
            self.cfg.conn_seq += 1
            self.conn = self.cfg.conn_seq
            self.cfg.live.add(self)
            peer = transport.get_extra_info("peername")
            self.log({"type": "connect", "peer": list(peer) if peer else None,
                      "mode": self.cfg.mode})
        else:
            self.finish_txn("aborted")
        super().connection_made(transport)
        if starttls:
            info = self.tls_info() or {}
            self.log(dict(type="tls", mode=("implicit" if self._implicit_waiter
                                            else "starttls"), **info))
        elif self.cfg.mode == "implicit":
            # Implicit TLS: wrap the socket the way STARTTLS does, before
            # the greeting (which _handle_client sends once the handshake
            # is over).  Handshake failures are recorded like STARTTLS ones.
            self._implicit_waiter = self.loop.create_future()
            self._tls_protocol = sslproto.SSLProtocol(
                self.loop, self, self.cfg.ctx, self._implicit_waiter,
                server_side=True)
            self._original_transport = self.transport
            self._original_transport.set_protocol(self._tls_protocol)
            self.transport = self._tls_protocol._app_transport
            self._tls_protocol.connection_made(self._original_transport)

    def connection_lost(self, error):
        self.cfg.live.discard(self)
        self.finish_txn("lost" if self._in_data else "aborted")
        if not self._closed_logged:
            self._closed_logged = True
            self.log({"type": "disconnect"})
        super().connection_lost(error)

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(reader, writer)
        orig = reader.readuntil

        async def readuntil(separator=b"\n"):
            line = await orig(separator)
            if separator == b"\n":
                self._record_line(line)
            elif self._drop_data:
                self._drop_data = False
                self.drop("data")
            return line

        reader.readuntil = readuntil

    def _record_line(self, line):
        bare_lf = not line.endswith(b"\r\n")
        text = line.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
        if self._auth_cont:
            text = "***"
        else:
            verb, _, arg = text.partition(" ")
            if verb.upper() == "AUTH":
                words = arg.split()
                text = verb
                if words:
                    text += " " + words[0]
                if len(words) > 1:
                    text += " ***"
        tls = self.transport is not None and \
            self.transport.get_extra_info("ssl_object") is not None
        obj = {"type": "command", "line": text, "tls": tls}
        if bare_lf:
            obj["bare_lf"] = True
        self.log(obj)

    async def _handle_client(self):
        if self._implicit_waiter is not None:
            try:
                await self._implicit_waiter
            except Exception as e:
                self.log({"type": "tls_error", "mode": "implicit", "error": str(e)})
                self._timeout_handle.cancel()
                if self._original_transport is not None:
                    self._original_transport.close()
                if not self._closed_logged:
                    self._closed_logged = True
                    self.log({"type": "disconnect"})
                self.cfg.live.discard(self)
                return
        await super()._handle_client()

    async def handle_exception(self, error):
        if isinstance(error, TLSSetupException):
            cause = error.__cause__
            self.log({"type": "tls_error", "mode": "starttls",
                      "error": str(cause or error)})
            return "454 4.7.0 TLS handshake failed"
        self.log({"type": "exception", "error": "%s: %s" % (type(error).__name__, error)})
        return "451 4.3.0 Internal test server error: %s" % type(error).__name__

    async def push(self, status):
        if not self._greeted:
            self._greeted = True
            await self.phase("connect")
            # GREET: the greeting itself (PATTERN matches the peer address).
            peer = self.transport.get_extra_info("peername") if self.transport else None
            rule = self.cfg.match("GREET", peer[0] if peer else "")
            if rule:
                status = rule.reply
        code, text = split_status(status)
        self._last_status = (code, text)
        self.log({"type": "reply", "line": text})
        await super().push(status)
        if code == 421 and self.transport is not None:
            self.transport.close()

    async def challenge_auth(self, *args, **kw):
        self._auth_cont = True
        try:
            return await super().challenge_auth(*args, **kw)
        finally:
            self._auth_cont = False

    # ---- commands ---------------------------------------------------------

    async def smtp_STARTTLS(self, arg):
        await self.phase("starttls")
        await super().smtp_STARTTLS(arg)

    async def smtp_AUTH(self, arg):
        await self.phase("auth")
        # AUTH: a scripted reply instead of the exchange (PATTERN matches
        # the mechanism), e.g. a provider's 454 4.7.0 temporary failure.
        rule = self.cfg.match("AUTH", (arg or "").split(" ")[0])
        if rule:
            self.log({"type": "auth", "mechanism": (arg or "").split(" ")[0].upper(),
                      "user": None, "ok": False})
            await self.push(rule.reply)
            return
        await super().smtp_AUTH(arg)

    async def smtp_RCPT(self, arg):
        self._last_status = None
        await super().smtp_RCPT(arg)
        if self.txn is None or self._last_status is None:
            return
        address = arg or ""
        stripped = self._strip_command_keyword("TO:", address)
        if stripped is not None:
            parsed, _ = self._getaddr(stripped)
            address = parsed if parsed is not None else stripped
        code, reply = self._last_status
        self.txn["rcpts"].append({"address": address, "code": code, "reply": reply})

    async def smtp_DATA(self, arg):
        ready = (self.txn is not None and self.session.host_name
                 and self.envelope.rcpt_tos and not arg
                 and not (self._auth_required and not self.session.authenticated))
        if not ready:
            return await super().smtp_DATA(arg)
        if self.cfg.fire("delay", "data"):
            self.log({"type": "delay", "phase": "data", "seconds": self.cfg.delay["data"]})
            await asyncio.sleep(self.cfg.delay["data"])
        rule = self.cfg.match("DATA", self.envelope.mail_from, *self.envelope.rcpt_tos)
        if rule and rule.code != 354:
            code, reply = split_status(rule.reply)
            self.finish_txn("refused", code=code, reply=reply)
            self._set_rset_state()
            await self.push(rule.reply)
            return
        self._drop_data = self.cfg.fire("drop", "data")
        self._in_data = True
        try:
            await super().smtp_DATA(arg)
        finally:
            self._in_data = False
            self._drop_data = False
        # aiosmtpd refused the data itself (line too long, too big)
        if self.txn is not None and self._last_status is not None:
            code, reply = self._last_status
            self.finish_txn("refused", code=code, reply=reply)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls", choices=("none", "starttls", "implicit"), default="starttls")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca")
    p.add_argument("--auth", default="plain,login")
    p.add_argument("--no-auth", action="store_true")
    p.add_argument("--auth-required", action="store_true")
    p.add_argument("--user", action="append", default=[])
    p.add_argument("--token", action="append", default=[],
                   help="NAME:TOKEN accepted by AUTH XOAUTH2 and OAUTHBEARER")
    p.add_argument("--token-file",
                   help="bearer tokens accepted for any user, one a line")
    p.add_argument("--no-starttls", action="store_true")
    p.add_argument("--tls-max", choices=sorted(TLS_VERSIONS),
                   help="offer TLS 1.0 up to this version only")
    p.add_argument("--no-smtputf8", action="store_true",
                   help="neither advertise nor accept SMTPUTF8; commands "
                   "must be ASCII (aiosmtpd's strict mode)")
    p.add_argument("--reply", action="append", default=[])
    p.add_argument("--drop", action="append", default=[])
    p.add_argument("--delay", action="append", nargs=2, default=[],
                   metavar=("PHASE", "SECONDS"))
    p.add_argument("--once", action="store_true")
    p.add_argument("--size", type=int, default=0,
                   help="SIZE limit in bytes (0: none advertised)")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


async def amain(cfg):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    server = await loop.create_server(lambda: TestSMTP(cfg, loop=loop),
                                      host=cfg.args.host, port=cfg.args.port)
    port = server.sockets[0].getsockname()[1]
    cfg.write({"type": "listen", "host": cfg.args.host, "port": port,
               "mode": cfg.mode, "pid": os.getpid()})
    tmp = cfg.args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, cfg.args.port_file)

    async def watch_parent(ppid):
        # the test script went away without stopping us: stop too
        while os.getppid() == ppid:
            await asyncio.sleep(1)
        stop.done() or stop.set_result(None)

    watcher = loop.create_task(watch_parent(os.getppid()))
    await stop
    watcher.cancel()
    server.close()
    for proto in list(cfg.live):
        proto.finish_txn("aborted")
        t = proto._original_transport or proto.transport
        if t is not None:
            t.abort()
    await asyncio.sleep(0.05)
    cfg.write({"type": "stop"})


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.ERROR,
                        format="smtpd: %(levelname)s %(message)s")
    try:
        cfg = Config(args)
    except (ValueError, OSError, ssl.SSLError) as e:
        print("smtpd.py: %s" % e, file=sys.stderr)
        return 2
    asyncio.run(amain(cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
