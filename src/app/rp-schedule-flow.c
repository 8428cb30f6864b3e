/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rp-home-view.h"
#include "rp-schedule-flow.h"

#define BOOK_KEY    "rp-partner-book"
#define PARTNER_KEY "rp-partner"
#define CENTER_KEY  "rp-proposal-center"

static char *
own_hours (GSettings *settings)
{
  guint start = g_settings_get_uint (settings, "work-start");
  guint end = g_settings_get_uint (settings, "work-end");

  if (end <= start)
    return g_strdup ("Mon-Fri 09:00-17:00");
  return g_strdup_printf ("Mon-Fri %02u:%02u-%02u:%02u", start / 60, start % 60,
                          end / 60, end % 60);
}

static char *
partner_hours (RpPartnerBook *book, RpPartnerItem *partner)
{
  RpStore *store = rp_partner_book_get_store (book);
  g_autoptr (RpPartner) record = NULL;

  if (store != NULL && rp_partner_item_get_id (partner) != 0)
    record = rp_store_get_partner (store, rp_partner_item_get_id (partner), NULL);
  if (record != NULL && record->working_hours != NULL && *record->working_hours != '\0')
    return g_strdup (record->working_hours);
  return g_strdup ("Mon-Fri 09:00-17:00");
}

gboolean
rp_schedule_flow_add_selected (RpScheduleDialog *dialog, GError **error)
{
  RpPartnerBook *book = g_object_get_data (G_OBJECT (dialog), BOOK_KEY);
  RpPartnerItem *partner = g_object_get_data (G_OBJECT (dialog), PARTNER_KEY);
  g_autoptr (RpProposal) proposal = NULL;
  g_autoptr (RpMeeting) meeting = NULL;
  g_autoptr (RpSessionRecord) record = rp_session_record_new ();

  g_return_val_if_fail (RP_IS_PARTNER_BOOK (book), FALSE);
  /* The proposal's first slot is the selected one; accepting it gives the meeting as both
   * sides will keep it (zone + local time, rule, link). */
  proposal = rp_schedule_dialog_build_proposal (dialog, error);
  if (proposal == NULL || (meeting = rp_proposal_accept (proposal, 0, error)) == NULL)
    return FALSE;
  record->partner_id = partner ? rp_partner_item_get_id (partner) : 0;
  record->title = g_strdup (rp_proposal_get_summary (proposal));
  record->scheduled_zone = g_strdup (meeting->zone);
  record->scheduled_local = rp_local_format (&meeting->start);
  record->planned_minutes = meeting->minutes;
  record->rrule = g_strdup (meeting->rrule);
  record->link = g_strdup (meeting->link);
  return rp_partner_book_add_planned (book, record, error);
}

static void
on_response (RpScheduleDialog *dialog, int response, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT && !rp_schedule_flow_add_selected (dialog, &error))
    {
      GtkWidget *message = gtk_message_dialog_new (GTK_WINDOW (dialog), GTK_DIALOG_MODAL,
                                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                                   _("Could not add the session"));

      gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (message), "%s",
                                                error->message);
      g_signal_connect (message, "response", G_CALLBACK (gtk_widget_destroy), NULL);
      gtk_widget_show (message);
      return;
    }
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
show_message (RpScheduleDialog *dialog, GtkMessageType type, const char *text,
              const char *secondary)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  GtkWidget *message = gtk_message_dialog_new (parent ? parent : GTK_WINDOW (dialog),
                                               GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                               type, GTK_BUTTONS_CLOSE, "%s", text);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (message), "%s", secondary);
  g_signal_connect (message, "response", G_CALLBACK (gtk_widget_destroy), NULL);
  gtk_widget_show (message);
}

/* Kept until the partner answers; it travels to them over the call's data channel, now if a
 * call with them is connected, else on the next one. */
static void
on_propose (RpScheduleDialog *dialog, RpProposal *proposal, gpointer user_data)
{
  RpProposalCenter *center = g_object_get_data (G_OBJECT (dialog), CENTER_KEY);
  RpPartnerItem *partner = g_object_get_data (G_OBJECT (dialog), PARTNER_KEY);
  RpProposalExchange *exchange =
    center != NULL ? rp_proposal_center_get_exchange (center, partner) : NULL;
  const char *name = rp_partner_item_get_name (partner);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *secondary = NULL;
  guint n = rp_proposal_get_n_slots (proposal);

  if (exchange == NULL || !rp_proposal_exchange_propose (exchange, proposal, &error))
    {
      show_message (dialog, GTK_MESSAGE_ERROR, _("Could not send the proposal"),
                    error != NULL ? error->message
                                  : _("The session record is still opening. Try again in a "
                                      "moment."));
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u time proposed to %s",
                                       "%u times proposed to %s", n), n, name);
  if (rp_proposal_exchange_is_open (exchange))
    secondary = g_strdup_printf (_("%s can answer now. The accepted time appears under "
                                   "Upcoming for you both."), name);
  else
    secondary = g_strdup_printf (_("It goes to %s when you are next connected. The accepted "
                                   "time then appears under Upcoming for you both."), name);
  show_message (dialog, GTK_MESSAGE_INFO, text, secondary);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

void
rp_schedule_flow_set_proposals (RpScheduleDialog *dialog, RpProposalCenter *center)
{
  g_return_if_fail (RP_IS_SCHEDULE_DIALOG (dialog));
  g_object_set_data_full (G_OBJECT (dialog), CENTER_KEY, center ? g_object_ref (center) : NULL,
                          g_object_unref);
}

RpScheduleDialog *
rp_schedule_flow_open (GtkWindow      *parent,
                       RpPartnerBook  *book,
                       GSettings      *settings,
                       RpPartnerItem  *partner,
                       const char     *link)
{
  g_autoptr (GTimeZone) own = rp_own_time_zone (settings);
  g_autofree char *me_hours = own_hours (settings);
  g_autofree char *hours = partner_hours (book, partner);
  RpScheduleDialog *dialog;

  g_return_val_if_fail (RP_IS_PARTNER_ITEM (partner), NULL);
  dialog = rp_schedule_dialog_new (parent, g_time_zone_get_identifier (own),
                                   rp_partner_item_get_name (partner),
                                   rp_partner_item_get_time_zone (partner));
  g_object_set (dialog, "me-hours", me_hours, "partner-hours", hours, "link", link, NULL);
  g_object_set_data_full (G_OBJECT (dialog), BOOK_KEY, g_object_ref (book), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), PARTNER_KEY, g_object_ref (partner),
                          g_object_unref);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Add to Upcoming"), GTK_RESPONSE_ACCEPT);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), NULL);
  g_signal_connect (dialog, "propose", G_CALLBACK (on_propose), NULL);
  gtk_widget_show (GTK_WIDGET (dialog));
  return dialog;
}
