/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Store benchmark: how fast document updates are appended (and made durable), and how long a
 * document takes to load from a long update log versus from a snapshot after compaction.
 *
 *   bench-store [OPS] [SNAPSHOT_BYTES]
 *
 * OPS (default 259778, the length of the editing trace in ../shared/bench/traces) updates of
 * 8 to 40 bytes, the size of one encoded single-character operation, are appended to one
 * document as fast as the caller can; then the document is loaded from the log, compacted
 * into a SNAPSHOT_BYTES snapshot (default 160 KiB) and loaded again. Figures are printed, the
 * last line as JSON. Wall-clock times on a shared machine: expect noise.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "rp-store.h"

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static RpStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  RpStore *store = rp_store_new (path, &error);

  if (!store)
    g_error ("%s", error->message);
  return store;
}

static double
load_ms (const char *path,
         guint      *n_updates,
         gsize      *snapshot_size)
{
  g_autoptr(RpStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GPtrArray) updates = NULL;
  gint64 start = g_get_monotonic_time ();
  double ms;

  if (!rp_store_load_document (store, "notes", &snapshot, &updates, &error))
    g_error ("%s", error->message);
  ms = ms_since (start);
  *n_updates = updates->len;
  *snapshot_size = snapshot ? g_bytes_get_size (snapshot) : 0;
  return ms;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

int
main (int argc, char **argv)
{
  guint ops = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 259778;
  gsize snap_bytes = argc > 2 ? (gsize) strtoul (argv[2], NULL, 10) : 160 * 1024;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rapport-bench-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "bench.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(GArray) latencies = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ops);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 payload[40];
  double append_ms, flush_ms, log_load_ms, compact_ms, snap_load_ms;
  guint64 log_db_bytes, snap_db_bytes;
  guint n_updates;
  gsize loaded_snap;
  gint64 start;

  if (!dir)
    g_error ("%s", error->message);
  for (guint i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) g_rand_int (rand);

  /* 1. Appends on the owner's thread, then the flush that makes the last of them durable. */
  {
    g_autoptr(RpStore) store = open_store (path);

    start = g_get_monotonic_time ();
    for (guint i = 0; i < ops; i++)
      {
        gint64 t0 = g_get_monotonic_time ();
        g_autoptr(GBytes) update = g_bytes_new (payload, g_rand_int_range (rand, 8, 41));
        gint64 dt;

        rp_store_append_update (store, "notes", update);
        dt = g_get_monotonic_time () - t0;
        g_array_append_val (latencies, dt);
      }
    append_ms = ms_since (start);
    start = g_get_monotonic_time ();
    if (!rp_store_flush (store, &error))
      g_error ("%s", error->message);
    flush_ms = ms_since (start);
    if (!rp_store_close (store, &error))
      g_error ("%s", error->message);
  }
  g_array_sort (latencies, compare_gint64);
  log_db_bytes = file_size (path);

  /* 2. Load from the log. */
  log_load_ms = load_ms (path, &n_updates, &loaded_snap);
  if (n_updates != ops)
    g_error ("loaded %u updates, appended %u", n_updates, ops);

  /* 3. Compact into one snapshot, 4. load from it. */
  {
    g_autoptr(RpStore) store = open_store (path);
    g_autofree guint8 *snap = g_malloc (snap_bytes);
    g_autoptr(GBytes) snapshot = NULL;

    for (gsize i = 0; i < snap_bytes; i++)
      snap[i] = (guint8) g_rand_int (rand);
    snapshot = g_bytes_new_take (g_steal_pointer (&snap), snap_bytes);
    start = g_get_monotonic_time ();
    if (!rp_store_compact_document (store, "notes", snapshot, &error))
      g_error ("%s", error->message);
    compact_ms = ms_since (start);
  }
  snap_load_ms = load_ms (path, &n_updates, &loaded_snap);
  /* The covered log is deleted in the background, in short steps: give it time, then close. */
  {
    g_autoptr(RpStore) store = open_store (path);

    g_usleep (5 * G_USEC_PER_SEC);
  }
  snap_db_bytes = file_size (path);
  if (n_updates != 0 || loaded_snap != snap_bytes)
    g_error ("after compaction: %u updates, snapshot of %zu bytes", n_updates, loaded_snap);

  printf ("appends:            %u updates of 8-40 bytes\n", ops);
  printf ("append calls:       %.1f ms total, %.2f us mean, p50 %" G_GINT64_FORMAT
          " us, p99 %" G_GINT64_FORMAT " us, max %" G_GINT64_FORMAT " us\n",
          append_ms, append_ms * 1000.0 / ops, g_array_index (latencies, gint64, ops / 2),
          g_array_index (latencies, gint64, ops * 99 / 100),
          g_array_index (latencies, gint64, ops - 1));
  {
    guint slow = 0;
    gint64 slow_us = 0;

    for (guint i = 0; i < ops; i++)
      if (g_array_index (latencies, gint64, i) >= 1000)
        {
          slow++;
          slow_us += g_array_index (latencies, gint64, i);
        }
    printf ("slow append calls:  %u of %u took >= 1 ms, %.1f ms in all (p99.9 %" G_GINT64_FORMAT
            " us)\n", slow, ops, slow_us / 1000.0, g_array_index (latencies, gint64,
                                                                     ops - ops / 1000 - 1));
  }
  printf ("durable throughput: %.0f updates/s (appends + final flush of %.1f ms)\n",
          ops / ((append_ms + flush_ms) / 1000.0), flush_ms);
  printf ("load from log:      %.1f ms (%u updates, file %" G_GUINT64_FORMAT " bytes)\n",
          log_load_ms, ops, log_db_bytes);
  printf ("compaction:         %.1f ms (snapshot %zu bytes)\n", compact_ms, snap_bytes);
  printf ("load from snapshot: %.2f ms (file %" G_GUINT64_FORMAT " bytes once cleaned up)\n",
          snap_load_ms, snap_db_bytes);
  printf ("{\"bench\":\"store\",\"ops\":%u,\"append_total_ms\":%.1f,\"append_p99_us\":%"
          G_GINT64_FORMAT ",\"append_max_us\":%" G_GINT64_FORMAT ",\"flush_ms\":%.1f,"
          "\"durable_updates_per_s\":%.0f,\"load_log_ms\":%.1f,\"compact_ms\":%.1f,"
          "\"snapshot_bytes\":%zu,\"load_snapshot_ms\":%.2f}\n",
          ops, append_ms, g_array_index (latencies, gint64, ops * 99 / 100),
          g_array_index (latencies, gint64, ops - 1), flush_ms,
          ops / ((append_ms + flush_ms) / 1000.0), log_load_ms, compact_ms, snap_bytes,
          snap_load_ms);

  g_unlink (wal);
  g_unlink (shm);
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
