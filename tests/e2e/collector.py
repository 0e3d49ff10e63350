#!/usr/bin/env python3
"""Playback checks in any browser, without a browser driver.

A small HTTP server on a port the kernel picks (written to DIR/port):

* /__flu/check?page=PATH serves tests/e2e/playback-check.html, which loads
  PATH in a same-origin iframe, measures the first <video> of that page
  (currentTime advancing over wall-clock time, decoded frames increasing,
  a picture size) and posts what it saw;
* POST /__flu/result stores the verdict in DIR/result (one JSON object);
* POST /__flu/title stores the iframe's document title in DIR/title (the
  pages under test report their state there);
* POST /__flu/stats stores what a page under test measured in DIR/stats;
* /__flu/file/NAME serves the file given as NAME=FILE after DIR (a test's
  own player page, a player library), with a type from its extension;
* everything else is passed through to the fluhttpsink server given as
  UPSTREAM (host:port), streamed as it arrives, so the page under test,
  its JSON and its streams come from that server unchanged, from the same
  origin as the measuring page.

Usage: collector.py UPSTREAM DIR [NAME=FILE...]
"""
import http.client
import http.server
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = sys.argv[1]
OUT = sys.argv[2]
FILES = dict(a.split("=", 1) for a in sys.argv[3:])
TYPES = {".html": "text/html; charset=utf-8",
         ".js": "text/javascript; charset=utf-8"}
# request headers a player sends that matter to the server
FORWARD = ("Range", "Accept", "Accept-Encoding", "User-Agent",
           "Icy-MetaData", "Authorization", "If-None-Match")
HOP = ("connection", "keep-alive", "transfer-encoding", "proxy-connection",
       "te", "trailer", "upgrade")


def store(name, data):
    tmp = os.path.join(OUT, name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(OUT, name))


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, a body runs until close
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("collector: " + (fmt % args) + "\n")

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        if path == "/__flu/result":
            store("result", body + b"\n")
        elif path == "/__flu/title":
            store("title", body + b"\n")
        elif path == "/__flu/stats":
            store("stats", body + b"\n")
        else:
            self.send_error(404)
            return
        self.send_response(204)
        self.end_headers()

    def do_GET(self):
        self.forward("GET")

    def do_HEAD(self):
        self.forward("HEAD")

    def forward(self, method):
        path = urllib.parse.urlsplit(self.path).path
        served = None
        if path == "/__flu/check":
            served = os.path.join(HERE, "playback-check.html")
        elif path.startswith("/__flu/file/"):
            served = FILES.get(path[len("/__flu/file/"):])
            if served is None:
                self.send_error(404)
                return
        if served:
            with open(served, "rb") as f:
                page = f.read()
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(
                os.path.splitext(served)[1], "application/octet-stream"))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            if method == "GET":
                self.wfile.write(page)
            return
        host, port = UPSTREAM.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {k: self.headers[k] for k in FORWARD if k in self.headers}
        try:
            conn.request(method, self.path, headers=headers)
            resp = conn.getresponse()
        except OSError as e:
            self.send_error(502, "upstream: %s" % e)
            return
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            while method == "GET":
                chunk = resp.read1(65536)
                if not chunk:
                    break
                self.wfile.write(chunk)
                self.wfile.flush()
        except OSError:
            pass  # the player went away: drop the upstream connection too
        finally:
            conn.close()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
store("port", b"%d\n" % server.server_address[1])
server.serve_forever()
