/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "rp-proposal.h"

G_BEGIN_DECLS

/* The plain records that RpStore reads and writes. They are boxed structs with public fields:
 * the store fills them, the caller owns what it gets back (free with the matching _free or
 * g_autoptr). Instants are Unix seconds in UTC, 0 meaning "not set". */

#define RP_TYPE_PARTNER         (rp_partner_get_type ())
#define RP_TYPE_OUTCOME_ITEM    (rp_outcome_item_get_type ())
#define RP_TYPE_SESSION_RECORD  (rp_session_record_get_type ())
#define RP_TYPE_ACTION_ITEM     (rp_action_item_get_type ())
#define RP_TYPE_SEARCH_HIT      (rp_search_hit_get_type ())
#define RP_TYPE_PROPOSAL_RECORD (rp_proposal_record_get_type ())
#define RP_TYPE_OUTBOX_MESSAGE  (rp_outbox_message_get_type ())

/* A mentoring relationship. working_hours is the text form of the schedule module's
 * RpWorkingHours ("Mon-Fri 09:00-17:00", "Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-13:00"),
 * in the partner's own local time; the store keeps it in rp_working_hours_to_string()'s
 * canonical form. NULL or "" means not given. */
typedef struct {
  gint64  id;              /* 0 until stored */
  char   *name;
  char   *time_zone;       /* IANA identifier, e.g. "Asia/Tokyo" */
  char   *working_hours;   /* see above; NULL or "" = not given */
  char   *spell_language;  /* e.g. "en_GB"; NULL = the desktop's default */
} RpPartner;

typedef enum {
  RP_OUTCOME_KIND_TOPIC,
  RP_OUTCOME_KIND_ACTION,
} RpOutcomeKind;

/* One agenda item as it stood when a session ended. Items of kind ACTION also become action
 * items of the session (see rp_store_update_session). */
typedef struct {
  char          *title;
  guint          minutes;
  char          *owner;    /* "mentor", "mentee" or NULL */
  RpOutcomeKind  kind;
  gboolean       done;
} RpOutcomeItem;

/* The record of one session, planned or held. The planned start is kept as a zone and a local
 * wall-clock time, never as an instant, so that a session agreed at "07:00 in Tokyo" stays at
 * 07:00 there whatever the zone rules do later. */
typedef struct {
  gint64     id;               /* 0 until stored */
  char      *uid;              /* stable, unique; generated when NULL on insert */
  gint64     partner_id;       /* 0 = none */
  char      *title;
  char      *scheduled_zone;   /* IANA identifier or NULL (an unplanned session) */
  char      *scheduled_local;  /* "YYYY-MM-DDTHH:MM[:SS]" in scheduled_zone, or NULL */
  guint      planned_minutes;
  char      *rrule;            /* RFC 5545 RRULE value ("FREQ=WEEKLY;INTERVAL=2") for a series,
                                * expanded in scheduled_zone's local time; NULL = one session */
  gint64     started_at;       /* Unix seconds, 0 = not started */
  gint64     ended_at;         /* Unix seconds, 0 = not ended */
  gint64     duration_s;       /* time actually in the call (reconnects excluded) */
  char      *notes;            /* the final notes text */
  GPtrArray *agenda;           /* of RpOutcomeItem*, never NULL */
  char      *link;             /* the join link, or NULL */
} RpSessionRecord;

typedef struct {
  gint64    id;
  gint64    session_id;
  char     *title;
  char     *owner;             /* "mentor", "mentee" or NULL */
  gboolean  done;
  gint64    carried_from;      /* the item of an earlier session this one continues, or 0 */
} RpActionItem;

typedef struct {
  gint64  session_id;
  char   *title;
  char   *partner_name;        /* NULL for a session without partner */
  gint64  started_at;
  char   *snippet;             /* matched words wrapped in « » */
  double  rank;                /* lower is better (FTS5 bm25) */
} RpSearchHit;

/* A scheduling proposal kept until it is answered: one we made (incoming FALSE) or one the
 * partner sent us. */
typedef struct {
  gint64      partner_id;      /* 0 = none */
  gboolean    incoming;
  RpProposal *proposal;        /* owned */
} RpProposalRecord;

/* An application message (a JSON object, PROTOCOL.md's app messages: a proposal, an answer)
 * waiting for the partner to be connected. */
typedef struct {
  gint64    id;
  gint64    partner_id;        /* 0 = none */
  JsonNode *message;           /* owned */
} RpOutboxMessage;

GType            rp_partner_get_type        (void) G_GNUC_CONST;
RpPartner       *rp_partner_new             (const char *name,
                                             const char *time_zone);
RpPartner       *rp_partner_copy            (const RpPartner *partner);
void             rp_partner_free            (RpPartner *partner);

GType            rp_outcome_item_get_type   (void) G_GNUC_CONST;
RpOutcomeItem   *rp_outcome_item_new        (const char    *title,
                                             RpOutcomeKind  kind,
                                             gboolean       done);
RpOutcomeItem   *rp_outcome_item_copy       (const RpOutcomeItem *item);
void             rp_outcome_item_free       (RpOutcomeItem *item);

GType            rp_session_record_get_type (void) G_GNUC_CONST;
RpSessionRecord *rp_session_record_new      (void);
RpSessionRecord *rp_session_record_copy     (const RpSessionRecord *record);
void             rp_session_record_free     (RpSessionRecord *record);
/* The id under which the session's shared document `name` ("notes", "agenda") is stored:
 * "session/UID/NAME". NULL until the record has a uid. */
char            *rp_session_record_dup_doc_id (const RpSessionRecord *record,
                                               const char            *name);

GType            rp_action_item_get_type    (void) G_GNUC_CONST;
RpActionItem    *rp_action_item_copy        (const RpActionItem *item);
void             rp_action_item_free        (RpActionItem *item);

GType            rp_search_hit_get_type     (void) G_GNUC_CONST;
RpSearchHit     *rp_search_hit_copy         (const RpSearchHit *hit);
void             rp_search_hit_free         (RpSearchHit *hit);

GType             rp_proposal_record_get_type (void) G_GNUC_CONST;
RpProposalRecord *rp_proposal_record_copy     (const RpProposalRecord *record);
void              rp_proposal_record_free     (RpProposalRecord *record);

GType             rp_outbox_message_get_type  (void) G_GNUC_CONST;
RpOutboxMessage  *rp_outbox_message_copy      (const RpOutboxMessage *message);
void              rp_outbox_message_free      (RpOutboxMessage *message);

/* The agenda outcome as compact JSON (an array of objects) and back. */
char            *rp_outcome_to_json         (GPtrArray   *items);
GPtrArray       *rp_outcome_from_json       (const char  *json,
                                             GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpPartner, rp_partner_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpOutcomeItem, rp_outcome_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpSessionRecord, rp_session_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpActionItem, rp_action_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpSearchHit, rp_search_hit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpProposalRecord, rp_proposal_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpOutboxMessage, rp_outbox_message_free)

G_END_DECLS
