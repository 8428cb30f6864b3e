/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rp-call-view.h"
#include "rp-history-dialog.h"
#include "rp-home-view.h"
#include "rp-partner-book.h"
#include "rp-proposal-center.h"
#include "rp-proposals-dialog.h"
#include "rp-reminders.h"
#include "rp-schedule-flow.h"
#include "rp-window.h"

struct _RpWindow
{
  HdyApplicationWindow parent_instance;

  HdyHeaderBar *header_bar;
  GtkWidget *panel_button;
  GtkStack *main_stack;
  RpHomeView *home_view;
  RpCallView *call_view;

  GSettings *settings;
  RpPartnerBook *book;
  RpProposalCenter *proposals;
  RpReminders *reminders;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (RpWindow, rp_window, HDY_TYPE_APPLICATION_WINDOW)

static void
set_action_enabled (RpWindow *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* Call-only actions are disabled on the home view so that their shortcuts do nothing there. */
static void
show_page (RpWindow *self, const char *page)
{
  gboolean in_call = g_strcmp0 (page, "call") == 0;
  static const char *call_actions[] = {
    "hang-up", "toggle-mic", "toggle-camera", "copy-link", "show-verification",
    "show-notes", "show-agenda",
  };

  gtk_stack_set_visible_child_name (self->main_stack, page);
  gtk_widget_set_visible (self->panel_button, in_call);
  for (gsize i = 0; i < G_N_ELEMENTS (call_actions); i++)
    set_action_enabled (self, call_actions[i], in_call);
  set_action_enabled (self, "start-session", !in_call);
  set_action_enabled (self, "join", !in_call);
  if (!in_call)
    hdy_header_bar_set_subtitle (self->header_bar, NULL);
}

static void
reset_call_toggles (RpWindow *self)
{
  g_action_change_state (g_action_map_lookup_action (G_ACTION_MAP (self), "toggle-mic"),
                         g_variant_new_boolean (FALSE));
  g_action_change_state (g_action_map_lookup_action (G_ACTION_MAP (self), "toggle-camera"),
                         g_variant_new_boolean (FALSE));
}

void
rp_window_start_session (RpWindow *self, RpPartnerItem *partner)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (RP_IS_WINDOW (self));
  if (rp_call_view_is_active (self->call_view))
    return;
  if (!rp_call_view_host (self->call_view, partner, &error))
    {
      rp_home_view_show_error (self->home_view, error->message);
      return;
    }
  reset_call_toggles (self);
  show_page (self, "call");
}

void
rp_window_join_link (RpWindow *self, const char *link)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (RP_IS_WINDOW (self));
  if (rp_call_view_is_active (self->call_view))
    {
      rp_home_view_show_error (self->home_view,
                               _("You are already in a call. Hang up first to join another."));
      return;
    }
  if (!rp_call_view_join (self->call_view, link, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not join: %s"), error->message);

      show_page (self, "home");
      rp_home_view_show_error (self->home_view, message);
      return;
    }
  rp_home_view_clear_join (self->home_view);
  reset_call_toggles (self);
  show_page (self, "call");
}

static void
on_call_finished (RpWindow *self, const char *error)
{
  show_page (self, "home");
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The call ended: %s"), error);
      rp_home_view_show_error (self->home_view, message);
    }
}

static void
on_join_requested (RpWindow *self, const char *link)
{
  rp_window_join_link (self, link);
}

static void
on_partner_activated (RpWindow *self, RpPartnerItem *partner)
{
  rp_window_start_session (self, partner);
}

/* A partner row's calendar button: the same as win.schedule for that partner. */
static void
on_schedule_requested (RpWindow *self, RpPartnerItem *partner)
{
  g_action_group_activate_action (G_ACTION_GROUP (self), "schedule",
                                  g_variant_new_string (rp_partner_item_get_name (partner)));
}

static void
on_book_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!rp_partner_book_load_finish (RP_PARTNER_BOOK (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    rp_home_view_show_error (RP_WINDOW (user_data)->home_view, error->message);
}

/* --- actions ------------------------------------------------------------------------- */

static void
on_start_session (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  rp_window_start_session (user_data, NULL);
}

static void
on_join (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  RpWindow *self = user_data;

  show_page (self, "home");
  rp_home_view_focus_join (self->home_view);
}

static void
on_hang_up (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  rp_call_view_hang_up (RP_WINDOW (user_data)->call_view);
}

static void
on_toggle_mic (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  g_simple_action_set_state (action, state);
  rp_call_view_set_muted (RP_WINDOW (user_data)->call_view, g_variant_get_boolean (state));
}

static void
on_toggle_camera (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  g_simple_action_set_state (action, state);
  /* The action's state is "camera off", so that the pressed button means off, like mute. */
  rp_call_view_set_camera_enabled (RP_WINDOW (user_data)->call_view,
                                   !g_variant_get_boolean (state));
}

static void
on_copy_link (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  RpWindow *self = user_data;
  const char *link = rp_call_view_get_link (self->call_view);

  if (link == NULL || *link == '\0')
    return;
  gtk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self), GDK_SELECTION_CLIPBOARD),
                          link, -1);
  hdy_header_bar_set_subtitle (self->header_bar, _("Link copied"));
}

static void
on_show_verification (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  rp_call_view_show_verification (RP_WINDOW (user_data)->call_view);
}

static void
on_show_notes (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  rp_call_view_show_panel_page (RP_WINDOW (user_data)->call_view, "notes");
}

static void
on_show_agenda (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  rp_call_view_show_panel_page (RP_WINDOW (user_data)->call_view, "agenda");
}

static void
on_toggle_panel (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  RpWindow *self = user_data;

  g_settings_set_boolean (self->settings, "side-panel-open", g_variant_get_boolean (state));
}

static void
on_panel_setting_changed (RpWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "toggle-panel");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (g_settings_get_boolean (self->settings,
                                                                            "side-panel-open")));
}

static void
on_fullscreen (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *window = user_data;
  GdkWindow *gdk_window = gtk_widget_get_window (GTK_WIDGET (window));

  if (gdk_window != NULL && (gdk_window_get_state (gdk_window) & GDK_WINDOW_STATE_FULLSCREEN))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

/* The partner by name, or with "" the first one (the primary menu's entry). */
static void
on_schedule (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  RpWindow *self = user_data;
  const char *name = g_variant_get_string (param, NULL);
  GListModel *partners = rp_partner_book_get_partners (self->book);
  g_autoptr (RpPartnerItem) partner = NULL;
  RpScheduleDialog *dialog;

  if (*name != '\0')
    partner = g_object_ref (rp_partner_book_find_partner (self->book, name));
  else if (g_list_model_get_n_items (partners) > 0)
    partner = g_list_model_get_item (partners, 0);
  if (partner == NULL)
    {
      show_page (self, "home");
      rp_home_view_show_error (self->home_view,
                               _("Add a partner first: scheduling finds times that suit you both."));
      return;
    }
  dialog = rp_schedule_flow_open (GTK_WINDOW (self), self->book, self->settings, partner,
                                  rp_call_view_is_active (self->call_view)
                                    ? rp_call_view_get_link (self->call_view) : NULL);
  rp_schedule_flow_set_proposals (dialog, self->proposals);
}

/* The partner's proposals waiting for an answer (a row's button, the in-call notification). */
static void
open_proposals (RpWindow *self, RpPartnerItem *partner)
{
  RpProposalExchange *exchange =
    partner != NULL ? rp_proposal_center_get_exchange (self->proposals, partner) : NULL;
  g_autoptr (GTimeZone) own = rp_own_time_zone (self->settings);

  if (exchange == NULL)
    return;   /* the store is still opening */
  gtk_widget_show (GTK_WIDGET (rp_proposals_dialog_new (GTK_WINDOW (self), exchange,
                                                        rp_partner_item_get_name (partner),
                                                        g_time_zone_get_identifier (own))));
}

static void
on_proposals (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  RpWindow *self = user_data;

  open_proposals (self, rp_partner_book_find_partner (self->book,
                                                      g_variant_get_string (param, NULL)));
}

/* Past Sessions on its list, or (session_id > 0) on that session's record. */
static void
open_history (RpWindow *self, gint64 session_id)
{
  RpStore *store = rp_partner_book_get_store (self->book);
  RpHistoryDialog *dialog;

  if (store == NULL)
    return;   /* still opening: the menu item is a moment early */
  dialog = rp_history_dialog_new (GTK_WINDOW (self), store);
  rp_history_dialog_set_recent (dialog, rp_partner_book_get_recent (self->book));
  if (session_id > 0)
    rp_history_dialog_show_session (dialog, session_id);
  gtk_widget_show (GTK_WIDGET (dialog));
}

static void
on_history (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_history (user_data, 0);
}

/* A recent session on the home view: its record, in the history dialog (whose back button
 * leads on to the others). */
static void
on_session_activated (RpWindow *self, RpSessionItem *item)
{
  const RpSessionRecord *record = rp_session_item_get_record (item);

  if (record != NULL && record->id > 0)
    open_history (self, record->id);
}

static const GActionEntry win_actions[] = {
  { "schedule", on_schedule, "s" },
  { "history", on_history },
  { "proposals", on_proposals, "s" },
  { "start-session", on_start_session },
  { "join", on_join },
  { "hang-up", on_hang_up },
  { "toggle-mic", NULL, NULL, "false", on_toggle_mic },
  { "toggle-camera", NULL, NULL, "false", on_toggle_camera },
  { "copy-link", on_copy_link },
  { "show-verification", on_show_verification },
  { "show-notes", on_show_notes },
  { "show-agenda", on_show_agenda },
  { "toggle-panel", NULL, NULL, "true", on_toggle_panel },
  { "fullscreen", on_fullscreen },
};

/* --- GObject --------------------------------------------------------------------------- */

static gboolean
rp_window_close_request (GtkWidget *widget, GdkEventAny *event)
{
  RpWindow *self = RP_WINDOW (widget);
  GdkWindow *gdk_window = gtk_widget_get_window (widget);
  int width, height;

  rp_call_view_hang_up (self->call_view);
  gtk_window_get_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (gdk_window != NULL && !gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  return GTK_WIDGET_CLASS (rp_window_parent_class)->delete_event (widget, event);
}

/* For startup measurements: the wall-clock moment the first window is on screen. */
static gboolean
on_first_map (GtkWidget *widget, GdkEvent *event, gpointer user_data)
{
  g_debug ("first window mapped at real time %" G_GINT64_FORMAT " us", g_get_real_time ());
  g_signal_handlers_disconnect_by_func (widget, on_first_map, user_data);
  return GDK_EVENT_PROPAGATE;
}

static void
rp_window_dispose (GObject *object)
{
  RpWindow *self = RP_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->reminders);
  g_clear_object (&self->proposals);
  g_clear_object (&self->book);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (rp_window_parent_class)->dispose (object);
}

static void
rp_window_class_init (RpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_window_dispose;
  widget_class->delete_event = rp_window_close_request;

  g_type_ensure (RP_TYPE_HOME_VIEW);
  g_type_ensure (RP_TYPE_CALL_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RpWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, RpWindow, panel_button);
  gtk_widget_class_bind_template_child (widget_class, RpWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, RpWindow, home_view);
  gtk_widget_class_bind_template_child (widget_class, RpWindow, call_view);
}

static void
rp_window_init (RpWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions),
                                   self);
  g_signal_connect_swapped (self->home_view, "join-requested", G_CALLBACK (on_join_requested), self);
  g_signal_connect_swapped (self->home_view, "partner-activated",
                            G_CALLBACK (on_partner_activated), self);
  g_signal_connect_swapped (self->home_view, "session-activated",
                            G_CALLBACK (on_session_activated), self);
  g_signal_connect_swapped (self->home_view, "schedule-requested",
                            G_CALLBACK (on_schedule_requested), self);
  g_signal_connect_swapped (self->home_view, "proposals-requested",
                            G_CALLBACK (open_proposals), self);
  g_signal_connect_swapped (self->call_view, "finished", G_CALLBACK (on_call_finished), self);
  g_signal_connect (self, "map-event", G_CALLBACK (on_first_map), NULL);
}

static void
setup (RpWindow *self, RpApplication *application)
{
  self->settings = g_object_ref (rp_application_get_settings (application));
  self->book = rp_partner_book_new (NULL);
  rp_home_view_set_book (self->home_view, self->book, self->settings);
  rp_call_view_setup (self->call_view, self->settings, self->book);
  self->proposals = rp_proposal_center_new (self->book);
  rp_home_view_set_proposals (self->home_view, self->proposals);
  rp_call_view_set_proposals (self->call_view, self->proposals);
  self->reminders = rp_reminders_new (G_APPLICATION (application), self->book, self->settings);
  rp_partner_book_load_async (self->book, self->cancellable, on_book_loaded, self);

  /* The header button and F9 flip the setting; the flap itself follows the setting. */
  g_signal_connect_object (self->settings, "changed::side-panel-open",
                           G_CALLBACK (on_panel_setting_changed), self, G_CONNECT_SWAPPED);
  on_panel_setting_changed (self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  show_page (self, "home");
}

RpWindow *
rp_window_new (RpApplication *application)
{
  RpWindow *self = g_object_new (RP_TYPE_WINDOW, "application", application, NULL);

  setup (self, application);
  return self;
}

GtkWidget *
rp_window_get_home_view (RpWindow *self)
{
  return GTK_WIDGET (self->home_view);
}

GtkWidget *
rp_window_get_call_view (RpWindow *self)
{
  return GTK_WIDGET (self->call_view);
}

const char *
rp_window_get_page (RpWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

/* For tests: the store-backed lists and the reminders behind this window. */
GObject *
rp_window_get_book (RpWindow *self)
{
  return G_OBJECT (self->book);
}

GObject *
rp_window_get_reminders (RpWindow *self)
{
  return G_OBJECT (self->reminders);
}
