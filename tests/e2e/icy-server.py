#!/usr/bin/python3
# A radio station for tests/e2e/icy.sh: runs PIPELINE (with a fluhttpsink
# named "sink" and, for tag titles, a taginject named "tags"), prints
# "PORT n" once it listens, then changes the title every INTERVAL seconds:
#   icy-server.py tags|prop INTERVAL TITLE1,TITLE2,... PIPELINE
# "tags" sets taginject's tags (title and artist: "Artist - TitleN" in the
# ICY block), "prop" sets fluhttpsink's stream-title.  Each change prints
# "TITLE ...".
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def main():
    mode, interval, titles, desc = sys.argv[1], float(sys.argv[2]), \
        sys.argv[3].split(","), sys.argv[4]
    Gst.init(None)
    pipeline = Gst.parse_launch(desc)
    sink = pipeline.get_by_name("sink")
    tags = pipeline.get_by_name("tags")
    loop = GLib.MainLoop()
    state = {"i": 0}

    def set_title():
        t = titles[state["i"] % len(titles)]
        state["i"] += 1
        if mode == "tags":
            tags.set_property("tags", 'title="%s",artist="Band"' % t)
            print("TITLE Band - %s" % t, flush=True)
        else:
            sink.set_property("stream-title", t)
            print("TITLE %s" % t, flush=True)
        return True

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            print("ERROR %s" % msg.parse_error()[0].message, flush=True)
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    set_title()
    pipeline.set_state(Gst.State.PLAYING)
    print("PORT %d" % sink.get_property("current-port"), flush=True)
    GLib.timeout_add(int(interval * 1000), set_title)
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)


main()
