/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Library General Public License for more details.
 *
 * You should have received a copy of the GNU Library General Public
 * License along with this library; if not, write to the
 * Free Software Foundation, Inc., 51 Franklin St, Fifth Floor,
 * Boston, MA 02110-1301, USA.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpstatuspage.h"
#include "fluhttpcheck.h"

#include <string.h>

/* Self-contained HTML, CSS and JS: no external resources, so the page
 * works on an isolated network.  The script polls `?format=json` every
 * 2 s and updates one card per stream in place; a stream whose source is
 * stalled or offline (the stats' state) is outlined in red, with how long
 * it has had no data, and each card counts the upstream restarts (an
 * encoder that reconnected: the stats' restarts and last-restart-time).
 * The document title carries the totals ("3 viewers
 * · 2 streams", plus " · playing" once a player has played 2 s: media
 * time that advanced while playing, not currentTime, which Chromium
 * starts at the stream's timestamp), which monitoring and the tests read.
 * Players do not load until asked (they would count as viewers), except
 * with `?autoplay` in the page's URL.  An HLS mount (fluhlssink) plays
 * natively where the browser can (Safari: canPlayType of
 * application/vnd.apple.mpegurl), with hls.js when the page has it
 * (window.Hls), and elsewhere plays the port's progressive WebM or Ogg
 * stream instead, preferring one under the same directory. */
static const gchar status_page[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>gst-flumotion status</title>\n"
    "<style>\n"
    "body{margin:0;background:#14161a;color:#e6e6e6;"
    "font:14px/1.4 system-ui,sans-serif}\n"
    "header{padding:12px 20px;background:#1f232a;display:flex;"
    "align-items:baseline;gap:16px}\n"
    "h1{font-size:18px;margin:0}#sum{color:#9aa4b2}\n"
    "main{display:flex;flex-wrap:wrap;gap:16px;padding:16px}\n"
    ".card{background:#1f232a;border-radius:8px;padding:12px;width:400px}\n"
    ".card h2{font-size:16px;margin:0 0 8px}.card a{color:#7cc4ff}\n"
    "video,img{width:100%;aspect-ratio:16/9;background:#000;"
    "border-radius:4px}\n"
    "dl{display:grid;grid-template-columns:auto 1fr auto 1fr;gap:2px 10px;"
    "margin:8px 0}\n"
    "dt{color:#9aa4b2}dd{margin:0;font-variant-numeric:tabular-nums}\n"
    "svg{width:100%;height:80px;background:#181b20;border-radius:4px}\n"
    ".ax{fill:#9aa4b2;font-size:10px}.off{color:#ff8a80}\n"
    ".dead{outline:2px solid #ff8a80}\n"
    "</style></head>\n<body>\n"
    "<header><h1>gst-flumotion</h1><span id=\"sum\">loading</span></header>\n"
    "<main id=\"streams\"></main>\n"
    "<script>\n'use strict';\n"
    "const auto = new URLSearchParams(location.search).has('autoplay');\n"
    "const cards = {};\n"
    "const web = /^(video|audio)\\/(webm|ogg)|^application\\/ogg|"
    "^audio\\/(mpeg|aac)/;\n"
    "function rate(b) {\n"
    "  return b >= 1e6 ? (b / 1e6).toFixed(2) + ' Mbit/s' :"
    " (b / 1e3).toFixed(0) + ' kbit/s';\n}\n"
    "function dur(s) {\n"
    "  s = Math.floor(s);\n"
    "  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;\n"
    "  return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s % 60 + 's';\n"
    "}\n"
    "function el(tag, parent, text) {\n"
    "  const e = document.createElement(tag);\n"
    "  if (text !== undefined) e.textContent = text;\n"
    "  parent.appendChild(e);\n  return e;\n}\n"
    "const hlsType = 'application/vnd.apple.mpegurl';\n"
    "function fallback(s, all) {\n"
    "  const dir = s.mount.slice(0, s.mount.lastIndexOf('/') + 1);\n"
    "  const webs = all.filter(x => web.test(x['content-type'] || ''));\n"
    "  const near = webs.find(x => x.mount.startsWith(dir));\n"
    "  return (near || webs[0] || {}).mount;\n}\n"
    "function card(s, all) {\n"
    "  const c = { root: el('section', document.getElementById('streams')) };\n"
    "  c.root.className = 'card';\n"
    "  const a = el('a', el('h2', c.root), s.mount);\n"
    "  a.href = s.mount;\n"
    "  const type = s['content-type'] || '';\n"
    "  if (type.startsWith('multipart/')) {\n"
    "    c.img = el('img', c.root);\n"
    "    c.img.alt = 'click to watch';\n"
    "    c.img.onclick = () => { c.img.src = s.mount; };\n"
    "    if (auto) c.img.src = s.mount;\n"
    "  } else if (web.test(type)) {\n"
    "    c.video = el('video', c.root);\n"
    "    Object.assign(c.video, { controls: true, muted: true,\n"
    "      playsInline: true, preload: 'none', src: s.mount });\n"
    "    if (auto) { c.video.autoplay = true; c.video.play().catch(() => {}); }\n"
    "  } else if (type == hlsType) {\n"
    "    c.video = el('video', c.root);\n"
    "    Object.assign(c.video, { controls: true, muted: true,\n"
    "      playsInline: true, preload: 'none' });\n"
    "    const alt = fallback(s, all);\n"
    "    if (c.video.canPlayType(hlsType)) {\n"
    "      c.video.src = s.mount;\n"
    "      /* a browser may claim HLS and not play it (codecs, TS) */\n"
    "      if (alt) c.video.addEventListener('error', () => {\n"
    "        c.video.src = alt;\n"
    "        if (auto) c.video.play().catch(() => {});\n"
    "      }, { once: true });\n"
    "    } else if (window.Hls && Hls.isSupported()) {\n"
    "      c.hls = new Hls();\n"
    "      c.hls.loadSource(s.mount);\n"
    "      c.hls.attachMedia(c.video);\n"
    "    } else if (alt) {\n"
    "      c.video.src = alt;\n"
    "      el('p', c.root, 'HLS; this browser plays ' + alt + ' instead');\n"
    "    } else {\n"
    "      c.video.remove();\n      delete c.video;\n"
    "      el('p', c.root, 'HLS: open the link in an HLS player');\n    }\n"
    "    if (auto && c.video) {\n"
    "      c.video.autoplay = true;\n      c.video.play().catch(() => {});\n"
    "    }\n"
    "  } else {\n"
    "    el('p', c.root, type + ': open the link in a player');\n  }\n"
    "  const dl = el('dl', c.root);\n  c.dd = {};\n"
    "  for (const [k, t] of [['clients', 'viewers'], ['peak', 'peak'],\n"
    "      ['rate', 'stream'], ['out', 'outgoing'], ['up', 'uptime'],\n"
    "      ['conn', 'served'], ['state', 'source'], ['rs', 'restarts']]) {\n"
    "    el('dt', dl, t);\n    c.dd[k] = el('dd', dl);\n  }\n"
    "  c.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');\n"
    "  c.svg.setAttribute('viewBox', '0 0 360 80');\n"
    "  c.svg.setAttribute('preserveAspectRatio', 'none');\n"
    "  c.root.appendChild(c.svg);\n"
    "  return c;\n}\n"
    "function chart(c, s) {\n"
    "  const h = s.history || [], max = Math.max(1, ...h);\n"
    "  const step = s['history-step'] || 10, n = Math.max(h.length, 30);\n"
    "  const x = i => (360 - (h.length - 1 - i) * 360 / (n - 1)).toFixed(1);\n"
    "  const y = v => (76 - v * 62 / max).toFixed(1);\n"
    "  let pts = h.map((v, i) => x(i) + ',' + y(v));\n"
    "  if (h.length == 1) pts.unshift((360 - 360 / (n - 1)).toFixed(1) + ','"
    " + y(h[0]));\n"
    "  const first = pts[0].split(',')[0];\n"
    "  c.svg.innerHTML = '<polygon fill=\"#7cc4ff33\" stroke=\"#7cc4ff\" '\n"
    "    + 'stroke-width=\"1.5\" points=\"' + first + ',76 ' + pts.join(' ')\n"
    "    + ' 360,76\"/><text class=\"ax\" x=\"3\" y=\"11\">max ' + max\n"
    "    + '</text><text class=\"ax\" x=\"3\" y=\"76\">-'\n"
    "    + Math.round(n * step / 60) + ' min'\n"
    "    + '</text><text class=\"ax\" x=\"330\" y=\"76\">now</text>';\n}\n"
    "function update(c, s) {\n"
    "  c.dd.clients.textContent = s.clients;\n"
    "  c.dd.peak.textContent = s['clients-peak'];\n"
    "  c.dd.rate.textContent = rate(s['stream-bitrate']);\n"
    "  c.dd.out.textContent = rate(s['consumption-bitrate']);\n"
    "  c.dd.up.textContent = dur(s.uptime);\n"
    "  c.dd.conn.textContent = s.connections;\n"
    "  const st = s.state || 'online', age = s['last-buffer-age'] || 0;\n"
    "  c.dd.state.textContent = st == 'online' ? 'online' :\n"
    "    st + (age >= 1 ? ', no data for ' + dur(age) : '');\n"
    "  c.dd.state.className = st == 'online' ? '' : 'off';\n"
    "  c.root.classList.toggle('dead', st != 'online');\n"
    "  const rs = s.restarts || 0, at = s['last-restart-time'];\n"
    "  c.dd.rs.textContent = rs ? rs + ', last ' +\n"
    "    new Date(at).toLocaleTimeString () : 'none';\n"
    "  chart(c, s);\n}\n"
    "async function refresh() {\n"
    "  const sum = document.getElementById('sum');\n"
    "  try {\n"
    "    const r = await fetch(location.pathname + '?format=json',\n"
    "      { cache: 'no-store' });\n"
    "    const d = await r.json();\n"
    "    let viewers = 0, playing = false;\n"
    "    const seen = {};\n"
    "    for (const s of d.streams) {\n"
    "      const c = cards[s.mount] || (cards[s.mount] = card(s, d.streams));\n"
    "      update(c, s);\n"
    "      seen[s.mount] = true;\n"
    "      viewers += s.clients;\n"
    "      if (c.video && c.played > 2) playing = true;\n"
    "    }\n"
    "    for (const m in cards)\n"
    "      if (!seen[m]) { cards[m].root.remove(); delete cards[m]; }\n"
    "    const n = d.streams.length;\n"
    "    sum.className = '';\n"
    "    sum.textContent = 'port ' + d.port + ' \\u00b7 ' + viewers + ' viewers'\n"
    "      + ' \\u00b7 ' + n + (n == 1 ? ' stream' : ' streams');\n"
    "    document.title = viewers + ' viewers \\u00b7 ' + n + ' streams'\n"
    "      + (playing ? ' \\u00b7 playing' : '');\n"
    "  } catch (e) {\n"
    "    sum.className = 'off';\n    sum.textContent = 'server unreachable';\n"
    "  }\n}\n"
    "function tick() {\n"
    "  const now = performance.now() / 1000;\n"
    "  for (const m in cards) {\n"
    "    const c = cards[m], v = c.video;\n"
    "    if (!v) continue;\n"
    "    const t = v.currentTime;\n"
    "    c.played = c.played || 0;\n"
    "    if (c.last !== undefined && !v.paused && !v.seeking &&\n"
    "        v.readyState >= 2 && t > c.last && t - c.last <= now - c.wall + 0.5)\n"
    "      c.played += t - c.last;\n"
    "    c.last = t;\n    c.wall = now;\n"
    "  }\n}\n"
    "refresh();\nsetInterval(refresh, 2000);\nsetInterval(tick, 250);\n"
    "</script>\n</body></html>\n";

static void
respond (SoupServerMessage * msg, const gchar * type, gchar * body,
    gsize len, SoupMemoryUse use)
{
  flu_http_server_set_common_headers (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, use, body, len);
}

void
flu_http_status_page_serve (FluHttpServer * server, SoupServerMessage * msg,
    GHashTable * query)
{
  const gchar *format = query ? g_hash_table_lookup (query, "format") : NULL;

  if (g_strcmp0 (format, "json") == 0) {
    GInetAddress *client = flu_http_client_address (msg);
    gchar *streams = flu_http_server_streams_json (server, client);
    gchar *body = g_strdup_printf ("{\"port\": %u, \"streams\": %s}\n",
        flu_http_server_get_port (server), streams);

    g_free (streams);
    g_clear_object (&client);
    respond (msg, "application/json", body, strlen (body), SOUP_MEMORY_TAKE);
  } else {
    respond (msg, "text/html; charset=utf-8", (gchar *) status_page,
        sizeof (status_page) - 1, SOUP_MEMORY_STATIC);
  }
}
