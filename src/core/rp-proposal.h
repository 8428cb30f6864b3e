/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "rp-meeting.h"
#include "rp-schedule.h"

G_BEGIN_DECLS

typedef enum {
  RP_PROPOSAL_STATE_PENDING,
  RP_PROPOSAL_STATE_ACCEPTED,
  RP_PROPOSAL_STATE_DECLINED,
  RP_PROPOSAL_STATE_WITHDRAWN,
} RpProposalState;

GType rp_proposal_state_get_type (void) G_GNUC_CONST;
#define RP_TYPE_PROPOSAL_STATE (rp_proposal_state_get_type ())

#define RP_PROPOSAL_ERROR (rp_proposal_error_quark ())
GQuark rp_proposal_error_quark (void);

typedef enum {
  RP_PROPOSAL_ERROR_INVALID,    /* a message that is not a valid proposal */
  RP_PROPOSAL_ERROR_STATE,      /* accepting what is no longer pending, and the like */
} RpProposalError;

#define RP_TYPE_PROPOSAL (rp_proposal_get_type ())
G_DECLARE_FINAL_TYPE (RpProposal, rp_proposal, RP, PROPOSAL, GObject)

/* One side proposes a few start times (in the proposer's zone and local time) for a session or
 * series; the other accepts one. It travels as a JSON application message
 * ({"type": "schedule-proposal", …}, see docs/SCHEDULE.md); the answer is
 * {"type": "schedule-answer", "id", "accept": INDEX | null}. */
RpProposal     *rp_proposal_new              (const char     *zone,
                                              guint           minutes,
                                              GError        **error);
RpProposal     *rp_proposal_new_from_json    (JsonNode       *node,
                                              GError        **error);
JsonNode       *rp_proposal_to_json          (RpProposal     *self);

const char     *rp_proposal_get_id           (RpProposal     *self);
const char     *rp_proposal_get_zone         (RpProposal     *self);
guint           rp_proposal_get_minutes      (RpProposal     *self);
const char     *rp_proposal_get_rrule        (RpProposal     *self);
void            rp_proposal_set_rrule        (RpProposal     *self,
                                              const char     *rrule);
const char     *rp_proposal_get_summary      (RpProposal     *self);
void            rp_proposal_set_summary      (RpProposal     *self,
                                              const char     *summary);
const char     *rp_proposal_get_link         (RpProposal     *self);
void            rp_proposal_set_link         (RpProposal     *self,
                                              const char     *link);
RpProposalState rp_proposal_get_state        (RpProposal     *self);
gint            rp_proposal_get_accepted     (RpProposal     *self);

gboolean        rp_proposal_add_slot         (RpProposal     *self,
                                              const RpLocal  *start,
                                              GError        **error);
guint           rp_proposal_get_n_slots      (RpProposal     *self);
gboolean        rp_proposal_get_slot         (RpProposal     *self,
                                              guint           index,
                                              RpLocal        *out);

RpMeeting      *rp_proposal_accept           (RpProposal     *self,
                                              guint           index,
                                              GError        **error);
gboolean        rp_proposal_decline          (RpProposal     *self,
                                              GError        **error);
JsonNode       *rp_proposal_answer_message   (RpProposal     *self);
RpMeeting      *rp_proposal_apply_answer     (RpProposal     *self,
                                              JsonNode       *answer,
                                              GError        **error);

G_END_DECLS
