/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rp-sync.h"

typedef struct {
  RpTextDoc *notes;
  RpAgenda  *agenda;
  RpSync    *sync;
  GPtrArray *sent;    /* frames this side sent */
} Side;

typedef struct {
  Side a;
  Side b;
} Pair;

static void
relay (RpSync *from,
       GBytes *frame,
       Side   *to)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_sync_receive (to->sync, frame, &error));
  g_assert_no_error (error);
}

static void
record (RpSync    *from,
        GBytes    *frame,
        GPtrArray *sent)
{
  g_ptr_array_add (sent, g_bytes_ref (frame));
}

static void
side_init (Side       *side,
           guint64     replica,
           const char *set_id)
{
  side->notes = rp_text_doc_new_with_replica (replica);
  side->agenda = rp_agenda_new_with_replica (replica);
  side->sync = rp_sync_new (side->notes, side->agenda, set_id);
  side->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_signal_connect (side->sync, "send", G_CALLBACK (record), side->sent);
}

static void
side_clear (Side *side)
{
  g_clear_object (&side->sync);
  g_clear_object (&side->notes);
  g_clear_object (&side->agenda);
  g_clear_pointer (&side->sent, g_ptr_array_unref);
}

static void
pair_connect (Pair *p)
{
  g_signal_connect (p->a.sync, "send", G_CALLBACK (relay), &p->b);
  g_signal_connect (p->b.sync, "send", G_CALLBACK (relay), &p->a);
}

static void
assert_same (Pair *p)
{
  g_autofree char *ta = rp_text_doc_get_text (p->a.notes);
  g_autofree char *tb = rp_text_doc_get_text (p->b.notes);
  g_autoptr(GBytes) aa = rp_agenda_encode_state (p->a.agenda);
  g_autoptr(GBytes) ab = rp_agenda_encode_state (p->b.agenda);

  g_assert_cmpstr (ta, ==, tb);
  g_assert_true (g_bytes_equal (aa, ab));
}

typedef struct {
  GPtrArray *notes;
  GPtrArray *agenda;
} Persisted;

static void
persist_merged (RpSync    *sync,
                guint      doc,
                GBytes    *blob,
                Persisted *persisted)
{
  g_ptr_array_add (doc == RP_SYNC_DOC_NOTES ? persisted->notes : persisted->agenda,
                   g_bytes_ref (blob));
}

static void
test_hello_exchange_brings_both_sides_equal (void)
{
  Persisted persisted = {
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
  };
  Pair p;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *item = NULL;
  g_autoptr(GPtrArray) items = NULL;

  side_init (&p.a, 1, "session-42");
  side_init (&p.b, 2, "session-42");
  /* Both prepared offline. */
  g_assert_true (rp_text_doc_insert (p.a.notes, 0, "Mentor's prep. ", -1, &error));
  g_assert_true (rp_text_doc_insert (p.b.notes, 0, "Mentee's questions?", -1, &error));
  item = rp_agenda_add_item (p.a.agenda, -1, "Career goals", 20, RP_AGENDA_OWNER_MENTOR,
                             RP_AGENDA_KIND_TOPIC, &error);
  g_free (rp_agenda_add_item (p.b.agenda, -1, "Send CV", 0, RP_AGENDA_OWNER_MENTEE,
                              RP_AGENDA_KIND_ACTION_ITEM, &error));
  pair_connect (&p);
  g_signal_connect (p.b.sync, "merged", G_CALLBACK (persist_merged), &persisted);
  rp_sync_start (p.a.sync);
  rp_sync_start (p.b.sync);
  g_assert_true (rp_sync_is_synced (p.a.sync));
  g_assert_true (rp_sync_is_synced (p.b.sync));
  assert_same (&p);
  text = rp_text_doc_get_text (p.a.notes);
  g_assert_nonnull (strstr (text, "Mentor's prep. "));
  g_assert_nonnull (strstr (text, "Mentee's questions?"));
  items = rp_agenda_list_items (p.b.agenda);
  g_assert_cmpuint (items->len, ==, 2);
  /* What b merged from a, replayed into fresh documents, gives a's documents back. */
  {
    g_autoptr(RpTextDoc) n = rp_text_doc_new ();
    g_autoptr(RpAgenda) g = rp_agenda_new ();
    g_autofree char *got = NULL;
    g_autoptr(GPtrArray) merged_items = NULL;

    g_assert_cmpuint (persisted.notes->len, ==, 1);
    g_assert_cmpuint (persisted.agenda->len, ==, 1);
    g_assert_true (rp_text_doc_apply_update (n, persisted.notes->pdata[0], &error));
    g_assert_true (rp_agenda_apply_update (g, persisted.agenda->pdata[0], &error));
    got = rp_text_doc_get_text (n);
    g_assert_cmpstr (got, ==, "Mentor's prep. ");
    merged_items = rp_agenda_list_items (g);
    g_assert_cmpuint (merged_items->len, ==, 1);
  }
  g_ptr_array_unref (persisted.notes);
  g_ptr_array_unref (persisted.agenda);
  /* Each side sent a HELLO and a DIFF, nothing else. */
  g_assert_cmpuint (p.a.sent->len, ==, 2);
  g_assert_cmpuint (p.b.sent->len, ==, 2);
  side_clear (&p.a);
  side_clear (&p.b);
}

static gboolean
texts_equal (Pair *p)
{
  g_autofree char *ta = rp_text_doc_get_text (p->a.notes);
  g_autofree char *tb = rp_text_doc_get_text (p->b.notes);

  return strcmp (ta, tb) == 0;
}

static void
test_local_edits_stream_in_batches (void)
{
  Pair p;
  g_autoptr(GError) error = NULL;
  const char *typed = "typing fast: one frame";
  gint64 deadline;

  side_init (&p.a, 1, "");
  side_init (&p.b, 2, "");
  pair_connect (&p);
  rp_sync_start (p.a.sync);
  rp_sync_start (p.b.sync);
  g_ptr_array_set_size (p.a.sent, 0);
  for (gsize i = 0; typed[i]; i++)
    g_assert_true (rp_text_doc_insert (p.a.notes, i, typed + i, 1, &error));
  g_free (rp_agenda_add_item (p.a.agenda, 0, "Typed meanwhile", 5, RP_AGENDA_OWNER_MENTOR,
                              RP_AGENDA_KIND_TOPIC, &error));
  g_assert_false (texts_equal (&p));
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!texts_equal (&p) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  assert_same (&p);
  g_assert_cmpuint (p.a.sent->len, ==, 1);
  side_clear (&p.a);
  side_clear (&p.b);
}

static void
test_other_documents_are_refused (void)
{
  Pair p;
  g_autoptr(GError) error = NULL;

  side_init (&p.a, 1, "session-1");
  side_init (&p.b, 2, "session-2");
  g_assert_true (rp_text_doc_insert (p.a.notes, 0, "private", -1, &error));
  rp_sync_start (p.a.sync);
  g_assert_false (rp_sync_receive (p.b.sync, p.a.sent->pdata[0], &error));
  g_assert_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MISMATCH);
  g_assert_cmpuint (p.b.sent->len, ==, 0);
  side_clear (&p.a);
  side_clear (&p.b);
}

static void
test_broken_frames_leave_documents_unchanged (void)
{
  Pair p;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) diff = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autofree char *before = NULL;
  gsize size;
  const guint8 *data;

  side_init (&p.a, 1, "");
  side_init (&p.b, 2, "");
  g_assert_true (rp_text_doc_insert (p.a.notes, 0, "Notes worth keeping ✓", -1, &error));
  g_free (rp_agenda_add_item (p.a.agenda, -1, "Topic", 5, RP_AGENDA_OWNER_MENTOR,
                              RP_AGENDA_KIND_TOPIC, &error));
  g_assert_true (rp_text_doc_insert (p.b.notes, 0, "mine", -1, &error));
  rp_sync_start (p.b.sync);
  g_assert_true (rp_sync_receive (p.a.sync, p.b.sent->pdata[0], &error));
  diff = g_bytes_ref (p.a.sent->pdata[0]);
  data = g_bytes_get_data (diff, &size);
  before = rp_text_doc_get_text (p.b.notes);

  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);
      g_autofree char *after = NULL;

      g_assert_false (rp_sync_receive (p.b.sync, part, &error));
      g_assert_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MALFORMED);
      g_clear_error (&error);
      after = rp_text_doc_get_text (p.b.notes);
      g_assert_cmpstr (after, ==, before);
      g_assert_cmpuint (rp_text_doc_get_n_pending (p.b.notes), ==, 0);
    }
  {
    g_autofree guint8 *copy = g_memdup2 (data, size);
    g_autoptr(GBytes) v2 = NULL;

    copy[3] = 2;
    v2 = g_bytes_new (copy, size);
    g_assert_false (rp_sync_receive (p.b.sync, v2, &error));
    g_assert_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_VERSION);
    g_clear_error (&error);
  }
  for (guint round = 0; round < 2000; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(RpSync) fresh = rp_sync_new (NULL, NULL, NULL);
      g_autoptr(RpTextDoc) notes = NULL;
      g_autofree char *text = NULL;

      copy[g_rand_int_range (rand, 0, size)] = g_rand_int_range (rand, 0, 256);
      bad = g_bytes_new (copy, size);
      /* Blobs are applied one by one, each only if its document accepts all of it: a frame
       * whose agenda blob is broken may still bring valid notes. Either way the documents
       * stay whole and usable. */
      if (!rp_sync_receive (fresh, bad, &error))
        g_assert_nonnull (error);
      g_clear_error (&error);
      g_object_get (fresh, "notes", &notes, NULL);
      g_assert_true (rp_text_doc_insert (notes, 0, "x", -1, &error));
      text = rp_text_doc_get_text (notes);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      g_assert_cmpuint (g_utf8_strlen (text, -1), ==, rp_text_doc_get_length (notes));
    }
  {
    /* A well-formed frame whose notes blob is not a notes update. */
    static const guint8 garbage[] = { 'R', 'P', 'S', 1, RP_SYNC_FRAME_UPDATE, 1,
                                      RP_SYNC_DOC_NOTES, 3, 'a', 'b', 'c' };
    g_autoptr(GBytes) frame = g_bytes_new_static (garbage, sizeof garbage);
    g_autofree char *after = NULL;

    g_assert_false (rp_sync_receive (p.b.sync, frame, &error));
    g_assert_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_REFUSED);
    g_clear_error (&error);
    after = rp_text_doc_get_text (p.b.notes);
    g_assert_cmpstr (after, ==, before);
  }
  /* The genuine frame still applies afterwards. */
  g_assert_true (rp_sync_receive (p.b.sync, diff, &error));
  g_assert_no_error (error);
  g_assert_true (rp_sync_is_synced (p.b.sync));
  side_clear (&p.a);
  side_clear (&p.b);
}

static guint n_refusals_logged;

/* Counts (and keeps out of the test log) the lines the sync writes for refused frames. */
static GLogWriterOutput
count_refusals (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 &&
        g_str_has_prefix (fields[i].value, "Refused a sync frame"))
      {
        n_refusals_logged++;
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
test_refused_frames_are_logged (void)
{
  g_autoptr(RpSync) sync = rp_sync_new (NULL, NULL, NULL);
  g_autoptr(GBytes) junk = g_bytes_new_static ("not a frame", 11);
  g_autoptr(GError) error = NULL;
  guint before = n_refusals_logged;

  g_assert_false (rp_sync_receive (sync, junk, &error));
  g_assert_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MALFORMED);
  g_assert_cmpuint (n_refusals_logged, ==, before + 1);
}

int
main (int argc, char **argv)
{
  g_log_set_writer_func (count_refusals, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/refuse/refused-frames-are-logged", test_refused_frames_are_logged);
  g_test_add_func ("/sync/hello/exchange-brings-both-sides-equal",
                   test_hello_exchange_brings_both_sides_equal);
  g_test_add_func ("/sync/stream/local-edits-go-out-in-one-batch",
                   test_local_edits_stream_in_batches);
  g_test_add_func ("/sync/refuse/other-documents-are-refused", test_other_documents_are_refused);
  g_test_add_func ("/sync/refuse/broken-frames-leave-documents-unchanged",
                   test_broken_frames_leave_documents_unchanged);
  return g_test_run ();
}
