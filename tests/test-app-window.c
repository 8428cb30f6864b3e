/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtk/gtk.h>
#include <handy.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "rp-application.h"
#include "rp-call-view.h"
#include "rp-home-view.h"
#include "rp-preferences-window.h"
#include "rp-schedule-dialog.h"
#include "rp-session.h"
#include "rp-store.h"
#include "rp-window.h"

/* The real app window under Xvfb: the views users see, a real embedded server, a real
 * rapport-peer process as the partner. Every wait is on a state of the app or a signal; the
 * watchdog only turns a hang into a failure. */

#define WATCHDOG_SECONDS 60

typedef struct {
  RpApplication *app;
  RpWindow *window;
} Fixture;

/* GLib reads XDG_DATA_HOME once per process, so one directory serves every test. */
static char *data_dir;
static RpApplication *shared_app;

static const char *waiting_for;

static gboolean
on_watchdog (gpointer user_data)
{
  g_error ("Timed out waiting for %s", waiting_for);
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (const char *what, Condition condition, gpointer data)
{
  guint watchdog = g_timeout_add_seconds (WATCHDOG_SECONDS, on_watchdog, NULL);

  waiting_for = what;
  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);
}

static gpointer
template_child (gpointer widget, GType type, const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

/* The partner lives in the app's real store (the file under XDG_DATA_HOME it opens). */
static void
write_partner_book (const char *base)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RpStore) store = rp_store_new (NULL, &error);
  g_autoptr (GPtrArray) partners = NULL;
  g_autoptr (RpPartner) aiko = rp_partner_new ("Aiko Tanaka", "Asia/Tokyo");

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (rp_store_get_path (store), base));
  partners = rp_store_list_partners (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < partners->len; i++)
    if (g_strcmp0 (((RpPartner *) partners->pdata[i])->name, aiko->name) == 0)
      return;
  aiko->spell_language = g_strdup ("en_US");
  aiko->working_hours = g_strdup ("Mon-Fri 09:00-17:00");
  g_assert_cmpint (rp_store_add_partner (store, aiko, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (rp_store_close (store, &error));
}

static gboolean
window_is_mapped (gpointer data)
{
  Fixture *fixture = data;

  fixture->window = RP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (fixture->app)));
  return fixture->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (fixture->window));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  GSettings *settings;

  write_partner_book (data_dir);

  /* One application per process, as in real use; each test gets a fresh window. */
  if (shared_app == NULL)
    {
      shared_app = rp_application_new (G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (shared_app), NULL, &error);
      g_assert_no_error (error);
    }
  fixture->app = shared_app;
  settings = rp_application_get_settings (fixture->app);
  /* Test sources, no speaker, no chime: the machine running the tests has no devices. */
  g_settings_set_string (settings, "camera", "test");
  g_settings_set_string (settings, "microphone", "test");
  g_settings_set_string (settings, "speaker", "none");
  g_settings_set_string (settings, "time-zone", "UTC");
  g_settings_set_string (settings, "display-name", "Mentor Test");
  g_settings_set_boolean (settings, "call-sounds", FALSE);

  g_application_activate (G_APPLICATION (fixture->app));
  wait_for ("the main window", window_is_mapped, fixture);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  /* Pending idles of the window's widgets (libhandy's among them) run while they are alive:
   * one dispatched after the window is gone crashed in gtk_widget_get_settings (). */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  gtk_widget_destroy (GTK_WIDGET (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  fixture->app = NULL;
}

/* --- home view ----------------------------------------------------------------------- */

static gboolean
partner_row_present (gpointer data)
{
  return gtk_list_box_get_row_at_index (data, 0) != NULL;
}

static void
test_home_lists_partners_with_their_local_time (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  GtkListBox *partners = template_child (home, RP_TYPE_HOME_VIEW, "partners_list");
  GtkWidget *start = template_child (home, RP_TYPE_HOME_VIEW, "start_button");
  HdyActionRow *row;

  g_assert_cmpstr (rp_window_get_page (fixture->window), ==, "home");
  g_assert_true (gtk_widget_is_drawable (start));
  g_assert_true (gtk_widget_is_sensitive (start));

  wait_for ("the partner book to load", partner_row_present, partners);
  row = HDY_ACTION_ROW (gtk_list_box_get_row_at_index (partners, 0));
  g_assert_cmpstr (hdy_preferences_row_get_title (HDY_PREFERENCES_ROW (row)), ==, "Aiko Tanaka");
  /* Tokyo has no DST: always nine hours ahead of UTC. */
  g_assert_nonnull (strstr (hdy_action_row_get_subtitle (row), "9 hours ahead"));
}

static void
test_join_with_a_bad_link_explains_and_stays_home (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  GtkEntry *entry = template_child (home, RP_TYPE_HOME_VIEW, "join_entry");
  GtkWidget *join = template_child (home, RP_TYPE_HOME_VIEW, "join_button");
  GtkRevealer *revealer = template_child (home, RP_TYPE_HOME_VIEW, "error_revealer");
  GtkLabel *error_label = template_child (home, RP_TYPE_HOME_VIEW, "error_label");

  g_assert_false (gtk_widget_is_sensitive (join));
  gtk_entry_set_text (entry, "https://example.org/not-a-rapport-link");
  g_assert_true (gtk_widget_is_sensitive (join));
  gtk_button_clicked (GTK_BUTTON (join));

  g_assert_cmpstr (rp_window_get_page (fixture->window), ==, "home");
  g_assert_true (gtk_revealer_get_reveal_child (revealer));
  g_assert_cmpstr (gtk_label_get_label (error_label), !=, "");
}

static void
find_schedule_button (GtkWidget *widget, gpointer user_data)
{
  GtkWidget **found = user_data;

  if (*found == NULL && GTK_IS_BUTTON (widget) && g_object_get_data (G_OBJECT (widget), "partner"))
    *found = widget;
  else if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), find_schedule_button, user_data);
}

static void
test_partner_schedule_button_opens_the_schedule_dialog (Fixture *fixture, gconstpointer data)
{
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  GtkListBox *partners = template_child (home, RP_TYPE_HOME_VIEW, "partners_list");
  GtkWidget *button = NULL;
  GtkWidget *dialog = NULL;

  wait_for ("the partner book to load", partner_row_present, partners);
  find_schedule_button (GTK_WIDGET (gtk_list_box_get_row_at_index (partners, 0)), &button);
  g_assert_nonnull (button);
  gtk_button_clicked (GTK_BUTTON (button));

  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (RP_IS_SCHEDULE_DIALOG (l->data))
      dialog = l->data;
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (fixture->window));
  gtk_widget_destroy (dialog);
}

/* --- accessibility --------------------------------------------------------------------- */

static void
check_accessible_names (GtkWidget *widget, gpointer user_data)
{
  GPtrArray *unnamed = user_data;

  if (GTK_IS_BUTTON (widget) || GTK_IS_ENTRY (widget) || GTK_IS_LEVEL_BAR (widget)
      || GTK_IS_SWITCH (widget) || GTK_IS_TEXT_VIEW (widget) || GTK_IS_SPIN_BUTTON (widget))
    {
      const char *name = atk_object_get_name (gtk_widget_get_accessible (widget));

      if (gtk_widget_get_visible (widget) && (name == NULL || *name == '\0'))
        g_ptr_array_add (unnamed, (gpointer) (gtk_buildable_get_name (GTK_BUILDABLE (widget)) ? gtk_buildable_get_name (GTK_BUILDABLE (widget)) : G_OBJECT_TYPE_NAME (widget)));
    }
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), check_accessible_names, unnamed);
}

static void
test_every_call_control_has_an_accessible_name (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) unnamed = g_ptr_array_new ();

  check_accessible_names (rp_window_get_call_view (fixture->window), unnamed);
  check_accessible_names (rp_window_get_home_view (fixture->window), unnamed);
  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("unnamed control: %s", (char *) unnamed->pdata[i]);
  g_assert_cmpuint (unnamed->len, ==, 0);
}

/* --- a real call ---------------------------------------------------------------------- */

typedef struct {
  Fixture *fixture;
  GSubprocess *peer;
  gint frames;          /* atomic: counted on the streaming thread */
  gboolean peer_exited;
  gboolean peer_ok;
  const char *expected_page;
} CallTest;

static gboolean
link_shown (gpointer data)
{
  CallTest *test = data;

  return *rp_call_view_get_link (RP_CALL_VIEW (rp_window_get_call_view (test->fixture->window))) != '\0';
}

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  CallTest *test = user_data;

  g_atomic_int_inc (&test->frames);
  g_main_context_wakeup (NULL);
  return GST_PAD_PROBE_OK;
}

static gboolean
frames_arrived (gpointer data)
{
  CallTest *test = data;

  if (test->peer_exited)
    g_error ("The partner left before any video arrived");
  return g_atomic_int_get (&test->frames) >= 10;
}

static gboolean
back_home (gpointer data)
{
  CallTest *test = data;

  return g_strcmp0 (rp_window_get_page (test->fixture->window), "home") == 0;
}

static gboolean
peer_exited (gpointer data)
{
  return ((CallTest *) data)->peer_exited;
}

static void
on_peer_exit (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallTest *test = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  test->peer_ok = g_subprocess_get_successful (G_SUBPROCESS (source));
  test->peer_exited = TRUE;
}

static GSubprocess *
spawn_peer (const char *link)
{
  g_autofree char *peer = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "src", "peer",
                                            "rapport-peer", NULL);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              peer, link, "--name", "Mentee Test", "--video", "test",
                              "--audio", "test", "--duration", "0", NULL);
  g_assert_no_error (error);
  return process;
}

static void
test_hosted_call_shows_partner_video_and_hangs_up (Fixture *fixture, gconstpointer user_data)
{
  CallTest test = { fixture };
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  GtkWidget *start = template_child (home, RP_TYPE_HOME_VIEW, "start_button");
  GtkWidget *hang_up = template_child (call_view, RP_TYPE_CALL_VIEW, "hang_up_button");
  GtkLabel *peer_name = template_child (call_view, RP_TYPE_CALL_VIEW, "peer_name_label");
  GtkListBox *recent = template_child (home, RP_TYPE_HOME_VIEW, "recent_list");
  g_autoptr (GstPad) pad = NULL;
  RpSessionState state;
  const char *link;

  gtk_button_clicked (GTK_BUTTON (start));
  g_assert_cmpstr (rp_window_get_page (fixture->window), ==, "call");
  wait_for ("the join link", link_shown, &test);
  link = rp_call_view_get_link (call_view);
  g_test_message ("hosting at %s", link);
  g_assert_true (g_str_has_prefix (link, "rapport://127.0.0.1:"));

  pad = gst_element_get_static_pad (rp_call_view_get_remote_sink (call_view), "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, &test, NULL);

  test.peer = spawn_peer (link);
  g_subprocess_wait_async (test.peer, NULL, on_peer_exit, &test);
  wait_for ("video frames from the partner", frames_arrived, &test);

  g_object_get (rp_call_view_get_session (call_view), "state", &state, NULL);
  g_assert_cmpint (state, ==, RP_SESSION_STATE_CONNECTED);
  g_assert_cmpstr (gtk_label_get_label (peer_name), ==, "Mentee Test");

  gtk_button_clicked (GTK_BUTTON (hang_up));
  wait_for ("the home view after hanging up", back_home, &test);
  g_assert_false (rp_call_view_is_active (call_view));
  g_assert_nonnull (gtk_list_box_get_row_at_index (recent, 0));

  /* The partner sees us leave and ends its own call cleanly. */
  wait_for ("rapport-peer to exit", peer_exited, &test);
  g_assert_true (test.peer_ok);
  g_clear_object (&test.peer);
}

static gboolean
stage_shows (gpointer data)
{
  CallTest *test = data;
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (test->fixture->window));
  GtkStack *stage = template_child (call_view, RP_TYPE_CALL_VIEW, "stage_stack");

  return g_strcmp0 (gtk_stack_get_visible_child_name (stage), test->expected_page) == 0;
}

/* A partner without a camera is shown by their avatar, not a black stage; when they leave,
 * the host waits on the same link for them by name. */
static void
test_partner_without_camera_then_leaving (Fixture *fixture, gconstpointer user_data)
{
  CallTest test = { fixture };
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  HdyStatusPage *waiting = template_child (call_view, RP_TYPE_CALL_VIEW, "waiting_page");
  GtkLabel *peer_name = template_child (call_view, RP_TYPE_CALL_VIEW, "peer_name_label");
  g_autofree char *peer = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "src", "peer",
                                            "rapport-peer", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *link = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "start-session", NULL);
  wait_for ("the join link", link_shown, &test);
  link = g_strdup (rp_call_view_get_link (call_view));
  test.peer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, peer, link,
                                "--name", "Mentee Test", "--video", "none", "--audio", "test",
                                "--audio-sink", "none", "--duration", "2", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (test.peer, NULL, on_peer_exit, &test);

  gtk_widget_grab_focus (template_child (call_view, RP_TYPE_CALL_VIEW, "copy_button"));
  test.expected_page = "audio";
  wait_for ("the partner's avatar", stage_shows, &test);
  g_assert_cmpstr (gtk_label_get_label (peer_name), ==, "Mentee Test");
  /* The Copy button that had the keyboard went with the waiting page. */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (fixture->window))
                 == template_child (call_view, RP_TYPE_CALL_VIEW, "mic_button"));

  wait_for ("rapport-peer to exit", peer_exited, &test);
  g_assert_true (test.peer_ok);
  test.expected_page = "waiting";
  wait_for ("the waiting page again", stage_shows, &test);
  g_assert_nonnull (strstr (hdy_status_page_get_title (waiting), "Mentee Test"));
  g_assert_cmpstr (gtk_label_get_label (peer_name), ==, "Mentee Test");
  g_assert_cmpstr (rp_call_view_get_link (call_view), ==, link);
  g_clear_object (&test.peer);
}

/* rapport-peer --host prints {"event":"ready","link":...} once its room exists; its lines are
 * read asynchronously so that a peer that never gets ready trips the watchdog. */
typedef struct {
  GDataInputStream *lines;
  char *link;
  gboolean eof;
} PeerOutput;

static void
on_peer_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PeerOutput *output = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (line == NULL)
    {
      output->eof = TRUE;
      return;
    }
  if (output->link == NULL && json_parser_load_from_data (parser, line, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *event = json_node_get_object (json_parser_get_root (parser));

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", ""), "ready") == 0)
        output->link = g_strdup (json_object_get_string_member (event, "link"));
    }
  /* Keep draining, so the peer never blocks on a full pipe. */
  g_data_input_stream_read_line_async (output->lines, G_PRIORITY_DEFAULT, NULL, on_peer_line,
                                       output);
}

static gboolean
peer_ready (gpointer data)
{
  PeerOutput *output = data;

  if (output->eof && output->link == NULL)
    g_error ("rapport-peer ended before it was ready");
  return output->link != NULL;
}

static void
test_joining_a_link_shows_the_host (Fixture *fixture, gconstpointer user_data)
{
  CallTest test = { fixture };
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  GtkEntry *entry = template_child (home, RP_TYPE_HOME_VIEW, "join_entry");
  GtkWidget *join = template_child (home, RP_TYPE_HOME_VIEW, "join_button");
  GtkWidget *hang_up = template_child (call_view, RP_TYPE_CALL_VIEW, "hang_up_button");
  GtkLabel *peer_name = template_child (call_view, RP_TYPE_CALL_VIEW, "peer_name_label");
  g_autofree char *peer_path = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "src", "peer",
                                                 "rapport-peer", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstPad) pad = NULL;
  PeerOutput output = { NULL };
  const char *link;

  test.peer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, peer_path, "--host",
                                "--name", "Host Test", "--video", "test", "--audio", "test",
                                "--duration", "0", NULL);
  g_assert_no_error (error);
  output.lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (test.peer));
  g_data_input_stream_read_line_async (output.lines, G_PRIORITY_DEFAULT, NULL, on_peer_line,
                                       &output);
  wait_for ("rapport-peer's join link", peer_ready, &output);
  link = output.link;
  g_test_message ("joining %s", link);
  g_subprocess_wait_async (test.peer, NULL, on_peer_exit, &test);

  gtk_entry_set_text (entry, link);
  gtk_button_clicked (GTK_BUTTON (join));
  g_assert_cmpstr (rp_window_get_page (fixture->window), ==, "call");
  pad = gst_element_get_static_pad (rp_call_view_get_remote_sink (call_view), "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, &test, NULL);
  wait_for ("video frames from the host", frames_arrived, &test);
  g_assert_cmpstr (gtk_label_get_label (peer_name), ==, "Host Test");

  gtk_button_clicked (GTK_BUTTON (hang_up));
  wait_for ("the home view after hanging up", back_home, &test);
  wait_for ("rapport-peer to exit", peer_exited, &test);
  g_assert_true (test.peer_ok);
  g_clear_object (&test.peer);
  /* Lets the last pending read finish (end of file) before the stream goes. */
  while (!output.eof)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&output.lines);
  g_free (output.link);
}

/* --- keyboard ------------------------------------------------------------------------- */

static gboolean
session_waiting (gpointer data)
{
  RpCallView *call_view = data;
  GObject *session = rp_call_view_get_session (call_view);
  RpSessionState state = RP_SESSION_STATE_IDLE;

  if (session != NULL)
    g_object_get (session, "state", &state, NULL);
  return state == RP_SESSION_STATE_WAITING;
}

static gboolean
page_is_home (gpointer data)
{
  return g_strcmp0 (rp_window_get_page (data), "home") == 0;
}

/* A key press delivered the way GDK delivers one from the X server. */
static void
press (GtkWidget *window, guint key, GdkModifierType modifiers)
{
  GdkKeymap *keymap = gdk_keymap_get_for_display (gtk_widget_get_display (window));
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (window));
  g_autofree GdkKeymapKey *keys = NULL;
  GdkEvent *event = gdk_event_new (GDK_KEY_PRESS);
  int n_keys = 0;

  g_assert_true (gdk_keymap_get_entries_for_keyval (keymap, key, &keys, &n_keys));
  event->key.window = g_object_ref (gtk_widget_get_window (window));
  event->key.send_event = TRUE;
  event->key.time = GDK_CURRENT_TIME;
  event->key.state = modifiers;
  event->key.keyval = key;
  event->key.hardware_keycode = keys[0].keycode;
  event->key.group = keys[0].group;
  gdk_event_set_device (event, gdk_seat_get_keyboard (seat));
  gtk_main_do_event (event);
  gdk_event_free (event);
}

static void
test_keyboard_runs_the_call (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  gboolean muted = FALSE, camera = TRUE;

  press (window, GDK_KEY_n, GDK_CONTROL_MASK);
  g_assert_cmpstr (rp_window_get_page (fixture->window), ==, "call");
  wait_for ("the hosted session", session_waiting, call_view);

  press (window, GDK_KEY_d, GDK_CONTROL_MASK);
  press (window, GDK_KEY_e, GDK_CONTROL_MASK);
  g_object_get (rp_call_view_get_session (call_view), "muted", &muted, "camera-enabled", &camera,
                NULL);
  g_assert_true (muted);
  g_assert_false (camera);

  press (window, GDK_KEY_d, GDK_CONTROL_MASK);
  g_object_get (rp_call_view_get_session (call_view), "muted", &muted, NULL);
  g_assert_false (muted);

  press (window, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  wait_for ("the home view", page_is_home, fixture->window);
  g_assert_false (rp_call_view_is_active (call_view));
}

/* --- own view ------------------------------------------------------------------------- */

static gboolean
widget_shown (gpointer data)
{
  return gtk_widget_get_visible (data) && gtk_widget_get_allocated_width (data) > 1;
}

/* Without a camera there is no own view (it was a stray black square beside the Copy
 * button); with one it appears at the size the stage gives it, not the sink's tiny natural
 * size before the first frame. */
static void
test_own_view_shows_only_with_a_camera (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  GtkWidget *self_view = template_child (call_view, RP_TYPE_CALL_VIEW, "self_view");
  GSettings *settings = rp_application_get_settings (fixture->app);

  g_settings_set_string (settings, "camera", "none");
  press (window, GDK_KEY_n, GDK_CONTROL_MASK);
  wait_for ("the hosted session", session_waiting, call_view);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (gtk_widget_get_visible (self_view));
  press (window, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  wait_for ("the home view", page_is_home, fixture->window);

  g_settings_set_string (settings, "camera", "test");
  press (window, GDK_KEY_n, GDK_CONTROL_MASK);
  wait_for ("the own view", widget_shown, self_view);
  g_assert_cmpint (gtk_widget_get_allocated_width (self_view), >=, 120);
  g_assert_cmpint (gtk_widget_get_allocated_height (self_view), >=, 90);
  press (window, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  wait_for ("the home view", page_is_home, fixture->window);
}

/* --- preferences ---------------------------------------------------------------------- */

static gboolean
all_gone (gpointer data)
{
  gpointer *pointers = data;

  for (guint i = 0; pointers[i] != GINT_TO_POINTER (1); i++)
    if (pointers[i] != NULL)
      return FALSE;
  return TRUE;
}

/* The device probes run in threads and may finish after the window is gone; they must then
 * leave it alone (it was a critical on a destroyed combo's list store). Criticals are fatal
 * here. The window and its combos are finalized only once every probe has called back. */
static void
test_preferences_closed_during_device_probe (Fixture *fixture, gconstpointer user_data)
{
  gpointer watched[] = { NULL, NULL, NULL, NULL, GINT_TO_POINTER (1) };
  const char *combos[] = { "camera_combo", "microphone_combo", "speaker_combo" };
  GtkWidget *preferences = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (fixture->app)); l; l = l->next)
    if (RP_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);
  g_assert_true (gtk_widget_get_mapped (preferences));
  for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
    {
      watched[i] = template_child (preferences, RP_TYPE_PREFERENCES_WINDOW, combos[i]);
      g_object_add_weak_pointer (watched[i], &watched[i]);
    }
  watched[3] = preferences;
  g_object_add_weak_pointer (watched[3], &watched[3]);

  gtk_widget_destroy (preferences);
  wait_for ("the device probes to call back", all_gone, watched);
}

static gboolean
combo_shows (gpointer combo)
{
  return g_strcmp0 (gtk_combo_box_get_active_id (combo),
                    g_object_get_data (combo, "expected")) == 0;
}

/* A device chosen elsewhere (the call's device menu) shows in an open Preferences: a listed
 * choice at once, one the list lacks after a new probe. */
static void
test_preferences_device_choice_follows_the_setting (Fixture *fixture, gconstpointer user_data)
{
  GSettings *settings = rp_application_get_settings (fixture->app);
  GtkWidget *preferences = NULL;
  gpointer watched[] = { NULL, NULL, GINT_TO_POINTER (1) };
  g_autofree char *chosen = NULL;
  GtkComboBox *camera;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (fixture->app)); l; l = l->next)
    if (RP_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);
  camera = template_child (preferences, RP_TYPE_PREFERENCES_WINDOW, "camera_combo");

  g_object_set_data (G_OBJECT (camera), "expected", (gpointer) "test");
  wait_for ("the camera list", combo_shows, camera);
  g_settings_set_string (settings, "camera", "none");
  g_assert_cmpstr (gtk_combo_box_get_active_id (camera), ==, "none");
  g_settings_set_string (settings, "camera", "USB Camera (unplugged)");
  g_object_set_data (G_OBJECT (camera), "expected", (gpointer) "USB Camera (unplugged)");
  wait_for ("the camera list again", combo_shows, camera);
  /* Showing the setting did not write it back. */
  chosen = g_settings_get_string (settings, "camera");
  g_assert_cmpstr (chosen, ==, "USB Camera (unplugged)");

  watched[0] = camera;
  watched[1] = preferences;
  g_object_add_weak_pointer (watched[0], &watched[0]);
  g_object_add_weak_pointer (watched[1], &watched[1]);
  gtk_widget_destroy (preferences);
  g_settings_set_string (settings, "camera", "test");
  wait_for ("the device probes to call back", all_gone, watched);
}

/* An error is about what was just tried: back from a later call it is gone. */
static void
test_an_error_does_not_outlive_the_next_call (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  GtkRevealer *revealer = template_child (home, RP_TYPE_HOME_VIEW, "error_revealer");
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));

  rp_home_view_show_error (RP_HOME_VIEW (home), "Could not join: a test error");
  g_assert_true (gtk_revealer_get_reveal_child (revealer));
  press (window, GDK_KEY_n, GDK_CONTROL_MASK);
  wait_for ("the hosted session", session_waiting, call_view);
  press (window, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  wait_for ("the home view", page_is_home, fixture->window);
  g_assert_false (gtk_revealer_get_reveal_child (revealer));
}

static gboolean
object_gone (gpointer data)
{
  g_autoptr (GObject) object = g_weak_ref_get (data);

  return object == NULL;
}

/* Hanging up in the first moments, while the session still reaches the embedded server: the
 * session lives until its pending connect has finished, then goes; no CRITICAL (fatal here).
 * The window used to drop it twice (an idle callback that returned garbage), which freed it
 * under the connect's own reference. */
static void
test_hang_up_while_reaching_the_server (Fixture *fixture, gconstpointer user_data)
{
  CallTest test = { fixture };
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  GtkWidget *start = template_child (home, RP_TYPE_HOME_VIEW, "start_button");
  GtkWidget *hang_up = template_child (call_view, RP_TYPE_CALL_VIEW, "hang_up_button");

  for (guint steps = 0; steps < 4; steps++)
    {
      GWeakRef session;
      RpSessionState state;
      gint64 settled_at;

      gtk_button_clicked (GTK_BUTTON (start));
      g_weak_ref_init (&session, rp_call_view_get_session (call_view));
      for (guint i = 0; i < steps; i++)
        g_main_context_iteration (NULL, FALSE);
      g_object_get (rp_call_view_get_session (call_view), "state", &state, NULL);
      g_test_message ("hanging up after %u steps, in state %d", steps, state);
      gtk_button_clicked (GTK_BUTTON (hang_up));
      wait_for ("the home view after hanging up", back_home, &test);
      wait_for ("the session to go", object_gone, &session);
      g_weak_ref_clear (&session);
      /* Whatever was still pending on it runs now, and must find nothing freed. */
      settled_at = g_get_monotonic_time () + 300 * 1000;
      while (g_get_monotonic_time () < settled_at)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
    }
  g_assert_false (rp_call_view_is_active (call_view));
}

typedef void (*FixtureTest) (Fixture *fixture, gconstpointer user_data);

/* Each call runs in its own process, so that what one call's media threads leave behind
 * cannot touch the next test. */
static void
run_isolated (gconstpointer body)
{
  if (g_test_subprocess ())
    {
      Fixture fixture = { NULL };

      fixture_set_up (&fixture, NULL);
      ((FixtureTest) body) (&fixture, NULL);
      fixture_tear_down (&fixture, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* GStreamer 1.22's rtpsession walks its sources from the RTCP thread while another thread
 * changes them, and GLib reports that as a critical. It is GStreamer's own race, harmless to
 * the call; every other warning and critical stays fatal here. */
static gboolean
on_fatal_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  return !(g_strcmp0 (domain, "GLib") == 0
           && strstr (message, "g_hash_table_foreach: assertion 'version == hash_table->version'") != NULL);
}

int
main (int argc, char **argv)
{
  g_autofree char *schemas = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "data", NULL);
  int status;

  g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  data_dir = g_dir_make_tmp ("rapport-gui-XXXXXX", NULL);
  g_assert_nonnull (data_dir);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_test_log_set_fatal_handler (on_fatal_log, NULL);

  g_test_add ("/app/window/home-lists-partners-with-their-local-time", Fixture, NULL,
              fixture_set_up, test_home_lists_partners_with_their_local_time, fixture_tear_down);
  g_test_add ("/app/window/join-with-a-bad-link-explains-and-stays-home", Fixture, NULL,
              fixture_set_up, test_join_with_a_bad_link_explains_and_stays_home,
              fixture_tear_down);
  g_test_add ("/app/window/partner-schedule-button-opens-the-schedule-dialog", Fixture, NULL,
              fixture_set_up, test_partner_schedule_button_opens_the_schedule_dialog,
              fixture_tear_down);
  g_test_add ("/app/a11y/every-control-has-an-accessible-name", Fixture, NULL,
              fixture_set_up, test_every_call_control_has_an_accessible_name, fixture_tear_down);
  g_test_add_data_func ("/app/a11y/keyboard-runs-the-call", test_keyboard_runs_the_call,
                        run_isolated);
  g_test_add_data_func ("/app/window/an-error-does-not-outlive-the-next-call",
                        test_an_error_does_not_outlive_the_next_call, run_isolated);
  g_test_add_data_func ("/app/preferences/closed-during-device-probe",
                        test_preferences_closed_during_device_probe, run_isolated);
  g_test_add_data_func ("/app/preferences/device-choice-follows-the-setting",
                        test_preferences_device_choice_follows_the_setting, run_isolated);
  g_test_add_data_func ("/app/call/own-view-shows-only-with-a-camera",
                        test_own_view_shows_only_with_a_camera, run_isolated);
  g_test_add_data_func ("/app/call/hosted-call-shows-partner-video-and-hangs-up",
                        test_hosted_call_shows_partner_video_and_hangs_up, run_isolated);
  g_test_add_data_func ("/app/call/partner-without-camera-then-leaving",
                        test_partner_without_camera_then_leaving, run_isolated);
  g_test_add_data_func ("/app/call/hang-up-while-reaching-the-server-ends-cleanly",
                        test_hang_up_while_reaching_the_server, run_isolated);
  g_test_add_data_func ("/app/call/joining-a-link-shows-the-host",
                        test_joining_a_link_shows_the_host, run_isolated);
  status = g_test_run ();
  g_clear_object (&shared_app);
  remove_tree (data_dir);
  g_free (data_dir);
  return status;
}
