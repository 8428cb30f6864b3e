/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-proposal.h"
#include "rp-slots.h"

G_BEGIN_DECLS

#define RP_TYPE_SCHEDULE_DIALOG (rp_schedule_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RpScheduleDialog, rp_schedule_dialog, RP, SCHEDULE_DIALOG, GtkDialog)

/* Finds times that suit both people for a week from a chosen day, shows each person's day as a
 * strip with working hours shaded and the candidates marked, both local times of the selected
 * slot and a warning when a series moves for the partner at a clock change. "Export .ics…"
 * saves an invitation; "Propose" emits ::propose with an RpProposal (the selected slot and the
 * next two best) for the caller to send over the session's data channel.
 *
 * Properties: "me-zone", "me-hours", "partner-name", "partner-zone", "partner-hours" (HOURS
 * as in rapport-schedule, e.g. "Mon-Fri 09:00-17:00"), "link" (the join link to put in
 * invitations). Signals: "propose" (RpProposal *), "slots-changed" (after each search). */
RpScheduleDialog *rp_schedule_dialog_new              (GtkWindow        *parent,
                                                       const char       *me_zone,
                                                       const char       *partner_name,
                                                       const char       *partner_zone);
void              rp_schedule_dialog_set_start_date   (RpScheduleDialog *self,
                                                       gint              year,
                                                       gint              month,
                                                       gint              day);
void              rp_schedule_dialog_set_minutes      (RpScheduleDialog *self,
                                                       guint             minutes);
void              rp_schedule_dialog_set_recurrence   (RpScheduleDialog *self,
                                                       const char       *every);
guint             rp_schedule_dialog_get_n_slots      (RpScheduleDialog *self);
const RpSlot     *rp_schedule_dialog_get_selected     (RpScheduleDialog *self);
const char       *rp_schedule_dialog_get_warning      (RpScheduleDialog *self);
const char       *rp_schedule_dialog_get_error        (RpScheduleDialog *self);
char             *rp_schedule_dialog_build_ics        (RpScheduleDialog *self,
                                                       GError          **error);
RpProposal       *rp_schedule_dialog_build_proposal   (RpScheduleDialog *self,
                                                       GError          **error);

G_END_DECLS
