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

/* The pieces both our shared-secret handshakes use: the feed link
 * (gst/feed/flufeedconn.c) and the porter's streamer link
 * (fluporterproto.c).  The secret file as read, random bytes, the MAC
 * HMAC-SHA256 (@secret, @label || @nonce_a || @nonce_b) and its
 * constant-time compare.  Header-only (static inline, GLib only) so that
 * the feed plugin and the porter program share the logic without linking
 * each other.  Each protocol keeps its own labels and lengths, so neither
 * wire format moves if the other does. */

#ifndef __FLU_SECRET_H__
#define __FLU_SECRET_H__

#include <string.h>
#include <sys/random.h>
#include <glib.h>

G_BEGIN_DECLS

#define FLU_MAC_LEN 32          /* SHA-256 */

/* The secret in @path: its bytes, one trailing newline dropped; NULL and
 * @error set when it cannot be read, is empty or holds a NUL byte (what
 * was read is wiped then). */
static inline gchar *
flu_secret_read_file (const gchar * path, GError ** error)
{
  gchar *secret = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &secret, &len, error))
    return NULL;
  if (len > 0 && secret[len - 1] == '\n')
    secret[--len] = '\0';
  if (len > 0 && strlen (secret) == len)
    return secret;
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
      "%s: empty, or holds a NUL byte", path);
  memset (secret, 0, len);
  g_free (secret);
  return NULL;
}

/* @len bytes from getrandom (), or from GLib's generator if it fails */
static inline void
flu_secret_random (guint8 * buf, gsize len)
{
  gsize i;

  if (getrandom (buf, len, 0) != (gssize) len)
    for (i = 0; i < len; i++)
      buf[i] = g_random_int_range (0, 256);
}

/* @mac: FLU_MAC_LEN bytes */
static inline void
flu_mac_compute (const gchar * secret, const gchar * label,
    const guint8 * nonce_a, const guint8 * nonce_b, gsize nonce_len,
    guint8 * mac)
{
  GHmac *h = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret,
      strlen (secret));
  gsize len = FLU_MAC_LEN;

  g_hmac_update (h, (const guchar *) label, strlen (label));
  g_hmac_update (h, nonce_a, nonce_len);
  g_hmac_update (h, nonce_b, nonce_len);
  g_hmac_get_digest (h, mac, &len);
  g_hmac_unref (h);
}

/* two FLU_MAC_LEN MACs, in a time that does not depend on where they
 * differ */
static inline gboolean
flu_mac_equal (const guint8 * a, const guint8 * b)
{
  guint8 d = 0;
  guint i;

  for (i = 0; i < FLU_MAC_LEN; i++)
    d |= a[i] ^ b[i];
  return d == 0;
}

G_END_DECLS

#endif /* __FLU_SECRET_H__ */
