/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the store: the documents' persistence. Appends and compactions are queued and
 * committed by a writer thread with its own connection, so that typing never waits for the
 * disk; loads merge what is on disk with what is still queued.
 */
#pragma once

#include "rp-store-db.h"

G_BEGIN_DECLS

typedef struct _RpStoreDocs RpStoreDocs;

/* Called in the owner's main context when a background commit failed; `owner` is alive. */
typedef void (*RpStoreDocsErrorFunc) (GObject      *owner,
                                      const GError *error);

RpStoreDocs *rp_store_docs_new          (const char           *path,
                                         GMainContext         *owner_context,
                                         GObject              *owner,
                                         RpStoreDocsErrorFunc  on_error,
                                         GError              **error);
/* Commits what is queued, stops the thread and closes its connection. */
gboolean     rp_store_docs_close        (RpStoreDocs  *docs,
                                         GError      **error);
void         rp_store_docs_free         (RpStoreDocs  *docs);

void         rp_store_docs_set_max_size (RpStoreDocs  *docs,
                                         guint64       max_bytes);
void         rp_store_docs_append       (RpStoreDocs  *docs,
                                         const char   *doc_id,
                                         GBytes       *update);
gboolean     rp_store_docs_flush        (RpStoreDocs  *docs,
                                         GError      **error);
/* Queues a compaction; `task` (returning a boolean) completes once it is committed. */
void         rp_store_docs_compact      (RpStoreDocs  *docs,
                                         const char   *doc_id,
                                         GBytes       *snapshot,
                                         GTask        *task);
gboolean     rp_store_docs_delete       (RpStoreDocs  *docs,
                                         const char   *doc_id,
                                         GError      **error);
/* Reads through `db` (the caller's connection) and adds what is still queued. */
gboolean     rp_store_docs_load         (RpStoreDocs  *docs,
                                         sqlite3      *db,
                                         const char   *doc_id,
                                         GBytes      **snapshot,
                                         GPtrArray   **updates,
                                         GError      **error);
guint        rp_store_docs_count_updates (RpStoreDocs *docs,
                                          sqlite3     *db,
                                          const char  *doc_id);

G_END_DECLS
