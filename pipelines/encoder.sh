#!/bin/sh
# encoder: reads a producer's video and audio feeds, draws the event
# overlay (text, logo, clock: fluoverlay), encodes once per format and
# serves each encoded stream, video and audio apart, as feeds for
# streamers and recorders, which mux them (video port, audio port + 1):
#   webm  VP8 + Vorbis (for WebM)     on FEED_PORT, + 1     (always)
#   ogg   Theora + Vorbis (for Ogg)   on FEED_PORT + 2, + 3 (theoraenc; not
#                                     by default: today's browsers no
#                                     longer decode Theora)
#   ts    H.264 + AAC (for MPEG-TS    on FEED_PORT + 4, + 5 (x264enc
#         and HLS: streamer --hls)    tune=zerolatency, a keyframe every
#                                     --keyframe-seconds; voaacenc or
#                                     avenc_aac)
# Formats whose encoders are missing are left out with a message.
# The muxers live downstream of the feeds because a feed reader
# (flufeedsrc) keeps its timestamps continuous when this encoder
# restarts: a restarted encoder is invisible to viewers and recordings
# (a pause of the picture for as long as it was away), where a muxed
# stream would start again from zero inside.
#
# Usage: encoder.sh [--option=value ...]   (or the same as env variables)
#   --producer=HOST[,HOST2]   producer host(s) (default 127.0.0.1; a list
#                             is a failover list, flufeedsrc only)
#   --video-port=5000 --audio-port=5001   the producer's feed ports
#   --audio=1                 0: the producer serves no audio
#   --formats="webm ts"       formats to encode (any of webm ogg ts)
#   --feed-port=5100          first port of the encoded feeds (six)
#   --feed-listen=ADDR        address the served feeds listen on (default all)
#   --text="gst-flumotion"    overlay text (Pango markup); empty: none
#   --clock="%H:%M:%S"        strftime clock format; empty: none
#   --logo=PATH.png           logo, top left; empty: none
#   --video-bitrate=1000      kbit/s of each video encoding
#   --keyframe-seconds=2      keyframe interval (viewers start on one)
#   --fps=25                  the producer's frame rate
#   --width=640 --height=360  encoded picture size (the feed is scaled)
#   --data-timeout=2000       ms without data from the producer that
#                             count as an outage (flufeedsrc)
#   --backup=slate|HOST       what viewers see while the producer is away:
#                             "slate": a test pattern and silence; HOST: a
#                             second producer (same feed ports) -- through
#                             fluswitch (gst/switch); empty (default): none
#   --backup-timeout=1000     ms without producer frames before the backup
#   --backup-recovery=2000    ms of steady producer frames before going back
# While the producer is away (outage, restart), the encoder keeps going:
# with --backup, the backup is shown (audio switches with the video);
# without, or when the backup is away too, a compositor and an audiomixer
# repeat the last frame and play silence, so viewers and recordings see a
# frozen picture (with a running clock), not a hole.
#   --secret=S                shared secret of the feeds (in and out)
#   --verbose=1 --dry-run=1   print caps / only print the pipeline
# Ctrl-C stops it.
. "$(dirname "$0")/lib.sh"
: "${PRODUCER:=127.0.0.1}" "${VIDEO_PORT:=5000}" "${AUDIO_PORT:=5001}"
: "${AUDIO:=1}" "${FORMATS:=webm ts}" "${FEED_PORT:=5100}"
: "${TEXT=gst-flumotion}" "${CLOCK=%H:%M:%S}" "${LOGO:=}"
: "${VIDEO_BITRATE:=1000}" "${KEYFRAME_SECONDS:=2}" "${FPS:=25}"
: "${SECRET:=}" "${DATA_TIMEOUT:=2000}" "${WIDTH:=640}" "${HEIGHT:=360}"
: "${BACKUP:=}" "${BACKUP_TIMEOUT:=1000}" "${BACKUP_RECOVERY:=2000}"
OPTIONS="BACKUP BACKUP_TIMEOUT BACKUP_RECOVERY WIDTH HEIGHT DATA_TIMEOUT PRODUCER VIDEO_PORT AUDIO_PORT AUDIO FORMATS FEED_PORT TEXT CLOCK
  LOGO VIDEO_BITRATE KEYFRAME_SECONDS FPS SECRET FEED_LISTEN VERBOSE DRY_RUN"
parse_args "$@"
numbers VIDEO_PORT AUDIO_PORT FEED_PORT VIDEO_BITRATE KEYFRAME_SECONDS FPS \
  DATA_TIMEOUT WIDTH HEIGHT AUDIO BACKUP_TIMEOUT BACKUP_RECOVERY
need fluoverlay vp8enc vorbisenc webmmux compositor audiomixer
[ -z "$BACKUP" ] || need fluswitch

kf=$((KEYFRAME_SECONDS * FPS))
aac=""
for e in voaacenc avenc_aac fdkaacenc; do
  if has $e; then aac=$e; break; fi
done

# producer_src PORT [HOSTS]: the producer's feed on PORT
producer_src () {
  printf '%s' "$(feed_src "${2:-$PRODUCER}" "$1")"
  if [ "$FEED_IMPL" = flufeed ]; then
    printf ' data-timeout=%s' "$DATA_TIMEOUT"
  fi
}

overlay="fluoverlay text=$(gst_str "$TEXT") clock-format=$(gst_str "$CLOCK")"
[ -z "$LOGO" ] || overlay="$overlay logo=$(gst_str "$LOGO") logo-height=64"
# JPEG or raw video from the producer: decodebin takes either.  It
# changes state asynchronously until it has seen data: in the pipeline
# itself, a producer not there at the start kept the whole pipeline from
# PLAYING (the sinks waited for their preroll, the slate and the
# compositor stalled behind them).  So each decodebin is in a bin of its
# own that handles that (async-handling=true), and the rest plays at once.
# The live compositor and audiomixer output on time once their first
# buffer came (start-time-selection=first): with the default (zero) they
# started on their own at 0 while the switch waited --backup-timeout for
# the producer, and went back to 0 at its first buffer (two frames at one
# time: vp8enc "decreasing pts", ffmpeg "non monotonically increasing
# dts" at the viewers; vorbisenc: "buffer going too far back in time").
# After that, they repeat the last frame and play silence during outages.
sized="video/x-raw,width=$WIDTH,height=$HEIGHT"
to_vmix="vmix." to_amix="amix." vmix_caps=""
if [ -n "$BACKUP" ]; then
  # the producer on sink_0 (preferred), the backup on sink_1; the audio
  # switch follows the video switch's choice
  to_vmix="vsw.sink_0" to_amix="asw.sink_0"
  # the very same caps from both (the muxers refuse any caps change, and
  # jpegdec's colorimetry differs from videotestsrc's)
  sized="$sized,format=I420,pixel-aspect-ratio=1/1,colorimetry=bt601"
  sized="$sized,chroma-site=jpeg"
  # and the compositor's output fixed too: it may start (on its own, live)
  # before the first frame from the switch, in a format of its choice
  vmix_caps=",format=I420,pixel-aspect-ratio=1/1,colorimetry=bt601"
  vmix_caps="$vmix_caps,chroma-site=jpeg"
  # (the backup first: a bin right after "vmix." would read as "vmix.(",
  # a reference to a bin of that name)
  if [ "$BACKUP" = slate ]; then
    pipeline="videotestsrc is-live=true pattern=smpte !
      video/x-raw,framerate=$FPS/1 ! videoconvert ! videoscale ! $sized !
      vsw.sink_1"
  else
    pipeline="( async-handling=true
      $(producer_src "$VIDEO_PORT" "$BACKUP") ! queue ! decodebin !
      videoconvert ) ! videoscale ! $sized ! vsw.sink_1"
  fi
  pipeline="$pipeline fluswitch name=vsw
      timeout=$((BACKUP_TIMEOUT * 1000000))
      recovery=$((BACKUP_RECOVERY * 1000000)) ! vmix."
  if [ "$AUDIO" = 1 ]; then
    pipeline="$pipeline fluswitch name=asw follow=vsw
      timeout=$((BACKUP_TIMEOUT * 1000000)) ! amix."
    if [ "$BACKUP" = slate ]; then
      pipeline="$pipeline audiotestsrc is-live=true wave=silence !
        audioconvert ! audioresample ! asw.sink_1"
    else
      pipeline="$pipeline $(producer_src "$AUDIO_PORT" "$BACKUP") ! queue !
        audioconvert ! audioresample ! asw.sink_1"
    fi
  fi
  echo "$(basename "$0"): backup: $BACKUP" >&2
fi
# (the producer's bin first, for the same reason)
pipeline="( async-handling=true $(producer_src "$VIDEO_PORT") ! queue !
  decodebin ! videoconvert ) ! videoscale ! $sized ! $to_vmix ${pipeline:-}
  compositor name=vmix background=black start-time-selection=first !
  video/x-raw,width=$WIDTH,height=$HEIGHT,framerate=$FPS/1$vmix_caps !
  $overlay ! tee name=v"
if [ "$AUDIO" = 1 ]; then
  pipeline="$pipeline $(producer_src "$AUDIO_PORT") ! queue !
    audioconvert ! audioresample ! $to_amix audiomixer name=amix start-time-selection=first !
    audio/x-raw,rate=48000,channels=2 ! tee name=a"
fi

# add FORMAT VIDEO_ENC AUDIO_ENC OFFSET
# Each branch converts for its own encoder: the tees pass one format to
# all branches, and the encoders want different ones (vorbisenc F32LE,
# voaacenc S16LE; x264enc and vp8enc their own picture formats).
add () {
  pipeline="$pipeline v. ! queue max-size-time=1000000000 ! videoconvert !
    $2 ! $(feed_sink $((FEED_PORT + $4)))"
  ports=$((FEED_PORT + $4))
  if [ "$AUDIO" = 1 ]; then
    pipeline="$pipeline a. ! queue max-size-time=1000000000 ! audioconvert !
      audioresample ! $3 ! $(feed_sink $((FEED_PORT + $4 + 1)))"
    ports="$ports (video), $((FEED_PORT + $4 + 1)) (audio)"
  fi
  echo "$(basename "$0"): $1 on feed ports $ports" >&2
}
for f in $FORMATS; do
  case $f in
    webm)
      # vp8enc's caps carry an Ogg mapping header as streamheader, which
      # a feed would hand its readers as a first frame: caps without it
      add webm "vp8enc deadline=1 cpu-used=8 keyframe-max-dist=$kf
        target-bitrate=$((VIDEO_BITRATE * 1000)) ! capssetter replace=true
        caps=video/x-vp8,width=$WIDTH,height=$HEIGHT,framerate=$FPS/1,pixel-aspect-ratio=1/1" \
        "vorbisenc" 0 ;;
    ogg)
      if has theoraenc; then
        add ogg "theoraenc keyframe-force=$kf bitrate=$VIDEO_BITRATE" \
          "vorbisenc" 2
      else
        echo "$(basename "$0"): no theoraenc, ogg left out" >&2
      fi ;;
    ts)
      if has x264enc && [ -n "$aac" ]; then
        # SPS/PPS before every keyframe: readers join at one
        add ts "x264enc tune=zerolatency speed-preset=veryfast
          key-int-max=$kf bitrate=$VIDEO_BITRATE !
          h264parse config-interval=-1 !
          video/x-h264,stream-format=byte-stream,alignment=au" \
          "$aac ! aacparse" 4
      else
        echo "$(basename "$0"): no x264enc or AAC encoder, ts left out" >&2
      fi ;;
    *) die "unknown format '$f' (webm, ogg, ts)" ;;
  esac
done
run "$pipeline"
