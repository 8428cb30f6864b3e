/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SQLite connections for the store. Opening checks the file before changing anything in it:
 * a file that is not ours, is damaged or comes from a newer Rapport must be refused untouched,
 * never "repaired" into an empty database.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rp-store-db.h"

/* How long a connection waits for another's write transaction before giving up with BUSY.
 * Ours last milliseconds (a compaction of a very long log, a few hundred), so only a foreign
 * program holding the file hits these. The owner's is short: it runs on the main loop. */
#define BUSY_TIMEOUT_MAIN_MS   2000
#define BUSY_TIMEOUT_THREAD_MS 10000

/* 0x52505254, "RPRT", in the file header: tells our databases from other programs' SQLite
 * files. Decimal, for the migration's SQL. */
#define RP_STORE_APP_ID 1380995668

/* Each entry moves the schema from version i to i + 1; never edit a released one. */
static const char *const migrations[] = {
  /* 0 → 1 */
  "PRAGMA application_id = " G_STRINGIFY (RP_STORE_APP_ID) ";"
  "CREATE TABLE partners ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  time_zone TEXT NOT NULL,"
  "  working_hours TEXT NOT NULL DEFAULT '',"
  "  spell_language TEXT,"
  "  created_at INTEGER NOT NULL DEFAULT (unixepoch()));"
  "CREATE TABLE sessions ("
  "  id INTEGER PRIMARY KEY,"
  "  uid TEXT NOT NULL UNIQUE,"
  "  partner_id INTEGER REFERENCES partners (id) ON DELETE SET NULL,"
  "  title TEXT NOT NULL DEFAULT '',"
  "  scheduled_zone TEXT,"
  "  scheduled_local TEXT,"
  "  planned_minutes INTEGER NOT NULL DEFAULT 0,"
  "  started_at INTEGER,"
  "  ended_at INTEGER,"
  "  duration_s INTEGER NOT NULL DEFAULT 0,"
  "  notes TEXT NOT NULL DEFAULT '',"
  "  agenda TEXT NOT NULL DEFAULT '[]',"
  "  link TEXT,"
  "  CHECK ((scheduled_zone IS NULL) = (scheduled_local IS NULL)));"
  "CREATE INDEX sessions_partner_ended ON sessions (partner_id, ended_at);"
  "CREATE INDEX sessions_ended ON sessions (ended_at);"
  "CREATE TABLE action_items ("
  "  id INTEGER PRIMARY KEY,"
  "  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,"
  "  title TEXT NOT NULL,"
  "  owner TEXT,"
  "  done INTEGER NOT NULL DEFAULT 0,"
  "  carried_from INTEGER REFERENCES action_items (id) ON DELETE SET NULL,"
  "  carried_to INTEGER REFERENCES sessions (id) ON DELETE SET NULL);"
  "CREATE INDEX action_items_session ON action_items (session_id);"
  "CREATE INDEX action_items_carried_from ON action_items (carried_from);"
  "CREATE INDEX action_items_carried_to ON action_items (carried_to);"
  "CREATE TABLE doc_snapshots ("
  "  doc_id TEXT PRIMARY KEY,"
  "  snapshot BLOB NOT NULL,"
  "  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE doc_updates ("
  "  seq INTEGER PRIMARY KEY,"
  "  doc_id TEXT NOT NULL,"
  "  data BLOB NOT NULL);"
  "CREATE INDEX doc_updates_doc ON doc_updates (doc_id, seq);"
  /* Our own content (not an external-content table): the agenda column holds the items'
   * titles, not the JSON they are stored as, so that search finds words, not keys. */
  "CREATE VIRTUAL TABLE session_search USING fts5 ("
  "  title, notes, agenda, tokenize = 'unicode61 remove_diacritics 2');",
  /* 1 → 2: series */
  "ALTER TABLE sessions ADD COLUMN rrule TEXT;",
  /* 2 → 3: scheduling proposals, and app messages waiting for the partner to connect */
  "CREATE TABLE proposals ("
  "  id TEXT PRIMARY KEY,"
  "  partner_id INTEGER REFERENCES partners (id) ON DELETE CASCADE,"
  "  incoming INTEGER NOT NULL,"
  "  message TEXT NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE INDEX proposals_partner ON proposals (partner_id);"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  partner_id INTEGER REFERENCES partners (id) ON DELETE CASCADE,"
  "  message TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX outbox_partner ON outbox (partner_id, id);",
  /* 3 → 4: compaction in O(1). A snapshot records the last update it covers (`upto`); covered
   * updates are deleted afterwards in small transactions. Sequence numbers must then never be
   * reused (AUTOINCREMENT), or a new update could hide below an old snapshot's `upto`. */
  "ALTER TABLE doc_snapshots ADD COLUMN upto INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE doc_log ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  doc_id TEXT NOT NULL,"
  "  data BLOB NOT NULL);"
  "INSERT INTO doc_log (seq, doc_id, data) SELECT seq, doc_id, data FROM doc_updates;"
  "DROP TABLE doc_updates;"
  "CREATE INDEX doc_log_doc ON doc_log (doc_id, seq);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == RP_STORE_SCHEMA_VERSION);

static const char *
db_name (sqlite3 *db)
{
  const char *name = db ? sqlite3_db_filename (db, "main") : NULL;

  return name && *name ? name : _("the database");
}

static gboolean
errno_means_read_only (int err)
{
  return err == EACCES || err == EPERM || err == EROFS;
}

gboolean
rp_store_db_error (GError    **error,
                   sqlite3    *db,
                   int         rc,
                   const char *doing)
{
  const char *detail = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int sys_errno = db ? sqlite3_system_errno (db) : 0;

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_FULL,
                   _("Could not %s: the disk is full. Free some disk space and try again."),
                   doing);
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_READ_ONLY,
                   _("Could not %s: %s cannot be written. Check the permissions of the file "
                     "and of its folder."), doing, db_name (db));
      break;
    case SQLITE_CANTOPEN:
      g_set_error (error, RP_STORE_ERROR,
                   errno_means_read_only (sys_errno) ? RP_STORE_ERROR_READ_ONLY
                                                     : RP_STORE_ERROR_CANNOT_OPEN,
                   _("Could not %s: %s cannot be opened (%s). Check that its folder exists "
                     "and can be written."), doing, db_name (db),
                   sys_errno ? g_strerror (sys_errno) : detail);
      break;
    case SQLITE_NOTADB:
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_DATABASE,
                   _("Could not %s: %s is not a Rapport database. Move it aside and Rapport "
                     "will start a new one."), doing, db_name (db));
      break;
    case SQLITE_CORRUPT:
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CORRUPT,
                   _("Could not %s: %s is damaged (%s). Restore it from a backup, or move it "
                     "aside to start a new one."), doing, db_name (db), detail);
      break;
    case SQLITE_IOERR:
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_IO,
                   _("Could not %s: the system could not read or write %s (%s). Check the "
                     "disk."), doing, db_name (db),
                   sys_errno ? g_strerror (sys_errno) : detail);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_BUSY,
                   _("Could not %s: another program is using %s. Close it and try again."),
                   doing, db_name (db));
      break;
    case SQLITE_CONSTRAINT:
      /* A unique id used twice, a partner that does not exist: the caller's data, not ours. */
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID, _("Could not %s: %s."), doing,
                   detail);
      break;
    case SQLITE_INTERRUPT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Could not %s: cancelled."),
                   doing);
      break;
    default:
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_FAILED, _("Could not %s: %s."),
                   doing, detail);
      break;
    }
  return FALSE;
}

gboolean
rp_store_db_exec (sqlite3    *db,
                  const char *sql,
                  const char *doing,
                  GError    **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return rp_store_db_error (error, db, rc, doing);
  return TRUE;
}

sqlite3_stmt *
rp_store_db_prepare (sqlite3    *db,
                     const char *sql,
                     GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      rp_store_db_error (error, db, rc, _("read the database"));
      return NULL;
    }
  return stmt;
}

static gboolean
read_int (sqlite3    *db,
          const char *sql,
          int        *value,
          GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return rp_store_db_error (error, db, rc, _("open the database"));
  *value = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
read_user_version (sqlite3 *db,
                   int     *version,
                   GError **error)
{
  /* The first statement that reads the file: a foreign or damaged file fails here. */
  if (!read_int (db, "PRAGMA user_version", version, error))
    return FALSE;
  /* The version indexes the migrations: a negative one (a hostile or damaged header, found by
   * fuzz-store) must never reach them. */
  if (*version < 0)
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CORRUPT,
                   _("%s is damaged: its schema version is %d. Move it aside and Rapport will "
                     "start a new one."), db_name (db), *version);
      return FALSE;
    }
  return TRUE;
}

/* Ours, or empty. Never add our tables to another program's database. */
static gboolean
check_ours (sqlite3 *db,
            int      version,
            GError **error)
{
  int app_id, tables;

  if (!read_int (db, "PRAGMA application_id", &app_id, error))
    return FALSE;
  if (app_id == RP_STORE_APP_ID)
    return TRUE;
  if (app_id == 0 && version == 0)
    {
      if (!read_int (db, "SELECT count(*) FROM sqlite_schema", &tables, error))
        return FALSE;
      if (tables == 0)
        return TRUE;
    }
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_DATABASE,
               _("%s is another program's database, not Rapport's. Choose another file, or "
                 "move it aside and Rapport will start a new one."), db_name (db));
  return FALSE;
}

static gboolean
migrate (sqlite3 *db,
         GError **error)
{
  int version;

  if (!rp_store_db_exec (db, "BEGIN IMMEDIATE", _("update the database"), error))
    return FALSE;
  /* Read again inside the write lock: another Rapport may have migrated meanwhile. */
  if (!read_user_version (db, &version, error))
    goto fail;
  for (; version < RP_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!rp_store_db_exec (db, migrations[version], _("update the database"), error) ||
          !rp_store_db_exec (db, bump, _("update the database"), error))
        goto fail;
    }
  if (!rp_store_db_exec (db, "COMMIT", _("update the database"), error))
    goto fail;
  return TRUE;

fail:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
check_version (sqlite3 *db,
               int      version,
               GError **error)
{
  if (version <= RP_STORE_SCHEMA_VERSION)
    return TRUE;
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_TOO_NEW,
               _("%s was written by a newer version of Rapport (schema %d; this version reads "
                 "up to %d). Update Rapport to open it."),
               db_name (db), version, RP_STORE_SCHEMA_VERSION);
  return FALSE;
}

static gboolean
enable_wal (sqlite3 *db,
            GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (sqlite3_db_readonly (db, "main") == 1)
    return rp_store_db_error (error, db, SQLITE_READONLY, _("open the database"));
  rc = sqlite3_prepare_v2 (db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return rp_store_db_error (error, db, rc, _("open the database"));
  if (g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0)
    return rp_store_db_error (error, db, SQLITE_READONLY, _("open the database"));
  return TRUE;
}

static const char *
role_pragmas (RpStoreDbRole role)
{
  switch (role)
    {
    case RP_STORE_DB_MAIN:
      /* No fsync and no checkpoint on the owner's thread: the writer's connection checkpoints
       * (SQLite's default of 1000 pages) and a crash cannot lose committed WAL frames. */
      return "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
             "PRAGMA wal_autocheckpoint = 0;";
    case RP_STORE_DB_WRITER:
      /* A burst (a compaction) can grow the WAL; keep no more than 4 MiB of it afterwards. */
      return "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
             "PRAGMA journal_size_limit = 4194304;";
    case RP_STORE_DB_READER:
    default:
      return "PRAGMA foreign_keys = ON; PRAGMA query_only = ON;";
    }
}

static gboolean
prepare_main (sqlite3 *db,
              GError **error)
{
  int version;

  if (!read_user_version (db, &version, error) || !check_ours (db, version, error) ||
      !check_version (db, version, error))
    return FALSE;
  /* Only possible on a new, empty file (before WAL mode and the first table): lets a
   * compaction give the space of the update log back to the filesystem. */
  if (version == 0)
    sqlite3_exec (db, "PRAGMA auto_vacuum = INCREMENTAL", NULL, NULL, NULL);
  if (!enable_wal (db, error) || !migrate (db, error))
    return FALSE;
  /* Reading the whole schema once makes a damaged catalogue fail now, not mid-session. */
  return read_int (db, "SELECT count(*) FROM sqlite_schema", &version, error);
}

/* SQLite retries a failed create read-only and reports that attempt's errno (ENOENT); ask the
 * system directly why the file cannot be created. */
static void
set_cannot_create_error (const char *path,
                         GError    **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  int saved_errno = errno;

  if (fd >= 0)
    {
      close (fd);
      g_unlink (path);
      saved_errno = 0;
    }
  g_set_error (error, RP_STORE_ERROR,
               errno_means_read_only (saved_errno) ? RP_STORE_ERROR_READ_ONLY
                                                   : RP_STORE_ERROR_CANNOT_OPEN,
               _("Could not create the database %s (%s). Check that its folder exists and can "
                 "be written."), path,
               saved_errno ? g_strerror (saved_errno) : _("unknown reason"));
}

/* The errno of a write-access check of the file (if it exists) and of its folder (where WAL
 * mode creates its -wal and -shm files), or 0. Unlike permissions, a read-only filesystem
 * refuses root too, which is why this asks access() rather than reading the mode bits. */
static int
location_write_errno (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, W_OK) != 0)
    return errno;
  if (g_access (dir, W_OK) != 0)
    return errno;
  return 0;
}

/* SQLite reports a failure to open a file on a read-only location by the errno of its last
 * attempt, often a read-only retry's ENOENT: name the real cause when the location is it. */
static void
refine_open_error (const char *path,
                   GError    **error)
{
  int err;

  if (!error || !*error || (*error)->domain != RP_STORE_ERROR ||
      ((*error)->code != RP_STORE_ERROR_CANNOT_OPEN && (*error)->code != RP_STORE_ERROR_IO &&
       (*error)->code != RP_STORE_ERROR_FAILED))
    return;
  err = location_write_errno (path);
  if (!errno_means_read_only (err))
    return;
  g_clear_error (error);
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_READ_ONLY,
               _("Could not open the database: %s cannot be written (%s). Check the "
                 "permissions of the file and of its folder."), path, g_strerror (err));
}

/* SQLite takes a file shorter than one page for an empty database, and would write a new one
 * over it: anything that exists, is not empty and lacks SQLite's header is someone else's. */
static gboolean
check_header (const char *path,
              GError    **error)
{
  static const char magic[16] = "SQLite format 3";
  char head[16] = { 0 };
  FILE *file = g_fopen (path, "rb");
  size_t got;

  if (!file)
    return TRUE;   /* absent (created next) or unreadable (SQLite will say why) */
  got = fread (head, 1, sizeof head, file);
  fclose (file);
  if (got == 0 || (got == sizeof head && memcmp (head, magic, sizeof head) == 0))
    return TRUE;
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_DATABASE,
               _("Could not open the database: %s is not a Rapport database. Move it aside and "
                 "Rapport will start a new one."), path);
  return FALSE;
}

static sqlite3 *
open_connection (const char   *path,
                 RpStoreDbRole role,
                 GError      **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE;
  int rc;

  if (role == RP_STORE_DB_MAIN)
    flags |= SQLITE_OPEN_CREATE;
  if (!check_header (path, error))
    return NULL;
  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      if ((rc & 0xff) == SQLITE_CANTOPEN && !g_file_test (path, G_FILE_TEST_EXISTS))
        set_cannot_create_error (path, error);
      else
        rp_store_db_error (error, db, rc, _("open the database"));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, role == RP_STORE_DB_MAIN ? BUSY_TIMEOUT_MAIN_MS
                                                    : BUSY_TIMEOUT_THREAD_MS);
  if ((role == RP_STORE_DB_MAIN && !prepare_main (db, error)) ||
      !rp_store_db_exec (db, role_pragmas (role), _("open the database"), error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

sqlite3 *
rp_store_db_open (const char   *path,
                  RpStoreDbRole role,
                  GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3 *db = open_connection (path, role, &local_error);

  if (!db)
    {
      refine_open_error (path, &local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return db;
}

void
rp_store_db_close (sqlite3 *db)
{
  int rc = sqlite3_close (db);

  /* A statement left unfinalized is our bug; say so instead of leaking the file quietly. */
  if (rc != SQLITE_OK)
    g_critical ("Closing the store's database failed: %s", sqlite3_errstr (rc));
}

void
rp_store_db_set_max_size (sqlite3 *db,
                          guint64  max_bytes)
{
  g_autofree char *sql = NULL;
  guint64 pages = 0x3fffffff; /* SQLITE_MAX_PAGE_COUNT's default: no limit of our own */
  int page_size = 4096;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    page_size = MAX (512, sqlite3_column_int (stmt, 0));
  if (max_bytes > 0)
    pages = MAX (1, max_bytes / (guint64) page_size);
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GUINT64_FORMAT, pages);
  sqlite3_exec (db, sql, NULL, NULL, NULL);
}

void
rp_store_db_bind_text (sqlite3_stmt *stmt,
                       int           index,
                       const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

void
rp_store_db_bind_instant (sqlite3_stmt *stmt,
                          int           index,
                          gint64        unix_seconds)
{
  if (unix_seconds != 0)
    sqlite3_bind_int64 (stmt, index, unix_seconds);
  else
    sqlite3_bind_null (stmt, index);
}

char *
rp_store_db_column_dup (sqlite3_stmt *stmt,
                        int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

GBytes *
rp_store_db_column_bytes (sqlite3_stmt *stmt,
                          int           column)
{
  const void *data = sqlite3_column_blob (stmt, column);
  int len = sqlite3_column_bytes (stmt, column);

  return g_bytes_new (data, (gsize) len);
}
