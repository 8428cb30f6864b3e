/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-store-trace TRACE.json[.gz]: a real notes document persisted through the store.
 *
 * Replays a sequential editing trace (automerge-paper: 259,778 single-character edits) into
 * the notes CRDT as local edits, every "update" the document emits appended to the store, as
 * the app does. Then: load the document from its update log into a fresh document; compact it
 * into a snapshot; load it from the snapshot. Both loads must give the trace's endContent, or
 * the program fails. Figures on stdout, the last line as JSON; wall-clock times on a shared
 * machine, expect noise.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rp-store.h"
#include "rp-text-doc.h"

#define DOC_ID "session/bench/notes"

static G_NORETURN void
die (const char *message,
     const char *detail)
{
  fprintf (stderr, "bench-store-trace: FAILED: %s%s%s\n", message, detail ? ": " : "",
           detail ? detail : "");
  exit (1);
}

static JsonParser *
read_trace (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!in)
    die ("cannot open the trace", error->message);
  if (g_str_has_suffix (path, ".gz"))
    {
      g_autoptr(GZlibDecompressor) gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      GInputStream *plain = g_converter_input_stream_new (in, G_CONVERTER (gz));

      g_object_unref (in);
      in = plain;
    }
  if (!json_parser_load_from_stream (parser, in, NULL, &error))
    die ("cannot read the trace", error->message);
  return g_steal_pointer (&parser);
}

static void
apply_patch (RpTextDoc *doc,
             JsonArray *patch)
{
  g_autoptr(GError) error = NULL;
  gsize pos = (gsize) json_array_get_int_element (patch, 0);
  gsize n_deleted = (gsize) json_array_get_int_element (patch, 1);
  const char *text = json_array_get_string_element (patch, 2);

  if (n_deleted > 0 && !rp_text_doc_delete (doc, pos, n_deleted, &error))
    die ("a delete failed", error->message);
  if (text && *text && !rp_text_doc_insert (doc, pos, text, -1, &error))
    die ("an insert failed", error->message);
}

/* CPU time of the calling thread: on a loaded machine, less noisy than the wall clock. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static double
replay (RpTextDoc *doc,
        JsonArray *txns,
        double    *cpu_ms)
{
  gint64 start = g_get_monotonic_time ();
  double cpu_start = thread_cpu_ms ();

  for (guint i = 0; i < json_array_get_length (txns); i++)
    {
      JsonArray *patches = json_object_get_array_member (json_array_get_object_element (txns, i),
                                                         "patches");

      for (guint k = 0; k < json_array_get_length (patches); k++)
        apply_patch (doc, json_array_get_array_element (patches, k));
    }
  *cpu_ms = thread_cpu_ms () - cpu_start;
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
on_update (RpTextDoc *doc,
           GBytes    *update,
           gpointer   user_data)
{
  guint64 *bytes = g_object_get_data (user_data, "bench-bytes");

  *bytes += g_bytes_get_size (update);
  rp_store_append_update (RP_STORE (user_data), DOC_ID, update);
}

static RpStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  RpStore *store = rp_store_new (path, &error);

  if (!store)
    die ("cannot open the store", error->message);
  return store;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
check_text (RpTextDoc  *doc,
            const char *expected,
            const char *what)
{
  g_autofree char *text = rp_text_doc_get_text (doc);

  if (g_strcmp0 (text, expected) != 0)
    die ("the text differs from endContent after", what);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  JsonObject *root;
  JsonArray *txns;
  const char *end_content;
  guint64 update_bytes = 0;
  guint n_updates;
  gsize snapshot_size;
  double bare_cpu_ms, replay_cpu_ms;
  double bare_ms, replay_ms, flush_ms, read_log_ms, apply_log_ms, compact_ms, read_snap_ms, apply_snap_ms;
  gint64 start;

  if (argc != 2)
    die ("usage: bench-store-trace TRACE.json[.gz]", NULL);
  parser = read_trace (argv[1]);
  root = json_node_get_object (json_parser_get_root (parser));
  if (!root || !json_object_has_member (root, "txns") ||
      json_object_has_member (json_array_get_object_element (
        json_object_get_array_member (root, "txns"), 0), "agent"))
    die ("not a sequential trace", argv[1]);
  txns = json_object_get_array_member (root, "txns");
  end_content = json_object_get_string_member (root, "endContent");
  dir = g_dir_make_tmp ("rapport-bench-store-trace-XXXXXX", &error);
  if (!dir)
    die ("no temporary folder", error->message);
  path = g_build_filename (dir, "bench.db", NULL);

  /* 0. Typing alone, for comparison. */
  {
    g_autoptr(RpTextDoc) doc = rp_text_doc_new ();

    bare_ms = replay (doc, txns, &bare_cpu_ms);
    check_text (doc, end_content, "typing");
  }

  /* 1. Typing, every update appended. */
  {
    g_autoptr(RpStore) store = open_store (path);
    g_autoptr(RpTextDoc) doc = rp_text_doc_new ();

    g_object_set_data (G_OBJECT (store), "bench-bytes", &update_bytes);
    g_signal_connect_object (doc, "update", G_CALLBACK (on_update), store, 0);
    replay_ms = replay (doc, txns, &replay_cpu_ms);
    check_text (doc, end_content, "typing");
    start = g_get_monotonic_time ();
    if (!rp_store_flush (store, &error))
      die ("flush failed", error->message);
    flush_ms = ms_since (start);
  }

  /* 2. Load from the log into a fresh document. */
  {
    g_autoptr(RpStore) store = open_store (path);
    g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
    g_autoptr(GBytes) snapshot = NULL;
    g_autoptr(GPtrArray) updates = NULL;

    start = g_get_monotonic_time ();
    if (!rp_store_load_document (store, DOC_ID, &snapshot, &updates, &error))
      die ("load failed", error->message);
    read_log_ms = ms_since (start);
    n_updates = updates->len;
    start = g_get_monotonic_time ();
    for (guint i = 0; i < updates->len; i++)
      if (!rp_text_doc_apply_update (doc, updates->pdata[i], &error))
        die ("an update did not apply", error->message);
    apply_log_ms = ms_since (start);
    check_text (doc, end_content, "loading the log");

    /* 3. Compaction. */
    snapshot = rp_text_doc_encode_state (doc);
    snapshot_size = g_bytes_get_size (snapshot);
    start = g_get_monotonic_time ();
    if (!rp_store_compact_document (store, DOC_ID, snapshot, &error))
      die ("compaction failed", error->message);
    compact_ms = ms_since (start);
  }

  /* 4. Load from the snapshot. */
  {
    g_autoptr(RpStore) store = open_store (path);
    g_autoptr(RpTextDoc) doc = NULL;
    g_autoptr(GBytes) snapshot = NULL;
    g_autoptr(GPtrArray) updates = NULL;

    start = g_get_monotonic_time ();
    if (!rp_store_load_document (store, DOC_ID, &snapshot, &updates, &error) || !snapshot)
      die ("load of the snapshot failed", error ? error->message : "no snapshot");
    read_snap_ms = ms_since (start);
    start = g_get_monotonic_time ();
    doc = rp_text_doc_new_from_snapshot (snapshot, &error);
    if (!doc)
      die ("the snapshot did not decode", error->message);
    apply_snap_ms = ms_since (start);
    check_text (doc, end_content, "loading the snapshot");
  }

  printf ("trace:               %s, %u updates appended (%" G_GUINT64_FORMAT " bytes)\n",
          argv[1], n_updates, update_bytes);
  printf ("typing alone:        %.1f ms wall, %.1f ms CPU of the typing thread\n", bare_ms,
          bare_cpu_ms);
  printf ("typing + appends:    %.1f ms wall, %.1f ms CPU (%.2f us CPU per append), then flush "
          "%.1f ms\n", replay_ms, replay_cpu_ms, (replay_cpu_ms - bare_cpu_ms) * 1000.0 / n_updates,
          flush_ms);
  printf ("load from log:       %.1f ms read + %.1f ms apply = %.1f ms\n", read_log_ms,
          apply_log_ms, read_log_ms + apply_log_ms);
  printf ("compaction:          %.1f ms (snapshot %zu bytes)\n", compact_ms, snapshot_size);
  printf ("load from snapshot:  %.2f ms read + %.2f ms decode = %.2f ms\n", read_snap_ms,
          apply_snap_ms, read_snap_ms + apply_snap_ms);
  printf ("{\"bench\":\"store-trace\",\"updates\":%u,\"update_bytes\":%" G_GUINT64_FORMAT ","
          "\"typing_alone_ms\":%.1f,\"typing_with_appends_ms\":%.1f,"
          "\"append_cpu_us\":%.2f,\"flush_ms\":%.1f,\"load_log_read_ms\":%.1f,"
          "\"load_log_apply_ms\":%.1f,\"compact_ms\":%.1f,\"snapshot_bytes\":%zu,"
          "\"load_snapshot_read_ms\":%.2f,\"load_snapshot_decode_ms\":%.2f}\n",
          n_updates, update_bytes, bare_ms, replay_ms,
          (replay_cpu_ms - bare_cpu_ms) * 1000.0 / n_updates, flush_ms, read_log_ms, apply_log_ms, compact_ms,
          snapshot_size, read_snap_ms, apply_snap_ms);

  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (path);
    g_rmdir (dir);
  }
  return 0;
}
