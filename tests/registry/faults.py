#!/usr/bin/env python3
"""Fault-injecting HTTP/1.1 reverse proxy for registry tests (Python 3 stdlib).

    python3 faults.py LISTEN_PORT_FILE UPSTREAM_HOST:PORT CONTROL_FILE

Listens on a free 127.0.0.1 port (written to LISTEN_PORT_FILE, atomically,
once listening) and forwards every request to UPSTREAM unchanged (method,
path, Host, Authorization, Range, body; one fresh upstream connection per
request; responses incl. redirects and 401 challenges are passed back as-is).

CONTROL_FILE is JSON, re-read on every request; absent, empty or unparsable
means no faults (write it atomically: write a temp file, then mv). It holds
one rule object or a list of them; the first rule that matches a request and
still has "times" left applies. Match keys (all optional):
  "path_contains": "..."   substring of the request path (with query)
  "method": "GET"          request method
  "times": N               fault the first N matching requests, then stop (default: unlimited)
  "after": N               let the first N matching requests through untouched first
Counts restart whenever the control file changes (content or mtime).
Faults:
  {"status": 500}          answer with this status, registry-style JSON error body,
                           without asking upstream; "headers": {...} adds headers.
                           401: the request is sent upstream without Authorization
                           and upstream's 401 (with its WWW-Authenticate challenge)
                           is returned; if upstream does not answer 401, a 401 with
                           'WWW-Authenticate: Basic realm="faults.py"' is made up.
  {"close": true}          read the request, then close the connection, no response
  {"stall_seconds": S}     accept, send nothing, sleep S, then close.
      "stall_send_headers": true   send upstream's status+headers first, then sleep
      "stall_after_bytes": N       send headers and N body bytes, then sleep
      "stall_then": "continue"     after sleeping, carry on normally instead of closing
Blob faults apply only to GETs of /v2/<name>/blobs/sha256:<hex> answered 200/206:
  {"blob_cut_after": N}    send the headers and the first N body bytes, then close
  {"truncate_blob": true}  same, cut at half the body (full Content-Length declared)
  {"corrupt_blob": true}   flip one byte in the middle of the body (length unchanged)

Log: one line per request appended to CONTROL_FILE + ".log":
  METHOD PATH STATUS range=RANGE|- auth=bearer|basic|- fault=NAME|- bytes=BODY_BYTES_SENT
(STATUS "-" when no status line was sent.)
"""
import hashlib
import http.client
import http.server
import json
import os
import re
import socket
import sys
import threading
import time

BLOB_RE = re.compile(r"^/v2/.+/blobs/sha256:[0-9a-f]{64}(\?.*)?$")
HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
       "te", "trailer", "upgrade", "expect"}
ERROR_CODES = {400: "UNSUPPORTED", 401: "UNAUTHORIZED", 403: "DENIED", 404: "NOT_FOUND",
               429: "TOOMANYREQUESTS", 500: "UNKNOWN", 502: "UNKNOWN", 503: "UNAVAILABLE"}
BLOB_FAULTS = ("blob_cut_after", "truncate_blob", "corrupt_blob")


class Cut(Exception):
    """Close the client connection now (fault injected)."""


class Control:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.counts = {}

    def rules(self):
        try:
            st = os.stat(self.path)
            with open(self.path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            return None, []
        if not raw.strip():
            return None, []
        try:
            doc = json.loads(raw)
        except ValueError:
            return None, []
        rules = doc if isinstance(doc, list) else [doc]
        key = (st.st_mtime_ns, hashlib.sha256(raw).hexdigest())
        return key, [r for r in rules if isinstance(r, dict)]

    def pick(self, method, path):
        key, rules = self.rules()
        with self.lock:
            for i, r in enumerate(rules):
                if "path_contains" in r and r["path_contains"] not in path:
                    continue
                if "method" in r and r["method"].upper() != method:
                    continue
                if any(k in r for k in BLOB_FAULTS) and not (method == "GET" and BLOB_RE.match(path)):
                    continue
                n = self.counts.get((key, i), 0)
                after, times = int(r.get("after", 0)), r.get("times")
                if times is not None and n >= after + int(times):
                    continue
                self.counts[(key, i)] = n + 1
                if n < after:
                    return None
                return r
        return None


def fault_name(r):
    if not r:
        return "-"
    for k in ("status", "close", "stall_seconds") + BLOB_FAULTS:
        if k in r:
            return "status%s" % r[k] if k == "status" else k
    return "unknown"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faults.py"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def log_line(self, status, fault, nbytes):
        auth = self.headers.get("Authorization", "")
        auth = auth.split(" ", 1)[0].lower() if auth else "-"
        line = "%s %s %s range=%s auth=%s fault=%s bytes=%d\n" % (
            self.command, self.path, status, self.headers.get("Range", "-").replace(" ", ""), auth,
            fault_name(fault), nbytes)
        with self.server.log_lock, open(self.server.log_path, "a") as f:
            f.write(line)

    # ---- request body
    def read_body(self):
        """Returns the raw request body bytes (chunked bodies kept in chunked form)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                line = self.rfile.readline()
                out += line
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers up to the empty line
                        t = self.rfile.readline()
                        out += t
                        if t in (b"\r\n", b"\n", b""):
                            return bytes(out)
                out += self.rfile.read(size + 2)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # ---- upstream
    def upstream(self, body, strip_auth=False):
        conn = http.client.HTTPConnection(self.server.upstream, timeout=600)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() in HOP or (strip_auth and k.lower() == "authorization"):
                continue
            conn.putheader(k, v)
        conn.putheader("Connection", "close")
        conn.endheaders()
        if body:
            conn.send(body)
        resp = conn.getresponse()
        return conn, resp

    def send_head(self, resp):
        self.send_response_only(resp.status, resp.reason)
        chunked = False
        for k, v in resp.getheaders():
            lk = k.lower()
            if lk in HOP:
                continue
            if lk == "transfer-encoding":
                chunked = "chunked" in v.lower()
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        return chunked

    def write_body(self, data, chunked):
        if not data:
            return
        if chunked:
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        else:
            self.wfile.write(data)

    def relay(self, resp, fault):
        """Sends upstream's response to the client, applying a blob/stall fault; counts body bytes in self.sent."""
        status = resp.status
        blob_ok = fault and self.command == "GET" and status in (200, 206) and BLOB_RE.match(self.path)
        length = resp.getheader("Content-Length")
        length = int(length) if length is not None else None
        cut_at = corrupt_at = stall_at = None
        if blob_ok and "blob_cut_after" in fault:
            cut_at = int(fault["blob_cut_after"])
        if blob_ok and fault.get("truncate_blob"):
            cut_at = (length or 0) // 2
        if blob_ok and fault.get("corrupt_blob"):
            corrupt_at = (length or 0) // 2
        if fault and "stall_seconds" in fault and "stall_after_bytes" in fault:
            stall_at = int(fault["stall_after_bytes"])
        if cut_at is not None or (fault and "stall_seconds" in fault and fault.get("stall_then") != "continue"):
            self.close_connection = True
        chunked = self.send_head(resp)
        self.status_sent = status
        if fault and "stall_seconds" in fault and (stall_at is None or stall_at <= 0):
            stall_at = None
            self.stall(fault)  # stall_send_headers (or stall_after_bytes 0)
        while True:
            want = 65536
            if cut_at is not None:
                want = min(want, cut_at - self.sent)
            if stall_at is not None:
                want = min(want, stall_at - self.sent)
            if want <= 0:
                break
            data = resp.read(want)
            if not data:
                break
            if corrupt_at is not None and self.sent <= corrupt_at < self.sent + len(data):
                b = bytearray(data)
                b[corrupt_at - self.sent] ^= 0xFF
                data = bytes(b)
            self.write_body(data, chunked)
            self.sent += len(data)
            if stall_at is not None and self.sent >= stall_at:
                stall_at = None
                self.stall(fault)
        if cut_at is not None:
            raise Cut()
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def stall(self, fault):
        time.sleep(float(fault["stall_seconds"]))
        if fault.get("stall_then", "close") != "continue":
            raise Cut()

    def error_reply(self, status, fault):
        code = ERROR_CODES.get(status, "UNKNOWN")
        body = json.dumps({"errors": [{"code": code, "message": "injected by faults.py", "detail": None}]}).encode()
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        self.send_header("Content-Length", str(len(body)))
        if status == 401 and not any(k.lower() == "www-authenticate" for k in fault.get("headers", {})):
            self.send_header("WWW-Authenticate", 'Basic realm="faults.py"')
        if status == 429 and "Retry-After" not in fault.get("headers", {}):
            self.send_header("Retry-After", "1")
        for k, v in fault.get("headers", {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.status_sent = status
        return 0 if self.command == "HEAD" else len(body)

    def handle_any(self):
        self.status_sent, self.sent = "-", 0
        fault = logged = self.server.control.pick(self.command, self.path)
        conn = None
        try:
            body = self.read_body()
            if fault and fault.get("close"):
                self.close_connection = True
                raise Cut()
            if fault and "stall_seconds" in fault and not fault.get("stall_send_headers") \
                    and "stall_after_bytes" not in fault:
                self.stall(fault)  # before any byte of the response; raises Cut unless "continue"
                fault = None
            if fault and "status" in fault:
                st = int(fault["status"])
                if st == 401:
                    conn, resp = self.upstream(body, strip_auth=True)
                    if resp.status == 401:
                        self.relay(resp, None)
                        return
                    resp.read()
                    conn.close()
                    conn = None
                self.sent = self.error_reply(st, fault)
                return
            conn, resp = self.upstream(body)
            self.relay(resp, fault)
        except Cut:
            self.close_connection = True
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        except (ConnectionError, socket.timeout, OSError) as e:
            self.close_connection = True
            if self.status_sent == "-":
                try:
                    msg = ("faults.py: upstream error: %s\n" % e).encode()
                    self.send_response_only(502)
                    self.send_header("Content-Length", str(len(msg)))
                    self.end_headers()
                    self.wfile.write(msg)
                    self.status_sent = 502
                except OSError:
                    pass
        finally:
            if conn:
                conn.close()
            self.log_line(self.status_sent, logged, self.sent)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    port_file, upstream, control = sys.argv[1:]
    srv = Server(("127.0.0.1", 0), Handler)
    srv.upstream = upstream
    srv.control = Control(control)
    srv.log_path = control + ".log"
    srv.log_lock = threading.Lock()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
