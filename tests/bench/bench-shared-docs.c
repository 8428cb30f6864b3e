/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What keeping the notes in the store and in sync costs: one replica types N single-character
 * edits (10% deletions, a jump to a random place now and then), sent in batches of 50 as sync
 * frames to a second replica; both store everything in their own SQLite file.
 *
 *   bench-shared-docs [N_EDITS]      (default 50000)
 *
 * Prints one JSON line: microseconds per local edit (edit + store append + batching), per
 * received frame on the other side (apply + store append), the stored log after compaction,
 * the file sizes and the time to load the receiver's documents back from its file.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "rp-shared-docs.h"

typedef struct {
  GPtrArray *frames;
} Wire;

static void
on_send (RpSharedDocs *docs,
         GBytes       *frame,
         Wire         *wire)
{
  g_ptr_array_add (wire->frames, g_bytes_ref (frame));
}

static gint64
deliver (Wire         *wire,
         RpSharedDocs *to)
{
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < wire->frames->len; i++)
    rp_shared_docs_receive (to, wire->frames->pdata[i], NULL);
  g_ptr_array_set_size (wire->frames, 0);
  return g_get_monotonic_time () - t0;
}

static gint64
file_size (const char *path)
{
  GStatBuf st;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gint64 size = 0;

  if (g_stat (path, &st) == 0)
    size += st.st_size;
  if (g_stat (wal, &st) == 0)
    size += st.st_size;
  return size;
}

static void
remove_db (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

int
main (int    argc,
      char **argv)
{
  guint n_edits = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 50000;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rapport-bench-docs-XXXXXX", &error);
  g_autofree char *path_a = g_build_filename (dir, "a.db", NULL);
  g_autofree char *path_b = g_build_filename (dir, "b.db", NULL);
  g_autoptr(RpStore) store_a = rp_store_new (path_a, &error);
  g_autoptr(RpStore) store_b = rp_store_new (path_b, &error);
  g_autoptr(RpSharedDocs) a = rp_shared_docs_new (store_a, "bench", "bench", &error);
  g_autoptr(RpSharedDocs) b = rp_shared_docs_new (store_b, "bench", "bench", &error);
  g_autoptr(RpSharedDocs) loaded = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  g_autofree char *text_loaded = NULL;
  Wire a_to_b = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  Wire b_to_a = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  RpTextDoc *notes;
  gint64 local_us = 0, remote_us = 0, t0, load_us;
  guint n_frames = 0, log_a, log_b;
  gsize pos = 0;

  g_assert_no_error (error);
  g_signal_connect (a, "send", G_CALLBACK (on_send), &a_to_b);
  g_signal_connect (b, "send", G_CALLBACK (on_send), &b_to_a);
  rp_shared_docs_channel_opened (a);
  rp_shared_docs_channel_opened (b);
  while (a_to_b.frames->len > 0 || b_to_a.frames->len > 0)
    {
      deliver (&a_to_b, b);
      deliver (&b_to_a, a);
    }

  notes = rp_shared_docs_get_notes (a);
  for (guint i = 0; i < n_edits; i++)
    {
      gsize len = rp_text_doc_get_length (notes);

      t0 = g_get_monotonic_time ();
      if (g_rand_int_range (rand, 0, 30) == 0)
        pos = g_rand_int_range (rand, 0, len + 1);
      pos = MIN (pos, len);
      if (len > 0 && g_rand_int_range (rand, 0, 10) == 0)
        rp_text_doc_delete (notes, pos > 0 ? --pos : 0, 1, NULL);
      else
        rp_text_doc_insert (notes, pos++, g_rand_boolean (rand) ? "e" : " ", 1, NULL);
      if (i % 50 == 49)
        rp_shared_docs_flush (a);
      local_us += g_get_monotonic_time () - t0;
      n_frames += a_to_b.frames->len;
      remote_us += deliver (&a_to_b, b);
      /* Let compactions finish as they would between keystrokes. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  rp_shared_docs_flush (a);
  n_frames += a_to_b.frames->len;
  remote_us += deliver (&a_to_b, b);
  rp_shared_docs_save (a, NULL);
  rp_shared_docs_save (b, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  log_a = rp_store_get_update_count (store_a, "bench/notes");
  log_b = rp_store_get_update_count (store_b, "bench/notes");
  text_a = rp_text_doc_get_text (notes);
  text_b = rp_text_doc_get_text (rp_shared_docs_get_notes (b));
  if (g_strcmp0 (text_a, text_b) != 0)
    g_error ("the replicas differ after the run");

  t0 = g_get_monotonic_time ();
  loaded = rp_shared_docs_new (store_b, "bench", "bench", &error);
  load_us = g_get_monotonic_time () - t0;
  g_assert_no_error (error);
  text_loaded = rp_text_doc_get_text (rp_shared_docs_get_notes (loaded));
  if (g_strcmp0 (text_loaded, text_b) != 0)
    g_error ("the documents loaded from the store differ from the replica");

  printf ("{\"edits\":%u,\"chars\":%zu,\"frames\":%u,\"local_us_per_edit\":%.2f,"
          "\"remote_us_per_frame\":%.1f,\"log_after_compaction_a\":%u,"
          "\"log_after_compaction_b\":%u,\"file_bytes_a\":%" G_GINT64_FORMAT ","
          "\"file_bytes_b\":%" G_GINT64_FORMAT ",\"load_ms\":%.2f}\n",
          n_edits, rp_text_doc_get_length (notes), n_frames, (double) local_us / n_edits,
          n_frames ? (double) remote_us / n_frames : 0.0, log_a, log_b, file_size (path_a),
          file_size (path_b), load_us / 1000.0);

  g_clear_object (&loaded);
  g_clear_object (&a);
  g_clear_object (&b);
  rp_store_close (store_a, NULL);
  rp_store_close (store_b, NULL);
  remove_db (path_a);
  remove_db (path_b);
  g_rmdir (dir);
  g_ptr_array_unref (a_to_b.frames);
  g_ptr_array_unref (b_to_a.frames);
  return 0;
}
