/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RpProposalExchange between two sides, each with its own SQLite store, the messages carried
 * between them as the data channel would (in order, as JSON text). The same object over a real
 * call is tested through rapport-peer (test-peer-schedule.c).
 */
#include "config.h"

#include "rp-proposal-exchange.h"
#include "store-test-util.h"

typedef struct {
  char               *path;
  RpStore            *store;
  RpProposalExchange *exchange;
  GPtrArray          *wire;        /* messages sent, as JSON text, not yet delivered */
  GPtrArray          *received;    /* RpProposal* from "proposal-received" */
  GPtrArray          *scheduled;   /* RpSessionRecord* from "session-scheduled" */
  GPtrArray          *errors;      /* char* from "error" */
  guint               answered;
  gboolean            last_accepted;
} Side;

typedef struct {
  char *dir;
  Side  a;
  Side  b;
} Fixture;

static void
on_send (RpProposalExchange *x, JsonNode *message, Side *side)
{
  g_ptr_array_add (side->wire, json_to_string (message, FALSE));
}

static void
on_received (RpProposalExchange *x, RpProposal *proposal, Side *side)
{
  g_ptr_array_add (side->received, g_object_ref (proposal));
}

static void
on_scheduled (RpProposalExchange *x, RpSessionRecord *record, Side *side)
{
  g_ptr_array_add (side->scheduled, rp_session_record_copy (record));
}

static void
on_answered (RpProposalExchange *x, RpProposal *proposal, gboolean accepted, Side *side)
{
  side->answered++;
  side->last_accepted = accepted;
}

static void
on_error (RpProposalExchange *x, const GError *error, Side *side)
{
  g_ptr_array_add (side->errors, g_strdup (error->message));
}

static void
side_open (Side *side)
{
  g_autoptr(GError) error = NULL;

  side->store = rp_store_new (side->path, &error);
  g_assert_no_error (error);
  side->exchange = rp_proposal_exchange_new (side->store, 0);
  g_signal_connect (side->exchange, "send-app", G_CALLBACK (on_send), side);
  g_signal_connect (side->exchange, "proposal-received", G_CALLBACK (on_received), side);
  g_signal_connect (side->exchange, "session-scheduled", G_CALLBACK (on_scheduled), side);
  g_signal_connect (side->exchange, "proposal-answered", G_CALLBACK (on_answered), side);
  g_signal_connect (side->exchange, "error", G_CALLBACK (on_error), side);
}

static void
side_close (Side *side)
{
  g_clear_object (&side->exchange);
  if (side->store != NULL)
    g_assert_true (rp_store_close (side->store, NULL));
  g_clear_object (&side->store);
}

static void
side_init (Side *side, const char *dir, const char *name)
{
  side->path = g_build_filename (dir, name, NULL);
  side->wire = g_ptr_array_new_with_free_func (g_free);
  side->received = g_ptr_array_new_with_free_func (g_object_unref);
  side->scheduled = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_session_record_free);
  side->errors = g_ptr_array_new_with_free_func (g_free);
  side_open (side);
}

static void
side_clear (Side *side)
{
  side_close (side);
  g_ptr_array_unref (side->wire);
  g_ptr_array_unref (side->received);
  g_ptr_array_unref (side->scheduled);
  g_ptr_array_unref (side->errors);
  g_free (side->path);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("rapport-exchange-XXXXXX", &error);
  g_assert_no_error (error);
  side_init (&f->a, f->dir, "a.db");
  side_init (&f->b, f->dir, "b.db");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  side_clear (&f->a);
  side_clear (&f->b);
  remove_tree (f->dir);
  g_free (f->dir);
}

/* Hands what `from` sent to `to`, as text parsed again (the channel carries text). */
static guint
deliver (Side *from, Side *to)
{
  guint n = 0;

  while (from->wire->len > 0)
    {
      g_autofree char *text = g_ptr_array_steal_index (from->wire, 0);
      g_autoptr(JsonNode) node = json_from_string (text, NULL);

      g_assert_nonnull (node);
      g_assert_true (rp_proposal_exchange_receive_app (to->exchange, node));
      n++;
    }
  return n;
}

static void
open_both (Fixture *f)
{
  rp_proposal_exchange_channel_opened (f->a.exchange);
  rp_proposal_exchange_channel_opened (f->b.exchange);
}

static RpProposal *
make_proposal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpProposal) p = rp_proposal_new ("Europe/Berlin", 45, &error);
  const char *slots[] = { "2030-03-10T09:00", "2030-03-11T17:30", "2030-03-12T08:15" };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      RpLocal l;

      g_assert_true (rp_local_parse (slots[i], &l, NULL));
      g_assert_true (rp_proposal_add_slot (p, &l, NULL));
    }
  rp_proposal_set_summary (p, "Mentoring: Aiko and Ben");
  rp_proposal_set_link (p, "rapport://127.0.0.1:4000/abcdefghijklmnopqrstuv");
  rp_proposal_set_rrule (p, "FREQ=WEEKLY");
  return g_steal_pointer (&p);
}

static RpSessionRecord *
stored_session (Side *side, const char *uid)
{
  g_autoptr(GError) error = NULL;
  RpSessionRecord *r = rp_store_get_session_by_uid (side->store, uid, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static guint
count_sessions (Side *side)
{
  g_autoptr(GPtrArray) up = rp_store_list_upcoming_sessions (side->store, 0, 0, 100, NULL);

  g_assert_nonnull (up);
  return up != NULL ? up->len : 0;
}

static void
assert_same_planned_session (Side *a, Side *b, const char *uid, const char *local)
{
  g_autoptr(RpSessionRecord) ra = stored_session (a, uid);
  g_autoptr(RpSessionRecord) rb = stored_session (b, uid);

  g_assert_cmpstr (ra->scheduled_zone, ==, "Europe/Berlin");
  g_assert_cmpstr (ra->scheduled_local, ==, local);
  g_assert_cmpstr (rb->scheduled_zone, ==, ra->scheduled_zone);
  g_assert_cmpstr (rb->scheduled_local, ==, ra->scheduled_local);
  g_assert_cmpuint (ra->planned_minutes, ==, 45);
  g_assert_cmpuint (rb->planned_minutes, ==, 45);
  g_assert_cmpstr (ra->rrule, ==, "FREQ=WEEKLY");
  g_assert_cmpstr (rb->rrule, ==, "FREQ=WEEKLY");
  g_assert_cmpstr (ra->title, ==, rb->title);
  g_assert_cmpstr (ra->link, ==, rb->link);
  g_assert_cmpint (ra->started_at, ==, 0);
  g_assert_cmpint (rb->started_at, ==, 0);
}

static void
test_accepted_slot_is_same_session_on_both_sides (Fixture *f, gconstpointer data)
{
  g_autoptr(RpProposal) p = make_proposal ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RpSessionRecord) accepted = NULL;
  g_autoptr(GPtrArray) incoming = NULL;
  const char *id = rp_proposal_get_id (p);

  open_both (f);
  g_assert_true (rp_proposal_exchange_propose (f->a.exchange, p, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deliver (&f->a, &f->b), ==, 1);
  g_assert_cmpuint (f->b.received->len, ==, 1);
  g_assert_cmpstr (rp_proposal_get_id (f->b.received->pdata[0]), ==, id);
  g_assert_cmpuint (rp_proposal_get_n_slots (f->b.received->pdata[0]), ==, 3);
  incoming = rp_proposal_exchange_list_incoming (f->b.exchange, &error);
  g_assert_cmpuint (incoming->len, ==, 1);
  g_assert_cmpuint (f->a.scheduled->len + f->b.scheduled->len, ==, 0);

  accepted = rp_proposal_exchange_accept (f->b.exchange, id, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (accepted->scheduled_local, ==, "2030-03-11T17:30:00");
  g_assert_cmpuint (f->b.scheduled->len, ==, 1);
  g_assert_cmpuint (deliver (&f->b, &f->a), ==, 1);
  g_assert_cmpuint (f->a.answered, ==, 1);
  g_assert_true (f->a.last_accepted);
  g_assert_cmpuint (f->a.scheduled->len, ==, 1);
  assert_same_planned_session (&f->a, &f->b, id, "2030-03-11T17:30:00");
  g_assert_cmpuint (count_sessions (&f->a), ==, 1);
  g_assert_cmpuint (count_sessions (&f->b), ==, 1);
  g_clear_pointer (&incoming, g_ptr_array_unref);
  incoming = rp_proposal_exchange_list_incoming (f->b.exchange, &error);
  g_assert_cmpuint (incoming->len, ==, 0);
  g_assert_cmpuint (f->a.errors->len + f->b.errors->len, ==, 0);
}

/* Proposed while the partner is away, and then the app restarts: the proposal waits in the
 * store and goes when the channel next opens, and again on each connection until answered.
 * The answer waits in the outbox likewise. */
static void
test_proposal_waits_offline_and_across_restart (Fixture *f, gconstpointer data)
{
  g_autoptr(RpProposal) p = make_proposal ();
  g_autoptr(RpSessionRecord) accepted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (rp_proposal_get_id (p));

  g_assert_true (rp_proposal_exchange_propose (f->a.exchange, p, &error));
  g_assert_cmpuint (f->a.wire->len, ==, 0);
  side_close (&f->a);
  side_open (&f->a);
  g_assert_cmpuint (f->a.wire->len, ==, 0);
  open_both (f);
  g_assert_cmpuint (deliver (&f->a, &f->b), ==, 1);
  g_assert_cmpuint (f->b.received->len, ==, 1);
  /* Not answered yet: a channel that opens again carries it again; the partner sees it once. */
  rp_proposal_exchange_channel_closed (f->a.exchange);
  rp_proposal_exchange_channel_opened (f->a.exchange);
  g_assert_cmpuint (deliver (&f->a, &f->b), ==, 1);
  g_assert_cmpuint (f->b.received->len, ==, 1);

  rp_proposal_exchange_channel_closed (f->b.exchange);
  accepted = rp_proposal_exchange_accept (f->b.exchange, id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->b.wire->len, ==, 0);
  side_close (&f->b);
  side_open (&f->b);
  rp_proposal_exchange_channel_opened (f->b.exchange);
  g_assert_cmpuint (deliver (&f->b, &f->a), ==, 1);
  assert_same_planned_session (&f->a, &f->b, id, "2030-03-10T09:00:00");
  /* Answered: nothing goes again. */
  rp_proposal_exchange_channel_closed (f->a.exchange);
  rp_proposal_exchange_channel_opened (f->a.exchange);
  g_assert_cmpuint (f->a.wire->len, ==, 0);
}

/* The answer is lost with a dying connection: the proposal goes again on the next one, and the
 * partner answers it again. */
static void
test_lost_answer_is_made_good_on_next_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(RpProposal) p = make_proposal ();
  g_autoptr(RpSessionRecord) accepted = NULL;
  g_autoptr(GError) error = NULL;

  open_both (f);
  g_assert_true (rp_proposal_exchange_propose (f->a.exchange, p, &error));
  deliver (&f->a, &f->b);
  accepted = rp_proposal_exchange_accept (f->b.exchange, rp_proposal_get_id (p), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->b.wire->len, ==, 1);
  g_ptr_array_set_size (f->b.wire, 0);    /* lost */
  g_assert_cmpuint (f->a.scheduled->len, ==, 0);

  rp_proposal_exchange_channel_closed (f->a.exchange);
  rp_proposal_exchange_channel_closed (f->b.exchange);
  open_both (f);
  g_assert_cmpuint (deliver (&f->a, &f->b), ==, 1);
  g_assert_cmpuint (f->b.received->len, ==, 1);
  g_assert_cmpuint (deliver (&f->b, &f->a), ==, 1);
  g_assert_cmpuint (f->a.scheduled->len, ==, 1);
  assert_same_planned_session (&f->a, &f->b, rp_proposal_get_id (p), "2030-03-11T17:30:00");
  g_assert_cmpuint (f->a.errors->len + f->b.errors->len, ==, 0);
}

/* A replayed proposal, a repeated answer, and accepting twice: one session each side. */
static void
test_repeats_schedule_one_session (Fixture *f, gconstpointer data)
{
  g_autoptr(RpProposal) p = make_proposal ();
  g_autoptr(RpSessionRecord) first = NULL;
  g_autoptr(RpSessionRecord) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *proposal_text = NULL;
  g_autofree char *answer_text = NULL;
  g_autoptr(JsonNode) replay = NULL;
  g_autoptr(JsonNode) answer = NULL;

  open_both (f);
  g_assert_true (rp_proposal_exchange_propose (f->a.exchange, p, &error));
  proposal_text = g_strdup (f->a.wire->pdata[0]);
  deliver (&f->a, &f->b);
  replay = json_from_string (proposal_text, NULL);
  g_assert_true (rp_proposal_exchange_receive_app (f->b.exchange, replay));
  g_assert_cmpuint (f->b.received->len, ==, 1);

  first = rp_proposal_exchange_accept (f->b.exchange, rp_proposal_get_id (p), 2, &error);
  g_assert_no_error (error);
  again = rp_proposal_exchange_accept (f->b.exchange, rp_proposal_get_id (p), 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->id, ==, again->id);
  g_assert_cmpuint (f->b.scheduled->len, ==, 1);
  answer_text = g_strdup (f->b.wire->pdata[0]);
  deliver (&f->b, &f->a);
  answer = json_from_string (answer_text, NULL);
  g_assert_true (rp_proposal_exchange_receive_app (f->a.exchange, answer));
  g_assert_true (rp_proposal_exchange_receive_app (f->a.exchange, answer));
  /* The proposal arriving again after it was answered brings the answer again, which changes
   * nothing either. */
  g_assert_true (rp_proposal_exchange_receive_app (f->b.exchange, replay));
  g_assert_cmpuint (deliver (&f->b, &f->a), ==, 1);

  g_assert_cmpuint (f->a.answered, ==, 1);
  g_assert_cmpuint (f->a.scheduled->len, ==, 1);
  g_assert_cmpuint (f->b.received->len, ==, 1);
  g_assert_cmpuint (count_sessions (&f->a), ==, 1);
  g_assert_cmpuint (count_sessions (&f->b), ==, 1);
  assert_same_planned_session (&f->a, &f->b, rp_proposal_get_id (p), "2030-03-12T08:15:00");
  g_assert_cmpuint (f->a.errors->len + f->b.errors->len, ==, 0);
}

static void
receive_text (Side *side, const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  g_assert_true (rp_proposal_exchange_receive_app (side->exchange, node));
}

/* Each hostile message is refused with an error and changes nothing; the exchange goes on. */
static void
test_hostile_messages_are_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(RpProposal) p = make_proposal ();
  g_autoptr(RpProposal) mine = make_proposal ();
  g_autoptr(JsonNode) echo = NULL;
  g_autoptr(JsonNode) other = json_from_string ("{\"type\":\"caret\",\"anchor\":\"x\"}", NULL);
  g_autoptr(JsonNode) array = json_from_string ("[1,2]", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *wrong_slot = NULL;
  g_autofree char *late = NULL;
  const char *hostile[] = {
    "{\"type\":\"schedule-proposal\"}",
    "{\"type\":\"schedule-proposal\",\"version\":2,\"id\":\"x@rapport\",\"zone\":\"UTC\","
    "\"minutes\":30,\"slots\":[\"2030-01-01T10:00\"]}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x@rapport\",\"zone\":\"Mars/Olympus\","
    "\"minutes\":30,\"slots\":[\"2030-01-01T10:00\"]}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x@rapport\",\"zone\":\"UTC\","
    "\"minutes\":30,\"slots\":[\"2030-01-01T10:00\"],\"state\":\"accepted\",\"accepted\":0}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x@rapport\",\"zone\":\"UTC\","
    "\"minutes\":30,\"slots\":[\"2030-02-30T10:00\"]}",
    "{\"type\":\"schedule-answer\"}",
    "{\"type\":\"schedule-answer\",\"id\":7,\"accept\":0}",
    "{\"type\":\"schedule-answer\",\"id\":\"never-sent@rapport\",\"accept\":0}",
  };

  open_both (f);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    receive_text (&f->b, hostile[i]);
  g_assert_cmpuint (f->b.errors->len, ==, G_N_ELEMENTS (hostile));
  g_assert_false (rp_proposal_exchange_receive_app (f->b.exchange, other));
  g_assert_false (rp_proposal_exchange_receive_app (f->b.exchange, array));

  /* Our own proposal sent back to us is not the partner's. */
  g_assert_true (rp_proposal_exchange_propose (f->b.exchange, mine, &error));
  echo = json_from_string (f->b.wire->pdata[0], NULL);
  g_ptr_array_set_size (f->b.wire, 0);
  g_assert_true (rp_proposal_exchange_receive_app (f->b.exchange, echo));
  g_assert_cmpuint (f->b.received->len, ==, 0);

  /* An answer to the partner's own proposal, or for a slot not offered, or changing an answer
   * already given, is refused. */
  g_assert_true (rp_proposal_exchange_propose (f->a.exchange, p, &error));
  deliver (&f->a, &f->b);
  g_assert_cmpuint (f->b.received->len, ==, 1);
  answer = g_strdup_printf ("{\"type\":\"schedule-answer\",\"id\":\"%s\",\"accept\":0}",
                            rp_proposal_get_id (p));
  receive_text (&f->b, answer);
  wrong_slot = g_strdup_printf ("{\"type\":\"schedule-answer\",\"id\":\"%s\",\"accept\":3}",
                                rp_proposal_get_id (p));
  receive_text (&f->a, wrong_slot);
  g_assert_cmpuint (f->a.scheduled->len, ==, 0);
  g_assert_null (rp_proposal_exchange_accept (f->b.exchange, rp_proposal_get_id (p), 3, &error));
  g_assert_error (error, RP_PROPOSAL_EXCHANGE_ERROR, RP_PROPOSAL_EXCHANGE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rp_proposal_exchange_accept (f->b.exchange, "nobody@rapport", 0, &error));
  g_assert_error (error, RP_PROPOSAL_EXCHANGE_ERROR, RP_PROPOSAL_EXCHANGE_ERROR_UNKNOWN);
  g_clear_error (&error);

  receive_text (&f->a, answer);
  g_assert_cmpuint (f->a.scheduled->len, ==, 1);
  late = g_strdup_printf ("{\"type\":\"schedule-answer\",\"id\":\"%s\",\"accept\":1}",
                          rp_proposal_get_id (p));
  receive_text (&f->a, late);
  receive_text (&f->a, "{\"type\":\"schedule-answer\",\"id\":\"x\",\"accept\":null,\"y\":[]}");
  g_assert_cmpuint (f->a.scheduled->len, ==, 1);
  g_assert_cmpuint (f->b.errors->len, ==, G_N_ELEMENTS (hostile) + 2);
  g_assert_cmpuint (f->a.errors->len, ==, 3);
  {
    g_autoptr(RpSessionRecord) r = stored_session (&f->a, rp_proposal_get_id (p));

    g_assert_cmpstr (r->scheduled_local, ==, "2030-03-10T09:00:00");
  }
}

/* A peer cannot fill the store: past 50 proposals waiting for an answer, more are refused. */
static void
test_flood_of_proposals_is_capped (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) incoming = NULL;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *text = g_strdup_printf (
        "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"flood-%u@rapport\","
        "\"zone\":\"UTC\",\"minutes\":30,\"slots\":[\"2030-01-01T10:00\"]}", i);

      receive_text (&f->b, text);
    }
  incoming = rp_proposal_exchange_list_incoming (f->b.exchange, NULL);
  g_assert_cmpuint (incoming->len, ==, 50);
  g_assert_cmpuint (f->b.received->len, ==, 50);
  g_assert_cmpuint (f->b.errors->len, ==, 10);
}

static void
test_decline_reaches_proposer_without_session (Fixture *f, gconstpointer data)
{
  g_autoptr(RpProposal) p = make_proposal ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mine = NULL;

  open_both (f);
  g_assert_true (rp_proposal_exchange_propose (f->a.exchange, p, &error));
  deliver (&f->a, &f->b);
  g_assert_true (rp_proposal_exchange_decline (f->b.exchange, rp_proposal_get_id (p), &error));
  g_assert_no_error (error);
  deliver (&f->b, &f->a);
  g_assert_cmpuint (f->a.answered, ==, 1);
  g_assert_false (f->a.last_accepted);
  g_assert_cmpuint (count_sessions (&f->a) + count_sessions (&f->b), ==, 0);
  mine = rp_store_list_proposals (f->a.store, 0, FALSE, &error);
  g_assert_cmpuint (mine->len, ==, 1);
  g_assert_cmpint (rp_proposal_get_state (((RpProposalRecord *) mine->pdata[0])->proposal), ==,
                   RP_PROPOSAL_STATE_DECLINED);
  /* Declined is final: accepting afterwards is refused. */
  g_assert_null (rp_proposal_exchange_accept (f->b.exchange, rp_proposal_get_id (p), 0, &error));
  g_assert_error (error, RP_PROPOSAL_EXCHANGE_ERROR, RP_PROPOSAL_EXCHANGE_ERROR_STATE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/schedule/exchange/accepted-slot-is-the-same-planned-session-on-both-sides",
       test_accepted_slot_is_same_session_on_both_sides);
  ADD ("/schedule/exchange/proposal-and-answer-wait-offline-and-across-restart",
       test_proposal_waits_offline_and_across_restart);
  ADD ("/schedule/exchange/lost-answer-is-made-good-on-the-next-connection",
       test_lost_answer_is_made_good_on_next_connection);
  ADD ("/schedule/exchange/repeated-proposal-answer-and-accept-schedule-one-session",
       test_repeats_schedule_one_session);
  ADD ("/schedule/exchange/hostile-messages-are-refused-and-change-nothing",
       test_hostile_messages_are_refused);
  ADD ("/schedule/exchange/flood-of-proposals-is-capped-at-50-waiting",
       test_flood_of_proposals_is_capped);
  ADD ("/schedule/exchange/decline-reaches-proposer-and-schedules-nothing",
       test_decline_reaches_proposer_without_session);
#undef ADD
  return g_test_run ();
}
