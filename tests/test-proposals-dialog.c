/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog that answers the partner's proposals, under a display (Xvfb in CI), over a real
 * store: a proposal arrives as the peer's message would, the user clicks Accept or Decline,
 * and the store and the answer on the wire show it.
 */
#include "config.h"

#include <handy.h>

#include <string.h>

#include "../src/app/rp-proposals-dialog.h"
#include "store-test-util.h"

typedef struct {
  char               *dir;
  RpStore            *store;
  RpProposalExchange *exchange;
  GPtrArray          *sent;     /* JsonNode* sent to the peer */
} Fixture;

#define ID "feedfacefeedfacefeedfacefeedface@rapport"

static void
on_send (RpProposalExchange *x, JsonNode *message, Fixture *f)
{
  g_ptr_array_add (f->sent, json_node_copy (message));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("rapport-proposals-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "rapport.db", NULL);
  f->store = rp_store_new (path, &error);
  g_assert_no_error (error);
  f->exchange = rp_proposal_exchange_new (f->store, 0);
  f->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_signal_connect (f->exchange, "send-app", G_CALLBACK (on_send), f);
  rp_proposal_exchange_channel_opened (f->exchange);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->exchange);
  rp_store_close (f->store, NULL);
  g_clear_object (&f->store);
  g_ptr_array_unref (f->sent);
  remove_tree (f->dir);
  g_free (f->dir);
}

/* Aiko in Berlin proposes a weekly series from 10 March 2030: for a reader in New York, the
 * US clocks change that very day and Europe's on 31 March, when the session moves an hour. */
static void
receive_proposal (Fixture *f)
{
  g_autoptr(JsonNode) node = json_from_string (
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"" ID "\",\"zone\":\"Europe/Berlin\","
    "\"minutes\":45,\"rrule\":\"FREQ=WEEKLY\",\"summary\":\"Mentoring with Ben\","
    "\"slots\":[\"2030-03-10T09:00\",\"2030-03-11T17:30\",\"2030-03-12T03:30\"]}", NULL);

  g_assert_true (rp_proposal_exchange_receive_app (f->exchange, node));
}

static void
flush_events (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* With RAPPORT_SCREENSHOT_DIR set, the dialog as drawn is kept there as NAME (to look at it). */
static void
maybe_grab (GtkWidget *window, const char *name)
{
  const char *dir = g_getenv ("RAPPORT_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

  if (dir == NULL)
    return;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                        gtk_widget_get_allocated_width (window),
                                        gtk_widget_get_allocated_height (window));
  cr = cairo_create (surface);
  gtk_widget_draw (window, cr);
  cairo_destroy (cr);
  path = g_build_filename (dir, name, NULL);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

static const char *
row_subtitle (GtkWidget *button)
{
  GtkWidget *row = gtk_widget_get_ancestor (button, HDY_TYPE_ACTION_ROW);

  g_assert_nonnull (row);
  return hdy_action_row_get_subtitle (HDY_ACTION_ROW (row));
}

static const char *
row_title (GtkWidget *button)
{
  GtkWidget *row = gtk_widget_get_ancestor (button, HDY_TYPE_ACTION_ROW);

  return hdy_preferences_row_get_title (HDY_PREFERENCES_ROW (row));
}

static void
test_shows_both_clocks_and_dst_warning (Fixture *f, gconstpointer data)
{
  RpProposalsDialog *dialog;
  GtkWidget *first, *third;

  receive_proposal (f);
  dialog = rp_proposals_dialog_new (NULL, f->exchange, "Aiko", "America/New_York");
  gtk_widget_show (GTK_WIDGET (dialog));
  flush_events ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Aiko proposes 3 times");
  g_assert_cmpstr (rp_proposals_dialog_get_page (dialog), ==, "list");
  first = rp_proposals_dialog_get_accept_button (dialog, ID, 0);
  third = rp_proposals_dialog_get_accept_button (dialog, ID, 2);
  g_assert_nonnull (first);
  g_assert_nonnull (third);
  g_assert_null (rp_proposals_dialog_get_accept_button (dialog, ID, 3));
  /* 09:00 in Berlin (CET) is 04:00 in New York (EDT from that morning). */
  g_assert_cmpstr (row_title (first), ==, "Sun 10 Mar, 04:00 for you");
  g_assert_true (g_str_has_prefix (row_subtitle (first), "09:00 for Aiko"));
  g_assert_nonnull (strstr (row_subtitle (first),
                            "From 31 March this is 03:00 for you, not 04:00."));
  /* 03:30 in Berlin (CET) is 22:30 the evening before in New York (EDT). */
  g_assert_cmpstr (row_title (third), ==, "Mon 11 Mar, 22:30 for you");
  g_assert_true (g_str_has_prefix (row_subtitle (third), "Tue 12 Mar, 03:30 for Aiko"));
  maybe_grab (GTK_WIDGET (dialog), "proposals-dialog.png");
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
test_accept_schedules_and_answers (Fixture *f, gconstpointer data)
{
  RpProposalsDialog *dialog;
  g_autoptr(RpSessionRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *answer;

  receive_proposal (f);
  dialog = rp_proposals_dialog_new (NULL, f->exchange, "Aiko", "America/New_York");
  gtk_widget_show (GTK_WIDGET (dialog));
  flush_events ();
  gtk_button_clicked (GTK_BUTTON (rp_proposals_dialog_get_accept_button (dialog, ID, 1)));
  flush_events ();

  g_assert_cmpstr (rp_proposals_dialog_get_page (dialog), ==, "done");
  maybe_grab (GTK_WIDGET (dialog), "proposals-dialog-done.png");
  record = rp_store_get_session_by_uid (f->store, ID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->scheduled_zone, ==, "Europe/Berlin");
  g_assert_cmpstr (record->scheduled_local, ==, "2030-03-11T17:30:00");
  g_assert_cmpuint (f->sent->len, ==, 1);
  answer = json_node_get_object (f->sent->pdata[0]);
  g_assert_cmpstr (json_object_get_string_member (answer, "type"), ==, "schedule-answer");
  g_assert_cmpint (json_object_get_int_member (answer, "accept"), ==, 1);
  g_assert_null (rp_proposals_dialog_get_accept_button (dialog, ID, 0));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
test_decline_answers_and_empties (Fixture *f, gconstpointer data)
{
  RpProposalsDialog *dialog;
  g_autoptr(GError) error = NULL;
  g_autoptr(RpSessionRecord) record = NULL;

  receive_proposal (f);
  dialog = rp_proposals_dialog_new (NULL, f->exchange, "Aiko", "Asia/Tokyo");
  gtk_widget_show (GTK_WIDGET (dialog));
  flush_events ();
  gtk_button_clicked (GTK_BUTTON (rp_proposals_dialog_get_decline_button (dialog, ID)));
  flush_events ();

  g_assert_cmpstr (rp_proposals_dialog_get_page (dialog), ==, "empty");
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_true (json_object_get_null_member (json_node_get_object (f->sent->pdata[0]),
                                              "accept"));
  record = rp_store_get_session_by_uid (f->store, ID, &error);
  g_assert_null (record);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* A proposal that arrives while the dialog is open appears in it. */
static void
test_proposal_arriving_while_open_appears (Fixture *f, gconstpointer data)
{
  RpProposalsDialog *dialog = rp_proposals_dialog_new (NULL, f->exchange, "Aiko", "UTC");

  gtk_widget_show (GTK_WIDGET (dialog));
  flush_events ();
  g_assert_cmpstr (rp_proposals_dialog_get_page (dialog), ==, "empty");
  receive_proposal (f);
  flush_events ();
  g_assert_cmpstr (rp_proposals_dialog_get_page (dialog), ==, "list");
  g_assert_nonnull (rp_proposals_dialog_get_accept_button (dialog, ID, 2));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check (&argc, &argv))
    {
      g_test_message ("no display; run under xvfb-run");
      g_test_add_func ("/schedule/proposals-dialog/needs-display", (GTestFunc) g_test_skip);
      return g_test_run ();
    }
  hdy_init ();
  /* The dates and times in the assertions are written in English. */
  g_setenv ("LC_ALL", "C", TRUE);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/schedule/proposals-dialog/shows-both-clocks-and-warns-when-series-moves",
       test_shows_both_clocks_and_dst_warning);
  ADD ("/schedule/proposals-dialog/accept-stores-session-and-sends-answer",
       test_accept_schedules_and_answers);
  ADD ("/schedule/proposals-dialog/decline-sends-answer-and-schedules-nothing",
       test_decline_answers_and_empties);
  ADD ("/schedule/proposals-dialog/proposal-arriving-while-open-appears",
       test_proposal_arriving_while_open_appears);
#undef ADD
  return g_test_run ();
}
