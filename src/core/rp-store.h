/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-store-records.h"

G_BEGIN_DECLS

/* RpStore: the local SQLite record of partners, sessions, action items and the shared
 * documents' persistence.
 *
 * Threading rule:
 * - An RpStore belongs to the thread that created it (its thread-default main context, the
 *   "owner"). Call every function without an _async/_finish pair from the owner only, except
 *   rp_store_search() and rp_store_export_session(), which may run on any thread.
 * - The blocking calls are cheap: a few rows on the owner's own connection (WAL mode, no fsync
 *   on commit), and loading a document reads only its snapshot and its update log. They do not
 *   wait for the disk to sync; a write may wait for the writer thread's commit in progress
 *   (milliseconds; a compaction of a very long log, a few hundred).
 * - rp_store_append_update() never touches the disk: it queues the update for a writer thread
 *   with its own connection, which commits the queue in one transaction (synchronous=FULL) at
 *   most RP_STORE_COMMIT_INTERVAL_MS after the first queued update, and at once on
 *   rp_store_flush(), compaction and close. An update is durable — against a crash, a SIGKILL
 *   or a power cut — within a second of being appended.
 * - Search, export, loading and compaction can be slow on a long history: their _async
 *   variants run on a GTask worker thread (search, export and load on a separate read
 *   connection guarded by a mutex; compaction on the writer thread, ordered after every update
 *   appended before it).
 *   Their callbacks run in the caller's thread-default main context.
 * - When a background commit fails (disk full, I/O error) nothing is dropped: the updates stay
 *   queued, loading a document still returns them, the "write-error" signal is emitted and
 *   "write-failing" turns TRUE in the owner's context (FALSE again once a commit succeeds), and
 *   the writer retries every second and on each flush.
 */

#define RP_STORE_COMMIT_INTERVAL_MS 250
#define RP_STORE_SCHEMA_VERSION     4

#define RP_STORE_ERROR (rp_store_error_quark ())
GQuark rp_store_error_quark (void);

typedef enum {
  RP_STORE_ERROR_FAILED,
  RP_STORE_ERROR_CANNOT_OPEN,   /* the location cannot be opened or created */
  RP_STORE_ERROR_READ_ONLY,     /* the file or its folder cannot be written */
  RP_STORE_ERROR_NOT_DATABASE,  /* not a SQLite database, or another program's */
  RP_STORE_ERROR_CORRUPT,       /* a SQLite database, but damaged */
  RP_STORE_ERROR_TOO_NEW,       /* written by a newer Rapport */
  RP_STORE_ERROR_FULL,          /* the disk (or the store's size limit) is full */
  RP_STORE_ERROR_IO,            /* the operating system failed a read or write */
  RP_STORE_ERROR_BUSY,          /* another program holds the file locked */
  RP_STORE_ERROR_NOT_FOUND,
  RP_STORE_ERROR_INVALID,       /* an argument was refused (zone, time, rule, a uid in use) */
  RP_STORE_ERROR_CLOSED,
} RpStoreError;

typedef enum {
  RP_STORE_EXPORT_MARKDOWN,
  RP_STORE_EXPORT_JSON,
} RpStoreExportFormat;

#define RP_TYPE_STORE (rp_store_get_type ())
G_DECLARE_FINAL_TYPE (RpStore, rp_store, RP, STORE, GObject)

/* ~/.local/share/rapport/rapport.db (under g_get_user_data_dir()). */
char            *rp_store_get_default_path      (void);

/* Opens or creates the database at path (NULL = the default path, whose folder is created),
 * migrating an older schema. RpStore is a GInitable: g_initable_new() works the same. */
RpStore         *rp_store_new                   (const char    *path,
                                                 GError       **error);
/* The same, opening (and migrating) on a worker thread; the store belongs to the caller's
 * thread all the same. */
void             rp_store_new_async             (const char         *path,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
RpStore         *rp_store_new_finish            (GAsyncResult  *result,
                                                 GError       **error);
const char      *rp_store_get_path              (RpStore       *self);
/* A size limit in bytes for the database file (0 = none; the default). Writes beyond it fail
 * with RP_STORE_ERROR_FULL exactly as on a full disk. */
void             rp_store_set_max_size          (RpStore       *self,
                                                 guint64        max_bytes);
guint64          rp_store_get_max_size          (RpStore       *self);
/* Commits everything queued and closes the connections. Further calls fail with
 * RP_STORE_ERROR_CLOSED. Also done (errors logged) when the last reference goes. */
gboolean         rp_store_close                 (RpStore       *self,
                                                 GError       **error);

/* ---- Documents: opaque CRDT blobs, keyed by a string doc id. ---- */
void             rp_store_append_update         (RpStore       *self,
                                                 const char    *doc_id,
                                                 GBytes        *update);
/* The latest snapshot (NULL if none) and every update appended after it, oldest first
 * (a GPtrArray of GBytes*, never NULL on success). Includes updates still queued. */
gboolean         rp_store_load_document         (RpStore       *self,
                                                 const char    *doc_id,
                                                 GBytes       **snapshot,
                                                 GPtrArray    **updates,
                                                 GError       **error);
/* Replaces the snapshot and drops the update log, atomically. The snapshot must contain every
 * update appended for doc_id before this call; later ones are kept. Blocks until committed. */
/* The same on a worker thread (for a long log: ~0.1-0.3 s for 260k updates, see
 * tests/bench/bench-store.c). */
void             rp_store_load_document_async   (RpStore            *self,
                                                 const char         *doc_id,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
gboolean         rp_store_load_document_finish  (RpStore       *self,
                                                 GAsyncResult  *result,
                                                 GBytes       **snapshot,
                                                 GPtrArray    **updates,
                                                 GError       **error);
gboolean         rp_store_compact_document      (RpStore       *self,
                                                 const char    *doc_id,
                                                 GBytes        *snapshot,
                                                 GError       **error);
void             rp_store_compact_document_async (RpStore            *self,
                                                  const char         *doc_id,
                                                  GBytes             *snapshot,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean         rp_store_compact_document_finish (RpStore       *self,
                                                   GAsyncResult  *result,
                                                   GError       **error);
/* How many updates are stored after the document's snapshot (to decide when to compact). */
guint            rp_store_get_update_count      (RpStore       *self,
                                                 const char    *doc_id);
/* Commits the queue now and waits for it; FALSE with the commit's error if it failed. */
gboolean         rp_store_flush                 (RpStore       *self,
                                                 GError       **error);
gboolean         rp_store_delete_document       (RpStore       *self,
                                                 const char    *doc_id,
                                                 GError       **error);

/* ---- Partners ---- */
/* Stores a new partner; sets partner->id and returns it, 0 on error. */
gint64           rp_store_add_partner           (RpStore       *self,
                                                 RpPartner     *partner,
                                                 GError       **error);
gboolean         rp_store_update_partner        (RpStore         *self,
                                                 const RpPartner *partner,
                                                 GError         **error);
RpPartner       *rp_store_get_partner           (RpStore       *self,
                                                 gint64         id,
                                                 GError       **error);
/* Every partner, by name. GPtrArray of RpPartner*. */
GPtrArray       *rp_store_list_partners         (RpStore       *self,
                                                 GError       **error);
/* Sessions with the partner stay in the record, without partner. */
gboolean         rp_store_delete_partner        (RpStore       *self,
                                                 gint64         id,
                                                 GError       **error);

/* ---- Sessions ---- */
gint64           rp_store_add_session           (RpStore         *self,
                                                 RpSessionRecord *record,
                                                 GError         **error);
/* Writes every field of the record. Agenda items of kind ACTION become action items of the
 * session (matched by title; their done flag follows the agenda). */
gboolean         rp_store_update_session        (RpStore               *self,
                                                 const RpSessionRecord *record,
                                                 GError               **error);
RpSessionRecord *rp_store_get_session           (RpStore       *self,
                                                 gint64         id,
                                                 GError       **error);
RpSessionRecord *rp_store_get_session_by_uid    (RpStore       *self,
                                                 const char    *uid,
                                                 GError       **error);
gboolean         rp_store_delete_session        (RpStore       *self,
                                                 gint64         id,
                                                 GError       **error);
/* Ended sessions, most recent first; partner_id 0 = all partners. */
GPtrArray       *rp_store_list_recent_sessions  (RpStore       *self,
                                                 gint64         partner_id,
                                                 guint          limit,
                                                 GError       **error);
/* Planned sessions not yet started (and series) with an instance that ends after `now` (Unix
 * seconds), soonest first by rp_session_record_get_next_instant(); partner_id 0 = all. */
GPtrArray       *rp_store_list_upcoming_sessions (RpStore      *self,
                                                  gint64        partner_id,
                                                  gint64        now,
                                                  guint         limit,
                                                  GError      **error);
/* The planned start (of a series: its first instance) as an instant, a local time in a DST gap
 * or overlap read as RFC 5545 says (rp_zone_resolve); 0 if unplanned. */
gint64           rp_session_record_get_scheduled_instant (const RpSessionRecord *record);
/* The first planned instance (the session itself, or the series' next one) that ends after
 * `now`, as an instant; 0 if there is none. */
gint64           rp_session_record_get_next_instant      (const RpSessionRecord *record,
                                                          gint64                 now);

/* ---- Action items ---- */
gint64           rp_store_add_action_item       (RpStore       *self,
                                                 gint64         session_id,
                                                 const char    *title,
                                                 const char    *owner,
                                                 GError       **error);
gboolean         rp_store_set_action_item_done  (RpStore       *self,
                                                 gint64         item_id,
                                                 gboolean       done,
                                                 GError       **error);
GPtrArray       *rp_store_list_action_items     (RpStore       *self,
                                                 gint64         session_id,
                                                 GError       **error);
/* The open action items of the partner's previous session (the last one that ended before
 * next_session_id), copied into next_session_id and marked as carried there, so that they
 * appear in its agenda. Calling it again returns the same items without copying twice. */
GPtrArray       *rp_store_carry_over_action_items (RpStore     *self,
                                                   gint64       next_session_id,
                                                   GError     **error);

/* ---- Scheduling proposals and the outbox ---- */
/* Keeps (or replaces, by its id) a proposal with its current state. */
gboolean         rp_store_save_proposal         (RpStore       *self,
                                                 gint64         partner_id,
                                                 RpProposal    *proposal,
                                                 gboolean       incoming,
                                                 GError       **error);
/* Oldest first; partner_id 0 = all; pending_only keeps those still waiting for an answer.
 * GPtrArray of RpProposalRecord*. A stored proposal that no longer reads back is skipped
 * with a warning rather than hiding the others. */
GPtrArray       *rp_store_list_proposals        (RpStore       *self,
                                                 gint64         partner_id,
                                                 gboolean       pending_only,
                                                 GError       **error);
gboolean         rp_store_delete_proposal       (RpStore       *self,
                                                 const char    *id,
                                                 GError       **error);
/* Queues an app message (a JSON object) for the partner's next connection; returns its id. */
gint64           rp_store_outbox_push           (RpStore       *self,
                                                 gint64         partner_id,
                                                 JsonNode      *message,
                                                 GError       **error);
/* Oldest first. GPtrArray of RpOutboxMessage*. */
GPtrArray       *rp_store_outbox_list           (RpStore       *self,
                                                 gint64         partner_id,
                                                 GError       **error);
/* Once sent (the data channel accepted it). */
gboolean         rp_store_outbox_remove         (RpStore       *self,
                                                 gint64         id,
                                                 GError       **error);

/* ---- Search and export (any thread; _async on a worker thread) ---- */
/* Full-text search of session titles, notes and agenda. The query is words (all must match,
 * the last one as a prefix); no search syntax is interpreted. GPtrArray of RpSearchHit*. */
GPtrArray       *rp_store_search                (RpStore       *self,
                                                 const char    *query,
                                                 guint          limit,
                                                 GCancellable  *cancellable,
                                                 GError       **error);
void             rp_store_search_async          (RpStore            *self,
                                                 const char         *query,
                                                 guint               limit,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
GPtrArray       *rp_store_search_finish         (RpStore       *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);
char            *rp_store_export_session        (RpStore             *self,
                                                 gint64               session_id,
                                                 RpStoreExportFormat  format,
                                                 GError             **error);
void             rp_store_export_session_async  (RpStore             *self,
                                                 gint64               session_id,
                                                 RpStoreExportFormat  format,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char            *rp_store_export_session_finish (RpStore       *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

G_END_DECLS
