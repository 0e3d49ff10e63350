/* gst-flumotion: the physical floor of HTTP fan-out
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The least a streaming server can do, as a yardstick for
 * tests/bench/http-bench.sh: read a live stream from a TCP source, gather
 * it for --coalesce-ms, and send() each gathered chunk to every viewer.
 * With --gdp the source is GDP (gdppay ! tcpserversink, as the servers
 * under test read it): the 62-byte packet headers and the caps and event
 * packets are dropped and only the buffers' payloads are gathered, so the
 * floor's viewers get the same bytes as a real server's (the stream, not
 * its framing: at ~90 kbit/s the framing is a quarter of the bytes, and
 * CPU per GB would be flattered by it).  The one thread sleeps until the
 * chunk's deadline (or until an event): no periodic wake-up.
 * A viewer is accepted, its request is read and thrown away, it gets a
 * fixed HTTP/1.0 200 head, then every chunk from the next one on; no
 * burst, no queue: what of a chunk a viewer's socket does not take is lost
 * for it (the floor keeps no per-viewer state beyond the fd).  One thread,
 * epoll.
 *
 *   flu-floor --port N --source-port N [--host 127.0.0.1]
 *       [--coalesce-ms MS] [--gdp]
 *
 * Prints "port=N" once listening; runs until killed. */

#define _GNU_SOURCE             /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flubench.h"

#define CHUNK_MAX (8 << 20)
/* GDP: header length, payload type (u16 at 4), payload length (u32 at 6),
 * type 1 = a buffer */
#define GDP_HEADER 62
#define GDP_BUFFER 1

/* Move the payloads of the complete GDP packets in @in[0..*in_fill) to
 * @chunk; keep a partial packet at the start of @in. */
static void
gdp_extract (unsigned char *in, size_t *in_fill, char *chunk, size_t *fill)
{
  size_t pos = 0;

  while (*in_fill - pos >= GDP_HEADER) {
    const unsigned char *h = in + pos;
    unsigned type = (h[4] << 8) | h[5];
    size_t len = ((size_t) h[6] << 24) | (h[7] << 16) | (h[8] << 8) | h[9];

    if (*in_fill - pos < GDP_HEADER + len)
      break;
    if (type == GDP_BUFFER && *fill + len <= CHUNK_MAX) {
      memcpy (chunk + *fill, h + GDP_HEADER, len);
      *fill += len;
    }
    pos += GDP_HEADER + len;
  }
  memmove (in, in + pos, *in_fill - pos);
  *in_fill -= pos;
}

static const char head[] = "HTTP/1.0 200 OK\r\nContent-Type: video/webm\r\n"
    "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";

int
main (int argc, char **argv)
{
  const char *host = "127.0.0.1";
  int port = 0, source_port = 0, c, lfd, sfd, epfd, i, one = 1;
  int nviewers = 0, cap = 1024, gdp = 0;
  int *viewers;
  double coalesce = 0.5, last_flush;
  char *chunk;
  unsigned char *in = NULL;
  size_t fill = 0, in_fill = 0;
  struct sockaddr_in sa;
  socklen_t slen = sizeof (sa);
  struct epoll_event ev, evs[256];
  struct rlimit rl;
  static char discard[4096];
  static struct option opts[] = {
    {"host", 1, 0, 'H'}, {"port", 1, 0, 'p'}, {"source-port", 1, 0, 's'},
    {"coalesce-ms", 1, 0, 'c'}, {"gdp", 0, 0, 'g'}, {0, 0, 0, 0}
  };

  while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'H':
        host = optarg;
        break;
      case 'p':
        port = atoi (optarg);
        break;
      case 's':
        source_port = atoi (optarg);
        break;
      case 'c':
        coalesce = atof (optarg) / 1000.0;
        break;
      case 'g':
        gdp = 1;
        break;
      default:
        fprintf (stderr, "usage: %s --port N --source-port N [--host H] "
            "[--coalesce-ms MS] [--gdp]\n", argv[0]);
        return 2;
    }
  }
  if (source_port <= 0) {
    fprintf (stderr, "need --source-port\n");
    return 2;
  }
  signal (SIGPIPE, SIG_IGN);
  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);

  memset (&sa, 0, sizeof (sa));
  sa.sin_family = AF_INET;
  inet_pton (AF_INET, host, &sa.sin_addr);
  sa.sin_port = htons (source_port);
  sfd = socket (AF_INET, SOCK_STREAM, 0);
  if (sfd < 0 || connect (sfd, (struct sockaddr *) &sa, sizeof (sa)) < 0) {
    perror ("source");
    return 1;
  }
  sa.sin_port = htons (port);
  lfd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  setsockopt (lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
  if (bind (lfd, (struct sockaddr *) &sa, sizeof (sa)) < 0
      || listen (lfd, 4096) < 0) {
    perror ("listen");
    return 1;
  }
  getsockname (lfd, (struct sockaddr *) &sa, &slen);
  printf ("port=%d\n", ntohs (sa.sin_port));
  fflush (stdout);

  epfd = epoll_create1 (0);
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  epoll_ctl (epfd, EPOLL_CTL_ADD, lfd, &ev);
  ev.data.fd = sfd;
  epoll_ctl (epfd, EPOLL_CTL_ADD, sfd, &ev);
  viewers = malloc (cap * sizeof (int));
  chunk = malloc (CHUNK_MAX);
  if (gdp)
    in = malloc (CHUNK_MAX);
  last_flush = now_s ();

  for (;;) {
    int n, timeout = -1;
    double t;

    if (fill > 0) {
      /* sleep until the chunk is due, no longer */
      double left = last_flush + coalesce - now_s ();

      timeout = left > 0 ? (int) (left * 1000) + 1 : 0;
    }
    n = epoll_wait (epfd, evs, 256, timeout);

    for (i = 0; i < n; i++) {
      int fd = evs[i].data.fd;

      if (fd == lfd) {
        int v;

        while ((v = accept4 (lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          /* the request: read when it comes, and thrown away */
          ev.events = EPOLLIN;
          ev.data.fd = v;
          epoll_ctl (epfd, EPOLL_CTL_ADD, v, &ev);
          if (send (v, head, sizeof (head) - 1, MSG_NOSIGNAL) < 0) {
            close (v);
            continue;
          }
          if (nviewers == cap) {
            cap *= 2;
            viewers = realloc (viewers, cap * sizeof (int));
          }
          viewers[nviewers++] = v;
        }
      } else if (fd == sfd) {
        ssize_t r;

        if (gdp) {
          r = read (sfd, in + in_fill, CHUNK_MAX - in_fill);
          if (r <= 0)
            return 0;           /* the source ended */
          in_fill += r;
          gdp_extract (in, &in_fill, chunk, &fill);
          continue;
        }
        r = read (sfd, chunk + fill, CHUNK_MAX - fill);
        if (r <= 0)
          return 0;             /* the source ended */
        fill += r;
      } else {
        ssize_t r = read (fd, discard, sizeof (discard));

        if (r == 0 || (r < 0 && errno != EAGAIN)) {
          int j;

          /* gone: out of the list */
          for (j = 0; j < nviewers; j++)
            if (viewers[j] == fd) {
              viewers[j] = viewers[--nviewers];
              break;
            }
          close (fd);
        }
      }
    }
    t = now_s ();
    if (fill > 0 && (t - last_flush >= coalesce || fill == CHUNK_MAX)) {
      /* a viewer that left is noticed on its read side */
      for (i = 0; i < nviewers; i++)
        (void) send (viewers[i], chunk, fill, MSG_NOSIGNAL | MSG_DONTWAIT);
      fill = 0;
      last_flush = t;
    }
  }
  return 0;
}
