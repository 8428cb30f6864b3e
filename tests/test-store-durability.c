/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Durability across a real SIGKILL. This binary, started with --append-child PATH DOC, is a
 * writer that appends numbered updates as fast as a typist on a fast machine (one every
 * 2 ms) and prints "N MONOTONIC_US" after each append returns. While it runs, the test reads
 * the file through its own connection every 50 ms and checks that every update appended more
 * than a second earlier is committed (the store's promise, checked at each poll rather than at
 * one lucky moment). Then it kills the writer with SIGKILL, reopens the file and checks that
 * everything once committed is still there, as a gap-free prefix, and that SQLite finds the
 * file intact.
 */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "rp-store.h"
#include "store-test-util.h"

#define APPEND_INTERVAL_US 2000
#define POLL_INTERVAL_US   (50 * 1000)
#define PROMISE_US         G_USEC_PER_SEC

static int
run_append_child (const char *path,
                  const char *doc_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = rp_store_new (path, &error);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (!store)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  /* Runs until killed; the deadline only keeps a forgotten child from running forever. */
  for (guint64 n = 0; g_get_monotonic_time () < deadline; n++)
    {
      g_autoptr(GBytes) update = bytes_printf ("update %08" G_GUINT64_FORMAT " %s", n,
                                               "padding-to-look-like-a-real-batch-of-ops");

      rp_store_append_update (store, doc_id, update);
      printf ("%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n", n, g_get_monotonic_time ());
      fflush (stdout);
      g_usleep (APPEND_INTERVAL_US);
    }
  return 0;
}

typedef struct {
  GArray  *appended_at;   /* gint64 monotonic time per update number */
  gint64   killed_at;
  guint    max_committed; /* the most updates another connection ever saw */
  guint    polls;
  sqlite3 *db;
} ChildRun;

/* How many updates were appended at or before `when`. */
static guint
appended_by (ChildRun *run,
             gint64    when)
{
  guint n = 0;

  while (n < run->appended_at->len && g_array_index (run->appended_at, gint64, n) <= when)
    n++;
  return n;
}

static guint
count_committed (sqlite3    *db,
                 const char *doc_id)
{
  sqlite3_stmt *stmt = NULL;
  int rc;
  guint count = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM doc_log WHERE doc_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, doc_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  g_assert_cmpint (rc, ==, SQLITE_ROW);
  count = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

static void
poll_committed (ChildRun   *run,
                const char *doc_id)
{
  gint64 now = g_get_monotonic_time ();
  guint committed = count_committed (run->db, doc_id);

  g_assert_cmpuint (committed, >=, appended_by (run, now - PROMISE_US));
  run->max_committed = MAX (run->max_committed, committed);
  run->polls++;
}

static void
read_reports (GDataInputStream *lines,
              GArray           *appended_at,
              gint64            stop_after)
{
  char *line;

  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)))
    {
      guint64 n = 0;
      gint64 t = 0;

      g_assert_cmpint (sscanf (line, "%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT, &n, &t), ==, 2);
      g_assert_cmpuint (n, ==, appended_at->len);
      g_array_append_val (appended_at, t);
      g_free (line);
      if (stop_after && t >= stop_after)
        return;
    }
}

static void
run_and_kill_child (const char *path,
                    const char *doc_id,
                    ChildRun   *run)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  gint64 first, kill_at;

  g_assert_no_error (error);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self, "--append-child",
                            path, doc_id, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  run->appended_at = g_array_new (FALSE, FALSE, sizeof (gint64));

  read_reports (lines, run->appended_at, 1);   /* the first report: the child is running */
  g_assert_cmpuint (run->appended_at->len, ==, 1);
  g_assert_cmpint (sqlite3_open_v2 (path, &run->db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (run->db, 5000);
  first = g_array_index (run->appended_at, gint64, 0);
  /* Somewhere between 2 and 3 s in, so that the kill falls anywhere in a commit cycle. */
  kill_at = first + g_test_rand_int_range (2000, 3000) * 1000;
  for (gint64 poll_at = first + POLL_INTERVAL_US; poll_at < kill_at; poll_at += POLL_INTERVAL_US)
    {
      read_reports (lines, run->appended_at, poll_at);
      poll_committed (run, doc_id);
    }

  run->killed_at = g_get_monotonic_time ();
  g_subprocess_send_signal (child, SIGKILL);
  read_reports (lines, run->appended_at, 0);   /* what it printed before it died */
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  sqlite3_close (run->db);
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Checks the updates found are 0..found-1 and counts those promised durable. */
static void
check_survivors (StoreFixture *fixture,
                 const char   *doc_id,
                 ChildRun     *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = rp_store_new (fixture->path, &error);
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GPtrArray) updates = NULL;
  guint promised = appended_by (run, run->killed_at - PROMISE_US);

  g_assert_no_error (error);
  g_assert_true (rp_store_load_document (store, doc_id, &snapshot, &updates, &error));
  g_assert_no_error (error);
  g_assert_null (snapshot);
  for (guint i = 0; i < updates->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("update %08u %s", i,
                                                   "padding-to-look-like-a-real-batch-of-ops");

      assert_bytes_eq (updates->pdata[i], expected);
    }
  g_test_message ("%s: %u appended, %u promised durable, %u seen committed in %u polls, "
                  "%u found after SIGKILL", doc_id, run->appended_at->len, promised,
                  run->max_committed, run->polls, updates->len);
  g_assert_cmpuint (promised, >, 0);
  g_assert_cmpuint (updates->len, >=, promised);
  g_assert_cmpuint (updates->len, >=, run->max_committed);
  g_assert_cmpuint (updates->len, <=, run->appended_at->len + 1);
}

static void
test_sigkill_loses_at_most_the_last_second (StoreFixture *fixture,
                                            gconstpointer data)
{
  /* Twice on the same file: the second writer starts from a file a SIGKILL left behind. */
  for (guint round = 0; round < 2; round++)
    {
      g_autofree char *doc_id = g_strdup_printf ("notes-%u", round);
      ChildRun run = { NULL, 0, 0, 0, NULL };

      run_and_kill_child (fixture->path, doc_id, &run);
      assert_integrity (fixture->path);
      check_survivors (fixture, doc_id, &run);
      g_array_unref (run.appended_at);
    }
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "--append-child") == 0)
    return run_append_child (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/durability/sigkill-loses-at-most-the-last-second", StoreFixture, NULL,
              store_fixture_setup, test_sigkill_loses_at_most_the_last_second,
              store_fixture_teardown);
  return g_test_run ();
}
