/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rp-text-doc.h"

/* --- helpers -------------------------------------------------------------------------- */

static void
collect_update (RpTextDoc *doc,
                GBytes    *update,
                GPtrArray *sink)
{
  g_ptr_array_add (sink, g_bytes_ref (update));
}

static GPtrArray *
watch_updates (RpTextDoc *doc)
{
  GPtrArray *sink = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_signal_connect (doc, "update", G_CALLBACK (collect_update), sink);
  return sink;
}

static void
insert (RpTextDoc  *doc,
        gsize       pos,
        const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_text_doc_insert (doc, pos, text, -1, &error));
  g_assert_no_error (error);
}

static void
apply_all (RpTextDoc *doc,
           GPtrArray *updates)
{
  for (guint i = 0; i < updates->len; i++)
    {
      g_autoptr(GError) error = NULL;

      rp_text_doc_apply_update (doc, g_ptr_array_index (updates, i), &error);
      g_assert_no_error (error);
    }
}

static void
assert_text (RpTextDoc  *doc,
             const char *expected)
{
  g_autofree char *text = rp_text_doc_get_text (doc);

  g_assert_cmpstr (text, ==, expected);
}

/* --- local editing -------------------------------------------------------------------- */

static void
test_local_positions_count_code_points (void)
{
  g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
  g_autoptr(GError) error = NULL;

  insert (doc, 0, "héllo");
  insert (doc, 5, " wörld");
  insert (doc, 1, "🙂");
  assert_text (doc, "h🙂éllo wörld");
  g_assert_cmpuint (rp_text_doc_get_length (doc), ==, 12);
  g_assert_true (rp_text_doc_delete (doc, 1, 2, &error));
  g_assert_no_error (error);
  assert_text (doc, "hllo wörld");
  g_assert_true (rp_text_doc_delete (doc, 6, 2, &error));
  assert_text (doc, "hllo wld");
}

static void
test_local_out_of_range_is_refused (void)
{
  g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
  g_autoptr(GError) error = NULL;

  insert (doc, 0, "abc");
  g_assert_false (rp_text_doc_insert (doc, 4, "x", -1, &error));
  g_assert_error (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_RANGE);
  g_clear_error (&error);
  g_assert_false (rp_text_doc_delete (doc, 2, 2, &error));
  g_assert_error (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_RANGE);
  g_clear_error (&error);
  g_assert_false (rp_text_doc_insert (doc, 0, "\xff", -1, &error));
  g_assert_error (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_INVALID);
  assert_text (doc, "abc");
}

static void
test_typing_a_paragraph_is_one_run (void)
{
  g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
  const char *para = "Typing a paragraph one key at a time keeps a single run.";

  for (gsize i = 0; para[i]; i++)
    {
      char c[2] = { para[i], 0 };

      insert (doc, i, c);
    }
  assert_text (doc, para);
  g_assert_cmpuint (rp_text_doc_get_n_runs (doc), ==, 1);
}

static void
test_deleting_a_range_spans_runs (void)
{
  g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
  g_autoptr(GError) error = NULL;

  insert (doc, 0, "aaaa");
  insert (doc, 2, "bbbb");
  insert (doc, 0, "cccc");
  assert_text (doc, "ccccaabbbbaa");
  g_assert_true (rp_text_doc_delete (doc, 3, 8, &error));
  assert_text (doc, "ccca");
  g_assert_true (rp_text_doc_delete (doc, 0, 4, &error));
  assert_text (doc, "");
  insert (doc, 0, "z");
  assert_text (doc, "z");
}

/* --- merging ------------------------------------------------------------------------ */

static void
type_chars (RpTextDoc  *doc,
            gsize       pos,
            const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p), pos++)
    {
      char c[8] = { 0 };

      memcpy (c, p, g_utf8_next_char (p) - p);
      insert (doc, pos, c);
    }
}

static void
test_concurrent_inserts_at_one_place_do_not_interleave (void)
{
  g_autoptr(RpTextDoc) base = rp_text_doc_new_with_replica (1);
  g_autoptr(GPtrArray) base_updates = watch_updates (base);
  g_autoptr(RpTextDoc) a = rp_text_doc_new_with_replica (7);
  g_autoptr(RpTextDoc) b = rp_text_doc_new_with_replica (3);
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(GPtrArray) from_b = watch_updates (b);
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  insert (base, 0, "[]");
  apply_all (a, base_updates);
  apply_all (b, base_updates);
  /* Both type at the same place, char by char, and also backwards (each new character in
   * front of the previous one), the case that interleaves in naive list CRDTs. */
  type_chars (a, 1, "mentor");
  type_chars (b, 1, "mentee");
  insert (a, 7, "!");
  for (const char *p = "321"; *p; p++)
    {
      char c[2] = { *p, 0 };

      insert (b, 7, c);
    }
  apply_all (a, from_b);
  apply_all (b, from_a);
  ta = rp_text_doc_get_text (a);
  tb = rp_text_doc_get_text (b);
  g_assert_cmpstr (ta, ==, tb);
  g_assert_true (strstr (ta, "mentor!") != NULL);
  g_assert_true (strstr (ta, "mentee123") != NULL);
}

/* Three people type a word each, key by key, at the same place of a shared text, without
 * seeing each other; after the merge each word is whole, on every replica. */
static void
test_random_concurrent_words_stay_whole (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(RpTextDoc) base = rp_text_doc_new ();
      g_autoptr(GBytes) state = NULL;
      RpTextDoc *docs[3];
      GPtrArray *outs[3];
      char words[3][16];
      gsize at;

      insert (base, 0, "before|after");
      state = rp_text_doc_encode_state (base);
      at = g_rand_int_range (rand, 0, 13);
      for (guint i = 0; i < 3; i++)
        {
          guint len = g_rand_int_range (rand, 2, 12);

          docs[i] = rp_text_doc_new_from_snapshot (state, NULL);
          outs[i] = watch_updates (docs[i]);
          for (guint k = 0; k < len; k++)
            words[i][k] = "abc"[i] + (k % 2 ? 'A' - 'a' : 0);
          words[i][len] = '\0';
          type_chars (docs[i], at, words[i]);
        }
      for (guint i = 0; i < 3; i++)
        for (guint j = 0; j < 3; j++)
          if (i != j)
            apply_all (docs[j], outs[i]);
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *text = rp_text_doc_get_text (docs[i]);
          g_autofree char *first = rp_text_doc_get_text (docs[0]);

          g_assert_cmpstr (text, ==, first);
          for (guint w = 0; w < 3; w++)
            g_assert_nonnull (strstr (text, words[w]));
        }
      for (guint i = 0; i < 3; i++)
        {
          g_ptr_array_unref (outs[i]);
          g_object_unref (docs[i]);
        }
    }
}

static void
test_snapshot_roundtrip_keeps_text_and_merges (void)
{
  g_autoptr(RpTextDoc) a = rp_text_doc_new ();
  g_autoptr(RpTextDoc) b = NULL;
  g_autoptr(RpTextDoc) c = NULL;
  g_autoptr(GBytes) snap = NULL;
  g_autoptr(GBytes) snap2 = NULL;
  g_autoptr(GPtrArray) from_b = NULL;
  g_autoptr(GError) error = NULL;

  insert (a, 0, "Agenda: ");
  insert (a, 8, "goals, ✓ done");
  g_assert_true (rp_text_doc_delete (a, 0, 2, &error));
  snap = rp_text_doc_encode_state (a);
  b = rp_text_doc_new_from_snapshot (snap, &error);
  g_assert_no_error (error);
  assert_text (b, "enda: goals, ✓ done");
  g_assert_cmpuint (rp_text_doc_get_replica_id (b), !=, rp_text_doc_get_replica_id (a));

  /* The reloaded replica keeps editing and merges back. */
  from_b = watch_updates (b);
  insert (b, 0, "Ag");
  apply_all (a, from_b);
  assert_text (a, "Agenda: goals, ✓ done");

  /* Applying a snapshot twice changes nothing. */
  snap2 = rp_text_doc_encode_state (b);
  c = rp_text_doc_new_from_snapshot (snap2, &error);
  g_assert_true (rp_text_doc_apply_update (c, snap2, &error));
  g_assert_true (rp_text_doc_apply_update (c, snap, &error));
  assert_text (c, "Agenda: goals, ✓ done");
}

static void
test_diff_sends_only_what_is_missing (void)
{
  g_autoptr(RpTextDoc) a = rp_text_doc_new ();
  g_autoptr(RpTextDoc) b = rp_text_doc_new ();
  g_autoptr(GBytes) full = NULL;
  g_autoptr(GBytes) sv = NULL;
  g_autoptr(GBytes) diff = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;

  insert (a, 0, "shared history that both sides already have");
  full = rp_text_doc_encode_state (a);
  g_assert_true (rp_text_doc_apply_update (b, full, &error));
  insert (a, 0, "new ");
  g_assert_true (rp_text_doc_delete (a, 4, 7, &error));
  insert (b, rp_text_doc_get_length (b), " (b)");

  sv = rp_text_doc_encode_state_vector (b);
  diff = rp_text_doc_encode_diff (a, sv, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (diff), <, g_bytes_get_size (full));
  g_assert_true (rp_text_doc_apply_update (b, diff, &error));
  g_clear_pointer (&sv, g_bytes_unref);
  sv = rp_text_doc_encode_state_vector (a);
  back = rp_text_doc_encode_diff (b, sv, &error);
  g_assert_true (rp_text_doc_apply_update (a, back, &error));
  assert_text (a, "new history that both sides already have (b)");
  assert_text (b, "new history that both sides already have (b)");
}

static void
test_updates_in_any_order_wait_for_what_they_need (void)
{
  g_autoptr(RpTextDoc) a = rp_text_doc_new ();
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(RpTextDoc) b = rp_text_doc_new ();
  g_autoptr(GError) error = NULL;

  insert (a, 0, "one");
  insert (a, 3, " two");
  g_assert_true (rp_text_doc_delete (a, 0, 1, &error));
  insert (a, 0, "O");
  for (guint i = from_a->len; i > 0; i--)
    {
      g_assert_true (rp_text_doc_apply_update (b, g_ptr_array_index (from_a, i - 1), &error));
      g_assert_no_error (error);
    }
  assert_text (b, "One two");
  g_assert_cmpuint (rp_text_doc_get_n_pending (b), ==, 0);
}

/* --- remote edits as view events ---------------------------------------------------- */

static void
mirror_insert (RpTextDoc  *doc,
               guint       pos,
               const char *text,
               GString    *mirror)
{
  const char *at = g_utf8_offset_to_pointer (mirror->str, pos);

  g_string_insert (mirror, at - mirror->str, text);
}

static void
mirror_delete (RpTextDoc *doc,
               guint      pos,
               guint      len,
               GString   *mirror)
{
  const char *from = g_utf8_offset_to_pointer (mirror->str, pos);
  const char *to = g_utf8_offset_to_pointer (from, len);

  g_string_erase (mirror, from - mirror->str, to - from);
}

static void
test_remote_events_let_a_view_follow (void)
{
  g_autoptr(RpTextDoc) a = rp_text_doc_new ();
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(RpTextDoc) b = rp_text_doc_new ();
  g_autoptr(GError) error = NULL;
  GString *mirror = g_string_new ("");
  g_autofree char *text = NULL;

  g_signal_connect (b, "remote-insert", G_CALLBACK (mirror_insert), mirror);
  g_signal_connect (b, "remote-delete", G_CALLBACK (mirror_delete), mirror);
  insert (a, 0, "día uno");
  insert (a, 3, " — ");
  g_assert_true (rp_text_doc_delete (a, 1, 4, &error));
  insert (a, 0, "🙂");
  apply_all (b, from_a);
  text = rp_text_doc_get_text (b);
  g_assert_cmpstr (mirror->str, ==, text);
  g_assert_cmpstr (text, ==, "🙂d  uno");
  g_string_free (mirror, TRUE);
}

static void
test_anchors_follow_edits_on_both_sides (void)
{
  g_autoptr(RpTextDoc) a = rp_text_doc_new ();
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(RpTextDoc) b = rp_text_doc_new ();
  g_autoptr(GPtrArray) from_b = watch_updates (b);
  g_autoptr(GError) error = NULL;
  g_autofree char *caret = NULL;
  g_autofree char *at_end = NULL;

  insert (a, 0, "ünïcode notes");
  apply_all (b, from_a);
  g_ptr_array_set_size (from_a, 0);
  /* b's caret sits before "notes"; a then types in front of it. */
  caret = rp_text_doc_anchor_at (b, 8);
  at_end = rp_text_doc_anchor_at (b, rp_text_doc_get_length (b));
  g_assert_cmpstr (at_end, ==, "end");
  insert (a, 0, "🙂 ");
  apply_all (b, from_a);
  g_assert_cmpint (rp_text_doc_resolve_anchor (a, caret), ==, 10);
  g_assert_cmpint (rp_text_doc_resolve_anchor (b, caret), ==, 10);
  /* Deleting the character keeps the anchor where it was. */
  g_assert_true (rp_text_doc_delete (a, 9, 2, &error));
  g_assert_cmpint (rp_text_doc_resolve_anchor (a, caret), ==, 9);
  g_assert_cmpint (rp_text_doc_resolve_anchor (a, "0000000000000001:5"), ==, -1);
  g_assert_cmpint (rp_text_doc_resolve_anchor (a, "nonsense"), ==, -1);
  g_assert_cmpint (rp_text_doc_resolve_anchor (a, "end"), ==, rp_text_doc_get_length (a));
}

/* --- randomized convergence --------------------------------------------------------- */

#define N_REPLICAS 4

typedef struct {
  guint   to;
  GBytes *update;
} Message;

typedef struct {
  RpTextDoc *doc;
  GString   *mirror;
  GPtrArray *outbox;   /* updates not yet handed to the network */
} Replica;

static const char *const samples[] = {
  "a", "b", "c", " ", "é", "ß", "🙂", "中", "xyz", "héllo", "👩‍💻", "\n", "ab🙂cd", "ü"
};

static void
local_edit (Replica *r,
            GRand   *rand)
{
  gsize len = rp_text_doc_get_length (r->doc);
  g_autoptr(GError) error = NULL;

  if (len > 0 && g_rand_int_range (rand, 0, 3) == 0)
    {
      gsize pos = g_rand_int_range (rand, 0, len);
      gsize n = 1 + g_rand_int_range (rand, 0, MIN (len - pos, 6));
      const char *from = g_utf8_offset_to_pointer (r->mirror->str, pos);
      const char *to = g_utf8_offset_to_pointer (from, n);

      g_assert_true (rp_text_doc_delete (r->doc, pos, n, &error));
      g_string_erase (r->mirror, from - r->mirror->str, to - from);
    }
  else
    {
      gsize pos = g_rand_int_range (rand, 0, len + 1);
      const char *s = samples[g_rand_int_range (rand, 0, G_N_ELEMENTS (samples))];
      const char *at = g_utf8_offset_to_pointer (r->mirror->str, pos);

      g_assert_true (rp_text_doc_insert (r->doc, pos, s, -1, &error));
      g_string_insert (r->mirror, at - r->mirror->str, s);
    }
  g_assert_no_error (error);
}

static void
deliver (Replica *to,
         GBytes  *update)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_text_doc_apply_update (to->doc, update, &error));
  g_assert_no_error (error);
}

static gboolean
run_convergence (guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GPtrArray) network = g_ptr_array_new_with_free_func (g_free);
  Replica replicas[N_REPLICAS];
  g_autofree char *reference = NULL;
  gboolean ok = TRUE;
  const char *steps_env = g_getenv ("RAPPORT_TEXT_STEPS");
  guint n_steps = steps_env ? (guint) g_ascii_strtoull (steps_env, NULL, 10) : 300;



  for (guint i = 0; i < N_REPLICAS; i++)
    {
      replicas[i].doc = rp_text_doc_new_with_replica (100 + g_rand_int_range (rand, 0, 1000) * 8 + i);
      replicas[i].mirror = g_string_new ("");
      replicas[i].outbox = watch_updates (replicas[i].doc);
      g_signal_connect (replicas[i].doc, "remote-insert", G_CALLBACK (mirror_insert),
                        replicas[i].mirror);
      g_signal_connect (replicas[i].doc, "remote-delete", G_CALLBACK (mirror_delete),
                        replicas[i].mirror);
    }

  for (guint step = 0; step < n_steps; step++)
    {
      guint who = g_rand_int_range (rand, 0, N_REPLICAS);
      guint action = g_rand_int_range (rand, 0, 10);

      if (action < 6)
        local_edit (&replicas[who], rand);
      /* Hand new updates to the network, addressed to every other replica. */
      for (guint i = 0; i < N_REPLICAS; i++)
        {
          for (guint k = 0; k < replicas[i].outbox->len; k++)
            for (guint j = 0; j < N_REPLICAS; j++)
              if (j != i)
                {
                  Message *m = g_new (Message, 1);

                  m->to = j;
                  m->update = g_bytes_ref (g_ptr_array_index (replicas[i].outbox, k));
                  g_ptr_array_add (network, m);
                }
          g_ptr_array_set_size (replicas[i].outbox, 0);
        }
      /* Deliver a few messages in random order; some twice, some later. */
      for (guint k = 0; k < 3 && network->len > 0 && action >= 4; k++)
        {
          guint idx = g_rand_int_range (rand, 0, network->len);
          Message *m = g_ptr_array_index (network, idx);

          deliver (&replicas[m->to], m->update);
          if (g_rand_int_range (rand, 0, 8) != 0)
            {
              g_bytes_unref (m->update);
              g_ptr_array_remove_index_fast (network, idx);
            }
        }
    }
  /* Drain the network in random order. */
  while (network->len > 0)
    {
      guint idx = g_rand_int_range (rand, 0, network->len);
      Message *m = g_ptr_array_index (network, idx);

      deliver (&replicas[m->to], m->update);
      g_bytes_unref (m->update);
      g_ptr_array_remove_index_fast (network, idx);
    }

  reference = rp_text_doc_get_text (replicas[0].doc);
  for (guint i = 0; i < N_REPLICAS; i++)
    {
      g_autofree char *text = rp_text_doc_get_text (replicas[i].doc);
      g_autoptr(GBytes) snap = rp_text_doc_encode_state (replicas[i].doc);
      g_autoptr(RpTextDoc) reloaded = rp_text_doc_new_from_snapshot (snap, NULL);
      g_autofree char *reloaded_text = reloaded ? rp_text_doc_get_text (reloaded) : NULL;

      if (g_strcmp0 (text, reference) != 0 || g_strcmp0 (text, replicas[i].mirror->str) != 0 ||
          g_strcmp0 (text, reloaded_text) != 0 ||
          rp_text_doc_get_n_pending (replicas[i].doc) != 0)
        {
          g_printerr ("convergence failed with seed %u on replica %u:\n  %s\n  %s\n  mirror %s\n",
                      seed, i, reference, text, replicas[i].mirror->str);
          ok = FALSE;
        }
    }
  for (guint i = 0; i < N_REPLICAS; i++)
    {
      g_object_unref (replicas[i].doc);
      g_string_free (replicas[i].mirror, TRUE);
      g_ptr_array_unref (replicas[i].outbox);
    }
  return ok;
}

static void
test_random_replicas_converge (void)
{
  guint32 base = g_test_rand_int ();

  for (guint32 i = 0; i < 60; i++)
    if (!run_convergence (base + i))
      {
        g_test_message ("rerun with RAPPORT_TEXT_SEED=%u", base + i);
        g_test_fail ();
        return;
      }
}

/* --- hostile input ------------------------------------------------------------------ */

static GBytes *
sample_update (void)
{
  g_autoptr(RpTextDoc) a = rp_text_doc_new ();
  g_autoptr(RpTextDoc) b = rp_text_doc_new ();
  g_autoptr(GBytes) state = NULL;
  g_autoptr(GError) error = NULL;

  insert (a, 0, "Hostile peers send broken bytes ✓");
  state = rp_text_doc_encode_state (a);
  g_assert_true (rp_text_doc_apply_update (b, state, &error));
  insert (b, 3, "🙂🙂");
  g_assert_true (rp_text_doc_delete (b, 10, 5, &error));
  return rp_text_doc_encode_state (b);
}

static void
test_truncated_updates_are_refused_without_change (void)
{
  g_autoptr(GBytes) good = sample_update ();
  g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
  gsize size;
  const guint8 *data = g_bytes_get_data (good, &size);

  insert (doc, 0, "mine");
  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);
      g_autoptr(GError) error = NULL;

      g_assert_false (rp_text_doc_apply_update (doc, part, &error));
      g_assert_error (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_INVALID);
      assert_text (doc, "mine");
      g_assert_cmpuint (rp_text_doc_get_n_pending (doc), ==, 0);
    }
}

static void
test_wrong_magic_or_version_is_refused (void)
{
  g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
  g_autoptr(GBytes) good = sample_update ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (good, NULL), g_bytes_get_size (good));
  g_autoptr(GBytes) bad_version = NULL;
  g_autoptr(GBytes) bad_magic = NULL;
  g_autoptr(GBytes) trailing = NULL;
  GByteArray *extra;

  copy[3] = 2;
  bad_version = g_bytes_new (copy, g_bytes_get_size (good));
  g_assert_false (rp_text_doc_apply_update (doc, bad_version, &error));
  g_assert_nonnull (strstr (error->message, "version"));
  g_clear_error (&error);
  copy[3] = 1;
  copy[0] = 'X';
  bad_magic = g_bytes_new (copy, g_bytes_get_size (good));
  g_assert_false (rp_text_doc_apply_update (doc, bad_magic, &error));
  g_clear_error (&error);
  extra = g_byte_array_new ();
  g_byte_array_append (extra, g_bytes_get_data (good, NULL), g_bytes_get_size (good));
  g_byte_array_append (extra, (const guint8 *) "x", 1);
  trailing = g_byte_array_free_to_bytes (extra);
  g_assert_false (rp_text_doc_apply_update (doc, trailing, &error));
  assert_text (doc, "");
}

static void
test_mutated_updates_never_break_the_document (void)
{
  g_autoptr(GBytes) good = sample_update ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  gsize size = g_bytes_get_size (good);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(RpTextDoc) doc = rp_text_doc_new ();
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (good, NULL), size);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      guint flips = 1 + g_rand_int_range (rand, 0, 4);

      insert (doc, 0, "mine");
      for (guint k = 0; k < flips; k++)
        copy[g_rand_int_range (rand, 0, size)] = g_rand_int_range (rand, 0, 256);
      bad = g_bytes_new (copy, size);
      if (!rp_text_doc_apply_update (doc, bad, &error))
        {
          g_assert_nonnull (error);
          assert_text (doc, "mine");
        }
      /* Whatever was accepted, the document still works and round-trips. */
      insert (doc, 0, "x");
      text = rp_text_doc_get_text (doc);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      g_assert_cmpuint (g_utf8_strlen (text, -1), ==, rp_text_doc_get_length (doc));
    }
}

int
main (int argc, char **argv)
{
  const char *seed = g_getenv ("RAPPORT_TEXT_SEED");

  g_test_init (&argc, &argv, NULL);
  if (seed != NULL)
    return run_convergence ((guint32) g_ascii_strtoull (seed, NULL, 10)) ? 0 : 1;
  g_test_add_func ("/text-doc/local/positions-count-code-points",
                   test_local_positions_count_code_points);
  g_test_add_func ("/text-doc/local/out-of-range-is-refused", test_local_out_of_range_is_refused);
  g_test_add_func ("/text-doc/runs/typing-a-paragraph-is-one-run",
                   test_typing_a_paragraph_is_one_run);
  g_test_add_func ("/text-doc/local/delete-spans-runs", test_deleting_a_range_spans_runs);
  g_test_add_func ("/text-doc/merge/concurrent-inserts-at-one-place-do-not-interleave",
                   test_concurrent_inserts_at_one_place_do_not_interleave);
  g_test_add_func ("/text-doc/merge/random-concurrent-words-stay-whole",
                   test_random_concurrent_words_stay_whole);
  g_test_add_func ("/text-doc/merge/snapshot-roundtrip-keeps-text-and-merges",
                   test_snapshot_roundtrip_keeps_text_and_merges);
  g_test_add_func ("/text-doc/merge/diff-sends-only-what-is-missing",
                   test_diff_sends_only_what_is_missing);
  g_test_add_func ("/text-doc/merge/updates-in-any-order-wait-for-what-they-need",
                   test_updates_in_any_order_wait_for_what_they_need);
  g_test_add_func ("/text-doc/signals/remote-events-let-a-view-follow",
                   test_remote_events_let_a_view_follow);
  g_test_add_func ("/text-doc/anchors/follow-edits-on-both-sides",
                   test_anchors_follow_edits_on_both_sides);
  g_test_add_func ("/text-doc/convergence/random-replicas-converge",
                   test_random_replicas_converge);
  g_test_add_func ("/text-doc/decode/truncated-updates-are-refused-without-change",
                   test_truncated_updates_are_refused_without_change);
  g_test_add_func ("/text-doc/decode/wrong-magic-or-version-is-refused",
                   test_wrong_magic_or_version_is_refused);
  g_test_add_func ("/text-doc/decode/mutated-updates-never-break-the-document",
                   test_mutated_updates_never_break_the_document);
  return g_test_run ();
}
