# nginx as an unprivileged process for the HLS tests and the benchmark
# (sourced after lib.sh): its own prefix, temp and cache directories under
# $E2E_TMP, a free port, no daemon, stopped with the test.  When the test
# runs as root, nginx runs as nobody (setpriv), unless nobody cannot start
# it at all on this machine.

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || fail "nginx is missing (scripts/deps.d/hls.txt)"

# run_nginx DIR SERVER_CONF: starts nginx with the http {} content
# SERVER_CONF (a file) in prefix DIR; sets NGINX_PID.  The access log
# DIR/access.log has one line per request: upstream address ("-" when the
# answer came from the cache), cache status, status, request URI.
run_nginx () {
  dir=$1
  mkdir -p "$dir/tmp/body" "$dir/tmp/proxy" "$dir/tmp/fastcgi" \
    "$dir/tmp/uwsgi" "$dir/tmp/scgi" "$dir/cache"
  run_as=""
  user_line=""
  if [ "$(id -u)" = 0 ]; then
    if setpriv --reuid=nobody --regid=nogroup --clear-groups "$NGINX" -v \
        >/dev/null 2>&1; then
      chmod 711 "$E2E_TMP"
      chown -R nobody:nogroup "$dir"
      run_as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    else
      # nobody cannot even start nginx on this machine (a root directory
      # closed to others, as in a chroot made by mktemp): root it is
      echo "nginx-lib: nobody cannot run $NGINX here, nginx runs as root" >&2
      user_line="user root root;"
    fi
  fi
  cat >"$dir/nginx.conf" <<EOF
$user_line
worker_processes 1;
worker_rlimit_nofile 16384;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; video/mp4 mp4 m4s; }
    default_type application/octet-stream;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    log_format flu '\$upstream_addr \$upstream_cache_status \$status "\$request_uri" \$msec \$request_time \$upstream_response_time \$upstream_bytes_received \$body_bytes_sent';
    access_log $dir/access.log flu;
    keepalive_timeout 30s;
    include $dir/server.conf;
}
EOF
  cp "$2" "$dir/server.conf"
  [ -z "$run_as" ] || chown nobody:nogroup "$dir/nginx.conf" "$dir/server.conf"
  $run_as "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
    -g 'daemon off;' >"$dir/stderr.log" 2>&1 &
  NGINX_PID=$!
  E2E_PIDS="$E2E_PIDS $NGINX_PID"
}

# start_edge ORIGIN_PORT: nginx as the HLS edge of docs/hls-edge-nginx.conf
# (the recipe itself, with this test's origin, port and cache directory)
# in front of 127.0.0.1:ORIGIN_PORT; sets EDGE_PORT and EDGE_DIR.
start_edge () {
  EDGE_DIR="$E2E_TMP/nginx-edge"
  EDGE_PORT=$(free_port)
  mkdir -p "$EDGE_DIR"
  recipe="$(dirname "$0")/../../docs/hls-edge-nginx.conf"
  [ -f "$recipe" ] || recipe="${FLU_SOURCE_ROOT:-.}/docs/hls-edge-nginx.conf"
  sed -e "s|/var/cache/nginx/flu-hls|$EDGE_DIR/cache|" \
    -e "s|server 127.0.0.1:8800;|server 127.0.0.1:$1;|" \
    -e "s|listen 8080;|listen 127.0.0.1:$EDGE_PORT;|" \
    "$recipe" >"$E2E_TMP/edge.conf"
  grep -q "listen 127.0.0.1:$EDGE_PORT;" "$E2E_TMP/edge.conf" && \
    grep -q "server 127.0.0.1:$1;" "$E2E_TMP/edge.conf" || \
    fail "docs/hls-edge-nginx.conf: listen/server lines not found"
  run_nginx "$EDGE_DIR" "$E2E_TMP/edge.conf"
  wait_listen "$EDGE_PORT" 10 || { cat "$EDGE_DIR/error.log" \
    "$EDGE_DIR/stderr.log" >&2; fail "nginx did not start"; }
}

# start_static DIR: nginx serving the files of DIR (hlssink2's output)
# with the types of HLS; sets STATIC_PORT.
start_static () {
  sdir="$E2E_TMP/nginx-static"
  STATIC_PORT=$(free_port)
  mkdir -p "$sdir"
  cat >"$E2E_TMP/static.conf" <<EOF
server {
    listen 127.0.0.1:$STATIC_PORT;
    root $1;
    location ~ \.m3u8\$ { add_header Cache-Control "max-age=1"; }
    location / { add_header Cache-Control "max-age=31536000"; }
}
EOF
  run_nginx "$sdir" "$E2E_TMP/static.conf"
  wait_listen "$STATIC_PORT" 10 || { cat "$sdir/error.log" \
    "$sdir/stderr.log" >&2; fail "nginx (static) did not start"; }
}

# origin_fetches LOG [REGEX]: per URI whose path matches REGEX (default:
# segments and parts) that nginx fetched from the origin, "DISTINCT TOTAL
# MAX" (how many URIs, how many origin requests, the most for one URI)
origin_fetches () {
  awk -v re="${2:-\\.(ts|m4s|mp4)$}" '$1 != "-" {
      u = $4; gsub(/"/, "", u); p = u; sub(/\?.*/, "", p)
      if (p ~ re) n[u]++ }
    END { d = 0; t = 0; m = 0;
      for (u in n) { d++; t += n[u]; if (n[u] > m) m = n[u] }
      print d, t, m }' "$1"
}
