/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Notes tab's binding between a GtkTextView's buffer and the notes document. Each test has
 * two replicas: "mine" (bound to a text view in a window) and "theirs" (the partner's document,
 * edited through its API), linked by their update blobs as the sync would link them.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "rp-notes-binding.h"

typedef struct {
  RpTextDoc      *mine;
  RpTextDoc      *theirs;
  GtkWidget      *window;
  GtkTextBuffer  *buffer;
  RpNotesBinding *binding;
  GPtrArray      *to_theirs;   /* GBytes*, held back until deliver () */
  GPtrArray      *to_mine;
} Fixture;

static void
queue_update (RpTextDoc *doc,
              GBytes    *update,
              GPtrArray *queue)
{
  g_ptr_array_add (queue, g_bytes_ref (update));
}

static void
deliver_queue (GPtrArray *queue,
               RpTextDoc *to)
{
  while (queue->len > 0)
    {
      g_autoptr(GBytes) update = g_ptr_array_steal_index (queue, 0);
      g_autoptr(GError) error = NULL;

      rp_text_doc_apply_update (to, update, &error);
      g_assert_no_error (error);
    }
}

static void
deliver (Fixture *f)
{
  while (f->to_theirs->len > 0 || f->to_mine->len > 0)
    {
      deliver_queue (f->to_theirs, f->theirs);
      deliver_queue (f->to_mine, f->mine);
    }
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  GtkWidget *view = gtk_text_view_new ();

  f->mine = rp_text_doc_new_with_replica (1);
  f->theirs = rp_text_doc_new_with_replica (2);
  f->to_theirs = g_ptr_array_new ();
  f->to_mine = g_ptr_array_new ();
  g_signal_connect (f->mine, "update", G_CALLBACK (queue_update), f->to_theirs);
  g_signal_connect (f->theirs, "update", G_CALLBACK (queue_update), f->to_mine);
  f->window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gtk_container_add (GTK_CONTAINER (f->window), view);
  gtk_widget_show_all (f->window);
  f->buffer = g_object_ref (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  f->binding = rp_notes_binding_new (f->buffer, f->mine);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_clear_object (&f->binding);
  g_clear_object (&f->buffer);
  gtk_widget_destroy (f->window);
  g_signal_handlers_disconnect_by_data (f->mine, f->to_theirs);
  g_signal_handlers_disconnect_by_data (f->theirs, f->to_mine);
  g_ptr_array_set_free_func (f->to_theirs, (GDestroyNotify) g_bytes_unref);
  g_ptr_array_set_free_func (f->to_mine, (GDestroyNotify) g_bytes_unref);
  g_ptr_array_unref (f->to_theirs);
  g_ptr_array_unref (f->to_mine);
  g_clear_object (&f->mine);
  g_clear_object (&f->theirs);
}

static char *
buffer_text (Fixture *f)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (f->buffer, &start, &end);
  return gtk_text_buffer_get_slice (f->buffer, &start, &end, TRUE);
}

/* The view, my document and (after delivery) theirs all hold `want`. */
static void
assert_all (Fixture    *f,
            const char *want)
{
  g_autofree char *shown = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;

  deliver (f);
  shown = buffer_text (f);
  mine = rp_text_doc_get_text (f->mine);
  theirs = rp_text_doc_get_text (f->theirs);
  g_assert_cmpstr (shown, ==, want);
  g_assert_cmpstr (mine, ==, want);
  g_assert_cmpstr (theirs, ==, want);
}

static void
type_at (Fixture    *f,
         gint        offset,
         const char *text)
{
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset);
  gtk_text_buffer_place_cursor (f->buffer, &iter);
  /* One character at a time, as the keyboard does. */
  for (const char *c = text; *c; c = g_utf8_next_char (c))
    gtk_text_buffer_insert_interactive_at_cursor (f->buffer, c, g_utf8_next_char (c) - c, TRUE);
}

static void
their_insert (Fixture    *f,
              gsize       pos,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  deliver (f);
  rp_text_doc_insert (f->theirs, pos, text, -1, &error);
  g_assert_no_error (error);
  deliver (f);
}

static void
their_delete (Fixture *f,
              gsize    pos,
              gsize    len)
{
  g_autoptr(GError) error = NULL;

  deliver (f);
  rp_text_doc_delete (f->theirs, pos, len, &error);
  g_assert_no_error (error);
  deliver (f);
}

static void
assert_selection (Fixture *f,
                  gint     cursor,
                  gint     bound)
{
  GtkTextIter ins, sel;

  gtk_text_buffer_get_iter_at_mark (f->buffer, &ins, gtk_text_buffer_get_insert (f->buffer));
  gtk_text_buffer_get_iter_at_mark (f->buffer, &sel,
                                    gtk_text_buffer_get_selection_bound (f->buffer));
  g_assert_cmpint (gtk_text_iter_get_offset (&ins), ==, cursor);
  g_assert_cmpint (gtk_text_iter_get_offset (&sel), ==, bound);
}

static void
test_typing_becomes_document_operations (Fixture      *f,
                                         gconstpointer data)
{
  GtkTextIter start, end;

  type_at (f, 0, "Hello wörld");
  assert_all (f, "Hello wörld");
  gtk_text_buffer_get_iter_at_offset (f->buffer, &start, 5);
  gtk_text_buffer_get_iter_at_offset (f->buffer, &end, 11);
  gtk_text_buffer_delete_interactive (f->buffer, &start, &end, TRUE);
  assert_all (f, "Hello");
  type_at (f, 0, "¡");
  assert_all (f, "¡Hello");
}

static void
test_remote_edits_keep_cursor_and_selection (Fixture      *f,
                                             gconstpointer data)
{
  GtkTextIter ins, bound;

  type_at (f, 0, "0123456789");
  gtk_text_buffer_get_iter_at_offset (f->buffer, &ins, 6);
  gtk_text_buffer_get_iter_at_offset (f->buffer, &bound, 3);
  gtk_text_buffer_select_range (f->buffer, &ins, &bound);

  their_insert (f, 0, "AB");
  assert_all (f, "AB0123456789");
  assert_selection (f, 8, 5);
  /* Typed exactly at my cursor: it stays before their text. */
  their_insert (f, 8, "xy");
  assert_all (f, "AB012345xy6789");
  assert_selection (f, 8, 5);
  their_insert (f, 14, "!");
  assert_selection (f, 8, 5);
  their_delete (f, 0, 2);
  assert_all (f, "012345xy6789!");
  assert_selection (f, 6, 3);
  /* Their deletion across my selection shrinks it to what is left. */
  their_delete (f, 4, 4);
  assert_all (f, "01236789!");
  assert_selection (f, 4, 3);
}

static void
test_undo_reverts_only_own_edits (Fixture      *f,
                                  gconstpointer data)
{
  g_autofree char *redone = NULL;

  g_assert_false (rp_notes_binding_can_undo (f->binding));
  type_at (f, 0, "mine");
  /* The partner types into the middle of my word. */
  their_insert (f, 2, "THEIRS");
  assert_all (f, "miTHEIRSne");
  g_assert_true (rp_notes_binding_can_undo (f->binding));
  while (rp_notes_binding_can_undo (f->binding))
    rp_notes_binding_undo (f->binding);
  assert_all (f, "THEIRS");
  g_assert_true (rp_notes_binding_can_redo (f->binding));

  while (rp_notes_binding_can_redo (f->binding))
    rp_notes_binding_redo (f->binding);
  deliver (f);
  redone = buffer_text (f);
  g_assert_nonnull (strstr (redone, "THEIRS"));
  g_assert_cmpuint (strlen (redone), ==, strlen ("miTHEIRSne"));
  assert_all (f, redone);

  /* Undoing my deletion puts my text back; a new edit forgets the redo history. */
  {
    GtkTextIter a, b;
    g_autofree char *before = buffer_text (f);

    gtk_text_buffer_get_iter_at_offset (f->buffer, &a, 0);
    gtk_text_buffer_get_iter_at_offset (f->buffer, &b, 3);
    gtk_text_buffer_delete_interactive (f->buffer, &a, &b, TRUE);
    rp_notes_binding_undo (f->binding);
    assert_all (f, before);
    g_assert_true (rp_notes_binding_can_redo (f->binding));
    type_at (f, 0, "x");
    g_assert_false (rp_notes_binding_can_redo (f->binding));
  }
}

static void
test_partner_line_is_highlighted (Fixture      *f,
                                  gconstpointer data)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (f->buffer),
                                               RP_NOTES_BINDING_PARTNER_TAG);
  GtkTextIter iter;

  g_assert_nonnull (tag);
  g_assert_cmpint (rp_notes_binding_get_partner_offset (f->binding), ==, -1);
  type_at (f, 0, "first line\nsecond line\nthird line");
  their_insert (f, 17, "!");
  g_assert_cmpint (rp_notes_binding_get_partner_offset (f->binding), ==, 18);
  gtk_text_buffer_get_iter_at_line (f->buffer, &iter, 1);
  g_assert_true (gtk_text_iter_has_tag (&iter, tag));
  gtk_text_buffer_get_iter_at_line (f->buffer, &iter, 0);
  g_assert_false (gtk_text_iter_has_tag (&iter, tag));
  gtk_text_buffer_get_iter_at_line (f->buffer, &iter, 2);
  g_assert_false (gtk_text_iter_has_tag (&iter, tag));
  /* My own typing does not move the mark of their place. */
  type_at (f, 0, ">> ");
  g_assert_cmpint (rp_notes_binding_get_partner_offset (f->binding), ==, 21);

  /* Their caret, as RpSharedDocs reports it: moves the highlight without an edit. */
  rp_notes_binding_show_partner_at (f->binding, 5);
  g_assert_cmpint (rp_notes_binding_get_partner_offset (f->binding), ==, 5);
  gtk_text_buffer_get_iter_at_line (f->buffer, &iter, 0);
  g_assert_true (gtk_text_iter_has_tag (&iter, tag));
  gtk_text_buffer_get_iter_at_line (f->buffer, &iter, 1);
  g_assert_false (gtk_text_iter_has_tag (&iter, tag));
  rp_notes_binding_show_partner_at (f->binding, -1);
  g_assert_cmpint (rp_notes_binding_get_partner_offset (f->binding), ==, -1);
  gtk_text_buffer_get_iter_at_line (f->buffer, &iter, 0);
  g_assert_false (gtk_text_iter_has_tag (&iter, tag));
}

static void
test_concurrent_random_edits_converge (Fixture      *f,
                                       gconstpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *shown = NULL;
  g_autofree char *theirs = NULL;

  for (guint round = 0; round < 300; round++)
    {
      gint len = gtk_text_buffer_get_char_count (f->buffer);
      gsize their_len = rp_text_doc_get_length (f->theirs);

      if (g_rand_int_range (rand, 0, 4) > 0 || len == 0)
        type_at (f, g_rand_int_range (rand, 0, len + 1), g_rand_boolean (rand) ? "m" : " ");
      else
        {
          GtkTextIter a, b;
          gint at = g_rand_int_range (rand, 0, len);

          gtk_text_buffer_get_iter_at_offset (f->buffer, &a, at);
          gtk_text_buffer_get_iter_at_offset (f->buffer, &b, MIN (len, at + 2));
          gtk_text_buffer_delete_interactive (f->buffer, &a, &b, TRUE);
        }
      if (g_rand_boolean (rand))
        rp_text_doc_insert (f->theirs, g_rand_int_range (rand, 0, (gint) their_len + 1), "T", -1,
                            NULL);
      else if (their_len > 0)
        rp_text_doc_delete (f->theirs, g_rand_int_range (rand, 0, (gint) their_len), 1, NULL);
      if (round % 7 == 0)
        rp_notes_binding_undo (f->binding);
      /* Delivery lags behind: several edits cross on the wire. */
      if (g_rand_int_range (rand, 0, 5) == 0)
        deliver (f);
    }
  deliver (f);
  shown = buffer_text (f);
  theirs = rp_text_doc_get_text (f->theirs);
  g_assert_cmpstr (shown, ==, theirs);
  assert_all (f, theirs);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/notes-binding/typing-becomes-document-operations", Fixture, NULL,
              fixture_set_up, test_typing_becomes_document_operations, fixture_tear_down);
  g_test_add ("/notes-binding/remote-edits-keep-cursor-and-selection", Fixture, NULL,
              fixture_set_up, test_remote_edits_keep_cursor_and_selection, fixture_tear_down);
  g_test_add ("/notes-binding/undo-reverts-only-own-edits", Fixture, NULL,
              fixture_set_up, test_undo_reverts_only_own_edits, fixture_tear_down);
  g_test_add ("/notes-binding/partner-line-is-highlighted", Fixture, NULL,
              fixture_set_up, test_partner_line_is_highlighted, fixture_tear_down);
  g_test_add ("/notes-binding/concurrent-random-edits-converge", Fixture, NULL,
              fixture_set_up, test_concurrent_random_edits_converge, fixture_tear_down);
  return g_test_run ();
}
