/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scheduling proposals between two real rapport-peer processes in a real call (the host's
 * embedded rendezvous server, webrtcbin, the data channel), each with its own SQLite store:
 * checked through the JSON lines the peers print and by reading both stores afterwards.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "rp-store.h"

#define WAIT_S 30

typedef struct {
  char             *label;
  GSubprocess      *proc;
  GDataInputStream *out;
  GPtrArray        *events;    /* JsonObject */
  gboolean          eof;
  gboolean          exited;
} Proc;

typedef struct {
  char      *dir;
  GPtrArray *procs;
  guint      ticker;
} Fixture;

static const char *
build_dir (void)
{
  const char *dir = g_getenv ("RAPPORT_BUILD_DIR");

  return dir != NULL ? dir : ".";
}

/* ---- processes ------------------------------------------------------------------------- */

static const char *
event_name (JsonObject *o)
{
  return json_object_get_string_member_with_default (o, "event", "");
}

static void read_next (Proc *p);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Proc *p = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (p->out, result, NULL, NULL);
  g_autoptr(JsonNode) node = NULL;

  if (line == NULL)
    {
      p->eof = TRUE;
      return;
    }
  g_test_message ("%s: %s", p->label, line);
  node = json_from_string (line, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);

      g_ptr_array_add (p->events, json_object_ref (o));
    }
  read_next (p);
}

static void
read_next (Proc *p)
{
  g_data_input_stream_read_line_async (p->out, G_PRIORITY_DEFAULT, NULL, on_line, p);
}

static void
on_proc_exit (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Proc *p = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  p->exited = TRUE;
}

/* Children die with the test, even when an assertion aborts it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Proc *
spawn_peer (Fixture    *f,
            const char *label,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  Proc *p = g_new0 (Proc, 1);
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (build_dir (), "src", "peer", "rapport-peer", NULL));
  g_ptr_array_add (argv, g_strdup ("--video=none"));
  g_ptr_array_add (argv, g_strdup ("--audio=none"));
  g_ptr_array_add (argv, g_strdup ("--audio-sink=none"));
  va_start (ap, label);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  p->label = g_strdup (label);
  p->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  p->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  p->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->proc));
  read_next (p);
  g_subprocess_wait_async (p->proc, NULL, on_proc_exit, p);
  g_ptr_array_add (f->procs, p);
  return p;
}

#define WAIT_FOR(cond, seconds)                                                   \
  G_STMT_START {                                                                  \
    gint64 _end = g_get_monotonic_time () + (gint64) (seconds) * G_USEC_PER_SEC;  \
    while (!(cond) && g_get_monotonic_time () < _end)                             \
      g_main_context_iteration (NULL, TRUE);                                      \
  } G_STMT_END

static JsonObject *
find_event (Proc       *p,
            const char *event,
            guint       nth)
{
  for (guint i = 0; i < p->events->len; i++)
    if (g_str_equal (event_name (p->events->pdata[i]), event) && nth-- == 0)
      return p->events->pdata[i];
  return NULL;
}

static JsonObject *
last_event (Proc       *p,
            const char *event)
{
  for (guint i = p->events->len; i > 0; i--)
    if (g_str_equal (event_name (p->events->pdata[i - 1]), event))
      return p->events->pdata[i - 1];
  return NULL;
}

static const char *
last_string (Proc       *p,
             const char *event,
             const char *key)
{
  JsonObject *o = last_event (p, event);

  return o != NULL ? json_object_get_string_member_with_default (o, key, NULL) : NULL;
}

static void
stop_peer (Proc *p)
{
  if (!p->exited)
    g_subprocess_send_signal (p->proc, SIGTERM);
  WAIT_FOR (p->exited && p->eof, 10);
  g_assert_true (p->exited);
}

static char *
wait_for_link (Proc *host)
{
  WAIT_FOR (find_event (host, "ready", 0) != NULL || host->exited, WAIT_S);
  g_assert_nonnull (find_event (host, "ready", 0));
  return g_strdup (json_object_get_string_member (find_event (host, "ready", 0), "link"));
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("rapport-peer-schedule-XXXXXX", &error);
  g_assert_no_error (error);
  f->procs = g_ptr_array_new ();
  f->ticker = g_timeout_add (100, wake, NULL);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  for (guint i = 0; i < f->procs->len; i++)
    {
      Proc *p = g_ptr_array_index (f->procs, i);

      if (!p->exited)
        g_subprocess_force_exit (p->proc);
      WAIT_FOR (p->exited && p->eof, 5);
      g_object_unref (p->out);
      g_object_unref (p->proc);
      g_ptr_array_unref (p->events);
      g_free (p->label);
      g_free (p);
    }
  g_ptr_array_unref (f->procs);
  g_source_remove (f->ticker);
  remove_dir (f->dir);
  g_free (f->dir);
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

static guint
count_events (Proc *p, const char *event)
{
  guint n = 0;

  while (find_event (p, event, n) != NULL)
    n++;
  return n;
}

static void
wait_ended (Proc *p)
{
  WAIT_FOR (p->exited && p->eof, WAIT_S);
  g_assert_true (p->exited);
  g_assert_cmpstr (last_string (p, "ended", "reason"), ==, "duration");
  g_assert_null (find_event (p, "error", 0));
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
  Proc *first, *a, *b;
  JsonObject *received, *answered, *a_sched, *b_sched;

  first = spawn_peer (f, "aiko-1", "--host", "--name=Aiko", "--store", a_path,
                      "--propose", proposal, NULL);
  g_free (wait_for_link (first));
  g_assert_nonnull (find_event (first, "proposal-queued", 0));
  stop_peer (first);
  g_assert_null (find_event (first, "proposal-answered", 0));

  a = spawn_peer (f, "aiko-2", "--host", "--name=Aiko", "--store", a_path,
                  "--schedule-events", "--duration=3", NULL);
  link = wait_for_link (a);
  b = spawn_peer (f, "ben", link, "--name=Ben", "--store", b_path,
                  "--accept-proposals=first", "--duration=3", NULL);
  WAIT_FOR (find_event (a, "session-scheduled", 0) != NULL || a->exited, WAIT_S);
  wait_ended (a);
  wait_ended (b);

  received = find_event (b, "proposal-received", 0);
  g_assert_nonnull (received);
  g_assert_cmpstr (json_object_get_string_member (received, "id"), ==, PROPOSAL_ID);
  g_assert_cmpstr (json_object_get_string_member (received, "zone"), ==, "America/New_York");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (received, "slots")),
                    ==, 3);
  answered = find_event (a, "proposal-answered", 0);
  g_assert_nonnull (answered);
  g_assert_true (json_object_get_boolean_member (answered, "accepted"));
  g_assert_cmpstr (json_object_get_string_member (answered, "slot"), ==, "2031-03-09T02:30");
  a_sched = find_event (a, "session-scheduled", 0);
  b_sched = find_event (b, "session-scheduled", 0);
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
  Proc *a, *b;

  replay = g_strdup_printf ("{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"%s\","
                            "\"zone\":\"America/New_York\",\"minutes\":30,"
                            "\"rrule\":\"FREQ=WEEKLY;INTERVAL=2\",\"summary\":\"Mentoring: Aiko "
                            "and Ben\",\"slots\":[\"2031-03-09T02:30\",\"2031-03-10T18:00\","
                            "\"2031-03-11T07:15\"]}", PROPOSAL_ID);
  a_seed[4] = replay;
  seed_outbox (a_path, a_seed);
  seed_outbox (b_path, b_seed);
  a = spawn_peer (f, "aiko", "--host", "--name=Aiko", "--store", a_path, "--propose", proposal,
                  "--duration=4", NULL);
  link = wait_for_link (a);
  b = spawn_peer (f, "ben", link, "--name=Ben", "--store", b_path, "--accept-proposals=first",
                  "--duration=4", NULL);
  wait_ended (a);
  wait_ended (b);

  g_assert_cmpuint (count_events (b, "proposal-received"), ==, 1);
  g_assert_cmpuint (count_events (b, "session-scheduled"), ==, 1);
  g_assert_cmpuint (count_events (a, "session-scheduled"), ==, 1);
  g_assert_cmpuint (count_events (a, "proposal-answered"), ==, 1);
  /* Ben refused Aiko's four bad messages; Aiko refused the answer for a slot not offered
   * (the early answer for slot 0 was valid: it scheduled the session Ben's accept repeats). */
  g_assert_cmpuint (count_events (b, "schedule-error"), ==, 4);
  g_assert_cmpuint (count_events (a, "schedule-error"), ==, 1);
  g_assert_nonnull (find_event (a, "docs-synced", 0));
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
