#!/usr/bin/env python3
# gst-flumotion: a conformance checker of our own for the media playlists
# fluhlssink serves (draft-pantos-hls-rfc8216bis, LL-HLS), on the standard
# library only.  It follows a live playlist for a while with blocking
# reloads, as an LL-HLS player does, and checks:
#
# - tag syntax (EXTM3U first, known tags, attribute lists, an URI line
#   after every EXTINF), the tags LL-HLS needs (SERVER-CONTROL with
#   CAN-BLOCK-RELOAD, PART-HOLD-BACK >= 3 x PART-TARGET, HOLD-BACK >= 3 x
#   TARGETDURATION, PART-INF, PRELOAD-HINT), PROGRAM-DATE-TIME per segment;
# - every segment's EXTINF, rounded, <= TARGETDURATION; every part <=
#   PART-TARGET, and >= 85% of it except the last part of a segment;
# - media sequence and discontinuity sequence never go back; a segment
#   name always belongs to the same media sequence number (names are
#   never reused);
# - INDEPENDENT=YES parts, and every segment, start on an H.264 IDR frame
#   (the first video picture of their MPEG-TS payload);
# - a blocking reload for the hinted part answers once that part is in the
#   playlist, within about one part target; a request for the hinted part
#   is held until it exists; _HLS_msn more than two past the last segment
#   gets 400;
# - Content-Type and Cache-Control of playlists, segments and parts.
#
# Usage: hls-check.py URL-of-index.m3u8 SECONDS [--plain]
#        hls-check.py URL-of-multivariant.m3u8 SECONDS --multivariant
#        hls-check.py --self-test   (broken playlists and pictures are caught)
# Exit status 0 when every check passed, 1 otherwise (each failure printed).

import datetime
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def get(url, timeout=15):
    """(status, headers, body, seconds)"""
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers, r.read(), time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read(), time.monotonic() - t0


KNOWN = {
    "EXTM3U", "EXT-X-VERSION", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE",
    "EXT-X-DISCONTINUITY-SEQUENCE", "EXT-X-PROGRAM-DATE-TIME", "EXTINF",
    "EXT-X-DISCONTINUITY", "EXT-X-ENDLIST", "EXT-X-PART", "EXT-X-PART-INF",
    "EXT-X-SERVER-CONTROL", "EXT-X-PRELOAD-HINT", "EXT-X-SKIP",
    "EXT-X-RENDITION-REPORT",
}
MULTIVARIANT = {"EXT-X-STREAM-INF", "EXT-X-MEDIA", "EXT-X-I-FRAME-STREAM-INF",
                "EXT-X-SESSION-DATA", "EXT-X-SESSION-KEY",
                "EXT-X-CONTENT-STEERING"}
ATTR = re.compile(r'([A-Z0-9-]+)=("[^"\n]*"|[^",\n]+)(,|$)')
PDT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def attrs(value, where):
    out = {}
    pos = 0
    while pos < len(value):
        m = ATTR.match(value, pos)
        if not m:
            fail("%s: bad attribute list %r" % (where, value))
            return out
        v = m.group(2)
        out[m.group(1)] = v[1:-1] if v.startswith('"') else v
        pos = m.end()
    return out


def parse(text):
    """A playlist as a dict; syntax failures reported."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    pl = {"segments": [], "open_parts": [], "hint": None, "ended": False,
          "skip": None, "reports": [], "hints": 0, "float_extinf": False}
    if not lines or lines[0] != "#EXTM3U":
        fail("playlist does not start with #EXTM3U")
        return None
    seg = {"parts": [], "discont": False, "pdt": None}
    expect_uri = None
    for ln in lines[1:]:
        if expect_uri is not None:
            if ln.startswith("#") or not ln:
                fail("EXTINF not followed by a URI line: %r" % ln)
                return None
            seg["uri"] = ln
            seg["duration"] = expect_uri
            pl["segments"].append(seg)
            seg = {"parts": [], "discont": False, "pdt": None}
            expect_uri = None
            continue
        if not ln.startswith("#EXT"):
            fail("unexpected line %r" % ln)
            continue
        tag, _, value = ln[1:].partition(":")
        if tag in MULTIVARIANT:
            # 4.4.6: never in a media playlist
            fail("multivariant tag %s in a media playlist" % tag)
        elif tag not in KNOWN:
            fail("unknown tag %s" % tag)
        if tag in ("EXT-X-VERSION", "EXT-X-TARGETDURATION",
                   "EXT-X-MEDIA-SEQUENCE", "EXT-X-DISCONTINUITY-SEQUENCE"):
            if not re.fullmatch(r"\d+", value):
                fail("%s: not a decimal integer: %r" % (tag, value))
                return None
            pl[tag] = int(value)
        elif tag == "EXTINF":
            m = re.fullmatch(r"(\d+(\.\d+)?),.*", value)
            if not m:
                fail("bad EXTINF %r" % value)
                return None
            expect_uri = float(m.group(1))
            if m.group(2):
                pl["float_extinf"] = True
        elif tag in ("EXT-X-PROGRAM-DATE-TIME", "EXT-X-DISCONTINUITY"):
            # 4.4.4.9: tags of a parent segment come before its first part
            if seg["parts"]:
                fail("%s after an EXT-X-PART of its segment" % tag)
            if tag == "EXT-X-DISCONTINUITY":
                seg["discont"] = True
            elif not PDT.match(value):
                fail("bad PROGRAM-DATE-TIME %r" % value)
            else:
                seg["pdt"] = value
        elif tag == "EXT-X-ENDLIST":
            pl["ended"] = True
        elif tag == "EXT-X-PART":
            a = attrs(value, tag)
            if "DURATION" not in a or "URI" not in a:
                fail("EXT-X-PART without DURATION or URI: %r" % value)
                continue
            seg["parts"].append((float(a["DURATION"]), a["URI"],
                                 a.get("INDEPENDENT") == "YES"))
        elif tag in ("EXT-X-PART-INF", "EXT-X-SERVER-CONTROL"):
            pl[tag] = attrs(value, tag)
        elif tag == "EXT-X-PRELOAD-HINT":
            a = attrs(value, tag)
            if a.get("TYPE") != "PART" or "URI" not in a:
                fail("bad PRELOAD-HINT %r" % value)
            pl["hint"] = a.get("URI")
            pl["hints"] += 1
        elif tag == "EXT-X-SKIP":
            # 4.4.5.2: once, before the first segment
            a = attrs(value, tag)
            if pl["skip"] is not None:
                fail("EXT-X-SKIP more than once")
            if pl["segments"] or seg["parts"] or seg["pdt"]:
                fail("EXT-X-SKIP after a segment's tags")
            if not re.fullmatch(r"\d+", a.get("SKIPPED-SEGMENTS", "")):
                fail("EXT-X-SKIP without a decimal SKIPPED-SEGMENTS: %r"
                     % value)
                continue
            pl["skip"] = int(a["SKIPPED-SEGMENTS"])
        elif tag == "EXT-X-RENDITION-REPORT":
            a = attrs(value, tag)
            # 4.4.5.4: URI relative to this playlist, LAST-MSN decimal
            if "URI" not in a or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/",
                                          a["URI"]):
                fail("RENDITION-REPORT URI missing or not relative: %r"
                     % value)
            if not re.fullmatch(r"\d+", a.get("LAST-MSN", "")):
                fail("RENDITION-REPORT without a decimal LAST-MSN: %r"
                     % value)
                continue
            if "LAST-PART" in a and not re.fullmatch(r"\d+", a["LAST-PART"]):
                fail("RENDITION-REPORT LAST-PART not decimal: %r" % value)
                continue
            pl["reports"].append((a.get("URI"), int(a["LAST-MSN"]),
                                  int(a["LAST-PART"]) if "LAST-PART" in a
                                  else None))
    if expect_uri is not None:
        fail("playlist ends after an EXTINF")
    pl["open_parts"] = seg["parts"]
    for t in ("EXT-X-VERSION", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE"):
        if t not in pl:
            fail("no %s" % t)
            return None
    return pl


def pdt_seconds(value):
    if value is None:
        return None
    try:
        return datetime.datetime.fromisoformat(
            value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# ---- MPEG-TS: is the first video picture an IDR? ----

def ts_scan(data):
    """(PMT stream types, the first video PES payload up to 4 KB) of TS
    data; None on a broken packet."""
    pmt_pid = video_pid = None
    types = set()
    es = bytearray()
    started = False
    for off in range(0, len(data) - 187, 188):
        pkt = data[off:off + 188]
        if pkt[0] != 0x47:
            fail("TS sync byte missing at offset %d" % off)
            return None
        pusi = pkt[1] & 0x40
        pid = ((pkt[1] & 0x1f) << 8) | pkt[2]
        afc = (pkt[3] >> 4) & 3
        p = 4
        if afc & 2:
            p += 1 + pkt[4]
        if not afc & 1 or p >= 188:
            continue
        payload = pkt[p:]
        if pid == 0 and pusi:
            sec = payload[1 + payload[0]:]
            # program_number(2) reserved/PID(2) after the 8-byte header
            for i in range(8, 3 + ((sec[1] & 0xf) << 8 | sec[2]) - 4, 4):
                if (sec[i] << 8 | sec[i + 1]) != 0:
                    pmt_pid = (sec[i + 2] & 0x1f) << 8 | sec[i + 3]
        elif pid == pmt_pid and pusi and video_pid is None:
            sec = payload[1 + payload[0]:]
            end = 3 + ((sec[1] & 0xf) << 8 | sec[2]) - 4
            i = 12 + ((sec[10] & 0xf) << 8 | sec[11])
            while i + 5 <= end:
                stype = sec[i]
                epid = (sec[i + 1] & 0x1f) << 8 | sec[i + 2]
                types.add(stype)
                if stype == 0x1b:
                    video_pid = epid
                i += 5 + ((sec[i + 3] & 0xf) << 8 | sec[i + 4])
        elif pid == video_pid and video_pid is not None:
            if pusi:
                if started:
                    break
                started = True
                payload = payload[9 + payload[8]:]
            if started:
                es += payload
                if len(es) > 4096:
                    break
    return types, bytes(es)


def nal_units(es):
    """(type, bytes after the header) of each NAL unit start in es"""
    i = 0
    while True:
        i = es.find(b"\x00\x00\x01", i)
        if i < 0 or i + 3 >= len(es):
            return
        yield es[i + 3] & 0x1f, es[i + 4:]
        i += 3


def first_picture_is_idr(data):
    """True/False for the first H.264 picture of the TS data, None when
    there is none."""
    scan = ts_scan(data)
    if scan is None or not scan[1]:
        return None
    for nal, _ in nal_units(scan[1]):
        if nal in (1, 5):
            return nal == 5
    return None


def avc1_of(data):
    """avc1.PPCCLL from the first SPS of the TS data, and whether the
    PMT lists AAC (stream type 0x0f); (None, ...) without an SPS."""
    scan = ts_scan(data)
    if scan is None:
        return None, False
    for nal, rest in nal_units(scan[1]):
        if nal == 7 and len(rest) >= 3:
            return "avc1.%02x%02x%02x" % (rest[0], rest[1], rest[2]), \
                0x0f in scan[0]
    return None, 0x0f in scan[0]


class Checker:
    def __init__(self, url, plain):
        self.url = url
        self.base = url.rsplit("/", 1)[0] + "/"
        self.plain = plain
        self.names = {}             # segment URI -> msn
        self.last_msn_seen = None
        self.last_dseq = None
        self.last_ms = None
        self.checked = set()        # URIs whose first picture was checked
        self.blocking = []          # seconds from request to answer
        self.lags = []              # part ready at the sink -> at client
        self.parts_seen = set()
        self.n_segments = 0
        self.server_control = {}
        self.first_ms = None
        self.checked_delta = 0
        self.reports_checked = 0

    def check_media(self, uri, must_be_idr):
        if uri in self.checked:
            return
        self.checked.add(uri)
        st, h, body, _ = get(self.base + uri)
        if st != 200:
            fail("%s: status %d" % (uri, st))
            return
        if h.get("Content-Type") != "video/mp2t":
            fail("%s: Content-Type %s" % (uri, h.get("Content-Type")))
        cc = h.get("Cache-Control", "")
        if "immutable" not in cc or "max-age=" not in cc:
            fail("%s: Cache-Control %r" % (uri, cc))
        idr = first_picture_is_idr(body)
        if must_be_idr and idr is not True:
            fail("%s: should start on an IDR picture, first picture IDR=%s"
                 % (uri, idr))

    def check_playlist(self, pl):
        td = pl["EXT-X-TARGETDURATION"]
        ms = pl["EXT-X-MEDIA-SEQUENCE"]
        dseq = pl.get("EXT-X-DISCONTINUITY-SEQUENCE", 0)
        if self.last_ms is not None and ms < self.last_ms:
            fail("MEDIA-SEQUENCE went back: %d after %d" % (ms, self.last_ms))
        if self.last_dseq is not None and dseq < self.last_dseq:
            fail("DISCONTINUITY-SEQUENCE went back")
        self.last_ms, self.last_dseq = ms, dseq
        sc = pl.get("EXT-X-SERVER-CONTROL")
        if sc is None or sc.get("CAN-BLOCK-RELOAD") != "YES":
            fail("no EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES")
            sc = {}
        self.server_control = sc
        # 4.4.3.8: HOLD-BACK >= 3 x TARGETDURATION
        if float(sc.get("HOLD-BACK", 0)) < 3 * td:
            fail("HOLD-BACK %s < 3 x TARGETDURATION" % sc.get("HOLD-BACK"))
        # 4.4.3.8: the Skip Boundary >= 6 x TARGETDURATION
        skip_until = sc.get("CAN-SKIP-UNTIL")
        if skip_until is not None and float(skip_until) < 6 * td - 1e-6:
            fail("CAN-SKIP-UNTIL %s < 6 x TARGETDURATION" % skip_until)
        skip = pl["skip"] or 0
        if pl["skip"] is not None:
            # 6.2.5.1: a delta only with CAN-SKIP-UNTIL, never once ended
            if skip_until is None:
                fail("EXT-X-SKIP without CAN-SKIP-UNTIL")
            if pl["ended"]:
                fail("EXT-X-SKIP in an ended playlist (_HLS_skip must be "
                     "ignored then)")
            # 4.4.5.2: only segments beyond the Skip Boundary are skipped
            kept = sum(seg["duration"] for seg in pl["segments"])
            if skip_until is not None and skip and \
                    kept < float(skip_until) - 0.001:
                fail("delta playlist keeps %.3f s, less than CAN-SKIP-UNTIL "
                     "%s" % (kept, skip_until))
        # section 8: EXT-X-VERSION high enough for what is used
        v = pl["EXT-X-VERSION"]
        if pl["float_extinf"] and v < 3:
            fail("floating-point EXTINF needs EXT-X-VERSION 3, not %d" % v)
        if any(seg["duration"] > td for seg in pl["segments"]) and v < 6:
            fail("an EXTINF over TARGETDURATION (rounded down to it) needs "
                 "EXT-X-VERSION 6, not %d" % v)
        if pl["skip"] is not None and v < 9:
            fail("EXT-X-SKIP needs EXT-X-VERSION 9, not %d" % v)
        # 4.4.5.3, 6.2.6: no hint once ended, one hint of a type
        if pl["ended"] and pl["hints"]:
            fail("EXT-X-PRELOAD-HINT in an ended playlist")
        if pl["hints"] > 1:
            fail("%d EXT-X-PRELOAD-HINT tags of TYPE=PART" % pl["hints"])
        # 6.2.2: no segment is removed from a live playlist that would
        # then last less than 3 target durations (a new stream is shorter)
        total = sum(seg["duration"] for seg in pl["segments"])
        if self.first_ms is None:
            self.first_ms = ms
        if not pl["ended"] and pl["skip"] is None and ms > self.first_ms \
                and total < 3 * td - 0.001:
            fail("live playlist of %.3f s, less than 3 x TARGETDURATION"
                 % total)
        pt = None
        if not self.plain:
            inf = pl.get("EXT-X-PART-INF")
            if inf is None or "PART-TARGET" not in inf:
                fail("no EXT-X-PART-INF:PART-TARGET")
                return
            pt = float(inf["PART-TARGET"])
            # 4.4.3.8: PART-HOLD-BACK MUST be >= 2 x, SHOULD >= 3 x
            phb = float(sc.get("PART-HOLD-BACK", 0))
            if phb < 2 * pt - 1e-6:
                fail("PART-HOLD-BACK %s < 2 x PART-TARGET (MUST)"
                     % sc.get("PART-HOLD-BACK"))
            elif phb < 3 * pt - 1e-6:
                fail("PART-HOLD-BACK %s < 3 x PART-TARGET (SHOULD)"
                     % sc.get("PART-HOLD-BACK"))
            for uri, _, last_part in pl["reports"]:
                # 4.4.5.4: LAST-PART when the rendition has parts (the
                # renditions of a group share their settings)
                if last_part is None:
                    fail("RENDITION-REPORT %s without LAST-PART" % uri)
            if not pl["ended"] and not pl["hint"]:
                fail("no EXT-X-PRELOAD-HINT")
        elif "EXT-X-PART-INF" in pl or pl["open_parts"]:
            fail("parts in a plain HLS playlist")
        prev = None
        for i, seg in enumerate(pl["segments"]):
            msn = ms + skip + i
            # PROGRAM-DATE-TIME advances by the previous EXTINF (50 ms)
            t = pdt_seconds(seg["pdt"])
            if prev and t is not None and not seg["discont"] and \
                    abs(t - prev[0] - prev[1]) > 0.05:
                fail("%s: PROGRAM-DATE-TIME %s is %.3f s after the previous "
                     "segment, which lasts %.3f s"
                     % (seg["uri"], seg["pdt"], t - prev[0], prev[1]))
            prev = (t, seg["duration"]) if t is not None else None
            if round(seg["duration"]) > td:
                fail("%s: EXTINF %.5f > TARGETDURATION %d"
                     % (seg["uri"], seg["duration"], td))
            if seg["pdt"] is None:
                fail("%s: no PROGRAM-DATE-TIME" % seg["uri"])
            if self.names.setdefault(seg["uri"], msn) != msn:
                fail("%s named both msn %d and %d"
                     % (seg["uri"], self.names[seg["uri"]], msn))
            if seg["uri"] not in self.checked:
                self.n_segments += 1
            self.check_media(seg["uri"], True)
            self.check_parts(seg["parts"], pt, True)
        self.check_parts(pl["open_parts"], pt, False)

    def check_parts(self, parts, pt, complete):
        for j, (d, uri, ind) in enumerate(parts):
            last = j == len(parts) - 1
            if d > pt + 1e-6:
                fail("%s: part of %.5f s > PART-TARGET %.5f" % (uri, d, pt))
            # 4.4.4.9: >= 85% of PART-TARGET but for INDEPENDENT parts
            # and the last of a segment (the latest part of the segment
            # in progress may turn out to be its last)
            if d < 0.85 * pt - 1e-6 and not last and not ind:
                fail("%s: part of %.5f s < 85%% of PART-TARGET" % (uri, d))
            if j == 0 and not ind:
                fail("%s: first part of a segment not INDEPENDENT" % uri)
            self.parts_seen.add(uri)
            if ind:
                self.check_media(uri, True)

    def reload(self, query=""):
        st, h, body, dt = get(self.url + query)
        if st != 200:
            fail("playlist%s: status %d" % (query, st))
            return None, dt
        if h.get("Content-Type") != "application/vnd.apple.mpegurl":
            fail("playlist Content-Type %s" % h.get("Content-Type"))
        if "max-age=" not in h.get("Cache-Control", ""):
            fail("playlist Cache-Control %r" % h.get("Cache-Control"))
        pl = parse(body.decode("utf-8"))
        if pl:
            self.check_playlist(pl)
        return pl, dt

    def run(self, seconds):
        pl, _ = self.reload()
        if pl is None:
            return
        last = pl["EXT-X-MEDIA-SEQUENCE"] + len(pl["segments"]) - 1
        st, _, _, _ = get("%s?_HLS_msn=%d" % (self.url, last + 3))
        if st != 400:
            fail("_HLS_msn three past the last segment: %d, not 400" % st)
        st, _, _, _ = get("%s?_HLS_part=1" % self.url)
        if st != 400:
            fail("_HLS_part without _HLS_msn: %d, not 400" % st)
        for q in ("_HLS_msn=x", "_HLS_msn=%d&_HLS_part=-1" % last,
                  "_HLS_skip=NO"):
            st, _, _, _ = get("%s?%s" % (self.url, q))
            if st != 400:
                fail("?%s: %d, not 400" % (q, st))
        if not self.plain and pl["hint"]:
            # 6.2.5.2: _HLS_part past the Advance Part Limit gets 400
            pt = float(pl["EXT-X-PART-INF"]["PART-TARGET"])
            limit = 3 / pt if pt < 1 else 3
            m = re.fullmatch(r"part(\d+)\.(\d+)\.ts", pl["hint"])
            if m:
                q = "_HLS_msn=%s&_HLS_part=%d" % (
                    m.group(1), int(m.group(2)) + int(limit) + 2)
                st, _, _, _ = get("%s?%s" % (self.url, q))
                if st != 400:
                    fail("?%s (past the Advance Part Limit): %d, not 400"
                         % (q, st))
        n_reload = 0
        deadline = time.monotonic() + seconds
        held_part_checked = False
        while time.monotonic() < deadline and not pl["ended"]:
            if self.plain:
                # block on the next segment
                nxt = pl["EXT-X-MEDIA-SEQUENCE"] + len(pl["segments"])
                new, dt = self.reload("?_HLS_msn=%d" % nxt)
                if new is None:
                    return
                if new["EXT-X-MEDIA-SEQUENCE"] + len(new["segments"]) <= nxt:
                    fail("blocking reload for msn %d answered without it"
                         % nxt)
                self.blocking.append(dt)
                pl = new
                continue
            hint = pl["hint"]
            m = re.fullmatch(r"part(\d+)\.(\d+)\.ts", hint or "")
            if not m:
                fail("hint %r is not a part name" % hint)
                return
            if not held_part_checked:
                # the hinted part itself: held until it exists
                st, h, body, dt = get(self.base + hint)
                if st not in (200, 404):
                    fail("hinted part %s: status %d" % (hint, st))
                held_part_checked = True
            new, dt = self.reload("?_HLS_msn=%s&_HLS_part=%s" % m.groups())
            if new is None:
                return
            uris = [u for s in new["segments"] for (_, u, _) in s["parts"]]
            uris += [u for (_, u, _) in new["open_parts"]]
            nxt = "part%d.0.ts" % (int(m.group(1)) + 1)
            if hint not in uris and nxt not in uris:
                fail("blocking reload for %s answered without it" % hint)
            self.blocking.append(dt)
            self.measure_lag(new)
            pl = new
            n_reload += 1
            if n_reload % 8 == 1:
                self.check_reports(pl)
                if "CAN-SKIP-UNTIL" in self.server_control:
                    self.check_delta(m.groups())
        if self.blocking:
            worst = max(self.blocking)
            limit = (2 * self.target_seconds(pl) + 0.3 if self.plain else
                     2 * float(pl["EXT-X-PART-INF"]["PART-TARGET"]) + 0.3)
            # skip the first (it may wait for a whole part)
            if worst > limit:
                fail("a blocking reload took %.3f s (limit %.3f s)"
                     % (worst, limit))
        if self.lags:
            lags = sorted(self.lags)
            print("hls-check: part ready at the sink -> listed at the client: "
                  "median %.1f ms, max %.1f ms (%d samples)"
                  % (1000 * lags[len(lags) // 2], 1000 * lags[-1], len(lags)))
        print("hls-check: %d reloads (blocking, worst %.3f s, mean %.3f s), "
              "%d segments and %d parts checked, %d delta playlists, %d "
              "rendition reports" %
              (len(self.blocking), max(self.blocking or [0]),
               sum(self.blocking) / max(1, len(self.blocking)),
               self.n_segments, len(self.parts_seen), self.checked_delta,
               self.reports_checked))

    def check_delta(self, msn_part):
        """A delta playlist (with a blocking reload, as players ask for
        it) against the full one answered for the same request."""
        q = "?_HLS_msn=%s&_HLS_part=%s" % msn_part
        for _ in range(3):
            st, h, body, _ = get(self.url + q + "&_HLS_skip=YES")
            st2, h2, body2, _ = get(self.url + q)
            if st != 200 or st2 != 200:
                fail("delta or full playlist: %d, %d" % (st, st2))
                return
            delta = parse(body.decode("utf-8"))
            full = parse(body2.decode("utf-8"))
            if not delta or not full:
                return
            if full["segments"] and delta["segments"] and \
                    full["segments"][-1]["uri"] == \
                    delta["segments"][-1]["uri"]:
                break
        else:
            return          # the playlist moved on meanwhile each time
        self.checked_delta += 1
        if delta["skip"] is None:
            if len(full["segments"]) * full["EXT-X-TARGETDURATION"] > \
                    float(self.server_control["CAN-SKIP-UNTIL"]) + \
                    2 * full["EXT-X-TARGETDURATION"]:
                fail("_HLS_skip=YES answered without EXT-X-SKIP though "
                     "the playlist is longer than the Skip Boundary")
            return
        self.check_playlist(delta)
        compare_delta(full, delta)
        # caches tell them apart by their URL; each is cacheable
        for hh in (h, h2):
            if "max-age=" not in hh.get("Cache-Control", ""):
                fail("delta/full Cache-Control %r" % hh.get("Cache-Control"))
        if h.get("Vary") != h2.get("Vary"):
            fail("delta and full playlists differ in Vary")

    def check_reports(self, pl):
        """6.2.4, 4.4.5.4: each reported rendition exists, has the same
        TARGETDURATION and SERVER-CONTROL, and its latest part is at or
        after the report (fetched after it), within a segment or two."""
        for uri, msn, part in pl["reports"]:
            url = urllib.parse.urljoin(self.url, uri)
            st, _, body, _ = get(url)
            if st != 200:
                fail("reported rendition %s: %d" % (url, st))
                continue
            other = parse(body.decode("utf-8"))
            if not other:
                continue
            self.reports_checked += 1
            if other["EXT-X-TARGETDURATION"] != pl["EXT-X-TARGETDURATION"]:
                fail("%s: TARGETDURATION differs (6.2.4)" % uri)
            if other.get("EXT-X-SERVER-CONTROL") != \
                    pl.get("EXT-X-SERVER-CONTROL"):
                fail("%s: EXT-X-SERVER-CONTROL differs (6.2.4)" % uri)
            last = other["EXT-X-MEDIA-SEQUENCE"] + len(other["segments"]) - 1
            if other["open_parts"]:
                last += 1
            if not last - 2 <= msn <= last:
                fail("%s reported at LAST-MSN %d, its playlist ends at %d"
                     % (uri, msn, last))

    def measure_lag(self, pl):
        """Part ready at the sink -> playlist at the client: the live edge
        is the PROGRAM-DATE-TIME of the segment in progress plus its
        listed parts (the sink dates segments by the wall clock of its
        buffers' arrival)."""
        now = time.time()
        segs = pl["segments"]
        if not segs or not pl["open_parts"]:
            return
        last = segs[-1]
        t = pdt_seconds(last["pdt"])
        if t is None:
            return
        edge = t + last["duration"] + sum(d for d, _, _ in pl["open_parts"])
        self.lags.append(now - edge)

    def target_seconds(self, pl):
        return pl["EXT-X-TARGETDURATION"]


def compare_delta(full, delta):
    """6.2.5.1, 4.4.5.2: the delta is the full playlist with its first
    SKIPPED-SEGMENTS segments replaced, sequence numbers unchanged, the
    rest (segments, parts, hint) as they are."""
    if delta["EXT-X-MEDIA-SEQUENCE"] != full["EXT-X-MEDIA-SEQUENCE"]:
        fail("delta MEDIA-SEQUENCE %d, full %d" % (
            delta["EXT-X-MEDIA-SEQUENCE"], full["EXT-X-MEDIA-SEQUENCE"]))
    if delta.get("EXT-X-DISCONTINUITY-SEQUENCE", 0) != \
            full.get("EXT-X-DISCONTINUITY-SEQUENCE", 0):
        fail("delta DISCONTINUITY-SEQUENCE differs from the full one's")
    skip = delta["skip"] or 0
    kept = [seg["uri"] for seg in delta["segments"]]
    if [seg["uri"] for seg in full["segments"][skip:]] != kept:
        fail("delta keeps %s, the full playlist has %s after %d skipped"
             % (kept[:2], [seg["uri"] for seg in full["segments"]
                           [skip:skip + 2]], skip))
    if delta["open_parts"] != full["open_parts"] or \
            delta["hint"] != full["hint"]:
        fail("delta's live edge differs from the full playlist's")


def parse_multivariant(text):
    """[(attributes, uri)] of a multivariant playlist; failures
    reported (4.4.6.2, 6.2.4)."""
    lines = [ln for ln in text.split("\n") if ln]
    if not lines or lines[0] != "#EXTM3U":
        fail("multivariant playlist does not start with #EXTM3U")
        return []
    out = []
    pending = None
    for ln in lines[1:]:
        if pending is not None:
            if ln.startswith("#"):
                fail("EXT-X-STREAM-INF not followed by a URI: %r" % ln)
                return out
            out.append((pending, ln))
            pending = None
            continue
        tag, _, value = ln[1:].partition(":")
        if tag in KNOWN - {"EXTM3U", "EXT-X-VERSION"}:
            fail("media playlist tag %s in a multivariant playlist" % tag)
        elif tag == "EXT-X-STREAM-INF":
            a = attrs(value, tag)
            if not re.fullmatch(r"\d+", a.get("BANDWIDTH", "")):
                fail("EXT-X-STREAM-INF without a decimal BANDWIDTH: %r"
                     % value)
            if "AVERAGE-BANDWIDTH" in a and \
                    not re.fullmatch(r"\d+", a["AVERAGE-BANDWIDTH"]):
                fail("AVERAGE-BANDWIDTH not decimal: %r" % value)
            if "CODECS" not in a:
                fail("EXT-X-STREAM-INF without CODECS (SHOULD): %r" % value)
            if "RESOLUTION" in a and \
                    not re.fullmatch(r"\d+x\d+", a["RESOLUTION"]):
                fail("bad RESOLUTION %r" % a["RESOLUTION"])
            if "FRAME-RATE" in a and \
                    not re.fullmatch(r"\d+(\.\d{1,3})?", a["FRAME-RATE"]):
                fail("bad FRAME-RATE %r" % a["FRAME-RATE"])
            if 'CODECS="' in value and not re.search(r'CODECS="[^"]+"', value):
                fail("empty CODECS")
            pending = a
        elif tag not in ("EXT-X-VERSION", "EXT-X-INDEPENDENT-SEGMENTS") \
                and tag not in MULTIVARIANT:
            fail("unknown tag %s in a multivariant playlist" % tag)
    if pending is not None:
        fail("multivariant playlist ends after an EXT-X-STREAM-INF")
    bws = [int(a.get("BANDWIDTH", "0") or 0) for a, _ in out
           if re.fullmatch(r"\d+", a.get("BANDWIDTH", ""))]
    if bws != sorted(bws):
        fail("variants not sorted by BANDWIDTH: %s" % bws)
    return out


def check_multivariant(url, seconds):
    st, h, body, _ = get(url)
    if st != 200:
        fail("multivariant playlist: status %d" % st)
        return
    if h.get("Content-Type") != "application/vnd.apple.mpegurl":
        fail("multivariant Content-Type %s" % h.get("Content-Type"))
    variants = parse_multivariant(body.decode("utf-8"))
    if len(variants) < 2:
        fail("%d variants in %s" % (len(variants), url))
        return
    urls = [urllib.parse.urljoin(url, uri) for _, uri in variants]
    for (a, uri), vurl in zip(variants, urls):
        print("hls-check: variant %s BANDWIDTH=%s CODECS=%s RESOLUTION=%s"
              % (uri, a.get("BANDWIDTH"), a.get("CODECS"),
                 a.get("RESOLUTION")))
        c = Checker(vurl, False)
        c.run(seconds / len(variants))
        # 6.2.4: CODECS lists every format of the segments
        pl, _ = c.reload()
        if not pl or not pl["segments"]:
            continue
        seg_url = urllib.parse.urljoin(vurl, pl["segments"][-1]["uri"])
        st, _, data, _ = get(seg_url)
        if st != 200:
            continue
        avc1, aac = avc1_of(data)
        codecs = a.get("CODECS", "").split(",")
        if avc1 and avc1 not in codecs:
            fail("%s: segments are %s, CODECS says %s" % (uri, avc1, codecs))
        if aac and not any(x.startswith("mp4a.") for x in codecs):
            fail("%s: segments have AAC, CODECS says %s" % (uri, codecs))
        # every other variant reported
        reported = {urllib.parse.urljoin(vurl, u) for u, _, _ in pl["reports"]}
        missing = set(urls) - {vurl} - reported
        if missing:
            fail("%s reports no %s" % (uri, sorted(missing)))
        # the measured bandwidth is about what the segments carry
        dur = pl["segments"][-1]["duration"]
        avg = int(a.get("AVERAGE-BANDWIDTH", a.get("BANDWIDTH", "0")))
        if dur > 0 and avg > 0:
            rate = len(data) * 8 / dur
            if not 0.25 * avg <= rate <= 4 * avg:
                fail("%s: a segment of %d b/s, AVERAGE-BANDWIDTH %d"
                     % (uri, rate, avg))


# ---- self test: the checker must be able to fail ----

def ts_packet(pid, payload, pusi):
    body = bytes([0x47, (0x40 if pusi else 0) | pid >> 8, pid & 0xff, 0x10])
    return (body + payload + b"\xff" * 188)[:188]


def psi(table_id, body):
    length = len(body) + 5 + 4
    sec = bytes([table_id, 0xb0 | length >> 8, length & 0xff, 0, 1, 0xc1, 0,
                 0]) + body + b"\0\0\0\0"
    return b"\0" + sec


def ts_with_picture(nal_type, aac=False):
    pat = psi(0, bytes([0, 1, 0xe1, 0x00]))               # program 1 -> 0x100
    pmt = psi(2, bytes([0xe1, 0x01, 0xf0, 0x00,            # PCR PID, no info
                        0x1b, 0xe1, 0x01, 0xf0, 0x00]) +   # H.264 on 0x101
              (bytes([0x0f, 0xe1, 0x02, 0xf0, 0x00]) if aac else b""))
    es = b"\0\0\0\x01\x09\xf0" + b"\0\0\0\x01\x67\x42\xc0\x1e\xda" + \
        b"\0\0\0\x01" + bytes([0x60 | nal_type])
    pes = b"\0\0\x01\xe0\0\0\x80\0\0" + es
    return (ts_packet(0, pat, True) + ts_packet(0x100, pmt, True) +
            ts_packet(0x101, pes, True))


GOOD = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:1
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.20000,HOLD-BACK=3.00000
#EXT-X-PART-INF:PART-TARGET=0.40000
#EXT-X-MEDIA-SEQUENCE:10
#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:00.000Z
#EXT-X-PART:DURATION=0.40000,URI="part10.0.ts",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.40000,URI="part10.1.ts"
#EXT-X-PART:DURATION=0.20000,URI="part10.2.ts"
#EXTINF:1.00000,
seg10.ts
#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:01.000Z
#EXT-X-PART:DURATION=0.40000,URI="part11.0.ts",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.40000,URI="part11.1.ts"
#EXT-X-PART:DURATION=0.20000,URI="part11.2.ts"
#EXTINF:1.00000,
seg11.ts
#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:02.000Z
#EXT-X-PART:DURATION=0.40000,URI="part12.0.ts",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.40000,URI="part12.1.ts"
#EXT-X-PART:DURATION=0.20000,URI="part12.2.ts"
#EXTINF:1.00000,
seg12.ts
#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:03.000Z
#EXT-X-PART:DURATION=0.40000,URI="part13.0.ts",INDEPENDENT=YES
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part13.1.ts"
#EXT-X-RENDITION-REPORT:URI="../hi/index.m3u8",LAST-MSN=13,LAST-PART=0
"""

BAD = [
    ("part over PART-TARGET", GOOD.replace("DURATION=0.40000,URI=\"part10.1",
                                           "DURATION=0.45000,URI=\"part10.1")),
    ("short part not last", GOOD.replace("DURATION=0.40000,URI=\"part10.1",
                                         "DURATION=0.30000,URI=\"part10.1")),
    ("EXTINF over target", GOOD.replace("#EXTINF:1.00000", "#EXTINF:1.60000")),
    ("PART-HOLD-BACK", GOOD.replace("PART-HOLD-BACK=1.20000",
                                    "PART-HOLD-BACK=0.80000")),
    ("HOLD-BACK", GOOD.replace("HOLD-BACK=3.00000", "HOLD-BACK=2.00000")),
    ("PDT not advancing", GOOD.replace("00:00:01.000Z", "00:00:01.200Z")),
    ("no PDT", GOOD.replace("#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:00.000Z\n",
                            "")),
    ("first part not independent", GOOD.replace(
        "part10.0.ts\",INDEPENDENT=YES", "part10.0.ts\"")),
    ("no hint", GOOD.replace('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part13.1.ts"\n',
                             "")),
    ("unknown tag", GOOD + "#EXT-X-BOGUS:1\n"),
    ("bad attribute list", GOOD.replace("CAN-BLOCK-RELOAD=YES,",
                                        "CAN-BLOCK-RELOAD=YES,,")),
    ("EXTINF without URI", GOOD.replace("seg10.ts\n", "")),
    ("no EXTM3U", GOOD[len("#EXTM3U\n"):]),
]


def long_playlist(skip=0):
    """A plain live playlist of ten 1 s segments (seg20..seg29) with a
    Skip Boundary of 6 s, as a delta skipping @skip when @skip."""
    out = ["#EXTM3U", "#EXT-X-VERSION:%d" % (9 if skip else 6),
           "#EXT-X-TARGETDURATION:1",
           "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=6.0,"
           "HOLD-BACK=3.0", "#EXT-X-MEDIA-SEQUENCE:20"]
    if skip:
        out.append("#EXT-X-SKIP:SKIPPED-SEGMENTS=%d" % skip)
    for i in range(skip, 10):
        out += ["#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:%02d.000Z" % i,
                "#EXTINF:1.00000,", "seg%d.ts" % (20 + i)]
    return "\n".join(out) + "\n"


FULL = long_playlist()
DELTA = long_playlist(4)

# playlists that must pass
GOOD_TOO = [
    ("delta playlist", DELTA),
    ("short INDEPENDENT part (4.4.4.9)", GOOD.replace(
        'DURATION=0.40000,URI="part10.1.ts"',
        'DURATION=0.10000,URI="part10.1.ts",INDEPENDENT=YES')),
]

BAD_DELTA = [
    ("SKIP without CAN-SKIP-UNTIL", DELTA.replace("CAN-SKIP-UNTIL=6.0,", "")),
    ("SKIP with EXT-X-VERSION 6", DELTA.replace("VERSION:9", "VERSION:6")),
    ("CAN-SKIP-UNTIL < 6 x TARGETDURATION",
     FULL.replace("CAN-SKIP-UNTIL=6.0", "CAN-SKIP-UNTIL=5.0")),
    ("delta keeps less than the Skip Boundary",
     long_playlist(5).replace("SKIPPED-SEGMENTS=5", "SKIPPED-SEGMENTS=5")),
    ("SKIP twice", DELTA.replace("#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n",
                                 "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n" * 2)),
    ("SKIP after a segment", DELTA.replace(
        "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n", "") .replace(
        "seg24.ts\n", "seg24.ts\n#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n")),
    ("SKIP without a count", DELTA.replace("SKIPPED-SEGMENTS=4",
                                           "SKIPPED-SEGMENTS=four")),
    ("SKIP in an ended playlist", DELTA + "#EXT-X-ENDLIST\n"),
]

BAD_MORE = [
    ("hint in an ended playlist", GOOD + "#EXT-X-ENDLIST\n"),
    ("two hints", GOOD + '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part13.2.ts"\n'),
    ("PDT after a part", GOOD.replace(
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:01.000Z\n'
        '#EXT-X-PART:DURATION=0.40000,URI="part11.0.ts",INDEPENDENT=YES\n',
        '#EXT-X-PART:DURATION=0.40000,URI="part11.0.ts",INDEPENDENT=YES\n'
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:01.000Z\n')),
    ("report URI absolute", GOOD.replace('URI="../hi/index.m3u8"',
                                         'URI="/hi/index.m3u8"')),
    ("report URI with a scheme", GOOD.replace(
        'URI="../hi/index.m3u8"', 'URI="http://x/hi/index.m3u8"')),
    ("report without LAST-PART", GOOD.replace(",LAST-PART=0", "")),
    ("report LAST-MSN not decimal", GOOD.replace("LAST-MSN=13",
                                                 "LAST-MSN=x")),
    ("PART-HOLD-BACK < 2 x PART-TARGET", GOOD.replace(
        "PART-HOLD-BACK=1.20000", "PART-HOLD-BACK=0.70000")),
    ("floating EXTINF with EXT-X-VERSION 2", GOOD.replace("VERSION:6",
                                                          "VERSION:2")),
    ("EXTINF over the target with EXT-X-VERSION 5", FULL.replace(
        "VERSION:6", "VERSION:5").replace("#EXTINF:1.00000,\nseg29",
                                          "#EXTINF:1.40000,\nseg29")),
    ("multivariant tag in a media playlist", GOOD +
     "#EXT-X-STREAM-INF:BANDWIDTH=1\n"),
]

MV_GOOD = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=300000,AVERAGE-BANDWIDTH=250000,CODECS="avc1.42c00d",RESOLUTION=320x240,FRAME-RATE=30.000
g/lo/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.42c00d",RESOLUTION=320x240,FRAME-RATE=30.000
g/hi/index.m3u8
"""

MV_BAD = [
    ("no BANDWIDTH", MV_GOOD.replace("BANDWIDTH=300000,AVERAGE-", "AVERAGE-")),
    ("no CODECS", MV_GOOD.replace(',CODECS="avc1.42c00d"', "", 1)),
    ("bad RESOLUTION", MV_GOOD.replace("RESOLUTION=320x240", "RESOLUTION=320",
                                       1)),
    ("bad FRAME-RATE", MV_GOOD.replace("FRAME-RATE=30.000", "FRAME-RATE=30fps",
                                       1)),
    ("not sorted", MV_GOOD.replace("BANDWIDTH=900000", "BANDWIDTH=100000")),
    ("no URI", MV_GOOD.replace("g/lo/index.m3u8\n", "")),
    ("media tag", MV_GOOD + "#EXT-X-TARGETDURATION:1\n"),
]


def self_test():
    """Every broken playlist and picture must be caught."""
    global FAILURES
    ok = True

    class Offline(Checker):
        def check_media(self, uri, must_be_idr):
            pass

    def failures_for(text, before=None):
        global FAILURES
        FAILURES = []
        c = Offline("http://x/index.m3u8", "PART-INF" not in text)
        if before:
            pl = parse(before)
            c.check_playlist(pl)
        pl = parse(text)
        if pl:
            c.check_playlist(pl)
        return FAILURES

    if failures_for(GOOD):
        print("self-test: the good playlist failed: %s" % FAILURES)
        ok = False
    for what, text in BAD:
        if not failures_for(text):
            print("self-test: not caught: %s" % what)
            ok = False
    # a sequence going back; a name given to another sequence number
    if not failures_for(GOOD.replace("SEQUENCE:10", "SEQUENCE:9"), GOOD):
        print("self-test: not caught: media sequence going back")
        ok = False
    if not failures_for(GOOD.replace("SEQUENCE:10", "SEQUENCE:11"), GOOD):
        print("self-test: not caught: a name reused")
        ok = False
    # a segment removed although the playlist then lasts less than 3
    # target durations (a young stream's short playlist is fine)
    short = GOOD.replace("SEQUENCE:10", "SEQUENCE:11").replace(
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:00.000Z\n'
        '#EXT-X-PART:DURATION=0.40000,URI="part10.0.ts",INDEPENDENT=YES\n'
        '#EXT-X-PART:DURATION=0.40000,URI="part10.1.ts"\n'
        '#EXT-X-PART:DURATION=0.20000,URI="part10.2.ts"\n'
        '#EXTINF:1.00000,\nseg10.ts\n', "")
    if failures_for(short):
        print("self-test: a young short playlist failed: %s" % FAILURES)
        ok = False
    if not failures_for(short, GOOD):
        print("self-test: not caught: a segment removed below 3 targets")
        ok = False
    for what, text in GOOD_TOO:
        if failures_for(text):
            print("self-test: %s failed: %s" % (what, FAILURES))
            ok = False
    for what, text in BAD_DELTA + BAD_MORE:
        if not failures_for(text):
            print("self-test: not caught: %s" % what)
            ok = False
    # a delta that is not the full playlist with segments skipped
    for what, delta in (
            ("delta consistent", DELTA),
            ("delta MEDIA-SEQUENCE moved",
             DELTA.replace("SEQUENCE:20", "SEQUENCE:24")),
            ("delta skipped count wrong",
             DELTA.replace("SKIPPED-SEGMENTS=4", "SKIPPED-SEGMENTS=3"))):
        FAILURES = []
        compare_delta(parse(FULL), parse(delta))
        if bool(FAILURES) != (what != "delta consistent"):
            print("self-test: %s: %s" % (what, FAILURES or "not caught"))
            ok = False
    FAILURES = []
    if len(parse_multivariant(MV_GOOD)) != 2 or FAILURES:
        print("self-test: the good multivariant playlist failed: %s"
              % FAILURES)
        ok = False
    for what, text in MV_BAD:
        FAILURES = []
        parse_multivariant(text)
        if not FAILURES:
            print("self-test: not caught: multivariant %s" % what)
            ok = False
    if first_picture_is_idr(ts_with_picture(5)) is not True or \
            first_picture_is_idr(ts_with_picture(1)) is not False:
        print("self-test: IDR detection wrong")
        ok = False
    # CODECS against the segments: profile-level and AAC seen
    if avc1_of(ts_with_picture(5)) != ("avc1.42c01e", False) or \
            avc1_of(ts_with_picture(5, True)) != ("avc1.42c01e", True):
        print("self-test: SPS/AAC detection wrong: %s %s" % (
            avc1_of(ts_with_picture(5)), avc1_of(ts_with_picture(5, True))))
        ok = False
    FAILURES = []
    print("hls-check self-test: %s" % ("passed" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


def main():
    if sys.argv[1:2] == ["--self-test"]:
        self_test()
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    if "--multivariant" in sys.argv[3:]:
        check_multivariant(sys.argv[1], float(sys.argv[2]))
    else:
        c = Checker(sys.argv[1], "--plain" in sys.argv[3:])
        c.run(float(sys.argv[2]))
    if FAILURES:
        print("hls-check: %d failures" % len(FAILURES), file=sys.stderr)
        sys.exit(1)
    print("hls-check: all checks passed")


if __name__ == "__main__":
    main()
