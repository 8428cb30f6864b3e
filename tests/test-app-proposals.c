/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scheduling proposals end to end: the app window (its real store under XDG_DATA_HOME) hosts a
 * session for its partner Aiko; a real rapport-peer joins as Aiko with its own store. One way,
 * Aiko proposes and the user answers in the proposals dialog; the other way, the user proposes
 * from the schedule dialog and Aiko's peer accepts. Either way both stores end with the same
 * planned session and it shows under Upcoming.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtk/gtk.h>
#include <handy.h>
#include <string.h>

#include "rp-application.h"
#include "rp-call-view.h"
#include "rp-home-view.h"
#include "rp-proposals-dialog.h"
#include "rp-schedule-dialog.h"
#include "rp-store.h"
#include "rp-test-gui.h"
#include "rp-test-peer.h"
#include "rp-window.h"

#define AIKO "Aiko Tanaka"
#define PROPOSAL_ID "a1a1a1a1b2b2b2b2c3c3c3c3d4d4d4d4@rapport"

typedef struct {
  RpWindow   *window;
  RpTestProc *peer;
  char       *peer_store;
} Fixture;

static char *data_dir;
static RpApplication *shared_app;

static RpStore *
open_store (const char *path)
{
  g_autoptr (GError) error = NULL;
  RpStore *store = rp_store_new (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
ensure_partner (const char *name, const char *zone)
{
  g_autoptr (RpStore) store = open_store (NULL);
  g_autoptr (GPtrArray) partners = rp_store_list_partners (store, NULL);
  g_autoptr (RpPartner) partner = rp_partner_new (name, zone);

  for (guint i = 0; i < partners->len; i++)
    if (g_strcmp0 (((RpPartner *) partners->pdata[i])->name, name) == 0)
      return;
  partner->working_hours = g_strdup ("Mon-Fri 08:00-18:00");
  g_assert_cmpint (rp_store_add_partner (store, partner, NULL), >, 0);
}

static gboolean
window_ready (gpointer data)
{
  Fixture *fixture = data;

  fixture->window = RP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (shared_app)));
  return fixture->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (fixture->window))
         && rp_partner_book_get_store (RP_PARTNER_BOOK (rp_window_get_book (fixture->window)));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  ensure_partner (AIKO, "Asia/Tokyo");
  rp_test_gui_call_app (&shared_app, "Europe/Berlin");
  g_application_activate (G_APPLICATION (shared_app));
  rp_test_gui_wait ("the main window and its store", window_ready, fixture);
  fixture->peer_store = g_build_filename (data_dir, "peer.db", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  GList *toplevels = gtk_window_list_toplevels ();

  g_clear_pointer (&fixture->peer, rp_test_proc_free);
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_DIALOG (l->data))
      gtk_widget_destroy (l->data);
  g_list_free (toplevels);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  gtk_widget_destroy (GTK_WIDGET (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_unlink (fixture->peer_store);
  g_free (fixture->peer_store);
}

/* ---- the peer ----------------------------------------------------------------------------- */

static void
spawn_peer (Fixture *fixture, const char *link, ...)
{
  g_autofree char *store = g_strconcat ("--store=", fixture->peer_store, NULL);
  const char *leading[] = {
    link, "--name=" AIKO, "--video=none", "--audio=none", "--audio-sink=none", store, NULL,
  };
  va_list ap;

  va_start (ap, link);
  fixture->peer = rp_test_peer_spawn_valist ("aiko", leading, ap);
  va_end (ap);
}

/* The first event line of that name the peer printed, or NULL. */
static JsonObject *
peer_event (Fixture *fixture, const char *event)
{
  return rp_test_proc_find (fixture->peer, event, 0);
}

typedef struct {
  Fixture    *fixture;
  const char *event;
} PeerWait;

static gboolean
peer_printed (gpointer data)
{
  PeerWait *w = data;

  return peer_event (w->fixture, w->event) != NULL;
}

static void
wait_for_peer_event (Fixture *fixture, const char *event)
{
  PeerWait w = { fixture, event };

  rp_test_gui_wait (event, peer_printed, &w);
}

/* ---- the app ------------------------------------------------------------------------------ */

static gboolean
session_waiting (gpointer data)
{
  GObject *session = rp_call_view_get_session (data);
  RpSessionState state = RP_SESSION_STATE_IDLE;

  if (session != NULL)
    g_object_get (session, "state", &state, NULL);
  return state == RP_SESSION_STATE_WAITING;
}

static gboolean
peer_gone (gpointer data)
{
  return ((Fixture *) data)->peer->exited;
}

static RpCallView *
host_for_aiko (Fixture *fixture)
{
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  RpPartnerBook *book = RP_PARTNER_BOOK (rp_window_get_book (fixture->window));

  rp_window_start_session (fixture->window, rp_partner_book_find_partner (book, AIKO));
  rp_test_gui_wait ("the hosted session", session_waiting, call_view);
  return call_view;
}

static GtkWidget *
find_toplevel (GType type)
{
  GtkWidget *found = NULL;
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (toplevels);
  return found;
}

/* Rows of Aiko's sessions under Upcoming. */
static guint
upcoming_with_aiko (Fixture *fixture)
{
  GtkListBox *upcoming = rp_test_gui_template_child (rp_window_get_home_view (fixture->window),
                                                     RP_TYPE_HOME_VIEW, "upcoming_list");
  guint n = 0;

  for (int i = 0; gtk_list_box_get_row_at_index (upcoming, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (upcoming, i);

      if (HDY_IS_ACTION_ROW (row) &&
          strstr (hdy_preferences_row_get_title (HDY_PREFERENCES_ROW (row)), AIKO) != NULL)
        n++;
    }
  return n;
}

typedef struct {
  Fixture *fixture;
  guint    before;
} UpcomingWait;

static gboolean
upcoming_grew (gpointer data)
{
  UpcomingWait *w = data;

  return upcoming_with_aiko (w->fixture) > w->before;
}

/* The same planned session in the app's store and in the peer's. */
static void
assert_both_planned (Fixture *fixture, const char *uid, const char *zone, const char *local)
{
  g_autoptr (RpStore) app = open_store (NULL);
  g_autoptr (RpStore) peer = open_store (fixture->peer_store);
  g_autoptr (RpSessionRecord) a = rp_store_get_session_by_uid (app, uid, NULL);
  g_autoptr (RpSessionRecord) b = rp_store_get_session_by_uid (peer, uid, NULL);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (a->scheduled_zone, ==, zone);
  g_assert_cmpstr (b->scheduled_zone, ==, zone);
  if (local != NULL)
    g_assert_true (g_str_has_prefix (a->scheduled_local, local));
  g_assert_cmpstr (b->scheduled_local, ==, a->scheduled_local);
  g_assert_cmpuint (b->planned_minutes, ==, a->planned_minutes);
  g_assert_cmpint (a->started_at, ==, 0);
  g_assert_cmpint (b->started_at, ==, 0);
}

/* The button on Aiko's row in the home view that opens her proposals. */
static GtkWidget *
proposals_button (Fixture *fixture)
{
  GtkListBox *partners = rp_test_gui_template_child (rp_window_get_home_view (fixture->window),
                                                     RP_TYPE_HOME_VIEW, "partners_list");

  for (int i = 0; gtk_list_box_get_row_at_index (partners, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (partners, i);

      if (HDY_IS_ACTION_ROW (row) &&
          g_strcmp0 (hdy_preferences_row_get_title (HDY_PREFERENCES_ROW (row)), AIKO) == 0)
        return g_object_get_data (G_OBJECT (row), "proposals");
    }
  return NULL;
}

static gboolean
notification_shown (gpointer data)
{
  return gtk_revealer_get_reveal_child (data);
}

/* Aiko's peer proposes two times as it joins; the call announces it, Aiko's row counts it, the
 * user opens the proposals and accepts the second time. */
static void
test_partner_proposal_is_announced_accepted_and_upcoming (Fixture *fixture, gconstpointer data)
{
  g_autofree char *proposal = g_build_filename (data_dir, "proposal.json", NULL);
  RpCallView *call_view;
  GtkRevealer *notification;
  GtkLabel *label;
  GtkWidget *dialog, *accept;
  JsonObject *answered, *scheduled;
  UpcomingWait upcoming = { fixture, upcoming_with_aiko (fixture) };

  g_assert_true (g_file_set_contents (proposal,
    "{\"id\":\"" PROPOSAL_ID "\",\"zone\":\"Asia/Tokyo\",\"minutes\":45,"
    "\"summary\":\"Mentoring with Aiko\",\"slots\":[\"2031-04-07T17:00\",\"2031-04-08T16:30\"]}",
    -1, NULL));
  call_view = host_for_aiko (fixture);
  notification = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "proposal_revealer");
  spawn_peer (fixture, rp_call_view_get_link (call_view), "--propose", proposal,
              "--duration=0", NULL);
  rp_test_gui_wait ("the in-call announcement", notification_shown, notification);
  label = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "proposal_label");
  g_assert_nonnull (strstr (gtk_label_get_label (label), AIKO " proposes 2 times"));
  rp_test_gui_maybe_grab (GTK_WIDGET (fixture->window), "call-proposal-notification.png",
                          G_USEC_PER_SEC);
  g_assert_true (gtk_widget_get_visible (proposals_button (fixture)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (proposals_button (fixture))), ==,
                   "1 proposal");

  gtk_button_clicked (rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW,
                                                  "proposal_view_button"));
  dialog = find_toplevel (RP_TYPE_PROPOSALS_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_false (gtk_revealer_get_reveal_child (notification));
  accept = rp_proposals_dialog_get_accept_button (RP_PROPOSALS_DIALOG (dialog), PROPOSAL_ID, 1);
  g_assert_nonnull (accept);
  gtk_button_clicked (GTK_BUTTON (accept));
  g_assert_cmpstr (rp_proposals_dialog_get_page (RP_PROPOSALS_DIALOG (dialog)), ==, "done");
  g_assert_false (gtk_widget_get_visible (proposals_button (fixture)));
  rp_test_gui_wait ("the session under Upcoming", upcoming_grew, &upcoming);
  /* The peer prints both at once, but its lines are read one at a time: wait for each. */
  wait_for_peer_event (fixture, "session-scheduled");
  wait_for_peer_event (fixture, "proposal-answered");

  answered = peer_event (fixture, "proposal-answered");
  g_assert_nonnull (answered);
  g_assert_true (json_object_get_boolean_member (answered, "accepted"));
  g_assert_cmpstr (json_object_get_string_member (answered, "slot"), ==, "2031-04-08T16:30");
  scheduled = peer_event (fixture, "session-scheduled");
  /* 16:30 in Tokyo is 07:30Z (09:30 in Berlin, summer time). */
  g_assert_cmpstr (json_object_get_string_member (scheduled, "utc"), ==, "2031-04-08T07:30:00Z");
  gtk_widget_destroy (dialog);
  rp_call_view_hang_up (call_view);
  rp_test_gui_wait ("the peer to leave", peer_gone, fixture);
  assert_both_planned (fixture, PROPOSAL_ID, "Asia/Tokyo", "2031-04-08T16:30");
}

static gboolean
dialog_has_slots (gpointer data)
{
  return rp_schedule_dialog_get_selected (data) != NULL;
}

/* The user proposes from the schedule dialog during the call; Aiko's peer accepts the first
 * time; the session is under Upcoming on both sides, in the user's zone and local time. */
static void
test_own_proposal_goes_to_partner_and_comes_back_accepted (Fixture *fixture, gconstpointer data)
{
  UpcomingWait upcoming = { fixture, upcoming_with_aiko (fixture) };
  RpCallView *call_view = host_for_aiko (fixture);
  GtkWidget *dialog;
  JsonObject *received, *scheduled;

  spawn_peer (fixture, rp_call_view_get_link (call_view), "--accept-proposals=first",
              "--duration=0", NULL);
  wait_for_peer_event (fixture, "connected");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "schedule",
                                  g_variant_new_string (AIKO));
  dialog = find_toplevel (RP_TYPE_SCHEDULE_DIALOG);
  g_assert_nonnull (dialog);
  rp_test_gui_wait ("candidate slots", dialog_has_slots, dialog);
  g_action_group_activate_action (gtk_widget_get_action_group (dialog, "schedule"), "propose",
                                  NULL);
  wait_for_peer_event (fixture, "session-scheduled");
  /* The answer came back: the app keeps the same session and shows it. */
  rp_test_gui_wait ("the session under Upcoming", upcoming_grew, &upcoming);

  received = peer_event (fixture, "proposal-received");
  g_assert_nonnull (received);
  g_assert_cmpstr (json_object_get_string_member (received, "zone"), ==, "Europe/Berlin");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (received, "slots")),
                    >=, 1);
  scheduled = peer_event (fixture, "session-scheduled");
  rp_call_view_hang_up (call_view);
  rp_test_gui_wait ("the peer to leave", peer_gone, fixture);
  assert_both_planned (fixture, json_object_get_string_member (scheduled, "uid"),
                       "Europe/Berlin", json_object_get_string_member (scheduled, "local"));
}

int
main (int argc, char **argv)
{
  g_autofree char *schemas = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "data", NULL);
  int status;

  g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  data_dir = g_dir_make_tmp ("rapport-appprop-XXXXXX", NULL);
  g_assert_nonnull (data_dir);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check (&argc, &argv))
    {
      g_test_message ("no display; run under xvfb-run");
      g_test_add_func ("/app/proposals/needs-display", (GTestFunc) g_test_skip);
      return g_test_run ();
    }
  gst_init (&argc, &argv);

  g_test_add ("/app/proposals/partner-proposal-is-announced-accepted-and-upcoming-on-both-sides",
              Fixture, NULL, fixture_set_up,
              test_partner_proposal_is_announced_accepted_and_upcoming, fixture_tear_down);
  g_test_add ("/app/proposals/own-proposal-goes-to-partner-and-comes-back-accepted",
              Fixture, NULL, fixture_set_up,
              test_own_proposal_goes_to_partner_and_comes_back_accepted, fixture_tear_down);
  status = g_test_run ();
  g_clear_object (&shared_app);
  rp_test_remove_tree (data_dir);
  g_free (data_dir);
  return status;
}
