/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's document persistence: the update log, snapshots, compaction, a full disk.
 */
#include "config.h"

#define _GNU_SOURCE
#include <string.h>

#include "rp-store.h"
#include "rp-text-doc.h"
#include "store-test-mounts.h"
#include "store-test-util.h"

static void
append_text (RpStore    *store,
             const char *doc_id,
             const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  rp_store_append_update (store, doc_id, bytes);
}

static void
assert_document (RpStore    *store,
                 const char *doc_id,
                 const char *snapshot,
                 const char *const *updates)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snap = NULL;
  g_autoptr(GPtrArray) log = NULL;

  g_assert_true (rp_store_load_document (store, doc_id, &snap, &log, &error));
  g_assert_no_error (error);
  if (snapshot)
    assert_bytes_eq (snap, snapshot);
  else
    g_assert_null (snap);
  g_assert_cmpuint (log->len, ==, g_strv_length ((char **) updates));
  for (guint i = 0; i < log->len; i++)
    assert_bytes_eq (log->pdata[i], updates[i]);
}

static void
test_new_document_is_empty (StoreFixture *fixture,
                            gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  const char *none[] = { NULL };

  assert_document (store, "never-written", NULL, none);
  g_assert_cmpuint (rp_store_get_update_count (store, "never-written"), ==, 0);
}

static void
test_queued_updates_load_before_commit (StoreFixture *fixture,
                                        gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  const char *expected[] = { "a", "b", "c", NULL };

  append_text (store, "notes", "a");
  append_text (store, "notes", "b");
  append_text (store, "other", "x");
  append_text (store, "notes", "c");
  /* No flush: whether or not the writer has committed yet, the load sees all three in order. */
  assert_document (store, "notes", NULL, expected);
  g_assert_cmpuint (rp_store_get_update_count (store, "notes"), ==, 3);
}

static void
test_updates_survive_reopen (StoreFixture *fixture,
                             gconstpointer data)
{
  const char *expected[] = { "one", "two", NULL };
  const char *other[] = { "x", NULL };

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    append_text (store, "notes", "one");
    append_text (store, "other", "x");
    append_text (store, "notes", "two");
    /* Dropping the last reference commits what is queued. */
  }
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    assert_document (store, "notes", NULL, expected);
    assert_document (store, "other", NULL, other);
  }
}

static void
test_flush_commits_for_another_connection (StoreFixture *fixture,
                                           gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(RpStore) second = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "typed", NULL };

  append_text (store, "notes", "typed");
  g_assert_true (rp_store_flush (store, &error));
  g_assert_no_error (error);
  /* A second store on the same file has no queue of its own: it reads only the disk. */
  second = store_fixture_open (fixture);
  assert_document (second, "notes", NULL, expected);
}

static void
test_compaction_replaces_log_and_keeps_later_updates (StoreFixture *fixture,
                                                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = g_bytes_new_static ("state:abc", 9);
  const char *after[] = { "d", NULL };

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    append_text (store, "notes", "a");
    append_text (store, "notes", "b");
    g_assert_true (rp_store_flush (store, &error));
    append_text (store, "notes", "c");   /* still queued when the compaction comes */
    append_text (store, "other", "kept");
    g_assert_true (rp_store_compact_document (store, "notes", snapshot, &error));
    g_assert_no_error (error);
    append_text (store, "notes", "d");
    assert_document (store, "notes", "state:abc", after);
    g_assert_cmpuint (rp_store_get_update_count (store, "notes"), ==, 1);
  }
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);
    const char *other[] = { "kept", NULL };

    assert_document (store, "notes", "state:abc", after);
    assert_document (store, "other", NULL, other);
  }
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (guint64) st.st_size;
}

static void
test_compaction_gives_space_back (StoreFixture *fixture,
                                  gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = g_bytes_new_static ("S", 1);
  g_autofree char *update = g_strnfill (1000, 'u');
  guint64 before, after;

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    for (guint i = 0; i < 2000; i++)
      append_text (store, "notes", update);
    g_assert_true (rp_store_close (store, &error));
  }
  before = file_size (fixture->path);
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    g_assert_true (rp_store_compact_document (store, "notes", snapshot, &error));
    g_assert_true (rp_store_close (store, &error));
  }
  after = file_size (fixture->path);
  g_test_message ("%" G_GUINT64_FORMAT " bytes before compaction, %" G_GUINT64_FORMAT " after",
                  before, after);
  g_assert_cmpuint (before, >, 2000 * 1000);
  g_assert_cmpuint (after, <, before / 10);
}

static void
test_updates_after_cleaned_compaction_stay_visible (StoreFixture *fixture,
                                                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = g_bytes_new_static ("S", 1);
  const char *after[] = { "new", NULL };

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    for (guint i = 0; i < 100; i++)
      append_text (store, "notes", "old");
    g_assert_true (rp_store_compact_document (store, "notes", snapshot, &error));
    g_assert_true (rp_store_close (store, &error));   /* the covered log is deleted */
  }
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    /* The log is empty now; a reused sequence number would fall under the snapshot's. */
    append_text (store, "notes", "new");
  }
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    assert_document (store, "notes", "S", after);
  }
}

static void
on_compacted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_store_compact_document_finish (RP_STORE (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_compaction_async_completes_in_caller_context (StoreFixture *fixture,
                                                   gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GBytes) snapshot = g_bytes_new_static ("S", 1);
  gboolean done = FALSE;
  const char *none[] = { NULL };

  append_text (store, "notes", "a");
  rp_store_compact_document_async (store, "notes", snapshot, NULL, on_compacted, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  assert_document (store, "notes", "S", none);
}

typedef struct {
  gboolean   done;
  GBytes    *snapshot;
  GPtrArray *updates;
} LoadResult;

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LoadResult *loaded = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_store_load_document_finish (RP_STORE (source), result, &loaded->snapshot,
                                                &loaded->updates, &error));
  g_assert_no_error (error);
  loaded->done = TRUE;
}

static void
test_load_async_sees_disk_and_queue (StoreFixture *fixture,
                                     gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GBytes) snapshot = g_bytes_new_static ("S", 1);
  g_autoptr(GError) error = NULL;
  LoadResult loaded = { FALSE, NULL, NULL };

  append_text (store, "notes", "a");
  g_assert_true (rp_store_compact_document (store, "notes", snapshot, &error));
  append_text (store, "notes", "b");
  g_assert_true (rp_store_flush (store, &error));
  append_text (store, "notes", "c");   /* probably still queued */
  rp_store_load_document_async (store, "notes", NULL, on_loaded, &loaded);
  while (!loaded.done)
    g_main_context_iteration (NULL, TRUE);
  assert_bytes_eq (loaded.snapshot, "S");
  g_assert_cmpuint (loaded.updates->len, ==, 2);
  assert_bytes_eq (loaded.updates->pdata[0], "b");
  assert_bytes_eq (loaded.updates->pdata[1], "c");
  g_bytes_unref (loaded.snapshot);
  g_ptr_array_unref (loaded.updates);
}

static void
test_delete_document_drops_snapshot_and_log (StoreFixture *fixture,
                                             gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GBytes) snapshot = g_bytes_new_static ("S", 1);
  g_autoptr(GError) error = NULL;
  const char *none[] = { NULL };

  append_text (store, "notes", "a");
  g_assert_true (rp_store_compact_document (store, "notes", snapshot, &error));
  append_text (store, "notes", "b");
  g_assert_true (rp_store_delete_document (store, "notes", &error));
  g_assert_no_error (error);
  assert_document (store, "notes", NULL, none);
}

static void
test_empty_doc_id_is_refused (StoreFixture *fixture,
                              gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snap = NULL;
  g_autoptr(GPtrArray) log = NULL;

  g_assert_false (rp_store_load_document (store, "", &snap, &log, &error));
  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID);
}


static void
on_write_error (RpStore      *store,
                const GError *error,
                gpointer      user_data)
{
  gboolean *seen = user_data;

  g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_FULL);
  *seen = TRUE;
}

static void
on_notify_write_failing (GObject    *object,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  gboolean *failing = user_data;

  g_object_get (object, "write-failing", failing, NULL);
}

/* SQLite's max_page_count makes it return SQLITE_FULL exactly as a full disk does. */
static void
test_full_disk_keeps_data_and_recovers (StoreFixture *fixture,
                                        gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autofree char *filler = g_strnfill (64 * 1024, 'x');
  gboolean seen_error = FALSE;
  gboolean failing = FALSE;
  const char *before[] = { "early", NULL };

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    g_signal_connect (store, "write-error", G_CALLBACK (on_write_error), &seen_error);
    append_text (store, "notes", "early");
    g_assert_true (rp_store_flush (store, &error));
    g_assert_true (rp_store_close (store, &error));
  }
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);

    g_signal_connect (store, "write-error", G_CALLBACK (on_write_error), &seen_error);
    g_signal_connect (store, "notify::write-failing", G_CALLBACK (on_notify_write_failing),
                      &failing);
    rp_store_set_max_size (store, file_size (fixture->path) + 8192);
    append_text (store, "notes", filler);
    g_assert_false (rp_store_flush (store, &error));
    g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_FULL);
    g_clear_error (&error);
    g_assert_true (g_str_has_prefix (rp_store_get_path (store), fixture->dir));

    /* The failed update is still queued, so a load still shows it. */
    {
      const char *both[] = { "early", filler, NULL };

      assert_document (store, "notes", NULL, both);
    }
    while (!seen_error || !failing)
      g_main_context_iteration (NULL, TRUE);

    /* What was on disk before is intact, read through another connection. */
    {
      g_autoptr(RpStore) reader = store_fixture_open (fixture);

      assert_document (reader, "notes", NULL, before);
    }

    /* Space comes back: the same update is committed, once. */
    rp_store_set_max_size (store, 0);
    g_assert_true (rp_store_flush (store, &error));
    g_assert_no_error (error);
    while (failing)
      g_main_context_iteration (NULL, TRUE);   /* write-failing goes back to FALSE */
  }
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);
    const char *both[] = { "early", filler, NULL };

    assert_document (store, "notes", NULL, both);
  }
}

static void
test_full_disk_write_failing_follows_state (StoreFixture *fixture,
                                            gconstpointer data)
{
  g_autoptr(RpStore) store = store_fixture_open (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = g_strnfill (256 * 1024, 'y');
  gboolean failing = FALSE;

  g_assert_true (rp_store_flush (store, &error));
  g_signal_connect (store, "notify::write-failing", G_CALLBACK (on_notify_write_failing),
                    &failing);
  rp_store_set_max_size (store, file_size (fixture->path) + 4096);
  append_text (store, "notes", filler);
  /* Without a flush: the timer's commit fails and the owner hears of it. */
  while (!failing)
    g_main_context_iteration (NULL, TRUE);
  rp_store_set_max_size (store, 0);
  while (failing)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (rp_store_get_update_count (store, "notes"), ==, 1);
}

static void
write_ballast (const char *path,
               gsize       size)
{
  g_autofree char *zeros = g_malloc0 (size);

  g_assert_true (g_file_set_contents (path, zeros, (gssize) size, NULL));
}

/* In a subprocess: a real 1 MiB filesystem that really runs out of space. */
static void
run_real_enospc (void)
{
  g_autofree char *dir = g_dir_make_tmp ("rapport-enospc-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "rapport.db", NULL);
  g_autofree char *ballast = g_build_filename (dir, "ballast", NULL);
  g_autofree char *blob = g_strnfill (64 * 1024, 'b');
  g_autoptr(GError) error = NULL;
  guint n_blobs = 0;

  store_test_mount_tmpfs (dir, "1m");
  write_ballast (ballast, 256 * 1024);
  {
    g_autoptr(RpStore) store = rp_store_new (path, &error);

    g_assert_no_error (error);
    append_text (store, "notes", "early");
    g_assert_true (rp_store_flush (store, &error));
    while (n_blobs < 64)
      {
        append_text (store, "notes", blob);
        n_blobs++;
        if (!rp_store_flush (store, &error))
          break;
      }
    g_test_message ("full after %u blobs of 64 KiB: %s", n_blobs,
                    error ? error->message : "never");
    g_assert_error (error, RP_STORE_ERROR, RP_STORE_ERROR_FULL);
    g_clear_error (&error);
    g_assert_cmpuint (n_blobs, >, 1);
    g_assert_cmpuint (rp_store_get_update_count (store, "notes"), ==, 1 + n_blobs);

    /* Space comes back: the update that failed is committed. */
    g_assert_cmpint (g_unlink (ballast), ==, 0);
    g_assert_true (rp_store_flush (store, &error));
    g_assert_no_error (error);
    g_assert_true (rp_store_close (store, &error));
  }
  {
    g_autoptr(RpStore) store = rp_store_new (path, &error);
    g_autoptr(GBytes) snapshot = NULL;
    g_autoptr(GPtrArray) updates = NULL;

    g_assert_no_error (error);
    g_assert_true (rp_store_load_document (store, "notes", &snapshot, &updates, &error));
    g_assert_cmpuint (updates->len, ==, 1 + n_blobs);
    assert_bytes_eq (updates->pdata[0], "early");
    assert_bytes_eq (updates->pdata[n_blobs], blob);
  }
  umount (dir);
  g_rmdir (dir);
}

static void
test_full_disk_real_filesystem (void)
{
  store_test_run_with_mounts (run_real_enospc);
}

static void
on_text_update (RpTextDoc *doc,
                GBytes    *update,
                gpointer   user_data)
{
  rp_store_append_update (RP_STORE (user_data), "session/x/notes", update);
}

static RpTextDoc *
load_text_doc (RpStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GPtrArray) updates = NULL;
  g_autoptr(RpTextDoc) doc = NULL;

  g_assert_true (rp_store_load_document (store, "session/x/notes", &snapshot, &updates, &error));
  g_assert_no_error (error);
  doc = snapshot ? rp_text_doc_new_from_snapshot (snapshot, &error) : rp_text_doc_new ();
  g_assert_no_error (error);
  for (guint i = 0; i < updates->len; i++)
    {
      g_assert_true (rp_text_doc_apply_update (doc, updates->pdata[i], &error));
      g_assert_no_error (error);
    }
  return g_steal_pointer (&doc);
}

static void
type_text (RpTextDoc  *doc,
           const char *text)
{
  g_autoptr(GError) error = NULL;

  /* One character at a time, the way a text view feeds the document. */
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      g_assert_true (rp_text_doc_insert (doc, rp_text_doc_get_length (doc), p,
                                         g_utf8_next_char (p) - p, &error));
      g_assert_no_error (error);
    }
}

static void
test_text_doc_typing_survives_compaction_and_reopen (StoreFixture *fixture,
                                                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);
    g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
    g_autoptr(GBytes) state = NULL;

    g_signal_connect_object (doc, "update", G_CALLBACK (on_text_update), store, 0);
    type_text (doc, "Goals for the term: ");
    state = rp_text_doc_encode_state (doc);
    g_assert_true (rp_store_compact_document (store, "session/x/notes", state, &error));
    g_assert_no_error (error);
    type_text (doc, "finish the thesis, draft the café talk.");
    g_assert_true (rp_text_doc_delete (doc, 0, 5, &error));   /* "Goals" */
    g_assert_cmpuint (rp_store_get_update_count (store, "session/x/notes"), >, 0);
  }
  {
    g_autoptr(RpStore) store = store_fixture_open (fixture);
    g_autoptr(RpTextDoc) doc = load_text_doc (store);
    g_autofree char *text = rp_text_doc_get_text (doc);

    g_assert_cmpstr (text, ==, " for the term: finish the thesis, draft the café talk.");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, StoreFixture, NULL, store_fixture_setup, func, store_fixture_teardown)
  ADD ("/store/documents/new-document-is-empty", test_new_document_is_empty);
  ADD ("/store/documents/queued-updates-load-before-commit",
       test_queued_updates_load_before_commit);
  ADD ("/store/documents/updates-survive-reopen", test_updates_survive_reopen);
  ADD ("/store/documents/flush-commits-for-another-connection",
       test_flush_commits_for_another_connection);
  ADD ("/store/documents/compaction-replaces-log-and-keeps-later-updates",
       test_compaction_replaces_log_and_keeps_later_updates);
  ADD ("/store/documents/compaction-gives-space-back", test_compaction_gives_space_back);
  ADD ("/store/documents/updates-after-cleaned-compaction-stay-visible",
       test_updates_after_cleaned_compaction_stay_visible);
  ADD ("/store/documents/compaction-async-completes-in-caller-context",
       test_compaction_async_completes_in_caller_context);
  ADD ("/store/documents/load-async-sees-disk-and-queue", test_load_async_sees_disk_and_queue);
  ADD ("/store/documents/delete-drops-snapshot-and-log",
       test_delete_document_drops_snapshot_and_log);
  ADD ("/store/documents/empty-doc-id-is-refused", test_empty_doc_id_is_refused);
  ADD ("/store/full-disk/keeps-earlier-data-and-recovers", test_full_disk_keeps_data_and_recovers);
  ADD ("/store/full-disk/write-failing-follows-state", test_full_disk_write_failing_follows_state);
  g_test_add_func ("/store/full-disk/real-filesystem-runs-out-and-recovers",
                   test_full_disk_real_filesystem);
  ADD ("/store/text-doc/typing-survives-compaction-and-reopen",
       test_text_doc_typing_survives_compaction_and_reopen);
#undef ADD

  return g_test_run ();
}
