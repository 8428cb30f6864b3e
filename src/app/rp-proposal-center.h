/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-partner-book.h"
#include "rp-proposal-exchange.h"

G_BEGIN_DECLS

#define RP_TYPE_PROPOSAL_CENTER (rp_proposal_center_get_type ())
G_DECLARE_FINAL_TYPE (RpProposalCenter, rp_proposal_center, RP, PROPOSAL_CENTER, GObject)

/* The app's scheduling proposals: one RpProposalExchange per partner over the book's store,
 * shared by the home view (what waits for an answer), the call view (which lends it the call's
 * session, so that proposals go and come while connected) and the schedule dialog's Propose.
 * A session scheduled through a proposal refreshes the book's Upcoming list. */
RpProposalCenter   *rp_proposal_center_new            (RpPartnerBook    *book);
/* NULL while the store is not open yet, or for a partner not in the store. */
RpProposalExchange *rp_proposal_center_get_exchange   (RpProposalCenter *self,
                                                       RpPartnerItem    *partner);
/* The partner's proposals waiting for our answer. */
guint               rp_proposal_center_count_incoming (RpProposalCenter *self,
                                                       RpPartnerItem    *partner);

G_END_DECLS
