#!/usr/bin/env python3
"""Playback checks in WebKitGTK, driven through the W3C WebDriver protocol.

Starts Xvfb on a display it picks itself (-displayfd: no race with other
X servers of the machine), WebKitWebDriver on a free port and one
session of its default browser (WebKitGTK's MiniBrowser), then runs the
checks given with --check, one after the other in that session:

  --check NAME URL VIDEO SRC SECONDS

NAME is a label, URL the page to open, VIDEO a JavaScript expression
evaluated in the page that gives the <video> to measure (null while
there is none), SRC the path (and query) the <video>'s currentSrc must
have (the playlist, e.g. /room1/index.m3u8, for native HLS; hls.js
would show a blob: URL, the pages' fallback the progressive stream),
SECONDS how long the video may take to start.

A check passes when the <video> plays SRC and playback progresses: once
started (a picture, not paused, frames decoded), SAMPLES samples one
second apart in which currentTime advances in every interval and by >=
MIN_MEDIA s in all, the decoded frame count (getVideoPlaybackQuality)
grows by at least one a second over the run (not in every interval: a
loaded machine may decode none for a second), the picture has the size given with --size, no
error, not ended.  It fails at once when the <video> plays another
source (the page's fallback), or on a media error.

With --playlist URL and --fps, the live latency is estimated at each
sample: the page's Resource Timing entries name the first segment the
<video> fetched (seg<N>.ts), the playlist (fetched once, when playback
starts) its EXT-X-PROGRAM-DATE-TIME, and the picture shown is that segment's first frame plus frames decoded /
fps: latency = wall clock - (PDT(N) + frames / fps).  WebKitGTK has no
way of its own (getStartDate() is an invalid date, seekable ends at
currentTime).

WebKitGTK 2.50 plays HLS natively (GStreamer's hlsdemux) and answers
canPlayType for it only with WEBKIT_GST_ENABLE_HLS_SUPPORT=1 in its
environment: set, unless --webkit-default (WebKitGTK as it comes, as in
Epiphany: no native HLS).

Never reads video.seekable: read before playback starts, WebKitGTK 2.50
takes a live HLS stream for a one-second video and ends it there.

Prints one JSON line per check (pass, reason, the samples, the latency)
and exits 0 when the browser could be driven (the verdicts are in the
lines), 2 when it could not.
"""
import argparse
import json
import os
import random
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

SAMPLES = 5
MIN_MEDIA = 3.0
# loopback only: never through a proxy of the environment
URLOPEN = urllib.request.build_opener(urllib.request.ProxyHandler({})).open

# Read in the page; everything the verdict needs, nothing that changes
# the player's state (no seekable, see above)
STATE_JS = """
const v = (function () { return %s; })();
if (!v) return null;
const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : null;
const segs = performance.getEntriesByType('resource')
  .filter(e => /\\/seg[0-9]+\\.ts/.test(e.name))
  .map(e => [e.startTime, e.name, e.initiatorType]);
return { src: v.currentSrc, paused: v.paused, ended: v.ended,
  readyState: v.readyState, t: v.currentTime, width: v.videoWidth,
  height: v.videoHeight, frames: q ? q.totalVideoFrames : -1,
  dropped: q ? q.droppedVideoFrames : -1,
  error: v.error ? v.error.code + ' ' + (v.error.message || '') : null,
  canPlayHls: v.canPlayType('application/vnd.apple.mpegurl'),
  hlsJs: typeof window.Hls !== 'undefined', title: document.title,
  segments: segs };
"""


class DriverError(Exception):
    pass


def log(msg):
    sys.stderr.write("webkit-play: %s\n" % msg)
    sys.stderr.flush()


def free_port():
    """A TCP port free now, from 20000-32767 as lib.sh's free_port (below
    the ephemeral range, so that no outgoing connection takes it before
    WebKitWebDriver binds it)."""
    while True:
        port = random.randrange(20000, 32768)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()


class Browser:
    def __init__(self, home, logdir, native_hls):
        self.native_hls = native_hls
        self.home = home
        self.logdir = logdir
        self.xvfb = None
        self.driver = None
        self.base = None
        self.session = None

    def start(self):
        self.start_xvfb()
        env = dict(os.environ)
        env.pop("WEBKIT_GST_ENABLE_HLS_SUPPORT", None)
        if self.native_hls:
            # WebKitGTK 2.50 plays HLS through GStreamer's hlsdemux only
            # when asked to (and answers canPlayType for it then)
            env["WEBKIT_GST_ENABLE_HLS_SUPPORT"] = "1"
        env.update({
            "DISPLAY": ":%d" % self.display,
            "GDK_BACKEND": "x11",
            # no bubblewrap sandbox in containers that refuse namespaces,
            # no GPU compositing under Xvfb
            "WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS": "1",
            "WEBKIT_DISABLE_COMPOSITING_MODE": "1",
            # the browser's caches and data in the test's directory
            "HOME": self.home,
            "XDG_CACHE_HOME": os.path.join(self.home, "cache"),
            "XDG_CONFIG_HOME": os.path.join(self.home, "config"),
            "XDG_DATA_HOME": os.path.join(self.home, "data"),
            "NO_AT_BRIDGE": "1",
            # the pages are on loopback: no proxy of the environment
            "no_proxy": "127.0.0.1,localhost",
            "NO_PROXY": "127.0.0.1,localhost",
        })
        env.pop("WAYLAND_DISPLAY", None)
        for tries in range(3):
            port = free_port()
            out = open(os.path.join(self.logdir, "webkitwebdriver.log"), "ab")
            self.driver = subprocess.Popen(
                ["WebKitWebDriver", "--port=%d" % port], env=env,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            out.close()
            self.base = "http://127.0.0.1:%d" % port
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self.driver.poll() is not None:
                    break
                try:
                    self.call("GET", "/status", timeout=2)
                    break
                except (OSError, DriverError):
                    time.sleep(0.1)
            if self.driver.poll() is None:
                break
            log("WebKitWebDriver exited (port %d taken?), again" % port)
        else:
            raise DriverError("WebKitWebDriver did not start")
        r = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            # navigation returns at once ("normal" and "eager" may wait
            # for ever on a page with a live stream); open() waits for
            # the document
            "pageLoadStrategy": "none"}}}, timeout=60)
        self.session = r["sessionId"]
        caps = r.get("capabilities", {})
        self.name = "%s %s" % (caps.get("browserName"),
                               caps.get("browserVersion"))

    def start_xvfb(self):
        rfd, wfd = os.pipe()
        out = open(os.path.join(self.logdir, "xvfb.log"), "ab")
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(wfd), "-nolisten", "tcp",
             "-screen", "0", "1280x1024x24"], pass_fds=(wfd,),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out.close()
        os.close(wfd)
        data = b""
        deadline = time.monotonic() + 15
        while not data.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([rfd], [], [], 0.5)
            if ready:
                chunk = os.read(rfd, 64)
                if not chunk:
                    break
                data += chunk
        os.close(rfd)
        if not data.strip().isdigit():
            raise DriverError("Xvfb gave no display number")
        self.display = int(data)

    def call(self, method, path, body=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Content-Type": "application/json"})
        try:
            with URLOPEN(req, timeout=timeout) as r:
                answer = json.load(r)
        except urllib.error.HTTPError as e:
            try:
                answer = json.load(e)
            except ValueError:
                raise DriverError("%s %s: HTTP %d" % (method, path, e.code))
            raise DriverError("%s %s: %s" % (method, path,
                                             answer.get("value")))
        return answer.get("value")

    def s(self, path):
        return "/session/%s%s" % (self.session, path)

    def open(self, url, seconds=15):
        """Navigates to @url and waits until its document is the one
        parsed (so that no check reads the page before)."""
        self.call("POST", self.s("/url"), {"url": url})
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            href, state = self.run(
                "return [location.href, document.readyState];")
            if href == url and state != "loading":
                return
            time.sleep(0.1)
        raise DriverError("%s did not load in %d s" % (url, seconds))

    def run(self, script, tries=5):
        """The script's value; a failure (a document being replaced, no
        answer in 10 s) is tried again after 0.2 s, up to @tries times."""
        for i in range(tries):
            try:
                return self.call("POST", self.s("/execute/sync"),
                                 {"script": script, "args": []}, timeout=10)
            except (DriverError, TimeoutError) as e:
                log("script failed (%s), again" % e)
                if i == tries - 1:
                    raise
                time.sleep(0.2)

    def stop(self):
        if self.session:
            try:
                self.call("DELETE", self.s(""), timeout=10)
            except (OSError, DriverError):
                pass
        for p in (self.driver, self.xvfb):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def program_date_times(url):
    """{msn: PDT in seconds since the epoch} of a media playlist."""
    with URLOPEN(url, timeout=5) as r:
        text = r.read().decode("utf-8", "replace")
    pdts = {}
    pdt = None
    for line in text.splitlines():
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            value = line.split(":", 1)[1].replace("Z", "+00:00")
            pdt = datetime.fromisoformat(value).timestamp()
        elif line and not line.startswith("#"):
            m = re.search(r"seg([0-9]+)\.ts", line)
            if m and pdt is not None:
                pdts[int(m.group(1))] = pdt
            pdt = None
    return pdts


def same_path(src, path):
    u = urllib.parse.urlsplit(src)
    return (u.path + ("?" + u.query if u.query else "")) == path


def check(browser, args, name, url, video, want_src, start_timeout):
    result = {"name": name, "url": url, "pass": False}
    script = STATE_JS % video
    browser.open(url)
    opened = time.monotonic()
    start = None
    last = None
    # the start: a picture, time moving, frames decoded
    while start is None:
        s = browser.run(script)
        last = s
        if s is not None:
            if s["src"] and not same_path(s["src"], want_src):
                result.update(code="other-src", last=s, reason=(
                    "the page plays %s, not %s" % (s["src"], want_src)))
                return result
            if s["error"]:
                result.update(code="error", last=s,
                              reason="media error " + s["error"])
                return result
            if (not s["paused"] and s["readyState"] >= 2
                    and s["width"] > 0 and s["frames"] > 0 and s["t"] > 0):
                s["wall"] = time.monotonic()
                start = s
                break
        if time.monotonic() - opened > start_timeout:
            result.update(code="no-start", last=last, reason=(
                "the video did not start in %d s" % start_timeout))
            return result
        time.sleep(0.1)
    result["startup"] = round(start["wall"] - opened, 2)
    result["canPlayType"] = start["canPlayHls"]
    result["hlsJs"] = start["hlsJs"]
    pdts = {}
    if args.playlist:
        try:
            pdts = program_date_times(args.playlist)
        except (OSError, ValueError) as e:
            result["latencyError"] = str(e)
    samples = [start]
    for i in range(SAMPLES - 1):
        time.sleep(1.0)
        s = browser.run(script)
        if s is None:
            result.update(code="gone", reason="the <video> went away")
            return result
        s["wall"] = time.monotonic()
        samples.append(s)
    first_seg = None
    segs = sorted(samples[-1]["segments"])
    if segs:
        m = re.search(r"seg([0-9]+)\.ts", segs[0][1])
        first_seg = int(m.group(1))
        result["segmentsFetched"] = len(segs)
        result["initiator"] = segs[0][2]
    latencies = []
    if first_seg is not None and first_seg in pdts and args.fps:
        for s in samples[1:]:
            # the sample's wall clock: monotonic to epoch, now
            now = time.time() - (time.monotonic() - s["wall"])
            latencies.append(now - (pdts[first_seg] + s["frames"] / args.fps))
        result["latency"] = round(statistics.median(latencies), 2)
    elif args.playlist and "latencyError" not in result:
        result["latencyError"] = "segment %s not in the playlist" % first_seg
    keep = ("t", "frames", "width", "height", "paused", "readyState",
            "ended", "error", "wall")
    result["samples"] = [{k: s[k] for k in keep} for s in samples]
    result["src"] = samples[-1]["src"]
    result["title"] = samples[-1]["title"]
    wall = samples[-1]["wall"] - start["wall"]
    media = samples[-1]["t"] - start["t"]
    result["wallAdvance"] = round(wall, 2)
    result["mediaAdvance"] = round(media, 2)
    result["framesAdvance"] = samples[-1]["frames"] - start["frames"]
    want_w, want_h = args.size
    for a, b in zip(samples, samples[1:]):
        if not same_path(b["src"], want_src):
            result.update(code="other-src", reason=(
                "the page switched to %s" % b["src"]))
        elif b["error"] or b["ended"]:
            result.update(code="error", reason="media error %s, ended %s"
                          % (b["error"], b["ended"]))
        elif b["t"] <= a["t"]:
            result.update(code="no-progress", reason=(
                "currentTime stood at %.2f s for %.1f s" % (
                    b["t"], b["wall"] - a["wall"])))
        elif (b["width"], b["height"]) != (want_w, want_h):
            result.update(code="size", reason="the picture is %dx%d, not "
                          "%dx%d" % (b["width"], b["height"], want_w, want_h))
        else:
            continue
        return result
    # frames over the whole run, not in every interval: a loaded machine
    # (CI runs two tests at once on two cores) may decode none for a
    # second while currentTime, checked in every interval, moves on
    if result["framesAdvance"] < len(samples) - 1:
        result.update(code="no-progress", reason=(
            "%d frames decoded in %.1f s" % (result["framesAdvance"], wall)))
        return result
    if media < MIN_MEDIA:
        result.update(code="no-progress", reason=(
            "currentTime advanced %.2f s in %.1f s of wall time"
            % (media, wall)))
        return result
    result.update(code="played", reason="played", **{"pass": True})
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--check", nargs=5, action="append", default=[],
                   metavar=("NAME", "URL", "VIDEO", "SRC", "SECONDS"))
    p.add_argument("--webkit-default", action="store_true",
                   help="no WEBKIT_GST_ENABLE_HLS_SUPPORT: no native HLS")
    p.add_argument("--size", nargs=2, type=int, default=(0, 0))
    p.add_argument("--playlist")
    p.add_argument("--fps", type=float)
    p.add_argument("--dir", required=True,
                   help="a directory for the browser's data and the logs")
    args = p.parse_args()
    home = os.path.join(args.dir, "home")
    os.makedirs(home, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(3))
    browser = Browser(home, args.dir, not args.webkit_default)
    try:
        browser.start()
        log("driving %s" % browser.name)
        for name, url, video, src, seconds in args.check:
            r = check(browser, args, name, url, video, src, float(seconds))
            r["browser"] = browser.name
            print(json.dumps(r), flush=True)
    except (OSError, DriverError, KeyError, TypeError) as e:
        log("cannot drive WebKitGTK: %r" % (e,))
        return 2
    finally:
        browser.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
