"""Plumbing shared by the vendor emulators.

A threaded HTTPS server bound to 127.0.0.1 on an ephemeral port that writes
its port to a file (atomically) and prints `ready PORT` once listening, and
stops cleanly on SIGTERM or SIGINT. A request handler base class that reads
request bodies with a size cap, answers everything (errors included) with
JSON and a Content-Length, and logs one line per request to stderr with the
method, the path without its query and the status: never a header or a
body, so no secret or token reaches the log. Helpers for the OAuth2 bits
several vendors share: HTTP Basic and Bearer credentials, form bodies,
Accept checks, issued tokens with an expiry, thread-safe counters.

The vendor logic lives in one file per vendor (cisco_xdr.py, ...).
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import http.server
import json
import os
import secrets
import signal
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

MAX_BODY = 64 * 1024


def base_arguments(description):
    """An argument parser with the options every emulator takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--cert", required=True, help="server certificate (PEM)")
    p.add_argument("--key", required=True, help="server private key (PEM)")
    p.add_argument("--port-file", help="the chosen port is written here once listening")
    p.add_argument("--refuse-seconds", type=float, default=0.0, metavar="S",
                   help="refuse connections for the first S seconds (the port bound, not listening)")
    p.add_argument("--plain", action="store_true",
                   help="serve plain http (no TLS), as some on-premises servers do; for allow-http tests")
    return p


def read_secret_file(path):
    """A secret from a file (never argv); one trailing newline is dropped."""
    with open(path, encoding="utf-8") as f:
        value = f.read()
    value = value[:-1] if value.endswith("\n") else value
    if not value:
        sys.exit(f"{path}: empty secret")
    return value


class Counters:
    """Named, thread-safe counters."""

    def __init__(self, *names):
        self._lock = threading.Lock()
        self._values = dict.fromkeys(names, 0)

    def add(self, name, n=1):
        with self._lock:
            self._values[name] = self._values.get(name, 0) + n
            return self._values[name]

    def snapshot(self):
        with self._lock:
            return dict(self._values)


class Stall:
    """--stall-first N: the first N token requests are held unanswered and
    never processed (nothing checked, nothing spent) for --stall-seconds,
    then their connection is dropped: a server that hangs mid-exchange.
    The requests after them are served as usual. `stalled` counts the
    requests held so far."""

    def __init__(self, args):
        self.seconds = args.stall_seconds
        self.counters = Counters("stalled")
        self._left = args.stall_first
        self._lock = threading.Lock()

    @staticmethod
    def add_arguments(p):
        p.add_argument("--stall-first", type=int, default=0, metavar="N",
                       help="hold the first N token requests unanswered, unprocessed, then drop them")
        p.add_argument("--stall-seconds", type=float, default=60.0, help="how long to hold them (default 60)")

    def hold(self, handler):
        """True when this request is one to stall: it has been held, and
        the caller returns without answering it."""
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
        self.counters.add("stalled")
        time.sleep(self.seconds)
        handler.close_connection = True
        handler.log_line("dropped")
        return True


class TokenStore:
    """Tokens this emulator issued, each with its expiry; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._expiry = {}

    def issue(self, prefix, lifetime, size=0):
        """A new token: PREFIX and random text, padded to `size` characters."""
        token = prefix + secrets.token_urlsafe(32)
        token += "x" * max(0, size - len(token))
        now = time.monotonic()
        with self._lock:
            self._expiry = {t: e for t, e in self._expiry.items() if e > now}
            self._expiry[token] = now + lifetime
        return token

    def valid(self, token):
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and time.monotonic() < expiry


def oauth_error(code, description):
    return {"error": code, "error_description": description}


def media_type(value):
    """'application/json; charset=utf-8' -> 'application/json'."""
    return (value or "").split(";")[0].strip().lower()


def accepts(header, wanted):
    """Whether an Accept header lists the media type `wanted` by name."""
    return any(media_type(part) == wanted for part in (header or "").split(","))


def basic_credentials(header):
    """(user, password) from an 'Authorization: Basic ...' value, or None."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None


def bearer_token(header):
    """The token from an 'Authorization: Bearer ...' value, or None."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def same(a, b):
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())


def parse_form(body):
    """An application/x-www-form-urlencoded body as {name: [values]}, or
    None when it is not well-formed."""
    if not body:
        return {}
    try:
        return urllib.parse.parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    """bytes of base64url text with or without padding; None when bad."""
    if not isinstance(text, str) or not all(c.isalnum() or c in "-_" for c in text.rstrip("=")):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def jwt_parts(token):
    """(header, claims, signing_input, signature) of a JWS compact token,
    or None when it is not one with JSON object header and claims."""
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    h, c, s = token.split(".")
    header, claims, sig = b64url_decode(h), b64url_decode(c), b64url_decode(s)
    if header is None or claims is None or sig is None:
        return None
    try:
        header, claims = json.loads(header), json.loads(claims)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, f"{h}.{c}".encode("ascii"), sig


def jwt_hs256(claims, key, header=None):
    """A JWT signed with HMAC-SHA-256 under `key` (bytes)."""
    head = b64url_encode(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url_encode(json.dumps(claims).encode())
    sig = hmac.new(key, f"{head}.{body}".encode(), "sha256").digest()
    return f"{head}.{body}.{b64url_encode(sig)}"


def jwt_verify_hs256(token, key):
    """The claims of an HS256 `token` whose signature `key` (bytes)
    makes, else None. The header must say alg HS256: "none" and other
    algorithms are refused, as a strict server does."""
    parts = jwt_parts(token)
    if parts is None or parts[0].get("alg") != "HS256":
        return None
    header, claims, signing_input, sig = parts
    good = hmac.new(key, signing_input, "sha256").digest()
    return claims if hmac.compare_digest(good, sig) else None


def jwt_verify_rsa(token, certificate, algs=("RS256", "PS256")):
    """(header, claims) of a `token` signed RS256 or PS256 (salt 32,
    MGF1-SHA-256) by the key of the PEM `certificate` file, checked with
    the openssl command; None otherwise."""
    parts = jwt_parts(token)
    if parts is None or parts[0].get("alg") not in algs:
        return None
    header, claims, signing_input, sig = parts
    with tempfile.TemporaryDirectory(prefix="emulator-jwt-") as d:
        pub, data, signature = (os.path.join(d, n) for n in ("pub.pem", "input", "sig"))
        key = subprocess.run(["openssl", "x509", "-in", certificate, "-pubkey", "-noout"], capture_output=True)
        if key.returncode != 0:
            return None
        for path, content in ((pub, key.stdout), (data, signing_input), (signature, sig)):
            with open(path, "wb") as f:
                f.write(content)
        pss = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256"]
        cmd = ["openssl", "dgst", "-sha256", "-verify", pub, "-signature", signature]
        cmd += (pss if header["alg"] == "PS256" else []) + [data]
        ok = subprocess.run(cmd, capture_output=True).returncode == 0
    return (header, claims) if ok else None


def x5t_s256(certificate):
    """The x5t#S256 of a PEM certificate file: base64url SHA-256 of its DER."""
    der = subprocess.run(["openssl", "x509", "-in", certificate, "-outform", "DER"], capture_output=True,
                         check=True).stdout
    return b64url_encode(hashlib.sha256(der).digest())


class Handler(http.server.BaseHTTPRequestHandler):
    """Base handler. Subclasses implement route(method, path, query): path
    without the query, query as parse_qs gives it. A route answers with
    self.reply() and gets the request body, if it wants it, from
    self.body(). The server's state object is self.state."""

    protocol_version = "HTTP/1.1"
    server_version = "emulator/1"
    timeout = 30  # seconds a connection may sit idle or handshake

    def version_string(self):
        return self.server_version

    @property
    def state(self):
        return self.server.state

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()  # here, in the connection's thread, with the timeout above

    def log_message(self, fmt, *args):
        pass  # the default would log the request line; see log_line

    def log_line(self, status):
        path = urllib.parse.urlsplit(getattr(self, "path", "") or "").path
        printable = "".join(c if c.isprintable() and c != " " else "?" for c in path)
        sys.stderr.write(f"{self.command or '-'} {printable or '-'} {status}\n")
        sys.stderr.flush()

    def reply(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.log_line(status)

    def send_error(self, code, message=None, explain=None):
        """Errors found by http.server itself (bad request line, unknown
        method, ...) in JSON like everything else."""
        self.close_connection = True
        description = message or self.responses.get(code, ("",))[0]
        self.reply(code, oauth_error("invalid_request", description))

    def body(self):
        """The request body (read once), or None after this method has
        answered a body it will not read: chunked, too large, or a bad
        Content-Length."""
        if not self._body_done:
            self._body_done = True
            problem = self._body_problem()
            if problem:
                self.close_connection = True
                self.reply(*problem)
            else:
                self._body = self._read_body()
        return self._body

    def _body_problem(self):
        lengths = self.headers.get_all("Content-Length") or []
        if "Transfer-Encoding" in self.headers:
            return 411, oauth_error("invalid_request", "send a Content-Length, not a Transfer-Encoding")
        if len(lengths) > 1 or (lengths and not (lengths[0].isascii() and lengths[0].isdigit())):
            return 400, oauth_error("invalid_request", "bad Content-Length")
        if lengths and int(lengths[0]) > MAX_BODY:
            return 413, oauth_error("invalid_request", f"body larger than {MAX_BODY} bytes")
        return None

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        if len(data) != length:
            self.close_connection = True
            return None
        return data

    def dispatch(self):
        self._body, self._body_done = None, False
        split = urllib.parse.urlsplit(self.path)
        self.route(self.command, split.path, urllib.parse.parse_qs(split.query))
        if not self._body_done:  # answered without looking at the body: skip it, or close
            if self._body_problem():
                self.close_connection = True
            else:
                self._read_body()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = dispatch


class Server(http.server.ThreadingHTTPServer):
    """Counts the connections it accepts (`connections`), TLS handshakes
    that fail included: a client that retries a refused handshake shows."""

    daemon_threads = True
    request_queue_size = 64
    connections = 0
    _connections_lock = threading.Lock()

    def process_request(self, request, client_address):
        with self._connections_lock:
            self.connections += 1
        super().process_request(request, client_address)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # no reverse DNS lookup of our own address
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        kind, value, _ = sys.exc_info()
        if isinstance(value, OSError):  # TLS handshake failures, hang-ups, timeouts
            sys.stderr.write(f"connection dropped: {kind.__name__}: {value}\n")
        else:
            traceback.print_exc()  # a bug in an emulator


def write_port_file(path, port):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def serve(handler_class, args, state):
    """Serves TLS (plain http with --plain) on 127.0.0.1 (ephemeral port)
    until SIGTERM or SIGINT."""
    server = Server(("127.0.0.1", 0), handler_class, bind_and_activate=False)
    server.server_bind()
    server.state = state
    if not args.plain:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    port = server.server_address[1]
    if args.refuse_seconds > 0:
        # Bound but not listening, the port refuses connections; it is
        # announced first, so that clients meet the refusals.
        if args.port_file:
            write_port_file(args.port_file, port)
        time.sleep(args.refuse_seconds)
    server.server_activate()
    if args.port_file and args.refuse_seconds <= 0:
        write_port_file(args.port_file, port)
    print(f"ready {port}", flush=True)

    def stop(signum, frame):
        # shutdown() waits for serve_forever(), which runs in this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
