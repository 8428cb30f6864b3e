/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RP_TEXT_DOC_ERROR (rp_text_doc_error_quark ())
GQuark rp_text_doc_error_quark (void);

typedef enum {
  RP_TEXT_DOC_ERROR_RANGE,     /* a position or length outside the text */
  RP_TEXT_DOC_ERROR_INVALID,   /* malformed or hostile encoded data */
  RP_TEXT_DOC_ERROR_LIMIT,     /* beyond the sizes a notes document may have */
} RpTextDocError;

#define RP_TYPE_TEXT_DOC (rp_text_doc_get_type ())
G_DECLARE_FINAL_TYPE (RpTextDoc, rp_text_doc, RP, TEXT_DOC, GObject)

RpTextDoc *rp_text_doc_new                  (void);
RpTextDoc *rp_text_doc_new_with_replica     (guint64       replica_id);
RpTextDoc *rp_text_doc_new_from_snapshot    (GBytes       *snapshot,
                                             GError      **error);

guint64    rp_text_doc_get_replica_id       (RpTextDoc    *self);
gsize      rp_text_doc_get_length           (RpTextDoc    *self);
char      *rp_text_doc_get_text             (RpTextDoc    *self);

gboolean   rp_text_doc_insert               (RpTextDoc    *self,
                                             gsize         pos,
                                             const char   *text,
                                             gssize        len,
                                             GError      **error);
gboolean   rp_text_doc_delete               (RpTextDoc    *self,
                                             gsize         pos,
                                             gsize         n_chars,
                                             GError      **error);

gboolean   rp_text_doc_apply_update         (RpTextDoc    *self,
                                             GBytes       *update,
                                             GError      **error);
GBytes    *rp_text_doc_encode_state         (RpTextDoc    *self);
GBytes    *rp_text_doc_encode_state_vector  (RpTextDoc    *self);
GBytes    *rp_text_doc_encode_diff          (RpTextDoc    *self,
                                             GBytes       *state_vector,
                                             GError      **error);
char      *rp_text_doc_anchor_at            (RpTextDoc    *self,
                                             gsize         pos);
gssize     rp_text_doc_resolve_anchor       (RpTextDoc    *self,
                                             const char   *anchor);
gsize      rp_text_doc_get_n_pending        (RpTextDoc    *self);
gsize      rp_text_doc_get_n_runs           (RpTextDoc    *self);

G_END_DECLS
