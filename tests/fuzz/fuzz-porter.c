/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Library General Public License for more details.
 *
 * You should have received a copy of the GNU Library General Public
 * License along with this library; if not, write to the
 * Free Software Foundation, Inc., 51 Franklin St, Fifth Floor,
 * Boston, MA 02110-1301, USA.
 */

/* Fuzz target for what flu-porter and its streamers read from each other
 * and from the public side (tools/porter/fluporterproto.c): byte 0 picks
 *   0: the rest is a protocol packet (parsed; a route body parsed too);
 *   1: the rest is what a public connection sent (the request-line
 *      reader, at a limit from byte 1), its path routed through a table
 *      of a few exact paths and prefixes;
 *   2: the rest is a list of NUL-separated route operations applied to a
 *      routing table by two owners (add/remove, exact/prefix), then a
 *      lookup of each path and an owner's removal. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fluporterproto.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static void
packet (const guint8 * data, gsize size)
{
  FluPorterMsg m;
  FluPorterRouteKind kind;
  const gchar *why;
  gchar *path;

  if (!flu_porter_msg_parse (data, size, &m, &why))
    return;
  if (m.len + FLU_PORTER_HEADER_LEN != size)
    abort ();
  if (flu_porter_route_parse (&m, &kind, &path)) {
    if (path[0] != '/' || strlen (path) != m.len - 1)
      abort ();
    g_free (path);
  }
}

static void
request (const guint8 * data, gsize size)
{
  FluPorterRoutes *r;
  gsize max;
  gchar *path = NULL;
  static gint a, b;

  if (size < 1)
    return;
  max = 16 + data[0] * 32;
  r = flu_porter_routes_new ();
  flu_porter_routes_add (r, FLU_PORTER_ROUTE_EXACT, "/a.webm", &a);
  flu_porter_routes_add (r, FLU_PORTER_ROUTE_PREFIX, "/room1/", &b);
  flu_porter_routes_add (r, FLU_PORTER_ROUTE_PREFIX, "/", &a);
  if (flu_porter_request_line ((const gchar *) data + 1, size - 1, max,
          &path) == FLU_PORTER_LINE_OK) {
    if (path == NULL || path[0] != '/')
      abort ();
    flu_porter_routes_lookup (r, path);
    g_free (path);
  } else if (path != NULL) {
    abort ();
  }
  flu_porter_routes_free (r);
}

static void
routes (const guint8 * data, gsize size)
{
  FluPorterRoutes *r = flu_porter_routes_new ();
  gchar *text = g_strndup ((const gchar *) data, size);
  gchar **ops = g_strsplit (text, "\n", 64), **op;
  static gint owners[2];

  for (op = ops; *op; op++) {
    gsize len = strlen (*op);
    FluPorterRouteKind kind;
    gpointer owner;

    if (len < 2)
      continue;
    kind = ((*op)[0] & 1) ? FLU_PORTER_ROUTE_PREFIX : FLU_PORTER_ROUTE_EXACT;
    owner = &owners[((*op)[0] >> 1) & 1];
    if (!flu_porter_path_valid (*op + 1, len - 1, kind))
      continue;
    if ((*op)[0] & 4)
      flu_porter_routes_remove (r, kind, *op + 1, owner);
    else
      flu_porter_routes_add (r, kind, *op + 1, owner);
  }
  for (op = ops; *op; op++) {
    if ((*op)[0] == '\0')
      continue;
    if ((*op)[1] == '/') {
      gchar *n = flu_porter_path_normalize (*op + 1);

      flu_porter_routes_lookup (r, n);
      g_free (n);
    }
  }
  flu_porter_routes_remove_owner (r, &owners[0]);
  flu_porter_routes_count (r, &owners[1]);
  g_strfreev (ops);
  g_free (text);
  flu_porter_routes_free (r);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  if (size < 1)
    return 0;
  switch (data[0] % 3) {
    case 0:
      packet (data + 1, size - 1);
      break;
    case 1:
      request (data + 1, size - 1);
      break;
    default:
      routes (data + 1, size - 1);
      break;
  }
  return 0;
}
