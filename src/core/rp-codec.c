/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bounds-checked readers and plain writers for the binary document formats. Input comes from
 * the network and from files, so a read never trusts a length before checking it against what
 * is left of the buffer and against the caller's limit.
 */
#include "config.h"

#include <string.h>

#include "rp-codec.h"

G_DEFINE_QUARK (rp-codec-error-quark, rp_codec_error)

void
rp_reader_init (RpReader     *r,
                const guint8 *data,
                gsize         len)
{
  r->pos = data;
  r->end = data + len;
}

gsize
rp_reader_remaining (const RpReader *r)
{
  return (gsize) (r->end - r->pos);
}

static gboolean
truncated (GError **error)
{
  g_set_error_literal (error, RP_CODEC_ERROR, RP_CODEC_ERROR_TRUNCATED,
                       "The data ends in the middle of a field");
  return FALSE;
}

gboolean
rp_reader_u8 (RpReader *r,
              guint8   *out,
              GError  **error)
{
  if (r->pos >= r->end)
    return truncated (error);
  *out = *r->pos++;
  return TRUE;
}

gboolean
rp_reader_u64le (RpReader *r,
                 guint64  *out,
                 GError  **error)
{
  guint64 v = 0;

  if (rp_reader_remaining (r) < 8)
    return truncated (error);
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | r->pos[i];
  r->pos += 8;
  *out = v;
  return TRUE;
}

/* Unsigned LEB128, at most 10 bytes; overlong encodings of the high bits are refused so that
 * a value has a single meaning. */
gboolean
rp_reader_varint (RpReader   *r,
                  guint64     max,
                  const char *what,
                  guint64    *out,
                  GError    **error)
{
  guint64 v = 0;
  guint shift = 0;

  for (;;)
    {
      guint8 b;

      if (r->pos >= r->end)
        return truncated (error);
      b = *r->pos++;
      if (shift == 63 && (b & 0x7e) != 0)
        {
          g_set_error (error, RP_CODEC_ERROR, RP_CODEC_ERROR_MALFORMED,
                       "The %s does not fit in 64 bits", what);
          return FALSE;
        }
      v |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        break;
      shift += 7;
      if (shift > 63)
        {
          g_set_error (error, RP_CODEC_ERROR, RP_CODEC_ERROR_MALFORMED,
                       "The %s is longer than ten bytes", what);
          return FALSE;
        }
    }
  if (v > max)
    {
      g_set_error (error, RP_CODEC_ERROR, RP_CODEC_ERROR_TOO_LARGE,
                   "The %s (%" G_GUINT64_FORMAT ") is larger than %" G_GUINT64_FORMAT,
                   what, v, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
rp_reader_varint32 (RpReader   *r,
                    guint32     max,
                    const char *what,
                    guint32    *out,
                    GError    **error)
{
  guint64 v;

  if (!rp_reader_varint (r, max, what, &v, error))
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

/* A signed value as zigzag LEB128: 0, -1, 1, -2, 2 … become 0, 1, 2, 3, 4 … */
gboolean
rp_reader_zigzag (RpReader   *r,
                  const char *what,
                  gint64     *out,
                  GError    **error)
{
  guint64 u;

  if (!rp_reader_varint (r, G_MAXUINT64, what, &u, error))
    return FALSE;
  *out = (gint64) (u >> 1) ^ -(gint64) (u & 1);
  return TRUE;
}

gboolean
rp_reader_bytes (RpReader      *r,
                 gsize          len,
                 const guint8 **out,
                 GError       **error)
{
  if (rp_reader_remaining (r) < len)
    return truncated (error);
  *out = r->pos;
  r->pos += len;
  return TRUE;
}

/* A length-prefixed UTF-8 string without NUL bytes. */
gboolean
rp_reader_string (RpReader   *r,
                  gsize       max_len,
                  const char *what,
                  char      **out,
                  GError    **error)
{
  guint64 len;
  const guint8 *bytes;

  if (!rp_reader_varint (r, max_len, what, &len, error) ||
      !rp_reader_bytes (r, len, &bytes, error))
    return FALSE;
  if (memchr (bytes, 0, len) != NULL || !g_utf8_validate ((const char *) bytes, len, NULL))
    {
      g_set_error (error, RP_CODEC_ERROR, RP_CODEC_ERROR_MALFORMED,
                   "The %s is not valid UTF-8 text", what);
      return FALSE;
    }
  *out = g_strndup ((const char *) bytes, len);
  return TRUE;
}

gboolean
rp_reader_header (RpReader   *r,
                  const char *magic,
                  guint8      version,
                  GError    **error)
{
  gsize magic_len = strlen (magic);
  const guint8 *bytes;
  guint8 v;

  if (!rp_reader_bytes (r, magic_len, &bytes, error))
    return FALSE;
  if (memcmp (bytes, magic, magic_len) != 0)
    {
      g_set_error (error, RP_CODEC_ERROR, RP_CODEC_ERROR_MALFORMED,
                   "The data does not start with the “%s” mark", magic);
      return FALSE;
    }
  if (!rp_reader_u8 (r, &v, error))
    return FALSE;
  if (v != version)
    {
      g_set_error (error, RP_CODEC_ERROR, RP_CODEC_ERROR_UNSUPPORTED,
                   "Format version %u is not supported (this program reads version %u)",
                   v, version);
      return FALSE;
    }
  return TRUE;
}

void
rp_writer_u8 (GByteArray *w,
              guint8      v)
{
  g_byte_array_append (w, &v, 1);
}

void
rp_writer_u64le (GByteArray *w,
                 guint64     v)
{
  guint8 b[8];

  for (int i = 0; i < 8; i++)
    b[i] = (guint8) (v >> (8 * i));
  g_byte_array_append (w, b, 8);
}

void
rp_writer_varint (GByteArray *w,
                  guint64     v)
{
  guint8 b[10];
  guint n = 0;

  do
    {
      b[n] = v & 0x7f;
      v >>= 7;
      if (v != 0)
        b[n] |= 0x80;
      n++;
    }
  while (v != 0);
  g_byte_array_append (w, b, n);
}

void
rp_writer_zigzag (GByteArray *w,
                  gint64      v)
{
  rp_writer_varint (w, ((guint64) v << 1) ^ (guint64) (v >> 63));
}

void
rp_writer_bytes (GByteArray *w,
                 const void *data,
                 gsize       len)
{
  g_byte_array_append (w, data, len);
}

void
rp_writer_string (GByteArray *w,
                  const char *s)
{
  gsize len = s ? strlen (s) : 0;

  rp_writer_varint (w, len);
  g_byte_array_append (w, (const guint8 *) s, len);
}

void
rp_writer_header (GByteArray *w,
                  const char *magic,
                  guint8      version)
{
  g_byte_array_append (w, (const guint8 *) magic, strlen (magic));
  rp_writer_u8 (w, version);
}

void
rp_replica_table_init (RpReplicaTable *t)
{
  t->ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  t->slots = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

void
rp_replica_table_clear (RpReplicaTable *t)
{
  g_clear_pointer (&t->ids, g_array_unref);
  g_clear_pointer (&t->slots, g_hash_table_unref);
}

guint
rp_replica_table_slot (RpReplicaTable *t,
                       guint64         id)
{
  gpointer v = g_hash_table_lookup (t->slots, &id);
  guint64 *key;

  if (v != NULL)
    return GPOINTER_TO_UINT (v) - 1;
  key = g_new (guint64, 1);
  *key = id;
  g_array_append_val (t->ids, id);
  g_hash_table_insert (t->slots, key, GUINT_TO_POINTER (t->ids->len));
  return t->ids->len - 1;
}

void
rp_writer_replicas (GByteArray           *w,
                    const RpReplicaTable *t)
{
  rp_writer_varint (w, t->ids->len);
  for (guint i = 0; i < t->ids->len; i++)
    rp_writer_u64le (w, g_array_index (t->ids, guint64, i));
}

gboolean
rp_reader_replicas (RpReader  *r,
                    guint64    max,
                    guint64  **ids,
                    guint64   *n_ids,
                    GError   **error)
{
  g_autofree guint64 *read = NULL;

  if (!rp_reader_varint (r, MIN (max, rp_reader_remaining (r) / 8), "replica count", n_ids,
                         error))
    return FALSE;
  read = g_new (guint64, *n_ids + 1);
  for (guint64 i = 0; i < *n_ids; i++)
    if (!rp_reader_u64le (r, &read[i], error))
      return FALSE;
  *ids = g_steal_pointer (&read);
  return TRUE;
}
