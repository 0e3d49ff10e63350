#!/usr/bin/env python3
# cdp-eval.py DEVTOOLS_PORT EXPRESSION: evaluates a JavaScript expression
# in the first page of a Chromium started with --remote-debugging-port and
# prints its value as JSON.  A small WebSocket client (RFC 6455, text
# frames only) on the standard library, so the tests need no extra
# package.
import base64
import json
import os
import socket
import struct
import sys
import urllib.request


def page_ws_path(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port,
                                timeout=5) as r:
        pages = [p for p in json.load(r) if p.get("type") == "page"]
    if not pages:
        sys.exit("cdp-eval: no page")
    url = pages[0]["webSocketDebuggerUrl"]
    return url[url.index("/devtools/"):]


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            sys.exit("cdp-eval: connection closed")
        data += chunk
    return data


def send_text(sock, text):
    payload = text.encode()
    head = bytearray([0x81])
    n = len(payload)
    if n < 126:
        head.append(0x80 | n)
    elif n < 65536:
        head.append(0x80 | 126)
        head += struct.pack("!H", n)
    else:
        head.append(0x80 | 127)
        head += struct.pack("!Q", n)
    mask = os.urandom(4)
    head += mask
    sock.sendall(bytes(head) + bytes(b ^ mask[i % 4]
                                     for i, b in enumerate(payload)))


def recv_message(sock):
    message = b""
    while True:
        b0, b1 = recv_exact(sock, 2)
        n = b1 & 0x7f
        if n == 126:
            n = struct.unpack("!H", recv_exact(sock, 2))[0]
        elif n == 127:
            n = struct.unpack("!Q", recv_exact(sock, 8))[0]
        payload = recv_exact(sock, n)
        if b0 & 0x0f in (0x1, 0x0):
            message += payload
            if b0 & 0x80:
                return message.decode()


def main():
    port = int(sys.argv[1])
    expression = sys.argv[2]
    path = page_ws_path(port)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                  % (path, port, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += recv_exact(sock, 1)
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        sys.exit("cdp-eval: no websocket: %r" % head)
    send_text(sock, json.dumps({
        "id": 1, "method": "Runtime.evaluate",
        "params": {"expression": expression, "returnByValue": True}}))
    while True:
        msg = json.loads(recv_message(sock))
        if msg.get("id") == 1:
            break
    result = msg.get("result", {}).get("result", {})
    if "value" not in result:
        sys.exit("cdp-eval: %s" % json.dumps(msg))
    print(json.dumps(result["value"]))


main()
