/* gst-flumotion load client
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Opens N TCP connections to a stream server on loopback (optionally
 * sending an HTTP GET), reads everything with epoll for a fixed time and
 * reports, as one line of key=value pairs:
 *   clients, connected, failed, closed (server closed early), bytes,
 *   behind (clients that were dropped, or that in the last 2 seconds of
 *   the run received less than --behind-pct percent of what the median
 *   client received in those 2 seconds: the stream is constant-rate, so a
 *   client that keeps up gets the same as everybody else there),
 *   unserved (clients not yet opened at the end (at most 256 connect at
 *   once), still connecting, or connected but sent no stream byte: a
 *   server that accepts slowly leaves viewers here),
 *   ttfb_med_ms / ttfb_p99_ms (connect to first body byte),
 *   setup_rate (connections established per second).
 *
 *   flu-loadclient --port N [--host 127.0.0.1] [--clients N]
 *       [--seconds S] [--http PATH] [--behind-pct P] [--rate R]
 *       [--read-after-all] [--read-rate BPS] [--never-pct P] [--http10]
 *       [--icy]
 *
 * With --http, each connection sends "GET PATH HTTP/1.1" (a Host and a
 * User-Agent, no Connection header, as players do); --http10 sends
 * HTTP/1.0 instead; --icy adds "Icy-MetaData: 1" (a radio player asking
 * for ICY metadata: the bytes counted include the metadata blocks).
 * Every loop is bounded by --seconds; connections are opened as fast as
 * the server accepts them, at most --clients.  Read patterns:
 *   --rate R          open at most R connections per second (a ramp);
 *   --read-after-all  read nothing until every connection is established
 *                     and has sent its request (players on a congested
 *                     uplink), then read normally;
 *   --read-rate BPS   read each connection at most BPS bytes per second;
 *   --never-pct P     P% of the connections (spread evenly) never read a
 *                     byte; they are left out of behind, unserved and the
 *                     first-byte times, and counted as never_read.
 * all_in_s is when every connection was in (--read-after-all);
 * window_bytes what all connections received in the last 2 s.
 * FLU_LOADCLIENT_DUMP=FILE writes each connection's start, connected and
 * first-byte times (s since the start; negative = never) to FILE, to see
 * where first-byte time goes. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flubench.h"

typedef struct
{
  int fd;
  int state;                    /* 0 connecting, 1 reading head, 2 body, 3 done */
  double t_start, t_connected, t_first;
  uint64_t bytes;
  uint64_t bytes_mark;          /* bytes at the start of the last window */
  int marked;
  size_t head_seen;             /* for HTTP: bytes of "\r\n\r\n" matched */
  int closed_early;
  int failed;
  int never;                    /* never reads */
  int paused;                   /* EPOLLIN off: over its read rate */
} Conn;

#define WINDOW 2.0

static double
finite_or (double v)
{
  return isinf (v) ? -1.0 : v;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static int
cmp_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  const char *host = "127.0.0.1", *http_path = NULL;
  int port = 0, nclients = 100, c, epfd, i, opened = 0, connected = 0;
  int marked_all = 0, first_err = 0, read_after_all = 0, reading = 1;
  int never_pct = 0, n_never = 0, http11 = 1, icy = 0;
  double seconds = 10, behind_pct = 90, t0, t_last_connect = 0, rate = 0;
  double read_rate = 0, t_reading = 0, t_resume = 0;
  Conn *conns;
  struct sockaddr_in sa;
  struct epoll_event *evs;
  static char buf[1 << 16];
  char req[512] = "";
  struct rlimit rl;

  static struct option opts[] = {
    {"host", 1, 0, 'H'}, {"port", 1, 0, 'p'}, {"clients", 1, 0, 'n'},
    {"seconds", 1, 0, 's'}, {"http", 1, 0, 'h'}, {"behind-pct", 1, 0, 'b'},
    {"rate", 1, 0, 'r'}, {"read-after-all", 0, 0, 'a'},
    {"read-rate", 1, 0, 'R'}, {"never-pct", 1, 0, 'N'},
    {"http10", 0, 0, '0'}, {"icy", 0, 0, 'I'},
    {0, 0, 0, 0}
  };
  while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'H':
        host = optarg;
        break;
      case 'p':
        port = atoi (optarg);
        break;
      case 'n':
        nclients = atoi (optarg);
        break;
      case 's':
        seconds = atof (optarg);
        break;
      case 'h':
        http_path = optarg;
        break;
      case 'b':
        behind_pct = atof (optarg);
        break;
      case 'r':
        rate = atof (optarg);
        break;
      case 'a':
        read_after_all = 1;
        break;
      case 'R':
        read_rate = atof (optarg);
        break;
      case 'N':
        never_pct = atoi (optarg);
        break;
      case '0':
        http11 = 0;
        break;
      case 'I':
        icy = 1;
        break;
      default:
        fprintf (stderr, "usage: %s --port N [--host H] [--clients N] "
            "[--seconds S] [--http PATH] [--behind-pct P] [--rate R] "
            "[--read-after-all] [--read-rate BPS] [--never-pct P] "
            "[--http10] [--icy]\n", argv[0]);
        return 2;
    }
  }
  if (port <= 0 || nclients <= 0) {
    fprintf (stderr, "need --port and a positive --clients\n");
    return 2;
  }
  getrlimit (RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < (rlim_t) nclients + 64) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit (RLIMIT_NOFILE, &rl);
  }
  if (http_path)
    snprintf (req, sizeof (req), "GET %s HTTP/1.%d\r\nHost: %s\r\n"
        "User-Agent: flu-loadclient\r\n%s\r\n", http_path, http11, host,
        icy ? "Icy-MetaData: 1\r\n" : "");

  conns = calloc (nclients, sizeof (Conn));
  evs = calloc (1024, sizeof (struct epoll_event));
  epfd = epoll_create1 (0);
  memset (&sa, 0, sizeof (sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  inet_pton (AF_INET, host, &sa.sin_addr);

  reading = !read_after_all;
  t0 = now_s ();
  while (now_s () - t0 < seconds) {
    int n;

    /* every connection asked: everybody starts reading now */
    if (!reading && connected >= nclients) {
      for (i = 0; i < opened; i++)
        if (conns[i].state == 1 || conns[i].state == 2) {
          struct epoll_event ev = { EPOLLIN, {.u32 = (uint32_t) i} };

          if (!conns[i].never)
            epoll_ctl (epfd, EPOLL_CTL_MOD, conns[i].fd, &ev);
        }
      reading = 1;
      t_reading = now_s ();
    }
    /* connections over their read rate get EPOLLIN back when due */
    if (read_rate > 0 && now_s () >= t_resume) {
      double t = now_s ();

      for (i = 0; i < opened; i++) {
        Conn *k = &conns[i];

        if (k->paused && (k->bytes + k->head_seen) <
            read_rate * (t - k->t_connected)) {
          struct epoll_event ev = { EPOLLIN, {.u32 = (uint32_t) i} };

          k->paused = 0;
          epoll_ctl (epfd, EPOLL_CTL_MOD, k->fd, &ev);
        }
      }
      t_resume = t + 0.02;
    }

    if (!marked_all && now_s () - t0 >= seconds - WINDOW) {
      for (i = 0; i < opened; i++) {
        conns[i].bytes_mark = conns[i].bytes;
        conns[i].marked = conns[i].state == 2;
      }
      marked_all = 1;
    }

    /* open more connections, a batch per turn, while fewer than 256 are
     * still connecting */
    while (opened < nclients && opened - connected < 256
        && (rate <= 0 || opened < rate * (now_s () - t0) + 1)) {
      Conn *k = &conns[opened];
      struct epoll_event ev;

      /* spread evenly: connection i never reads when the count of never
       * readers up to it goes up */
      k->never = (opened + 1) * never_pct / 100 > opened * never_pct / 100;
      k->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      k->t_start = now_s ();
      if (k->fd < 0) {
        k->failed = 1;
        opened++;
        connected++;
        continue;
      }
      if (connect (k->fd, (struct sockaddr *) &sa, sizeof (sa)) < 0
          && errno != EINPROGRESS) {
        if (!first_err)
          first_err = errno;
        k->failed = 1;
        close (k->fd);
        k->fd = -1;
        opened++;
        connected++;
        continue;
      }
      ev.events = EPOLLIN | EPOLLOUT;
      ev.data.u32 = opened;
      epoll_ctl (epfd, EPOLL_CTL_ADD, k->fd, &ev);
      opened++;
    }
    n = epoll_wait (epfd, evs, 1024, rate > 0 || read_rate > 0 ? 5 : 50);
    for (i = 0; i < n; i++) {
      Conn *k = &conns[evs[i].data.u32];

      if (k->state == 0 && (evs[i].events & (EPOLLOUT | EPOLLERR))) {
        int err = 0;
        socklen_t len = sizeof (err);
        struct epoll_event ev;

        getsockopt (k->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        connected++;
        if (err) {
          if (!first_err)
            first_err = err;
          k->failed = 1;
          k->state = 3;
          epoll_ctl (epfd, EPOLL_CTL_DEL, k->fd, NULL);
          close (k->fd);
          continue;
        }
        k->t_connected = now_s ();
        t_last_connect = k->t_connected;
        if (req[0] && write (k->fd, req, strlen (req)) < 0) {
          k->failed = 1;
          k->state = 3;
          continue;
        }
        k->state = req[0] ? 1 : 2;
        if (k->never)
          n_never++;
        /* a never reader, or everybody before all are in: no EPOLLIN */
        ev.events = (k->never || !reading) ? 0 : EPOLLIN;
        ev.data.u32 = evs[i].data.u32;
        epoll_ctl (epfd, EPOLL_CTL_MOD, k->fd, &ev);
        continue;
      }
      /* one read per connection and wakeup (epoll is level-triggered):
       * reading one connection dry first would delay the first bytes of
       * the others and charge our own queueing to the server */
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        do {
          size_t want = sizeof (buf);
          ssize_t r, off = 0;

          if (read_rate > 0 && read_rate / 10 < want)
            want = read_rate / 10 > 0 ? (size_t) (read_rate / 10) : 1;
          r = read (k->fd, buf, want);

          if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
            k->closed_early = 1;
            k->state = 3;
            epoll_ctl (epfd, EPOLL_CTL_DEL, k->fd, NULL);
            close (k->fd);
            k->fd = -1;
            break;
          }
          if (r < 0)
            break;
          if (k->state == 1) {
            static const char end[] = "\r\n\r\n";

            while (off < r && k->head_seen < 4) {
              k->head_seen = (buf[off] == end[k->head_seen]) ?
                  k->head_seen + 1 : (buf[off] == '\r' ? 1 : 0);
              off++;
            }
            if (k->head_seen == 4)
              k->state = 2;
          }
          if (k->state == 2 && r > off) {
            if (k->bytes == 0)
              k->t_first = now_s ();
            k->bytes += r - off;
          }
          if (read_rate > 0 && k->fd >= 0 && (k->bytes + k->head_seen) >=
              read_rate * (now_s () - k->t_connected)) {
            struct epoll_event ev = { 0, {.u32 = evs[i].data.u32} };

            k->paused = 1;
            epoll_ctl (epfd, EPOLL_CTL_MOD, k->fd, &ev);
          }
        } while (0);
      }
    }
  }

  {
    double *ttfb = calloc (nclients, sizeof (double));
    uint64_t *bytes = calloc (nclients, sizeof (uint64_t)), total = 0, med;
    uint64_t window = 0;
    int nt = 0, nb = 0, failed = 0, closed = 0, behind = 0, unserved = 0;
    double span = t_last_connect > t0 ? t_last_connect - t0 : 0;

    for (i = 0; i < opened; i++) {
      Conn *k = &conns[i];

      if (k->never)
        continue;
      failed += k->failed;
      closed += k->closed_early;
      /* still connecting, or connected and never sent a byte of stream */
      unserved += !k->failed && !k->closed_early && k->bytes == 0;
      total += k->bytes;
      if (k->t_first > 0)
        ttfb[nt++] = (k->t_first - k->t_start) * 1000.0;
      if (k->marked && !k->closed_early)
        bytes[nb++] = k->bytes - k->bytes_mark;
      if (marked_all)
        window += k->bytes - k->bytes_mark;
    }
    if (getenv ("FLU_LOADCLIENT_DUMP")) {
      FILE *d = fopen (getenv ("FLU_LOADCLIENT_DUMP"), "w");

      for (i = 0; d && i < opened; i++)
        fprintf (d, "%.4f %.4f %.4f\n", conns[i].t_start - t0,
            conns[i].t_connected - t0, conns[i].t_first - t0);
      if (d)
        fclose (d);
    }
    /* viewers never even opened: the server kept the others connecting */
    unserved += nclients - opened;
    for (i = opened; i < nclients; i++)
      if ((i + 1) * never_pct / 100 > i * never_pct / 100)
        unserved--;             /* a never reader is not owed a byte */
    /* percentiles over every viewer asked for: one that never got a byte
     * waited longer than the run (INFINITY, printed as -1), so a server
     * that serves few viewers fast does not look better than one that
     * serves them all */
    while (nt < nclients - n_never)
      ttfb[nt++] = INFINITY;
    if (nt == 0)
      ttfb[nt++] = INFINITY;
    qsort (ttfb, nt, sizeof (double), cmp_double);
    qsort (bytes, nb, sizeof (uint64_t), cmp_u64);
    med = nb ? bytes[nb / 2] : 0;
    for (i = 0; i < opened; i++)
      if (!conns[i].never && !conns[i].failed &&
          (conns[i].closed_early || (conns[i].marked &&
                  conns[i].bytes > 0 &&
                  conns[i].bytes - conns[i].bytes_mark <
                  med * behind_pct / 100.0)))
        behind++;
    printf ("clients=%d connected=%d failed=%d closed=%d bytes=%llu "
        "behind=%d unserved=%d ttfb_med_ms=%.1f ttfb_p99_ms=%.1f "
        "setup_rate=%.0f never_read=%d all_in_s=%.2f window_bytes=%llu\n",
        nclients,
        opened - failed, failed, closed, (unsigned long long) total, behind,
        unserved, finite_or (ttfb[nt / 2]),
        finite_or (ttfb[(int) (nt * 0.99) < nt ? (int) (nt * 0.99) : nt - 1]),
        span > 0 ? (opened - failed) / span : 0.0, n_never,
        t_reading > 0 ? t_reading - t0 : -1.0, (unsigned long long) window);
    if (first_err)
      fprintf (stderr, "first connection error: %s\n", strerror (first_err));
    free (ttfb);
    free (bytes);
  }
  /* reset rather than close: no TIME_WAIT left behind to exhaust the
   * ephemeral ports of the next run */
  for (i = 0; i < opened; i++)
    if (conns[i].fd > 0) {
      struct linger lg = { 1, 0 };

      setsockopt (conns[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof (lg));
      close (conns[i].fd);
    }
  free (conns);
  free (evs);
  return 0;
}
