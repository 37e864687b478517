#!/usr/bin/env python3
"""A plain Python http.server stand-in of the ML-IDS prediction API, for tests and benchmarks.

  python_standin_api.py [--port 0] [--host 127.0.0.1] [--http10] [--nodelay]

It answers POST /api/predictions (pandas split JSON) with one prediction per row, by the rule of
dev/standin_api.ts (attack when dst_port is 21, 22, 80 or 8080 and flow_pkts_s > 1). It is written
the way small Python model servers usually are: ThreadingHTTPServer, HTTP/1.1 keep-alive
(HTTP/1.0, one connection per request, with --http10), headers and body written in two send()
calls, TCP_NODELAY not set. On a reused connection that makes every answer wait for the client's
delayed ACK (about 40 ms on Linux): Nagle's algorithm holds the body until the headers are
acknowledged. --nodelay sets TCP_NODELAY on every connection, as gunicorn does: no stall.

It prints "listening on PORT" on stdout once ready. GET /stats answers
{"requests": N, "connections": M, "request_connections": [c0, c1, ...]}: how many prediction
requests and TCP connections it saw, and which connection (numbered from 0 in order of arrival)
carried each prediction request. Standard library only.
"""
import argparse
import itertools
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGETED_PORTS = {21, 22, 80, 8080}
PANDAS_SPLIT = "application/json; format=pandas-split"

lock = threading.Lock()
connection_numbers = itertools.count()
request_connections = []
connections_seen = 0


def prediction(row, port_at, rate_at):
    port = row[port_at] if port_at is not None else None
    rate = row[rate_at] if rate_at is not None else None
    ok = (isinstance(port, (int, float)) and not isinstance(port, bool) and port in TARGETED_PORTS
          and isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate > 1
          and rate != float("inf"))
    return 1.0 if ok else 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        global connections_seen
        super().setup()
        with lock:
            self.connection_number = next(connection_numbers)
            connections_seen += 1

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()  # first send(): the status line and headers
        self.wfile.write(body)  # second send(): the body, held by Nagle until the headers are ACKed

    def do_GET(self):
        if self.path == "/stats":
            with lock:
                stats = {
                    "requests": len(request_connections),
                    "connections": connections_seen,
                    "request_connections": list(request_connections),
                }
            self.answer(200, stats)
        else:
            self.answer(404, {"error": f"Not found: GET {self.path}"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path != "/api/predictions":
            self.answer(404, {"error": f"Not found: POST {self.path}"})
            return
        with lock:
            request_connections.append(self.connection_number)
        content_type = (self.headers.get("Content-Type") or "").strip().lower()
        if content_type != PANDAS_SPLIT:
            self.answer(415, {"error": f"Content-Type: '{content_type}' is not supported."})
            return
        try:
            split = json.loads(body)
            columns = split["columns"]
            data = split["data"]
        except (ValueError, KeyError, TypeError) as error:
            self.answer(400, {"error": f"Invalid request body supplied. Cause: {error}"})
            return
        port_at = columns.index("dst_port") if "dst_port" in columns else None
        rate_at = columns.index("flow_pkts_s") if "flow_pkts_s" in columns else None
        self.answer(200, [prediction(row, port_at, rate_at) for row in data])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http10", action="store_true", help="HTTP/1.0: a connection per request")
    parser.add_argument("--nodelay", action="store_true", help="set TCP_NODELAY: no stall")
    args = parser.parse_args()
    if args.http10:
        Handler.protocol_version = "HTTP/1.0"
    Handler.disable_nagle_algorithm = args.nodelay
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
