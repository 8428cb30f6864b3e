/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scheduling proposals between two real rapport-peer processes in a real call (the host's
 * embedded rendezvous server, webrtcbin, the data channel), each with its own SQLite store:
 * checked through the JSON lines the peers print and by reading both stores afterwards.
 */
#include "config.h"

#include "rp-store.h"
#include "rp-test-peer.h"

#define WAIT_S 30

typedef RpTestPeers Fixture;

/* ---- processes ------------------------------------------------------------------------- */

static char *
wait_for_link (RpTestProc *host)
{
  char *link = rp_test_peer_wait_link (host, WAIT_S);

  g_assert_nonnull (link);
  return link;
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  static const char * const common[] = {
    "--video=none", "--audio=none", "--audio-sink=none", NULL,
  };

  rp_test_peers_init (f, "rapport-peer-schedule-XXXXXX", common);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  rp_test_peers_clear (f);
}

/* ---- helpers ------------------------------------------------------------------------------ */

#define PROPOSAL_ID "0123456789abcdef0123456789abcdef@rapport"

static char *
write_proposal (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "proposal.json", NULL);

  g_assert_true (g_file_set_contents (path,
    "{\"id\":\"" PROPOSAL_ID "\",\"zone\":\"America/New_York\",\"minutes\":30,"
    "\"rrule\":\"FREQ=WEEKLY;INTERVAL=2\",\"summary\":\"Mentoring: Aiko and Ben\","
    "\"slots\":[\"2031-03-09T02:30\",\"2031-03-10T18:00\",\"2031-03-11T07:15\"]}", -1, NULL));
  return g_steal_pointer (&path);
}

static char *
store_path (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* Writes app messages into a store's outbox before its peer starts, as if queued earlier: the
 * peer sends them when the call connects, which is how a hostile partner's bytes are made. */
static void
seed_outbox (const char *path, const char * const *messages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = rp_store_new (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; messages[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (messages[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (rp_store_outbox_push (store, 0, node, &error), >, 0);
    }
  g_assert_true (rp_store_close (store, &error));
}

static void
wait_ended (RpTestProc *p)
{
  g_assert_true (rp_test_proc_wait_exit (p, WAIT_S));
  g_assert_cmpstr (rp_test_proc_last_string (p, "ended", "reason"), ==, "duration");
  g_assert_null (rp_test_proc_find (p, "error", 0));
}

/* The store's one planned session, as zone + local time. */
static RpSessionRecord *
only_planned_session (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpStore) store = rp_store_new (path, &error);
  g_autoptr(GPtrArray) upcoming = NULL;
  RpSessionRecord *record;

  g_assert_no_error (error);
  upcoming = rp_store_list_upcoming_sessions (store, 0, 0, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (upcoming->len, ==, 1);
  record = rp_session_record_copy (upcoming->pdata[0]);
  g_assert_true (rp_store_close (store, NULL));
  return record;
}

static void
assert_both_stores_planned (Fixture *f, const char *local)
{
  g_autofree char *a_path = store_path (f, "a.db");
  g_autofree char *b_path = store_path (f, "b.db");
  g_autoptr(RpSessionRecord) a = only_planned_session (a_path);
  g_autoptr(RpSessionRecord) b = only_planned_session (b_path);

  g_assert_cmpstr (a->uid, ==, PROPOSAL_ID);
  g_assert_cmpstr (b->uid, ==, PROPOSAL_ID);
  g_assert_cmpstr (a->scheduled_zone, ==, "America/New_York");
  g_assert_cmpstr (b->scheduled_zone, ==, "America/New_York");
  g_assert_true (g_str_has_prefix (a->scheduled_local, local));
  g_assert_cmpstr (b->scheduled_local, ==, a->scheduled_local);
  g_assert_cmpuint (a->planned_minutes, ==, 30);
  g_assert_cmpuint (b->planned_minutes, ==, 30);
  g_assert_cmpstr (a->rrule, ==, "FREQ=WEEKLY;INTERVAL=2");
  g_assert_cmpstr (b->rrule, ==, a->rrule);
}

/* ---- tests -------------------------------------------------------------------------------- */

/* Aiko proposes while Ben is not there, and her peer even restarts before he comes: the
 * proposal waits in her store and goes when the call connects; Ben accepts the first slot and
 * both stores hold the same planned session. The first slot is in New York's DST gap: both
 * sides read it as RFC 5545 says (02:30 EST = 07:30Z). */
static void
test_proposal_made_offline_is_accepted_on_both_sides (Fixture *f, gconstpointer data)
{
  g_autofree char *proposal = write_proposal (f);
  g_autofree char *a_path = store_path (f, "a.db");
  g_autofree char *b_path = store_path (f, "b.db");
  g_autofree char *link = NULL;
  RpTestProc *first, *a, *b;
  JsonObject *received, *answered, *a_sched, *b_sched;

  first = rp_test_peers_spawn (f, "aiko-1", "--host", "--name=Aiko", "--store", a_path,
                               "--propose", proposal, NULL);
  g_free (wait_for_link (first));
  g_assert_nonnull (rp_test_proc_find (first, "proposal-queued", 0));
  g_assert_true (rp_test_proc_stop (first, 10));
  g_assert_null (rp_test_proc_find (first, "proposal-answered", 0));

  a = rp_test_peers_spawn (f, "aiko-2", "--host", "--name=Aiko", "--store", a_path,
                           "--schedule-events", "--duration=3", NULL);
  link = wait_for_link (a);
  b = rp_test_peers_spawn (f, "ben", link, "--name=Ben", "--store", b_path,
                           "--accept-proposals=first", "--duration=3", NULL);
  RP_TEST_WAIT_FOR (rp_test_proc_find (a, "session-scheduled", 0) != NULL || a->exited, WAIT_S);
  wait_ended (a);
  wait_ended (b);

  received = rp_test_proc_find (b, "proposal-received", 0);
  g_assert_nonnull (received);
  g_assert_cmpstr (json_object_get_string_member (received, "id"), ==, PROPOSAL_ID);
  g_assert_cmpstr (json_object_get_string_member (received, "zone"), ==, "America/New_York");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (received, "slots")),
                    ==, 3);
  answered = rp_test_proc_find (a, "proposal-answered", 0);
  g_assert_nonnull (answered);
  g_assert_true (json_object_get_boolean_member (answered, "accepted"));
  g_assert_cmpstr (json_object_get_string_member (answered, "slot"), ==, "2031-03-09T02:30");
  a_sched = rp_test_proc_find (a, "session-scheduled", 0);
  b_sched = rp_test_proc_find (b, "session-scheduled", 0);
  g_assert_nonnull (a_sched);
  g_assert_nonnull (b_sched);
  g_assert_cmpstr (json_object_get_string_member (a_sched, "local"), ==, "2031-03-09T02:30");
  g_assert_cmpstr (json_object_get_string_member (a_sched, "utc"), ==, "2031-03-09T07:30:00Z");
  g_assert_cmpstr (json_object_get_string_member (b_sched, "utc"), ==, "2031-03-09T07:30:00Z");
  assert_both_stores_planned (f, "2031-03-09T02:30");
}

/* Before the real proposal, Aiko's side sends garbage, a proposal that is not pending, an
 * answer to a proposal Ben never sent, and the proposal itself twice; Ben's side sends an
 * answer before he has even seen the proposal, and then his accept: each peer reports the
 * refusals, schedules one session, and the call runs its full length. */
static void
test_hostile_and_repeated_messages_leave_one_session (Fixture *f, gconstpointer data)
{
  g_autofree char *proposal = write_proposal (f);
  g_autofree char *a_path = store_path (f, "a.db");
  g_autofree char *b_path = store_path (f, "b.db");
  g_autofree char *link = NULL;
  g_autofree char *replay = NULL;
  const char *a_seed[] = {
    "{\"type\":\"schedule-proposal\",\"version\":1}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x@rapport\",\"zone\":\"UTC\","
    "\"minutes\":30,\"slots\":[\"2031-01-01T10:00\"],\"state\":\"accepted\",\"accepted\":0}",
    "{\"type\":\"schedule-answer\",\"id\":\"never-sent@rapport\",\"accept\":0}",
    "{\"type\":\"schedule-answer\",\"id\":[],\"accept\":0}",
    NULL, NULL,
  };
  const char *b_seed[] = {
    "{\"type\":\"schedule-answer\",\"id\":\"" PROPOSAL_ID "\",\"accept\":0}",
    "{\"type\":\"schedule-answer\",\"id\":\"" PROPOSAL_ID "\",\"accept\":7}",
    NULL,
  };
  RpTestProc *a, *b;

  replay = g_strdup_printf ("{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"%s\","
                            "\"zone\":\"America/New_York\",\"minutes\":30,"
                            "\"rrule\":\"FREQ=WEEKLY;INTERVAL=2\",\"summary\":\"Mentoring: Aiko "
                            "and Ben\",\"slots\":[\"2031-03-09T02:30\",\"2031-03-10T18:00\","
                            "\"2031-03-11T07:15\"]}", PROPOSAL_ID);
  a_seed[4] = replay;
  seed_outbox (a_path, a_seed);
  seed_outbox (b_path, b_seed);
  a = rp_test_peers_spawn (f, "aiko", "--host", "--name=Aiko", "--store", a_path,
                           "--propose", proposal, "--duration=4", NULL);
  link = wait_for_link (a);
  b = rp_test_peers_spawn (f, "ben", link, "--name=Ben", "--store", b_path,
                           "--accept-proposals=first", "--duration=4", NULL);
  wait_ended (a);
  wait_ended (b);

  g_assert_cmpuint (rp_test_proc_count (b, "proposal-received"), ==, 1);
  g_assert_cmpuint (rp_test_proc_count (b, "session-scheduled"), ==, 1);
  g_assert_cmpuint (rp_test_proc_count (a, "session-scheduled"), ==, 1);
  g_assert_cmpuint (rp_test_proc_count (a, "proposal-answered"), ==, 1);
  /* Ben refused Aiko's four bad messages; Aiko refused the answer for a slot not offered
   * (the early answer for slot 0 was valid: it scheduled the session Ben's accept repeats). */
  g_assert_cmpuint (rp_test_proc_count (b, "schedule-error"), ==, 4);
  g_assert_cmpuint (rp_test_proc_count (a, "schedule-error"), ==, 1);
  g_assert_nonnull (rp_test_proc_find (a, "docs-synced", 0));
  assert_both_stores_planned (f, "2031-03-09T02:30");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/schedule/peers/proposal-made-offline-and-across-restart-is-accepted-on-both-sides",
              Fixture, NULL, fixture_set_up, test_proposal_made_offline_is_accepted_on_both_sides,
              fixture_tear_down);
  g_test_add ("/schedule/peers/"
              "hostile-and-repeated-messages-leave-one-session-and-the-call-goes-on",
              Fixture, NULL, fixture_set_up, test_hostile_and_repeated_messages_leave_one_session,
              fixture_tear_down);
  return g_test_run ();
}
