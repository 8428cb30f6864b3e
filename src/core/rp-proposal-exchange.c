/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scheduling proposals between the two partners of a call: kept in the store, carried as JSON
 * application messages on the data channel (docs/SCHEDULE.md). Delivery needs no
 * acknowledgement of its own: our pending proposals go again on every connection until the
 * answer arrives, and a proposal received again after we answered it brings our answer again,
 * so a message lost with a dying connection is made good on the next one. Answers also wait in
 * the store's outbox while the partner is away. Everything received is checked against what
 * the store holds, so that a repeated, replayed or invented message changes nothing.
 */
#include "config.h"

#include <string.h>

#include "rp-proposal-exchange.h"

/* A peer may not fill our store with proposals: past this many waiting for an answer, more are
 * refused until some are answered. */
#define MAX_PENDING_INCOMING 50
#define MAX_ID_BYTES         1024

struct _RpProposalExchange
{
  GObject    parent_instance;

  RpStore   *store;
  gint64     partner_id;
  RpSession *session;
  gboolean   open;
};

G_DEFINE_FINAL_TYPE (RpProposalExchange, rp_proposal_exchange, G_TYPE_OBJECT)

G_DEFINE_QUARK (rp-proposal-exchange-error-quark, rp_proposal_exchange_error)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PARTNER_ID,
  PROP_OPEN,
  N_PROPS
};

enum {
  SIGNAL_PROPOSAL_RECEIVED,
  SIGNAL_PROPOSAL_ANSWERED,
  SIGNAL_SESSION_SCHEDULED,
  SIGNAL_SEND_APP,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- helpers ------------------------------------------------------------------------------ */

static void
refuse (RpProposalExchange     *self,
        RpProposalExchangeError code,
        const char             *message)
{
  g_autoptr(GError) error = g_error_new (RP_PROPOSAL_EXCHANGE_ERROR, code,
                                         "Refused a schedule message from the peer: %s",
                                         message);

  g_message ("%s", error->message);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

static gboolean
store_failed (GError    **error,
              GError     *cause)
{
  g_set_error (error, RP_PROPOSAL_EXCHANGE_ERROR, RP_PROPOSAL_EXCHANGE_ERROR_STORE,
               "The store could not keep the proposal: %s", cause ? cause->message : "closed");
  return FALSE;
}

static gboolean
is_ours (RpProposalExchange     *self,
         const RpProposalRecord *record)
{
  return self->partner_id == 0 || record->partner_id == self->partner_id;
}

/* The stored proposal with this id (either direction), or NULL. */
static RpProposalRecord *
find_record (RpProposalExchange *self,
             const char         *id)
{
  g_autoptr(GPtrArray) all = rp_store_list_proposals (self->store, 0, FALSE, NULL);

  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      RpProposalRecord *record = all->pdata[i];

      if (g_strcmp0 (rp_proposal_get_id (record->proposal), id) == 0)
        return g_ptr_array_steal_index (all, i);
    }
  return NULL;
}

RpSessionRecord *
rp_proposal_exchange_record_for (RpProposal *proposal,
                                 gint64      partner_id)
{
  RpSessionRecord *record;
  RpLocal start;

  g_return_val_if_fail (RP_IS_PROPOSAL (proposal), NULL);

  if (rp_proposal_get_state (proposal) != RP_PROPOSAL_STATE_ACCEPTED ||
      !rp_proposal_get_slot (proposal, (guint) rp_proposal_get_accepted (proposal), &start))
    return NULL;
  record = rp_session_record_new ();
  record->uid = g_strdup (rp_proposal_get_id (proposal));
  record->partner_id = partner_id;
  record->title = g_strdup (rp_proposal_get_summary (proposal));
  record->scheduled_zone = g_strdup (rp_proposal_get_zone (proposal));
  record->scheduled_local = rp_local_format (&start);
  record->planned_minutes = rp_proposal_get_minutes (proposal);
  record->rrule = g_strdup (rp_proposal_get_rrule (proposal));
  record->link = g_strdup (rp_proposal_get_link (proposal));
  return record;
}

/* The accepted slot as a planned session, unless the store has it already (the same answer
 * twice, or both sides' messages crossing): one proposal, one session. */
static RpSessionRecord *
schedule_once (RpProposalExchange *self,
               RpProposal         *proposal,
               gint64              partner_id,
               GError            **error)
{
  g_autoptr(RpSessionRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;

  record = rp_store_get_session_by_uid (self->store, rp_proposal_get_id (proposal), NULL);
  if (record != NULL)
    return g_steal_pointer (&record);
  record = rp_proposal_exchange_record_for (proposal, partner_id);
  g_return_val_if_fail (record != NULL, NULL);
  if (rp_store_add_session (self->store, record, &local_error) == 0)
    return store_failed (error, local_error), NULL;
  /* As the store keeps it (the local time in its canonical form). */
  g_clear_pointer (&record, rp_session_record_free);
  record = rp_store_get_session_by_uid (self->store, rp_proposal_get_id (proposal), &local_error);
  if (record == NULL)
    return store_failed (error, local_error), NULL;
  g_signal_emit (self, signals[SIGNAL_SESSION_SCHEDULED], 0, record);
  return g_steal_pointer (&record);
}

/* ---- the outbox --------------------------------------------------------------------------- */

static void
send_now (RpProposalExchange *self,
          JsonNode           *message)
{
  if (self->session != NULL)
    rp_session_send_app (self->session, message);
  g_signal_emit (self, signals[SIGNAL_SEND_APP], 0, message);
}

/* Everything queued for the partner, oldest first; each leaves the outbox once handed to the
 * channel. */
static void
flush_outbox (RpProposalExchange *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queued = NULL;

  if (!self->open)
    return;
  queued = rp_store_outbox_list (self->store, self->partner_id, &error);
  if (queued == NULL)
    {
      g_warning ("Could not read the messages waiting for the partner: %s", error->message);
      return;
    }
  for (guint i = 0; i < queued->len && self->open; i++)
    {
      RpOutboxMessage *m = queued->pdata[i];

      send_now (self, m->message);
      if (!rp_store_outbox_remove (self->store, m->id, &error))
        {
          g_warning ("A sent message stays queued (it may go twice): %s", error->message);
          g_clear_error (&error);
        }
    }
}

/* Our proposals still waiting for an answer, sent again on each connection: the answer is
 * their acknowledgement. */
static void
send_pending_proposals (RpProposalExchange *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;

  if (!self->open)
    return;
  pending = rp_store_list_proposals (self->store, self->partner_id, TRUE, &error);
  if (pending == NULL)
    {
      g_warning ("Could not read the proposals waiting for the partner: %s", error->message);
      return;
    }
  for (guint i = 0; i < pending->len && self->open; i++)
    {
      RpProposalRecord *record = pending->pdata[i];
      g_autoptr(JsonNode) message = NULL;

      if (record->incoming)
        continue;
      message = rp_proposal_to_json (record->proposal);
      send_now (self, message);
    }
}

static gboolean
queue_message (RpProposalExchange *self,
               JsonNode           *message,
               GError            **error)
{
  g_autoptr(GError) local_error = NULL;

  if (rp_store_outbox_push (self->store, self->partner_id, message, &local_error) == 0)
    return store_failed (error, local_error);
  flush_outbox (self);
  return TRUE;
}

/* ---- receiving ---------------------------------------------------------------------------- */

static guint
count_pending_incoming (RpProposalExchange *self)
{
  g_autoptr(GPtrArray) pending = rp_proposal_exchange_list_incoming (self, NULL);

  return pending != NULL ? pending->len : 0;
}

/* The partner sends a proposal again until our answer reaches them: answer again if we did. */
static void
answer_again (RpProposalExchange *self,
              RpProposalRecord   *known)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (rp_proposal_get_state (known->proposal) == RP_PROPOSAL_STATE_PENDING)
    {
      g_message ("Ignored a schedule proposal received again (%s)",
                 rp_proposal_get_id (known->proposal));
      return;
    }
  answer = rp_proposal_answer_message (known->proposal);
  if (!queue_message (self, answer, &error))
    g_warning ("Could not answer the proposal again: %s", error->message);
}

static void
receive_proposal (RpProposalExchange *self,
                  JsonNode           *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpProposal) proposal = rp_proposal_new_from_json (message, &error);
  g_autoptr(RpProposalRecord) known = NULL;

  if (proposal == NULL)
    {
      refuse (self, RP_PROPOSAL_EXCHANGE_ERROR_INVALID, error->message);
      return;
    }
  if (rp_proposal_get_state (proposal) != RP_PROPOSAL_STATE_PENDING)
    {
      refuse (self, RP_PROPOSAL_EXCHANGE_ERROR_INVALID,
              "a proposal must arrive pending, with no accepted slot");
      return;
    }
  known = find_record (self, rp_proposal_get_id (proposal));
  if (known != NULL && (!known->incoming || !is_ours (self, known)))
    {
      refuse (self, RP_PROPOSAL_EXCHANGE_ERROR_UNKNOWN,
              "its id is one of our own proposals or another partner's");
      return;
    }
  if (known != NULL)
    {
      answer_again (self, known);
      return;
    }
  if (count_pending_incoming (self) >= MAX_PENDING_INCOMING)
    {
      refuse (self, RP_PROPOSAL_EXCHANGE_ERROR_STATE,
              "too many proposals are waiting for an answer already");
      return;
    }
  if (!rp_store_save_proposal (self->store, self->partner_id, proposal, TRUE, &error))
    {
      g_warning ("Could not keep the partner's proposal: %s", error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_PROPOSAL_RECEIVED], 0, proposal);
}

static const char *
answer_id (JsonNode *message)
{
  JsonNode *id = json_object_get_member (json_node_get_object (message), "id");

  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    return NULL;
  if (strlen (json_node_get_string (id)) > MAX_ID_BYTES)
    return NULL;
  return json_node_get_string (id);
}

static void
receive_answer (RpProposalExchange *self,
                JsonNode           *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpProposalRecord) record = NULL;
  g_autoptr(RpMeeting) meeting = NULL;
  g_autoptr(RpSessionRecord) session = NULL;
  const char *id = answer_id (message);
  RpProposalState before;

  if (id == NULL)
    {
      refuse (self, RP_PROPOSAL_EXCHANGE_ERROR_INVALID, "an answer without a string id");
      return;
    }
  record = find_record (self, id);
  if (record == NULL || record->incoming || !is_ours (self, record))
    {
      refuse (self, RP_PROPOSAL_EXCHANGE_ERROR_UNKNOWN,
              "an answer to a proposal we never sent");
      return;
    }
  before = rp_proposal_get_state (record->proposal);
  meeting = rp_proposal_apply_answer (record->proposal, message, &error);
  if (error != NULL)
    {
      refuse (self, g_error_matches (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_STATE)
                      ? RP_PROPOSAL_EXCHANGE_ERROR_STATE
                      : RP_PROPOSAL_EXCHANGE_ERROR_INVALID, error->message);
      return;
    }
  if (rp_proposal_get_state (record->proposal) == before)
    {
      g_message ("Ignored an answer received again (%s)", id);
      return;
    }
  if (!rp_store_save_proposal (self->store, record->partner_id, record->proposal, FALSE, &error))
    g_warning ("Could not keep the partner's answer: %s", error->message);
  if (meeting != NULL &&
      (session = schedule_once (self, record->proposal, record->partner_id, &error)) == NULL)
    g_warning ("%s", error->message);
  g_signal_emit (self, signals[SIGNAL_PROPOSAL_ANSWERED], 0, record->proposal, meeting != NULL);
}

gboolean
rp_proposal_exchange_receive_app (RpProposalExchange *self,
                                  JsonNode           *message)
{
  const char *type;

  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (message))
    return FALSE;
  type = json_object_get_string_member_with_default (json_node_get_object (message), "type",
                                                     NULL);
  if (g_strcmp0 (type, "schedule-proposal") == 0)
    receive_proposal (self, message);
  else if (g_strcmp0 (type, "schedule-answer") == 0)
    receive_answer (self, message);
  else
    return FALSE;
  return TRUE;
}

/* ---- our side ----------------------------------------------------------------------------- */

gboolean
rp_proposal_exchange_propose (RpProposalExchange *self,
                              RpProposal         *proposal,
                              GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) message = NULL;

  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (self), FALSE);
  g_return_val_if_fail (RP_IS_PROPOSAL (proposal), FALSE);

  if (rp_proposal_get_state (proposal) != RP_PROPOSAL_STATE_PENDING ||
      rp_proposal_get_n_slots (proposal) == 0)
    {
      g_set_error (error, RP_PROPOSAL_EXCHANGE_ERROR, RP_PROPOSAL_EXCHANGE_ERROR_STATE,
                   "Only a pending proposal with at least one time can be sent");
      return FALSE;
    }
  if (!rp_store_save_proposal (self->store, self->partner_id, proposal, FALSE, &local_error))
    return store_failed (error, local_error);
  if (self->open)
    {
      message = rp_proposal_to_json (proposal);
      send_now (self, message);
    }
  return TRUE;
}

static RpProposalRecord *
find_incoming (RpProposalExchange *self,
               const char         *id,
               GError            **error)
{
  g_autoptr(RpProposalRecord) record = find_record (self, id);

  if (record == NULL || !record->incoming || !is_ours (self, record))
    {
      g_set_error (error, RP_PROPOSAL_EXCHANGE_ERROR, RP_PROPOSAL_EXCHANGE_ERROR_UNKNOWN,
                   "There is no proposal from the partner with id “%s”", id);
      return NULL;
    }
  return g_steal_pointer (&record);
}

static gboolean
proposal_failed (GError **error,
                 GError  *cause)
{
  g_set_error_literal (error, RP_PROPOSAL_EXCHANGE_ERROR,
                       g_error_matches (cause, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_STATE)
                         ? RP_PROPOSAL_EXCHANGE_ERROR_STATE : RP_PROPOSAL_EXCHANGE_ERROR_INVALID,
                       cause->message);
  return FALSE;
}

RpSessionRecord *
rp_proposal_exchange_accept (RpProposalExchange *self,
                             const char         *id,
                             guint               index,
                             GError            **error)
{
  g_autoptr(RpProposalRecord) record = NULL;
  g_autoptr(RpMeeting) meeting = NULL;
  g_autoptr(RpSessionRecord) session = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if ((record = find_incoming (self, id, error)) == NULL)
    return NULL;
  if ((meeting = rp_proposal_accept (record->proposal, index, &local_error)) == NULL)
    return proposal_failed (error, local_error), NULL;
  if (!rp_store_save_proposal (self->store, record->partner_id, record->proposal, TRUE,
                               &local_error))
    return store_failed (error, local_error), NULL;
  if ((session = schedule_once (self, record->proposal, record->partner_id, error)) == NULL)
    return NULL;
  answer = rp_proposal_answer_message (record->proposal);
  if (!queue_message (self, answer, error))
    return NULL;
  return g_steal_pointer (&session);
}

gboolean
rp_proposal_exchange_decline (RpProposalExchange *self,
                              const char         *id,
                              GError            **error)
{
  g_autoptr(RpProposalRecord) record = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((record = find_incoming (self, id, error)) == NULL)
    return FALSE;
  if (!rp_proposal_decline (record->proposal, &local_error))
    return proposal_failed (error, local_error);
  if (!rp_store_save_proposal (self->store, record->partner_id, record->proposal, TRUE,
                               &local_error))
    return store_failed (error, local_error);
  answer = rp_proposal_answer_message (record->proposal);
  return queue_message (self, answer, error);
}

GPtrArray *
rp_proposal_exchange_list_incoming (RpProposalExchange *self,
                                    GError            **error)
{
  g_autoptr(GPtrArray) pending = NULL;

  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (self), NULL);

  pending = rp_store_list_proposals (self->store, self->partner_id, TRUE, error);
  if (pending == NULL)
    return NULL;
  for (guint i = pending->len; i > 0; i--)
    if (!((RpProposalRecord *) pending->pdata[i - 1])->incoming)
      g_ptr_array_remove_index (pending, i - 1);
  return g_steal_pointer (&pending);
}

/* ---- the channel -------------------------------------------------------------------------- */

static void
set_open (RpProposalExchange *self,
          gboolean            open)
{
  if (self->open == open)
    return;
  self->open = open;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
}

void
rp_proposal_exchange_channel_opened (RpProposalExchange *self)
{
  g_return_if_fail (RP_IS_PROPOSAL_EXCHANGE (self));

  set_open (self, TRUE);
  send_pending_proposals (self);
  flush_outbox (self);
}

void
rp_proposal_exchange_channel_closed (RpProposalExchange *self)
{
  g_return_if_fail (RP_IS_PROPOSAL_EXCHANGE (self));
  set_open (self, FALSE);
}

gboolean
rp_proposal_exchange_is_open (RpProposalExchange *self)
{
  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (self), FALSE);
  return self->open;
}

static void
on_session_channel_open (RpSession          *session,
                         RpProposalExchange *self)
{
  rp_proposal_exchange_channel_opened (self);
}

/* Any state but CONNECTED: the data channel is gone or being rebuilt; the next one opens with
 * data-channel-open again. */
static void
on_session_state (RpSession          *session,
                  GParamSpec         *pspec,
                  RpProposalExchange *self)
{
  if (rp_session_get_state (session) != RP_SESSION_STATE_CONNECTED)
    rp_proposal_exchange_channel_closed (self);
}

static void
on_session_app_message (RpSession          *session,
                        JsonNode           *message,
                        RpProposalExchange *self)
{
  rp_proposal_exchange_receive_app (self, message);
}

void
rp_proposal_exchange_set_session (RpProposalExchange *self,
                                  RpSession          *session)
{
  g_return_if_fail (RP_IS_PROPOSAL_EXCHANGE (self));
  g_return_if_fail (session == NULL || RP_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_object (&self->session);
      rp_proposal_exchange_channel_closed (self);
    }
  if (session == NULL)
    return;
  self->session = g_object_ref (session);
  g_signal_connect (session, "data-channel-open", G_CALLBACK (on_session_channel_open), self);
  g_signal_connect (session, "notify::state", G_CALLBACK (on_session_state), self);
  g_signal_connect (session, "app-message", G_CALLBACK (on_session_app_message), self);
}

gint64
rp_proposal_exchange_get_partner_id (RpProposalExchange *self)
{
  g_return_val_if_fail (RP_IS_PROPOSAL_EXCHANGE (self), 0);
  return self->partner_id;
}

void
rp_proposal_exchange_set_partner_id (RpProposalExchange *self,
                                     gint64              partner_id)
{
  g_return_if_fail (RP_IS_PROPOSAL_EXCHANGE (self));

  if (self->partner_id == partner_id)
    return;
  self->partner_id = partner_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTNER_ID]);
  send_pending_proposals (self);
  flush_outbox (self);
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
rp_proposal_exchange_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  RpProposalExchange *self = RP_PROPOSAL_EXCHANGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PARTNER_ID:
      g_value_set_int64 (value, self->partner_id);
      break;
    case PROP_OPEN:
      g_value_set_boolean (value, self->open);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_proposal_exchange_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  RpProposalExchange *self = RP_PROPOSAL_EXCHANGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_PARTNER_ID:
      rp_proposal_exchange_set_partner_id (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_proposal_exchange_dispose (GObject *object)
{
  RpProposalExchange *self = RP_PROPOSAL_EXCHANGE (object);

  rp_proposal_exchange_set_session (self, NULL);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (rp_proposal_exchange_parent_class)->dispose (object);
}

static void
rp_proposal_exchange_class_init (RpProposalExchangeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = rp_proposal_exchange_get_property;
  object_class->set_property = rp_proposal_exchange_set_property;
  object_class->dispose = rp_proposal_exchange_dispose;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, RP_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARTNER_ID] =
    g_param_spec_int64 ("partner-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPEN] =
    g_param_spec_boolean ("open", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A proposal from the partner, now kept as incoming and waiting for our answer. */
  signals[SIGNAL_PROPOSAL_RECEIVED] =
    g_signal_new ("proposal-received", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RP_TYPE_PROPOSAL);
  /* The partner answered one of ours (accepted: TRUE, or declined). */
  signals[SIGNAL_PROPOSAL_ANSWERED] =
    g_signal_new ("proposal-answered", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, RP_TYPE_PROPOSAL, G_TYPE_BOOLEAN);
  /* A planned session was stored for an accepted proposal (on either side). */
  signals[SIGNAL_SESSION_SCHEDULED] =
    g_signal_new ("session-scheduled", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RP_TYPE_SESSION_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_SEND_APP] =
    g_signal_new ("send-app", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
rp_proposal_exchange_init (RpProposalExchange *self)
{
}

RpProposalExchange *
rp_proposal_exchange_new (RpStore *store,
                          gint64   partner_id)
{
  g_return_val_if_fail (RP_IS_STORE (store), NULL);
  return g_object_new (RP_TYPE_PROPOSAL_EXCHANGE, "store", store, "partner-id", partner_id,
                       NULL);
}
