/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the store: SQLite connections, schema migrations and the mapping of SQLite's
 * result codes onto RP_STORE_ERROR.
 */
#pragma once

#include <sqlite3.h>

#include "rp-store.h"

G_BEGIN_DECLS

typedef enum {
  RP_STORE_DB_MAIN,    /* the owner's connection: creates and migrates, synchronous=NORMAL */
  RP_STORE_DB_WRITER,  /* the document writer's: synchronous=FULL, checkpoints the WAL */
  RP_STORE_DB_READER,  /* search and export on worker threads */
} RpStoreDbRole;

/* Sets an RP_STORE_ERROR from a SQLite result code; `doing` says what failed ("save the
 * partner"). Returns FALSE so that callers can `return rp_store_db_error (...)`. */
gboolean  rp_store_db_error        (GError      **error,
                                    sqlite3      *db,
                                    int           rc,
                                    const char   *doing);
sqlite3  *rp_store_db_open         (const char   *path,
                                    RpStoreDbRole role,
                                    GError      **error);
void      rp_store_db_close        (sqlite3      *db);
gboolean  rp_store_db_exec         (sqlite3      *db,
                                    const char   *sql,
                                    const char   *doing,
                                    GError      **error);
sqlite3_stmt *rp_store_db_prepare  (sqlite3      *db,
                                    const char   *sql,
                                    GError      **error);
/* Sets PRAGMA max_page_count from a byte limit (0 = SQLite's maximum). */
void      rp_store_db_set_max_size (sqlite3      *db,
                                    guint64       max_bytes);
void      rp_store_db_bind_text    (sqlite3_stmt *stmt,
                                    int           index,
                                    const char   *text);
void      rp_store_db_bind_instant (sqlite3_stmt *stmt,
                                    int           index,
                                    gint64        unix_seconds);
char     *rp_store_db_column_dup   (sqlite3_stmt *stmt,
                                    int           column);
GBytes   *rp_store_db_column_bytes (sqlite3_stmt *stmt,
                                    int           column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
