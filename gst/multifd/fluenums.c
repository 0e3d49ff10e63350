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
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluenums.h"
#include "flufanout.h"

/* This file is part of the static library that the multifd, soup and feed
 * plugins link, so a process may hold several copies of it: the first copy
 * to run registers the type, the others find it by name. */
static GType
register_once (const gchar * name, const GEnumValue * values)
{
  GType t = g_type_from_name (name);

  return t ? t : g_enum_register_static (name, values);
}

GType
flu_sync_method_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {FLU_SYNC_METHOD_LATEST, "Serve starting from the latest buffer",
        "latest"},
    {FLU_SYNC_METHOD_NEXT_KEYFRAME, "Serve starting from the next keyframe",
        "next-keyframe"},
    {FLU_SYNC_METHOD_LATEST_KEYFRAME,
          "Serve everything since the latest keyframe (burst)",
        "latest-keyframe"},
    {FLU_SYNC_METHOD_BURST, "Serve burst-value data to client", "burst"},
    {FLU_SYNC_METHOD_BURST_KEYFRAME,
        "Serve burst-value data starting on a keyframe", "burst-keyframe"},
    {FLU_SYNC_METHOD_BURST_WITH_KEYFRAME,
          "Serve burst-value data preferably starting on a keyframe",
        "burst-with-keyframe"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = register_once ("FluMultiFdSinkSyncMethod", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
flu_recover_policy_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {FLU_RECOVER_POLICY_NONE, "Do not try to recover", "none"},
    {FLU_RECOVER_POLICY_RESYNC_LATEST, "Resync client to latest buffer",
        "latest"},
    {FLU_RECOVER_POLICY_RESYNC_SOFT_LIMIT, "Resync client to soft limit",
        "soft-limit"},
    {FLU_RECOVER_POLICY_RESYNC_KEYFRAME,
        "Resync client to most recent keyframe", "keyframe"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = register_once ("FluMultiFdSinkRecoverPolicy", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
flu_client_status_get_type (void)
{
  static GType type = 0;
  /* the nicks are the engine's own names (flu_client_status_nick) */
  static GEnumValue values[] = {
    {FLU_CLIENT_STATUS_OK, "ok", NULL},
    {FLU_CLIENT_STATUS_CLOSED, "Closed", NULL},
    {FLU_CLIENT_STATUS_REMOVED, "Removed", NULL},
    {FLU_CLIENT_STATUS_SLOW, "Too slow", NULL},
    {FLU_CLIENT_STATUS_ERROR, "Error", NULL},
    {FLU_CLIENT_STATUS_DUPLICATE, "Duplicate", NULL},
    {FLU_CLIENT_STATUS_FLUSHING, "Flushing", NULL},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t;
    guint i;

    for (i = 0; values[i].value_name; i++)
      values[i].value_nick = flu_client_status_nick (values[i].value);
    t = register_once ("FluMultiFdSinkClientStatus", values);
    g_once_init_leave (&type, t);
  }
  return type;
}
