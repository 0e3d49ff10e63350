/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* fluhlsgroup.c's registry against a real server (fluhttpserver.c), no
 * element: members of one group joining and leaving from two threads at
 * once, as fluhlssinks restarting do.  Each join must succeed (the
 * group's multivariant playlist mounted once, whoever creates it), and
 * the multivariant playlist must be mounted while the group has a
 * member and gone once it has none. */

#include <gst/check/gstcheck.h>

#include "fluhlsgroup.h"
#include "fluhttptest.h"

#define ROUNDS 20
#define THREADS 2
#define TIMES 1000

static FluHttpServer *server;

/* two threads on one group, started anew many times: it is often empty,
 * and a thread just started is often slow to its first steps, or
 * preempted between a step of a leave and the next, while the other's
 * join runs */
static gpointer
churn (gpointer data)
{
  guint n = GPOINTER_TO_UINT (data), i;
  gchar *mount = g_strdup_printf ("/m%u/", n);
  gchar *group = g_strdup ("g");

  for (i = 0; i < ROUNDS; i++) {
    GError *err = NULL;
    FluHlsMember *m = flu_hls_group_join (server, group, mount, NULL, 1,
        "same", &err);

    fail_unless (m != NULL, "round %u: %s", i, err ? err->message : "?");
    flu_hls_group_leave (m);
  }
  g_free (mount);
  g_free (group);
  return NULL;
}

GST_START_TEST (test_group_join_leave_race)
{
  GError *err = NULL;
  GThread *t[THREADS];
  guint i, k;
  FluHlsMember *m;
  guint port;

  server = flu_http_server_acquire ("127.0.0.1", 0, 10, &err);
  fail_unless (server != NULL, "%s", err ? err->message : "?");
  port = flu_http_server_get_port (server);
  for (k = 0; k < TIMES; k++) {
    for (i = 0; i < THREADS; i++)
      t[i] = g_thread_new ("churn", churn, GUINT_TO_POINTER (i));
    for (i = 0; i < THREADS; i++)
      g_thread_join (t[i]);
  }
  /* no member: nothing mounted */
  fail_unless_equals_int (http_status (port, "/g.m3u8", NULL), 404);
  /* one member: mounted (503 until a rendition has a segment) */
  m = flu_hls_group_join (server, "g", "/a/", NULL, 1, "same", &err);
  fail_unless (m != NULL, "%s", err ? err->message : "?");
  fail_unless_equals_int (http_status (port, "/g.m3u8", NULL), 503);
  flu_hls_group_leave (m);
  fail_unless_equals_int (http_status (port, "/g.m3u8", NULL), 404);
  flu_http_server_release (server);
}

GST_END_TEST;

static Suite *
fluhlsgroup_suite (void)
{
  Suite *s = suite_create ("fluhlsgroup");
  TCase *tc = tcase_create ("group");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_group_join_leave_race);
  return s;
}

GST_CHECK_MAIN (fluhlsgroup);
