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

/* The replica table at the head of a document update (docs/SYNC.md): a count, then each
 * replica id as u64le; the records after it name a replica by its slot in the table. */
typedef struct {
  GArray     *ids;     /* guint64, in the order first met */
  GHashTable *slots;   /* guint64* -> slot + 1 */
} RpReplicaTable;

void      rp_replica_table_init  (RpReplicaTable       *t);
void      rp_replica_table_clear (RpReplicaTable       *t);
/* The replica's slot, added at the end of the table if it is new. */
guint     rp_replica_table_slot  (RpReplicaTable       *t,
                                  guint64               id);
void      rp_writer_replicas     (GByteArray           *w,
                                  const RpReplicaTable *t);
/* Reads the table: at most max ids (and no more than the bytes left could hold). *ids gets
 * one spare element, so that it is never NULL, even for an empty table. */
gboolean  rp_reader_replicas     (RpReader             *r,
                                  guint64               max,
                                  guint64             **ids,
                                  guint64              *n_ids,
                                  GError              **error);

G_END_DECLS
