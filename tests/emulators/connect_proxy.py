"""A loopback HTTP CONNECT proxy that counts the tunnels it opens.

Tunnels only to 127.0.0.1 (anything else gets 403), so a test can prove a
client honours https_proxy without any traffic leaving the machine.
GET /_proxy/stats (plain HTTP, asked of the proxy directly) reports
{"tunnels": n}.
"""

import argparse
import http.server
import json
import os
import select
import signal
import socket
import threading


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        if self.path != "/_proxy/stats":
            self.send_error(404)
            return
        with self.server.lock:
            data = json.dumps({"tunnels": self.server.tunnels}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_CONNECT(self):
        host, _, port = self.path.rpartition(":")
        if host != "127.0.0.1":
            self.send_error(403)
            return
        with self.server.lock:
            self.server.tunnels += 1
        upstream = socket.create_connection((host, int(port)), timeout=10)
        self.send_response(200, "Connection established")
        self.end_headers()
        conns = [self.connection, upstream]
        while True:
            ready, _, _ = select.select(conns, [], [], 10)
            if not ready:
                break
            for s in ready:
                data = s.recv(65536)
                if not data:
                    upstream.close()
                    return
                (upstream if s is self.connection else self.connection).sendall(data)
        upstream.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert", help="ignored: the proxy speaks plain HTTP")
    p.add_argument("--key", help="ignored")
    args = p.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ProxyHandler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.tunnels = 0
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
