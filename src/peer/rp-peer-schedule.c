/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-peer's scheduling proposals, scripted from outside: --propose FILE queues a proposal
 * (it goes when the data channel opens, now or on a later run with the same --store);
 * --accept-proposals decides what to answer to the partner's. Reported as JSON lines:
 *   proposal-queued    {id, slots}                   our proposal is kept and queued
 *   proposal-received  {id, zone, minutes, slots, rrule, summary, link}
 *   proposal-answered  {id, accepted, slot}          the partner answered ours (slot or null)
 *   session-scheduled  {uid, zone, local, utc, minutes, rrule, title, link}   either side
 *   schedule-error     {message}                     a refused peer message, a failed answer
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "rp-peer-docs.h"
#include "rp-peer-events.h"
#include "rp-peer-schedule.h"
#include "rp-proposal-exchange.h"
#include "rp-store.h"

typedef enum {
  ANSWER_NONE,
  ANSWER_FIRST,
  ANSWER_LAST,
  ANSWER_DECLINE,
} AnswerPolicy;

typedef struct {
  RpSession          *session;
  RpStore            *store;
  RpProposalExchange *exchange;
  char               *temp_dir;    /* the store's folder when no --store was given */
  gint64              t0_us;
  AnswerPolicy        policy;
  guint               answer_id;
} PeerSchedule;

static char    *opt_propose;
static char    *opt_accept;
static gboolean opt_events;

/* ---- output ------------------------------------------------------------------------------- */

static void
add_slots (JsonBuilder *b,
           RpProposal  *proposal)
{
  json_builder_set_member_name (b, "slots");
  json_builder_begin_array (b);
  for (guint i = 0; i < rp_proposal_get_n_slots (proposal); i++)
    {
      g_autofree char *text = NULL;
      RpLocal l;

      rp_proposal_get_slot (proposal, i, &l);
      text = rp_local_format (&l);
      json_builder_add_string_value (b, text);
    }
  json_builder_end_array (b);
}

static void
print_error (PeerSchedule *ps,
             const char   *message)
{
  JsonBuilder *b = rp_peer_event_begin (ps->t0_us, "schedule-error");

  rp_peer_event_add_string (b, "message", message);
  rp_peer_event_end (b);
}

/* ---- answering ---------------------------------------------------------------------------- */

static void
answer (PeerSchedule *ps,
        RpProposal   *proposal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpSessionRecord) record = NULL;
  const char *id = rp_proposal_get_id (proposal);
  guint n = rp_proposal_get_n_slots (proposal);

  switch (ps->policy)
    {
    case ANSWER_NONE:
      return;
    case ANSWER_DECLINE:
      if (!rp_proposal_exchange_decline (ps->exchange, id, &error))
        print_error (ps, error->message);
      return;
    case ANSWER_FIRST:
    case ANSWER_LAST:
      record = rp_proposal_exchange_accept (ps->exchange, id,
                                            ps->policy == ANSWER_FIRST ? 0 : n - 1, &error);
      if (record == NULL)
        print_error (ps, error->message);
      return;
    }
}

/* Answers every proposal waiting (also those kept from an earlier run), outside the emission
 * that brought the last one in. */
static gboolean
answer_pending (gpointer user_data)
{
  PeerSchedule *ps = user_data;
  g_autoptr(GPtrArray) pending = rp_proposal_exchange_list_incoming (ps->exchange, NULL);

  ps->answer_id = 0;
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    answer (ps, ((RpProposalRecord *) pending->pdata[i])->proposal);
  return G_SOURCE_REMOVE;
}

static void
on_received (RpProposalExchange *exchange,
             RpProposal         *proposal,
             PeerSchedule       *ps)
{
  JsonBuilder *b = rp_peer_event_begin (ps->t0_us, "proposal-received");

  rp_peer_event_add_string (b, "id", rp_proposal_get_id (proposal));
  rp_peer_event_add_string (b, "zone", rp_proposal_get_zone (proposal));
  rp_peer_event_add_int (b, "minutes", rp_proposal_get_minutes (proposal));
  add_slots (b, proposal);
  rp_peer_event_add_string (b, "rrule", rp_proposal_get_rrule (proposal));
  rp_peer_event_add_string (b, "summary", rp_proposal_get_summary (proposal));
  rp_peer_event_add_string (b, "link", rp_proposal_get_link (proposal));
  rp_peer_event_end (b);
  if (ps->policy != ANSWER_NONE && ps->answer_id == 0)
    ps->answer_id = g_idle_add (answer_pending, ps);
}

static void
on_answered (RpProposalExchange *exchange,
             RpProposal         *proposal,
             gboolean            accepted,
             PeerSchedule       *ps)
{
  JsonBuilder *b = rp_peer_event_begin (ps->t0_us, "proposal-answered");
  g_autofree char *slot = NULL;
  RpLocal l;

  if (accepted && rp_proposal_get_slot (proposal, (guint) rp_proposal_get_accepted (proposal),
                                        &l))
    slot = rp_local_format (&l);
  rp_peer_event_add_string (b, "id", rp_proposal_get_id (proposal));
  rp_peer_event_add_boolean (b, "accepted", accepted);
  rp_peer_event_add_string (b, "slot", slot);
  rp_peer_event_end (b);
}

static void
on_scheduled (RpProposalExchange    *exchange,
              const RpSessionRecord *record,
              PeerSchedule          *ps)
{
  JsonBuilder *b = rp_peer_event_begin (ps->t0_us, "session-scheduled");
  gint64 utc = rp_session_record_get_scheduled_instant (record);
  g_autofree char *utc_text = utc != 0 ? rp_utc_format (utc) : NULL;
  g_autofree char *local = NULL;
  RpLocal l;

  /* The store keeps seconds; PROTOCOL.md writes local times as YYYY-MM-DDTHH:MM. */
  if (record->scheduled_local != NULL && rp_local_parse (record->scheduled_local, &l, NULL))
    local = rp_local_format (&l);

  rp_peer_event_add_string (b, "uid", record->uid);
  rp_peer_event_add_string (b, "zone", record->scheduled_zone);
  rp_peer_event_add_string (b, "local", local);
  rp_peer_event_add_string (b, "utc", utc_text);
  rp_peer_event_add_int (b, "minutes", record->planned_minutes);
  rp_peer_event_add_string (b, "rrule", record->rrule);
  rp_peer_event_add_string (b, "title", record->title);
  rp_peer_event_add_string (b, "link", record->link);
  rp_peer_event_end (b);
}

static void
on_exchange_error (RpProposalExchange *exchange,
                   const GError       *error,
                   PeerSchedule       *ps)
{
  print_error (ps, error->message);
}

/* ---- --propose ---------------------------------------------------------------------------- */

/* The file holds the proposal as docs/SCHEDULE.md writes it; "type", "version" and "id" may be
 * left out (an id is then made up). It is checked exactly as a peer's proposal is. */
static RpProposal *
read_proposal (const char *path,
               GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(RpProposal) fresh = NULL;
  JsonObject *o;

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: a proposal is a JSON object (see docs/SCHEDULE.md)", path);
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (o, "type"))
    json_object_set_string_member (o, "type", "schedule-proposal");
  if (!json_object_has_member (o, "version"))
    json_object_set_int_member (o, "version", 1);
  if (!json_object_has_member (o, "id"))
    {
      /* A fresh proposal's id, from the same generator the app uses. */
      fresh = rp_proposal_new ("UTC", 60, NULL);
      json_object_set_string_member (o, "id", rp_proposal_get_id (fresh));
    }
  return rp_proposal_new_from_json (json_parser_get_root (parser), error);
}

static gboolean
queue_proposal (PeerSchedule *ps,
                GError      **error)
{
  g_autoptr(RpProposal) proposal = read_proposal (opt_propose, error);
  JsonBuilder *b;

  if (proposal == NULL || !rp_proposal_exchange_propose (ps->exchange, proposal, error))
    return FALSE;
  b = rp_peer_event_begin (ps->t0_us, "proposal-queued");
  rp_peer_event_add_string (b, "id", rp_proposal_get_id (proposal));
  add_slots (b, proposal);
  rp_peer_event_end (b);
  return TRUE;
}

/* ---- setup -------------------------------------------------------------------------------- */

static void
peer_schedule_free (PeerSchedule *ps)
{
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&ps->answer_id, g_source_remove);
  if (ps->exchange != NULL)
    {
      g_signal_handlers_disconnect_by_data (ps->exchange, ps);
      rp_proposal_exchange_set_session (ps->exchange, NULL);
    }
  g_clear_object (&ps->exchange);
  if (ps->store != NULL && !rp_store_close (ps->store, &error))
    g_warning ("Closing the schedule store failed: %s", error->message);
  g_clear_object (&ps->store);
  if (ps->temp_dir != NULL)
    {
      const char *names[] = { "schedule.db", "schedule.db-wal", "schedule.db-shm" };

      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *path = g_build_filename (ps->temp_dir, names[i], NULL);

          g_unlink (path);
        }
      g_rmdir (ps->temp_dir);
    }
  g_free (ps->temp_dir);
  g_free (ps);
}

static void
on_session_ended (RpSession    *session,
                  const char   *reason,
                  PeerSchedule *ps)
{
  g_signal_handlers_disconnect_by_data (session, ps);
  peer_schedule_free (ps);
}

GOptionGroup *
rp_peer_schedule_get_option_group (void)
{
  static const GOptionEntry entries[] = {
    { "propose", 0, 0, G_OPTION_ARG_FILENAME, &opt_propose,
      "Propose the times in this JSON file to the partner (sent when the call connects; with "
      "--store, kept until then across restarts)", "FILE" },
    { "accept-proposals", 0, 0, G_OPTION_ARG_STRING, &opt_accept,
      "Answer the partner's proposals: first or last (accept that slot), decline, or none "
      "(default: report them only)", "first|last|decline|none" },
    { "schedule-events", 0, 0, G_OPTION_ARG_NONE, &opt_events,
      "Report scheduling proposals even without other scheduling options", NULL },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("schedule", "Scheduling proposals:",
                                            "Show the scheduling proposal options", NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

static gboolean
parse_policy (AnswerPolicy *policy,
              GError      **error)
{
  const char *names[] = { "none", "first", "last", "decline" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (opt_accept == NULL || g_str_equal (opt_accept, names[i]))
      {
        *policy = opt_accept == NULL ? ANSWER_NONE : (AnswerPolicy) i;
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--accept-proposals takes first, last, decline or none, not “%s”", opt_accept);
  return FALSE;
}

/* Without --store, proposals live in a temporary store for this run only. */
static gboolean
open_store (PeerSchedule *ps,
            GError      **error)
{
  const char *path = rp_peer_docs_get_store_path ();
  g_autofree char *temp = NULL;

  if (path == NULL)
    {
      if ((ps->temp_dir = g_dir_make_tmp ("rapport-peer-XXXXXX", error)) == NULL)
        return FALSE;
      path = temp = g_build_filename (ps->temp_dir, "schedule.db", NULL);
    }
  ps->store = rp_store_new (path, error);
  return ps->store != NULL;
}

gboolean
rp_peer_schedule_setup (RpSession *session,
                        gint64     t0_us,
                        GError   **error)
{
  PeerSchedule *ps;
  AnswerPolicy policy;

  if (!parse_policy (&policy, error))
    return FALSE;
  /* Without a scheduling option nothing is opened: other uses of --store stay as they were. */
  if (opt_propose == NULL && opt_accept == NULL && !opt_events)
    return TRUE;
  ps = g_new0 (PeerSchedule, 1);
  ps->session = session;
  ps->t0_us = t0_us;
  ps->policy = policy;
  if (!open_store (ps, error))
    {
      peer_schedule_free (ps);
      return FALSE;
    }
  ps->exchange = rp_proposal_exchange_new (ps->store, 0);
  g_signal_connect (ps->exchange, "proposal-received", G_CALLBACK (on_received), ps);
  g_signal_connect (ps->exchange, "proposal-answered", G_CALLBACK (on_answered), ps);
  g_signal_connect (ps->exchange, "session-scheduled", G_CALLBACK (on_scheduled), ps);
  g_signal_connect (ps->exchange, "error", G_CALLBACK (on_exchange_error), ps);
  if (opt_propose != NULL && !queue_proposal (ps, error))
    {
      peer_schedule_free (ps);
      return FALSE;
    }
  rp_proposal_exchange_set_session (ps->exchange, session);
  g_signal_connect (session, "ended", G_CALLBACK (on_session_ended), ps);
  if (policy != ANSWER_NONE)
    ps->answer_id = g_idle_add (answer_pending, ps);
  return TRUE;
}
