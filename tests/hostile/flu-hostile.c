/* gst-flumotion hostile client
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Misbehaving HTTP clients against a running fluhttpsink on loopback,
 * while well-behaved viewers keep reading the stream.  One process, one
 * epoll loop, every loop bounded by --seconds:
 *
 *   flu-hostile --port N [--host 127.0.0.1|::1] [--path /] [--seconds S]
 *     [--auth USER:PASSWORD]   credentials of the viewers (Basic)
 *     [--viewers N]            well-behaved viewers, connected first
 *     [--slowloris N]          send the request head a byte at a time
 *     [--noread N]             send GET, never read
 *     [--halfclose N]          GET, read a little, shutdown(WR), close
 *     [--reset N]              GET, read a little, close with RST
 *     [--oversized N]          1 MB request line or header
 *     [--garbage N]            binary garbage and pipelined requests
 *     [--inject N]             quotes/newlines/control bytes in User-Agent,
 *                              Referer and the Basic user name
 *     [--churn N]              N connect / GET / read head / close cycles
 *     [--parallel N]           connections per repeating kind (default 4)
 *     [--hold N --hold-seconds S]  open N idle connections (fd exhaustion)
 *                              after the viewers, close them at S
 *     [--probe]                after the hold, a new viewer must be served
 *     [--max-stall S]          fail when a viewer stalls longer (3 s)
 *
 * Prints one line of key=value figures (connect_failed counts refused
 * connections too); exits 1 when a viewer was lost or
 * stalled more than --max-stall, or the probe was not served.
 *
 * Machine load against server stalls: with FLU_SERVER_PID set (the
 * harden tests' lib.sh sets it), the time this process and the server's
 * data path (its streaming thread, the fluhttpserver and flufanout
 * threads) spent runnable but waiting for a
 * CPU (the run-queue delay of /proc/.../schedstat, sampled every 100 ms)
 * is taken off each viewer stall: a thread that was not given a CPU says
 * nothing about the server, a thread that had one and did not write
 * stalls the viewer all the same (slow work in the server thread never
 * waits on the run queue).  worst_stall_ms is the stall as seen,
 * worst_unexplained_ms what remains, and --max-stall bounds the latter;
 * on an idle machine both are the same. */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flubench.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define N_OPTS 19               /* entries of main ()'s option table */

enum Kind
{ VIEWER, SLOW, NOREAD, HALFCLOSE, RESET, OVERSIZED, GARBAGE, INJECT,
  CHURN, HOLD, PROBE, N_KINDS
};

static const char *const kind_names[N_KINDS] = {
  "viewer", "slowloris", "noread", "halfclose", "reset", "oversized",
  "garbage", "inject", "churn", "hold", "probe"
};

typedef struct _Conn
{
  int fd;
  enum Kind kind;
  char *out;                    /* what is left to send */
  size_t out_len, out_off;
  double t_open, t_last;
  double wait_last;             /* sched_wait at t_last */
  unsigned long long got;
  int status;                   /* HTTP status seen, 0 = none yet */
  struct _Conn *prev, *next;    /* every open connection */
} Conn;

static struct sockaddr_storage server;
static socklen_t server_len;
static int epfd;
static Conn *conns;
static const char *path = "/";
static char auth_b64[256];
static char repeat_request[1 << 10];

/* figures */
static unsigned long opened[N_KINDS], closed_by_server[N_KINDS],
    statuses[N_KINDS][6], connect_failed;
static double worst_stall, probe_ttfb = -1;
static double worst_unexplained, cur_wait;
static int server_pid;
static unsigned long long viewer_bytes;
static int viewers_lost;

static void
base64 (const char *in, char *out)
{
  static const char t[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen (in), i;

  for (i = 0; i < n; i += 3) {
    unsigned v = (unsigned char) in[i] << 16;

    if (i + 1 < n)
      v |= (unsigned char) in[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char) in[i + 2];
    *out++ = t[(v >> 18) & 63];
    *out++ = t[(v >> 12) & 63];
    *out++ = i + 1 < n ? t[(v >> 6) & 63] : '=';
    *out++ = i + 2 < n ? t[v & 63] : '=';
  }
  *out = '\0';
}

static char *
build_request (enum Kind kind, size_t *len)
{
  static unsigned serial;
  char *r, user[128], b64[256];
  size_t big = 1 << 20, n;
  int k;

  switch (kind) {
    case OVERSIZED:
      r = malloc (big + 256);
      if (serial++ % 2) {
        memcpy (r, "GET /", 5);
        n = 5;
        memset (r + n, 'a', big);
        n += big;
        n += sprintf (r + n, " HTTP/1.1\r\nHost: x\r\n\r\n");
      } else {
        k = snprintf (r, 256, "GET %s HTTP/1.1\r\nX-Big: ", path);
        if (k < 0 || k >= 200)
          abort ();
        n = (size_t) k;
        memset (r + n, 'b', big);
        n += big;
        n += sprintf (r + n, "\r\n\r\n");
      }
      *len = n;
      return r;
    case GARBAGE:
      r = malloc (4096);
      n = sprintf (r, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET %s HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: -5\r\n"
          "\r\n\x16\x03\x01\x02", path, path);
      for (; n < 4096; n++)
        r[n] = (char) (rand () & 0xff);
      if (serial++ % 2)
        memcpy (r, "\x16\x03\x01\x00\xa5\x01", 6);      /* a TLS hello */
      *len = n;
      return r;
    case INJECT:
      snprintf (user, sizeof (user),
          "ev\"il\n127.0.0.1 - root [x] \"%u\x1b[2J:wrong", serial++);
      base64 (user, b64);
      r = malloc (1024);
      *len = snprintf (r, 1024, "GET %s HTTP/1.1\r\nHost: x\r\n"
          "User-Agent: Mozilla\" \"\x01\x7f\xc3\xa9\\x0a\r\n"
          "Referer: http://a/\"\x1b]0;pwn\x07\r\n"
          "Authorization: Basic %s\r\n\r\n", path, b64);
      return r;
    case SLOW:
      /* a head that never ends: header lines forever */
      r = malloc (1 << 16);
      n = sprintf (r, "GET %s HTTP/1.1\r\nHost: x\r\n", path);
      while (n + 16 < (1 << 16))
        n += sprintf (r + n, "X-Slow-%u: a\r\n", serial++ % 1000);
      *len = n;
      return r;
    case HOLD:
      *len = 0;
      return NULL;
    default:
      *len = strlen (repeat_request);
      return strdup (repeat_request);
  }
}

static void
arm (Conn * c, unsigned events)
{
  struct epoll_event ev = { 0 };

  ev.events = events;
  ev.data.ptr = c;
  epoll_ctl (epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static Conn *
conn_open (enum Kind kind)
{
  Conn *c;
  struct epoll_event ev = { 0 };
  int fd = socket (server.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);

  if (fd < 0) {
    connect_failed++;
    return NULL;
  }
  if (kind == NOREAD) {
    int small = 4096;

    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof (small));
  }
  if (connect (fd, (struct sockaddr *) &server, server_len) < 0 &&
      errno != EINPROGRESS) {
    connect_failed++;
    close (fd);
    return NULL;
  }
  c = calloc (1, sizeof (Conn));
  c->fd = fd;
  c->kind = kind;
  c->t_open = c->t_last = now_s ();
  c->wait_last = cur_wait;
  c->out = build_request (kind, &c->out_len);
  opened[kind]++;
  c->next = conns;
  if (conns)
    conns->prev = c;
  conns = c;
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
  ev.data.ptr = c;
  epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev);
  return c;
}

static void
conn_close (Conn * c, int rst)
{
  if (c->prev)
    c->prev->next = c->next;
  else
    conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  epoll_ctl (epfd, EPOLL_CTL_DEL, c->fd, NULL);
  if (rst) {
    struct linger l = { 1, 0 };

    setsockopt (c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof (l));
  }
  close (c->fd);
  free (c->out);
  free (c);
}

static void
note_status (Conn * c, const char *buf, size_t n)
{
  int st = 0;

  if (c->status || n < 12 || strncmp (buf, "HTTP/1.", 7) != 0)
    return;
  st = atoi (buf + 9);
  c->status = st;
  statuses[c->kind][st / 100 <= 5 ? st / 100 : 0]++;
}

/* Sends what is due; the slowloris sends one byte per call. */
static int
conn_write (Conn * c)
{
  size_t n = c->out_len - c->out_off;
  ssize_t w;

  if (n == 0)
    return 0;
  if (c->kind == SLOW)
    n = 1;
  w = send (c->fd, c->out + c->out_off, n, MSG_NOSIGNAL);
  if (w < 0 && errno == ECONNREFUSED)
    connect_failed++;           /* the connect () that was in progress */
  if (w < 0)
    return errno == EAGAIN ? 0 : -1;
  c->out_off += w;
  return 0;
}

/* The run-queue delay of a task, in seconds (0 when unreadable). */
static double
task_wait (const char *path)
{
  unsigned long long run, wait = 0;
  FILE *f = fopen (path, "r");

  if (!f)
    return 0;
  if (fscanf (f, "%llu %llu", &run, &wait) != 2)
    wait = 0;
  fclose (f);
  return wait / 1e9;
}

/* This process's and the server's data path threads' run-queue delay so
 * far, in seconds (summed: an upper bound of what load took). */
static double
sched_wait (void)
{
  char path[320], name[64];
  double w = task_wait ("/proc/self/schedstat");
  struct dirent *e;
  DIR *d;

  if (server_pid <= 0)
    return w;
  snprintf (path, sizeof (path), "/proc/%d/task", server_pid);
  d = opendir (path);
  if (!d)
    return w;
  while ((e = readdir (d))) {
    FILE *f;

    if (e->d_name[0] == '.')
      continue;
    snprintf (path, sizeof (path), "/proc/%d/task/%s/comm", server_pid,
        e->d_name);
    f = fopen (path, "r");
    if (!f)
      continue;
    if (!fgets (name, sizeof (name), f))
      name[0] = '\0';
    fclose (f);
    name[strcspn (name, "\n")] = '\0';
    /* the data path: GStreamer's streaming thread (a pad task, named
     * "element:pad", cut to 15 bytes), the fanout's writer, the HTTP
     * server's thread */
    if (strncmp (name, "fluhttpserver", 13) && strncmp (name, "flufanout", 9)
        && !strchr (name, ':'))
      continue;
    snprintf (path, sizeof (path), "/proc/%d/task/%s/schedstat", server_pid,
        e->d_name);
    w += task_wait (path);
  }
  closedir (d);
  return w;
}

/* a viewer's stall from t_last to @t: the worst seen, and the worst
 * left once the run-queue delay meanwhile is taken off */
static void
note_stall (Conn * c, double t)
{
  double stall = t - c->t_last, waited = cur_wait - c->wait_last;

  if (stall > worst_stall)
    worst_stall = stall;
  if (waited > 0)
    stall -= waited;
  if (stall > worst_unexplained)
    worst_unexplained = stall;
}

/* Returns 1 when the connection is finished (server closed or done). */
static int
conn_read (Conn * c, double t)
{
  static char buf[1 << 16];
  ssize_t n;
  int reads = 0;

  while (reads++ < 16) {
    n = recv (c->fd, buf, sizeof (buf), 0);
    if (n < 0 && errno == ECONNREFUSED) {
      connect_failed++;
      return 1;
    }
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
      closed_by_server[c->kind]++;
      return 1;
    }
    if (n < 0)
      return 0;
    note_status (c, buf, n);
    if (c->kind == VIEWER || c->kind == PROBE) {
      if (c->got && c->kind == VIEWER)
        note_stall (c, t);
      if (c->kind == PROBE && probe_ttfb < 0)
        probe_ttfb = t - c->t_open;
      if (c->kind == VIEWER)
        viewer_bytes += n;
    }
    c->got += n;
    c->t_last = t;
    c->wait_last = cur_wait;
    /* the short-lived kinds leave once they have seen enough */
    switch (c->kind) {
      case CHURN:
      case GARBAGE:
      case OVERSIZED:
      case INJECT:
        if (c->status)
          return 1;
        break;
      case HALFCLOSE:
        if (c->got > 4096 && c->out_len) {
          shutdown (c->fd, SHUT_WR);
          c->out_len = c->out_off = 0;
        } else if (c->got > 65536)
          return 1;
        break;
      case RESET:
        if (c->got > 8192) {
          conn_close (c, 1);
          return 2;
        }
        break;
      default:
        break;
    }
  }
  return 0;
}

static int
parse_address (const char *host, int port)
{
  struct addrinfo hints = { 0 }, *res;
  char p[16];

  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  snprintf (p, sizeof (p), "%d", port);
  if (getaddrinfo (host, p, &hints, &res) != 0)
    return -1;
  memcpy (&server, res->ai_addr, res->ai_addrlen);
  server_len = res->ai_addrlen;
  freeaddrinfo (res);
  return 0;
}

int
main (int argc, char **argv)
{
  const char *host = "127.0.0.1", *auth = NULL;
  int port = 0, c, i, parallel = 4, hold_n = 0, probe = 0;
  long counts[N_KINDS] = { 0 }, churn_total = 0, churn_done = 0;
  double seconds = 10, hold_seconds = 3, max_stall = 3, t0, t, next_tick = 0;
  double next_wait = 0, wait0;
  int live[N_KINDS] = { 0 }, hold_closed = 0, probe_opened = 0;
  Conn **holds = NULL;
  struct epoll_event evs[256];
  struct rlimit rl;
  /* every option: its type ('s' string, 'i' int, 'l' long, 'd' double,
   * 'f' flag) and where it goes; getopt_long returns the index */
  const struct
  {
    const char *name;
    char type;
    void *to;
  } table[] = {
    {"host", 's', &host}, {"port", 'i', &port}, {"path", 's', &path},
    {"seconds", 'd', &seconds}, {"auth", 's', &auth},
    {"viewers", 'l', &counts[VIEWER]}, {"slowloris", 'l', &counts[SLOW]},
    {"noread", 'l', &counts[NOREAD]}, {"halfclose", 'l', &counts[HALFCLOSE]},
    {"reset", 'l', &counts[RESET]}, {"oversized", 'l', &counts[OVERSIZED]},
    {"garbage", 'l', &counts[GARBAGE]}, {"inject", 'l', &counts[INJECT]},
    {"churn", 'l', &churn_total}, {"parallel", 'i', &parallel},
    {"hold", 'i', &hold_n}, {"hold-seconds", 'd', &hold_seconds},
    {"probe", 'f', &probe}, {"max-stall", 'd', &max_stall}
  };
  struct option opts[N_OPTS + 1] = { {0} };

  if (sizeof (table) / sizeof (table[0]) != N_OPTS)
    abort ();
  for (i = 0; i < N_OPTS; i++) {
    opts[i].name = table[i].name;
    opts[i].has_arg = table[i].type != 'f';
    opts[i].val = i;
  }
  while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1) {
    if (c < 0 || c >= N_OPTS) {
      fprintf (stderr, "see the comment at the top of flu-hostile.c\n");
      return 2;
    }
    if (table[c].type == 's')
      *(const char **) table[c].to = optarg;
    else if (table[c].type == 'i')
      *(int *) table[c].to = atoi (optarg);
    else if (table[c].type == 'l')
      *(long *) table[c].to = atol (optarg);
    else if (table[c].type == 'd')
      *(double *) table[c].to = atof (optarg);
    else
      *(int *) table[c].to = 1;
  }
  if (port <= 0 || parse_address (host, port) < 0) {
    fprintf (stderr, "need --port and a numeric --host\n");
    return 2;
  }
  signal (SIGPIPE, SIG_IGN);
  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);
  if (auth) {
    char b[200];

    base64 (auth, b);
    snprintf (auth_b64, sizeof (auth_b64), "Authorization: Basic %s\r\n", b);
  }
  snprintf (repeat_request, sizeof (repeat_request),
      "GET %s HTTP/1.1\r\nHost: x\r\nUser-Agent: flu-hostile\r\n%s\r\n",
      path, auth_b64);

  epfd = epoll_create1 (0);
  if (getenv ("FLU_SERVER_PID"))
    server_pid = atoi (getenv ("FLU_SERVER_PID"));
  cur_wait = wait0 = sched_wait ();
  t0 = now_s ();
  for (i = 0; i < counts[VIEWER]; i++)
    live[VIEWER] += conn_open (VIEWER) != NULL;
  if (hold_n)
    holds = calloc (hold_n, sizeof (Conn *));

  for (t = now_s (); t - t0 < seconds; t = now_s ()) {
    int n, k;

    if (t >= next_wait) {
      cur_wait = sched_wait ();
      next_wait = t + 0.1;
    }

    /* the viewers get 0.5 s to start, then the others come */
    if (t - t0 > 0.5 && t >= next_tick) {
      Conn *cn;

      next_tick = t + 0.1;
      /* the slowloris: one more byte each, every 100 ms */
      for (cn = conns; cn; cn = cn->next)
        if (cn->kind == SLOW)
          arm (cn, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
      for (i = 0; i < hold_n && !hold_closed; i++)
        if (holds[i] == NULL)
          holds[i] = conn_open (HOLD);
      if (hold_n && !hold_closed && t - t0 > 0.5 + hold_seconds) {
        for (i = 0; i < hold_n; i++)
          if (holds[i])
            conn_close (holds[i], 0);
        hold_closed = 1;
      }
      if (probe && (hold_closed || !hold_n) && !probe_opened)
        probe_opened = conn_open (PROBE) != NULL;
    }
    if (t - t0 > 0.5) {
      /* all slowloris and noread at once (the slowloris come back when
       * closed, up to 10 times over), the others --parallel at a time */
      for (k = SLOW; k <= INJECT; k++)
        while (live[k] < (k <= NOREAD ? counts[k] : MIN (parallel,
                    counts[k])) && opened[k] < (unsigned long) counts[k] *
            (k == SLOW ? 10 : 1) && conn_open (k))
          live[k]++;
      while (live[CHURN] < parallel && churn_done + live[CHURN] < churn_total
          && conn_open (CHURN))
        live[CHURN]++;
    }
    n = epoll_wait (epfd, evs, 256, 50);
    for (i = 0; i < n; i++) {
      Conn *cn = evs[i].data.ptr;
      int done = 0;

      if (evs[i].events & EPOLLOUT) {
        if (conn_write (cn) < 0)
          done = 1;
        else if (cn->out_off == cn->out_len || cn->kind == SLOW)
          arm (cn, EPOLLIN | EPOLLRDHUP);
      }
      if (!done && cn->kind == NOREAD && cn->out_off == cn->out_len)
        arm (cn, EPOLLRDHUP);
      if (!done && (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP |
                  EPOLLERR)))
        done = conn_read (cn, t);
      if (done == 2) {
        live[RESET]--;
        continue;
      }
      if (done) {
        enum Kind kind = cn->kind;

        if (kind == VIEWER)
          viewers_lost++;
        if (kind == CHURN)
          churn_done++;
        if (kind == HOLD) {
          for (k = 0; k < hold_n; k++)
            if (holds[k] == cn)
              holds[k] = NULL;
        } else if (kind != PROBE) {
          live[kind]--;
        }
        conn_close (cn, 0);
      }
    }
    /* the viewers watch the churn; the run ends with it */
    if (churn_total && churn_done >= churn_total)
      break;
  }
  /* a viewer that stalls at the very end counts too */
  t = now_s ();
  cur_wait = sched_wait ();
  for (Conn * cn = conns; cn; cn = cn->next)
    if (cn->kind == VIEWER)
      note_stall (cn, t);
  printf ("seconds=%.1f viewers=%ld viewers_lost=%d viewer_MB=%.1f "
      "worst_stall_ms=%.0f worst_unexplained_ms=%.0f run_queue_wait_ms=%.0f "
      "connect_failed=%lu", now_s () - t0,
      counts[VIEWER], viewers_lost, viewer_bytes / 1e6, worst_stall * 1000,
      worst_unexplained * 1000, (cur_wait - wait0) * 1000, connect_failed);
  for (i = SLOW; i < N_KINDS; i++)
    if (opened[i])
      printf (" %s=%lu/closed:%lu/2xx:%lu/4xx:%lu/5xx:%lu", kind_names[i],
          opened[i], closed_by_server[i], statuses[i][2], statuses[i][4],
          statuses[i][5]);
  if (churn_total)
    printf (" churn_per_s=%.0f churn_done=%ld", churn_done / (now_s () - t0),
        churn_done);
  if (probe)
    printf (" probe_ttfb_ms=%.0f", probe_ttfb * 1000);
  printf ("\n");
  while (conns)
    conn_close (conns, 0);
  free (holds);
  close (epfd);
  return viewers_lost || worst_unexplained > max_stall ||
      (probe && probe_ttfb < 0) ? 1 : 0;
}
