/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-text-trace TRACE.json[.gz]: replays a real editing trace into the notes CRDT.
 *
 * A sequential trace (automerge-paper) is replayed as local edits into one document; a
 * concurrent one (transactions with `agent` and `parents`, like friendsforever) is replayed
 * with one replica per agent, each transaction typed on a replica that has merged exactly the
 * transactions named by its parents, then everything is merged. Either way the final text must
 * equal `endContent` or the program fails loudly. Figures go to stdout, the last line as JSON.
 *
 * The JSON is parsed in a child process (this program run with --compact), which hands back the
 * patches in a compact binary form: the replaying process never holds the JSON tree, so its
 * peak RSS growth belongs to the document alone.
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rp-codec.h"
#include "rp-text-doc.h"

typedef struct {
  guint32  pos;
  guint32  n_deleted;
  char    *text;   /* NULL when nothing is inserted */
} Patch;

typedef struct {
  guint    first_patch;
  guint    n_patches;
  gint     agent;
  GArray  *parents;   /* guint */
} Txn;

typedef struct {
  char   *name;
  char   *end_content;
  GArray *patches;    /* Patch */
  GArray *txns;       /* Txn */
  gboolean concurrent;
} Trace;

static G_NORETURN void
die (const char *format, ...) G_GNUC_PRINTF (1, 2);

static G_NORETURN void
die (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("bench-text-trace: FAILED: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

static GBytes *
read_maybe_gzipped (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  guint8 magic[2] = { 0 };
  gsize got = 0;

  if (in == NULL)
    die ("cannot open %s: %s", path, error->message);
  if (!g_input_stream_read_all (in, magic, 2, &got, NULL, &error))
    die ("cannot read %s: %s", path, error->message);
  g_clear_object (&in);
  in = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    {
      g_autoptr(GZlibDecompressor) gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      GInputStream *plain = g_converter_input_stream_new (in, G_CONVERTER (gz));

      g_object_unref (in);
      in = plain;
    }
  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error) < 0)
    die ("cannot read %s: %s", path, error->message);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
parse_patches (JsonArray *patches,
               Trace     *trace)
{
  for (guint k = 0; k < json_array_get_length (patches); k++)
    {
      JsonArray *p = json_array_get_array_element (patches, k);
      Patch patch = { 0 };
      const char *text;

      if (p == NULL || json_array_get_length (p) != 3)
        die ("a patch is not [pos, numDeleted, inserted]");
      patch.pos = (guint32) json_array_get_int_element (p, 0);
      patch.n_deleted = (guint32) json_array_get_int_element (p, 1);
      text = json_array_get_string_element (p, 2);
      patch.text = text && *text ? g_strdup (text) : NULL;
      g_array_append_val (trace->patches, patch);
    }
}

static void
load_trace (const char *path,
            Trace      *trace)
{
  g_autoptr(GBytes) bytes = read_maybe_gzipped (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *txns;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (!json_parser_load_from_data (parser, data, size, &error))
    die ("%s is not JSON: %s", path, error->message);
  root = json_node_get_object (json_parser_get_root (parser));
  if (root == NULL || !json_object_has_member (root, "txns") ||
      !json_object_has_member (root, "endContent"))
    die ("%s has no txns or endContent", path);
  if (json_object_has_member (root, "startContent") &&
      *json_object_get_string_member (root, "startContent") != '\0')
    die ("traces with a startContent are not supported");
  trace->name = g_path_get_basename (path);
  trace->end_content = g_strdup (json_object_get_string_member (root, "endContent"));
  trace->patches = g_array_new (FALSE, FALSE, sizeof (Patch));
  trace->txns = g_array_new (FALSE, FALSE, sizeof (Txn));
  txns = json_object_get_array_member (root, "txns");
  for (guint i = 0; i < json_array_get_length (txns); i++)
    {
      JsonObject *t = json_array_get_object_element (txns, i);
      Txn txn = { trace->patches->len, 0, -1, NULL };

      parse_patches (json_object_get_array_member (t, "patches"), trace);
      txn.n_patches = trace->patches->len - txn.first_patch;
      if (json_object_has_member (t, "agent"))
        {
          JsonArray *parents = json_object_get_array_member (t, "parents");

          trace->concurrent = TRUE;
          txn.agent = (gint) json_object_get_int_member (t, "agent");
          txn.parents = g_array_new (FALSE, FALSE, sizeof (guint));
          for (guint k = 0; k < json_array_get_length (parents); k++)
            {
              guint parent = (guint) json_array_get_int_element (parents, k);

              if (parent >= i)
                die ("transaction %u names a later parent", i);
              g_array_append_val (txn.parents, parent);
            }
        }
      g_array_append_val (trace->txns, txn);
    }
}

static void
apply_txn (RpTextDoc   *doc,
           const Trace *trace,
           const Txn   *txn)
{
  for (guint k = txn->first_patch; k < txn->first_patch + txn->n_patches; k++)
    {
      const Patch *p = &g_array_index (trace->patches, Patch, k);
      g_autoptr(GError) error = NULL;

      if (p->n_deleted > 0 && !rp_text_doc_delete (doc, p->pos, p->n_deleted, &error))
        die ("patch %u: %s", k, error->message);
      if (p->text != NULL && !rp_text_doc_insert (doc, p->pos, p->text, -1, &error))
        die ("patch %u: %s", k, error->message);
    }
}

/* --- compact form between the parsing child and the replaying parent --------------- */

static GBytes *
trace_to_compact (const Trace *trace)
{
  GByteArray *out = g_byte_array_new ();

  rp_writer_string (out, trace->name);
  rp_writer_string (out, trace->end_content);
  rp_writer_varint (out, trace->txns->len);
  for (guint i = 0; i < trace->txns->len; i++)
    {
      const Txn *txn = &g_array_index (trace->txns, Txn, i);

      rp_writer_zigzag (out, txn->agent);
      rp_writer_varint (out, txn->parents ? txn->parents->len : 0);
      for (guint k = 0; txn->parents && k < txn->parents->len; k++)
        rp_writer_varint (out, g_array_index (txn->parents, guint, k));
      rp_writer_varint (out, txn->n_patches);
      for (guint k = txn->first_patch; k < txn->first_patch + txn->n_patches; k++)
        {
          const Patch *p = &g_array_index (trace->patches, Patch, k);

          rp_writer_varint (out, p->pos);
          rp_writer_varint (out, p->n_deleted);
          rp_writer_string (out, p->text);
        }
    }
  return g_byte_array_free_to_bytes (out);
}

static guint64
read_uint (RpReader *r)
{
  g_autoptr(GError) error = NULL;
  guint64 v;

  if (!rp_reader_varint (r, G_MAXUINT32, "number", &v, &error))
    die ("compact trace: %s", error->message);
  return v;
}

static char *
read_string (RpReader *r)
{
  g_autoptr(GError) error = NULL;
  char *s;

  if (!rp_reader_string (r, G_MAXUINT32, "string", &s, &error))
    die ("compact trace: %s", error->message);
  return s;
}

static void
trace_from_compact (GBytes *bytes,
                    Trace  *trace)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  RpReader r;
  guint n_txns;

  rp_reader_init (&r, data, size);
  trace->name = read_string (&r);
  trace->end_content = read_string (&r);
  trace->patches = g_array_new (FALSE, FALSE, sizeof (Patch));
  trace->txns = g_array_new (FALSE, FALSE, sizeof (Txn));
  n_txns = read_uint (&r);
  for (guint i = 0; i < n_txns; i++)
    {
      Txn txn = { trace->patches->len, 0, -1, NULL };
      gint64 agent;
      guint n_parents;

      if (!rp_reader_zigzag (&r, "agent", &agent, NULL))
        die ("compact trace: truncated");
      txn.agent = (gint) agent;
      trace->concurrent |= agent >= 0;
      n_parents = read_uint (&r);
      if (agent >= 0)
        txn.parents = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint k = 0; k < n_parents; k++)
        {
          guint parent = read_uint (&r);

          g_array_append_val (txn.parents, parent);
        }
      txn.n_patches = read_uint (&r);
      for (guint k = 0; k < txn.n_patches; k++)
        {
          Patch p;
          char *text;

          p.pos = read_uint (&r);
          p.n_deleted = read_uint (&r);
          text = read_string (&r);
          p.text = *text ? text : (g_free (text), NULL);
          g_array_append_val (trace->patches, p);
        }
      g_array_append_val (trace->txns, txn);
    }
}

static void
load_trace_in_child (const char *path,
                     Trace      *trace)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GBytes) compact = NULL;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            "/proc/self/exe", "--compact", path, NULL);
  if (child == NULL || !g_subprocess_communicate (child, NULL, NULL, &compact, NULL, &error))
    die ("cannot parse the trace in a child process: %s", error->message);
  if (!g_subprocess_get_successful (child))
    die ("parsing the trace failed");
  trace_from_compact (compact, trace);
}

/* --- figures ------------------------------------------------------------------------ */

/* CPU time of this process in microseconds: on a machine shared with other busy processes it
 * varies much less than the wall clock. */
static gint64
cpu_time_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gint64
status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line ? g_ascii_strtoll (line + strlen (field) + 1, NULL, 10) : -1;
}

/* Returns freed memory to the system and restarts the kernel's peak-RSS counter, so that the
 * peak measured next belongs to the replay and not to parsing the JSON. */
static gint64
reset_peak_rss (void)
{
  FILE *f;

  malloc_trim (0);
  f = fopen ("/proc/self/clear_refs", "w");
  if (f != NULL)
    {
      fputs ("5", f);
      fclose (f);
    }
  return status_kb ("VmHWM:");
}

static void
check_text (RpTextDoc   *doc,
            const Trace *trace,
            const char  *what)
{
  g_autofree char *text = rp_text_doc_get_text (doc);

  if (strcmp (text, trace->end_content) != 0)
    {
      gsize i = 0;

      while (text[i] && text[i] == trace->end_content[i])
        i++;
      die ("%s: the final text differs from endContent at byte %" G_GSIZE_FORMAT
           " (%" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT ")",
           what, i, strlen (text), strlen (trace->end_content));
    }
}

static void
count_update (RpTextDoc *doc,
              GBytes    *update,
              guint64   *bytes)
{
  *bytes += g_bytes_get_size (update);
}

/* --- sequential --------------------------------------------------------------------- */

static void
bench_sequential (Trace *trace)
{
  g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
  g_autoptr(RpTextDoc) streamed = rp_text_doc_new ();
  g_autoptr(RpTextDoc) loaded = NULL;
  g_autoptr(GBytes) state = NULL;
  g_autoptr(GError) error = NULL;
  gint64 rss_before, t0, c0, replay_us, replay_cpu_us, encode_us, load_us, peak_growth_kb;
  guint64 update_bytes = 0;
  guint n_edits = trace->patches->len;

  rss_before = reset_peak_rss ();
  t0 = g_get_monotonic_time ();
  c0 = cpu_time_us ();
  for (guint i = 0; i < trace->txns->len; i++)
    apply_txn (doc, trace, &g_array_index (trace->txns, Txn, i));
  replay_us = g_get_monotonic_time () - t0;
  replay_cpu_us = cpu_time_us () - c0;
  peak_growth_kb = status_kb ("VmHWM:") - rss_before;
  check_text (doc, trace, "replay");

  t0 = g_get_monotonic_time ();
  state = rp_text_doc_encode_state (doc);
  encode_us = g_get_monotonic_time () - t0;
  t0 = g_get_monotonic_time ();
  loaded = rp_text_doc_new_from_snapshot (state, &error);
  load_us = g_get_monotonic_time () - t0;
  if (loaded == NULL)
    die ("loading the encoding: %s", error->message);
  check_text (loaded, trace, "reload");
  if (g_getenv ("RAPPORT_BENCH_DUMP") != NULL &&
      !g_file_set_contents (g_getenv ("RAPPORT_BENCH_DUMP"), g_bytes_get_data (state, NULL),
                            g_bytes_get_size (state), &error))
    die ("%s", error->message);

  /* Streaming: what one update per transaction costs on the wire (not timed). */
  g_signal_connect (streamed, "update", G_CALLBACK (count_update), &update_bytes);
  for (guint i = 0; i < trace->txns->len; i++)
    apply_txn (streamed, trace, &g_array_index (trace->txns, Txn, i));

  printf ("trace            %s (sequential, %u transactions, %u edits)\n",
          trace->name, trace->txns->len, n_edits);
  printf ("replay           %.1f ms (CPU %.1f ms)\n", replay_us / 1000.0, replay_cpu_us / 1000.0);
  printf ("peak RSS growth  %.1f MB\n", peak_growth_kb / 1024.0);
  printf ("runs in memory   %" G_GSIZE_FORMAT "\n", rp_text_doc_get_n_runs (doc));
  printf ("encoded size     %" G_GSIZE_FORMAT " B (encode %.1f ms)\n",
          g_bytes_get_size (state), encode_us / 1000.0);
  printf ("load encoding    %.1f ms\n", load_us / 1000.0);
  printf ("streamed         %.1f B per edit\n", (double) update_bytes / n_edits);
  printf ("{\"trace\":\"%s\",\"mode\":\"sequential\",\"edits\":%u,\"replay_ms\":%.2f,"
          "\"replay_cpu_ms\":%.2f,\"peak_rss_growth_kb\":%" G_GINT64_FORMAT ",\"runs\":%" G_GSIZE_FORMAT ","
          "\"encoded_bytes\":%" G_GSIZE_FORMAT ",\"encode_ms\":%.2f,\"load_ms\":%.2f,"
          "\"update_bytes_per_edit\":%.2f,\"text_ok\":true}\n",
          trace->name, n_edits, replay_us / 1000.0, replay_cpu_us / 1000.0, peak_growth_kb,
          rp_text_doc_get_n_runs (doc), g_bytes_get_size (state), encode_us / 1000.0,
          load_us / 1000.0, (double) update_bytes / n_edits);
}

/* --- concurrent --------------------------------------------------------------------- */

typedef struct {
  RpTextDoc *doc;
  guint8    *has;   /* per transaction: merged into this replica */
} Replica;

static void
collect_update (RpTextDoc *doc,
                GBytes    *update,
                GPtrArray *sink)
{
  g_ptr_array_add (sink, g_bytes_ref (update));
}

/* Merges into @r every transaction in the history of @txn_index that it lacks, parents
 * first (an explicit stack: histories are tens of thousands deep). */
static void
merge_history (Replica    *r,
               Trace      *trace,
               GPtrArray **updates,
               guint       txn_index,
               guint64    *merged_bytes)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint));

  if (r->has[txn_index])
    return;
  g_array_append_val (stack, txn_index);
  while (stack->len > 0)
    {
      guint t = g_array_index (stack, guint, stack->len - 1);
      Txn *txn = &g_array_index (trace->txns, Txn, t);
      gboolean ready = TRUE;

      if (r->has[t])
        {
          g_array_set_size (stack, stack->len - 1);
          continue;
        }
      for (guint k = 0; k < txn->parents->len; k++)
        {
          guint p = g_array_index (txn->parents, guint, k);

          if (!r->has[p])
            {
              g_array_append_val (stack, p);
              ready = FALSE;
            }
        }
      if (!ready)
        continue;
      for (guint k = 0; k < updates[t]->len; k++)
        {
          g_autoptr(GError) error = NULL;
          GBytes *u = g_ptr_array_index (updates[t], k);

          *merged_bytes += g_bytes_get_size (u);
          if (!rp_text_doc_apply_update (r->doc, u, &error))
            die ("merging transaction %u: %s", t, error->message);
        }
      r->has[t] = 1;
      g_array_set_size (stack, stack->len - 1);
    }
}

static void
bench_concurrent (Trace *trace)
{
  guint n = trace->txns->len;
  g_autofree GPtrArray **updates = g_new0 (GPtrArray *, n);
  g_autoptr(GHashTable) replicas = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(RpTextDoc) final = rp_text_doc_new ();
  g_autoptr(GBytes) state = NULL;
  g_autoptr(RpTextDoc) loaded = NULL;
  g_autoptr(GError) error = NULL;
  Replica *merged;
  GHashTableIter iter;
  gpointer value;
  gint64 rss_before, t0, c0, replay_us, replay_cpu_us, load_us, peak_growth_kb;
  guint64 merged_bytes = 0;

  rss_before = reset_peak_rss ();
  t0 = g_get_monotonic_time ();
  c0 = cpu_time_us ();
  for (guint i = 0; i < n; i++)
    {
      Txn *txn = &g_array_index (trace->txns, Txn, i);
      Replica *r = g_hash_table_lookup (replicas, GINT_TO_POINTER (txn->agent));
      gulong handler;

      if (r == NULL)
        {
          r = g_new0 (Replica, 1);
          r->doc = rp_text_doc_new ();
          r->has = g_new0 (guint8, n);
          g_hash_table_insert (replicas, GINT_TO_POINTER (txn->agent), r);
        }
      for (guint k = 0; k < txn->parents->len; k++)
        merge_history (r, trace, updates, g_array_index (txn->parents, guint, k), &merged_bytes);
      updates[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      handler = g_signal_connect (r->doc, "update", G_CALLBACK (collect_update), updates[i]);
      apply_txn (r->doc, trace, txn);
      g_signal_handler_disconnect (r->doc, handler);
      r->has[i] = 1;
    }
  /* Every replica merges everything; all must end with the expected text. */
  g_hash_table_iter_init (&iter, replicas);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Replica *r = value;

      for (guint i = n; i > 0; i--)
        merge_history (r, trace, updates, i - 1, &merged_bytes);
    }
  replay_us = g_get_monotonic_time () - t0;
  replay_cpu_us = cpu_time_us () - c0;
  peak_growth_kb = status_kb ("VmHWM:") - rss_before;

  g_hash_table_iter_init (&iter, replicas);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    check_text (((Replica *) value)->doc, trace, "merged replica");
  merged = value;
  state = rp_text_doc_encode_state (merged->doc);
  t0 = g_get_monotonic_time ();
  loaded = rp_text_doc_new_from_snapshot (state, &error);
  load_us = g_get_monotonic_time () - t0;
  if (loaded == NULL)
    die ("loading the encoding: %s", error->message);
  check_text (loaded, trace, "reload");

  printf ("trace            %s (concurrent, %u transactions, %u replicas)\n",
          trace->name, n, g_hash_table_size (replicas));
  printf ("replay + merges  %.1f ms (CPU %.1f ms; %" G_GUINT64_FORMAT " update bytes merged)\n",
          replay_us / 1000.0, replay_cpu_us / 1000.0, merged_bytes);
  printf ("peak RSS growth  %.1f MB\n", peak_growth_kb / 1024.0);
  printf ("encoded size     %" G_GSIZE_FORMAT " B\n", g_bytes_get_size (state));
  printf ("load encoding    %.1f ms\n", load_us / 1000.0);
  printf ("{\"trace\":\"%s\",\"mode\":\"concurrent\",\"transactions\":%u,\"replicas\":%u,"
          "\"replay_ms\":%.2f,\"replay_cpu_ms\":%.2f,\"peak_rss_growth_kb\":%" G_GINT64_FORMAT ","
          "\"encoded_bytes\":%" G_GSIZE_FORMAT ",\"load_ms\":%.2f,\"text_ok\":true}\n",
          trace->name, n, g_hash_table_size (replicas), replay_us / 1000.0,
          replay_cpu_us / 1000.0, peak_growth_kb,
          g_bytes_get_size (state), load_us / 1000.0);

  g_hash_table_iter_init (&iter, replicas);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Replica *r = value;

      g_object_unref (r->doc);
      g_free (r->has);
      g_free (r);
    }
  for (guint i = 0; i < n; i++)
    g_ptr_array_unref (updates[i]);
}

int
main (int argc, char **argv)
{
  Trace trace = { 0 };

  if (argc != 2 && !(argc == 3 && strcmp (argv[1], "--compact") == 0))
    {
      fprintf (stderr, "usage: %s TRACE.json[.gz]\n", argv[0]);
      return 2;
    }
  if (argc == 3 && strcmp (argv[1], "--compact") == 0)
    {
      g_autoptr(GBytes) compact = NULL;

      load_trace (argv[2], &trace);
      compact = trace_to_compact (&trace);
      fwrite (g_bytes_get_data (compact, NULL), 1, g_bytes_get_size (compact), stdout);
      return fflush (stdout) == 0 ? 0 : 1;
    }
  load_trace_in_child (argv[1], &trace);
  if (trace.concurrent)
    bench_concurrent (&trace);
  else
    bench_sequential (&trace);
  return 0;
}
