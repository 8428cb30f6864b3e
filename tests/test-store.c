/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's records: opening (and refusing) files, partners, sessions, action items and
 * their carry-over, search and export.
 */
#include "config.h"

#define _GNU_SOURCE
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "rp-store.h"
#include "store-test-mounts.h"
#include "store-test-util.h"

static gint64
add_partner (RpStore    *store,
             const char *name,
             const char *zone)
{
  g_autoptr(RpPartner) partner = rp_partner_new (name, zone);
  g_autoptr(GError) error = NULL;
  gint64 id = rp_store_add_partner (store, partner, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
add_ended_session (RpStore    *store,
                   gint64      partner_id,
                   gint64      ended_at,
                   const char *notes)
{
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(GError) error = NULL;

  record->partner_id = partner_id;
  record->started_at = ended_at - 3600;
  record->ended_at = ended_at;
  record->duration_s = 3600;
  record->notes = g_strdup (notes);
  g_assert_cmpint (rp_store_add_session (store, record, &error), >, 0);
  g_assert_no_error (error);
  return record->id;
}

static void
write_file (const char *path,
            const char *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
}

/* ---- Opening ---- */

static void
test_open_default_path_is_under_user_data_dir (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "rapport", "rapport.db",
                                                NULL);
  g_autofree char *path = rp_store_get_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = NULL;

  g_assert_cmpstr (path, ==, expected);
  /* main() points XDG_DATA_HOME at a fresh folder: the store creates rapport/ inside. */
  store = rp_store_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rp_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
}

static void
on_store_opened (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **error = ((gpointer *) user_data)[1];

  *(RpStore **) ((gpointer *) user_data)[0] = rp_store_new_finish (result, error);
  ((gpointer *) user_data)[2] = GINT_TO_POINTER (TRUE);
}

static void
test_open_async_opens_off_the_main_thread (StoreFixture *fixture,
                                           gconstpointer data)
{
  g_autoptr(RpStore) store = NULL;
  g_autoptr(RpStore) refused = NULL;
  g_autoptr(GError) error = NULL;
  gpointer out[3] = { &store, &error, NULL };

  rp_store_new_async (fixture->path, NULL, on_store_opened, out);
  while (!out[2])
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (error);
  g_assert_true (RP_IS_STORE (store));
  add_partner (store, "Aiko", "Asia/Tokyo");

  /* And the errors come back the same way. */
  out[0] = &refused;
  out[2] = NULL;
  g_clear_object (&store);
  g_unlink (fixture->path);
  write_file (fixture->path, "not a database, not at all, no", 30);
  rp_store_new_async (fixture->path, NULL, on_store_opened, out);
  while (!out[2])
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (refused);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_DATABASE);
}

static void
test_open_sets_schema_version_and_wal (StoreFixture *fixture,
                                       gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, 0);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, RP_STORE_SCHEMA_VERSION);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, 0);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_open_migrates_version_1_keeping_records (StoreFixture *fixture,
                                              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpSessionRecord) read = NULL;
  g_autoptr(GPtrArray) proposals = NULL;
  gint64 id;
  sqlite3 *db = NULL;

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    id = add_ended_session (store, add_partner (store, "Aiko", "Asia/Tokyo"), 5000, "v1 notes");
  }
  /* Back to the shape of schema 1, before series, proposals, the outbox and O(1) compaction,
   * with a document compacted the old way: a snapshot and one update after it. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE sessions DROP COLUMN rrule;"
                                     "DROP TABLE proposals; DROP TABLE outbox;"
                                     "ALTER TABLE doc_snapshots DROP COLUMN upto;"
                                     "CREATE TABLE doc_updates (seq INTEGER PRIMARY KEY,"
                                     " doc_id TEXT NOT NULL, data BLOB NOT NULL);"
                                     "CREATE INDEX doc_updates_doc ON doc_updates (doc_id, seq);"
                                     "INSERT INTO doc_snapshots VALUES ('notes', x'53', 0);"
                                     "INSERT INTO doc_updates VALUES (7, 'notes', x'75');"
                                     "DROP TABLE doc_log;"
                                     "PRAGMA user_version = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    read = rp_store_get_session (store, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (read->notes, ==, "v1 notes");
    g_assert_null (read->rrule);
    proposals = rp_store_list_proposals (store, 0, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (proposals->len, ==, 0);
    {
      g_autoptr(GBytes) snapshot = NULL;
      g_autoptr(GPtrArray) updates = NULL;

      g_assert_true (rp_store_load_document (store, "notes", &snapshot, &updates, &error));
      g_assert_cmpmem (g_bytes_get_data (snapshot, NULL), g_bytes_get_size (snapshot), "S", 1);
      g_assert_cmpuint (updates->len, ==, 1);
      g_assert_cmpmem (g_bytes_get_data (updates->pdata[0], NULL), 1, "u", 1);
    }
  }
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
    sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, RP_STORE_SCHEMA_VERSION);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_open_not_a_database_is_refused_untouched (StoreFixture *fixture,
                                               gconstpointer data)
{
  g_autofree char *text = g_strnfill (8192, 'z');
  g_autofree char *after = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = NULL;

  write_file (fixture->path, text, strlen (text));
  store = rp_store_new (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_DATABASE);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_true (g_file_get_contents (fixture->path, &after, &len, NULL));
  g_assert_cmpmem (after, len, text, strlen (text));
}

static void
test_open_short_foreign_file_is_refused_untouched (StoreFixture *fixture,
                                                   gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = NULL;
  g_autofree char *after = NULL;
  gsize len;

  /* Shorter than a page: SQLite alone would take it for an empty database and overwrite it. */
  write_file (fixture->path, "my notes", 8);
  store = rp_store_new (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_DATABASE);
  g_assert_true (g_file_get_contents (fixture->path, &after, &len, NULL));
  g_assert_cmpmem (after, len, "my notes", 8);
}

static void
test_open_newer_schema_is_refused (StoreFixture *fixture,
                                   gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x); PRAGMA user_version = 99;"
                                 "PRAGMA application_id = 1380995668", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  store = rp_store_new (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_TOO_NEW);

  /* Untouched: still version 99, still not in WAL mode. */
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
    sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 99);
    sqlite3_finalize (stmt);
    sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "delete");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_open_foreign_sqlite_database_is_refused_untouched (StoreFixture *fixture,
                                                        gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE photos (x)", NULL, NULL, NULL), ==, 0);
  sqlite3_close (db);

  store = rp_store_new (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_DATABASE);

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_schema", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_open_damaged_database_is_refused (StoreFixture *fixture,
                                       gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  {
    g_autoptr(RpStore) first = store_fixture_open (fixture);

    add_partner (first, "Aiko", "Asia/Tokyo");
  }
  /* Keep SQLite's 100-byte header, wreck the schema page behind it. */
  g_assert_true (g_file_get_contents (fixture->path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 4096);
  memset (contents + 100, 0xa5, 4096 - 100);
  write_file (fixture->path, contents, len);

  store = rp_store_new (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CORRUPT);
}

static void
test_open_read_only_location_is_refused (StoreFixture *fixture,
                                         gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = NULL;
  g_autofree char *path = NULL;

  if (geteuid () == 0)
    {
      /* Root writes through permissions; sysfs refuses new files even to root. */
      if (!g_file_test ("/sys/kernel", G_FILE_TEST_IS_DIR))
        {
          g_test_skip ("running as root without /sys to stand for a read-only folder");
          return;
        }
      path = g_strdup ("/sys/kernel/rapport-test.db");
    }
  else
    {
      g_assert_cmpint (g_chmod (fixture->dir, 0555), ==, 0);
      path = g_strdup (fixture->path);
    }
  store = rp_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_READ_ONLY);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* In a subprocess: a store written on a tmpfs, which is then remounted read-only. */
static void
run_read_only_filesystem (void)
{
  g_autofree char *dir = g_dir_make_tmp ("rapport-ro-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "rapport.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  g_autoptr(GError) error = NULL;

  store_test_mount_tmpfs (dir, "4m");
  {
    g_autoptr(RpStore) store = rp_store_new (path, &error);

    g_assert_no_error (error);
    add_partner (store, "Aiko", "Asia/Tokyo");
  }
  g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));
  g_assert_cmpint (mount (NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL), ==, 0);
  {
    g_autoptr(RpStore) store = rp_store_new (path, &error);

    g_assert_null (store);
    g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_READ_ONLY);
  }
  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  umount (dir);
  g_rmdir (dir);
}

static void
test_open_read_only_filesystem_is_refused (void)
{
  store_test_run_with_mounts (run_read_only_filesystem);
}

static void
test_open_missing_folder_is_cannot_open (StoreFixture *fixture,
                                         gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "absent", "rapport.db", NULL);
  g_autoptr(RpStore) store = rp_store_new (path, &error);

  g_assert_null (store);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CANNOT_OPEN);
}

static void
test_closed_store_refuses_calls (StoreFixture *fixture,
                                 gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) partners = NULL;

  g_assert_true (rp_store_close (store, &error));
  partners = rp_store_list_partners (store, &error);
  g_assert_null (partners);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CLOSED);
}

static void
test_open_locked_by_another_program_is_busy (StoreFixture *fixture,
                                             gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpPartner) partner = rp_partner_new ("Aiko", "Asia/Tokyo");
  g_autoptr(GError) error = NULL;
  sqlite3 *other = NULL;

  /* Another program holds the write lock for longer than the owner may wait. */
  g_assert_cmpint (sqlite3_open (fixture->path, &other), ==, SQLITE_OK);
  sqlite3_busy_timeout (other, 5000);   /* the store's writer may be busy a moment */
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (rp_store_add_partner (store, partner, &error), ==, 0);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_BUSY);
  g_clear_error (&error);

  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
  g_assert_cmpint (rp_store_add_partner (store, partner, &error), >, 0);
  g_assert_no_error (error);
}

/* ---- Partners ---- */

static void
test_partners_round_trip_and_update (StoreFixture *fixture,
                                     gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpPartner) partner = rp_partner_new ("Aiko", "Asia/Tokyo");
  g_autoptr(RpPartner) read = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;

  partner->working_hours = g_strdup ("tue 13:30-17:00,09:00-12:30;mon-mon 09:00-17:00");
  partner->spell_language = g_strdup ("ja");
  g_assert_cmpint (rp_store_add_partner (store, partner, &error), >, 0);
  add_partner (store, "bea", "Europe/Madrid");

  read = rp_store_get_partner (store, partner->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->name, ==, "Aiko");
  g_assert_cmpstr (read->time_zone, ==, "Asia/Tokyo");
  g_assert_cmpstr (read->spell_language, ==, "ja");
  /* In the schedule module's canonical form: weekdays in order, ranges sorted. */
  g_assert_cmpstr (read->working_hours, ==, "Mon 09:00-17:00; Tue 09:00-12:30,13:30-17:00");

  g_free (read->time_zone);
  read->time_zone = g_strdup ("Europe/Berlin");
  g_assert_true (rp_store_update_partner (store, read, &error));
  g_clear_pointer (&read, rp_partner_free);
  read = rp_store_get_partner (store, partner->id, &error);
  g_assert_cmpstr (read->time_zone, ==, "Europe/Berlin");

  all = rp_store_list_partners (store, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (((RpPartner *) all->pdata[0])->name, ==, "Aiko");
  g_assert_cmpstr (((RpPartner *) all->pdata[1])->name, ==, "bea");
}

static void
test_partners_unknown_zone_is_refused (StoreFixture *fixture,
                                       gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpPartner) partner = rp_partner_new ("Aiko", "Mars/Olympus_Mons");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (rp_store_add_partner (store, partner, &error), ==, 0);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Mars/Olympus_Mons"));
}

static void
test_partners_bad_working_hours_are_refused (StoreFixture *fixture,
                                             gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  const char *bad[] = {
    "{\"mon\":[\"09:00-17:00\"]}", "Monday 09:00-17:00", "Mon 09:00", "Mon 25:00-26:00",
    "Mon-Fri", "Mon 9-5", ";;x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(RpPartner) partner = rp_partner_new ("Aiko", "Asia/Tokyo");
      g_autoptr(GError) error = NULL;

      partner->working_hours = g_strdup (bad[i]);
      g_assert_cmpint (rp_store_add_partner (store, partner, &error), ==, 0);
      g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
    }
}

static void
test_partners_without_working_hours_store_empty (StoreFixture *fixture,
                                                gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 id = add_partner (store, "Aiko", "Asia/Tokyo");
  g_autoptr(RpPartner) read = rp_store_get_partner (store, id, NULL);

  g_assert_cmpstr (read->working_hours, ==, "");
  g_assert_null (read->spell_language);
}

static void
test_partners_delete_keeps_sessions (StoreFixture *fixture,
                                     gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 partner = add_partner (store, "Aiko", "Asia/Tokyo");
  gint64 session = add_ended_session (store, partner, 1700000000, "kept");
  g_autoptr(RpSessionRecord) record = NULL;
  g_autoptr(RpPartner) gone = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_store_delete_partner (store, partner, &error));
  gone = rp_store_get_partner (store, partner, &error);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  record = rp_store_get_session (store, session, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->partner_id, ==, 0);
  g_assert_cmpstr (record->notes, ==, "kept");
}

/* ---- Sessions ---- */

static void
test_sessions_round_trip_every_field (StoreFixture *fixture,
                                      gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(RpSessionRecord) read = NULL;
  g_autoptr(RpSessionRecord) by_uid = NULL;
  g_autoptr(GError) error = NULL;
  RpOutcomeItem *item = rp_outcome_item_new ("Career goals", RP_OUTCOME_KIND_TOPIC, TRUE);

  item->minutes = 15;
  item->owner = g_strdup ("mentee");
  g_ptr_array_add (record->agenda, item);
  record->partner_id = add_partner (store, "Aiko", "Asia/Tokyo");
  record->title = g_strdup ("Weekly");
  record->scheduled_zone = g_strdup ("Asia/Tokyo");
  record->scheduled_local = g_strdup ("2026-03-30T07:00");
  record->planned_minutes = 45;
  record->started_at = 1774821600;
  record->ended_at = 1774824300;
  record->duration_s = 2650;
  record->notes = g_strdup ("Talked about goals.\nNext: résumé.");
  record->link = g_strdup ("rapport://join/example");
  g_assert_cmpint (rp_store_add_session (store, record, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (record->uid), ==, 32);
  {
    g_autofree char *doc_id = rp_session_record_dup_doc_id (record, "notes");
    g_autofree char *expected = g_strdup_printf ("session/%s/notes", record->uid);

    g_assert_cmpstr (doc_id, ==, expected);
  }

  read = rp_store_get_session (store, record->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->uid, ==, record->uid);
  g_assert_cmpint (read->partner_id, ==, record->partner_id);
  g_assert_cmpstr (read->title, ==, "Weekly");
  g_assert_cmpstr (read->scheduled_zone, ==, "Asia/Tokyo");
  g_assert_cmpstr (read->scheduled_local, ==, "2026-03-30T07:00:00");
  g_assert_cmpuint (read->planned_minutes, ==, 45);
  g_assert_cmpint (read->started_at, ==, 1774821600);
  g_assert_cmpint (read->ended_at, ==, 1774824300);
  g_assert_cmpint (read->duration_s, ==, 2650);
  g_assert_cmpstr (read->notes, ==, record->notes);
  g_assert_cmpstr (read->link, ==, record->link);
  g_assert_cmpuint (read->agenda->len, ==, 1);
  item = read->agenda->pdata[0];
  g_assert_cmpstr (item->title, ==, "Career goals");
  g_assert_cmpuint (item->minutes, ==, 15);
  g_assert_cmpstr (item->owner, ==, "mentee");
  g_assert_true (item->done);
  g_assert_cmpint (item->kind, ==, RP_OUTCOME_KIND_TOPIC);

  by_uid = rp_store_get_session_by_uid (store, record->uid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (by_uid->id, ==, record->id);

  g_free (read->notes);
  read->notes = g_strdup ("changed");
  g_assert_true (rp_store_update_session (store, read, &error));
  g_clear_pointer (&by_uid, rp_session_record_free);
  by_uid = rp_store_get_session_by_uid (store, record->uid, &error);
  g_assert_cmpstr (by_uid->notes, ==, "changed");

  g_assert_true (rp_store_delete_session (store, record->id, &error));
  g_clear_pointer (&by_uid, rp_session_record_free);
  by_uid = rp_store_get_session (store, record->id, &error);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
}

static void
test_sessions_uid_in_use_is_invalid (StoreFixture *fixture,
                                     gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpSessionRecord) first = rp_session_record_new ();
  g_autoptr(RpSessionRecord) second = rp_session_record_new ();
  g_autoptr(GError) error = NULL;

  first->uid = g_strdup ("040000008200E00074C5B7101A82E008@example.com");
  second->uid = g_strdup (first->uid);
  g_assert_cmpint (rp_store_add_session (store, first, &error), >, 0);
  g_assert_cmpint (rp_store_add_session (store, second, &error), ==, 0);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
  g_assert_cmpint (second->id, ==, 0);
}

static void
test_sessions_invalid_schedule_is_refused (StoreFixture *fixture,
                                           gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  const char *cases[][2] = {
    { "Asia/Tokyo", "2026-02-30T07:00" }, { "Asia/Tokyo", "2026-03-30 07:00" },
    { "Asia/Tokyo", "2026-03-30T24:00" }, { "Asia/Tokyo", NULL },
    { "Nowhere/Land", "2026-03-30T07:00" }, { NULL, "2026-03-30T07:00" },
    { "Asia/Tokyo", "2026-03-30T07:00:00Z" }, { "Asia/Tokyo", "+026-03-30T07:00" },
    { "Asia/Tokyo", " 2026-3-30T07:00" }, { "Asia/Tokyo", "2026-03-30T07:00:60" },
    { "Asia/Tokyo", "0000-03-30T07:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RpSessionRecord) record = rp_session_record_new ();
      g_autoptr(GError) error = NULL;

      record->scheduled_zone = g_strdup (cases[i][0]);
      record->scheduled_local = g_strdup (cases[i][1]);
      g_assert_cmpint (rp_store_add_session (store, record, &error), ==, 0);
      g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
    }
}

static void
test_sessions_unknown_partner_is_not_found (StoreFixture *fixture,
                                            gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(GError) error = NULL;

  record->partner_id = 4242;
  g_assert_cmpint (rp_store_add_session (store, record, &error), ==, 0);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
}

static void
test_sessions_recent_lists_most_recent_first (StoreFixture *fixture,
                                              gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 aiko = add_partner (store, "Aiko", "Asia/Tokyo");
  gint64 bea = add_partner (store, "Bea", "Europe/Madrid");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) only_aiko = NULL;
  g_autoptr(RpSessionRecord) planned = rp_session_record_new ();
  g_autoptr(GError) error = NULL;

  add_ended_session (store, aiko, 1000000, "first");
  add_ended_session (store, bea, 3000000, "third");
  add_ended_session (store, aiko, 2000000, "second");
  planned->partner_id = aiko;   /* not held: not recent */
  rp_store_add_session (store, planned, &error);
  g_assert_no_error (error);

  all = rp_store_list_recent_sessions (store, 0, 2, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (((RpSessionRecord *) all->pdata[0])->notes, ==, "third");
  g_assert_cmpstr (((RpSessionRecord *) all->pdata[1])->notes, ==, "second");
  only_aiko = rp_store_list_recent_sessions (store, aiko, 0, &error);
  g_assert_cmpuint (only_aiko->len, ==, 2);
  g_assert_cmpstr (((RpSessionRecord *) only_aiko->pdata[1])->notes, ==, "first");
}

static gint64
add_planned (RpStore    *store,
             const char *zone,
             const char *local,
             const char *title)
{
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(GError) error = NULL;

  record->scheduled_zone = g_strdup (zone);
  record->scheduled_local = g_strdup (local);
  record->planned_minutes = 60;
  record->title = g_strdup (title);
  rp_store_add_session (store, record, &error);
  g_assert_no_error (error);
  return record->id;
}

static void
test_sessions_upcoming_sorts_by_instant_across_zones (StoreFixture *fixture,
                                                      gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GPtrArray) upcoming = NULL;
  g_autoptr(GError) error = NULL;
  /* 2026-03-30 00:00Z */
  gint64 now = 1774828800;

  /* Tokyo 09:00 = 00:00Z; New York 19:00 the day before = 23:00Z (EDT): already over. */
  add_planned (store, "America/New_York", "2026-03-30T08:00", "ny");      /* 12:00Z */
  add_planned (store, "Asia/Tokyo", "2026-03-30T10:00", "tokyo");         /* 01:00Z */
  add_planned (store, "Europe/London", "2026-03-30T02:00", "london");      /* 01:00Z BST */
  add_planned (store, "America/New_York", "2026-03-29T18:00", "past");    /* 22:00Z */
  add_planned (store, "America/New_York", "2026-03-29T19:30", "running"); /* 23:30Z */

  upcoming = rp_store_list_upcoming_sessions (store, 0, now, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (upcoming->len, ==, 4);
  g_assert_cmpstr (((RpSessionRecord *) upcoming->pdata[0])->title, ==, "running");
  g_assert_cmpstr (((RpSessionRecord *) upcoming->pdata[3])->title, ==, "ny");
  g_assert_cmpint (rp_session_record_get_scheduled_instant (upcoming->pdata[3]), ==,
                   now + 12 * 3600);
}

static void
test_sessions_series_lists_its_next_instance (StoreFixture *fixture,
                                              gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpSessionRecord) series = rp_session_record_new ();
  g_autoptr(GPtrArray) upcoming = NULL;
  g_autoptr(GError) error = NULL;
  /* 2026-03-30 00:00Z, a Monday */
  gint64 now = 1774828800;

  /* Weekly on Mondays at 08:00 in New York from 2026-03-02: the next one is 30 March, 12:00Z
   * (EDT). */
  series->scheduled_zone = g_strdup ("America/New_York");
  series->scheduled_local = g_strdup ("2026-03-02T08:00");
  series->planned_minutes = 45;
  series->rrule = g_strdup ("RRULE:FREQ=WEEKLY;BYDAY=MO");
  series->title = g_strdup ("series");
  g_assert_cmpint (rp_store_add_session (store, series, &error), >, 0);
  g_assert_no_error (error);
  add_planned (store, "Asia/Tokyo", "2026-03-30T20:00", "tokyo");   /* 11:00Z */

  upcoming = rp_store_list_upcoming_sessions (store, 0, now, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (upcoming->len, ==, 2);
  g_assert_cmpstr (((RpSessionRecord *) upcoming->pdata[0])->title, ==, "tokyo");
  g_assert_cmpstr (((RpSessionRecord *) upcoming->pdata[1])->title, ==, "series");
  g_assert_cmpstr (((RpSessionRecord *) upcoming->pdata[1])->rrule, ==, "FREQ=WEEKLY;BYDAY=MO");
  g_assert_cmpint (rp_session_record_get_next_instant (upcoming->pdata[1], now), ==,
                   now + 12 * 3600);
  /* The first instance, in EST before the change of 8 March. */
  g_assert_cmpint (rp_session_record_get_scheduled_instant (upcoming->pdata[1]), ==,
                   1772456400);
}

static void
test_sessions_invalid_rule_is_refused (StoreFixture *fixture,
                                       gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  const char *rules[] = { "FREQ=SOMETIMES", "BYDAY=MO", "not a rule" };

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      g_autoptr(RpSessionRecord) record = rp_session_record_new ();
      g_autoptr(GError) error = NULL;

      record->scheduled_zone = g_strdup ("Europe/Paris");
      record->scheduled_local = g_strdup ("2026-03-02T08:00");
      record->rrule = g_strdup (rules[i]);
      g_assert_cmpint (rp_store_add_session (store, record, &error), ==, 0);
      g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
    }
  {
    g_autoptr(RpSessionRecord) record = rp_session_record_new ();
    g_autoptr(GError) error = NULL;

    record->rrule = g_strdup ("FREQ=WEEKLY");   /* a rule without a start */
    g_assert_cmpint (rp_store_add_session (store, record, &error), ==, 0);
    g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
  }
}

static void
test_sessions_dst_gap_start_reads_offset_before (StoreFixture *fixture,
                                                 gconstpointer data)
{
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();

  /* RFC 5545 §3.3.5: 2007-03-11 02:30 does not exist in New York; it is 07:30Z. */
  record->scheduled_zone = g_strdup ("America/New_York");
  record->scheduled_local = g_strdup ("2007-03-11T02:30");
  g_assert_cmpint (rp_session_record_get_scheduled_instant (record), ==, 1173598200);
}

/* ---- Action items ---- */

static void
test_actions_agenda_actions_become_items (StoreFixture *fixture,
                                          gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  RpActionItem *item;

  g_ptr_array_add (record->agenda, rp_outcome_item_new ("A topic", RP_OUTCOME_KIND_TOPIC, 0));
  g_ptr_array_add (record->agenda, rp_outcome_item_new ("Send CV", RP_OUTCOME_KIND_ACTION, 0));
  rp_store_add_session (store, record, &error);
  g_assert_no_error (error);
  items = rp_store_list_action_items (store, record->id, &error);
  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  g_assert_cmpstr (item->title, ==, "Send CV");
  g_assert_false (item->done);

  /* Ticking it in the agenda ticks the action item; no duplicate appears. */
  ((RpOutcomeItem *) record->agenda->pdata[1])->done = TRUE;
  g_assert_true (rp_store_update_session (store, record, &error));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = rp_store_list_action_items (store, record->id, &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_true (((RpActionItem *) items->pdata[0])->done);
}

static void
test_actions_open_items_carry_over_once (StoreFixture *fixture,
                                         gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 aiko = add_partner (store, "Aiko", "Asia/Tokyo");
  gint64 bea = add_partner (store, "Bea", "Europe/Madrid");
  gint64 older = add_ended_session (store, aiko, 1000000, "older");
  gint64 last = add_ended_session (store, aiko, 2000000, "last");
  gint64 other = add_ended_session (store, bea, 2500000, "other partner");
  g_autoptr(RpSessionRecord) next = rp_session_record_new ();
  g_autoptr(GPtrArray) carried = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  gint64 open_id, done_id;

  rp_store_add_action_item (store, older, "From long ago", NULL, &error);
  open_id = rp_store_add_action_item (store, last, "Read the paper", "mentee", &error);
  done_id = rp_store_add_action_item (store, last, "Book a room", "mentor", &error);
  rp_store_add_action_item (store, other, "Not Aiko's", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rp_store_set_action_item_done (store, done_id, TRUE, &error));

  next->partner_id = aiko;
  rp_store_add_session (store, next, &error);
  carried = rp_store_carry_over_action_items (store, next->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (carried->len, ==, 1);
  g_assert_cmpstr (((RpActionItem *) carried->pdata[0])->title, ==, "Read the paper");
  g_assert_cmpstr (((RpActionItem *) carried->pdata[0])->owner, ==, "mentee");
  g_assert_cmpint (((RpActionItem *) carried->pdata[0])->carried_from, ==, open_id);
  g_assert_cmpint (((RpActionItem *) carried->pdata[0])->session_id, ==, next->id);

  again = rp_store_carry_over_action_items (store, next->id, &error);
  g_assert_cmpuint (again->len, ==, 1);
  g_clear_pointer (&again, g_ptr_array_unref);
  again = rp_store_list_action_items (store, next->id, &error);
  g_assert_cmpuint (again->len, ==, 1);
}

static void
test_actions_still_open_items_carry_on (StoreFixture *fixture,
                                        gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 aiko = add_partner (store, "Aiko", "Asia/Tokyo");
  gint64 first = add_ended_session (store, aiko, 1000000, "1");
  g_autoptr(RpSessionRecord) second = rp_session_record_new ();
  g_autoptr(RpSessionRecord) third = rp_session_record_new ();
  g_autoptr(GPtrArray) carried = NULL;
  g_autoptr(GError) error = NULL;

  rp_store_add_action_item (store, first, "Write the essay", NULL, &error);
  second->partner_id = aiko;
  rp_store_add_session (store, second, &error);
  carried = rp_store_carry_over_action_items (store, second->id, &error);
  g_assert_cmpuint (carried->len, ==, 1);

  /* The second session ends with the essay still not written. */
  second->started_at = 1500000;
  second->ended_at = 1600000;
  g_assert_true (rp_store_update_session (store, second, &error));
  third->partner_id = aiko;
  rp_store_add_session (store, third, &error);
  g_clear_pointer (&carried, g_ptr_array_unref);
  carried = rp_store_carry_over_action_items (store, third->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (carried->len, ==, 1);
  g_assert_cmpstr (((RpActionItem *) carried->pdata[0])->title, ==, "Write the essay");
  g_assert_cmpint (((RpActionItem *) carried->pdata[0])->session_id, ==, third->id);
}

static void
test_actions_unknown_session_is_not_found (StoreFixture *fixture,
                                           gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) carried = NULL;

  g_assert_cmpint (rp_store_add_action_item (store, 99, "x", NULL, &error), ==, 0);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  carried = rp_store_carry_over_action_items (store, 99, &error);
  g_assert_null (carried);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
}

/* ---- Proposals and outbox ---- */

static RpProposal *
make_proposal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpProposal) proposal = rp_proposal_new ("Europe/Paris", 45, &error);
  RpLocal slot = { 2026, 4, 7, 9, 30, 0 };

  g_assert_no_error (error);
  g_assert_true (rp_proposal_add_slot (proposal, &slot, &error));
  slot.day = 8;
  g_assert_true (rp_proposal_add_slot (proposal, &slot, &error));
  rp_proposal_set_summary (proposal, "Mentoring");
  return g_steal_pointer (&proposal);
}

static void
test_proposals_keep_state_until_answered (StoreFixture *fixture,
                                          gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 aiko = add_partner (store, "Aiko", "Asia/Tokyo");
  g_autoptr(RpProposal) proposal = make_proposal ();
  g_autoptr(RpMeeting) meeting = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  RpProposalRecord *record;
  RpLocal slot;

  g_assert_true (rp_store_save_proposal (store, aiko, proposal, FALSE, &error));
  g_assert_no_error (error);
  pending = rp_store_list_proposals (store, aiko, TRUE, &error);
  g_assert_cmpuint (pending->len, ==, 1);
  record = pending->pdata[0];
  g_assert_cmpint (record->partner_id, ==, aiko);
  g_assert_false (record->incoming);
  g_assert_cmpstr (rp_proposal_get_id (record->proposal), ==, rp_proposal_get_id (proposal));
  g_assert_cmpuint (rp_proposal_get_n_slots (record->proposal), ==, 2);
  g_assert_true (rp_proposal_get_slot (record->proposal, 1, &slot));
  g_assert_cmpint (slot.day, ==, 8);
  g_assert_cmpstr (rp_proposal_get_summary (record->proposal), ==, "Mentoring");

  /* Answered: saved again under the same id, no longer pending. */
  meeting = rp_proposal_accept (proposal, 1, &error);
  g_assert_no_error (error);
  g_assert_true (rp_store_save_proposal (store, aiko, proposal, FALSE, &error));
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = rp_store_list_proposals (store, aiko, TRUE, &error);
  g_assert_cmpuint (pending->len, ==, 0);
  all = rp_store_list_proposals (store, 0, FALSE, &error);
  g_assert_cmpuint (all->len, ==, 1);
  record = all->pdata[0];
  g_assert_cmpint (rp_proposal_get_state (record->proposal), ==, RP_PROPOSAL_STATE_ACCEPTED);
  g_assert_cmpint (rp_proposal_get_accepted (record->proposal), ==, 1);

  g_assert_true (rp_store_delete_proposal (store, rp_proposal_get_id (proposal), &error));
  g_assert_false (rp_store_delete_proposal (store, rp_proposal_get_id (proposal), &error));
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
}

static void
test_proposals_unknown_partner_is_not_found (StoreFixture *fixture,
                                             gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpProposal) proposal = make_proposal ();
  g_autoptr(GError) error = NULL;

  g_assert_false (rp_store_save_proposal (store, 77, proposal, TRUE, &error));
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
}

static void
test_proposals_unreadable_one_is_skipped (StoreFixture *fixture,
                                          gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpProposal) proposal = make_proposal ();
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_true (rp_store_save_proposal (store, 0, proposal, TRUE, &error));
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);   /* the store's writer may be busy a moment */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO proposals VALUES ('bad', NULL, 1,"
                                     " '{\"type\":\"schedule-proposal\",\"zone\":\"Nowhere\"}', 0)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_test_expect_message ("rapport", G_LOG_LEVEL_WARNING, "*could not be read back*");
  all = rp_store_list_proposals (store, 0, FALSE, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_true (((RpProposalRecord *) all->pdata[0])->incoming);
}

static void
test_outbox_keeps_order_per_partner (StoreFixture *fixture,
                                     gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 aiko = add_partner (store, "Aiko", "Asia/Tokyo");
  gint64 bea = add_partner (store, "Bea", "Europe/Madrid");
  g_autoptr(RpProposal) proposal = make_proposal ();
  g_autoptr(JsonNode) first = rp_proposal_to_json (proposal);
  g_autoptr(JsonNode) second = json_from_string ("{\"type\":\"schedule-answer\",\"id\":\"x\","
                                                 "\"accept\":null}", NULL);
  g_autoptr(JsonNode) array = json_from_string ("[1]", NULL);
  g_autoptr(GPtrArray) queued = NULL;
  g_autoptr(GError) error = NULL;
  gint64 first_id;

  first_id = rp_store_outbox_push (store, aiko, first, &error);
  g_assert_cmpint (first_id, >, 0);
  rp_store_outbox_push (store, bea, second, &error);
  rp_store_outbox_push (store, aiko, second, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rp_store_outbox_push (store, aiko, array, &error), ==, 0);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  queued = rp_store_outbox_list (store, aiko, &error);
  g_assert_cmpuint (queued->len, ==, 2);
  g_assert_true (json_node_equal (((RpOutboxMessage *) queued->pdata[0])->message, first));
  g_assert_true (json_node_equal (((RpOutboxMessage *) queued->pdata[1])->message, second));

  g_assert_true (rp_store_outbox_remove (store, first_id, &error));
  g_clear_pointer (&queued, g_ptr_array_unref);
  queued = rp_store_outbox_list (store, 0, &error);
  g_assert_cmpuint (queued->len, ==, 2);
  g_assert_cmpint (((RpOutboxMessage *) queued->pdata[0])->partner_id, ==, bea);
}

/* ---- Search ---- */

static void
fill_for_search (RpStore *store)
{
  gint64 aiko = add_partner (store, "Aiko", "Asia/Tokyo");
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(GError) error = NULL;

  add_ended_session (store, aiko, 1000000, "We discussed the thesis outline and deadlines.");
  add_ended_session (store, aiko, 2000000, "Café chat about résumés and interviews.");
  record->partner_id = aiko;
  record->notes = g_strdup ("Nothing relevant");
  g_ptr_array_add (record->agenda, rp_outcome_item_new ("Prepare the conference talk",
                                                        RP_OUTCOME_KIND_TOPIC, FALSE));
  rp_store_add_session (store, record, &error);
  g_assert_no_error (error);
}

static void
test_search_finds_notes_with_snippet (StoreFixture *fixture,
                                      gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  RpSearchHit *hit;

  fill_for_search (store);
  hits = rp_store_search (store, "thesis", 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  hit = hits->pdata[0];
  g_assert_cmpstr (hit->partner_name, ==, "Aiko");
  g_assert_nonnull (strstr (hit->snippet, "«thesis»"));
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Diacritics folded, last word a prefix. */
  hits = rp_store_search (store, "resume", 10, NULL, &error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_nonnull (strstr (((RpSearchHit *) hits->pdata[0])->snippet, "«résumés»"));
}

static void
test_search_finds_agenda_items (StoreFixture *fixture,
                                gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  fill_for_search (store);
  hits = rp_store_search (store, "conference talk", 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_nonnull (strstr (((RpSearchHit *) hits->pdata[0])->snippet, "«conference»"));
}

static void
test_search_query_syntax_is_not_interpreted (StoreFixture *fixture,
                                             gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  const char *queries[] = { "\"", "thesis\"", "NOT", "a OR", "(", "*", "col:x", "NEAR(a b",
                            "^thesis", "-", "   ", "" };

  fill_for_search (store);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = rp_store_search (store, queries[i], 10, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (hits);
    }
  {
    g_autoptr(GPtrArray) hits = rp_store_search (store, "\"thesis\"", 10, NULL, NULL);

    g_assert_cmpuint (hits->len, ==, 1);
  }
}

static void
test_search_follows_updates_and_deletes (StoreFixture *fixture,
                                         gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 id = add_ended_session (store, 0, 1000000, "old words");
  g_autoptr(RpSessionRecord) record = rp_store_get_session (store, id, NULL);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  g_free (record->notes);
  record->notes = g_strdup ("new words");
  g_assert_true (rp_store_update_session (store, record, &error));
  hits = rp_store_search (store, "old", 10, NULL, &error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = rp_store_search (store, "new", 10, NULL, &error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_null (((RpSearchHit *) hits->pdata[0])->partner_name);
  g_clear_pointer (&hits, g_ptr_array_unref);
  g_assert_true (rp_store_delete_session (store, id, &error));
  hits = rp_store_search (store, "new", 10, NULL, &error);
  g_assert_cmpuint (hits->len, ==, 0);
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rp_store_search_finish (RP_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_search_async_runs_off_the_main_thread (StoreFixture *fixture,
                                            gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GPtrArray) hits = NULL;

  fill_for_search (store);
  rp_store_search_async (store, "interviews", 5, NULL, on_searched, &hits);
  while (!hits)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (hits->len, ==, 1);
}

static void
test_search_cancelled_gives_cancelled (StoreFixture *fixture,
                                       gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;

  for (int i = 0; i < 200; i++)
    add_ended_session (store, 0, 1000 + i, "many words about the thesis again and again");
  g_cancellable_cancel (cancellable);
  hits = rp_store_search (store, "thesis", 0, cancellable, &error);
  g_assert_null (hits);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- Export ---- */

static gint64
add_full_session (RpStore *store)
{
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  RpOutcomeItem *item = rp_outcome_item_new ("Career *goals*", RP_OUTCOME_KIND_TOPIC, TRUE);
  g_autoptr(GError) error = NULL;

  item->minutes = 15;
  item->owner = g_strdup ("mentee");
  g_ptr_array_add (record->agenda, item);
  g_ptr_array_add (record->agenda, rp_outcome_item_new ("Send CV", RP_OUTCOME_KIND_ACTION, 0));
  record->partner_id = add_partner (store, "Aiko", "Asia/Tokyo");
  record->scheduled_zone = g_strdup ("Asia/Tokyo");
  record->scheduled_local = g_strdup ("2026-03-30T07:00");
  record->planned_minutes = 45;
  record->started_at = 1774821600;
  record->ended_at = 1774824300;
  record->duration_s = 2650;
  record->notes = g_strdup ("Line one.\n\n- a list the user wrote");
  record->link = g_strdup ("rapport://join/x");
  record->rrule = g_strdup ("FREQ=WEEKLY;INTERVAL=2");
  rp_store_add_session (store, record, &error);
  g_assert_no_error (error);
  return record->id;
}

static void
test_export_markdown_has_every_part (StoreFixture *fixture,
                                     gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 id = add_full_session (store);
  g_autoptr(GError) error = NULL;
  g_autofree char *md = rp_store_export_session (store, id, RP_STORE_EXPORT_MARKDOWN, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (md, "# Session with Aiko\n"));
  g_assert_nonnull (strstr (md, "- **Partner:** Aiko (Asia/Tokyo)\n"));
  g_assert_nonnull (strstr (md, "- **Planned:** 2026-03-30T07:00 Asia/Tokyo, 45 min\n"));
  g_assert_nonnull (strstr (md, "- **Held:** 2026-03-29 22:00 UTC, 44 min\n"));
  g_assert_nonnull (strstr (md, "- **Repeats:** `RRULE:FREQ=WEEKLY;INTERVAL=2`\n"));
  g_assert_nonnull (strstr (md, "- [x] Career \\*goals\\* — 15 min (mentee)\n"));
  g_assert_nonnull (strstr (md, "## Action items\n\n- [ ] Send CV\n"));
  g_assert_true (g_str_has_suffix (md, "## Notes\n\nLine one.\n\n- a list the user wrote\n"));
}

static void
test_export_json_parses_back (StoreFixture *fixture,
                              gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  gint64 id = add_full_session (store);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = rp_store_export_session (store, id, RP_STORE_EXPORT_JSON, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *agenda;

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "partner"), ==, "Aiko");
  g_assert_cmpstr (json_object_get_string_member (root, "scheduled_local"), ==,
                   "2026-03-30T07:00:00");
  g_assert_cmpstr (json_object_get_string_member (root, "started_at"), ==,
                   "2026-03-29T22:00:00Z");
  agenda = json_object_get_array_member (root, "agenda");
  g_assert_cmpuint (json_array_get_length (agenda), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (agenda, 0),
                                                  "title"), ==, "Career *goals*");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root,
                                                                         "action_items")),
                    ==, 1);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error = user_data;

  g_assert_null (rp_store_export_session_finish (RP_STORE (source), result, error));
}

static void
test_export_unknown_session_async_is_not_found (StoreFixture *fixture,
                                                gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  GError *error = NULL;

  rp_store_export_session_async (store, 77, RP_STORE_EXPORT_MARKDOWN, NULL, on_exported, &error);
  while (!error)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

/* ---- Full disk, for the owner's writes ---- */

static void
test_full_disk_refuses_record_and_recovers (StoreFixture *fixture,
                                            gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(GPtrArray) recent = NULL;
  GStatBuf st;

  add_ended_session (store, 0, 1000, "before");
  g_assert_true (rp_store_flush (store, NULL));
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  rp_store_set_max_size (store, 1);   /* no page may be added */
  record->notes = g_strnfill (100000, 'n');
  record->ended_at = 2000;
  g_assert_cmpint (rp_store_add_session (store, record, &error), ==, 0);
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_FULL);
  g_clear_error (&error);

  recent = rp_store_list_recent_sessions (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recent->len, ==, 1);
  g_assert_cmpstr (((RpSessionRecord *) recent->pdata[0])->notes, ==, "before");

  rp_store_set_max_size (store, 0);
  g_assert_cmpint (rp_store_add_session (store, record, &error), >, 0);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("rapport-xdg-XXXXXX", NULL);
  int rc;

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, StoreFixture, NULL, store_fixture_setup, func, store_fixture_teardown)
  g_test_add_func ("/store/open/default-path-is-under-user-data-dir",
                   test_open_default_path_is_under_user_data_dir);
  ADD ("/store/open/sets-schema-version-and-wal", test_open_sets_schema_version_and_wal);
  ADD ("/store/open/async-opens-off-the-main-thread", test_open_async_opens_off_the_main_thread);
  ADD ("/store/open/migrates-version-1-keeping-records",
       test_open_migrates_version_1_keeping_records);
  ADD ("/store/open/not-a-database-is-refused-untouched",
       test_open_not_a_database_is_refused_untouched);
  ADD ("/store/open/short-foreign-file-is-refused-untouched",
       test_open_short_foreign_file_is_refused_untouched);
  ADD ("/store/open/newer-schema-is-refused-untouched", test_open_newer_schema_is_refused);
  ADD ("/store/open/foreign-sqlite-database-is-refused-untouched",
       test_open_foreign_sqlite_database_is_refused_untouched);
  ADD ("/store/open/damaged-database-is-refused", test_open_damaged_database_is_refused);
  ADD ("/store/open/read-only-location-is-refused", test_open_read_only_location_is_refused);
  g_test_add_func ("/store/open/existing-store-on-read-only-filesystem-is-refused",
                   test_open_read_only_filesystem_is_refused);
  ADD ("/store/open/missing-folder-is-cannot-open", test_open_missing_folder_is_cannot_open);
  ADD ("/store/open/closed-store-refuses-calls", test_closed_store_refuses_calls);
  ADD ("/store/open/locked-by-another-program-is-busy",
       test_open_locked_by_another_program_is_busy);
  ADD ("/store/partners/round-trip-and-update", test_partners_round_trip_and_update);
  ADD ("/store/partners/unknown-zone-is-refused", test_partners_unknown_zone_is_refused);
  ADD ("/store/partners/bad-working-hours-are-refused",
       test_partners_bad_working_hours_are_refused);
  ADD ("/store/partners/without-working-hours-store-empty",
       test_partners_without_working_hours_store_empty);
  ADD ("/store/partners/delete-keeps-sessions", test_partners_delete_keeps_sessions);
  ADD ("/store/sessions/round-trip-every-field", test_sessions_round_trip_every_field);
  ADD ("/store/sessions/uid-in-use-is-invalid", test_sessions_uid_in_use_is_invalid);
  ADD ("/store/sessions/invalid-schedule-is-refused", test_sessions_invalid_schedule_is_refused);
  ADD ("/store/sessions/unknown-partner-is-not-found", test_sessions_unknown_partner_is_not_found);
  ADD ("/store/sessions/recent-lists-most-recent-first",
       test_sessions_recent_lists_most_recent_first);
  ADD ("/store/sessions/upcoming-sorts-by-instant-across-zones",
       test_sessions_upcoming_sorts_by_instant_across_zones);
  ADD ("/store/sessions/series-lists-its-next-instance",
       test_sessions_series_lists_its_next_instance);
  ADD ("/store/sessions/invalid-rule-is-refused", test_sessions_invalid_rule_is_refused);
  ADD ("/store/sessions/dst-gap-start-reads-offset-before",
       test_sessions_dst_gap_start_reads_offset_before);
  ADD ("/store/actions/agenda-actions-become-items", test_actions_agenda_actions_become_items);
  ADD ("/store/actions/open-items-carry-over-once", test_actions_open_items_carry_over_once);
  ADD ("/store/actions/still-open-items-carry-on", test_actions_still_open_items_carry_on);
  ADD ("/store/actions/unknown-session-is-not-found", test_actions_unknown_session_is_not_found);
  ADD ("/store/proposals/keep-state-until-answered", test_proposals_keep_state_until_answered);
  ADD ("/store/proposals/unknown-partner-is-not-found",
       test_proposals_unknown_partner_is_not_found);
  ADD ("/store/proposals/unreadable-one-is-skipped", test_proposals_unreadable_one_is_skipped);
  ADD ("/store/outbox/keeps-order-per-partner", test_outbox_keeps_order_per_partner);
  ADD ("/store/search/finds-notes-with-snippet", test_search_finds_notes_with_snippet);
  ADD ("/store/search/finds-agenda-items", test_search_finds_agenda_items);
  ADD ("/store/search/query-syntax-is-not-interpreted",
       test_search_query_syntax_is_not_interpreted);
  ADD ("/store/search/follows-updates-and-deletes", test_search_follows_updates_and_deletes);
  ADD ("/store/search/async-runs-off-the-main-thread", test_search_async_runs_off_the_main_thread);
  ADD ("/store/search/cancelled-gives-cancelled", test_search_cancelled_gives_cancelled);
  ADD ("/store/export/markdown-has-every-part", test_export_markdown_has_every_part);
  ADD ("/store/export/json-parses-back", test_export_json_parses_back);
  ADD ("/store/export/unknown-session-async-is-not-found",
       test_export_unknown_session_async_is_not_found);
  ADD ("/store/full-disk/refuses-record-and-recovers", test_full_disk_refuses_record_and_recovers);
#undef ADD

  rc = g_test_run ();
  remove_tree (data_home);
  return rc;
}
