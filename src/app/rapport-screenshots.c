/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gst/gst.h>
#include <gtk/gtk.h>
#include <handy.h>

#include "rp-agenda-entry.h"
#include "rp-agenda-panel.h"
#include "rp-application.h"
#include "rp-call-view.h"
#include "rp-demo-camera-provider.h"
#include "rp-demo-data.h"
#include "rp-history-dialog.h"
#include "rp-home-view.h"
#include "rp-notes-panel.h"
#include "rp-preferences-window.h"
#include "rp-schedule-dialog.h"
#include "rp-session.h"
#include "rp-window.h"

/* Takes the screenshots of data/screenshots/ from the real app: the real window, a real call
 * through the embedded server (the partner is a second session in this process), the real
 * preferences. Only the cameras are illustrations. Run by build-aux/screenshots.sh. */

static const char *out_dir;
static gboolean tour;     /* --tour: every screen, for looking at, not only the three published */
static guint paints;
static gint frames;

typedef gboolean (*Condition) (gpointer data);

static gboolean
on_watchdog (gpointer what)
{
  g_error ("Timed out waiting for %s", (const char *) what);
  return G_SOURCE_REMOVE;
}

static void
wait_for (const char *what, Condition condition, gpointer data)
{
  guint watchdog = g_timeout_add_seconds (60, on_watchdog, (gpointer) what);

  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);
}

static void
on_after_paint (GdkFrameClock *clock, gpointer user_data)
{
  paints++;
}

static gboolean
painted_enough (gpointer target)
{
  return paints >= GPOINTER_TO_UINT (target);
}

static gboolean
on_tick (gpointer user_data)
{
  gtk_widget_queue_draw (user_data);
  return G_SOURCE_CONTINUE;
}

/* Several painted frames after the last change, so that video and layout have settled. */
static void
settle (GtkWidget *window, guint n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  guint ticker = g_timeout_add (50, on_tick, window);

  paints = 0;
  wait_for ("the window to paint", painted_enough, GUINT_TO_POINTER (n));
  g_source_remove (ticker);
  g_signal_handler_disconnect (clock, handler);
}

/* Drawn from the widget tree rather than read back from the X server, so that stacking
 * order and a missing window manager do not matter. */
static void
grab (GtkWidget *window, const char *name)
{
  int width = gtk_widget_get_allocated_width (window);
  int height = gtk_widget_get_allocated_height (window);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *path = g_build_filename (out_dir, name, NULL);

  gtk_widget_draw (window, cr);
  cairo_destroy (cr);
  if (cairo_surface_write_to_png (surface, path) != CAIRO_STATUS_SUCCESS)
    g_error ("Could not save %s", path);
  cairo_surface_destroy (surface);
  g_print ("%s\n", path);
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  g_atomic_int_inc (&frames);
  g_main_context_wakeup (NULL);
  return GST_PAD_PROBE_OK;
}

/* Two seconds of video and the first stats, so the quality indicator is there too. */
static gboolean
call_ready (gpointer call_view)
{
  GObject *quality = gtk_widget_get_template_child (call_view, RP_TYPE_CALL_VIEW, "quality_button");

  return g_atomic_int_get (&frames) >= 60 && gtk_widget_get_visible (GTK_WIDGET (quality));
}

static gboolean
link_shown (gpointer call_view)
{
  return *rp_call_view_get_link (call_view) != '\0';
}

static void
fill_side_panel (RpCallView *call_view)
{
  RpNotesPanel *notes = RP_NOTES_PANEL (gtk_widget_get_template_child (GTK_WIDGET (call_view),
                                                                       RP_TYPE_CALL_VIEW,
                                                                       "notes_panel"));
  RpAgendaPanel *agenda = RP_AGENDA_PANEL (gtk_widget_get_template_child (GTK_WIDGET (call_view),
                                                                         RP_TYPE_CALL_VIEW,
                                                                         "agenda_panel"));
  GListStore *items = rp_agenda_panel_get_model (agenda);
  g_autoptr (RpAgendaEntry) first = NULL;
  g_autoptr (RpAgendaEntry) current = NULL;

  gtk_text_buffer_set_text (rp_notes_panel_get_buffer (notes),
                            "Conference talk\n"
                            "• Open with the migration story, not the architecture\n"
                            "• Cut the benchmark slides to two\n"
                            "• Rehearse with the team on Thursday\n\n"
                            "Code review\n"
                            "• Ask one question per comment instead of prescribing\n"
                            "• Aiko to pair with Jonas on the next review\n", -1);
  rp_agenda_panel_add (agenda, "Check-in", 5);
  rp_agenda_panel_add (agenda, "Conference talk outline", 20);
  rp_agenda_panel_add (agenda, "Code review habits", 15);
  rp_agenda_panel_add (agenda, "Next steps and action items", 5);
  first = g_list_model_get_item (G_LIST_MODEL (items), 0);
  current = g_list_model_get_item (G_LIST_MODEL (items), 1);
  for (guint i = 0; i < 4 * 60 + 40; i++)
    rp_agenda_entry_add_second (first);
  rp_agenda_entry_set_done (first, TRUE);
  for (guint i = 0; i < 12 * 60 + 34; i++)
    rp_agenda_entry_add_second (current);
  rp_agenda_panel_set_running (agenda, TRUE);
}

static RpSession *
join_as_partner (const char *link)
{
  g_autoptr (GError) error = NULL;
  RpSession *partner = rp_session_new ();

  g_object_set (partner, "name", "Aiko Tanaka", "video-source", "Demo Camera Aiko",
                "audio-source", "test", "audio-sink", "none", NULL);
  if (!rp_session_join_link (partner, link, &error))
    g_error ("Partner could not join: %s", error->message);
  return partner;
}

static void
shoot_home (GtkWidget *window)
{
  GtkWidget *home = rp_window_get_home_view (RP_WINDOW (window));

  gtk_window_resize (GTK_WINDOW (window), 1200, 940);
  settle (window, 10);
  grab (window, "home.png");
  if (tour)
    {
      GtkPopover *add = GTK_POPOVER (gtk_widget_get_template_child (home, RP_TYPE_HOME_VIEW,
                                                                    "add_partner_popover"));

      gtk_popover_popup (add);
      settle (window, 15);
      grab (GTK_WIDGET (add), "tour-home-add-partner.png");
      gtk_popover_popdown (add);
      rp_window_join_link (RP_WINDOW (window), "rapport://127.0.0.1:1/not-a-room");
      settle (window, 30);
      grab (window, "tour-home-bad-link.png");
    }
  gtk_window_resize (GTK_WINDOW (window), 1200, 760);
}

/* The popover is drawn into its window's own GdkWindow, not the main one: grab both. */
static void
shoot_popover (GtkWidget *window, RpCallView *call_view, const char *button, const char *name)
{
  GtkMenuButton *menu_button = GTK_MENU_BUTTON (gtk_widget_get_template_child (
    GTK_WIDGET (call_view), RP_TYPE_CALL_VIEW, button));
  GtkPopover *popover = gtk_menu_button_get_popover (menu_button);

  gtk_popover_popup (popover);
  settle (window, 15);
  grab (GTK_WIDGET (popover), name);
  gtk_popover_popdown (popover);
}

static void
shoot_call (GtkWidget *window)
{
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (RP_WINDOW (window)));
  g_autoptr (RpSession) partner = NULL;
  g_autoptr (GstPad) pad = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (window), "start-session", NULL);
  wait_for ("the join link", link_shown, call_view);
  if (tour)
    {
      settle (window, 30);
      grab (window, "tour-waiting.png");
      gtk_window_resize (GTK_WINDOW (window), 640, 560);
      settle (window, 30);
      grab (window, "tour-waiting-narrow.png");
      gtk_window_resize (GTK_WINDOW (window), 1200, 760);
      rp_call_view_show_panel_page (call_view, "agenda");
      settle (window, 30);
      grab (window, "tour-agenda-empty.png");
    }
  pad = gst_element_get_static_pad (rp_call_view_get_remote_sink (call_view), "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, NULL, NULL);
  partner = join_as_partner (rp_call_view_get_link (call_view));
  fill_side_panel (call_view);
  rp_call_view_show_panel_page (call_view, "agenda");
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  wait_for ("the partner's video", call_ready, call_view);
  settle (window, 30);
  grab (window, "call.png");
  if (tour)
    {
      rp_call_view_show_panel_page (call_view, "notes");
      gtk_window_set_focus (GTK_WINDOW (window), NULL);
      settle (window, 30);
      grab (window, "tour-call-notes.png");
      gtk_window_resize (GTK_WINDOW (window), 720, 600);
      settle (window, 20);
      grab (window, "tour-call-narrow.png");
      gtk_window_resize (GTK_WINDOW (window), 1200, 760);
      shoot_popover (window, call_view, "verification_button", "tour-call-code.png");
      shoot_popover (window, call_view, "quality_button", "tour-call-quality.png");
      shoot_popover (window, call_view, "devices_button", "tour-call-devices.png");
      hdy_style_manager_set_color_scheme (hdy_style_manager_get_default (),
                                          HDY_COLOR_SCHEME_FORCE_DARK);
      settle (window, 30);
      grab (window, "tour-call-dark.png");
      /* The telephone case: the partner's camera off, their voice on the meters, ours muted. */
      hdy_style_manager_set_color_scheme (hdy_style_manager_get_default (),
                                          HDY_COLOR_SCHEME_DEFAULT);
      g_object_set (partner, "camera-enabled", FALSE, NULL);
      g_action_group_activate_action (G_ACTION_GROUP (window), "toggle-mic", NULL);
      settle (window, 60);
      grab (window, "tour-call-audio-muted.png");
      g_action_group_activate_action (G_ACTION_GROUP (window), "toggle-mic", NULL);
    }

  g_action_group_activate_action (G_ACTION_GROUP (window), "hang-up", NULL);
  rp_session_hang_up (partner);
  if (tour)
    {
      settle (window, 30);
      grab (window, "tour-home-dark.png");
    }
}

/* The newest toplevel of a type other than the main window (dialogs have no handle). */
static GtkWidget *
find_toplevel (GType type)
{
  g_autoptr (GList) windows = gtk_window_list_toplevels ();
  GtkWidget *found = NULL;

  for (GList *l = windows; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  return found;
}

static gboolean
toplevel_shown (gpointer type)
{
  GtkWidget *window = find_toplevel ((GType) GPOINTER_TO_SIZE (type));

  return window != NULL && gtk_widget_get_mapped (window);
}

static void
shoot_toplevel (GType type, const char *name)
{
  GtkWidget *window;

  wait_for (name, toplevel_shown, GSIZE_TO_POINTER (type));
  window = find_toplevel (type);
  settle (window, 15);
  grab (window, name);
  gtk_widget_destroy (window);
}

static void
on_results_changed (gboolean *done)
{
  *done = TRUE;
}

static gboolean
flag_set (gpointer flag)
{
  return *(gboolean *) flag;
}

/* The record of the newest session, as a click on it (here or on the home view) opens it. */
static void
shoot_history_record (GtkWidget *dialog)
{
  GPtrArray *recent = rp_history_dialog_get_results (RP_HISTORY_DIALOG (dialog));
  gboolean shown = FALSE;
  gulong handler;

  if (recent->len == 0)
    return;
  handler = g_signal_connect_swapped (dialog, "session-shown", G_CALLBACK (on_results_changed),
                                      &shown);
  rp_history_dialog_show_session (RP_HISTORY_DIALOG (dialog),
                                  ((RpSearchHit *) recent->pdata[0])->session_id);
  wait_for ("the session's record", flag_set, &shown);
  g_signal_handler_disconnect (dialog, handler);
  settle (dialog, 15);
  grab (dialog, "tour-history-session.png");
  gtk_button_clicked (GTK_BUTTON (gtk_widget_get_template_child (dialog, RP_TYPE_HISTORY_DIALOG,
                                                                 "back_button")));
}

/* Past Sessions with a search typed, so that the found words show in context. */
static void
shoot_history (GtkWidget *window)
{
  GtkWidget *dialog;
  gboolean searched = FALSE;

  g_action_group_activate_action (G_ACTION_GROUP (window), "history", NULL);
  wait_for ("the history dialog", toplevel_shown, GSIZE_TO_POINTER (RP_TYPE_HISTORY_DIALOG));
  dialog = find_toplevel (RP_TYPE_HISTORY_DIALOG);
  if (tour)
    {
      settle (dialog, 15);
      grab (dialog, "tour-history-recent.png");
      shoot_history_record (dialog);
    }
  g_signal_connect_swapped (dialog, "results-changed", G_CALLBACK (on_results_changed),
                            &searched);
  rp_history_dialog_search (RP_HISTORY_DIALOG (dialog), "talk");
  wait_for ("the search", flag_set, &searched);
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
  settle (dialog, 15);
  grab (dialog, "history.png");
  gtk_widget_destroy (dialog);
}

static void
shoot_dialogs (GtkWidget *window)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));

  g_action_group_activate_action (G_ACTION_GROUP (window), "schedule",
                                  g_variant_new_string ("Aiko Tanaka"));
  shoot_toplevel (RP_TYPE_SCHEDULE_DIALOG, "tour-schedule.png");
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  shoot_toplevel (GTK_TYPE_ABOUT_DIALOG, "tour-about.png");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  shoot_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, "tour-shortcuts.png");
}

/* libhandy 1.8 has no call for it: the pages live in a GtkStack of the window. */
static void
find_pages (GtkWidget *widget, gpointer stack)
{
  if (HDY_IS_PREFERENCES_PAGE (widget) && GTK_IS_STACK (gtk_widget_get_parent (widget)))
    *(GtkWidget **) stack = gtk_widget_get_parent (widget);
  else if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), find_pages, stack);
}

static void
show_last_page (GtkWidget *prefs)
{
  GtkWidget *stack = NULL;
  g_autoptr (GList) pages = NULL;

  find_pages (prefs, &stack);
  g_assert (stack != NULL);
  pages = gtk_container_get_children (GTK_CONTAINER (stack));
  gtk_stack_set_visible_child (GTK_STACK (stack), g_list_last (pages)->data);
}

static void
shoot_preferences (GtkApplication *app)
{
  GtkWindow *prefs = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (RP_IS_PREFERENCES_WINDOW (l->data))
      prefs = l->data;
  g_assert (prefs != NULL);
  wait_for ("the preferences", is_mapped, prefs);
  settle (GTK_WIDGET (prefs), 20);
  grab (GTK_WIDGET (prefs), "preferences.png");
  if (tour)
    {
      show_last_page (GTK_WIDGET (prefs));
      settle (GTK_WIDGET (prefs), 20);
      grab (GTK_WIDGET (prefs), "tour-preferences-devices.png");
      g_settings_set_string (rp_application_get_settings (RP_APPLICATION (app)), "camera", "none");
      settle (GTK_WIDGET (prefs), 20);
      grab (GTK_WIDGET (prefs), "tour-preferences-no-camera.png");
      g_settings_set_string (rp_application_get_settings (RP_APPLICATION (app)), "camera",
                             "Demo Camera Sam");
    }
  gtk_widget_destroy (GTK_WIDGET (prefs));
}

int
main (int argc, char **argv)
{
  g_autoptr (RpApplication) app = NULL;
  g_autoptr (GError) error = NULL;
  GSettings *settings;
  GtkWidget *window;

  gtk_init (&argc, &argv);
  gst_init (&argc, &argv);
  tour = argc == 4 && g_str_equal (argv[3], "--tour");
  if (argc != 3 && !tour)
    g_error ("usage: %s ASSETS_DIR OUT_DIR [--tour]", argv[0]);
  out_dir = argv[2];
  if (!rp_demo_data_seed (&error))
    g_error ("Could not fill the demo store: %s", error->message);
  if (!rp_demo_camera_provider_register (argv[1]))
    g_error ("Could not register the demo cameras");

  app = rp_application_new (G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);
  settings = rp_application_get_settings (app);
  g_settings_set_string (settings, "display-name", "Sam Rivera");
  g_settings_set_string (settings, "time-zone", "Europe/Berlin");
  g_settings_set_string (settings, "camera", "Demo Camera Sam");
  g_settings_set_string (settings, "microphone", "test");
  g_settings_set_string (settings, "speaker", "none");
  g_settings_set_boolean (settings, "call-sounds", TRUE);

  /* The pointer rests in a corner, so no row shows a hover highlight. */
  gdk_device_warp (gdk_seat_get_pointer (gdk_display_get_default_seat (gdk_display_get_default ())),
                   gdk_screen_get_default (), 1900, 1060);
  g_application_activate (G_APPLICATION (app));
  window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  wait_for ("the main window", is_mapped, window);

  shoot_home (window);
  shoot_preferences (GTK_APPLICATION (app));
  shoot_history (window);
  if (tour)
    shoot_dialogs (window);
  shoot_call (window);
  gtk_widget_destroy (window);
  return 0;
}
