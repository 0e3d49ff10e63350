#!/usr/bin/env python3
# marionette.py PORT URL TITLE_REGEX SECONDS EXPRESSION: drives a Firefox
# started with --marionette (listening on PORT): opens URL, waits up to
# SECONDS for document.title to match TITLE_REGEX, then prints the JSON
# value of the JavaScript EXPRESSION twice, 4 s apart (one line each).
# Exit 1 when the title never matches.  Marionette's protocol (JSON
# messages prefixed by their length and a colon) on the standard library,
# so the tests need no extra package.
import json
import re
import socket
import sys
import time


class Marionette:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""
        self.next_id = 1
        self.read()                     # the server's hello

    def read(self):
        while b":" not in self.buf:
            self.fill()
        n, rest = self.buf.split(b":", 1)
        n = int(n)
        self.buf = rest
        while len(self.buf) < n:
            self.fill()
        msg, self.buf = self.buf[:n], self.buf[n:]
        return json.loads(msg)

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            sys.exit("marionette: connection closed")
        self.buf += chunk

    def call(self, name, params):
        msg_id = self.next_id
        self.next_id += 1
        data = json.dumps([0, msg_id, name, params]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            reply = self.read()
            if reply[0] == 1 and reply[1] == msg_id:
                break
        if reply[2]:
            sys.exit("marionette: %s: %s" % (name, json.dumps(reply[2])))
        return reply[3]

    def script(self, body):
        return self.call("WebDriver:ExecuteScript",
                         {"script": body, "args": []})["value"]


def main():
    port, url, title_re = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    seconds, expression = float(sys.argv[4]), sys.argv[5]
    m = Marionette(port)
    m.call("WebDriver:NewSession", {"capabilities": {}})
    m.call("WebDriver:Navigate", {"url": url})
    deadline = time.monotonic() + seconds
    title = ""
    while time.monotonic() < deadline:
        title = m.script("return document.title;")
        if re.search(title_re, title):
            break
        time.sleep(0.25)
    else:
        print("marionette: title %r after %g s" % (title, seconds),
              file=sys.stderr)
        sys.exit(1)
    print(json.dumps(m.script("return " + expression + ";")))
    time.sleep(4)
    print(json.dumps(m.script("return " + expression + ";")))
    m.call("WebDriver:DeleteSession", {})


main()
