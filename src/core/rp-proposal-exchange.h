/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rp-proposal.h"
#include "rp-session.h"
#include "rp-store.h"

G_BEGIN_DECLS

#define RP_PROPOSAL_EXCHANGE_ERROR (rp_proposal_exchange_error_quark ())
GQuark rp_proposal_exchange_error_quark (void);

typedef enum {
  RP_PROPOSAL_EXCHANGE_ERROR_INVALID,   /* a peer message that is not a valid proposal/answer */
  RP_PROPOSAL_EXCHANGE_ERROR_UNKNOWN,   /* an answer to a proposal we never sent, and the like */
  RP_PROPOSAL_EXCHANGE_ERROR_STATE,     /* answering what is no longer open */
  RP_PROPOSAL_EXCHANGE_ERROR_STORE,     /* the store failed to keep it */
} RpProposalExchangeError;

#define RP_TYPE_PROPOSAL_EXCHANGE (rp_proposal_exchange_get_type ())
G_DECLARE_FINAL_TYPE (RpProposalExchange, rp_proposal_exchange, RP, PROPOSAL_EXCHANGE, GObject)

/* Scheduling proposals between two partners (docs/SCHEDULE.md, "Proposal messages"): what one
 * side proposes is kept in the store and sent whenever the data channel opens until the answer
 * arrives (so a proposal made offline, before an app restart, or lost with a dying connection
 * goes on the next one); a proposal received is kept as incoming ("proposal-received");
 * accepting one keeps the slot as a planned session (zone + local time, uid = the proposal's
 * id) and sends the answer (kept in the store's outbox until the channel is open), and the
 * proposer keeps the same session when the answer arrives. Received twice, a proposal or an
 * answer changes nothing the second time (an answered proposal is answered again). Hostile or
 * stale messages are refused with the "error" signal; nothing else changes.
 *
 * partner_id: the store's partner these messages are for (0 = a store without partners, as
 * rapport-peer's: every proposal and every queued message is this partner's). */
RpProposalExchange *rp_proposal_exchange_new            (RpStore             *store,
                                                         gint64               partner_id);
gint64              rp_proposal_exchange_get_partner_id (RpProposalExchange  *self);
void                rp_proposal_exchange_set_partner_id (RpProposalExchange  *self,
                                                         gint64               partner_id);

/* Sends over this session's data channel from now on (NULL: stop). */
void                rp_proposal_exchange_set_session    (RpProposalExchange  *self,
                                                         RpSession           *session);

/* The transport underneath, for channels other than an RpSession's (and tests): messages to
 * send come out of the "send-app" signal; rp_proposal_exchange_set_session() wires these. */
void                rp_proposal_exchange_channel_opened (RpProposalExchange  *self);
void                rp_proposal_exchange_channel_closed (RpProposalExchange  *self);
gboolean            rp_proposal_exchange_is_open        (RpProposalExchange  *self);
/* An application message from the peer: TRUE if it was a schedule message (handled or refused
 * with "error"), FALSE if it is someone else's. */
gboolean            rp_proposal_exchange_receive_app    (RpProposalExchange  *self,
                                                         JsonNode            *message);

/* Keeps our proposal (pending, outgoing) and sends it, now or on the next connection. */
gboolean            rp_proposal_exchange_propose        (RpProposalExchange  *self,
                                                         RpProposal          *proposal,
                                                         GError             **error);
/* Accepts slot `index` of the partner's proposal `id`: the planned session is stored (and
 * returned, owned by the caller) and the answer sent or queued. */
RpSessionRecord    *rp_proposal_exchange_accept         (RpProposalExchange  *self,
                                                         const char          *id,
                                                         guint                index,
                                                         GError             **error);
gboolean            rp_proposal_exchange_decline        (RpProposalExchange  *self,
                                                         const char          *id,
                                                         GError             **error);
/* The partner's proposals still waiting for our answer, oldest first (GPtrArray of
 * RpProposalRecord*). */
GPtrArray          *rp_proposal_exchange_list_incoming  (RpProposalExchange  *self,
                                                         GError             **error);

/* The planned session (not yet stored) a proposal's accepted slot becomes on both sides. */
RpSessionRecord    *rp_proposal_exchange_record_for     (RpProposal          *proposal,
                                                         gint64               partner_id);

G_END_DECLS
