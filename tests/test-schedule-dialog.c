/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schedule dialog, driven through its public API under a real (Xvfb) display: the search
 * runs in its worker thread and the results arrive in the main loop, as for a user.
 */
#include "config.h"

#include <string.h>
#include <gtk/gtk.h>

#include "../src/app/rp-schedule-dialog.h"

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("the slot search did not finish");
  return G_SOURCE_REMOVE;
}

static void
on_changed (RpScheduleDialog *dialog,
            gboolean         *done)
{
  *done = TRUE;
}

/* Waits for the search started by the last change; earlier ones are cancelled and never
 * report. The timeout only guards against a hang. */
static void
wait_for_slots (RpScheduleDialog *dialog)
{
  gboolean done = FALSE;
  gulong id = g_signal_connect (dialog, "slots-changed", G_CALLBACK (on_changed), &done);
  guint guard = g_timeout_add_seconds (60, on_timeout, NULL);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  g_signal_handler_disconnect (dialog, id);
}

static RpScheduleDialog *
make_dialog (const char *me,
             const char *me_hours,
             const char *partner,
             const char *partner_hours,
             const char *every,
             gint        y,
             gint        m,
             gint        d)
{
  RpScheduleDialog *dialog = rp_schedule_dialog_new (NULL, me, "Aiko", partner);

  g_object_ref_sink (dialog);
  g_object_set (dialog, "me-hours", me_hours, "partner-hours", partner_hours,
                "link", "rapport://127.0.0.1:9000/AAAAAAAAAAAAAAAAAAAAAA", NULL);
  rp_schedule_dialog_set_recurrence (dialog, every);
  rp_schedule_dialog_set_minutes (dialog, 60);
  rp_schedule_dialog_set_start_date (dialog, y, m, d);
  gtk_widget_show (GTK_WIDGET (dialog));
  wait_for_slots (dialog);
  return dialog;
}

static void
test_finds_slots_and_exports (void)
{
  g_autoptr(RpScheduleDialog) dialog = make_dialog ("America/Los_Angeles", "Mon-Fri 15:00-23:00",
                                                    "Asia/Tokyo", "Mon-Fri 08:00-12:00", NULL,
                                                    2026, 3, 2);
  const RpSlot *slot = rp_schedule_dialog_get_selected (dialog);
  g_autoptr(GError) error = NULL;
  g_autofree char *ics = NULL;

  g_assert_null (rp_schedule_dialog_get_error (dialog));
  g_assert_cmpuint (rp_schedule_dialog_get_n_slots (dialog), >, 0);
  g_assert_nonnull (slot);
  g_assert_cmpint (slot->day_shift, ==, 1);
  g_assert_cmpint (slot->partner_local.hour, >=, 8);
  g_assert_cmpint (slot->partner_local.hour, <, 12);
  ics = rp_schedule_dialog_build_ics (dialog, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (ics, "DTSTART;TZID=America/Los_Angeles:"));
  g_assert_nonnull (strstr (ics, "URL:rapport://127.0.0.1:9000/"));
  g_assert_null (strstr (ics, "RRULE"));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
test_warns_when_series_moves_for_partner (void)
{
  /* From mid-March, London springs forward (29th) and Sydney falls back (5 April). */
  g_autoptr(RpScheduleDialog) dialog = make_dialog ("Europe/London", "Mon-Fri 18:00-23:00",
                                                    "Australia/Sydney", "Mon-Fri 06:00-10:00",
                                                    "week", 2026, 3, 16);
  const char *warning;

  g_assert_cmpuint (rp_schedule_dialog_get_n_slots (dialog), >, 0);
  warning = rp_schedule_dialog_get_warning (dialog);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "for Aiko, not"));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
on_propose (RpScheduleDialog *dialog,
            RpProposal       *proposal,
            RpProposal      **out)
{
  *out = g_object_ref (proposal);
}

static void
test_propose_emits_three_slots (void)
{
  g_autoptr(RpScheduleDialog) dialog = make_dialog ("Europe/Berlin", "Mon-Fri 09:00-17:00",
                                                    "Asia/Kolkata", "Mon-Fri 10:00-18:00",
                                                    "2weeks", 2026, 3, 2);
  g_autoptr(RpProposal) proposal = NULL;
  const RpSlot *slot = rp_schedule_dialog_get_selected (dialog);
  RpLocal first;

  g_signal_connect (dialog, "propose", G_CALLBACK (on_propose), &proposal);
  /* As the Propose button does, through the dialog's "schedule" action group. */
  g_assert_true (g_action_group_get_action_enabled (gtk_widget_get_action_group (GTK_WIDGET (dialog), "schedule"), "propose"));
  g_action_group_activate_action (gtk_widget_get_action_group (GTK_WIDGET (dialog), "schedule"), "propose", NULL);
  g_assert_nonnull (proposal);
  g_assert_cmpuint (rp_proposal_get_n_slots (proposal), ==, 3);
  g_assert_true (rp_proposal_get_slot (proposal, 0, &first));
  g_assert_cmpmem (&first, sizeof first, &slot->me_local, sizeof slot->me_local);
  g_assert_cmpstr (rp_proposal_get_rrule (proposal), ==, "FREQ=WEEKLY;INTERVAL=2");
  g_assert_cmpstr (rp_proposal_get_zone (proposal), ==, "Europe/Berlin");
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
test_bad_hours_show_error (void)
{
  g_autoptr(RpScheduleDialog) dialog = make_dialog ("Europe/Berlin", "nine to five",
                                                    "Asia/Kolkata", "Mon-Fri 10:00-18:00",
                                                    NULL, 2026, 3, 2);

  g_assert_cmpuint (rp_schedule_dialog_get_n_slots (dialog), ==, 0);
  g_assert_nonnull (rp_schedule_dialog_get_error (dialog));
  g_assert_nonnull (strstr (rp_schedule_dialog_get_error (dialog), "nine to five"));
  g_assert_null (rp_schedule_dialog_get_selected (dialog));
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
      g_test_add_func ("/schedule/dialog/needs-display", (GTestFunc) g_test_skip);
      return g_test_run ();
    }

  g_test_add_func ("/schedule/dialog/finds-slots-and-exports-invite", test_finds_slots_and_exports);
  g_test_add_func ("/schedule/dialog/warns-when-series-moves-for-partner", test_warns_when_series_moves_for_partner);
  g_test_add_func ("/schedule/dialog/propose-emits-selected-and-next-best", test_propose_emits_three_slots);
  g_test_add_func ("/schedule/dialog/bad-working-hours-show-error", test_bad_hours_show_error);

  return g_test_run ();
}
