/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared notes and agenda between two real rapport-peer processes in a real call (the host's
 * embedded rendezvous server, webrtcbin, the data channel), each scripted to type and edit,
 * each with its own SQLite store. Checked through the JSON lines the peers print.
 */
#include "config.h"

#include "rp-test-peer.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_S 30

typedef RpTestPeers Fixture;

/* ---- processes ------------------------------------------------------------------------- */

static void
stop_peer (RpTestProc *p)
{
  g_assert_true (rp_test_proc_stop (p, 10));
}

static char *
wait_for_link (RpTestProc *host)
{
  char *link = rp_test_peer_wait_link (host, WAIT_S);

  g_assert_nonnull (link);
  return link;
}

static gboolean
script_done (RpTestProc *p)
{
  return rp_test_proc_find (p, "script-done", 0) != NULL;
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  static const char * const common[] = {
    "--video=none", "--audio=none", "--audio-sink=none", "--print-text", NULL,
  };

  rp_test_peers_init (f, "rapport-peer-docs-XXXXXX", common);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  rp_test_peers_clear (f);
}

/* ---- what the documents should hold ----------------------------------------------------- */

/* What a script leaves of its text: every Nth typed character is deleted again. */
static char *
effective_text (const char *typed,
                int         backspace_every)
{
  g_autoptr(GString) s = g_string_new (NULL);
  int n = 0;

  for (const char *c = typed; *c; c = g_utf8_next_char (c))
    if (backspace_every == 0 || ++n % backspace_every != 0)
      g_string_append_unichar (s, g_utf8_get_char (c));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static int
compare_unichar (gconstpointer a,
                 gconstpointer b)
{
  gunichar x = *(const gunichar *) a, y = *(const gunichar *) b;

  return x < y ? -1 : x > y;
}

/* The text's characters, sorted: equal for two texts that hold the same characters. */
static char *
sorted_chars (const char *text)
{
  glong n;
  g_autofree gunichar *u = g_utf8_to_ucs4_fast (text, -1, &n);

  qsort (u, n, sizeof *u, compare_unichar);
  return g_ucs4_to_utf8 (u, n, NULL, NULL, NULL);
}

/* Whether needle's characters appear in haystack in the same order. */
static gboolean
is_subsequence (const char *needle,
                const char *haystack)
{
  const char *h = haystack;

  for (const char *c = needle; *c; c = g_utf8_next_char (c))
    {
      gunichar want = g_utf8_get_char (c);

      while (*h && g_utf8_get_char (h) != want)
        h = g_utf8_next_char (h);
      if (!*h)
        return FALSE;
      h = g_utf8_next_char (h);
    }
  return TRUE;
}

static char *
prefix_chars (const char *text,
              glong       n)
{
  return g_strndup (text, g_utf8_offset_to_pointer (text, n) - text);
}

/* Both peers report the same notes and the same agenda, and have said all they will. */
static gboolean
converged (RpTestProc *a,
           RpTestProc *b)
{
  return rp_test_proc_last (a, "notes") != NULL && rp_test_proc_last (b, "notes") != NULL &&
         g_strcmp0 (rp_test_proc_last_string (a, "notes", "sha256"),
                    rp_test_proc_last_string (b, "notes", "sha256")) == 0 &&
         g_strcmp0 (rp_test_proc_last_string (a, "agenda", "sha256"),
                    rp_test_proc_last_string (b, "agenda", "sha256")) == 0;
}

static JsonObject *
agenda_item (RpTestProc *p,
             const char *title)
{
  JsonObject *agenda = rp_test_proc_last (p, "agenda");
  JsonArray *items = agenda != NULL ? json_object_get_array_member (agenda, "items") : NULL;

  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_strcmp0 (json_object_get_string_member (item, "title"), title) == 0)
        return item;
    }
  return NULL;
}

static void
report_convergence (RpTestProc *a,
                    RpTestProc *b)
{
  gint64 last_edit = MAX (rp_test_proc_seen_us (a, "script-done"),
                          rp_test_proc_seen_us (b, "script-done"));

  g_test_message ("converged %.0f ms after the last scripted edit (test clock; includes the "
                  "peers' 150 ms settle wait)",
                  (g_get_monotonic_time () - last_edit) / 1000.0);
}

/* ---- tests ----------------------------------------------------------------------------- */

#define HOST_TEXT "Goals for the quarter: ship the draft, read two papers. "
#define GUEST_TEXT "Questions: how to pick a venue? who reviews the methods section? "

static void
test_concurrent_edits_converge (Fixture      *f,
                                gconstpointer data)
{
  g_autofree char *hdb = g_build_filename (f->dir, "host.db", NULL);
  g_autofree char *gdb = g_build_filename (f->dir, "guest.db", NULL);
  RpTestProc *host = rp_test_peers_spawn (f, "host", "--host", "--name", "Ada", "--store", hdb,
                                          "--type", HOST_TEXT, "--type-rate", "40",
                                          "--type-at", "random", "--seed", "1",
                                          "--backspace-every", "7", "--agenda-add", "Goals",
                                          "--agenda-add", "Feedback",
                                          "--agenda", "minutes:Career=20",
                                          "--agenda", "rename:Feedback=Feedback on the draft",
                                          NULL);
  g_autofree char *link = wait_for_link (host);
  RpTestProc *guest = rp_test_peers_spawn (f, "guest", link, "--name", "Grace", "--store", gdb,
                                           "--type", GUEST_TEXT, "--type-rate", "40",
                                           "--type-at", "random", "--seed", "2",
                                           "--backspace-every", "5", "--agenda-add", "Career",
                                           "--agenda", "done:Goals",
                                           "--agenda", "owner:Goals=mentee", NULL);
  g_autofree char *host_kept = NULL;
  g_autofree char *guest_kept = NULL;
  g_autofree char *all_kept = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  JsonObject *item;

  RP_TEST_WAIT_FOR (script_done (host) && script_done (guest), WAIT_S);
  g_assert_nonnull (rp_test_proc_find (host, "docs-synced", 0));
  g_assert_nonnull (rp_test_proc_find (guest, "docs-synced", 0));
  g_assert_true (script_done (host));
  g_assert_true (script_done (guest));
  RP_TEST_WAIT_FOR (converged (host, guest), 10);
  report_convergence (host, guest);
  g_assert_cmpstr (rp_test_proc_last_string (host, "notes", "sha256"), ==,
                   rp_test_proc_last_string (guest, "notes", "sha256"));
  g_assert_cmpstr (rp_test_proc_last_string (host, "agenda", "sha256"), ==,
                   rp_test_proc_last_string (guest, "agenda", "sha256"));

  /* Every character either side kept is there, and nothing else. */
  host_kept = effective_text (HOST_TEXT, 7);
  guest_kept = effective_text (GUEST_TEXT, 5);
  all_kept = g_strconcat (host_kept, guest_kept, NULL);
  want = sorted_chars (all_kept);
  got = sorted_chars (rp_test_proc_last_string (host, "notes", "text"));
  g_assert_cmpstr (got, ==, want);

  /* Concurrent edits of one item's different fields both survive. */
  item = agenda_item (host, "Goals");
  g_assert_nonnull (item);
  g_assert_true (json_object_get_boolean_member (item, "done"));
  g_assert_cmpstr (json_object_get_string_member (item, "owner"), ==, "mentee");
  item = agenda_item (host, "Career");
  g_assert_nonnull (item);
  g_assert_cmpint (json_object_get_int_member (item, "minutes"), ==, 20);
  g_assert_nonnull (agenda_item (host, "Feedback on the draft"));
  g_assert_null (agenda_item (host, "Feedback"));

  stop_peer (guest);
  stop_peer (host);
}

static void
test_offline_edits_merge (Fixture      *f,
                          gconstpointer data)
{
  RpTestProc *host = rp_test_peers_spawn (f, "host", "--host", "--name", "Ada",
                                          "--edit-after", "start",
                                          "--type", "Prepared before the call. ",
                                          "--type-rate", "200", "--agenda-add", "Goals", NULL);
  g_autofree char *link = wait_for_link (host);
  RpTestProc *guest = NULL;
  const char *text;

  /* The host's edits are all made before anyone else is in the room. */
  RP_TEST_WAIT_FOR (script_done (host), WAIT_S);
  g_assert_null (rp_test_proc_find (host, "peer-joined", 0));
  guest = rp_test_peers_spawn (f, "guest", link, "--name", "Grace", "--edit-after", "start",
                               "--type", "My own topics. ", "--type-rate", "200",
                               "--agenda-add", "Career", NULL);
  RP_TEST_WAIT_FOR (script_done (guest), WAIT_S);
  RP_TEST_WAIT_FOR (rp_test_proc_find (host, "docs-synced", 0) != NULL &&
                    rp_test_proc_find (guest, "docs-synced", 0) != NULL, WAIT_S);
  RP_TEST_WAIT_FOR (converged (host, guest) && agenda_item (host, "Career") != NULL &&
                    agenda_item (guest, "Goals") != NULL, 10);
  g_assert_true (converged (host, guest));
  text = rp_test_proc_last_string (guest, "notes", "text");
  g_assert_true (strstr (text, "Prepared before the call. ") != NULL);
  g_assert_true (strstr (text, "My own topics. ") != NULL);
  g_assert_nonnull (agenda_item (guest, "Goals"));
  g_assert_nonnull (agenda_item (host, "Career"));

  stop_peer (guest);
  stop_peer (host);
}

/* The first typing event at least `ms` (the peer's clock) after the one that counted `typed`. */
static JsonObject *
typing_after (RpTestProc *p,
              gint64 typed,
              gint64 ms)
{
  gint64 t0 = -1;

  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *o = p->events->pdata[i];

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), "typing") != 0)
        continue;
      if (t0 < 0 && json_object_get_int_member (o, "typed") >= typed)
        t0 = json_object_get_int_member (o, "t_ms");
      else if (t0 >= 0 && json_object_get_int_member (o, "t_ms") >= t0 + ms)
        return o;
    }
  return NULL;
}

#define KILL_HOST_TEXT "The host keeps typing while the guest is away, then after. "
#define KILL_GUEST_TEXT "The guest types this line and is killed somewhere in the middle of it"

static void
test_killed_peer_resumes_from_store (Fixture      *f,
                                     gconstpointer data)
{
  g_autofree char *gdb = g_build_filename (f->dir, "guest.db", NULL);
  const char *client = "0123456789abcdef0123456789abcdef";
  RpTestProc *host = rp_test_peers_spawn (f, "host", "--host", "--name", "Ada",
                                          "--type", KILL_HOST_TEXT, "--type-rate", "12", NULL);
  g_autofree char *link = wait_for_link (host);
  RpTestProc *guest = rp_test_peers_spawn (f, "guest", link, "--name", "Grace", "--store", gdb,
                                           "--client-id", client, "--type", KILL_GUEST_TEXT,
                                           "--type-rate", "25", NULL);
  g_autofree char *saved = NULL;
  JsonObject *loaded;
  const char *text;
  gint64 mark = 20;

  /* Kill it once it has typed `mark` characters and then typed on for more than a second:
   * the store promises everything older than a second. */
  RP_TEST_WAIT_FOR (typing_after (guest, mark, 1100) != NULL || guest->exited, WAIT_S);
  g_assert_nonnull (typing_after (guest, mark, 1100));
  g_assert_null (script_done (guest) ? "finished before the kill" : NULL);
  g_subprocess_send_signal (guest->proc, SIGKILL);
  g_assert_true (rp_test_proc_wait_exit (guest, 10));

  guest = rp_test_peers_spawn (f, "guest-again", link, "--name", "Grace", "--store", gdb,
                               "--client-id", client, NULL);
  RP_TEST_WAIT_FOR (rp_test_proc_find (guest, "docs-loaded", 0) != NULL || guest->exited,
                    WAIT_S);
  loaded = rp_test_proc_find (guest, "docs-loaded", 0);
  g_assert_nonnull (loaded);
  saved = prefix_chars (KILL_GUEST_TEXT, mark);
  /* What it saved before the peer could send anything back: at least the first `mark`
   * characters, in order among the host's. */
  g_assert_cmpint (json_object_get_int_member (loaded, "notes_length"), >=, mark);
  g_assert_true (is_subsequence (saved, json_object_get_string_member (loaded, "text")));

  /* Back in the same seat, on a new peer connection: the two merge. */
  RP_TEST_WAIT_FOR (rp_test_proc_find (guest, "docs-synced", 0) != NULL || guest->exited,
                    WAIT_S);
  g_assert_nonnull (rp_test_proc_find (guest, "docs-synced", 0));
  RP_TEST_WAIT_FOR (script_done (host), WAIT_S);
  RP_TEST_WAIT_FOR (converged (host, guest) &&
                    g_strcmp0 (rp_test_proc_last_string (host, "notes", "sha256"),
                               rp_test_proc_last_string (guest, "notes", "sha256")) == 0, 10);
  g_assert_true (converged (host, guest));
  text = rp_test_proc_last_string (guest, "notes", "text");
  g_assert_true (is_subsequence (KILL_HOST_TEXT, text));
  g_assert_true (is_subsequence (saved, text));

  stop_peer (guest);
  stop_peer (host);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/docs/peers/concurrent-typing-and-agenda-edits-converge", Fixture, NULL,
              fixture_set_up, test_concurrent_edits_converge, fixture_tear_down);
  g_test_add ("/docs/peers/edits-made-before-joining-merge-on-connect", Fixture, NULL,
              fixture_set_up, test_offline_edits_merge, fixture_tear_down);
  g_test_add ("/docs/peers/killed-peer-resumes-from-its-store-and-converges", Fixture, NULL,
              fixture_set_up, test_killed_peer_resumes_from_store, fixture_tear_down);
  return g_test_run ();
}
