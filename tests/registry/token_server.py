#!/usr/bin/env python3
"""Tiny Docker/OCI registry token server (Python 3 stdlib + the openssl CLI).

    python3 token_server.py --key KEY.pem --port-file FILE \
        [--issuer locker-test-issuer] [--service locker-test-registry] \
        [--user tester:secret] [--ttl 300] [--log FILE]

Listens on a free 127.0.0.1 port (written to --port-file once listening) and
answers GET /token?service=S&scope=repository:NAME:ACTIONS[&scope=...]
(and the OAuth2 form POST /token, grant_type=password) with
{"token": JWT, "access_token": JWT, "expires_in": TTL, "issued_at": ...}.

  * correct HTTP basic credentials (tester:secret by default): every scope
    asked for is granted (pull, push, delete, *);
  * no credentials at all: an anonymous token that grants only "pull" and
    only on repositories whose name starts with "public/" (other scopes are
    dropped, so the registry answers 401 insufficient_scope);
  * wrong credentials, or a wrong service: 401.

The JWT is RS256, signed with `openssl dgst -sha256 -sign KEY`; its header
carries "kid" in libtrust's key-id format (what distribution 2.x matches
against the keys of the certificates in rootcertbundle).
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_kid(key_path):
    der = subprocess.run(["openssl", "pkey", "-in", key_path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))


class Issuer:
    def __init__(self, key, issuer, service, ttl):
        self.key, self.issuer, self.service, self.ttl = key, issuer, service, ttl
        self.kid = libtrust_kid(key)

    def sign(self, subject, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service,
                  "exp": now + self.ttl, "nbf": now - 10, "iat": now,
                  "jti": uuid.uuid4().hex, "access": access}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key],
                             input=signing_input.encode(), check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig), now


def parse_scope(scope):
    # repository:NAME:ACTIONS ; NAME may itself contain ':' only with a port
    # (registry:catalog:*), so split type off the front and actions off the end.
    parts = scope.split(":")
    if len(parts) < 3:
        return None
    typ, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
    return typ, name, [a for a in actions.split(",") if a]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "locker-test-token/1"

    def log_message(self, fmt, *args):
        if self.server.log:
            with self.server.log_lock, open(self.server.log, "a") as f:
                f.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))

    def reply(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def unauthorized(self, why):
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": why}]},
                   {"WWW-Authenticate": 'Basic realm="locker-test-token"'})

    def credentials(self, form=None):
        """Returns (user, ok): user None = anonymous; ok False = bad creds."""
        auth = self.headers.get("Authorization")
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() != "basic":
                return None, False
            try:
                user, _, pw = base64.b64decode(value.strip()).decode().partition(":")
            except Exception:
                return None, False
        elif form and form.get("username"):
            user, pw = form["username"][0], form.get("password", [""])[0]
        else:
            return None, True
        return user, self.server.users.get(user) == pw

    def grant(self, user, scopes):
        access = []
        for s in scopes:
            p = parse_scope(s)
            if not p:
                continue
            typ, name, actions = p
            if user is None:
                if typ != "repository" or not name.startswith("public/"):
                    continue
                actions = [a for a in actions if a == "pull"]
                if not actions:
                    continue
            access.append({"type": typ, "name": name, "actions": actions})
        return access

    def issue(self, user, service, scopes):
        if service and service != self.server.issuer.service:
            return self.unauthorized("unknown service %r" % service)
        access = self.grant(user, scopes)
        token, now = self.server.issuer.sign(user or "", access)
        self.log_message("issued token user=%s access=%s", user or "<anonymous>", json.dumps(access))
        self.reply(200, {"token": token, "access_token": token, "expires_in": self.server.issuer.ttl,
                         "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
        q = urllib.parse.parse_qs(url.query)
        user, ok = self.credentials()
        if not ok:
            return self.unauthorized("bad credentials")
        self.issue(user, q.get("service", [""])[0], q.get("scope", []))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode()) if n else {}
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
        user, ok = self.credentials(form)
        if not ok:
            return self.unauthorized("bad credentials")
        scopes = []
        for s in form.get("scope", []):
            scopes += s.split(" ")
        self.issue(user, form.get("service", [""])[0], scopes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--key", required=True, help="RSA private key (PEM) matching the registry's rootcertbundle")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--issuer", default="locker-test-issuer")
    ap.add_argument("--service", default="locker-test-registry")
    ap.add_argument("--user", action="append", default=[], help="USER:PASS (repeatable; default tester:secret)")
    ap.add_argument("--ttl", type=int, default=300, help="token lifetime in seconds")
    ap.add_argument("--log")
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.issuer = Issuer(a.key, a.issuer, a.service, a.ttl)
    srv.users = dict(u.split(":", 1) for u in (a.user or ["tester:secret"]))
    srv.log, srv.log_lock = a.log, threading.Lock()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
