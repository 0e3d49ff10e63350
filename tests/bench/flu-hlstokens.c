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

/* The cost of a session's playlist rewrite (CPU per playlist answer):
 * one token for every URI (flu_hls_playlist_add_query, what fluhlssink
 * did before tokens per segment) beside a token per segment
 * (flu_hls_playlist_add_tokens with the window's token times), on the
 * playlists of a window filled as fluhlssink fills it; then with the
 * session's token cache (fluhlstokencache.c): a playlist that changed
 * (its tokens kept, no HMAC), the same playlist again (the kept one),
 * and a presented token verified with the HMAC and from the cache:
 *
 *   build/tests/bench/flu-hlstokens [playlist-length] [part-ms] [rounds]
 *
 * (defaults 5, 333, 20000: fluhlssink's default length, LL-HLS parts of
 * a third of a second; part-ms 0 = plain HLS). */

#include "fluhlssession.h"
#include "fluhlswindow.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static gint64
token_time (guint64 msn, gpointer w)
{
  return flu_hls_window_token_time (w, msn);
}

int
main (int argc, char **argv)
{
  guint length = argc > 1 ? atoi (argv[1]) : 5;
  guint part_ms = argc > 2 ? atoi (argv[2]) : 333;
  guint rounds = argc > 3 ? atoi (argv[3]) : 20000;
  guint parts = part_ms ? 1000 / part_ms : 1;
  FluHlsWindowConfig cfg = { 1, (guint64) part_ms * 1000000, length,
    length, FALSE
  };
  FluHlsWindow *w = flu_hls_window_new (&cfg, 1000, NULL, NULL);
  GBytes *key = flu_hls_session_key_random (), *pl;
  gchar *id = flu_hls_session_new_id ();
  gint64 now = g_get_real_time (), t;
  gdouble query_us, tokens_us, changed_us, same_us, hmac_us, kept_us;
  FluHlsSessions *table = flu_hls_sessions_new (60 * G_USEC_PER_SEC);
  FluHlsSession *s = flu_hls_sessions_add (table, NULL, NULL, 0);
  gchar *tok;
  guint i, k, uris = 0;
  const gchar *p;

  for (k = 0; k < length + 1; k++)
    for (i = 0; i < parts; i++) {
      FluHlsPartInfo info = {.duration = 1000000000 / parts,
        .independent = i == 0,.new_segment = i == 0,
        .pdt_us = now + k * G_USEC_PER_SEC,.ends_segment = i == parts - 1
      };

      flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (10), 10));
    }
  pl = flu_hls_window_playlist (w);
  for (p = g_bytes_get_data (pl, NULL); (p = strstr (p, ".ts")); p++)
    uris++;

  t = g_get_monotonic_time ();
  for (i = 0; i < rounds; i++) {
    gchar *tok = flu_hls_session_token_make (key, id, "/room1/",
        now / G_USEC_PER_SEC + 60, NULL);

    g_bytes_unref (flu_hls_playlist_add_query (pl, "s", tok));
    g_free (tok);
  }
  query_us = (gdouble) (g_get_monotonic_time () - t) / rounds;

  t = g_get_monotonic_time ();
  for (i = 0; i < rounds; i++) {
    FluHlsTokenSpec spec = { key, id, "/room1/", NULL, 60,
      now / G_USEC_PER_SEC, token_time, w
    };

    g_bytes_unref (flu_hls_playlist_add_tokens (pl, &spec));
  }
  tokens_us = (gdouble) (g_get_monotonic_time () - t) / rounds;

  /* with the cache: the playlist with another text each round (a line
   * added: rewritten from the kept tokens), then the same one */
  t = g_get_monotonic_time ();
  for (i = 0; i < rounds; i++) {
    gchar *text = g_strdup_printf ("%.*s#%u\n", (gint) g_bytes_get_size (pl),
        (const gchar *) g_bytes_get_data (pl, NULL), i);
    GBytes *copy = g_bytes_new_take (text, strlen (text));
    FluHlsTokenSpec spec = { key, s->id, "/room1/", NULL, 60,
      now / G_USEC_PER_SEC, token_time, w, s->tokens
    };

    g_bytes_unref (flu_hls_playlist_add_tokens (copy, &spec));
    g_bytes_unref (copy);
  }
  changed_us = (gdouble) (g_get_monotonic_time () - t) / rounds;
  t = g_get_monotonic_time ();
  for (i = 0; i < rounds; i++) {
    FluHlsTokenSpec spec = { key, s->id, "/room1/", NULL, 60,
      now / G_USEC_PER_SEC, token_time, w, s->tokens
    };

    g_bytes_unref (flu_hls_playlist_add_tokens (pl, &spec));
  }
  same_us = (gdouble) (g_get_monotonic_time () - t) / rounds;

  /* a segment's token presented: HMAC, then the kept one */
  tok = flu_hls_session_token_make (key, s->id, "/room1/",
      now / G_USEC_PER_SEC + 60, NULL);
  t = g_get_monotonic_time ();
  for (i = 0; i < rounds; i++)
    flu_hls_session_token_verify (key, tok, "/room1/", NULL,
        now / G_USEC_PER_SEC, NULL);
  hmac_us = (gdouble) (g_get_monotonic_time () - t) / rounds;
  t = g_get_monotonic_time ();
  for (i = 0; i < rounds; i++)
    flu_hls_sessions_verify (table, key, tok, "/room1/", NULL,
        now / G_USEC_PER_SEC, 1, NULL);
  kept_us = (gdouble) (g_get_monotonic_time () - t) / rounds;
  g_free (tok);

  /* the memory of 1000 sessions' caches, each filled by a playlist, a
   * cookie and a verified token */
  {
    FluHlsSessions *many = flu_hls_sessions_new (60 * G_USEC_PER_SEC);
    struct mallinfo2 before = mallinfo2 (), after;

    for (i = 0; i < 1000; i++) {
      FluHlsSession *v = flu_hls_sessions_add (many, NULL, NULL, 0);
      FluHlsTokenSpec spec = { key, v->id, "/room1/", NULL, 60,
        now / G_USEC_PER_SEC, token_time, w, v->tokens
      };
      gchar *c;

      g_bytes_unref (flu_hls_playlist_add_tokens (pl, &spec));
      tok = flu_hls_session_token_make (key, v->id, "/room1/",
          now / G_USEC_PER_SEC + 60, NULL);
      c = g_strdup_printf ("flu_hls_session=%s; Path=/room1/; Max-Age=60; "
          "HttpOnly; SameSite=Lax", tok);
      flu_hls_token_cache_add (v->tokens, now / G_USEC_PER_SEC + 60, tok);
      flu_hls_token_cache_set_cookie (v->tokens, now / G_USEC_PER_SEC + 60, c);
      g_free (c);
      g_free (tok);
    }
    after = mallinfo2 ();
    g_print ("a session with its cache filled: %.0f bytes (1000 sessions)\n",
        (gdouble) (after.uordblks - before.uordblks) / 1000);
    flu_hls_sessions_free (many);
  }

  g_print ("playlist of %u segments, %u parts each: %" G_GSIZE_FORMAT
      " bytes, %u media URIs\n", length, part_ms ? parts : 0,
      g_bytes_get_size (pl), uris);
  g_print ("one token for every URI:  %.2f us per playlist\n", query_us);
  g_print ("a token per segment:      %.2f us per playlist (%.2fx)\n",
      tokens_us, tokens_us / query_us);
  g_print ("cached, playlist changed: %.2f us per playlist (%.2fx)\n",
      changed_us, changed_us / query_us);
  g_print ("cached, same playlist:    %.2f us per playlist\n", same_us);
  g_print ("token verified, HMAC:     %.2f us\n", hmac_us);
  g_print ("token verified, cached:   %.2f us\n", kept_us);
  flu_hls_sessions_free (table);
  g_bytes_unref (pl);
  g_bytes_unref (key);
  g_free (id);
  flu_hls_window_free (w);
  return 0;
}
