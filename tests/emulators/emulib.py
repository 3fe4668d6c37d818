"""Plumbing shared by the vendor emulators: a TLS server on 127.0.0.1 with
an ephemeral port, JSON replies, capped request bodies, counters, and a
clean stop on SIGTERM. The vendor logic lives in one file per vendor.
"""

import argparse
import http.server
import json
import os
import signal
import ssl
import sys
import threading

MAX_BODY = 64 * 1024


def base_arguments(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--port-file", required=True, help="the chosen port is written here once listening")
    return p


class Counters:
    def __init__(self):
        self._lock = threading.Lock()
        self._values = {}

    def add(self, name, n=1):
        with self._lock:
            self._values[name] = self._values.get(name, 0) + n
            return self._values[name]

    def snapshot(self):
        with self._lock:
            return dict(self._values)


class Handler(http.server.BaseHTTPRequestHandler):
    """Base handler: subclasses implement route(method)."""

    protocol_version = "HTTP/1.1"
    server_version = "emulator/1"

    def log_message(self, fmt, *args):  # no secrets: method, path and status only
        pass

    def log_line(self, status):
        sys.stderr.write(f"{self.command} {self.path.split('?')[0]} {status}\n")

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length)

    def reply(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.log_line(status)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def serve(handler_class, args, state):
    """Binds 127.0.0.1:0 with TLS, writes the port file, serves until SIGTERM."""
    server = Server(("127.0.0.1", 0), handler_class)
    server.state = state
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, args.port_file)
    print(f"ready {port}", flush=True)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()
