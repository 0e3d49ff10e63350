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


/*
 * ICY metadata for radio players (SHOUTcast, Icecast and the players that
 * read them: VLC, mpv and ffmpeg, foobar2000, phones' radio apps).
 *
 * A player that sends "Icy-MetaData: 1" and gets "icy-metaint: N" back
 * reads N bytes of the stream, then one length byte L, then 16 * L bytes
 * of metadata ("StreamTitle='...';" padded with NULs), then N bytes of
 * stream again, and so on; L = 0 says nothing changed.  Every byte the
 * engine writes counts (stream headers, burst, data), the HTTP response
 * head does not.
 *
 * Cost: the stream is never copied per viewer.  The engine's interleave
 * (FluFanoutInterleave, flufanout.h) cuts a viewer's writes at its
 * boundaries and writes a block between them, by reference: one block
 * (GBytes) for the current title shared by every ICY viewer, rebuilt only
 * when the title changes, and one shared empty block.  A viewer remembers
 * which block it got last, so it gets the title once after each change and
 * the empty block otherwise (as Icecast does).  Plain viewers of the mount
 * have no interleave and write exactly as before.
 *
 * Which streams: audio ones only (see flu_http_icy_caps_allowed()):
 * ffmpeg, VLC and souphttpsrc send Icy-MetaData: 1 with every request,
 * whatever the URL, and a video stream recorded or relayed byte for byte
 * through such a client would carry the blocks.
 *
 * Lock: icy->lock guards every field; it is a leaf, taken by the streaming
 * thread (tags), set_property, the server thread (answers) and the
 * engine's writer thread with the engine's lock held (next_block): nothing
 * is called with it held.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpicy.h"

#include <string.h>

GST_DEBUG_CATEGORY_EXTERN (flu_http_sink_debug);
#define GST_CAT_DEFAULT flu_http_sink_debug

enum
{
  ICY_PROP_METAINT,
  ICY_PROP_STREAM_TITLE,
  ICY_PROP_NAME,
  ICY_PROP_DESCRIPTION,
  ICY_PROP_GENRE,
  ICY_PROP_URL,
  ICY_N_PROPERTIES
};

/* StreamTitle='';  */
#define TITLE_PREFIX "StreamTitle='"
#define TITLE_SUFFIX "';"
#define MAX_TITLE (FLU_HTTP_ICY_MAX_META - (sizeof (TITLE_PREFIX) - 1) - \
    (sizeof (TITLE_SUFFIX) - 1))

struct _FluHttpIcy
{
  GMutex lock;
  /* settings */
  guint metaint;
  gchar *stream_title;
  gchar *name;
  gchar *description;
  gchar *genre;
  gchar *url;
  /* state */
  gchar *tag_title;             /* "Artist - Title" from the last tags */
  guint bitrate;                /* bits/s from the tags, 0 = unknown */
  gchar *title;                 /* what block carries, NULL = none yet */
  GBytes *block;                /* never NULL: empty until a title */
  GBytes *empty;                /* the one zero byte */
};

typedef struct
{
  FluHttpIcy *icy;
  GBytes *last;                 /* the title block this viewer got last */
} IcyViewer;

static gchar *
sanitize (const gchar * in, gboolean title)
{
  gchar *valid = g_utf8_make_valid (in, -1);
  GString *s = g_string_sized_new (strlen (valid));
  const gchar *p;

  for (p = valid; *p; p++) {
    guchar ch = *p;

    if (ch < 0x20 || ch == 0x7f)
      ch = ' ';
    /* the players end the value at the first "';" */
    if (title && ch == ';' && s->len > 0 && s->str[s->len - 1] == '\'')
      g_string_append_c (s, ' ');
    g_string_append_c (s, ch);
  }
  g_free (valid);
  if (title && s->len > MAX_TITLE) {
    /* cut at a character boundary */
    const gchar *end = s->str + MAX_TITLE;

    while (end > s->str && (((guchar) * end) & 0xc0) == 0x80)
      end--;
    g_string_truncate (s, end - s->str);
  }
  return g_string_free (s, FALSE);
}

GBytes *
flu_http_icy_make_block (const gchar * title)
{
  gchar *clean;
  gsize len, units;
  guint8 *data;

  if (title == NULL)
    return g_bytes_new_static ("", 1);
  clean = sanitize (title, TRUE);
  len = strlen (TITLE_PREFIX) + strlen (clean) + strlen (TITLE_SUFFIX);
  units = (len + 15) / 16;
  data = g_malloc0 (1 + units * 16);
  data[0] = (guint8) units;
  memcpy (data + 1, TITLE_PREFIX, strlen (TITLE_PREFIX));
  memcpy (data + 1 + strlen (TITLE_PREFIX), clean, strlen (clean));
  memcpy (data + 1 + strlen (TITLE_PREFIX) + strlen (clean), TITLE_SUFFIX,
      strlen (TITLE_SUFFIX));
  g_free (clean);
  return g_bytes_new_take (data, 1 + units * 16);
}

FluHttpIcy *
flu_http_icy_new (void)
{
  FluHttpIcy *icy = g_atomic_rc_box_new0 (FluHttpIcy);

  g_mutex_init (&icy->lock);
  icy->metaint = FLU_HTTP_ICY_DEFAULT_METAINT;
  icy->empty = flu_http_icy_make_block (NULL);
  icy->block = g_bytes_ref (icy->empty);
  return icy;
}

static void
icy_clear (gpointer data)
{
  FluHttpIcy *icy = data;

  g_free (icy->stream_title);
  g_free (icy->name);
  g_free (icy->description);
  g_free (icy->genre);
  g_free (icy->url);
  g_free (icy->tag_title);
  g_free (icy->title);
  g_bytes_unref (icy->block);
  g_bytes_unref (icy->empty);
  g_mutex_clear (&icy->lock);
}

void
flu_http_icy_unref (FluHttpIcy * icy)
{
  g_atomic_rc_box_release_full (icy, icy_clear);
}

/* lock held: the title the blocks should carry now (NULL: none, and
 * never one) */
static const gchar *
wanted_title (FluHttpIcy * icy)
{
  const gchar *t = icy->stream_title && *icy->stream_title ?
      icy->stream_title : icy->tag_title;

  /* a title that goes away is cleared in the players: StreamTitle=''; */
  return t ? t : (icy->title ? "" : NULL);
}

/* lock not held: a new block when the title in effect changed, built
 * outside the lock (the writer thread takes it) */
static void
refresh_title (FluHttpIcy * icy)
{
  gchar *t;
  GBytes *block, *old = NULL;

  g_mutex_lock (&icy->lock);
  t = g_strdup (wanted_title (icy));
  if (t == NULL || g_strcmp0 (t, icy->title) == 0) {
    g_mutex_unlock (&icy->lock);
    g_free (t);
    return;
  }
  g_mutex_unlock (&icy->lock);

  block = flu_http_icy_make_block (t);

  g_mutex_lock (&icy->lock);
  /* changed again meanwhile: that change's own refresh sets it */
  if (g_strcmp0 (wanted_title (icy), t) == 0 && g_strcmp0 (t, icy->title) != 0) {
    g_free (icy->title);
    icy->title = g_steal_pointer (&t);
    old = icy->block;
    icy->block = g_steal_pointer (&block);
    GST_DEBUG ("ICY title now '%s' (%" G_GSIZE_FORMAT " bytes block)",
        icy->title, g_bytes_get_size (icy->block));
  }
  g_mutex_unlock (&icy->lock);
  g_free (t);
  if (block)
    g_bytes_unref (block);
  if (old)
    g_bytes_unref (old);
}

#define ICY_RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_PLAYING)

void
flu_http_icy_install_properties (GObjectClass * klass, guint first_id)
{
  g_object_class_install_property (klass, first_id + ICY_PROP_METAINT,
      g_param_spec_uint ("icy-metaint", "ICY metadata interval",
          "Bytes of stream between two ICY metadata blocks, announced as "
          "icy-metaint to a viewer that asks with Icy-MetaData: 1 on an "
          "audio stream (0 = never: every viewer gets the plain stream); "
          "applies to viewers that arrive after the change",
          0, FLU_HTTP_ICY_MAX_METAINT, FLU_HTTP_ICY_DEFAULT_METAINT, ICY_RW));
  g_object_class_install_property (klass, first_id + ICY_PROP_STREAM_TITLE,
      g_param_spec_string ("stream-title", "Stream title",
          "StreamTitle sent in the ICY metadata; overrides the stream's "
          "tags (\"Artist - Title\" from the title and artist tags) while "
          "set and not empty.  Made valid UTF-8, control characters become "
          "spaces, cut to 4065 bytes", NULL, ICY_RW));
  g_object_class_install_property (klass, first_id + ICY_PROP_NAME,
      g_param_spec_string ("icy-name", "ICY name",
          "Station name, sent as the icy-name header to every viewer "
          "(NULL or empty = not sent)", NULL, ICY_RW));
  g_object_class_install_property (klass, first_id + ICY_PROP_DESCRIPTION,
      g_param_spec_string ("icy-description", "ICY description",
          "Station description, sent as the icy-description header "
          "(NULL or empty = not sent)", NULL, ICY_RW));
  g_object_class_install_property (klass, first_id + ICY_PROP_GENRE,
      g_param_spec_string ("icy-genre", "ICY genre",
          "Station genre, sent as the icy-genre header (NULL or empty = "
          "not sent)", NULL, ICY_RW));
  g_object_class_install_property (klass, first_id + ICY_PROP_URL,
      g_param_spec_string ("icy-url", "ICY URL",
          "Station web site, sent as the icy-url header (NULL or empty = "
          "not sent)", NULL, ICY_RW));
}

static gchar **
string_field (FluHttpIcy * icy, guint id)
{
  switch (id) {
    case ICY_PROP_STREAM_TITLE:
      return &icy->stream_title;
    case ICY_PROP_NAME:
      return &icy->name;
    case ICY_PROP_DESCRIPTION:
      return &icy->description;
    case ICY_PROP_GENRE:
      return &icy->genre;
    case ICY_PROP_URL:
      return &icy->url;
    default:
      return NULL;
  }
}

void
flu_http_icy_set_property (FluHttpIcy * icy, guint id, const GValue * value)
{
  gchar **field, *old = NULL;

  g_mutex_lock (&icy->lock);
  if (id == ICY_PROP_METAINT) {
    icy->metaint = g_value_get_uint (value);
  } else if ((field = string_field (icy, id))) {
    old = *field;
    *field = g_value_dup_string (value);
  }
  g_mutex_unlock (&icy->lock);
  g_free (old);
  if (id == ICY_PROP_STREAM_TITLE)
    refresh_title (icy);
}

void
flu_http_icy_get_property (FluHttpIcy * icy, guint id, GValue * value)
{
  gchar **field;

  g_mutex_lock (&icy->lock);
  if (id == ICY_PROP_METAINT)
    g_value_set_uint (value, icy->metaint);
  else if ((field = string_field (icy, id)))
    g_value_set_string (value, *field);
  g_mutex_unlock (&icy->lock);
}

void
flu_http_icy_tags (FluHttpIcy * icy, const GstTagList * tags)
{
  gchar *title = NULL, *artist = NULL, *both = NULL;
  guint bitrate = 0;

  gst_tag_list_get_string (tags, GST_TAG_TITLE, &title);
  gst_tag_list_get_string (tags, GST_TAG_ARTIST, &artist);
  if (!gst_tag_list_get_uint (tags, GST_TAG_BITRATE, &bitrate))
    gst_tag_list_get_uint (tags, GST_TAG_NOMINAL_BITRATE, &bitrate);
  if (title && artist)
    both = g_strdup_printf ("%s - %s", artist, title);
  else if (title || artist)
    both = g_strdup (title ? title : artist);

  g_mutex_lock (&icy->lock);
  if (bitrate > 0)
    icy->bitrate = bitrate;
  /* a tag list without title nor artist (bitrate, codec) keeps the title */
  if (both) {
    g_free (icy->tag_title);
    icy->tag_title = both;
  }
  g_mutex_unlock (&icy->lock);
  g_free (title);
  g_free (artist);
  if (both)
    refresh_title (icy);
}

/* whether @needle is in @data (not g_strstr_len (): an Ogg page has NULs
 * before its packets) */
static gboolean
contains (const guint8 * data, gsize size, const gchar * needle)
{
  gsize n = strlen (needle), i;

  for (i = 0; i + n <= size; i++)
    if (data[i] == (guint8) needle[0] && memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* Ogg carries no media type in its caps: look for a Theora (or Daala)
 * identification header among the stream headers. */
static gboolean
ogg_has_video (const GstStructure * s)
{
  const GValue *sh = gst_structure_get_value (s, "streamheader");
  guint i;

  if (sh == NULL || !GST_VALUE_HOLDS_ARRAY (sh))
    return FALSE;
  for (i = 0; i < gst_value_array_get_size (sh); i++) {
    const GValue *v = gst_value_array_get_value (sh, i);
    GstBuffer *buf;
    GstMapInfo map;
    gboolean video = FALSE;

    if (!GST_VALUE_HOLDS_BUFFER (v))
      continue;
    buf = gst_value_get_buffer (v);
    if (!gst_buffer_map (buf, &map, GST_MAP_READ))
      continue;
    video = contains (map.data, map.size, "\x80theora") ||
        contains (map.data, map.size, "\x80" "daala");
    gst_buffer_unmap (buf, &map);
    if (video)
      return TRUE;
  }
  return FALSE;
}

gboolean
flu_http_icy_caps_allowed (const GstCaps * caps)
{
  const GstStructure *s;
  const gchar *name;

  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  name = gst_structure_get_name (s);
  /* Matroska and WebM carry video as well: their demuxers read the
   * stream byte for byte (recorder.sh through souphttpsrc) */
  if (g_str_equal (name, "audio/webm")
      || g_str_equal (name, "audio/x-matroska"))
    return FALSE;
  if (g_str_has_prefix (name, "audio/"))
    return TRUE;
  return g_str_equal (name, "application/ogg") && !ogg_has_video (s);
}

static void
set_info_header (SoupMessageHeaders * h, const gchar * name,
    const gchar * value)
{
  gchar *clean;

  if (value == NULL || *value == '\0')
    return;
  clean = sanitize (value, FALSE);
  soup_message_headers_replace (h, name, clean);
  g_free (clean);
}

guint
flu_http_icy_answer (FluHttpIcy * icy, SoupServerMessage * msg,
    const GstCaps * caps)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);

  return flu_http_icy_answer_headers (icy,
      soup_message_headers_get_one (req, "Icy-MetaData"),
      soup_server_message_get_response_headers (msg), caps);
}

guint
flu_http_icy_answer_headers (FluHttpIcy * icy, const gchar * ask,
    SoupMessageHeaders * h, const GstCaps * caps)
{
  guint metaint = 0;

  g_mutex_lock (&icy->lock);
  set_info_header (h, "icy-name", icy->name);
  set_info_header (h, "icy-description", icy->description);
  set_info_header (h, "icy-genre", icy->genre);
  set_info_header (h, "icy-url", icy->url);
  if (icy->bitrate >= 1000) {
    gchar br[16];

    g_snprintf (br, sizeof (br), "%u", (icy->bitrate + 500) / 1000);
    soup_message_headers_replace (h, "icy-br", br);
  }
  if (ask && g_ascii_strtoull (ask, NULL, 10) >= 1 && icy->metaint > 0 &&
      flu_http_icy_caps_allowed (caps))
    metaint = icy->metaint;
  g_mutex_unlock (&icy->lock);

  if (metaint > 0) {
    gchar n[16];

    g_snprintf (n, sizeof (n), "%u", metaint);
    soup_message_headers_replace (h, "icy-metaint", n);
  } else if (ask && g_ascii_strtoull (ask, NULL, 10) >= 1) {
    GST_DEBUG ("Icy-MetaData asked for: plain stream (icy-metaint 0 or not "
        "an audio stream)");
  }
  return metaint;
}

/* the engine's writer thread, engine lock held */
static GBytes *
viewer_next_block (gpointer data)
{
  IcyViewer *v = data;
  FluHttpIcy *icy = v->icy;
  GBytes *out;

  g_mutex_lock (&icy->lock);
  if (icy->block == v->last || icy->block == icy->empty) {
    out = g_bytes_ref (icy->empty);
  } else {
    if (v->last)
      g_bytes_unref (v->last);
    v->last = g_bytes_ref (icy->block);
    out = g_bytes_ref (icy->block);
  }
  g_mutex_unlock (&icy->lock);
  return out;
}

static void
viewer_free (gpointer data)
{
  IcyViewer *v = data;

  if (v->last)
    g_bytes_unref (v->last);
  flu_http_icy_unref (v->icy);
  g_free (v);
}

void
flu_http_icy_viewer_interleave (FluHttpIcy * icy, guint metaint,
    FluFanoutInterleave * il)
{
  IcyViewer *v;

  memset (il, 0, sizeof (*il));
  if (metaint == 0)
    return;
  v = g_new0 (IcyViewer, 1);
  v->icy = g_atomic_rc_box_acquire (icy);
  il->interval = metaint;
  il->next_block = viewer_next_block;
  il->filler = icy->empty;      /* immutable, set once: no lock needed */
  il->user_data = v;
  il->destroy = viewer_free;
}
