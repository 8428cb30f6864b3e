/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-partner-book.h"
#include "rp-proposal-center.h"
#include "rp-schedule-dialog.h"

G_BEGIN_DECLS

/* Opens the schedule dialog for a partner, with both people's zones and working hours, and a
 * "Add to Upcoming" button that keeps the selected time (or series) as a planned session in
 * the store; "Propose" sends the proposal (see rp_schedule_flow_set_proposals()). link: the
 * join link to put in invitations (NULL when none is known yet). The dialog is shown and
 * returned (owned by GTK: it destroys itself when answered). */
RpScheduleDialog *rp_schedule_flow_open      (GtkWindow      *parent,
                                              RpPartnerBook  *book,
                                              GSettings      *settings,
                                              RpPartnerItem  *partner,
                                              const char     *link);
/* What "Add to Upcoming" does: the selected slot as a planned session. */
gboolean          rp_schedule_flow_add_selected (RpScheduleDialog *dialog,
                                                 GError          **error);

/* Where "Propose" sends the proposal (kept and queued for the partner, sent when connected). */
void              rp_schedule_flow_set_proposals (RpScheduleDialog *dialog,
                                                  RpProposalCenter *center);

G_END_DECLS
