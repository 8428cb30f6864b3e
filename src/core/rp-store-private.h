/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the store: the instance struct, shared by rp-store.c (the object and the
 * documents) and rp-store-records-db.c (partners, sessions, action items, search, export).
 */
#pragma once

#include "rp-store-db.h"
#include "rp-store-docs.h"
#include "rp-store.h"

G_BEGIN_DECLS

struct _RpStore
{
  GObject       parent_instance;

  char         *path;
  GMainContext *owner_context;   /* the creator's thread-default context */
  guint64       max_size;
  gboolean      write_failing;

  sqlite3      *db;          /* the owner's */
  RpStoreDocs  *docs;
  GMutex        reader_lock;
  sqlite3      *reader;      /* opened on first use, under reader_lock */
  gboolean      closed;
};

gboolean rp_store_check_open (RpStore *self,
                              GError **error);
/* Runs func with the reader connection (opened on first use) under reader_lock. */
typedef gpointer (*RpStoreReadFunc) (sqlite3      *db,
                                     gpointer      data,
                                     GCancellable *cancellable,
                                     GError      **error);
gpointer rp_store_with_reader (RpStore        *self,
                               RpStoreReadFunc func,
                               gpointer        data,
                               GCancellable   *cancellable,
                               GError        **error);

/* Sessions, shared with the reader side (rp-store-search.c). */
#define RP_STORE_SESSION_COLUMNS \
  "id, uid, partner_id, title, scheduled_zone, scheduled_local, planned_minutes, " \
  "started_at, ended_at, duration_s, notes, agenda, link, rrule"
RpSessionRecord *rp_store_session_from_row (sqlite3_stmt *stmt,
                                            GError      **error);
GPtrArray       *rp_store_collect_sessions (sqlite3_stmt *stmt,
                                            GError      **error);
/* where: an SQL condition on ?1, bound to uid when given, else to id. */
RpSessionRecord *rp_store_read_session     (sqlite3      *db,
                                            const char   *where,
                                            gint64        id,
                                            const char   *uid,
                                            GError      **error);
GPtrArray       *rp_store_read_action_items (sqlite3     *db,
                                             gint64       session_id,
                                             GError     **error);

G_END_DECLS
