/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <handy.h>

#include "rp-home-view.h"
#include "rp-proposal-center.h"

struct _RpHomeView
{
  GtkBin parent_instance;

  GtkRevealer *error_revealer;
  GtkInfoBar *error_bar;
  GtkLabel *error_label;
  GtkEntry *join_entry;
  GtkButton *join_button;
  GtkListBox *partners_list;
  GtkListBox *upcoming_list;
  GtkListBox *recent_list;
  GtkPopover *add_partner_popover;
  GtkEntry *partner_name_entry;
  GtkEntry *partner_zone_entry;
  GtkLabel *partner_error_label;
  GtkButton *partner_add_button;

  RpPartnerBook *book;
  RpProposalCenter *proposals;
  GSettings *settings;
  guint clock_source;
};

G_DEFINE_FINAL_TYPE (RpHomeView, rp_home_view, GTK_TYPE_BIN)

enum {
  SIGNAL_JOIN_REQUESTED,
  SIGNAL_PARTNER_ACTIVATED,
  SIGNAL_SESSION_ACTIVATED,
  SIGNAL_SCHEDULE_REQUESTED,
  SIGNAL_PROPOSALS_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GTimeZone *
rp_own_time_zone (GSettings *settings)
{
  g_autofree char *name = settings ? g_settings_get_string (settings, "time-zone") : NULL;
  GTimeZone *zone = (name != NULL && *name != '\0') ? g_time_zone_new_identifier (name) : NULL;

  return zone != NULL ? zone : g_time_zone_new_local ();
}

static GtkWidget *
make_placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "dim-label");
  gtk_widget_show (label);
  return label;
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added,
                  GtkWidget *list)
{
  GtkWidget *empty = g_object_get_data (G_OBJECT (list), "rp-empty");
  gboolean has_items = g_list_model_get_n_items (model) > 0;

  gtk_widget_set_visible (list, has_items);
  gtk_widget_set_visible (empty, !has_items);
}

/* The empty-state text sits beside the list, not inside it as a placeholder row: a hidden
 * placeholder would be the list's last child and cost the last real row its bottom border. */
static void
bind_list (RpHomeView              *self,
           GtkListBox              *list,
           GListModel              *model,
           GtkListBoxCreateWidgetFunc create,
           const char              *empty_text)
{
  GtkWidget *empty = g_object_get_data (G_OBJECT (list), "rp-empty");

  if (empty == NULL)
    {
      empty = make_placeholder (empty_text);
      gtk_container_add (GTK_CONTAINER (gtk_widget_get_parent (GTK_WIDGET (list))), empty);
      g_object_set_data (G_OBJECT (list), "rp-empty", empty);
    }
  gtk_list_box_bind_model (list, model, create, self, NULL);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), list, 0);
  on_items_changed (model, 0, 0, 0, GTK_WIDGET (list));
}

static void
update_partner_row (RpHomeView *self, HdyActionRow *row)
{
  RpPartnerItem *partner = g_object_get_data (G_OBJECT (row), "partner");
  GtkLabel *status = g_object_get_data (G_OBJECT (row), "status");
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GTimeZone) own = rp_own_time_zone (self->settings);
  g_autofree char *subtitle = rp_partner_item_describe_now (partner, now, own);
  gboolean working = rp_partner_item_is_working_at (partner, now);
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (status));

  hdy_action_row_set_subtitle (row, subtitle);
  gtk_label_set_label (status, working ? _("Working hours") : _("Off hours"));
  if (working)
    gtk_style_context_remove_class (context, "dim-label");
  else
    gtk_style_context_add_class (context, "dim-label");
}

static void
update_row_cb (GtkWidget *row, gpointer user_data)
{
  if (HDY_IS_ACTION_ROW (row) && g_object_get_data (G_OBJECT (row), "partner") != NULL)
    update_partner_row (user_data, HDY_ACTION_ROW (row));
}

static void
on_schedule_clicked (GtkButton *button, RpHomeView *self)
{
  RpPartnerItem *partner = g_object_get_data (G_OBJECT (button), "partner");

  g_signal_emit (self, signals[SIGNAL_SCHEDULE_REQUESTED], 0, partner);
}

static GtkWidget *
make_schedule_button (RpHomeView *self, RpPartnerItem *partner)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("x-office-calendar-symbolic",
                                                     GTK_ICON_SIZE_BUTTON);
  g_autofree char *label = g_strdup_printf (_("Find a time with %s"),
                                            rp_partner_item_get_name (partner));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, label);
  atk_object_set_name (gtk_widget_get_accessible (button), label);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "flat");
  g_object_set_data (G_OBJECT (button), "partner", partner);
  g_signal_connect (button, "clicked", G_CALLBACK (on_schedule_clicked), self);
  return button;
}

/* --- proposals waiting for an answer: a button on the partner's row ---------------------- */

static void
on_proposals_clicked (GtkButton *button, RpHomeView *self)
{
  RpPartnerItem *partner = g_object_get_data (G_OBJECT (button), "proposals-partner");

  g_signal_emit (self, signals[SIGNAL_PROPOSALS_REQUESTED], 0, partner);
}

static void
update_proposals_button (RpHomeView *self, GtkWidget *row)
{
  GtkWidget *button = g_object_get_data (G_OBJECT (row), "proposals");
  RpPartnerItem *partner = g_object_get_data (G_OBJECT (row), "partner");
  guint n = self->proposals != NULL ? rp_proposal_center_count_incoming (self->proposals, partner)
                                    : 0;
  g_autofree char *label = NULL;
  g_autofree char *tooltip = NULL;

  if (button == NULL)
    return;
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u proposal", "%u proposals", n), n);
  tooltip = g_strdup_printf (_("Answer the times %s proposed"), rp_partner_item_get_name (partner));
  gtk_button_set_label (GTK_BUTTON (button), label);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_visible (button, n > 0);
}

static void
update_proposals_cb (GtkWidget *row, gpointer user_data)
{
  update_proposals_button (user_data, row);
}

static void
on_proposals_changed (RpHomeView *self)
{
  gtk_container_foreach (GTK_CONTAINER (self->partners_list), update_proposals_cb, self);
}

static GtkWidget *
make_proposals_button (RpHomeView *self, RpPartnerItem *partner)
{
  GtkWidget *button = gtk_button_new ();
  GtkStyleContext *context = gtk_widget_get_style_context (button);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_no_show_all (button, TRUE);
  gtk_style_context_add_class (context, "suggested-action");
  gtk_style_context_add_class (context, "rp-proposals-badge");
  g_object_set_data (G_OBJECT (button), "proposals-partner", partner);
  g_signal_connect (button, "clicked", G_CALLBACK (on_proposals_clicked), self);
  return button;
}

void
rp_home_view_set_proposals (RpHomeView *self, RpProposalCenter *center)
{
  g_return_if_fail (RP_IS_HOME_VIEW (self));

  if (self->proposals != NULL)
    g_signal_handlers_disconnect_by_data (self->proposals, self);
  g_set_object (&self->proposals, center);
  if (center != NULL)
    g_signal_connect_object (center, "changed", G_CALLBACK (on_proposals_changed), self,
                             G_CONNECT_SWAPPED);
  on_proposals_changed (self);
}

static GtkWidget *
create_partner_row (gpointer item, gpointer user_data)
{
  RpHomeView *self = user_data;
  RpPartnerItem *partner = item;
  GtkWidget *row = hdy_action_row_new ();
  GtkWidget *avatar = hdy_avatar_new (40, rp_partner_item_get_name (partner), TRUE);
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *proposals = make_proposals_button (self, partner);
  GtkWidget *go = gtk_image_new_from_icon_name ("call-start-symbolic", GTK_ICON_SIZE_BUTTON);
  g_autofree char *tooltip = g_strdup_printf (_("Start a session with %s"),
                                              rp_partner_item_get_name (partner));

  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), rp_partner_item_get_name (partner));
  hdy_action_row_add_prefix (HDY_ACTION_ROW (row), avatar);
  gtk_style_context_add_class (gtk_widget_get_style_context (status), "rp-working-hours");
  gtk_container_add (GTK_CONTAINER (row), status);
  gtk_container_add (GTK_CONTAINER (row), proposals);
  gtk_container_add (GTK_CONTAINER (row), make_schedule_button (self, partner));
  gtk_container_add (GTK_CONTAINER (row), go);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, tooltip);
  g_object_set_data_full (G_OBJECT (row), "partner", g_object_ref (partner), g_object_unref);
  g_object_set_data (G_OBJECT (row), "status", status);
  g_object_set_data (G_OBJECT (row), "proposals", proposals);
  update_partner_row (self, HDY_ACTION_ROW (row));
  update_proposals_button (self, row);
  gtk_widget_show_all (row);
  return row;
}

static char *
format_when (GDateTime *instant, GTimeZone *zone)
{
  g_autoptr (GDateTime) local = g_date_time_to_timezone (instant, zone);

  /* Translators: a session's day and time, see strftime(3) */
  return g_date_time_format (local, _("%a %-d %b, %H:%M"));
}

static GtkWidget *
create_upcoming_row (gpointer item, gpointer user_data)
{
  RpHomeView *self = user_data;
  RpSessionItem *record = item;
  GtkWidget *row = hdy_action_row_new ();
  g_autoptr (GTimeZone) own = rp_own_time_zone (self->settings);
  g_autoptr (GTimeZone) theirs = g_time_zone_new_identifier (rp_session_item_get_partner_zone (record));
  g_autofree char *mine = format_when (rp_session_item_get_start (record), own);
  g_autofree char *other = theirs ? format_when (rp_session_item_get_start (record), theirs) : NULL;
  g_autofree char *title = g_strdup_printf (_("%s · %u min"),
                                            rp_session_item_get_partner_name (record),
                                            rp_session_item_get_minutes (record));
  g_autofree char *subtitle = NULL;

  /* Both clocks, because "Tuesday 9:00" is Monday evening for the other person. */
  subtitle = g_strdup_printf (_("%s for you · %s for %s"), mine, other ? other : "?",
                              rp_session_item_get_partner_name (record));
  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), title);
  hdy_action_row_set_subtitle (HDY_ACTION_ROW (row), subtitle);
  hdy_action_row_add_prefix (HDY_ACTION_ROW (row),
                             hdy_avatar_new (32, rp_session_item_get_partner_name (record), TRUE));
  gtk_widget_show_all (row);
  return row;
}

static GtkWidget *
create_recent_row (gpointer item, gpointer user_data)
{
  RpHomeView *self = user_data;
  RpSessionItem *record = item;
  GtkWidget *row = hdy_action_row_new ();
  g_autoptr (GTimeZone) own = rp_own_time_zone (self->settings);
  g_autofree char *when = format_when (rp_session_item_get_start (record), own);
  guint minutes = rp_session_item_get_minutes (record);
  g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u minute",
                                                            "%s · %u minutes", minutes),
                                               when, minutes);

  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row),
                                 rp_session_item_get_partner_name (record));
  hdy_action_row_set_subtitle (HDY_ACTION_ROW (row), subtitle);
  hdy_action_row_add_prefix (HDY_ACTION_ROW (row),
                             hdy_avatar_new (32, rp_session_item_get_partner_name (record), TRUE));
  /* A row opens its session's record: the chevron says it leads somewhere. */
  gtk_container_add (GTK_CONTAINER (row),
                     gtk_image_new_from_icon_name ("go-next-symbolic", GTK_ICON_SIZE_BUTTON));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Open this session's notes and agenda"));
  g_object_set_data_full (G_OBJECT (row), "session", g_object_ref (record), g_object_unref);
  gtk_widget_show_all (row);
  return row;
}

static gboolean
on_clock_tick (gpointer user_data)
{
  RpHomeView *self = user_data;

  gtk_container_foreach (GTK_CONTAINER (self->partners_list), update_row_cb, self);
  return G_SOURCE_CONTINUE;
}

static void
on_error_response (RpHomeView *self, int response, GtkInfoBar *bar)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
on_join_changed (RpHomeView *self, GtkEntry *entry)
{
  const char *text = gtk_entry_get_text (entry);

  gtk_widget_set_sensitive (GTK_WIDGET (self->join_button), *text != '\0');
}

static void
on_join_clicked (RpHomeView *self)
{
  g_autofree char *link = g_strstrip (g_strdup (gtk_entry_get_text (self->join_entry)));

  if (*link != '\0')
    g_signal_emit (self, signals[SIGNAL_JOIN_REQUESTED], 0, link);
}

static void
on_partner_activated (RpHomeView *self, GtkListBoxRow *row)
{
  RpPartnerItem *partner = g_object_get_data (G_OBJECT (row), "partner");

  if (partner != NULL)
    g_signal_emit (self, signals[SIGNAL_PARTNER_ACTIVATED], 0, partner);
}

static void
on_recent_activated (RpHomeView *self, GtkListBoxRow *row)
{
  RpSessionItem *session = g_object_get_data (G_OBJECT (row), "session");

  if (session != NULL)
    g_signal_emit (self, signals[SIGNAL_SESSION_ACTIVATED], 0, session);
}

static void
on_add_partner_shown (RpHomeView *self)
{
  g_autoptr (GTimeZone) own = rp_own_time_zone (self->settings);

  gtk_entry_set_text (self->partner_name_entry, "");
  gtk_entry_set_text (self->partner_zone_entry, g_time_zone_get_identifier (own));
  gtk_widget_hide (GTK_WIDGET (self->partner_error_label));
  gtk_widget_grab_default (GTK_WIDGET (self->partner_add_button));
  gtk_widget_grab_focus (GTK_WIDGET (self->partner_name_entry));
}

static void
on_add_partner_clicked (RpHomeView *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *zone = g_strstrip (g_strdup (gtk_entry_get_text (self->partner_zone_entry)));

  if (!rp_partner_book_add_partner (self->book, gtk_entry_get_text (self->partner_name_entry),
                                    zone, &error))
    {
      gtk_label_set_label (self->partner_error_label, error->message);
      gtk_widget_show (GTK_WIDGET (self->partner_error_label));
      return;
    }
  gtk_popover_popdown (self->add_partner_popover);
}

static void
rp_home_view_dispose (GObject *object)
{
  RpHomeView *self = RP_HOME_VIEW (object);

  g_clear_handle_id (&self->clock_source, g_source_remove);
  g_clear_object (&self->book);
  g_clear_object (&self->proposals);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (rp_home_view_parent_class)->dispose (object);
}

/* An error is about what was just tried: once the user has gone on to a call it is stale
 * (a failed join stayed on top of the home view after a later call). */
static void
rp_home_view_unmap (GtkWidget *widget)
{
  RpHomeView *self = RP_HOME_VIEW (widget);

  GTK_WIDGET_CLASS (rp_home_view_parent_class)->unmap (widget);
  /* Unmapped, the revealer hides at once instead of sliding away on the way back. */
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
rp_home_view_class_init (RpHomeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_home_view_dispose;
  widget_class->unmap = rp_home_view_unmap;

  signals[SIGNAL_JOIN_REQUESTED] =
    g_signal_new ("join-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SCHEDULE_REQUESTED] =
    g_signal_new ("schedule-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, RP_TYPE_PARTNER_ITEM);
  /* The partner's row shows proposals waiting for an answer; its button asks to see them. */
  signals[SIGNAL_PROPOSALS_REQUESTED] =
    g_signal_new ("proposals-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, RP_TYPE_PARTNER_ITEM);
  signals[SIGNAL_PARTNER_ACTIVATED] =
    g_signal_new ("partner-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, RP_TYPE_PARTNER_ITEM);
  /* A recent session's row asks to see its record. */
  signals[SIGNAL_SESSION_ACTIVATED] =
    g_signal_new ("session-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, RP_TYPE_SESSION_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-home-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, error_bar);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, error_label);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, join_entry);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, join_button);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, partners_list);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, upcoming_list);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, recent_list);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, add_partner_popover);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, partner_name_entry);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, partner_zone_entry);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, partner_error_label);
  gtk_widget_class_bind_template_child (widget_class, RpHomeView, partner_add_button);
  /* Not needed by the code, but reachable through gtk_widget_get_template_child () for tests. */
  gtk_widget_class_bind_template_child_full (widget_class, "start_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_error_response);
  gtk_widget_class_bind_template_callback (widget_class, on_join_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_join_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_partner_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_recent_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_add_partner_shown);
  gtk_widget_class_bind_template_callback (widget_class, on_add_partner_clicked);
  gtk_widget_class_set_css_name (widget_class, "rp-home-view");
}

static void
rp_home_view_init (RpHomeView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* A labelled button rather than the bar's own unnamed close icon. */
  gtk_info_bar_add_button (self->error_bar, _("_Dismiss"), GTK_RESPONSE_CLOSE);
  /* Partners' clocks show minutes; a 20 s tick keeps them at most that late. */
  self->clock_source = g_timeout_add_seconds (20, on_clock_tick, self);
}

void
rp_home_view_set_book (RpHomeView *self, RpPartnerBook *book, GSettings *settings)
{
  g_return_if_fail (RP_IS_HOME_VIEW (self));

  g_set_object (&self->book, book);
  g_set_object (&self->settings, settings);
  bind_list (self, self->partners_list, rp_partner_book_get_partners (book), create_partner_row,
             _("Add the people you mentor or learn from"));
  bind_list (self, self->upcoming_list, rp_partner_book_get_upcoming (book), create_upcoming_row,
             _("Nothing scheduled"));
  bind_list (self, self->recent_list, rp_partner_book_get_recent (book), create_recent_row,
             _("No sessions yet"));
}

void
rp_home_view_show_error (RpHomeView *self, const char *message)
{
  g_return_if_fail (RP_IS_HOME_VIEW (self));

  gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

void
rp_home_view_focus_join (RpHomeView *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->join_entry));
}

void
rp_home_view_clear_join (RpHomeView *self)
{
  gtk_entry_set_text (self->join_entry, "");
}
