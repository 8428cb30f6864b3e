/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the partner proposed, ready to answer. Every time is shown in both clocks because a
 * proposal is written in the proposer's zone: "Tue 10 Mar, 17:00 for you" is what matters to
 * the reader, "09:00 for Aiko" is what was meant.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <handy.h>

#include "rp-proposals-dialog.h"

struct _RpProposalsDialog
{
  GtkDialog parent_instance;

  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  GtkStack *stack;
  GtkBox *groups_box;
  HdyStatusPage *done_page;

  RpProposalExchange *exchange;
  char *partner_name;
  char *own_zone;
};

G_DEFINE_FINAL_TYPE (RpProposalsDialog, rp_proposals_dialog, GTK_TYPE_DIALOG)

#define ID_KEY    "rp-proposal-id"
#define INDEX_KEY "rp-slot-index"
#define ACCEPT_KEY  "rp-accept-buttons"    /* on a group: its Accept buttons, by slot */
#define DECLINE_KEY "rp-decline-button"
/* Instances looked at for a clock change that moves a series for us: half a year of weeks. */
#define WARN_INSTANCES 27

/* ---- texts -------------------------------------------------------------------------------- */

static char *
format_day_time (GDateTime *t)
{
  /* Translators: a day and time, see strftime(3) */
  return g_date_time_format (t, _("%a %-d %b, %H:%M"));
}

/* "09:00 for Aiko", or with the date when it is another day for them. */
static char *
their_time (const RpLocal *start, gint day_shift, const char *name)
{
  g_autoptr (GDateTime) t = NULL;
  g_autofree char *when = NULL;

  if (day_shift == 0)
    return g_strdup_printf (_("%02d:%02d for %s"), start->hour, start->minute, name);
  t = g_date_time_new_utc (start->year, start->month, start->day, start->hour, start->minute, 0);
  when = format_day_time (t);
  return g_strdup_printf (_("%s for %s"), when, name);
}

/* "From 30 March this is 08:00 for you, not 07:00." for a series whose time moves for us. */
static char *
series_warning (RpProposal *proposal, const RpLocal *start, GTimeZone *theirs, GTimeZone *own)
{
  g_autoptr (GArray) occs = NULL;

  if (rp_proposal_get_rrule (proposal) == NULL)
    return NULL;
  occs = rp_schedule_expand (theirs, start, rp_proposal_get_rrule (proposal), own,
                             WARN_INSTANCES, NULL);
  for (guint i = 0; occs != NULL && i < occs->len; i++)
    {
      const RpOccurrence *occ = &g_array_index (occs, RpOccurrence, i);
      g_autoptr (GDateTime) day = NULL;
      g_autofree char *date = NULL;

      if (occ->skipped || !occ->partner_moved)
        continue;
      day = g_date_time_new_utc (occ->partner_local.year, occ->partner_local.month,
                                 occ->partner_local.day, 0, 0, 0);
      date = g_date_time_format (day, "%-d %B");
      return g_strdup_printf (_("From %s this is %02d:%02d for you, not %02d:%02d."), date,
                              occ->partner_local.hour, occ->partner_local.minute,
                              occ->partner_previous.hour, occ->partner_previous.minute);
    }
  return NULL;
}

/* Title: our time. Subtitle: theirs, and the warning if any. FALSE if the slot cannot be read
 * in these zones (it was checked on arrival, so only a zone database change does that). */
static gboolean
slot_texts (RpProposalsDialog *self, RpProposal *proposal, guint index,
            char **title, char **subtitle)
{
  g_autoptr (GTimeZone) theirs = rp_zone_new (rp_proposal_get_zone (proposal), NULL);
  g_autoptr (GTimeZone) own = rp_zone_new (self->own_zone, NULL);
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) mine = NULL;
  g_autofree char *when = NULL;
  g_autofree char *theirs_text = NULL;
  g_autofree char *warning = NULL;
  RpLocal start, own_local;
  gint shift;

  if (own == NULL)
    own = g_time_zone_new_local ();   /* a desktop zone without an IANA name */
  if (theirs == NULL || !rp_proposal_get_slot (proposal, index, &start))
    return FALSE;
  utc = g_date_time_new_from_unix_utc (rp_zone_resolve (theirs, &start, NULL, NULL));
  mine = g_date_time_to_timezone (utc, own);
  rp_zone_local_at (own, g_date_time_to_unix (utc), &own_local);
  shift = rp_local_days_between (&own_local, &start);
  when = format_day_time (mine);
  warning = series_warning (proposal, &start, theirs, own);
  *title = g_strdup_printf (_("%s for you"), when);
  theirs_text = their_time (&start, shift, self->partner_name);
  *subtitle = g_strdup (theirs_text);
  if (warning != NULL)
    {
      char *with = g_strdup_printf ("%s\n⚠ %s", *subtitle, warning);

      g_free (*subtitle);
      *subtitle = with;
    }
  return TRUE;
}

static char *
describe (RpProposal *proposal)
{
  const char *rule = rp_proposal_get_rrule (proposal);
  const char *repeat = rule == NULL ? _("Once")
                     : g_str_has_prefix (rule, "FREQ=WEEKLY;INTERVAL=2") ? _("Every two weeks")
                     : g_str_has_prefix (rule, "FREQ=WEEKLY") ? _("Every week")
                     : g_str_has_prefix (rule, "FREQ=MONTHLY") ? _("Every month")
                     : _("Repeating");
  guint minutes = rp_proposal_get_minutes (proposal);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute · %s · proposed in %s",
                                       "%u minutes · %s · proposed in %s", minutes),
                          minutes, repeat, rp_proposal_get_zone (proposal));
}

/* ---- answering ---------------------------------------------------------------------------- */

static void rebuild (RpProposalsDialog *self);

static void
show_error (RpProposalsDialog *self, const char *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
on_accept_clicked (GtkButton *button, RpProposalsDialog *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), ID_KEY);
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), INDEX_KEY));
  g_autoptr (GError) error = NULL;
  g_autoptr (RpSessionRecord) record = NULL;
  g_autofree char *when = g_strdup (g_object_get_data (G_OBJECT (button), "rp-when"));
  g_autofree char *description = NULL;

  record = rp_proposal_exchange_accept (self->exchange, id, index, &error);
  if (record == NULL)
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  if (rp_proposal_exchange_is_open (self->exchange))
    description = g_strdup_printf (_("%s. %s has your answer and sees it in Upcoming too."), when,
                                   self->partner_name);
  else
    description = g_strdup_printf (_("%s. %s gets your answer when you are next connected."),
                                   when, self->partner_name);
  hdy_status_page_set_description (self->done_page, description);
  rebuild (self);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "empty") == 0)
    gtk_stack_set_visible_child_name (self->stack, "done");
}

static void
on_decline_clicked (GtkButton *button, RpProposalsDialog *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), ID_KEY);
  g_autoptr (GError) error = NULL;

  if (!rp_proposal_exchange_decline (self->exchange, id, &error))
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  rebuild (self);
}

/* ---- rows --------------------------------------------------------------------------------- */

static GtkWidget *
make_button (const char *label, const char *style, const char *tooltip)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), style);
  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static GtkWidget *
make_slot_row (RpProposalsDialog *self, RpProposal *proposal, guint index, GPtrArray *buttons)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  GtkWidget *row, *button;

  if (!slot_texts (self, proposal, index, &title, &subtitle))
    {
      g_ptr_array_add (buttons, NULL);
      return NULL;
    }
  row = hdy_action_row_new ();
  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), title);
  hdy_action_row_set_subtitle (HDY_ACTION_ROW (row), subtitle);
  hdy_action_row_set_subtitle_lines (HDY_ACTION_ROW (row), 3);
  tooltip = g_strdup_printf (_("Accept %s"), title);
  button = make_button (_("_Accept"), "suggested-action", tooltip);
  g_object_set_data_full (G_OBJECT (button), ID_KEY, g_strdup (rp_proposal_get_id (proposal)),
                          g_free);
  g_object_set_data (G_OBJECT (button), INDEX_KEY, GUINT_TO_POINTER (index));
  g_object_set_data_full (G_OBJECT (button), "rp-when", g_strdup (title), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_accept_clicked), self);
  g_ptr_array_add (buttons, button);
  gtk_container_add (GTK_CONTAINER (row), button);
  hdy_action_row_set_activatable_widget (HDY_ACTION_ROW (row), button);
  return row;
}

static GtkWidget *
make_decline_row (RpProposalsDialog *self, RpProposal *proposal, GtkWidget *group)
{
  GtkWidget *row = hdy_action_row_new ();
  GtkWidget *button = make_button (_("_Decline"), "destructive-action",
                                   _("Tell your partner none of these times suit you"));
  const char *title = _("None of these suit you?");
  g_autofree char *subtitle = g_strdup_printf (_("%s can propose other times."),
                                               self->partner_name);

  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), title);
  hdy_action_row_set_subtitle (HDY_ACTION_ROW (row), subtitle);
  g_object_set_data_full (G_OBJECT (button), ID_KEY, g_strdup (rp_proposal_get_id (proposal)),
                          g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_decline_clicked), self);
  g_object_set_data (G_OBJECT (group), DECLINE_KEY, button);
  gtk_container_add (GTK_CONTAINER (row), button);
  return row;
}

static GtkWidget *
make_group (RpProposalsDialog *self, RpProposal *proposal)
{
  GtkWidget *group = hdy_preferences_group_new ();
  g_autofree char *description = describe (proposal);
  const char *summary = rp_proposal_get_summary (proposal);
  GPtrArray *buttons = g_ptr_array_new ();   /* the group's own widgets: no references */

  hdy_preferences_group_set_title (HDY_PREFERENCES_GROUP (group),
                                   summary != NULL ? summary : _("A session"));
  hdy_preferences_group_set_description (HDY_PREFERENCES_GROUP (group), description);
  for (guint i = 0; i < rp_proposal_get_n_slots (proposal); i++)
    {
      GtkWidget *row = make_slot_row (self, proposal, i, buttons);

      if (row != NULL)
        gtk_container_add (GTK_CONTAINER (group), row);
    }
  gtk_container_add (GTK_CONTAINER (group), make_decline_row (self, proposal, group));
  g_object_set_data_full (G_OBJECT (group), ACCEPT_KEY, buttons,
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (group), ID_KEY, g_strdup (rp_proposal_get_id (proposal)),
                          g_free);
  gtk_widget_show_all (group);
  return group;
}

static void
set_title (RpProposalsDialog *self, GPtrArray *pending)
{
  g_autofree char *title = NULL;

  if (pending->len == 1)
    {
      RpProposal *p = ((RpProposalRecord *) pending->pdata[0])->proposal;
      guint n = rp_proposal_get_n_slots (p);

      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s proposes %u time",
                                            "%s proposes %u times", n), self->partner_name, n);
    }
  else if (pending->len > 1)
    title = g_strdup_printf (_("Times proposed by %s"), self->partner_name);
  else
    title = g_strdup_printf (_("Proposals from %s"), self->partner_name);
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
rebuild (RpProposalsDialog *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pending = rp_proposal_exchange_list_incoming (self->exchange, &error);
  g_autoptr (GList) old = gtk_container_get_children (GTK_CONTAINER (self->groups_box));

  for (GList *l = old; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  if (pending == NULL)
    {
      show_error (self, error->message);
      return;
    }
  for (guint i = 0; i < pending->len; i++)
    gtk_container_add (GTK_CONTAINER (self->groups_box),
                       make_group (self, ((RpProposalRecord *) pending->pdata[i])->proposal));
  set_title (self, pending);
  gtk_stack_set_visible_child_name (self->stack, pending->len > 0 ? "list" : "empty");
}

static void
on_proposal_received (RpProposalsDialog *self)
{
  rebuild (self);
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
rp_proposals_dialog_dispose (GObject *object)
{
  RpProposalsDialog *self = RP_PROPOSALS_DIALOG (object);

  g_clear_object (&self->exchange);
  G_OBJECT_CLASS (rp_proposals_dialog_parent_class)->dispose (object);
}

static void
rp_proposals_dialog_finalize (GObject *object)
{
  RpProposalsDialog *self = RP_PROPOSALS_DIALOG (object);

  g_free (self->partner_name);
  g_free (self->own_zone);
  G_OBJECT_CLASS (rp_proposals_dialog_parent_class)->finalize (object);
}

static void
rp_proposals_dialog_class_init (RpProposalsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_proposals_dialog_dispose;
  object_class->finalize = rp_proposals_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-proposals-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RpProposalsDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, RpProposalsDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, RpProposalsDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, RpProposalsDialog, groups_box);
  gtk_widget_class_bind_template_child (widget_class, RpProposalsDialog, done_page);
}

static void
rp_proposals_dialog_init (RpProposalsDialog *self)
{
  g_type_ensure (HDY_TYPE_CLAMP);
  g_type_ensure (HDY_TYPE_STATUS_PAGE);
  gtk_widget_init_template (GTK_WIDGET (self));
}

RpProposalsDialog *
rp_proposals_dialog_new (GtkWindow          *parent,
                         RpProposalExchange *exchange,
                         const char         *partner_name,
                         const char         *own_zone)
{
  RpProposalsDialog *self;

  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (exchange), NULL);
  self = g_object_new (RP_TYPE_PROPOSALS_DIALOG, "transient-for", parent,
                       "use-header-bar", TRUE, NULL);
  self->exchange = g_object_ref (exchange);
  self->partner_name = g_strdup (partner_name != NULL ? partner_name : _("Your partner"));
  self->own_zone = g_strdup (own_zone != NULL ? own_zone : "UTC");
  g_signal_connect_object (exchange, "proposal-received", G_CALLBACK (on_proposal_received),
                           self, G_CONNECT_SWAPPED);
  rebuild (self);
  return self;
}

static GtkWidget *
find_group (RpProposalsDialog *self, const char *id)
{
  g_autoptr (GList) groups = gtk_container_get_children (GTK_CONTAINER (self->groups_box));

  for (GList *g = groups; g != NULL; g = g->next)
    if (g_strcmp0 (g_object_get_data (G_OBJECT (g->data), ID_KEY), id) == 0)
      return g->data;
  return NULL;
}

GtkWidget *
rp_proposals_dialog_get_accept_button (RpProposalsDialog *self, const char *id, guint index)
{
  GtkWidget *group;
  GPtrArray *buttons;

  g_return_val_if_fail (RP_IS_PROPOSALS_DIALOG (self), NULL);
  if ((group = find_group (self, id)) == NULL)
    return NULL;
  buttons = g_object_get_data (G_OBJECT (group), ACCEPT_KEY);
  return index < buttons->len ? buttons->pdata[index] : NULL;
}

GtkWidget *
rp_proposals_dialog_get_decline_button (RpProposalsDialog *self, const char *id)
{
  GtkWidget *group;

  g_return_val_if_fail (RP_IS_PROPOSALS_DIALOG (self), NULL);
  group = find_group (self, id);
  return group != NULL ? g_object_get_data (G_OBJECT (group), DECLINE_KEY) : NULL;
}

const char *
rp_proposals_dialog_get_page (RpProposalsDialog *self)
{
  g_return_val_if_fail (RP_IS_PROPOSALS_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
