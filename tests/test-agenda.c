/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rp-agenda.h"

static void
collect_update (RpAgenda  *agenda,
                GBytes    *update,
                GPtrArray *sink)
{
  g_ptr_array_add (sink, g_bytes_ref (update));
}

static GPtrArray *
watch_updates (RpAgenda *agenda)
{
  GPtrArray *sink = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_signal_connect (agenda, "update", G_CALLBACK (collect_update), sink);
  return sink;
}

static void
apply_all (RpAgenda  *agenda,
           GPtrArray *updates)
{
  for (guint i = 0; i < updates->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (rp_agenda_apply_update (agenda, updates->pdata[i], &error));
      g_assert_no_error (error);
    }
}

static char *
add (RpAgenda   *agenda,
     gint        index,
     const char *title)
{
  g_autoptr(GError) error = NULL;
  char *id = rp_agenda_add_item (agenda, index, title, 10, RP_AGENDA_OWNER_MENTOR,
                                 RP_AGENDA_KIND_TOPIC, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

/* Titles in order, joined with "|". */
static char *
titles (RpAgenda *agenda)
{
  g_autoptr(GPtrArray) items = rp_agenda_list_items (agenda);
  GString *s = g_string_new ("");

  for (guint i = 0; i < items->len; i++)
    {
      RpAgendaItem *item = items->pdata[i];

      if (i > 0)
        g_string_append_c (s, '|');
      g_string_append (s, item->title);
    }
  return g_string_free (s, FALSE);
}

static void
assert_titles (RpAgenda   *agenda,
               const char *expected)
{
  g_autofree char *got = titles (agenda);

  g_assert_cmpstr (got, ==, expected);
}

static void
sync_both (RpAgenda *a,
           RpAgenda *b)
{
  g_autoptr(GBytes) sa = rp_agenda_encode_state (a);
  g_autoptr(GBytes) sb = rp_agenda_encode_state (b);
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_agenda_apply_update (a, sb, &error));
  g_assert_true (rp_agenda_apply_update (b, sa, &error));
}

static void
test_add_list_and_edit_fields (void)
{
  g_autoptr(RpAgenda) agenda = rp_agenda_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a = add (agenda, -1, "Career goals");
  g_autofree char *b = add (agenda, -1, "Reading list");
  g_autofree char *c = add (agenda, 0, "Check-in");
  g_autoptr(RpAgendaItem) item = NULL;

  assert_titles (agenda, "Check-in|Career goals|Reading list");
  g_assert_true (rp_agenda_set_minutes (agenda, b, 15, &error));
  g_assert_true (rp_agenda_set_owner (agenda, b, RP_AGENDA_OWNER_MENTEE, &error));
  g_assert_true (rp_agenda_set_kind (agenda, b, RP_AGENDA_KIND_ACTION_ITEM, &error));
  g_assert_true (rp_agenda_set_done (agenda, b, TRUE, &error));
  g_assert_true (rp_agenda_set_title (agenda, b, "Read “Range”", &error));
  item = rp_agenda_get_item (agenda, b);
  g_assert_cmpstr (item->title, ==, "Read “Range”");
  g_assert_cmpuint (item->minutes, ==, 15);
  g_assert_cmpint (item->owner, ==, RP_AGENDA_OWNER_MENTEE);
  g_assert_cmpint (item->kind, ==, RP_AGENDA_KIND_ACTION_ITEM);
  g_assert_true (item->done);
  g_assert_true (rp_agenda_remove_item (agenda, a, &error));
  assert_titles (agenda, "Check-in|Read “Range”");
  g_assert_false (rp_agenda_set_title (agenda, a, "gone", &error));
  g_assert_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (rp_agenda_set_minutes (agenda, c, 100000, &error));
  g_assert_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID);
}

static void
test_positions_stay_ordered_under_many_inserts (void)
{
  g_autoptr(RpAgenda) agenda = rp_agenda_new ();
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) items = NULL;

  for (guint i = 0; i < 300; i++)
    {
      guint index = i % 3 == 0 ? 0 : i % 3 == 1 ? expected->len
                                   : (guint) g_rand_int_range (rand, 0, expected->len + 1);
      g_autofree char *title = g_strdup_printf ("t%u", i);
      g_autofree char *id = add (agenda, index, title);

      g_ptr_array_insert (expected, index, g_strdup (title));
    }
  items = rp_agenda_list_items (agenda);
  g_assert_cmpuint (items->len, ==, expected->len);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpstr (((RpAgendaItem *) items->pdata[i])->title, ==, expected->pdata[i]);
}

static void
test_move_reorders (void)
{
  g_autoptr(RpAgenda) agenda = rp_agenda_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a = add (agenda, -1, "a");
  g_autofree char *b = add (agenda, -1, "b");
  g_autofree char *c = add (agenda, -1, "c");

  g_assert_true (rp_agenda_move_item (agenda, c, 0, &error));
  assert_titles (agenda, "c|a|b");
  g_assert_true (rp_agenda_move_item (agenda, c, 2, &error));
  assert_titles (agenda, "a|b|c");
  g_assert_true (rp_agenda_move_item (agenda, a, 1, &error));
  assert_titles (agenda, "b|a|c");
}

static void
test_concurrent_edits_to_different_fields_both_survive (void)
{
  g_autoptr(RpAgenda) a = rp_agenda_new_with_replica (1);
  g_autoptr(RpAgenda) b = rp_agenda_new_with_replica (2);
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(GPtrArray) from_b = watch_updates (b);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = add (a, -1, "Feedback on the talk");
  g_autoptr(RpAgendaItem) ia = NULL;
  g_autoptr(RpAgendaItem) ib = NULL;

  apply_all (b, from_a);
  g_ptr_array_set_size (from_a, 0);
  g_assert_true (rp_agenda_set_title (a, id, "Feedback on the keynote", &error));
  g_assert_true (rp_agenda_set_done (b, id, TRUE, &error));
  g_assert_true (rp_agenda_set_minutes (b, id, 25, &error));
  apply_all (a, from_b);
  apply_all (b, from_a);
  ia = rp_agenda_get_item (a, id);
  ib = rp_agenda_get_item (b, id);
  g_assert_cmpstr (ia->title, ==, "Feedback on the keynote");
  g_assert_true (ia->done);
  g_assert_cmpuint (ia->minutes, ==, 25);
  g_assert_cmpstr (ib->title, ==, ia->title);
  g_assert_true (ib->done);
  g_assert_cmpuint (ib->minutes, ==, 25);
}

static void
test_same_field_settles_on_one_value (void)
{
  g_autoptr(RpAgenda) a = rp_agenda_new_with_replica (1);
  g_autoptr(RpAgenda) b = rp_agenda_new_with_replica (2);
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = add (a, -1, "x");

  apply_all (b, from_a);
  g_assert_true (rp_agenda_set_title (a, id, "from a", &error));
  g_assert_true (rp_agenda_set_title (b, id, "from b", &error));
  sync_both (a, b);
  /* Equal Lamport times: the higher replica id wins, on both sides. */
  assert_titles (a, "from b");
  assert_titles (b, "from b");
}

static void
test_remove_wins_over_concurrent_edit (void)
{
  g_autoptr(RpAgenda) a = rp_agenda_new ();
  g_autoptr(RpAgenda) b = rp_agenda_new ();
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(GError) error = NULL;
  g_autofree char *keep = add (a, -1, "keep");
  g_autofree char *gone = add (a, -1, "gone");

  apply_all (b, from_a);
  g_assert_true (rp_agenda_remove_item (a, gone, &error));
  g_assert_true (rp_agenda_set_title (b, gone, "edited meanwhile", &error));
  g_assert_true (rp_agenda_set_done (b, gone, TRUE, &error));
  sync_both (a, b);
  assert_titles (a, "keep");
  assert_titles (b, "keep");
}

static void
test_concurrent_moves_settle (void)
{
  g_autoptr(RpAgenda) a = rp_agenda_new_with_replica (5);
  g_autoptr(RpAgenda) b = rp_agenda_new_with_replica (9);
  g_autoptr(GPtrArray) from_a = watch_updates (a);
  g_autoptr(GError) error = NULL;
  g_autofree char *x = add (a, -1, "x");
  g_autofree char *y = add (a, -1, "y");
  g_autofree char *z = add (a, -1, "z");
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  apply_all (b, from_a);
  g_assert_true (rp_agenda_move_item (a, x, 2, &error));
  g_assert_true (rp_agenda_move_item (b, x, 1, &error));
  g_assert_true (rp_agenda_move_item (b, z, 0, &error));
  sync_both (a, b);
  ta = titles (a);
  tb = titles (b);
  g_assert_cmpstr (ta, ==, tb);
  g_assert_cmpuint (strlen (ta), ==, 5);
  /* Both moves of x have the same Lamport time; the higher replica (b) wins: x goes where b
   * put it (between y and z's old place), and z's move to the front stands. */
  g_assert_cmpstr (ta, ==, "z|y|x");
  (void) y;
}

static void
test_diff_sends_only_unseen_fields (void)
{
  g_autoptr(RpAgenda) a = rp_agenda_new ();
  g_autoptr(RpAgenda) b = rp_agenda_new ();
  g_autoptr(GBytes) state = NULL;
  g_autoptr(GBytes) sv = NULL;
  g_autoptr(GBytes) diff = NULL;
  g_autoptr(GBytes) nothing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *t = g_strdup_printf ("topic %u", i);
      g_autofree char *tid = add (a, -1, t);

      if (i == 7)
        id = g_strdup (tid);
    }
  state = rp_agenda_encode_state (a);
  g_assert_true (rp_agenda_apply_update (b, state, &error));
  g_assert_true (rp_agenda_set_done (a, id, TRUE, &error));
  sv = rp_agenda_encode_state_vector (b);
  diff = rp_agenda_encode_diff (a, sv, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (diff), <, g_bytes_get_size (state) / 5);
  g_assert_true (rp_agenda_apply_update (b, diff, &error));
  g_clear_pointer (&sv, g_bytes_unref);
  sv = rp_agenda_encode_state_vector (b);
  nothing = rp_agenda_encode_diff (a, sv, &error);
  g_assert_cmpuint (g_bytes_get_size (nothing), <, 8);
  {
    g_autoptr(RpAgendaItem) item = rp_agenda_get_item (b, id);

    g_assert_true (item->done);
  }
}

/* --- randomized convergence ------------------------------------------------------------ */

#define N_REPLICAS 3

typedef struct {
  guint   to;
  GBytes *update;
} Message;

static void
random_edit (RpAgenda *agenda,
             GRand    *rand)
{
  g_autoptr(GPtrArray) items = rp_agenda_list_items (agenda);
  g_autoptr(GError) error = NULL;
  static const char *const words[] = { "goals", "CV", "Übung", "🙂 wins", "feedback", "" };
  const char *id;
  guint action = g_rand_int_range (rand, 0, 9);

  if (items->len == 0 || action == 0)
    {
      g_free (rp_agenda_add_item (agenda, g_rand_int_range (rand, -1, items->len + 1),
                                  words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                                  g_rand_int_range (rand, 0, 60),
                                  g_rand_int_range (rand, 0, 2), g_rand_int_range (rand, 0, 2),
                                  &error));
      g_assert_no_error (error);
      return;
    }
  id = ((RpAgendaItem *) items->pdata[g_rand_int_range (rand, 0, items->len)])->id;
  switch (action)
    {
    case 1: rp_agenda_set_title (agenda, id, words[g_rand_int_range (rand, 0, 6)], &error); break;
    case 2: rp_agenda_set_minutes (agenda, id, g_rand_int_range (rand, 0, 90), &error); break;
    case 3: rp_agenda_set_owner (agenda, id, g_rand_int_range (rand, 0, 2), &error); break;
    case 4: rp_agenda_set_kind (agenda, id, g_rand_int_range (rand, 0, 2), &error); break;
    case 5: rp_agenda_set_done (agenda, id, g_rand_boolean (rand), &error); break;
    case 6:
    case 7: rp_agenda_move_item (agenda, id, g_rand_int_range (rand, 0, items->len), &error); break;
    default: rp_agenda_remove_item (agenda, id, &error); break;
    }
  g_assert_no_error (error);
}

static gboolean
run_convergence (guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GPtrArray) network = g_ptr_array_new_with_free_func (g_free);
  RpAgenda *agendas[N_REPLICAS];
  GPtrArray *outboxes[N_REPLICAS];
  g_autoptr(GBytes) reference = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; i < N_REPLICAS; i++)
    {
      agendas[i] = rp_agenda_new ();
      outboxes[i] = watch_updates (agendas[i]);
    }
  for (guint step = 0; step < 400; step++)
    {
      guint action = g_rand_int_range (rand, 0, 10);

      if (action < 5)
        random_edit (agendas[g_rand_int_range (rand, 0, N_REPLICAS)], rand);
      for (guint i = 0; i < N_REPLICAS; i++)
        {
          for (guint k = 0; k < outboxes[i]->len; k++)
            for (guint j = 0; j < N_REPLICAS; j++)
              if (j != i)
                {
                  Message *m = g_new (Message, 1);

                  m->to = j;
                  m->update = g_bytes_ref (outboxes[i]->pdata[k]);
                  g_ptr_array_add (network, m);
                }
          g_ptr_array_set_size (outboxes[i], 0);
        }
      for (guint k = 0; k < 2 && network->len > 0 && action >= 5; k++)
        {
          guint idx = g_rand_int_range (rand, 0, network->len);
          Message *m = g_ptr_array_index (network, idx);

          g_assert_true (rp_agenda_apply_update (agendas[m->to], m->update, NULL));
          if (g_rand_int_range (rand, 0, 6) != 0)
            {
              g_bytes_unref (m->update);
              g_ptr_array_remove_index_fast (network, idx);
            }
        }
    }
  while (network->len > 0)
    {
      guint idx = g_rand_int_range (rand, 0, network->len);
      Message *m = g_ptr_array_index (network, idx);

      g_assert_true (rp_agenda_apply_update (agendas[m->to], m->update, NULL));
      g_bytes_unref (m->update);
      g_ptr_array_remove_index_fast (network, idx);
    }
  reference = rp_agenda_encode_state (agendas[0]);
  for (guint i = 0; i < N_REPLICAS; i++)
    {
      g_autoptr(GBytes) state = rp_agenda_encode_state (agendas[i]);
      g_autofree char *t0 = titles (agendas[0]);
      g_autofree char *ti = titles (agendas[i]);

      if (!g_bytes_equal (state, reference) || g_strcmp0 (t0, ti) != 0)
        {
          g_printerr ("agenda convergence failed with seed %u on replica %u:\n  %s\n  %s\n",
                      seed, i, t0, ti);
          ok = FALSE;
        }
    }
  for (guint i = 0; i < N_REPLICAS; i++)
    {
      g_object_unref (agendas[i]);
      g_ptr_array_unref (outboxes[i]);
    }
  return ok;
}

static void
test_random_replicas_converge (void)
{
  guint32 base = g_test_rand_int ();

  for (guint32 i = 0; i < 40; i++)
    if (!run_convergence (base + i))
      {
        g_test_message ("rerun with RAPPORT_AGENDA_SEED=%u", base + i);
        g_test_fail ();
        return;
      }
}

/* --- hostile input --------------------------------------------------------------------- */

static GBytes *
sample_state (void)
{
  g_autoptr(RpAgenda) a = rp_agenda_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *x = add (a, -1, "Weekly check-in");
  g_autofree char *y = add (a, 0, "Action: send CV ✓");
  g_autofree char *z = add (a, 1, "gone");

  g_assert_true (rp_agenda_set_done (a, y, TRUE, &error));
  g_assert_true (rp_agenda_remove_item (a, z, &error));
  return rp_agenda_encode_state (a);
}

static void
test_broken_updates_are_refused_without_change (void)
{
  g_autoptr(GBytes) good = sample_state ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  gsize size;
  const guint8 *data = g_bytes_get_data (good, &size);
  g_autoptr(RpAgenda) doc = rp_agenda_new ();
  g_autofree char *mine = add (doc, -1, "mine");
  g_autoptr(GBytes) before = rp_agenda_encode_state (doc);

  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);
      g_autoptr(GBytes) after = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (rp_agenda_apply_update (doc, part, &error));
      g_assert_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID);
      after = rp_agenda_encode_state (doc);
      g_assert_true (g_bytes_equal (before, after));
    }
  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(RpAgenda) fresh = rp_agenda_new ();
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(GError) error = NULL;

      for (guint k = 0; k < 1 + (guint) g_rand_int_range (rand, 0, 3); k++)
        copy[g_rand_int_range (rand, 0, size)] = g_rand_int_range (rand, 0, 256);
      bad = g_bytes_new (copy, size);
      if (!rp_agenda_apply_update (fresh, bad, &error))
        {
          g_autoptr(GPtrArray) items = rp_agenda_list_items (fresh);

          g_assert_nonnull (error);
          g_assert_cmpuint (items->len, ==, 0);
        }
      else
        {
          g_autoptr(GPtrArray) items = rp_agenda_list_items (fresh);

          for (guint i = 0; i < items->len; i++)
            g_assert_true (g_utf8_validate (((RpAgendaItem *) items->pdata[i])->title, -1, NULL));
        }
    }
}

int
main (int argc, char **argv)
{
  const char *seed = g_getenv ("RAPPORT_AGENDA_SEED");

  g_test_init (&argc, &argv, NULL);
  if (seed != NULL)
    return run_convergence ((guint32) g_ascii_strtoull (seed, NULL, 10)) ? 0 : 1;
  g_test_add_func ("/agenda/local/add-list-and-edit-fields", test_add_list_and_edit_fields);
  g_test_add_func ("/agenda/local/positions-stay-ordered-under-many-inserts",
                   test_positions_stay_ordered_under_many_inserts);
  g_test_add_func ("/agenda/local/move-reorders", test_move_reorders);
  g_test_add_func ("/agenda/merge/concurrent-edits-to-different-fields-both-survive",
                   test_concurrent_edits_to_different_fields_both_survive);
  g_test_add_func ("/agenda/merge/same-field-settles-on-one-value",
                   test_same_field_settles_on_one_value);
  g_test_add_func ("/agenda/merge/remove-wins-over-concurrent-edit",
                   test_remove_wins_over_concurrent_edit);
  g_test_add_func ("/agenda/merge/concurrent-moves-settle", test_concurrent_moves_settle);
  g_test_add_func ("/agenda/sync/diff-sends-only-unseen-fields",
                   test_diff_sends_only_unseen_fields);
  g_test_add_func ("/agenda/convergence/random-replicas-converge",
                   test_random_replicas_converge);
  g_test_add_func ("/agenda/decode/broken-updates-are-refused-without-change",
                   test_broken_updates_are_refused_without_change);
  return g_test_run ();
}
