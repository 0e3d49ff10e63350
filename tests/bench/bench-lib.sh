# Shared by the benchmarks that run their own servers (sourced):
#   bench_tmp NAME   a scratch directory in $tmp (removed at exit unless
#                    KEEP is set) and $pids, the background processes
#                    killed at exit
#   free_port        a free TCP port on 127.0.0.1
#   wait_port PORT   waits up to 10 s for something to listen on PORT
bench_tmp () {
  tmp=$(mktemp -d "/tmp/flu-$1.XXXXXX")
  chmod 755 "$tmp"
  pids=""
  trap bench_cleanup EXIT INT TERM
}
bench_cleanup () {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
}
free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port () {
  i=0
  while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" \
      2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
  done
}
