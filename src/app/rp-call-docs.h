/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-notes-binding.h"
#include "rp-partner-book.h"
#include "rp-session.h"
#include "rp-shared-docs.h"

G_BEGIN_DECLS

#define RP_TYPE_CALL_DOCS (rp_call_docs_get_type ())
G_DECLARE_FINAL_TYPE (RpCallDocs, rp_call_docs, RP, CALL_DOCS, GObject)

/* What a call writes down: the session's record in the store (begun now, with the action items
 * carried over from the last session with the partner), its shared notes and agenda (kept in
 * the store, synced over the call's data channel), bound to the side panel's text buffer and
 * agenda list. Editing works before the partner is there; it merges when they connect. */
RpCallDocs            *rp_call_docs_new           (RpPartnerBook  *book,
                                                   RpPartnerItem  *partner,
                                                   GtkTextBuffer  *notes_buffer,
                                                   GListStore     *agenda_entries,
                                                   GError        **error);
void                   rp_call_docs_set_session   (RpCallDocs     *self,
                                                   RpSession      *session);
/* A joiner learns who the partner is only from the call. */
void                   rp_call_docs_set_partner   (RpCallDocs     *self,
                                                   RpPartnerItem  *partner);
void                   rp_call_docs_set_link      (RpCallDocs     *self,
                                                   const char     *link);
/* Writes the record: connected_at (NULL if the partner never came) to now, the notes' text and
 * the agenda as it stands. A session where no one came and nothing was written is dropped. */
gboolean               rp_call_docs_finish        (RpCallDocs     *self,
                                                   GDateTime      *connected_at,
                                                   GError        **error);
const RpSessionRecord *rp_call_docs_get_record    (RpCallDocs     *self);
RpSharedDocs          *rp_call_docs_get_shared    (RpCallDocs     *self);
RpNotesBinding        *rp_call_docs_get_notes_binding (RpCallDocs *self);

G_END_DECLS
