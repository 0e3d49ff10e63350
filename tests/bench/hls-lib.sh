# Shared by the HLS benchmarks (sourced after tests/e2e/lib.sh):
#   hls_bench_setup   the plugins of $FLU_BUILD_DIR (default build/),
#                     $poll (flu-hlspoll), $viewers, $secs, $ramp,
#                     $bitrate from VIEWERS (1000), DURATION (20),
#                     RAMP (5), BITRATE (800 kbit/s)
#   hls_bench_encoder the encoder process (H.264, x264enc
#                     tune=zerolatency, a keyframe every 2 s) feeding
#                     flufeedsink; $feed is the source of a server
hls_bench_setup () {
  build=${FLU_BUILD_DIR:-$top/build}
  for d in gst/feed gst/multifd ext/soup; do
    GST_PLUGIN_PATH_1_0="$build/$d${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
  done
  export GST_PLUGIN_PATH_1_0
  need flufeedsink flufeedsrc fluhlssink x264enc mpegtsmux h264parse
  poll="$build/tests/check/soup/flu-hlspoll"
  [ -x "$poll" ] || fail "$poll is not built (ninja -C $build)"
  viewers=${VIEWERS:-1000} secs=${DURATION:-20}
  ramp=${RAMP:-5} bitrate=${BITRATE:-800}
}
hls_bench_encoder () {
  fport=$(free_port)
  start_bg enc gst-launch-1.0 -q videotestsrc is-live=true pattern=ball ! \
    video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! \
    x264enc tune=zerolatency speed-preset=ultrafast key-int-max=50 \
    bitrate="$bitrate" ! h264parse config-interval=-1 ! \
    video/x-h264,stream-format=byte-stream,alignment=au ! \
    flufeedsink port="$fport" host=127.0.0.1 burst-time=0
  wait_listen "$fport" 10 || { cat "$E2E_TMP/enc.log" >&2; fail "encoder"; }
  feed="flufeedsrc hosts=127.0.0.1:$fport ! queue max-size-time=3000000000"
}
