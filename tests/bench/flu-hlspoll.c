/* gst-flumotion HLS polling viewers
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* N HLS viewers in one process (epoll), each on one kept-alive
 * connection as a player keeps it (HTTP/1.1; a new connection when the
 * server closes it; --close: one connection per request, "Connection:
 * close"): each fetches the media playlist (sending back the cookie
 * the server last set, as a player does: a fluhlssink session),
 * then every new segment (plain mode: reload every half target duration)
 * or every new part (--ll: a blocking reload for the next part,
 * _HLS_msn/_HLS_part, then the parts it lists), and repeats.
 *
 *   flu-hlspoll [--viewers N] [--seconds S] [--ramp S] [--ll]
 *       [--save DIR] [--save-viewers K] [--source-addrs] [--close] URL
 *
 * URL is http://HOST:PORT/PATH (an IPv4 address).  Every viewer must see
 * every piece in order: a segment that left the playlist before the
 * viewer fetched it, or a part missing between two fetched ones (the
 * whole segment is then fetched instead), counts as a gap.  Output, one
 * line of key=value pairs:
 *   viewers, requests, playlists, media (segment and part requests),
 *   errors (non-200 answers, failed connections, resets, answers cut
 *   short, timeouts; the first 20 on stderr, with their URL, and
 *   error_kinds=KIND:N,... on a line of its own), gaps,
 *   bytes, seg_min / seg_max (complete segments a viewer got, fewest and
 *   most), age_med_ms / age_p95_ms / age_max_ms (the age of each piece
 *   when its last byte arrived: wall clock minus the PROGRAM-DATE-TIME
 *   of its end; for parts that is "part ready at the sink -> bytes at
 *   the client", since the sink dates parts by its wall clock),
 *   edge_med_ms (the same for the live edge of each playlist received),
 *   ready_med_ms / ready_p95_ms (when its last byte arrived minus the
 *   first moment any viewer saw the piece listed: "ready at the server
 *   -> bytes at the client" without the PROGRAM-DATE-TIME's jitter, the
 *   sink dating a segment by the arrival of its first buffer; "na"
 *   without samples);
 *   connections (opened), retries (requests sent again on a new
 *   connection because the server closed the kept-alive one first);
 *   the pieces of the join (the playlist's last segment or independent
 *   part onwards) are left out of these figures.
 * --save DIR writes what the first K viewers (--save-viewers, 3) got,
 * concatenated in order, to DIR/viewer<i>.ts (at most 8 MB each), for a
 * decoder to read.  --source-addrs spreads the connections over the
 * source addresses 127.0.0.2-127.0.0.254 (many connections per second to
 * one server port otherwise exhaust the ephemeral ports). */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITEMS 4096
#define SAVE_MAX (8 * 1024 * 1024)
#define REQ_TIMEOUT 15.0

typedef struct
{
  char uri[600];
  uint64_t msn;
  int part;                     /* -1: a whole segment */
  int last_part;                /* the last part of a complete segment */
  double pdt_end;               /* Unix seconds, 0 unknown */
} Item;

typedef struct
{
  int fd;
  int busy;
  double start_at;              /* next request not before */
  double req_started;
  int is_playlist;
  Item cur;                     /* the piece being fetched */
  char *buf;
  size_t len, cap;
  /* position: the last piece fetched */
  int joined;
  int live;                     /* the join's backlog is fetched */
  uint64_t msn;
  int part;                     /* -1: segment msn complete */
  int seg_done;                 /* segment msn fully obtained */
  Item queue[64];
  int qhead, qlen;
  uint64_t segments;
  FILE *save;
  size_t saved;
  char path[768];               /* of the request under way */
  char req[1600];               /* the request, for a retry */
  int req_len;
  int reused;                   /* the request went on a kept-alive connection */
  size_t hdr_len;               /* head and its blank line; 0: not yet */
  long long want;               /* body length; -1: until EOF, -2: chunked */
  int keep;                     /* the connection stays open after it */
  int status;
  int connecting;               /* the request is sent on EPOLLOUT */
  char cookie[512];             /* name=value of the last Set-Cookie */
} Viewer;

static struct sockaddr_in server;
static char host_hdr[128], pl_path[256], base_dir[256];
static int ll_mode, use_source_addrs, use_close;
static double target_dur = 2.0;
static uint64_t n_requests, n_playlists, n_media, n_errors, n_gaps, n_bytes;
static uint64_t n_connections, n_retries;
static double *ages, *edges, *readys;
static size_t n_ages, cap_ages, n_edges, cap_edges, n_readys, cap_readys;
static int epfd;

/* errors by kind, the first few printed on stderr */
#define ERR_KINDS 16
#define ERR_SHOWN 20
static struct
{
  char kind[24];
  uint64_t n;
} err_kinds[ERR_KINDS];
static double t_start;

/* the first moment any viewer saw each piece listed: when it was ready,
 * give or take the first viewer's delay */
#define ANN_SLOTS 8192
typedef struct
{
  uint64_t key;                 /* 0: free */
  double t;
} Ann;
static Ann ann[ANN_SLOTS];
typedef struct
{
  uint64_t key;
  double t;
} Delivery;
static Delivery *dels;
static size_t n_dels, cap_dels;

static uint64_t
piece_key (uint64_t msn, int part)
{
  return (msn << 8) + (uint64_t) (part + 2);
}

static Ann *
ann_slot (uint64_t key)
{
  size_t i = (size_t) ((key * 0x9e3779b97f4a7c15ull) >> 51) % ANN_SLOTS, n;

  for (n = 0; n < ANN_SLOTS; n++, i = (i + 1) % ANN_SLOTS)
    if (ann[i].key == key || ann[i].key == 0)
      return &ann[i];
  return NULL;
}

static void
announce (uint64_t key, double t)
{
  Ann *a = ann_slot (key);

  if (a && a->key == 0) {
    a->key = key;
    a->t = t;
  } else if (a && t < a->t) {
    a->t = t;
  }
}

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
push (double **arr, size_t *n, size_t *cap, double v)
{
  if (*n == *cap) {
    *cap = *cap ? *cap * 2 : 4096;
    *arr = realloc (*arr, *cap * sizeof (double));
    if (!*arr)
      abort ();
  }
  (*arr)[(*n)++] = v;
}

static int
cmp_d (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* the p-th quantile in ms, "na" without samples */
static const char *
pct (double *arr, size_t n, double p, char *out)
{
  if (n == 0)
    return "na";
  qsort (arr, n, sizeof (double), cmp_d);
  sprintf (out, "%.0f", 1000 * arr[(size_t) (p * (n - 1))]);
  return out;
}

/* 2026-12-02T03:57:04.123Z -> Unix seconds */
static double
parse_pdt (const char *s)
{
  struct tm tm;
  int ms = 0;

  memset (&tm, 0, sizeof (tm));
  if (sscanf (s, "%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon,
          &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (double) timegm (&tm) + ms / 1000.0;
}

static const char *
attr (const char *line, const char *name, char *out, size_t n)
{
  const char *p = strstr (line, name);
  size_t i = 0;

  if (!p)
    return NULL;
  p += strlen (name);
  if (*p == '"')
    p++;
  while (*p && *p != '"' && *p != ',' && *p != '\n' && *p != '\r' && i + 1 < n)
    out[i++] = *p++;
  out[i] = 0;
  return out;
}

static void
resolve (const char *uri, char *out, size_t n)
{
  const char *p;

  if (strncmp (uri, "http://", 7) == 0 && (p = strchr (uri + 7, '/')))
    snprintf (out, n, "%s", p);
  else if (uri[0] == '/')
    snprintf (out, n, "%s", uri);
  else
    snprintf (out, n, "%s%s", base_dir, uri);
}

/* the playlist as a list of pieces: every listed part and every
 * segment, in order */
static int
parse_playlist (char *text, Item * items, int max, uint64_t * first_msn,
    double *edge)
{
  uint64_t msn = 0;
  double pdt = 0, t = 0;
  int n = 0, part = 0, seg_first = 0;
  char *line, *save = NULL, val[512];

  *first_msn = 0;
  *edge = 0;
  for (line = strtok_r (text, "\n", &save); line;
      line = strtok_r (NULL, "\n", &save)) {
    size_t l = strlen (line);

    if (l && line[l - 1] == '\r')
      line[l - 1] = 0;
    if (strncmp (line, "#EXT-X-MEDIA-SEQUENCE:", 22) == 0) {
      msn = *first_msn = strtoull (line + 22, NULL, 10);
    } else if (strncmp (line, "#EXT-X-TARGETDURATION:", 22) == 0) {
      target_dur = atof (line + 22);
    } else if (strncmp (line, "#EXT-X-PROGRAM-DATE-TIME:", 25) == 0) {
      pdt = parse_pdt (line + 25);
      t = 0;
    } else if (strncmp (line, "#EXT-X-PART:", 12) == 0 && n < max) {
      if (!attr (line, "URI=", val, sizeof (val)))
        continue;
      if (part == 0)
        seg_first = n;
      t += attr (line, "DURATION=", val + 256, 256) ? atof (val + 256) : 0;
      attr (line, "URI=", val, sizeof (val));
      resolve (val, items[n].uri, sizeof (items[n].uri));
      items[n].msn = msn;
      items[n].part = part++;
      items[n].last_part = -1;
      items[n].pdt_end = pdt ? pdt + t : 0;
      *edge = items[n].pdt_end;
      n++;
    } else if (strncmp (line, "#EXTINF:", 8) == 0) {
      double d = atof (line + 8);
      int i;

      for (i = seg_first; part && i < n; i++)
        items[i].last_part = part - 1;
      t = d;
    } else if (line[0] && line[0] != '#' && n < max) {
      resolve (line, items[n].uri, sizeof (items[n].uri));
      items[n].msn = msn;
      items[n].part = -1;
      items[n].last_part = part - 1;
      items[n].pdt_end = pdt ? pdt + t : 0;
      if (pdt && items[n].pdt_end > *edge)
        *edge = items[n].pdt_end;
      n++;
      msn++;
      part = 0;
      if (pdt)
        pdt += t;
      t = 0;
    }
  }
  return n;
}

static void
enqueue (Viewer * v, const Item * it)
{
  if (v->qlen < (int) (sizeof (v->queue) / sizeof (v->queue[0])))
    v->queue[(v->qhead + v->qlen++) % 64] = *it;
}

/* what the viewer fetches next, from a playlist */
static void
plan (Viewer * v, Item * items, int n, uint64_t first_msn)
{
  int i, start = -1;

  if (!v->joined) {
    /* plain: the last complete segment; LL: the last independent part
     * listed (parts of the first segments may be missing: whole
     * segments then) */
    for (i = n - 1; i >= 0; i--) {
      if (!ll_mode && items[i].part < 0) {
        start = i;
        break;
      }
      if (ll_mode && items[i].part == 0) {
        start = i;
        break;
      }
    }
    if (start < 0)
      return;
    v->joined = 1;
    for (i = start; i < n; i++)
      if ((ll_mode && items[i].part >= 0) || (!ll_mode && items[i].part < 0))
        enqueue (v, &items[i]);
    return;
  }
  if (first_msn > v->msn + (v->seg_done ? 1 : 0)) {
    n_gaps++;                   /* what we need left the playlist */
    v->msn = first_msn - 1;
    v->seg_done = 1;
  }
  for (i = 0; i < n; i++) {
    Item *it = &items[i];

    if (!ll_mode) {
      if (it->part < 0 && it->msn > v->msn)
        enqueue (v, it);
      continue;
    }
    if (it->msn < v->msn || (it->msn == v->msn && v->seg_done))
      continue;
    if (it->msn == v->msn) {
      if (it->part > v->part)
        enqueue (v, it);
      continue;
    }
    /* a later segment: its parts, or the whole segment when its parts
     * are no longer listed */
    if (it->part >= 0 || !(i > 0 && items[i - 1].msn == it->msn
            && items[i - 1].part >= 0))
      enqueue (v, it);
  }
}

static void
got_piece (Viewer * v, const Item * it, const char *body, size_t len)
{
  double age;

  n_media++;
  n_bytes += len;
  if (it->pdt_end > 0 && v->live) {
    age = now_s () - it->pdt_end;
    push (&ages, &n_ages, &cap_ages, age);
  }
  if (v->live) {
    if (n_dels == cap_dels) {
      cap_dels = cap_dels ? cap_dels * 2 : 65536;
      dels = realloc (dels, cap_dels * sizeof (Delivery));
      if (!dels)
        abort ();
    }
    dels[n_dels].key = piece_key (it->msn, it->part);
    dels[n_dels++].t = now_s ();
  }
  if (v->save && v->saved < SAVE_MAX) {
    fwrite (body, 1, len, v->save);
    v->saved += len;
  }
  if (it->part < 0) {
    if (v->joined > 1 && it->msn != v->msn + 1 && !(it->msn == v->msn
            && !v->seg_done))
      n_gaps++;
    if (v->joined > 1 && ll_mode)
      n_gaps++;                 /* LL viewers fetch parts, not segments */
    v->msn = it->msn;
    v->part = -1;
    v->seg_done = 1;
    v->segments++;
  } else {
    if (v->joined > 1) {
      int ok = (it->msn == v->msn && !v->seg_done && it->part == v->part + 1)
          || (it->msn == v->msn + 1 && v->seg_done && it->part == 0)
          || (it->msn == v->msn + 1 && !v->seg_done && it->part == 0);
      if (!ok)
        n_gaps++;
    }
    if (it->msn != v->msn)
      v->seg_done = 0;
    v->msn = it->msn;
    v->part = it->part;
    if (it->last_part >= 0 && it->part == it->last_part) {
      v->seg_done = 1;
      v->segments++;
    }
  }
  v->joined = 2;
}

/* a listed segment whose last part we fetched before it was complete:
 * the playlist now says it was the last */
static void
mark_complete (Viewer * v, Item * items, int n)
{
  int i;

  if (!ll_mode || v->seg_done || v->joined < 2)
    return;
  for (i = 0; i < n; i++)
    if (items[i].msn == v->msn && items[i].last_part == v->part) {
      v->seg_done = 1;
      v->segments++;
      return;
    }
}

static int
open_connection (Viewer * v, int idx)
{
  int fd;
  struct epoll_event ev;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (use_source_addrs) {
    struct sockaddr_in src;

    memset (&src, 0, sizeof (src));
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl (0x7f000002 + (uint32_t) (rand () % 253));
    if (bind (fd, (struct sockaddr *) &src, sizeof (src)) < 0) {
      close (fd);
      return -1;
    }
  }
  if (connect (fd, (struct sockaddr *) &server, sizeof (server)) < 0
      && errno != EINPROGRESS) {
    close (fd);
    return -1;
  }
  /* loopback: the request fits the socket buffer once connected; it is
   * sent on EPOLLOUT */
  v->fd = fd;
  v->reused = 0;
  v->connecting = 1;
  n_connections++;
  ev.events = EPOLLOUT;
  ev.data.u32 = idx;
  epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev);
  return 0;
}

/* sends the request on V's connection (connected, nothing under way) */
static int
send_request (Viewer * v, int idx)
{
  struct epoll_event ev;

  if (send (v->fd, v->req, v->req_len, MSG_NOSIGNAL) != v->req_len)
    return -1;
  ev.events = EPOLLIN;
  ev.data.u32 = idx;
  epoll_ctl (epfd, EPOLL_CTL_MOD, v->fd, &ev);
  return 0;
}

static void
close_connection (Viewer * v)
{
  if (v->fd < 0)
    return;
  epoll_ctl (epfd, EPOLL_CTL_DEL, v->fd, NULL);
  close (v->fd);
  v->fd = -1;
}

static int
start_request (Viewer * v, int idx)
{
  char path[768];

  if (v->qlen) {
    v->cur = v->queue[v->qhead];
    v->qhead = (v->qhead + 1) % 64;
    v->qlen--;
    v->is_playlist = 0;
    snprintf (path, sizeof (path), "%s", v->cur.uri);
  } else {
    v->is_playlist = 1;
    if (v->joined > 1)
      v->live = 1;
    if (ll_mode && v->joined > 1) {
      uint64_t m = v->seg_done ? v->msn + 1 : v->msn;
      int p = v->seg_done ? 0 : v->part + 1;
      snprintf (path, sizeof (path), "%s?_HLS_msn=%llu&_HLS_part=%d",
          pl_path, (unsigned long long) m, p);
    } else {
      snprintf (path, sizeof (path), "%s", pl_path);
    }
  }
  snprintf (v->path, sizeof (v->path), "%s", path);
  v->req_len = snprintf (v->req, sizeof (v->req), "GET %s HTTP/1.1\r\n"
      "Host: %s\r\nUser-Agent: flu-hlspoll\r\n%s%s%s%s\r\n", path,
      host_hdr, use_close ? "Connection: close\r\n" : "",
      v->cookie[0] ? "Cookie: " : "", v->cookie, v->cookie[0] ? "\r\n" : "");
  v->busy = 1;
  v->len = 0;
  v->hdr_len = 0;
  v->want = -1;
  v->keep = 0;
  v->req_started = now_s ();
  if (v->cap < 65536) {
    v->cap = 65536;
    v->buf = realloc (v->buf, v->cap);
  }
  n_requests++;
  if (v->fd >= 0) {
    /* a kept-alive connection */
    if (send_request (v, idx) == 0) {
      v->reused = 1;
      return 0;
    }
    close_connection (v);
  }
  if (open_connection (v, idx) < 0) {
    v->busy = 0;
    return -1;
  }
  return 0;
}

/* counts an error of KIND (e.g. "status503", "reset") for V's request */
static void
count_error (Viewer * v, const char *kind, const char *detail)
{
  int i;

  n_errors++;
  for (i = 0; i < ERR_KINDS; i++) {
    if (err_kinds[i].kind[0] == 0)
      snprintf (err_kinds[i].kind, sizeof (err_kinds[i].kind), "%s", kind);
    if (strcmp (err_kinds[i].kind, kind) == 0) {
      err_kinds[i].n++;
      break;
    }
  }
  if (n_errors <= ERR_SHOWN)
    fprintf (stderr, "flu-hlspoll: error %s%s%s at %.3f s after %.3f s: "
        "%s\n", kind, detail ? " " : "", detail ? detail : "",
        now_s () - t_start, v && v->busy ? now_s () - v->req_started : 0.0,
        v ? v->path : "-");
}

static void finish_error (Viewer * v, const char *kind, const char *detail);

static void
finish (Viewer * v, int ok)
{
  if (!ok || !v->keep)
    close_connection (v);
  v->busy = 0;
  if (!ok) {
    v->qlen = 0;                /* start over from the playlist */
    v->start_at = now_s () + 0.5;
    return;
  }
  v->start_at = 0;
}

static void
finish_error (Viewer * v, const char *kind, const char *detail)
{
  count_error (v, kind, detail);
  finish (v, 0);
}

/* the head of V's answer, once its blank line is in: status, length,
 * whether the connection stays open */
static void
parse_head (Viewer * v)
{
  char *end = memmem (v->buf, v->len, "\r\n\r\n", 4), *head, *h;
  int minor = 0;

  if (end == NULL)
    return;
  v->hdr_len = end + 4 - v->buf;
  head = strndup (v->buf, end + 2 - v->buf);
  if (sscanf (head, "HTTP/1.%d %d", &minor, &v->status) != 2)
    v->status = 0;
  v->want = -1;
  if ((h = strcasestr (head, "\r\nContent-Length:")))
    v->want = strtoll (h + 17, NULL, 10);
  if ((h = strcasestr (head, "\r\nTransfer-Encoding:")) &&
      strncasecmp (h + 20 + strspn (h + 20, " "), "chunked", 7) == 0)
    v->want = -2;
  /* a session's cookie (fluhlssink with sessions), sent back as a
   * player does */
  if ((h = strcasestr (head, "\r\nSet-Cookie:"))) {
    h += 13 + strspn (h + 13, " ");
    snprintf (v->cookie, sizeof (v->cookie), "%.*s", (int) strcspn (h,
            ";\r"), h);
  }
  h = strcasestr (head, "\r\nConnection:");
  v->keep = !use_close && minor >= 1 && v->want != -1 &&
      !(h && strncasecmp (h + 13 + strspn (h + 13, " "), "close", 5) == 0);
  free (head);
}

/* a chunked body, complete (last chunk and blank line in), decoded in
 * place; returns its length, or -1 when incomplete or malformed */
static long long
dechunk (char *body, size_t n)
{
  size_t in = 0, out = 0;

  for (;;) {
    char *e;
    unsigned long long sz;
    char *crlf = memmem (body + in, n - in, "\r\n", 2);

    if (crlf == NULL)
      return -1;
    sz = strtoull (body + in, &e, 16);
    if (e == body + in)
      return -1;
    in = crlf + 2 - body;
    if (sz == 0)
      return n - in >= 2 && memcmp (body + in, "\r\n", 2) == 0 ?
          (long long) out : -1;
    if (n - in < sz + 2)
      return -1;
    memmove (body + out, body + in, sz);
    out += sz;
    in += sz + 2;
  }
}

/* the whole answer is in (by its length: on a kept-alive connection the
 * end of the stream does not mark it) */
static int
complete (Viewer * v)
{
  if (v->hdr_len == 0)
    return 0;
  if (v->want >= 0)
    return v->len - v->hdr_len >= (size_t) v->want;
  if (v->want == -2)
    return v->len - v->hdr_len >= 5 &&
        memcmp (v->buf + v->len - 5, "0\r\n\r\n", 5) == 0;
  return 0;
}

static void
response_done (Viewer * v, int eof)
{
  char *body;
  size_t blen;

  if (v->len >= v->cap)
    v->buf = realloc (v->buf, v->cap = v->len + 1);
  v->buf[v->len] = 0;
  if (v->hdr_len == 0 || v->status == 0) {
    char d[32];

    snprintf (d, sizeof (d), "(%zu bytes)", v->len);
    finish_error (v, "nohead", d);
    return;
  }
  if (v->status != 200) {
    char k[24];

    snprintf (k, sizeof (k), "status%d", v->status);
    finish_error (v, k, NULL);
    return;
  }
  body = v->buf + v->hdr_len;
  blen = v->len - v->hdr_len;
  if (v->want == -2) {
    long long n = complete (v) ? dechunk (body, blen) : -1;

    if (n < 0) {
      finish_error (v, "short", "(chunked)");
      return;
    }
    blen = n;
    body[blen] = 0;
  } else if (v->want >= 0 && blen != (size_t) v->want) {
    char d[64];

    snprintf (d, sizeof (d), "(%zu of %lld bytes)", blen, v->want);
    finish_error (v, "short", d);       /* cut short */
    return;
  }
  (void) eof;
  if (v->is_playlist) {
    static Item items[MAX_ITEMS];
    uint64_t first;
    double edge;
    int n = parse_playlist (body, items, MAX_ITEMS, &first, &edge);

    n_playlists++;
    {
      double t = now_s ();
      int i;

      for (i = 0; i < n; i++)
        announce (piece_key (items[i].msn, items[i].part), t);
    }
    if (edge > 0 && v->live)
      push (&edges, &n_edges, &cap_edges, now_s () - edge);
    mark_complete (v, items, n);
    plan (v, items, n, first);
    finish (v, 1);
    if (!ll_mode || !v->joined)
      v->start_at = now_s () + (v->joined ? target_dur / 2 : 0.5);
    if (v->qlen)
      v->start_at = 0;
  } else {
    got_piece (v, &v->cur, body, blen);
    finish (v, 1);
    if (!ll_mode && !v->qlen)
      v->start_at = now_s () + target_dur / 2;
  }
}

static void
on_event (Viewer * v, int idx)
{
  ssize_t r;

  for (;;) {
    if (v->cap - v->len < 65536) {
      v->cap = v->cap * 2 + 65536;
      v->buf = realloc (v->buf, v->cap);
    }
    r = recv (v->fd, v->buf + v->len, v->cap - v->len - 1, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    if (!v->busy) {
      /* an idle kept-alive connection the server closed (or sent what
       * nobody asked for on) */
      close_connection (v);
      return;
    }
    if (r > 0) {
      v->len += r;
      if (v->hdr_len == 0)
        parse_head (v);
      if (complete (v)) {
        response_done (v, 0);
        return;
      }
      continue;
    }
    if (v->len == 0 && v->reused) {
      /* the server closed the kept-alive connection before it read this
       * request (its idle timeout, its request limit): once again on a
       * new connection, as browsers do (RFC 9112, 9.3.1) */
      close_connection (v);
      n_retries++;
      if (open_connection (v, idx) < 0)
        finish_error (v, "socket", strerror (errno));
      return;
    }
    if (r == 0) {
      response_done (v, 1);
      return;
    }
    finish_error (v, "recv", strerror (errno));
    return;
  }
}

int
main (int argc, char **argv)
{
  int n_viewers = 10, save_viewers = 3, i;
  double seconds = 10, ramp = 2, t0, end;
  const char *save_dir = NULL, *url;
  char hostbuf[128];
  int port = 80;
  const char *p, *slash;
  Viewer *vs;
  struct epoll_event evs[256];
  struct rlimit rl;
  uint64_t seg_min = UINT64_MAX, seg_max = 0;
  char q[6][32];
  static const struct option opts[] = {
    {"viewers", required_argument, NULL, 'n'},
    {"seconds", required_argument, NULL, 't'},
    {"ramp", required_argument, NULL, 'r'},
    {"ll", no_argument, NULL, 'l'},
    {"save", required_argument, NULL, 's'},
    {"save-viewers", required_argument, NULL, 'k'},
    {"source-addrs", no_argument, NULL, 'a'},
    {"close", no_argument, NULL, 'c'},
    {NULL, 0, NULL, 0}
  };
  int c;

  while ((c = getopt_long (argc, argv, "n:t:r:ls:k:ac", opts, NULL)) != -1) {
    switch (c) {
      case 'n':
        n_viewers = atoi (optarg);
        break;
      case 't':
        seconds = atof (optarg);
        break;
      case 'r':
        ramp = atof (optarg);
        break;
      case 'l':
        ll_mode = 1;
        break;
      case 's':
        save_dir = optarg;
        break;
      case 'k':
        save_viewers = atoi (optarg);
        break;
      case 'a':
        use_source_addrs = 1;
        break;
      case 'c':
        use_close = 1;
        break;
      default:
        fprintf (stderr, "usage: flu-hlspoll [--viewers N] [--seconds S] "
            "[--ramp S] [--ll] [--save DIR] [--save-viewers K] "
            "[--source-addrs] [--close] http://HOST:PORT/PATH\n");
        return 2;
    }
  }
  if (optind >= argc || strncmp (argv[optind], "http://", 7) != 0
      || n_viewers < 1) {
    fprintf (stderr, "flu-hlspoll: an http:// URL is needed\n");
    return 2;
  }
  url = argv[optind] + 7;
  slash = strchr (url, '/');
  if (!slash || (size_t) (slash - url) >= sizeof (hostbuf))
    return 2;
  memcpy (hostbuf, url, slash - url);
  hostbuf[slash - url] = 0;
  snprintf (host_hdr, sizeof (host_hdr), "%s", hostbuf);
  if ((p = strchr (hostbuf, ':'))) {
    port = atoi (p + 1);
    hostbuf[p - hostbuf] = 0;
  }
  memset (&server, 0, sizeof (server));
  server.sin_family = AF_INET;
  server.sin_port = htons (port);
  if (inet_pton (AF_INET, hostbuf, &server.sin_addr) != 1) {
    fprintf (stderr, "flu-hlspoll: %s is not an IPv4 address\n", hostbuf);
    return 2;
  }
  snprintf (pl_path, sizeof (pl_path), "%s", slash);
  snprintf (base_dir, sizeof (base_dir), "%s", slash);
  *(strrchr (base_dir, '/') + 1) = 0;

  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  vs = calloc (n_viewers, sizeof (Viewer));
  t0 = t_start = now_s ();
  end = t0 + seconds;
  for (i = 0; i < n_viewers; i++) {
    vs[i].fd = -1;
    vs[i].start_at = t0 + ramp * i / n_viewers;
    if (save_dir && i < save_viewers) {
      char path[1024];
      snprintf (path, sizeof (path), "%s/viewer%d.ts", save_dir, i);
      vs[i].save = fopen (path, "wb");
    }
  }
  while (now_s () < end) {
    int n = epoll_wait (epfd, evs, 256, 10);
    double now;

    for (i = 0; i < n; i++) {
      Viewer *v = &vs[evs[i].data.u32];

      if (v->fd < 0)
        continue;
      if (v->busy && v->connecting) {
        int err = 0;
        socklen_t el = sizeof (err);

        if (!(evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
          continue;
        v->connecting = 0;
        getsockopt (v->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) {
          finish_error (v, "connect", strerror (err));
          continue;
        }
        if (send_request (v, evs[i].data.u32) < 0)
          finish_error (v, "send", strerror (errno));
        continue;
      }
      on_event (v, evs[i].data.u32);
    }
    now = now_s ();
    for (i = 0; i < n_viewers; i++) {
      Viewer *v = &vs[i];

      if (v->busy) {
        if (now - v->req_started > REQ_TIMEOUT)
          finish_error (v, "timeout", NULL);
        continue;
      }
      if (v->start_at <= now && start_request (v, i) < 0) {
        count_error (v, "socket", strerror (errno));
        v->start_at = now + 0.5;
      }
    }
  }
  for (size_t d = 0; d < n_dels; d++) {
    Ann *a = ann_slot (dels[d].key);

    if (a && a->key == dels[d].key)
      push (&readys, &n_readys, &cap_readys, dels[d].t - a->t);
  }
  for (i = 0; i < n_viewers; i++) {
    if (vs[i].segments < seg_min)
      seg_min = vs[i].segments;
    if (vs[i].segments > seg_max)
      seg_max = vs[i].segments;
    if (vs[i].save)
      fclose (vs[i].save);
    if (vs[i].fd >= 0)
      close (vs[i].fd);
    free (vs[i].buf);
  }
  printf ("viewers=%d requests=%llu playlists=%llu media=%llu errors=%llu "
      "gaps=%llu bytes=%llu seg_min=%llu seg_max=%llu age_med_ms=%s "
      "age_p95_ms=%s age_max_ms=%s edge_med_ms=%s ready_med_ms=%s "
      "ready_p95_ms=%s connections=%llu retries=%llu\n", n_viewers,
      (unsigned long long) n_requests, (unsigned long long) n_playlists,
      (unsigned long long) n_media, (unsigned long long) n_errors,
      (unsigned long long) n_gaps, (unsigned long long) n_bytes,
      (unsigned long long) seg_min, (unsigned long long) seg_max,
      pct (ages, n_ages, 0.5, q[0]), pct (ages, n_ages, 0.95, q[1]),
      pct (ages, n_ages, 1.0, q[2]), pct (edges, n_edges, 0.5, q[3]),
      pct (readys, n_readys, 0.5, q[4]), pct (readys, n_readys, 0.95, q[5]),
      (unsigned long long) n_connections, (unsigned long long) n_retries);
  if (n_errors) {
    printf ("error_kinds=");
    for (i = 0; i < ERR_KINDS && err_kinds[i].kind[0]; i++)
      printf ("%s%s:%llu", i ? "," : "", err_kinds[i].kind,
          (unsigned long long) err_kinds[i].n);
    printf ("\n");
  }
  free (vs);
  free (ages);
  free (edges);
  free (readys);
  free (dels);
  return 0;
}
