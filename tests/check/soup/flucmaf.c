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

/* The CMAF writer (flucmaf.c) and fluhlssink's fMP4 muxer
 * (fluhlsfmp4.c), read back by a small ISO BMFF parser of the test's
 * own: box structure, sample entries, sample counts, decode times
 * (continuous per track), composition offsets, data offsets, parts
 * starting on keyframes, a new init segment on a format change; and the
 * window's fMP4 names and EXT-X-MAP. */

#include <gst/check/gstcheck.h>
#include <string.h>

#include "flucmaf.h"
#include "fluhlsfmp4.h"
#include "fluhlswindow.h"

#define MS (G_GINT64_CONSTANT (1000000))
#define FRAME (G_GINT64_CONSTANT (1000000000) / 30)
/* 1024 samples at 48 kHz */
#define AFRAME (G_GINT64_CONSTANT (1024000000000) / 48000)

/* ---- a small ISO BMFF reader ---- */

static guint32
rd32 (const guint8 * p)
{
  return ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static guint64
rd64 (const guint8 * p)
{
  return ((guint64) rd32 (p) << 32) | rd32 (p + 4);
}

/* the @index-th box of @type among the boxes in [d, d + n), checking
 * that sizes tile the range; its payload in *@pl, *@pn */
static gboolean
find_box (const guint8 * d, gsize n, const gchar * type, guint index,
    const guint8 ** pl, gsize * pn)
{
  gsize off = 0;

  while (off < n) {
    guint32 size;

    fail_unless (n - off >= 8, "box header truncated at %" G_GSIZE_FORMAT, off);
    size = rd32 (d + off);
    fail_unless (size >= 8 && size <= n - off, "bad box size %u", size);
    if (memcmp (d + off + 4, type, 4) == 0 && index-- == 0) {
      *pl = d + off + 8;
      *pn = size - 8;
      return TRUE;
    }
    off += size;
  }
  return FALSE;
}

static guint
count_boxes (const guint8 * d, gsize n, const gchar * type)
{
  const guint8 *pl;
  gsize pn;
  guint i = 0;

  while (find_box (d, n, type, i, &pl, &pn))
    i++;
  return i;
}

/* a path "moov/trak[1]/mdia/mdhd": the payload of the box it names */
static const guint8 *
box_at (GBytes * b, const gchar * path, gsize * len)
{
  gchar **parts = g_strsplit (path, "/", -1);
  gsize n;
  const guint8 *d = g_bytes_get_data (b, &n);
  guint i;

  for (i = 0; parts[i]; i++) {
    gchar type[5] = { 0 };
    guint index = 0;
    const guint8 *pl;
    gsize pn;

    memcpy (type, parts[i], 4);
    if (parts[i][4] == '[')
      index = atoi (parts[i] + 5);
    if (!find_box (d, n, type, index, &pl, &pn)) {
      g_strfreev (parts);
      return NULL;
    }
    d = pl;
    n = pn;
    /* container payloads that start with more than boxes */
    if (strcmp (type, "stsd") == 0 || strcmp (type, "dref") == 0) {
      d += 8;
      n -= 8;
    } else if (strcmp (type, "avc1") == 0 || strcmp (type, "hvc1") == 0 ||
        strcmp (type, "hev1") == 0) {
      d += 78;
      n -= 78;
    } else if (strcmp (type, "mp4a") == 0 || strcmp (type, "Opus") == 0) {
      d += 28;
      n -= 28;
    }
  }
  g_strfreev (parts);
  *len = n;
  return d;
}

/* ---- what a fragment holds ---- */

typedef struct
{
  guint track_id;
  guint64 tfdt;
  guint n;
  guint32 duration[400];
  guint32 size[400];
  guint32 flags[400];
  gint32 cts[400];
  guint64 sum;                  /* of the durations */
  const guint8 *data;           /* the first sample's bytes */
} Traf;

static guint
parse_fragment (GBytes * frag, guint32 * seq, Traf * trafs)
{
  gsize n, moof_len, mdat_len, len;
  const guint8 *d = g_bytes_get_data (frag, &n);
  const guint8 *moof, *mdat, *p;
  guint i, k, ntraf;

  fail_unless_equals_int (count_boxes (d, n, "moof"), 1);
  fail_unless_equals_int (count_boxes (d, n, "mdat"), 1);
  /* a styp (at a segment start) or the moof first */
  if (memcmp (d + 4, "styp", 4) == 0) {
    fail_unless_equals_int (rd32 (d), 24);
    fail_unless (memcmp (d + 8, "msdh\0\0\0\0msdhcmfs", 16) == 0);
    fail_unless (memcmp (d + 24 + 4, "moof", 4) == 0);
  } else {
    fail_unless (memcmp (d + 4, "moof", 4) == 0);
  }
  fail_unless (find_box (d, n, "moof", 0, &moof, &moof_len));
  fail_unless (find_box (d, n, "mdat", 0, &mdat, &mdat_len));
  p = box_at (frag, "moof/mfhd", &len);
  fail_unless (p && len == 8);
  *seq = rd32 (p + 4);
  ntraf = count_boxes (moof, moof_len, "traf");
  for (i = 0; i < ntraf; i++) {
    gchar path[64];
    Traf *t = &trafs[i];
    guint32 flags;
    const guint8 *e;

    memset (t, 0, sizeof (*t));
    g_snprintf (path, sizeof path, "moof/traf[%u]/tfhd", i);
    p = box_at (frag, path, &len);
    fail_unless (p != NULL);
    fail_unless_equals_int (rd32 (p) & 0xffffff, 0x020000);
    t->track_id = rd32 (p + 4);
    g_snprintf (path, sizeof path, "moof/traf[%u]/tfdt", i);
    p = box_at (frag, path, &len);
    fail_unless (p && len == 12 && p[0] == 1);
    t->tfdt = rd64 (p + 4);
    g_snprintf (path, sizeof path, "moof/traf[%u]/trun", i);
    p = box_at (frag, path, &len);
    fail_unless (p != NULL && p[0] == 1, "trun version 1");
    flags = rd32 (p) & 0xffffff;
    fail_unless ((flags & 0x701) == 0x701);
    t->n = rd32 (p + 4);
    fail_unless (t->n <= G_N_ELEMENTS (t->duration));
    /* the data offset counts from the moof's first byte */
    t->data = (moof - 8) + (gint32) rd32 (p + 8);
    fail_unless (t->data >= mdat && t->data <= mdat + mdat_len);
    e = p + 12;
    for (k = 0; k < t->n; k++) {
      t->duration[k] = rd32 (e);
      t->size[k] = rd32 (e + 4);
      t->flags[k] = rd32 (e + 8);
      e += 12;
      if (flags & 0x800) {
        t->cts[k] = (gint32) rd32 (e);
        e += 4;
      }
      t->sum += t->duration[k];
    }
    fail_unless (e == p + len, "trun length");
  }
  return ntraf;
}

/* ---- writer ---- */

static const guint8 avcc[] = { 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04,
  0x67, 0x64, 0x00, 0x1f, 0x01, 0x00, 0x04, 0x68, 0xee, 0x3c, 0x80
};

static const guint8 asc[] = { 0x11, 0x90 };     /* AAC-LC 48 kHz stereo */

static void
video_track (FluCmafTrack * t, const guint8 * cd, gsize n)
{
  memset (t, 0, sizeof (*t));
  t->track_id = 1;
  t->codec = FLU_CMAF_H264;
  t->timescale = 90000;
  t->width = 320;
  t->height = 240;
  t->fps_n = 30;
  t->fps_d = 1;
  t->codec_data = g_bytes_new (cd, n);
}

static void
audio_track (FluCmafTrack * t)
{
  memset (t, 0, sizeof (*t));
  t->track_id = 2;
  t->codec = FLU_CMAF_AAC;
  t->timescale = 48000;
  t->rate = 48000;
  t->channels = 2;
  t->codec_data = g_bytes_new (asc, sizeof asc);
}

GST_START_TEST (test_init_segment)
{
  FluCmafTrack t[2];
  GBytes *init;
  const guint8 *p;
  gsize n, len;
  gchar *codecs;

  video_track (&t[0], avcc, sizeof avcc);
  audio_track (&t[1]);
  init = flu_cmaf_init_segment (t, 2);
  fail_unless (init != NULL);
  p = g_bytes_get_data (init, &n);
  fail_unless (memcmp (p + 4, "ftyp", 4) == 0);
  fail_unless (memcmp (p + 8, "iso6", 4) == 0);
  fail_unless_equals_int (count_boxes (p, n, "ftyp"), 1);
  fail_unless_equals_int (count_boxes (p, n, "moov"), 1);
  p = box_at (init, "moov", &len);
  fail_unless_equals_int (count_boxes (p, len, "trak"), 2);
  fail_unless (box_at (init, "moov/mvhd", &len) != NULL);
  p = box_at (init, "moov/mvhd", &len);
  fail_unless_equals_int (rd32 (p + 96), 3);    /* next_track_ID */
  /* timescales, handlers */
  p = box_at (init, "moov/trak[0]/mdia/mdhd", &len);
  fail_unless_equals_int (rd32 (p + 12), 90000);
  p = box_at (init, "moov/trak[1]/mdia/mdhd", &len);
  fail_unless_equals_int (rd32 (p + 12), 48000);
  p = box_at (init, "moov/trak[0]/mdia/hdlr", &len);
  fail_unless (memcmp (p + 8, "vide", 4) == 0);
  p = box_at (init, "moov/trak[1]/mdia/hdlr", &len);
  fail_unless (memcmp (p + 8, "soun", 4) == 0);
  p = box_at (init, "moov/trak[0]/tkhd", &len);
  fail_unless_equals_int (rd32 (p + 12), 1);
  fail_unless_equals_int (rd32 (p + 76) >> 16, 320);
  fail_unless_equals_int (rd32 (p + 80) >> 16, 240);
  /* avcC is the codec_data */
  p = box_at (init, "moov/trak[0]/mdia/minf/stbl/stsd/avc1/avcC", &len);
  fail_unless (p != NULL);
  fail_unless_equals_int (len, sizeof avcc);
  fail_unless (memcmp (p, avcc, len) == 0);
  /* width and height in the sample entry */
  p = box_at (init, "moov/trak[0]/mdia/minf/stbl/stsd", &len);
  fail_unless (memcmp (p + 4, "avc1", 4) == 0);
  fail_unless_equals_int ((p[32] << 8) | p[33], 320);
  /* esds ends with the AudioSpecificConfig and the SLConfig */
  p = box_at (init, "moov/trak[1]/mdia/minf/stbl/stsd/mp4a/esds", &len);
  fail_unless (p != NULL);
  fail_unless_equals_int (p[4], 0x03);
  fail_unless (memcmp (p + len - 7, "\x05\x02\x11\x90\x06\x01\x02", 7) == 0);
  /* no edit list but for Opus */
  fail_unless (box_at (init, "moov/trak[0]/edts", &len) == NULL);
  fail_unless (box_at (init, "moov/trak[1]/edts", &len) == NULL);
  p = box_at (init, "moov/trak[1]/mdia/minf/stbl/stsd", &len);
  fail_unless_equals_int ((p[8 + 16] << 8) | p[8 + 17], 2);     /* channels */
  fail_unless_equals_int (rd32 (p + 8 + 24) >> 16, 48000);
  /* an empty sample table, trex per track */
  p = box_at (init, "moov/trak[0]/mdia/minf/stbl/stsz", &len);
  fail_unless (p && rd32 (p + 8) == 0);
  p = box_at (init, "moov/mvex", &len);
  fail_unless_equals_int (count_boxes (p, len, "trex"), 2);
  p = box_at (init, "moov/mvex/trex[1]", &len);
  fail_unless_equals_int (rd32 (p + 4), 2);
  fail_unless (box_at (init, "moov/trak[0]/mdia/minf/vmhd", &len) != NULL);
  fail_unless (box_at (init, "moov/trak[1]/mdia/minf/smhd", &len) != NULL);
  fail_unless (box_at (init, "moov/trak[1]/mdia/minf/dinf/dref/url ", &len));

  codecs = flu_cmaf_codec_string (&t[0]);
  fail_unless_equals_string (codecs, "avc1.64001f");
  g_free (codecs);
  codecs = flu_cmaf_codec_string (&t[1]);
  fail_unless_equals_string (codecs, "mp4a.40.2");
  g_free (codecs);
  g_bytes_unref (init);

  /* without codec_data, no init segment */
  g_clear_pointer (&t[0].codec_data, g_bytes_unref);
  fail_unless (flu_cmaf_init_segment (t, 2) == NULL);
  flu_cmaf_track_clear (&t[0]);
  flu_cmaf_track_clear (&t[1]);
}

GST_END_TEST;

GST_START_TEST (test_init_opus_hevc)
{
  /* hvcC of Main, level 3.1, main tier; the rest is arrays */
  static const guint8 hvcc[] = { 0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x5d, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8,
    0x00, 0x00, 0x0f, 0x00
  };
  FluCmafTrack t[2];
  GBytes *init;
  const guint8 *p;
  gsize len;
  gchar *codecs;

  video_track (&t[0], hvcc, sizeof hvcc);
  t[0].codec = FLU_CMAF_H265;
  memset (&t[1], 0, sizeof (t[1]));
  t[1].track_id = 2;
  t[1].codec = FLU_CMAF_OPUS;
  t[1].timescale = 48000;
  t[1].rate = 44100;
  t[1].channels = 2;
  t[1].pre_skip = 312;
  init = flu_cmaf_init_segment (t, 2);
  fail_unless (init != NULL);
  p = box_at (init, "moov/trak[0]/mdia/minf/stbl/stsd/hvc1/hvcC", &len);
  fail_unless (p && len == sizeof hvcc && memcmp (p, hvcc, len) == 0);
  p = box_at (init, "moov/trak[1]/mdia/minf/stbl/stsd/Opus/dOps", &len);
  fail_unless (p != NULL);
  fail_unless_equals_int (len, 11);     /* mapping family 0 */
  fail_unless_equals_int (p[0], 0);
  fail_unless_equals_int (p[1], 2);
  fail_unless_equals_int ((p[2] << 8) | p[3], 312);
  fail_unless_equals_int (rd32 (p + 4), 44100);
  /* the sample entry says 48 kHz */
  p = box_at (init, "moov/trak[1]/mdia/minf/stbl/stsd", &len);
  fail_unless_equals_int (rd32 (p + 8 + 24) >> 16, 48000);
  /* an edit list cuts the pre-skip: one edit from media time 312 (48 kHz
   * units), of unknown (0) duration, at rate 1; none for the video */
  p = box_at (init, "moov/trak[1]/edts/elst", &len);
  fail_unless (p != NULL, "no edit list in the Opus track");
  fail_unless_equals_int (len, 4 + 4 + 12);
  fail_unless_equals_int (rd32 (p), 0); /* version 0, no flags */
  fail_unless_equals_int (rd32 (p + 4), 1);
  fail_unless_equals_int (rd32 (p + 8), 0);
  fail_unless_equals_int (rd32 (p + 12), 312);
  fail_unless_equals_int (rd32 (p + 16), 0x00010000);
  fail_unless (box_at (init, "moov/trak[0]/edts", &len) == NULL);
  codecs = flu_cmaf_codec_string (&t[0]);
  fail_unless_equals_string (codecs, "hvc1.1.6.L93.90");
  g_free (codecs);
  codecs = flu_cmaf_codec_string (&t[1]);
  fail_unless_equals_string (codecs, "Opus");
  g_free (codecs);
  g_bytes_unref (init);
  /* hev1: parameter sets in band */
  t[0].in_band = TRUE;
  init = flu_cmaf_init_segment (t, 1);
  fail_unless (box_at (init, "moov/trak[0]/mdia/minf/stbl/stsd/hev1/hvcC",
          &len) != NULL);
  g_bytes_unref (init);
  flu_cmaf_track_clear (&t[0]);
  flu_cmaf_track_clear (&t[1]);
}

GST_END_TEST;

GST_START_TEST (test_fragment)
{
  FluCmafSample vs[3] = {
    {5, 3000, 3000, TRUE}, {6, 3000, 6000, FALSE}, {7, 3000, -3000, FALSE}
  };
  FluCmafSample as[2] = { {3, 1024, 0, TRUE}, {4, 1024, 0, TRUE}
  };
  guint8 vdata[18], adata[7];
  FluCmafRun runs[2] = {
    {1, G_GUINT64_CONSTANT (90000) * 100000, vs, 3, vdata, sizeof vdata},
    {2, 4096, as, 2, adata, sizeof adata},
  };
  GBytes *frag;
  Traf t[2];
  guint32 seq;

  memset (vdata, 'v', sizeof vdata);
  memset (adata, 'a', sizeof adata);
  frag = flu_cmaf_fragment (7, FALSE, runs, 2);
  fail_unless_equals_int (parse_fragment (frag, &seq, t), 2);
  fail_unless_equals_int (seq, 7);
  fail_unless_equals_int (t[0].track_id, 1);
  fail_unless (t[0].tfdt == G_GUINT64_CONSTANT (9000000000));
  fail_unless_equals_int (t[0].n, 3);
  fail_unless_equals_int (t[0].cts[2], -3000);
  fail_unless_equals_int (t[0].cts[1], 6000);
  fail_unless_equals_int (t[0].flags[0], 0x02000000);
  fail_unless_equals_int (t[0].flags[1], 0x01010000);
  fail_unless_equals_int (t[0].size[2], 7);
  fail_unless (t[0].data[0] == 'v' && t[0].data[17] == 'v');
  fail_unless_equals_int (t[1].tfdt, 4096);
  fail_unless_equals_int (t[1].n, 2);
  fail_unless_equals_int (t[1].sum, 2048);
  fail_unless (t[1].data[0] == 'a' && t[1].data[6] == 'a');
  g_bytes_unref (frag);

  /* at a segment start: a styp first, the data offsets still right */
  frag = flu_cmaf_fragment (9, TRUE, runs, 2);
  fail_unless (memcmp ((const guint8 *) g_bytes_get_data (frag, NULL) + 4,
          "styp", 4) == 0);
  fail_unless_equals_int (parse_fragment (frag, &seq, t), 2);
  fail_unless_equals_int (seq, 9);
  fail_unless (t[0].data[0] == 'v' && t[0].data[17] == 'v');
  fail_unless (t[1].data[0] == 'a' && t[1].data[6] == 'a');
  g_bytes_unref (frag);

  /* a run without samples is left out */
  runs[1].n_samples = 0;
  frag = flu_cmaf_fragment (8, FALSE, runs, 2);
  fail_unless_equals_int (parse_fragment (frag, &seq, t), 1);
  g_bytes_unref (frag);

  fail_unless_equals_int (flu_cmaf_to_units (GST_SECOND / 30, 90000), 3000);
  fail_unless (flu_cmaf_to_units (G_GUINT64_CONSTANT (3600000) * GST_SECOND,
          90000) == G_GUINT64_CONSTANT (324000000000));
}

GST_END_TEST;

/* ---- the muxer ---- */

typedef struct
{
  FluHlsPartInfo info;
  GBytes *data;
  GBytes *init;
} Part;

static GArray *parts;
static gboolean ended;
static guint ends;
/* check_continuity: the audio track may jump forward (after a silence) */
static gboolean audio_may_jump;

static void
part_clear (Part * p)
{
  if (p->data)
    g_bytes_unref (p->data);
  if (p->init)
    g_bytes_unref (p->init);
}

static void
collect (const FluHlsPartInfo * info, GBytes * data, gboolean end,
    gpointer user_data)
{
  Part p = { *info, data, info->init ? g_bytes_ref (info->init) : NULL };

  if (end) {
    fail_unless (data == NULL);
    ended = TRUE;
    ends++;
    return;
  }
  fail_if (ended, "a part after the end");
  fail_unless (data != NULL);
  p.info.init = NULL;
  g_array_append_val (parts, p);
}

static void
setup (void)
{
  parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (parts, (GDestroyNotify) part_clear);
  ended = FALSE;
  ends = 0;
  audio_may_jump = FALSE;
}

static void
teardown (void)
{
  g_array_unref (parts);
}

/* a sample that came at @arrival (us of the monotonic clock, 0 unknown) */
static void
push_at (FluHlsFmp4 * m, guint track, gint64 dts, gint64 pts, gint64 dur,
    gboolean key, guint8 byte, gint64 arrival)
{
  FluHlsFmp4Sample s = { dts, pts, dur, key, FALSE, NULL, arrival };
  guint8 d[10];

  memset (d, byte, sizeof d);
  s.data = g_bytes_new (d, sizeof d);
  flu_hls_fmp4_push (m, track, &s);
}

static void
push (FluHlsFmp4 * m, guint track, gint64 dts, gint64 pts, gint64 dur,
    gboolean key, guint8 byte)
{
  push_at (m, track, dts, pts, dur, key, byte, 0);
}

/* the stream time the parts handed out so far cover */
static gint64
parts_end (void)
{
  gint64 sum = 0;
  guint i;

  for (i = 0; i < parts->len; i++)
    sum += g_array_index (parts, Part, i).info.duration;
  return sum;
}

/* every track's tfdt continues where its previous part ended; returns
 * the samples of each track */
static void
check_continuity (guint * vcount, guint * acount)
{
  guint64 next[3] = { 0, 0, 0 };
  gboolean have[3] = { FALSE, FALSE, FALSE };
  guint32 seq, last_seq = 0;
  guint i, k;

  *vcount = *acount = 0;
  for (i = 0; i < parts->len; i++) {
    Part *p = &g_array_index (parts, Part, i);
    Traf t[2];
    guint n = parse_fragment (p->data, &seq, t);

    fail_unless (seq > last_seq, "mfhd sequence grows");
    last_seq = seq;
    fail_unless (n >= 1);
    /* a part starts with a video frame; an independent part with a
     * keyframe */
    fail_unless_equals_int (t[0].track_id, 1);
    fail_unless_equals_int (t[0].flags[0] == 0x02000000, p->info.independent);
    fail_unless (!p->info.new_segment || p->info.independent);
    fail_unless (!p->info.new_segment || p->init != NULL);
    /* a styp exactly where a segment starts */
    fail_unless_equals_int (memcmp ((const guint8 *)
            g_bytes_get_data (p->data, NULL) + 4, "styp", 4) == 0,
        p->info.new_segment);
    for (k = 0; k < n; k++) {
      guint id = t[k].track_id;

      if (have[id] && id == 2 && audio_may_jump)
        fail_unless (t[k].tfdt >= next[id], "part %u: audio tfdt %"
            G_GUINT64_FORMAT " before %" G_GUINT64_FORMAT, i, t[k].tfdt,
            next[id]);
      else if (have[id])
        fail_unless (t[k].tfdt == next[id], "part %u track %u: tfdt %"
            G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT, i, id, t[k].tfdt,
            next[id]);
      have[id] = TRUE;
      next[id] = t[k].tfdt + t[k].sum;
      if (id == 1)
        *vcount += t[k].n;
      else
        *acount += t[k].n;
    }
  }
}

GST_START_TEST (test_mux_av)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (2, TRUE, GST_SECOND, 200 * MS, collect,
      NULL);
  FluCmafTrack v, a;
  gint64 vt = 0, at = 0;
  guint i, vcount, acount, segs = 0, frame = 0;
  /* B-frames: decode order I P B with pts I=0 P=2 B=1 (frames) */
  static const gint pts_of[3] = { 1, 3, 2 };

  video_track (&v, avcc, sizeof avcc);
  audio_track (&a);
  flu_hls_fmp4_set_track (m, 0, &v);
  flu_hls_fmp4_set_track (m, 1, &a);
  /* audio first, then 4 s of video and audio, audio running ahead */
  push (m, 1, 0, 0, AFRAME, TRUE, 'a');
  at = AFRAME;
  for (i = 0; i < 120; i++) {
    gint64 dts = (gint64) i * FRAME;
    gint64 pts = ((gint64) (i / 3) * 3 + pts_of[i % 3]) * FRAME;

    while (at < dts + 200 * MS) {
      push (m, 1, at, at, AFRAME, TRUE, 'a');
      at += AFRAME;
    }
    push (m, 0, dts, pts, FRAME, i % 30 == 0, 'v');
    vt = dts;
    frame++;
  }
  fail_if (ended);
  flu_hls_fmp4_track_end (m, 1);
  fail_if (ended, "ended with a track still going");
  fail_unless (flu_hls_fmp4_track_end (m, 0));
  fail_unless (ended);

  check_continuity (&vcount, &acount);
  fail_unless_equals_int (vcount, 120);
  /* the audio frames before the first video frame are dropped */
  fail_unless (acount >= (guint) (vt / AFRAME) && acount <= at / AFRAME,
      "%u audio frames", acount);
  for (i = 0; i < parts->len; i++) {
    Part *p = &g_array_index (parts, Part, i);

    fail_unless (p->info.duration <= 200 * MS + MS, "part %u: %"
        G_GUINT64_FORMAT, i, p->info.duration);
    if (p->info.new_segment)
      segs++;
  }
  fail_unless_equals_int (segs, 4);
  fail_unless (g_array_index (parts, Part, 0).info.new_segment);
  fail_unless (g_array_index (parts, Part, parts->len - 1).info.ends_segment);
  {
    guint w, h;
    gdouble fps;
    gchar *codecs = flu_hls_fmp4_describe (m, &w, &h, &fps);

    fail_unless_equals_string (codecs, "avc1.64001f,mp4a.40.2");
    fail_unless_equals_int (w, 320);
    fail_unless_equals_int (h, 240);
    fail_unless (fps > 29.9 && fps < 30.1, "%f fps", fps);
    g_free (codecs);
  }
  /* B-frames: composition offsets go negative and positive */
  {
    Traf t[2];
    guint32 seq;

    parse_fragment (g_array_index (parts, Part, 0).data, &seq, t);
    fail_unless_equals_int (t[0].cts[0], 3000);
    fail_unless_equals_int (t[0].cts[1], 6000);
    fail_unless_equals_int (t[0].cts[2], 0);
    fail_unless_equals_int (t[0].duration[0], 3000);
    fail_unless (t[0].data[0] == 'v');
    fail_unless_equals_int (t[1].track_id, 2);
    fail_unless_equals_int (t[1].duration[0], 1024);
    fail_unless (t[1].data[0] == 'a');
  }
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&v);
  flu_cmaf_track_clear (&a);
}

GST_END_TEST;

/* new codec_data: a new init segment with the next keyframe, a
 * discontinuity, decode times that keep going */
GST_START_TEST (test_mux_caps_change)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (1, TRUE, GST_SECOND, 0, collect, NULL);
  FluCmafTrack v;
  guint8 other[sizeof avcc];
  guint i, vcount, acount, changes = 0;
  GBytes *init = NULL;

  video_track (&v, avcc, sizeof avcc);
  flu_hls_fmp4_set_track (m, 0, &v);
  for (i = 0; i < 90; i++) {
    if (i == 45) {
      flu_cmaf_track_clear (&v);
      memcpy (other, avcc, sizeof avcc);
      other[3] = 0x28;          /* level 4 */
      video_track (&v, other, sizeof other);
      flu_hls_fmp4_set_track (m, 0, &v);
    }
    /* the new stream starts at 0 again */
    push (m, 0, (i % 45) * FRAME, (i % 45) * FRAME, FRAME, i % 15 == 0, 'v');
  }
  flu_hls_fmp4_track_end (m, 0);
  check_continuity (&vcount, &acount);
  fail_unless_equals_int (vcount, 90);
  for (i = 0; i < parts->len; i++) {
    Part *p = &g_array_index (parts, Part, i);

    if (!p->info.new_segment)
      continue;
    fail_unless (p->init != NULL);
    if (init && !g_bytes_equal (init, p->init)) {
      changes++;
      fail_unless (p->info.discont);
    } else if (init) {
      fail_if (p->info.discont);
    }
    init = p->init;
  }
  fail_unless_equals_int (changes, 1);
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&v);
}

GST_END_TEST;

GST_START_TEST (test_mux_audio_only)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (1, FALSE, GST_SECOND, 200 * MS, collect,
      NULL);
  FluCmafTrack a;
  guint i, n = 0, segs = 0;
  guint64 next = 0;

  audio_track (&a);
  flu_hls_fmp4_set_track (m, 0, &a);
  for (i = 0; i < 200; i++)
    push (m, 0, i * AFRAME, i * AFRAME, AFRAME, TRUE, 'a');
  flu_hls_fmp4_track_end (m, 0);
  fail_unless (ended);
  for (i = 0; i < parts->len; i++) {
    Part *p = &g_array_index (parts, Part, i);
    Traf t[2];
    guint32 seq;

    fail_unless_equals_int (parse_fragment (p->data, &seq, t), 1);
    fail_unless (p->info.independent);
    fail_unless (t[0].tfdt == next);
    next = t[0].tfdt + t[0].sum;
    n += t[0].n;
    segs += p->info.new_segment;
  }
  fail_unless_equals_int (n, 200);
  fail_unless_equals_int (next, 200 * 1024);
  fail_unless (segs >= 4 && segs <= 5, "%u segments", segs);
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&a);
}

GST_END_TEST;

/* audio starting half a second before the video: both tracks' decode
 * times keep their distance (A/V sync) */
GST_START_TEST (test_mux_sync)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (2, TRUE, GST_SECOND, 200 * MS, collect,
      NULL);
  FluCmafTrack v, a;
  gint64 at = 0, vstart = 500 * MS;
  guint i;
  Traf t[2];
  guint32 seq;
  gdouble vs, as;

  video_track (&v, avcc, sizeof avcc);
  audio_track (&a);
  flu_hls_fmp4_set_track (m, 0, &v);
  flu_hls_fmp4_set_track (m, 1, &a);
  for (i = 0; i < 60; i++) {
    gint64 dts = vstart + (gint64) i * FRAME;

    while (at <= dts) {
      push (m, 1, at, at, AFRAME, TRUE, 'a');
      at += AFRAME;
    }
    push (m, 0, dts, dts, FRAME, i % 30 == 0, 'v');
  }
  flu_hls_fmp4_track_end (m, 0);
  flu_hls_fmp4_track_end (m, 1);
  fail_unless (parts->len > 2);
  fail_unless_equals_int (parse_fragment (g_array_index (parts, Part,
              0).data, &seq, t), 2);
  vs = t[0].tfdt / 90000.0;
  as = t[1].tfdt / 48000.0;
  /* the first audio frame of the part is the one at or after the video's
   * start: less than a frame apart */
  fail_unless (vs >= 0.499 && vs <= 0.501, "video starts at %f s", vs);
  fail_unless (as >= vs && as - vs < 1024 / 48000.0, "audio at %f s, video "
      "at %f s", as, vs);
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&v);
  flu_cmaf_track_clear (&a);
}

GST_END_TEST;

/* a track that sends nothing holds the other back one second at most;
 * samples that go back are dropped */
GST_START_TEST (test_mux_stall)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (2, TRUE, GST_SECOND, 200 * MS, collect,
      NULL);
  FluCmafTrack v, a;
  guint i;

  video_track (&v, avcc, sizeof avcc);
  audio_track (&a);
  flu_hls_fmp4_set_track (m, 0, &v);
  flu_hls_fmp4_set_track (m, 1, &a);
  for (i = 0; i < 60; i++)
    push (m, 0, i * FRAME, i * FRAME, FRAME, i % 30 == 0, 'v');
  fail_unless (parts->len >= 3, "%u parts", parts->len);
  /* the audio comes at last, a second late, then some of it again: the
   * repeated frames, more than 100 ms behind their track, are dropped;
   * decode times stay continuous */
  for (i = 0; i < 100; i++) {
    push (m, 1, i * AFRAME, i * AFRAME, AFRAME, TRUE, 'a');
    if (i % 2 == 0)
      push (m, 0, (60 + i / 2) * FRAME, (60 + i / 2) * FRAME, FRAME,
          (60 + i / 2) % 30 == 0, 'v');
  }
  for (i = 90; i < 94; i++)
    push (m, 1, i * AFRAME, i * AFRAME, AFRAME, TRUE, 'a');
  flu_hls_fmp4_track_end (m, 0);
  flu_hls_fmp4_track_end (m, 1);
  {
    guint vcount, acount;

    check_continuity (&vcount, &acount);
    fail_unless_equals_int (vcount, 110);
    fail_unless_equals_int (acount, 100);
    fail_unless_equals_int (flu_hls_fmp4_late (m), 4);
  }
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&v);
  flu_cmaf_track_clear (&a);
}

GST_END_TEST;

/* an audio track that goes on with GAP events instead of frames (a
 * muted source, an RTP depayloader after losses): the video's parts go
 * out as soon as they are complete, not a second later */
GST_START_TEST (test_mux_gap)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (2, TRUE, GST_SECOND, 200 * MS, collect,
      NULL);
  FluCmafTrack v, a;
  gint64 at = 0, dts;
  guint i, vcount, acount, audio = 0;

  video_track (&v, avcc, sizeof avcc);
  audio_track (&a);
  flu_hls_fmp4_set_track (m, 0, &v);
  flu_hls_fmp4_set_track (m, 1, &a);
  for (i = 0; i < 90; i++) {
    dts = (gint64) i *FRAME;
    push (m, 0, dts, dts, FRAME, i % 30 == 0, 'v');
    /* frames for half a second, then gaps */
    while (at <= dts) {
      if (at < 500 * MS) {
        push (m, 1, at, at, AFRAME, TRUE, 'a');
        audio++;
      } else {
        flu_hls_fmp4_gap (m, 1, at + AFRAME, 0);
      }
      at += AFRAME;
    }
    /* what is handed out reaches the part in progress: at most a part
     * target and a frame behind the newest frame */
    if (dts >= 500 * MS)
      fail_unless (parts_end () >= dts - 200 * MS - 2 * FRAME,
          "frame at %" G_GINT64_FORMAT " ms, parts up to %" G_GINT64_FORMAT
          " ms", dts / MS, parts_end () / MS);
  }
  fail_unless_equals_int (flu_hls_fmp4_skips (m), 0);
  flu_hls_fmp4_track_end (m, 0);
  fail_unless (flu_hls_fmp4_track_end (m, 1));
  check_continuity (&vcount, &acount);
  fail_unless_equals_int (vcount, 90);
  fail_unless_equals_int (acount, audio);
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&v);
  flu_cmaf_track_clear (&a);
}

GST_END_TEST;

/* an audio track that sends nothing at all (a dead encoder) is skipped
 * once it has been silent a part target by the arrival clock: the
 * video's parts wait that long once, then go on at once; the audio is
 * muxed again when it comes back.  The program date-time is the
 * arrival of the first sample, not when it left the queue. */
GST_START_TEST (test_mux_silent)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (2, TRUE, GST_SECOND, 200 * MS, collect,
      NULL);
  FluCmafTrack v, a;
  gint64 at = 0, dts, base = g_get_monotonic_time () - 5 * G_USEC_PER_SEC;
  gint64 real0 = g_get_real_time ();
  guint i, vcount, acount, audio = 0;
  gboolean back = FALSE;

  video_track (&v, avcc, sizeof avcc);
  audio_track (&a);
  flu_hls_fmp4_set_track (m, 0, &v);
  flu_hls_fmp4_set_track (m, 1, &a);
  for (i = 0; i < 120; i++) {
    dts = (gint64) i *FRAME;
    /* each sample comes when its time is (arrival = base + dts) */
    push_at (m, 0, dts, dts, FRAME, i % 30 == 0, 'v', base + dts / 1000);
    /* audio for half a second, nothing until 3 s, then audio again */
    for (; at <= dts; at += AFRAME) {
      if (at < 500 * MS || at >= 3 * GST_SECOND) {
        push_at (m, 1, at, at, AFRAME, TRUE, 'a', base + at / 1000);
        audio++;
        back = at >= 3 * GST_SECOND;
      }
    }
    /* skipped after 200 ms of silence, from 700 ms: then the parts keep
     * up with the video */
    if (dts >= 800 * MS && !back)
      fail_unless (parts_end () >= dts - 200 * MS - 2 * FRAME,
          "frame at %" G_GINT64_FORMAT " ms, parts up to %" G_GINT64_FORMAT
          " ms", dts / MS, parts_end () / MS);
  }
  fail_unless_equals_int (flu_hls_fmp4_skips (m), 1);
  fail_unless (back);
  flu_hls_fmp4_track_end (m, 0);
  fail_if (ended, "the audio is back: it holds the end");
  fail_unless (flu_hls_fmp4_track_end (m, 1));
  audio_may_jump = TRUE;
  check_continuity (&vcount, &acount);
  fail_unless_equals_int (vcount, 120);
  fail_unless_equals_int (acount, audio);
  {
    Part *p = &g_array_index (parts, Part, 0);

    /* the first sample came 5 s ago (by the arrival clock) */
    fail_unless (p->info.new_segment);
    fail_unless (p->info.pdt_us <= g_get_real_time () - 4 * G_USEC_PER_SEC &&
        p->info.pdt_us >= real0 - 6 * G_USEC_PER_SEC, "pdt %" G_GINT64_FORMAT
        " us, now %" G_GINT64_FORMAT, p->info.pdt_us, g_get_real_time ());
  }
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&v);
  flu_cmaf_track_clear (&a);
}

GST_END_TEST;

/* a track that never had data (a pad never linked) does not hold the
 * end; its own end afterwards ends nothing more; and a stream with no
 * data at all still ends (once) */
GST_START_TEST (test_mux_end_without_data)
{
  FluHlsFmp4 *m = flu_hls_fmp4_new (2, TRUE, GST_SECOND, 200 * MS, collect,
      NULL);
  FluCmafTrack v;
  guint i, vcount, acount;

  video_track (&v, avcc, sizeof avcc);
  flu_hls_fmp4_set_track (m, 0, &v);
  for (i = 0; i < 45; i++)
    push (m, 0, i * FRAME, i * FRAME, FRAME, i % 15 == 0, 'v');
  fail_unless (flu_hls_fmp4_track_end (m, 0), "the audio track holds the end");
  fail_unless (ended);
  check_continuity (&vcount, &acount);
  fail_unless_equals_int (vcount, 45);
  fail_unless_equals_int (acount, 0);
  fail_unless (g_array_index (parts, Part, parts->len - 1).info.ends_segment);
  fail_if (flu_hls_fmp4_track_end (m, 1));
  fail_unless_equals_int (ends, 1);
  flu_hls_fmp4_free (m);

  m = flu_hls_fmp4_new (2, TRUE, GST_SECOND, 200 * MS, collect, NULL);
  flu_hls_fmp4_set_track (m, 0, &v);
  ended = FALSE;
  fail_unless (flu_hls_fmp4_track_end (m, 1));
  fail_if (flu_hls_fmp4_track_end (m, 0));
  fail_unless_equals_int (ends, 2);
  flu_hls_fmp4_free (m);
  flu_cmaf_track_clear (&v);
}

GST_END_TEST;

/* ---- the window: fMP4 names and EXT-X-MAP ---- */

static GHashTable *mounted;

static void
record_mount (const gchar * name, gboolean add, gpointer data)
{
  if (add) {
    fail_if (g_hash_table_contains (mounted, name), "%s mounted twice", name);
    g_hash_table_add (mounted, g_strdup (name));
  } else {
    fail_unless (g_hash_table_remove (mounted, name), "%s not mounted", name);
  }
}

static gchar *
playlist_text (FluHlsWindow * w)
{
  GBytes *b = flu_hls_window_playlist (w);
  gsize n;
  const gchar *d = g_bytes_get_data (b, &n);
  gchar *s = g_strndup (d, n);

  g_bytes_unref (b);
  return s;
}

static void
add_segment (FluHlsWindow * w, GBytes * init, gboolean discont)
{
  FluHlsPartInfo info = { GST_SECOND, TRUE, TRUE, discont, 0, TRUE, init };

  flu_hls_window_add_part (w, &info, g_bytes_new ("x", 1));
}

GST_START_TEST (test_window_fmp4)
{
  FluHlsWindowConfig cfg = { 1, 0, 3, 3, TRUE };
  GBytes *i1 = g_bytes_new ("init-one", 8), *i2 = g_bytes_new ("init-two", 8);
  GBytes *got;
  FluHlsWindow *w;
  guint64 msn;
  guint part;
  gchar *pl;
  guint i;

  mounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w = flu_hls_window_new (&cfg, 10, record_mount, NULL);
  add_segment (w, i1, FALSE);
  add_segment (w, i1, FALSE);
  fail_unless (g_hash_table_contains (mounted, "init10.mp4"));
  fail_unless (g_hash_table_contains (mounted, "seg11.m4s"));
  fail_unless_equals_int (g_hash_table_size (mounted), 3);
  pl = playlist_text (w);
  fail_unless (strstr (pl, "#EXT-X-MAP:URI=\"init10.mp4\"\n"
          "#EXT-X-PROGRAM-DATE-TIME") != NULL, "%s", pl);
  fail_unless (strstr (pl, "#EXT-X-VERSION:6\n") != NULL);
  fail_unless (strstr (pl, "\nseg10.m4s\n") != NULL);
  fail_unless (strstr (strstr (pl, "init10") + 1, "EXT-X-MAP") == NULL);
  g_free (pl);
  got = flu_hls_window_get_init (w, 10);
  fail_unless (got && g_bytes_equal (got, i1));
  g_bytes_unref (got);
  fail_unless (flu_hls_window_get_init (w, 11) == NULL);

  /* a new init: its own name, its own EXT-X-MAP after the discontinuity */
  add_segment (w, i2, TRUE);
  fail_unless (g_hash_table_contains (mounted, "init12.mp4"));
  pl = playlist_text (w);
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init12.mp4"
          "\"\n") != NULL, "%s", pl);
  g_free (pl);
  /* the old init goes with its last segment */
  add_segment (w, i2, FALSE);
  fail_unless (g_hash_table_contains (mounted, "init10.mp4"));
  add_segment (w, i2, FALSE);
  fail_if (g_hash_table_contains (mounted, "init10.mp4"));
  fail_unless (flu_hls_window_get_init (w, 10) == NULL);
  pl = playlist_text (w);
  fail_unless (g_str_has_prefix (strstr (pl, "#EXT-X-MAP"),
          "#EXT-X-MAP:URI=\"init12.mp4\"\n"), "%s", pl);
  g_free (pl);

  fail_unless_equals_int (flu_hls_parse_name ("init12.mp4", &msn, &part),
      FLU_HLS_NAME_INIT);
  fail_unless (msn == 12);
  fail_unless_equals_int (flu_hls_parse_name ("seg12.m4s", &msn, &part),
      FLU_HLS_NAME_SEGMENT);
  fail_unless_equals_int (flu_hls_parse_name ("part12.3.m4s", &msn, &part),
      FLU_HLS_NAME_PART);
  fail_unless_equals_int (part, 3);
  fail_unless_equals_int (flu_hls_parse_name ("init12.m4s", &msn, &part),
      FLU_HLS_NAME_UNKNOWN);
  for (i = 0; i < 2; i++)
    add_segment (w, i2, FALSE);
  flu_hls_window_free (w);
  fail_unless_equals_int (g_hash_table_size (mounted), 0);
  g_hash_table_unref (mounted);
  g_bytes_unref (i1);
  g_bytes_unref (i2);
}

GST_END_TEST;

static Suite *
flucmaf_suite (void)
{
  Suite *s = suite_create ("flucmaf");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_init_segment);
  tcase_add_test (tc, test_init_opus_hevc);
  tcase_add_test (tc, test_fragment);
  tcase_add_test (tc, test_mux_av);
  tcase_add_test (tc, test_mux_caps_change);
  tcase_add_test (tc, test_mux_audio_only);
  tcase_add_test (tc, test_mux_stall);
  tcase_add_test (tc, test_mux_sync);
  tcase_add_test (tc, test_mux_gap);
  tcase_add_test (tc, test_mux_silent);
  tcase_add_test (tc, test_mux_end_without_data);
  tcase_add_test (tc, test_window_fmp4);
  return s;
}

GST_CHECK_MAIN (flucmaf);
