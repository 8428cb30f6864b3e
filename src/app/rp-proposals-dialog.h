/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-proposal-exchange.h"

G_BEGIN_DECLS

#define RP_TYPE_PROPOSALS_DIALOG (rp_proposals_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RpProposalsDialog, rp_proposals_dialog, RP, PROPOSALS_DIALOG, GtkDialog)

/* The partner's proposals waiting for an answer: each time in both people's clocks (with a
 * warning where a series moves for us at a clock change), Accept on a time, Decline for the
 * whole proposal. Answers go through the exchange (sent now, or when next connected). */
RpProposalsDialog *rp_proposals_dialog_new         (GtkWindow          *parent,
                                                    RpProposalExchange *exchange,
                                                    const char         *partner_name,
                                                    const char         *own_zone);
/* For tests: the Accept button of slot `index` of the proposal `id`, or NULL. */
GtkWidget         *rp_proposals_dialog_get_accept_button  (RpProposalsDialog *self,
                                                           const char        *id,
                                                           guint              index);
GtkWidget         *rp_proposals_dialog_get_decline_button (RpProposalsDialog *self,
                                                           const char        *id);
/* The visible page: "list", "empty" or "done". */
const char        *rp_proposals_dialog_get_page    (RpProposalsDialog *self);

G_END_DECLS
