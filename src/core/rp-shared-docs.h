/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-agenda.h"
#include "rp-session.h"
#include "rp-store.h"
#include "rp-text-doc.h"

G_BEGIN_DECLS

#define RP_SHARED_DOCS_ERROR (rp_shared_docs_error_quark ())
GQuark rp_shared_docs_error_quark (void);

typedef enum {
  RP_SHARED_DOCS_ERROR_DAMAGED,   /* a stored snapshot could not be read */
  RP_SHARED_DOCS_ERROR_PEER,      /* the peer sent a sync message that was refused */
  RP_SHARED_DOCS_ERROR_STORE,     /* the store failed to keep or compact an update */
} RpSharedDocsError;

/* How many stored updates of one document trigger a compaction into a snapshot. */
#define RP_SHARED_DOCS_DEFAULT_COMPACT_THRESHOLD 512

#define RP_TYPE_SHARED_DOCS (rp_shared_docs_get_type ())
G_DECLARE_FINAL_TYPE (RpSharedDocs, rp_shared_docs, RP, SHARED_DOCS, GObject)

/* The notes and agenda of one session. With a store, both are loaded from it (snapshot plus
 * update log) and every local and remote change is appended to it; doc_id prefixes the store's
 * keys ("DOC_ID/notes", "DOC_ID/agenda"). sync_id names the documents to the peer (both sides
 * must agree, e.g. the room token; NULL or "" = not checked). */
RpSharedDocs *rp_shared_docs_new               (RpStore             *store,
                                                const char          *doc_id,
                                                const char          *sync_id,
                                                GError             **error);
void          rp_shared_docs_new_async         (RpStore             *store,
                                                const char          *doc_id,
                                                const char          *sync_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
RpSharedDocs *rp_shared_docs_new_finish        (GAsyncResult        *result,
                                                GError             **error);

RpTextDoc    *rp_shared_docs_get_notes         (RpSharedDocs        *self);
RpAgenda     *rp_shared_docs_get_agenda        (RpSharedDocs        *self);
gboolean      rp_shared_docs_is_synced         (RpSharedDocs        *self);

/* Syncs over the session's data channel from now on (NULL: stop). */
void          rp_shared_docs_set_session       (RpSharedDocs        *self,
                                                RpSession           *session);

/* The transport underneath, for channels other than an RpSession's (and tests): frames to send
 * come out of the "send" signal; rp_shared_docs_set_session() wires these to the session. */
void          rp_shared_docs_channel_opened    (RpSharedDocs        *self);
void          rp_shared_docs_channel_closed    (RpSharedDocs        *self);
gboolean      rp_shared_docs_receive           (RpSharedDocs        *self,
                                                GBytes              *frame,
                                                GError             **error);

/* Where the local caret is in the notes (a code-point position): sent to the peer as an
 * anchor that survives edits on both sides, at most a few times a second. */
void          rp_shared_docs_set_local_caret   (RpSharedDocs        *self,
                                                gsize                pos);
/* Where the partner's caret is in the notes now, or -1 when unknown ("partner-caret" is
 * notified when they move it; positions shift with edits without a notification). */
gssize        rp_shared_docs_get_partner_caret (RpSharedDocs        *self);
/* An application message from the peer (the session's "app-message"): TRUE if it was ours. */
gboolean      rp_shared_docs_receive_app       (RpSharedDocs        *self,
                                                JsonNode            *message);

/* Sends the local edits still being batched. */
void          rp_shared_docs_flush             (RpSharedDocs        *self);
/* Writes what is not yet in the store and waits until the store has committed it. */
gboolean      rp_shared_docs_save              (RpSharedDocs        *self,
                                                GError             **error);

G_END_DECLS
