// Screenshot of the first page of a running headless Chromium, through the
// DevTools protocol (a minimal WebSocket client: Node 20 has none built in).
// Usage: node devtools-screenshot.js DEVTOOLS_PORT OUT.png
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const [port, out] = process.argv.slice(2);

function send(sock, obj) {
  const data = Buffer.from(JSON.stringify(obj));
  const mask = crypto.randomBytes(4);
  const head = data.length < 126 ? Buffer.from([0x81, 0x80 | data.length])
    : Buffer.from([0x81, 0x80 | 126, data.length >> 8, data.length & 255]);
  const body = Buffer.from(data.map((b, i) => b ^ mask[i % 4]));
  sock.write(Buffer.concat([head, mask, body]));
}

http.get(`http://127.0.0.1:${port}/json/list`, (res) => {
  let text = '';
  res.on('data', (d) => { text += d; });
  res.on('end', () => {
    const page = JSON.parse(text).find((t) => t.type === 'page');
    const url = new URL(page.webSocketDebuggerUrl);
    const req = http.request({ host: url.hostname, port: url.port,
      path: url.pathname, headers: { Connection: 'Upgrade',
        Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64') } });
    req.on('upgrade', (r, sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          let len = buf[1] & 127, off = 2;
          if (buf.length < 2) return;
          if (len === 126) { len = buf.readUInt16BE(2); off = 4; }
          else if (len === 127) { len = Number(buf.readBigUInt64BE(2)); off = 10; }
          if (buf.length < off + len) return;
          const msg = JSON.parse(buf.subarray(off, off + len).toString());
          buf = buf.subarray(off + len);
          if (msg.id === 1) {
            fs.writeFileSync(out, Buffer.from(msg.result.data, 'base64'));
            sock.destroy();
            return;
          }
        }
      });
      send(sock, { id: 1, method: 'Page.captureScreenshot',
        params: { format: 'png' } });
    });
    req.end();
  });
});
