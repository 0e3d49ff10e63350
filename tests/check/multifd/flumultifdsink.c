/* gst-flumotion: flumultifdsink unit tests
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include "flutestutil.h"

#define SECOND GST_SECOND
#define BUF_DUR (100 * GST_MSECOND)

typedef struct
{
  GMutex lock;
  GArray *removed_fds;
  GArray *removed_status;
  GArray *fd_removed;
  GArray *added;
  gint stats_in_removed;        /* get-stats non-empty inside client-removed */
  gboolean close_on_fd_removed;
} Events;

static void
on_added (GstElement * s, gint fd, Events * ev)
{
  g_mutex_lock (&ev->lock);
  g_array_append_val (ev->added, fd);
  g_mutex_unlock (&ev->lock);
}

static void
on_removed (GstElement * s, gint fd, gint status, Events * ev)
{
  GstStructure *st = NULL;

  g_signal_emit_by_name (s, "get-stats", fd, &st);
  g_mutex_lock (&ev->lock);
  g_array_append_val (ev->removed_fds, fd);
  g_array_append_val (ev->removed_status, status);
  if (st && gst_structure_has_field (st, "bytes-sent"))
    ev->stats_in_removed++;
  g_mutex_unlock (&ev->lock);
  if (st)
    gst_structure_free (st);
}

static void
on_fd_removed (GstElement * s, gint fd, Events * ev)
{
  g_mutex_lock (&ev->lock);
  g_array_append_val (ev->fd_removed, fd);
  g_mutex_unlock (&ev->lock);
  if (ev->close_on_fd_removed)
    close (fd);
}

static Events *
events_new (void)
{
  Events *ev = g_new0 (Events, 1);

  g_mutex_init (&ev->lock);
  ev->removed_fds = g_array_new (FALSE, FALSE, sizeof (gint));
  ev->removed_status = g_array_new (FALSE, FALSE, sizeof (gint));
  ev->fd_removed = g_array_new (FALSE, FALSE, sizeof (gint));
  ev->added = g_array_new (FALSE, FALSE, sizeof (gint));
  return ev;
}

static void
events_free (Events * ev)
{
  g_array_free (ev->removed_fds, TRUE);
  g_array_free (ev->removed_status, TRUE);
  g_array_free (ev->fd_removed, TRUE);
  g_array_free (ev->added, TRUE);
  g_mutex_clear (&ev->lock);
  g_free (ev);
}

static guint
events_n_fd_removed (Events * ev)
{
  guint n;

  g_mutex_lock (&ev->lock);
  n = ev->fd_removed->len;
  g_mutex_unlock (&ev->lock);
  return n;
}

/* wait (bounded) until @n client-fd-removed arrived */
static gboolean
events_wait_removed (Events * ev, guint n, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;

  while (events_n_fd_removed (ev) < n) {
    if (g_get_monotonic_time () > end)
      return FALSE;
    g_usleep (5000);
  }
  return TRUE;
}

/* the harness, with plain caps (tests set caps with headers on top) */
static GstHarness *
make_sink (const gchar * factory, Events * ev)
{
  GstHarness *h = gst_harness_new_with_padnames (factory, "sink", NULL);

  g_object_set (h->element, "sync", FALSE, NULL);
  if (ev) {
    g_signal_connect (h->element, "client-added", G_CALLBACK (on_added), ev);
    g_signal_connect (h->element, "client-removed", G_CALLBACK (on_removed),
        ev);
    g_signal_connect (h->element, "client-fd-removed",
        G_CALLBACK (on_fd_removed), ev);
  }
  return h;
}

static void
socket_pair (gint fds[2])
{
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) == 0);
}

/* a test buffer: keyframe every @gop buffers */
static GstBuffer *
stream_buffer (guint seq, guint gop, gsize size)
{
  return flu_test_buffer_new (seq, size, seq % gop == 0, seq * BUF_DUR, 1);
}

static void
push (GstHarness * h, guint seq, guint gop, gsize size)
{
  fail_unless_equals_int (gst_harness_push (h, stream_buffer (seq, gop,
              size)), GST_FLOW_OK);
}

/* Parse what a client read: optional header bytes then test buffers. */
static GArray *
parse_client_full (GByteArray * bytes, const gchar * headers,
    gboolean allow_cut)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (FluTestParsed));
  gsize hlen = headers ? strlen (headers) : 0;
  gchar *err = NULL;

  if (hlen) {
    fail_unless (bytes->len >= hlen, "client got %u bytes, not even the "
        "%" G_GSIZE_FORMAT " header bytes", bytes->len, hlen);
    fail_unless (memcmp (bytes->data, headers, hlen) == 0,
        "client did not start with the stream headers");
  }
  if (!(allow_cut ? flu_test_parse_cut : flu_test_parse) (bytes->data + hlen,
          bytes->len - hlen, out, &err))
    fail ("client stream is not intact: %s", err);
  return out;
}

static GArray *
parse_client (GByteArray * bytes, const gchar * headers)
{
  return parse_client_full (bytes, headers, FALSE);
}

/* free what a single-client test holds */
static void
finish (GstHarness * h, gint fds[2], GByteArray * got, GArray * parsed)
{
  if (parsed)
    g_array_free (parsed, TRUE);
  if (got)
    g_byte_array_unref (got);
  gst_harness_teardown (h);
  close (fds[0]);
  close (fds[1]);
}

static guint
parsed_seq (GArray * a, guint i)
{
  return g_array_index (a, FluTestParsed, i).seq;
}

/* ------------------------------------------------------------------ */

/* Every property of the stock multifdsink exists here with the same type,
 * flags, default and range; enums have the same nicks and values. */
GST_START_TEST (test_properties_match_stock)
{
  GstElement *ours = gst_element_factory_make ("flumultifdsink", NULL);
  GstElement *stock = gst_element_factory_make ("multifdsink", NULL);
  GParamSpec **specs;
  guint n, i;

  fail_unless (ours != NULL);
  /* the comparison is the test: no stock element is a failure, not a pass
   * (gstreamer1.0-plugins-base is in scripts/deps.d) */
  fail_unless (stock != NULL, "stock multifdsink missing: cannot compare");
  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (stock), &n);
  for (i = 0; i < n; i++) {
    GParamSpec *s = specs[i], *o;
    GValue dv_s = G_VALUE_INIT, dv_o = G_VALUE_INIT;

    o = g_object_class_find_property (G_OBJECT_GET_CLASS (ours), s->name);
    fail_unless (o != NULL, "property %s missing", s->name);
    fail_unless ((s->flags & G_PARAM_READWRITE) ==
        (o->flags & G_PARAM_READWRITE), "flags of %s differ", s->name);
    if (G_IS_PARAM_SPEC_ENUM (s)) {
      GEnumClass *es = G_PARAM_SPEC_ENUM (s)->enum_class;
      GEnumClass *eo = G_PARAM_SPEC_ENUM (o)->enum_class;
      guint k;

      fail_unless (G_IS_PARAM_SPEC_ENUM (o));
      fail_unless_equals_int (es->n_values, eo->n_values);
      for (k = 0; k < es->n_values; k++) {
        fail_unless_equals_int (es->values[k].value, eo->values[k].value);
        fail_unless_equals_string (es->values[k].value_nick,
            eo->values[k].value_nick);
      }
      fail_unless_equals_int (G_PARAM_SPEC_ENUM (s)->default_value,
          G_PARAM_SPEC_ENUM (o)->default_value);
      continue;
    }
    fail_unless (G_PARAM_SPEC_VALUE_TYPE (s) == G_PARAM_SPEC_VALUE_TYPE (o),
        "type of %s differs", s->name);
    if (!(s->flags & G_PARAM_WRITABLE) || G_IS_PARAM_SPEC_OBJECT (s)
        || g_str_equal (s->name, "name"))
      continue;
    g_value_init (&dv_s, G_PARAM_SPEC_VALUE_TYPE (s));
    g_value_init (&dv_o, G_PARAM_SPEC_VALUE_TYPE (o));
    g_param_value_set_default (s, &dv_s);
    g_param_value_set_default (o, &dv_o);
    fail_unless (g_param_values_cmp (s, &dv_s, &dv_o) == 0,
        "default of %s differs", s->name);
    if (G_IS_PARAM_SPEC_INT (s)) {
      fail_unless_equals_int (G_PARAM_SPEC_INT (s)->minimum,
          G_PARAM_SPEC_INT (o)->minimum);
      fail_unless_equals_int (G_PARAM_SPEC_INT (s)->maximum,
          G_PARAM_SPEC_INT (o)->maximum);
    } else if (G_IS_PARAM_SPEC_INT64 (s)) {
      fail_unless_equals_int64 (G_PARAM_SPEC_INT64 (s)->minimum,
          G_PARAM_SPEC_INT64 (o)->minimum);
      fail_unless_equals_int64 (G_PARAM_SPEC_INT64 (s)->maximum,
          G_PARAM_SPEC_INT64 (o)->maximum);
    } else if (G_IS_PARAM_SPEC_UINT64 (s)) {
      fail_unless_equals_uint64 (G_PARAM_SPEC_UINT64 (s)->maximum,
          G_PARAM_SPEC_UINT64 (o)->maximum);
    }
    g_value_unset (&dv_s);
    g_value_unset (&dv_o);
  }
  g_free (specs);
  gst_object_unref (ours);
  gst_object_unref (stock);
}

GST_END_TEST;

GST_START_TEST (test_signals_match_stock)
{
  const gchar *names[] = { "add", "add-full", "remove", "remove-flush",
    "clear", "get-stats", "client-added", "client-removed",
    "client-fd-removed"
  };
  GType ours = g_type_from_name ("FluMultiFdSink");
  GstElement *e = gst_element_factory_make ("flumultifdsink", NULL);
  GstElement *stock = gst_element_factory_make ("multifdsink", NULL);
  guint i;

  fail_unless (e != NULL);
  fail_unless (stock != NULL, "stock multifdsink missing: cannot compare");
  ours = G_OBJECT_TYPE (e);
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    GSignalQuery qo, qs;

    g_signal_query (g_signal_lookup (names[i], ours), &qo);
    fail_unless (qo.signal_id != 0, "signal %s missing", names[i]);
    g_signal_query (g_signal_lookup (names[i], G_OBJECT_TYPE (stock)), &qs);
    fail_unless_equals_int (qo.n_params, qs.n_params);
    fail_unless ((qo.signal_flags & G_SIGNAL_ACTION) ==
        (qs.signal_flags & G_SIGNAL_ACTION), "action flag of %s", names[i]);
    fail_unless (qo.return_type == qs.return_type, "return of %s", names[i]);
  }
  gst_object_unref (e);
  if (stock)
    gst_object_unref (stock);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Wait until the element has sent @fd more than @prev bytes, at most
 * 300 ms (a client waiting for a keyframe gets nothing), and return the
 * count: the stock element decides where a new client starts, and writes,
 * in its own thread, so a comparison with it pushes the next buffer only
 * once it took the previous one; a fixed sleep would depend on the
 * machine's load. */
static guint64
wait_sent (GstElement * sink, gint fd, guint64 prev)
{
  gint64 end = g_get_monotonic_time () + 300 * 1000;
  guint64 sent = prev;

  do {
    GstStructure *st = NULL;

    g_signal_emit_by_name (sink, "get-stats", fd, &st);
    if (st) {
      gst_structure_get_uint64 (st, "bytes-sent", &sent);
      gst_structure_free (st);
    }
    if (sent > prev)
      break;
    g_usleep (2000);
  } while (g_get_monotonic_time () < end);
  return sent;
}

/* Same inputs through stock multifdsink and ours: same bytes out. */

typedef struct
{
  const gchar *sync;
  const gchar *burst_format;
  guint64 burst_value;
  guint add_after;              /* buffers pushed before the client comes */
} CompatCase;

static GByteArray *
run_compat (const gchar * factory, const CompatCase * cc, guint gop)
{
  GstHarness *h = make_sink (factory, NULL);
  GByteArray *got;
  gint fds[2];
  guint i, total = cc->add_after + 12;
  guint64 sent = 0;

  gst_util_set_object_arg (G_OBJECT (h->element), "sync-method", cc->sync);
  gst_util_set_object_arg (G_OBJECT (h->element), "burst-format",
      cc->burst_format);
  g_object_set (h->element, "burst-value", cc->burst_value,
      /* make the stock element keep the whole short stream */
      "time-min", (gint64) (1000 * SECOND), NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("HEAD", "ER"));
  socket_pair (fds);
  for (i = 0; i < total; i++) {
    if (i == cc->add_after)
      g_signal_emit_by_name (h->element, "add", fds[0]);
    push (h, i, gop, 100 + (i % 7) * 50);
    /* let the stock writer thread decide each step */
    if (i >= cc->add_after)
      sent = wait_sent (h->element, fds[0], sent);
  }
  got = flu_test_read_all (fds[1], 300);
  g_signal_emit_by_name (h->element, "remove", fds[0]);
  gst_harness_teardown (h);
  close (fds[0]);
  close (fds[1]);
  return got;
}

static const CompatCase compat_cases[] = {
  {"latest", "undefined", 0, 10},
  {"next-keyframe", "undefined", 0, 11},
  {"next-keyframe", "undefined", 0, 10},
  {"latest-keyframe", "undefined", 0, 13},
  {"burst", "bytes", 700, 16},
  {"burst", "time", 350 * GST_MSECOND, 16},
  {"burst-keyframe", "bytes", 700, 16},
  {"burst-keyframe", "time", 750 * GST_MSECOND, 18},
  {"burst-with-keyframe", "bytes", 800, 16},
  {"burst-with-keyframe", "time", 550 * GST_MSECOND, 17},
};

GST_START_TEST (test_sync_methods_match_stock)
{
  const CompatCase *cc = &compat_cases[__i__];
  GByteArray *ours, *stock;
  GArray *po, *ps;
  GstElementFactory *f = gst_element_factory_find ("multifdsink");

  fail_unless (f != NULL, "stock multifdsink missing: cannot compare");
  gst_object_unref (f);
  ours = run_compat ("flumultifdsink", cc, 5);
  stock = run_compat ("multifdsink", cc, 5);
  po = parse_client (ours, "HEADER");
  ps = parse_client (stock, "HEADER");
  GST_INFO ("%s/%s: ours starts at %u (%u buffers), stock at %u (%u)",
      cc->sync, cc->burst_format, po->len ? parsed_seq (po, 0) : 0, po->len,
      ps->len ? parsed_seq (ps, 0) : 0, ps->len);
  fail_unless (po->len > 0, "%s: client got no buffer", cc->sync);
  fail_unless_equals_int (ours->len, stock->len);
  fail_unless (memcmp (ours->data, stock->data, ours->len) == 0,
      "%s: bytes differ from the stock element", cc->sync);
  g_array_free (po, TRUE);
  g_array_free (ps, TRUE);
  g_byte_array_unref (ours);
  g_byte_array_unref (stock);
}

GST_END_TEST;

/* The exact start position for each method, against our own rules. */
/* A playing sink with @sync/@bf/@bv and 20 buffers (0..19, a keyframe
 * every 5) queued, headers "H" in the caps. */
static GstHarness *
queued_sink (const gchar * sync, const gchar * bf, guint64 bv,
    gboolean start_on_add)
{
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  guint i;

  gst_util_set_object_arg (G_OBJECT (h->element), "sync-method", sync);
  gst_util_set_object_arg (G_OBJECT (h->element), "burst-format", bf);
  g_object_set (h->element, "burst-value", bv, "start-on-add", start_on_add,
      NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("H", NULL));
  for (i = 0; i < 20; i++)
    push (h, i, 5, 100);
  return h;
}

GST_START_TEST (test_sync_method_positions)
{
  struct
  {
    const gchar *sync, *bf;
    guint64 bv;
    guint first;                /* first buffer the client must get */
  } cases[] = {
    /* 20 buffers (0..19) queued, keyframes at 0,5,10,15, then the client
     * comes and buffer 20 (a keyframe) arrives */
    {"latest", "undefined", 0, 20},
    {"latest-keyframe", "undefined", 0, 20},
    {"burst", "buffers", 4, 17},
    {"burst-keyframe", "buffers", 4, 15},
    {"burst-with-keyframe", "buffers", 4, 15},
    {"burst-keyframe", "buffers", 12, 5},
    {"burst", "bytes", 250, 18},
  };
  guint c;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstHarness *h = queued_sink (cases[c].sync, cases[c].bf, cases[c].bv,
        FALSE);
    GByteArray *got;
    GArray *p;
    gint fds[2];

    socket_pair (fds);
    g_signal_emit_by_name (h->element, "add", fds[0]);
    push (h, 20, 5, 100);
    got = flu_test_read_all (fds[1], 200);
    p = parse_client (got, "H");
    fail_unless (p->len > 0);
    fail_unless_equals_int (parsed_seq (p, 0), cases[c].first);
    fail_unless_equals_int (parsed_seq (p, p->len - 1), 20);
    finish (h, fds, got, p);
  }
}

GST_END_TEST;

/* start-on-add: a client added while its burst is queued gets it at once,
 * without waiting for another buffer (which never comes here); without
 * the property it gets nothing until the next buffer, as the stock
 * element. */
GST_START_TEST (test_start_on_add)
{
  guint on;

  for (on = 0; on < 2; on++) {
    GstHarness *h = queued_sink ("burst-keyframe", "buffers", 4, on);
    GByteArray *got;
    GArray *p;
    gint fds[2];

    socket_pair (fds);
    g_signal_emit_by_name (h->element, "add", fds[0]);
    got = flu_test_read_all (fds[1], 300);
    if (!on) {
      fail_unless_equals_int (got->len, 0);
      finish (h, fds, got, NULL);
      continue;
    }
    p = parse_client (got, "H");
    fail_unless_equals_int (p->len, 5);
    fail_unless_equals_int (parsed_seq (p, 0), 15);
    fail_unless (g_array_index (p, FluTestParsed, 0).keyframe);
    fail_unless_equals_int (parsed_seq (p, 4), 19);
    finish (h, fds, got, p);
  }
}

GST_END_TEST;

/* A TCP socket handed over corked (with a preamble written, as fluhttpsink
 * does with the HTTP response head) is uncorked by the first data write:
 * the preamble, headers and data all arrive and the cork is off. */
GST_START_TEST (test_uncork_on_first_write)
{
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  struct sockaddr_in sa = { 0 };
  socklen_t len = sizeof (sa);
  gint lfd, fds[2], on = 1, cork = -1;
  GByteArray *got;
  GArray *p;

  lfd = socket (AF_INET, SOCK_STREAM, 0);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless (bind (lfd, (struct sockaddr *) &sa, sizeof (sa)) == 0);
  fail_unless (listen (lfd, 1) == 0);
  fail_unless (getsockname (lfd, (struct sockaddr *) &sa, &len) == 0);
  fds[1] = socket (AF_INET, SOCK_STREAM, 0);
  fail_unless (connect (fds[1], (struct sockaddr *) &sa, sizeof (sa)) == 0);
  fds[0] = accept (lfd, NULL, NULL);
  fail_unless (fds[0] >= 0);
  close (lfd);
  fail_unless (setsockopt (fds[0], IPPROTO_TCP, TCP_CORK, &on,
          sizeof (on)) == 0);
  fail_unless_equals_int (write (fds[0], "PRE", 3), 3);

  g_object_set (h->element, "start-on-add", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (h->element), "sync-method", "latest");
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("H", NULL));
  push (h, 0, 5, 100);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  got = flu_test_read_all (fds[1], 300);
  fail_unless (got->len > 3 && memcmp (got->data, "PRE", 3) == 0);
  g_byte_array_remove_range (got, 0, 3);
  p = parse_client (got, "H");
  fail_unless_equals_int (p->len, 1);
  len = sizeof (cork);
  fail_unless (getsockopt (fds[0], IPPROTO_TCP, TCP_CORK, &cork, &len) == 0);
  fail_unless_equals_int (cork, 0);
  finish (h, fds, got, p);
}

GST_END_TEST;

/* burst-keyframe keeps enough of the ring for its burst by itself: a late
 * client gets at least the burst, from a keyframe, with no time-min set. */
GST_START_TEST (test_burst_keyframe_keeps_ring)
{
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  GByteArray *got;
  GArray *p;
  gint fds[2];
  guint i, queued;

  gst_util_set_object_arg (G_OBJECT (h->element), "sync-method",
      "burst-keyframe");
  gst_util_set_object_arg (G_OBJECT (h->element), "burst-format", "time");
  g_object_set (h->element, "burst-value", (guint64) (2 * SECOND), NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("H", NULL));
  for (i = 0; i < 100; i++)
    push (h, i, 30, 200);
  /* 2 s back from buffer 99 is buffer 79; the keyframe before it is 60:
   * the ring is trimmed to 60..99 as the buffers arrive */
  g_object_get (h->element, "buffers-queued", &queued, NULL);
  fail_unless_equals_int (queued, 40);
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  push (h, 100, 30, 200);
  got = flu_test_read_all (fds[1], 200);
  p = parse_client (got, "H");
  fail_unless_equals_int (parsed_seq (p, 0), 60);
  fail_unless (g_array_index (p, FluTestParsed, 0).keyframe);
  fail_unless_equals_int (p->len, 41);
  finish (h, fds, got, p);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* The ring is trimmed as buffers arrive, with no client, with the
 * properties set in NULL: buffers-queued read right after each push is
 * what the stock element answers. */

typedef struct
{
  const gchar *sync;
  const gchar *limit;           /* property set in NULL */
  gint64 value;
  guint gop;                    /* keyframe every gop buffers */
  gsize size;
} QueuedCase;

static const QueuedCase queued_cases[] = {
  {"burst", "bytes-min", 100, 1, 16},
  {"burst-keyframe", "bytes-min", 100, 1, 16},
  {"burst-with-keyframe", "bytes-min", 100, 1, 16},
  {"latest", "bytes-min", 100, 1, 16},
  {"next-keyframe", "bytes-min", 100, 1, 16},
  {"latest-keyframe", "bytes-min", 100, 4, 16},
  {"burst-keyframe", "bytes-min", 100, 4, 16},
  {"burst-keyframe", "time-min", 350 * GST_MSECOND, 4, 16},
  {"burst", "time-min", 350 * GST_MSECOND, 1, 16},
  {"burst-keyframe", "time-min", 350 * GST_MSECOND, 1, 16},
  {"burst-with-keyframe", "time-min", 350 * GST_MSECOND, 1, 16},
  {"burst", "bytes-min", 1000, 4, 150},
  {"burst-with-keyframe", "time-min", 550 * GST_MSECOND, 3, 100},
};

/* buffers-queued after each of @n pushes; with @client, then a client
 * is added and three more buffers pushed, and *client gets what it read */
static GArray *
run_queued_full (const gchar * factory, const QueuedCase * qc, guint n,
    GByteArray ** client)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  GstHarness *h;
  guint i;

  fail_unless (e != NULL, "no %s element (the stock one comes with "
      "gst-plugins-base)", factory);
  /* every property set in NULL, before the harness starts it */
  gst_util_set_object_arg (G_OBJECT (e), "sync-method", qc->sync);
  if (g_str_equal (qc->limit, "time-min"))
    g_object_set (e, qc->limit, qc->value, NULL);
  else
    g_object_set (e, qc->limit, (gint) qc->value, NULL);
  h = gst_harness_new_with_element (e, "sink", NULL);
  g_object_set (h->element, "sync", FALSE, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  for (i = 0; i < n; i++) {
    guint q;

    push (h, i, qc->gop, qc->size);
    g_object_get (h->element, "buffers-queued", &q, NULL);
    g_array_append_val (out, q);
  }
  if (client) {
    gint fds[2];
    guint64 sent = 0;

    socket_pair (fds);
    g_signal_emit_by_name (h->element, "add", fds[0]);
    for (; i < n + 3; i++) {
      push (h, i, qc->gop, qc->size);
      /* let the stock writer thread take each buffer in turn */
      sent = wait_sent (h->element, fds[0], sent);
    }
    *client = flu_test_read_all (fds[1], 300);
    g_signal_emit_by_name (h->element, "remove", fds[0]);
    close (fds[0]);
    close (fds[1]);
  }
  gst_harness_teardown (h);
  gst_object_unref (e);
  return out;
}

static GArray *
run_queued (const gchar * factory, const QueuedCase * qc, guint n)
{
  return run_queued_full (factory, qc, n, NULL);
}

GST_START_TEST (test_queued_matches_stock)
{
  const QueuedCase *qc = &queued_cases[__i__];
  GArray *ours = run_queued ("flumultifdsink", qc, 9 * qc->gop);
  GArray *stock = run_queued ("multifdsink", qc, 9 * qc->gop);
  guint i;

  for (i = 0; i < ours->len; i++) {
    GST_INFO ("%s %s=%" G_GINT64_FORMAT " push %u: ours %u stock %u",
        qc->sync, qc->limit, qc->value, i, g_array_index (ours, guint, i),
        g_array_index (stock, guint, i));
    fail_unless_equals_int (g_array_index (ours, guint, i),
        g_array_index (stock, guint, i));
  }
  g_array_free (ours, TRUE);
  g_array_free (stock, TRUE);
}

GST_END_TEST;

/* The same, then a client comes: it gets exactly the bytes the stock
 * element sends it. */
GST_START_TEST (test_queued_then_client_matches_stock)
{
  const QueuedCase *qc = &queued_cases[__i__];
  GByteArray *ours_bytes, *stock_bytes;
  GArray *ours = run_queued_full ("flumultifdsink", qc, 9 * qc->gop,
      &ours_bytes);
  GArray *stock = run_queued_full ("multifdsink", qc, 9 * qc->gop,
      &stock_bytes);
  GArray *po = parse_client (ours_bytes, NULL);
  GArray *ps = parse_client (stock_bytes, NULL);

  GST_INFO ("%s %s: ours got %u buffers from %u, stock %u from %u",
      qc->sync, qc->limit, po->len, po->len ? parsed_seq (po, 0) : 0,
      ps->len, ps->len ? parsed_seq (ps, 0) : 0);
  fail_unless (ps->len > 0, "the stock element sent nothing");
  fail_unless_equals_int (ours_bytes->len, stock_bytes->len);
  fail_unless (memcmp (ours_bytes->data, stock_bytes->data,
          ours_bytes->len) == 0, "%s %s: bytes differ from the stock element",
      qc->sync, qc->limit);
  g_array_free (po, TRUE);
  g_array_free (ps, TRUE);
  g_byte_array_unref (ours_bytes);
  g_byte_array_unref (stock_bytes);
  g_array_free (ours, TRUE);
  g_array_free (stock, TRUE);
}

GST_END_TEST;

/* buffers-min keeps that many buffers.  Not compared with the stock
 * element: 1.22 keeps a sawtooth (1 .. buffers-min - 1, then 1 again),
 * a deliberate difference documented in the element docs. */
GST_START_TEST (test_buffers_min_kept)
{
  QueuedCase qc = { "burst", "buffers-min", 5, 1, 16 };
  GArray *ours = run_queued ("flumultifdsink", &qc, 20);
  guint i;

  for (i = 0; i < ours->len; i++)
    fail_unless_equals_int (g_array_index (ours, guint, i), MIN (i + 1, 5));
  g_array_free (ours, TRUE);
}

GST_END_TEST;

/* Timestamps that go back (a restarted source) do not make time-min keep
 * everything from before until the new timestamps catch up. */
GST_START_TEST (test_time_min_after_timestamps_go_back)
{
  GstElement *e = gst_element_factory_make ("flumultifdsink", NULL);
  GstHarness *h;
  guint i, queued;

  g_object_set (e, "time-min", (gint64) SECOND, NULL);
  h = gst_harness_new_with_element (e, "sink", NULL);
  g_object_set (h->element, "sync", FALSE, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  /* 60 s of stream, then the source restarts from 0 */
  for (i = 0; i < 600; i++)
    push (h, i, 1, 16);
  for (i = 0; i < 100; i++)
    fail_unless_equals_int (gst_harness_push (h, flu_test_buffer_new (600 +
                i, 16, TRUE, i * BUF_DUR, 1)), GST_FLOW_OK);
  g_object_get (h->element, "buffers-queued", &queued, NULL);
  /* 1 s at 10 buffers/s after the restart: 11 buffers */
  fail_unless_equals_int (queued, 11);
  gst_harness_teardown (h);
  gst_object_unref (e);
}

GST_END_TEST;

/* The figure, spelled out: bytes-min=100, nine 16-byte buffers,
 * no client: 7 queued at once, for every burst sync method. */
GST_START_TEST (test_bytes_min_nine_buffers)
{
  static const gchar *methods[] = { "burst", "burst-keyframe",
    "burst-with-keyframe"
  };
  guint m;

  for (m = 0; m < G_N_ELEMENTS (methods); m++) {
    QueuedCase qc = { methods[m], "bytes-min", 100, 1, 16 };
    GArray *ours = run_queued ("flumultifdsink", &qc, 9);

    fail_unless_equals_int (g_array_index (ours, guint, 8), 7);
    g_array_free (ours, TRUE);
  }
}

GST_END_TEST;

/* 100,000 buffers with bytes-min set in NULL and no client leave a small
 * ring (it used to keep all of them), for every sync method; a client
 * added afterwards still gets the stream. */
GST_START_TEST (test_no_client_ring_bounded)
{
  static const gchar *methods[] = { "latest", "next-keyframe",
    "latest-keyframe", "burst", "burst-keyframe", "burst-with-keyframe"
  };
  const gchar *method = methods[__i__];
  GstElement *e = gst_element_factory_make ("flumultifdsink", NULL);
  GstHarness *h;
  GByteArray *got;
  GArray *p;
  guint i, queued, max_queued = 0;
  guint64 bytes;
  gint fds[2];

  gst_util_set_object_arg (G_OBJECT (e), "sync-method", method);
  g_object_set (e, "bytes-min", 1000, NULL);
  h = gst_harness_new_with_element (e, "sink", NULL);
  g_object_set (h->element, "sync", FALSE, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  for (i = 0; i < 100000; i++) {
    push (h, i, 10, 16);
    if (i % 1000 == 999) {
      g_object_get (h->element, "buffers-queued", &queued, NULL);
      max_queued = MAX (max_queued, queued);
    }
  }
  g_object_get (h->element, "buffers-queued", &queued, "bytes-queued",
      &bytes, NULL);
  GST_INFO ("%s: %u buffers, %" G_GUINT64_FORMAT " bytes queued, at most %u",
      method, queued, bytes, max_queued);
  /* 1000 bytes are 63 buffers of 16; back to a keyframe: 9 more */
  fail_unless (max_queued <= 63 + 9, "%s: %u buffers queued", method,
      max_queued);
  fail_unless (queued >= 63, "%s: bytes-min not kept (%u)", method, queued);

  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  for (; i < 100020; i++)
    push (h, i, 10, 16);
  got = flu_test_read_all (fds[1], 200);
  p = parse_client (got, NULL);
  fail_unless (p->len > 0, "%s: the client got nothing", method);
  fail_unless_equals_int (parsed_seq (p, p->len - 1), 100019);
  g_array_free (p, TRUE);
  g_byte_array_unref (got);
  gst_harness_teardown (h);
  gst_object_unref (e);
  close (fds[0]);
  close (fds[1]);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */

GST_START_TEST (test_streamheader_once_and_resend)
{
  gboolean resend = __i__ == 0;
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  GByteArray *got;
  GArray *p;
  gint fds[2];
  guint i;
  gsize off;
  gchar *err = NULL;

  g_object_set (h->element, "resend-streamheader", resend, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("AAAA", "BB"));
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  for (i = 0; i < 5; i++)
    push (h, i, 5, 64);
  /* same headers in new caps: nothing is re-sent */
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("AAAA", "BB"));
  for (i = 5; i < 8; i++)
    push (h, i, 5, 64);
  /* different headers */
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("CCCCCC", NULL));
  for (i = 8; i < 10; i++)
    push (h, i, 5, 64);
  got = flu_test_read_all (fds[1], 200);

  /* AAAABB, buffers 0..7, [CCCCCC], buffers 8..9 */
  fail_unless (got->len > 6 && memcmp (got->data, "AAAABB", 6) == 0);
  p = g_array_new (FALSE, FALSE, sizeof (FluTestParsed));
  off = 6 + 8 * 64;
  fail_unless (flu_test_parse (got->data + 6, 8 * 64, p, &err), "%s", err);
  fail_unless_equals_int (p->len, 8);
  if (resend) {
    fail_unless (memcmp (got->data + off, "CCCCCC", 6) == 0,
        "changed headers not re-sent");
    off += 6;
  }
  fail_unless_equals_int (got->len, off + 2 * 64);
  g_array_set_size (p, 0);
  fail_unless (flu_test_parse (got->data + off, 2 * 64, p, &err), "%s", err);
  fail_unless_equals_int (parsed_seq (p, 0), 8);
  finish (h, fds, got, p);
}

GST_END_TEST;

/* header buffers that are in the caps are not queued as data */
GST_START_TEST (test_header_buffers_not_queued)
{
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  GByteArray *got;
  GArray *p;
  GstBuffer *hb;
  gint fds[2];

  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("HDR", NULL));
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  hb = gst_buffer_new_memdup ("HDR", 3);
  GST_BUFFER_FLAG_SET (hb, GST_BUFFER_FLAG_HEADER);
  fail_unless_equals_int (gst_harness_push (h, hb), GST_FLOW_OK);
  push (h, 0, 5, 64);
  got = flu_test_read_all (fds[1], 200);
  p = parse_client (got, "HDR");
  fail_unless_equals_int (p->len, 1);
  finish (h, fds, got, p);
}

GST_END_TEST;

/* run twice: writing every buffer at once, and coalescing for 50 ms */
GST_START_TEST (test_multi_memory_buffers)
{
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  GByteArray *got;
  GArray *p;
  gint fds[2];
  guint i;

  g_object_set (h->element, "coalesce-time", (guint64) (__i__ * 50 *
          GST_MSECOND), NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("H", NULL));
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  for (i = 0; i < 50; i++)
    fail_unless_equals_int (gst_harness_push (h, flu_test_buffer_new (i,
                1000 + i * 37, i % 10 == 0, i * BUF_DUR, 1 + i % 5)),
        GST_FLOW_OK);
  got = flu_test_read_all (fds[1], 300);
  p = parse_client (got, "H");
  fail_unless_equals_int (p->len, 50);
  for (i = 0; i < 50; i++)
    fail_unless_equals_int (parsed_seq (p, i), i);
  finish (h, fds, got, p);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* removal, flush, clear, duplicates, stats */

GST_START_TEST (test_remove_and_stats)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  GstStructure *st = NULL;
  GByteArray *got, *after;
  guint64 sent = 0, v;
  guint num;
  gint fds[2], status;
  const gchar *fields[] = { "bytes-sent", "connect-time",
    "connect-time-monotonic", "disconnect-time", "disconnect-time-monotonic",
    "connect-duration", "last-activity-time-monotonic", "buffers-dropped",
    "first-buffer-ts", "last-buffer-ts", "resyncs", "lag-bytes", "lag-time",
    "peak-lag-bytes", "peak-lag-time"
  };
  guint i;

  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("H", NULL));
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  fail_unless_equals_int (ev->added->len, 1);
  g_object_get (h->element, "num-handles", &num, NULL);
  fail_unless_equals_int (num, 1);
  for (i = 0; i < 10; i++)
    push (h, i, 5, 100);
  got = flu_test_read_all (fds[1], 200);
  fail_unless_equals_int (got->len, 1 + 10 * 100);

  g_signal_emit_by_name (h->element, "get-stats", fds[0], &st);
  for (i = 0; i < G_N_ELEMENTS (fields); i++)
    fail_unless (gst_structure_get_uint64 (st, fields[i], &v),
        "stats field %s missing", fields[i]);
  gst_structure_get_uint64 (st, "bytes-sent", &sent);
  fail_unless_equals_uint64 (sent, got->len);
  gst_structure_get_uint64 (st, "first-buffer-ts", &v);
  fail_unless_equals_uint64 (v, 0);
  gst_structure_get_uint64 (st, "last-buffer-ts", &v);
  fail_unless_equals_uint64 (v, 9 * BUF_DUR);
  gst_structure_free (st);

  /* remove: signals emitted before it returns, then nothing more arrives */
  g_signal_emit_by_name (h->element, "remove", fds[0]);
  fail_unless_equals_int (ev->removed_fds->len, 1);
  fail_unless_equals_int (ev->fd_removed->len, 1);
  status = g_array_index (ev->removed_status, gint, 0);
  fail_unless_equals_int (status, 2);   /* removed */
  fail_unless_equals_int (ev->stats_in_removed, 1);
  for (i = 10; i < 15; i++)
    push (h, i, 5, 100);
  after = flu_test_read_all (fds[1], 100);
  fail_unless_equals_int (after->len, 0);
  g_object_get (h->element, "num-handles", &num, NULL);
  fail_unless_equals_int (num, 0);

  /* unknown fd: empty stats */
  g_signal_emit_by_name (h->element, "get-stats", fds[0], &st);
  fail_unless_equals_int (gst_structure_n_fields (st), 0);
  gst_structure_free (st);

  g_byte_array_unref (got);
  g_byte_array_unref (after);
  finish (h, fds, NULL, NULL);
  events_free (ev);
}

GST_END_TEST;

GST_START_TEST (test_duplicate_and_bad_fd)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  gint fds[2];

  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  fail_unless_equals_int (ev->added->len, 1);
  fail_unless_equals_int (ev->removed_fds->len, 1);
  fail_unless_equals_int (g_array_index (ev->removed_status, gint, 0), 5);
  /* the duplicate refusal does not release the original */
  fail_unless_equals_int (ev->fd_removed->len, 0);
  g_signal_emit_by_name (h->element, "add", 987654);
  fail_unless_equals_int (ev->added->len, 1);
  fail_unless_equals_int (g_array_index (ev->removed_status, gint, 1), 4);
  gst_harness_teardown (h);
  /* stopping removes the remaining client */
  fail_unless_equals_int (ev->fd_removed->len, 1);
  close (fds[0]);
  close (fds[1]);
  events_free (ev);
}

GST_END_TEST;

GST_START_TEST (test_add_in_null_state_warns)
{
  GstElement *e = gst_element_factory_make ("flumultifdsink", NULL);
  gint fds[2];

  socket_pair (fds);
  ASSERT_WARNING (g_signal_emit_by_name (e, "add", fds[0]));
  gst_object_unref (e);
  close (fds[0]);
  close (fds[1]);
}

GST_END_TEST;

/* add in NULL warns whatever the fd and limits, as the stock element
 * does, and emits neither client-added nor client-removed. */
static void
add_in_null (const gchar * factory, guint * signals_out)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  Events *ev = events_new ();
  gint fds[2], closed[2];

  fail_unless (e != NULL, "no %s element (the stock one comes with "
      "gst-plugins-base)", factory);
  g_signal_connect (e, "client-added", G_CALLBACK (on_added), ev);
  g_signal_connect (e, "client-removed", G_CALLBACK (on_removed), ev);
  g_signal_connect (e, "client-fd-removed", G_CALLBACK (on_fd_removed), ev);
  socket_pair (fds);
  socket_pair (closed);
  close (closed[0]);
  close (closed[1]);
  ASSERT_WARNING (g_signal_emit_by_name (e, "add", fds[0]));
  /* an fd that is not open: the state comes first */
  ASSERT_WARNING (g_signal_emit_by_name (e, "add", closed[0]));
  ASSERT_WARNING (g_signal_emit_by_name (e, "add", -1));
  /* limits that are wrong: the state comes first too */
  ASSERT_WARNING (g_signal_emit_by_name (e, "add-full", fds[0], 3,
          GST_FORMAT_BYTES, (guint64) 100, GST_FORMAT_BYTES, (guint64) 10));
  ASSERT_WARNING (g_signal_emit_by_name (e, "add-full", closed[0], 3,
          GST_FORMAT_BYTES, (guint64) 100, GST_FORMAT_BYTES, (guint64) 10));
  *signals_out = ev->added->len + ev->removed_fds->len + ev->fd_removed->len;
  gst_object_unref (e);
  events_free (ev);
  close (fds[0]);
  close (fds[1]);
}

GST_START_TEST (test_add_in_null_matches_stock)
{
  guint ours, stock;

  add_in_null ("multifdsink", &stock);
  add_in_null ("flumultifdsink", &ours);
  fail_unless_equals_int (stock, 0);
  fail_unless_equals_int (ours, stock);
}

GST_END_TEST;

GST_START_TEST (test_remove_flush)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  GByteArray *got;
  GArray *p;
  gint fds[2], sndbuf = 4096;
  guint i;

  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("H", NULL));
  socket_pair (fds);
  setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof (sndbuf));
  g_signal_emit_by_name (h->element, "add", fds[0]);
  /* the client does not read: most of this stays queued */
  for (i = 0; i < 40; i++)
    push (h, i, 5, 1000);
  g_signal_emit_by_name (h->element, "remove-flush", fds[0]);
  for (i = 40; i < 45; i++)
    push (h, i, 5, 1000);
  /* now read: everything up to the flush point, nothing after */
  got = flu_test_read_all (fds[1], 300);
  fail_unless (events_wait_removed (ev, 1, 5000));
  p = parse_client (got, "H");
  fail_unless_equals_int (p->len, 40);
  fail_unless_equals_int (parsed_seq (p, 39), 39);
  fail_unless_equals_int (g_array_index (ev->removed_status, gint, 0), 2);
  finish (h, fds, got, p);
  events_free (ev);
}

GST_END_TEST;

GST_START_TEST (test_clear)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  gint fds[10][2];
  guint i, num;

  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  for (i = 0; i < 10; i++) {
    socket_pair (fds[i]);
    g_signal_emit_by_name (h->element, "add", fds[i][0]);
  }
  push (h, 0, 5, 100);
  g_signal_emit_by_name (h->element, "clear");
  fail_unless_equals_int (ev->fd_removed->len, 10);
  for (i = 0; i < 10; i++)
    fail_unless_equals_int (g_array_index (ev->removed_status, gint, i), 2);
  g_object_get (h->element, "num-handles", &num, NULL);
  fail_unless_equals_int (num, 0);
  gst_harness_teardown (h);
  for (i = 0; i < 10; i++) {
    close (fds[i][0]);
    close (fds[i][1]);
  }
  events_free (ev);
}

GST_END_TEST;

/* clear() walks the clients while the writer removes the ones whose peer
 * left and compacts the array (the clients cookie): every client leaves
 * exactly once, none is missed. */
GST_START_TEST (test_clear_while_clients_leave)
{
  enum
  { N = 100, ROUNDS = 5 };
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  gint fds[N][2];
  guint i, j, r, num, seq = 0;

  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  for (r = 0; r < ROUNDS; r++) {
    guint base = r * N;
    guint8 seen[N];

    for (i = 0; i < N; i++) {
      socket_pair (fds[i]);
      g_signal_emit_by_name (h->element, "add", fds[i][0]);
    }
    push (h, seq++, 5, 100);
    for (i = 1; i < N; i += 2)
      close (fds[i][1]);
    for (i = 0; i < 3; i++)
      push (h, seq++, 5, 100);
    g_signal_emit_by_name (h->element, "clear");
    fail_unless (events_wait_removed (ev, base + N, 5000));
    g_usleep (20000);
    fail_unless_equals_int (events_n_fd_removed (ev), base + N);
    memset (seen, 0, sizeof (seen));
    g_mutex_lock (&ev->lock);
    for (j = base; j < base + N; j++) {
      gint fd = g_array_index (ev->fd_removed, gint, j);

      for (i = 0; i < N; i++)
        if (fds[i][0] == fd)
          seen[i]++;
    }
    g_mutex_unlock (&ev->lock);
    for (i = 0; i < N; i++)
      fail_unless_equals_int (seen[i], 1);
    g_object_get (h->element, "num-handles", &num, NULL);
    fail_unless_equals_int (num, 0);
    for (i = 0; i < N; i++) {
      close (fds[i][0]);
      if (i % 2 == 0)
        close (fds[i][1]);
    }
  }
  gst_harness_teardown (h);
  events_free (ev);
}

GST_END_TEST;

typedef struct
{
  GstElement *sink;
  gint value;
} Setter;

static gpointer
set_buffers_min (gpointer data)
{
  Setter *st = data;
  guint i;

  for (i = 0; i < 50; i++)
    g_object_set (st->sink, "buffers-min", st->value + (gint) (i % 2), NULL);
  return NULL;
}

/* Two threads set the same property: whichever set lands last in the
 * element is the one the engine applies (the copies carry a sequence
 * number, flu_fanout_set_config_seq ()).  A consistency check over the
 * element: the window between the copy and the apply is too narrow for
 * this to fail reliably without the numbers; multifd/flufanoutpolicy's
 * test_config_seq_out_of_order applies two copies in the wrong order. */
GST_START_TEST (test_setters_last_wins)
{
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  Setter a = { h->element, 5 }, b = { h->element, 12 };
  GThread *ta, *tb;
  gint v;
  guint q, i, round, seq = 0;

  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  for (round = 0; round < 300; round++) {
    ta = g_thread_new ("setter-a", set_buffers_min, &a);
    tb = g_thread_new ("setter-b", set_buffers_min, &b);
    g_thread_join (ta);
    g_thread_join (tb);
    g_object_get (h->element, "buffers-min", &v, NULL);
    for (i = 0; i < 15; i++)
      push (h, seq++, 5, 100);
    g_object_get (h->element, "buffers-queued", &q, NULL);
    fail_unless_equals_int (q, v);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_client_closes)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  gint fds[2];
  guint i;

  ev->close_on_fd_removed = TRUE;
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  push (h, 0, 5, 100);
  close (fds[1]);
  for (i = 1; i < 20 && events_n_fd_removed (ev) == 0; i++) {
    push (h, i, 5, 100);
    g_usleep (20000);
  }
  fail_unless (events_wait_removed (ev, 1, 5000));
  fail_unless_equals_int (g_array_index (ev->removed_status, gint, 0), 1);
  gst_harness_teardown (h);
  events_free (ev);
}

GST_END_TEST;

GST_START_TEST (test_idle_timeout)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  gint fds[2];

  g_object_set (h->element, "timeout", (guint64) (200 * GST_MSECOND), NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  socket_pair (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  /* no data at all: the timeout still fires */
  fail_unless (events_wait_removed (ev, 1, 5000));
  fail_unless_equals_int (g_array_index (ev->removed_status, gint, 0), 3);
  finish (h, fds, NULL, NULL);
  events_free (ev);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* slow clients */

static void
setup_stalled (gint fds[2])
{
  gint sndbuf = 4096, rcvbuf = 4096;

  socket_pair (fds);
  setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof (sndbuf));
  setsockopt (fds[1], SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof (rcvbuf));
}

GST_START_TEST (test_units_max_drops_slow)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  gint fds[2], good[2];
  GByteArray *got;
  GArray *p;
  guint i;

  g_object_set (h->element, "units-max", (gint64) 20, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  setup_stalled (fds);
  socket_pair (good);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  g_signal_emit_by_name (h->element, "add", good[0]);
  for (i = 0; i < 200; i++) {
    push (h, i, 10, 2000);
    if (i % 20 == 0)
      g_usleep (10000);
    /* the good client keeps reading */
    g_byte_array_unref (flu_test_read_all (good[1], 0));
  }
  fail_unless (events_wait_removed (ev, 1, 5000));
  fail_unless_equals_int (g_array_index (ev->removed_fds, gint, 0), fds[0]);
  fail_unless_equals_int (g_array_index (ev->removed_status, gint, 0), 3);
  g_signal_emit_by_name (h->element, "remove", good[0]);
  gst_harness_teardown (h);
  /* whatever the slow client got is intact, up to where it was cut off */
  got = flu_test_read_all (fds[1], 100);
  p = parse_client_full (got, NULL, TRUE);
  g_array_free (p, TRUE);
  g_byte_array_unref (got);
  close (fds[0]);
  close (fds[1]);
  close (good[0]);
  close (good[1]);
  events_free (ev);
}

GST_END_TEST;

GST_START_TEST (test_backlog_limit_drops_slow)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  gint fds[2];
  guint i, queued;

  g_object_set (h->element, "backlog-limit", (guint64) 100000, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  setup_stalled (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  for (i = 0; i < 300 && events_n_fd_removed (ev) == 0; i++) {
    push (h, i, 10, 2000);
    if (i % 10 == 0)
      g_usleep (5000);
  }
  fail_unless (events_wait_removed (ev, 1, 5000));
  fail_unless_equals_int (g_array_index (ev->removed_status, gint, 0), 3);
  push (h, 1000, 10, 2000);
  push (h, 1001, 10, 2000);
  g_usleep (50000);
  push (h, 1002, 10, 2000);
  g_object_get (h->element, "buffers-queued", &queued, NULL);
  fail_unless (queued <= 2, "ring still holds %u buffers", queued);
  finish (h, fds, NULL, NULL);
  events_free (ev);
}

GST_END_TEST;

/* recover-policy: a stalled client jumps, and the jump lands where the
 * policy says; nothing it receives is torn. */
GST_START_TEST (test_recover_policies)
{
  const gchar *policy = __i__ == 0 ? "keyframe" : (__i__ == 1 ? "latest" :
      "soft-limit");
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  GstStructure *st = NULL;
  GByteArray *got, *more;
  GArray *p;
  gint fds[2];
  guint i, jumps = 0;
  guint64 resyncs = 0, dropped = 0;

  gst_util_set_object_arg (G_OBJECT (h->element), "recover-policy", policy);
  g_object_set (h->element, "units-soft-max", (gint64) 30, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("H", NULL));
  setup_stalled (fds);
  g_signal_emit_by_name (h->element, "add", fds[0]);
  for (i = 0; i < 150; i++) {
    push (h, i, 10, 1500);
    if (i % 10 == 0)
      g_usleep (10000);
  }
  g_usleep (100000);
  /* the reader wakes up and drains; more data flows */
  got = flu_test_read_all (fds[1], 100);
  for (i = 150; i < 170; i++) {
    push (h, i, 10, 1500);
    more = flu_test_read_all (fds[1], 20);
    g_byte_array_append (got, more->data, more->len);
    g_byte_array_unref (more);
  }
  more = flu_test_read_all (fds[1], 200);
  g_byte_array_append (got, more->data, more->len);
  g_byte_array_unref (more);

  g_signal_emit_by_name (h->element, "get-stats", fds[0], &st);
  gst_structure_get_uint64 (st, "resyncs", &resyncs);
  gst_structure_get_uint64 (st, "buffers-dropped", &dropped);
  gst_structure_free (st);
  fail_unless (resyncs >= 1, "%s: no resync recorded", policy);
  fail_unless (dropped > 0, "%s: nothing dropped", policy);

  p = parse_client (got, "H");
  for (i = 1; i < p->len; i++) {
    guint a = parsed_seq (p, i - 1), b = parsed_seq (p, i);

    fail_unless (b > a, "%s: went backwards %u -> %u", policy, a, b);
    if (b != a + 1) {
      jumps++;
      if (g_str_equal (policy, "keyframe"))
        fail_unless (g_array_index (p, FluTestParsed, i).keyframe,
            "resync to %u which is not a keyframe", b);
    }
  }
  fail_unless (jumps >= 1, "%s: no jump in the received stream", policy);
  fail_unless_equals_int (parsed_seq (p, p->len - 1), 169);
  finish (h, fds, got, p);
  events_free (ev);
}

GST_END_TEST;

/* A client that never reads does not block the streaming thread nor
 * delay another client: all pushes return, the reader gets everything. */
GST_START_TEST (test_stalled_client_never_blocks)
{
  GstHarness *h = make_sink ("flumultifdsink", NULL);
  gint stalled[2], good[2];
  GByteArray *got;
  GArray *p;
  guint i;

  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, "application/x-flu-test");
  setup_stalled (stalled);
  socket_pair (good);
  g_signal_emit_by_name (h->element, "add", stalled[0]);
  g_signal_emit_by_name (h->element, "add", good[0]);
  got = g_byte_array_new ();
  for (i = 0; i < 1000; i++) {
    GByteArray *b;

    push (h, i, 25, 10000);
    b = flu_test_read_all (good[1], 0);
    g_byte_array_append (got, b->data, b->len);
    g_byte_array_unref (b);
  }
  {
    GByteArray *b = flu_test_read_all (good[1], 300);

    g_byte_array_append (got, b->data, b->len);
    g_byte_array_unref (b);
  }
  p = parse_client (got, NULL);
  fail_unless_equals_int (p->len, 1000);
  g_array_free (p, TRUE);
  g_byte_array_unref (got);
  gst_harness_teardown (h);
  close (stalled[0]);
  close (stalled[1]);
  close (good[0]);
  close (good[1]);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Randomized: hundreds of clients reading at random speeds. */

#define N_RANDOM_CLIENTS 300
#define N_RANDOM_BUFFERS 1500

typedef struct
{
  gint fds[2];
  GByteArray *got;
  guint speed;                  /* max bytes per read turn */
  guint join_at;
  gboolean leaves_early;
  gboolean removed;
} RClient;

GST_START_TEST (test_random_clients)
{
  Events *ev = events_new ();
  GstHarness *h = make_sink ("flumultifdsink", ev);
  RClient *cl = g_new0 (RClient, N_RANDOM_CLIENTS);
  GRand *rand = g_rand_new_with_seed (20261126);
  guint i, k, resynced_clients = 0, total_buffers = 0;

  gst_util_set_object_arg (G_OBJECT (h->element), "sync-method",
      "burst-keyframe");
  gst_util_set_object_arg (G_OBJECT (h->element), "burst-format", "bytes");
  gst_util_set_object_arg (G_OBJECT (h->element), "recover-policy", "keyframe");
  gst_util_set_object_arg (G_OBJECT (h->element), "unit-format", "bytes");
  g_object_set (h->element, "burst-value", (guint64) 20000,
      "units-soft-max", (gint64) 120000, NULL);
  gst_harness_play (h);
  gst_harness_set_src_caps (h, flu_test_caps_with_headers ("HDR1", "HDR2"));

  for (k = 0; k < N_RANDOM_CLIENTS; k++) {
    gint sndbuf = 8192;

    socket_pair (cl[k].fds);
    setsockopt (cl[k].fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof (sndbuf));
    fcntl (cl[k].fds[1], F_SETFL, O_NONBLOCK);
    cl[k].got = g_byte_array_new ();
    cl[k].speed = g_rand_int_range (rand, 0, 4) == 0 ? 200 :
        g_rand_int_range (rand, 2000, 40000);
    cl[k].join_at = g_rand_int_range (rand, 0, N_RANDOM_BUFFERS / 2);
    cl[k].leaves_early = g_rand_int_range (rand, 0, 10) == 0;
  }

  for (i = 0; i < N_RANDOM_BUFFERS; i++) {
    for (k = 0; k < N_RANDOM_CLIENTS; k++)
      if (cl[k].join_at == i)
        g_signal_emit_by_name (h->element, "add", cl[k].fds[0]);
    push (h, i, 12, g_rand_int_range (rand, 100, 3000));
    for (k = 0; k < N_RANDOM_CLIENTS; k++) {
      guint8 buf[40000];
      ssize_t r;

      if (cl[k].join_at > i)
        continue;
      /* leave 300 buffers after joining, once the headers came (a busy
       * machine may not have run the writer for this client yet) */
      if (cl[k].leaves_early && !cl[k].removed && i >= cl[k].join_at + 300
          && cl[k].got->len >= 8) {
        g_signal_emit_by_name (h->element, "remove", cl[k].fds[0]);
        cl[k].removed = TRUE;
        continue;
      }
      r = read (cl[k].fds[1], buf, g_rand_int_range (rand, 1, cl[k].speed));
      if (r > 0)
        g_byte_array_append (cl[k].got, buf, r);
    }
  }
  /* drain every client until the sink has nothing more for anyone */
  {
    guint quiet = 0;

    while (quiet < 4) {
      gboolean any = FALSE;

      for (k = 0; k < N_RANDOM_CLIENTS; k++) {
        guint8 buf[65536];
        ssize_t r;

        while ((r = read (cl[k].fds[1], buf, sizeof (buf))) > 0) {
          g_byte_array_append (cl[k].got, buf, r);
          any = TRUE;
        }
      }
      quiet = any ? 0 : quiet + 1;
      g_usleep (50000);
    }
  }

  for (k = 0; k < N_RANDOM_CLIENTS; k++) {
    GArray *p;
    GstStructure *st = NULL;
    guint64 resyncs = 0;
    guint j, jumps = 0;

    g_signal_emit_by_name (h->element, "get-stats", cl[k].fds[0], &st);
    gst_structure_get_uint64 (st, "resyncs", &resyncs);
    gst_structure_free (st);

    fail_unless (cl[k].got->len >= 8, "client %u (joined at buffer %u%s) "
        "got %u bytes, not even the stream headers", k, cl[k].join_at,
        cl[k].leaves_early ? ", left early" : "", cl[k].got->len);
    p = parse_client_full (cl[k].got, "HDR1HDR2", cl[k].leaves_early);
    fail_unless (p->len > 0, "client %u got no buffer", k);
    fail_unless (g_array_index (p, FluTestParsed, 0).keyframe,
        "client %u did not start on a keyframe", k);
    for (j = 1; j < p->len; j++) {
      if (parsed_seq (p, j) != parsed_seq (p, j - 1) + 1) {
        jumps++;
        fail_unless (g_array_index (p, FluTestParsed, j).keyframe,
            "client %u resynced onto a delta frame", k);
        fail_unless (parsed_seq (p, j) > parsed_seq (p, j - 1));
      }
    }
    /* every jump is a recorded resync (a resync to the very next keyframe
     * may not show as a jump) */
    if (!cl[k].leaves_early)
      fail_unless (jumps <= resyncs, "client %u: %u jumps, %"
          G_GUINT64_FORMAT " resyncs", k, jumps, resyncs);
    if (resyncs)
      resynced_clients++;
    total_buffers += p->len;
    g_array_free (p, TRUE);
  }
  GST_INFO ("%u of %u clients resynced, %u buffers checked",
      resynced_clients, N_RANDOM_CLIENTS, total_buffers);
  fail_unless (resynced_clients > 0, "the slow readers never resynced");

  gst_harness_teardown (h);
  for (k = 0; k < N_RANDOM_CLIENTS; k++) {
    close (cl[k].fds[0]);
    close (cl[k].fds[1]);
    g_byte_array_unref (cl[k].got);
  }
  g_free (cl);
  g_rand_free (rand);
  events_free (ev);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */

static Suite *
flumultifdsink_suite (void)
{
  Suite *s = suite_create ("flumultifdsink");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_properties_match_stock);
  tcase_add_test (tc, test_signals_match_stock);
  tcase_add_loop_test (tc, test_sync_methods_match_stock, 0,
      G_N_ELEMENTS (compat_cases));
  tcase_add_test (tc, test_sync_method_positions);
  tcase_add_test (tc, test_burst_keyframe_keeps_ring);
  tcase_add_loop_test (tc, test_queued_matches_stock, 0,
      G_N_ELEMENTS (queued_cases));
  tcase_add_loop_test (tc, test_queued_then_client_matches_stock, 0,
      G_N_ELEMENTS (queued_cases));
  tcase_add_test (tc, test_bytes_min_nine_buffers);
  tcase_add_test (tc, test_buffers_min_kept);
  tcase_add_test (tc, test_time_min_after_timestamps_go_back);
  tcase_add_loop_test (tc, test_no_client_ring_bounded, 0, 6);
  tcase_add_test (tc, test_start_on_add);
  tcase_add_test (tc, test_uncork_on_first_write);
  tcase_add_loop_test (tc, test_streamheader_once_and_resend, 0, 2);
  tcase_add_test (tc, test_header_buffers_not_queued);
  tcase_add_loop_test (tc, test_multi_memory_buffers, 0, 2);
  tcase_add_test (tc, test_remove_and_stats);
  tcase_add_test (tc, test_duplicate_and_bad_fd);
  tcase_add_test (tc, test_add_in_null_state_warns);
  tcase_add_test (tc, test_add_in_null_matches_stock);
  tcase_add_test (tc, test_remove_flush);
  tcase_add_test (tc, test_clear);
  tcase_add_test (tc, test_clear_while_clients_leave);
  tcase_add_test (tc, test_setters_last_wins);
  tcase_add_test (tc, test_client_closes);
  tcase_add_test (tc, test_idle_timeout);
  tcase_add_test (tc, test_units_max_drops_slow);
  tcase_add_test (tc, test_backlog_limit_drops_slow);
  tcase_add_loop_test (tc, test_recover_policies, 0, 3);
  tcase_add_test (tc, test_stalled_client_never_blocks);
  tcase_add_test (tc, test_random_clients);
  return s;
}

GST_CHECK_MAIN (flumultifdsink);
