/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The byte-level building blocks shared by the document formats (docs/SYNC.md): unsigned
 * LEB128 varints, fixed little-endian integers and length-prefixed byte strings. Every read
 * is bounds-checked and range-checked before the value is used. */

#define RP_CODEC_ERROR (rp_codec_error_quark ())
GQuark rp_codec_error_quark (void);

typedef enum {
  RP_CODEC_ERROR_TRUNCATED,
  RP_CODEC_ERROR_MALFORMED,
  RP_CODEC_ERROR_UNSUPPORTED,
  RP_CODEC_ERROR_TOO_LARGE,
} RpCodecError;

typedef struct {
  const guint8 *pos;
  const guint8 *end;
} RpReader;

void      rp_reader_init       (RpReader      *r,
                                const guint8  *data,
                                gsize          len);
gsize     rp_reader_remaining  (const RpReader *r);
gboolean  rp_reader_u8         (RpReader      *r,
                                guint8        *out,
                                GError       **error);
gboolean  rp_reader_u64le      (RpReader      *r,
                                guint64       *out,
                                GError       **error);
gboolean  rp_reader_varint     (RpReader      *r,
                                guint64        max,
                                const char    *what,
                                guint64       *out,
                                GError       **error);
gboolean  rp_reader_varint32   (RpReader      *r,
                                guint32        max,
                                const char    *what,
                                guint32       *out,
                                GError       **error);
gboolean  rp_reader_zigzag     (RpReader      *r,
                                const char    *what,
                                gint64        *out,
                                GError       **error);
gboolean  rp_reader_bytes      (RpReader      *r,
                                gsize          len,
                                const guint8 **out,
                                GError       **error);
gboolean  rp_reader_string     (RpReader      *r,
                                gsize          max_len,
                                const char    *what,
                                char         **out,
                                GError       **error);
gboolean  rp_reader_header     (RpReader      *r,
                                const char    *magic,
                                guint8         version,
                                GError       **error);

void      rp_writer_u8         (GByteArray    *w,
                                guint8         v);
void      rp_writer_u64le      (GByteArray    *w,
                                guint64        v);
void      rp_writer_varint     (GByteArray    *w,
                                guint64        v);
void      rp_writer_zigzag     (GByteArray    *w,
                                gint64         v);
void      rp_writer_bytes      (GByteArray    *w,
                                const void    *data,
                                gsize          len);
void      rp_writer_string     (GByteArray    *w,
                                const char    *s);
void      rp_writer_header     (GByteArray    *w,
                                const char    *magic,
                                guint8         version);

G_END_DECLS
