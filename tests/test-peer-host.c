/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-peer --host and the browser: the embedded server it starts refuses WebSocket
 * upgrades from a foreign Origin unless --allow-origin names it, as rapport-server does. Real
 * rapport-peer processes, real libsoup WebSocket clients standing in for the browser page.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "rp-protocol.h"
#include "server-test-util.h"

#define WAIT_S 30
#define PAGE_ORIGIN "https://web.rapport.example"

typedef struct {
  GSubprocess      *proc;
  GDataInputStream *out;
  GPtrArray        *events;    /* JsonObject */
  gboolean          eof;
  gboolean          exited;
} Peer;

static void read_next (Peer *peer);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Peer *peer = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (peer->out, result, NULL,
                                                                     NULL);
  g_autoptr(JsonNode) node = NULL;

  if (line == NULL)
    {
      peer->eof = TRUE;
      return;
    }
  g_test_message ("peer: %s", line);
  node = json_from_string (line, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    g_ptr_array_add (peer->events, json_object_ref (json_node_get_object (node)));
  read_next (peer);
}

static void
read_next (Peer *peer)
{
  g_data_input_stream_read_line_async (peer->out, G_PRIORITY_DEFAULT, NULL, on_line, peer);
}

static void
on_peer_exit (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Peer *peer = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  peer->exited = TRUE;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

#define WAIT_FOR(cond, seconds)                                                   \
  G_STMT_START {                                                                  \
    gint64 _end = g_get_monotonic_time () + (gint64) (seconds) * G_USEC_PER_SEC;  \
    while (!(cond) && g_get_monotonic_time () < _end)                             \
      g_main_context_iteration (NULL, TRUE);                                      \
  } G_STMT_END

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static JsonObject *
find_event (Peer       *peer,
            const char *event)
{
  for (guint i = 0; i < peer->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (peer->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), event) == 0)
        return o;
    }
  return NULL;
}

/* A hosting peer without media (what it hosts is what is tested), extra options appended. */
static Peer *
peer_host (const char *extra_arg)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *path = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "src", "peer",
                                            "rapport-peer", NULL);
  const char *argv[] = { path, "--host", "--video", "none", "--audio", "none",
                         "--audio-sink", "none", extra_arg, NULL };
  g_autoptr(GError) error = NULL;
  Peer *peer = g_new0 (Peer, 1);

  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  peer->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  peer->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  peer->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->proc));
  read_next (peer);
  g_subprocess_wait_async (peer->proc, NULL, on_peer_exit, peer);
  return peer;
}

/* The port and room of the link the hosting peer printed in "ready". */
static guint
wait_for_room (Peer  *peer,
               char **room)
{
  g_autofree char *host_port = NULL;
  JsonObject *ready;

  WAIT_FOR (find_event (peer, "ready") != NULL || peer->exited, WAIT_S);
  ready = find_event (peer, "ready");
  g_assert_nonnull (ready);
  g_assert_true (rp_protocol_parse_link (json_object_get_string_member (ready, "link"),
                                         &host_port, room, NULL, NULL));
  return (guint) g_ascii_strtoull (strrchr (host_port, ':') + 1, NULL, 10);
}

static void
peer_end (Peer *peer)
{
  g_subprocess_send_signal (peer->proc, SIGINT);
  WAIT_FOR (peer->exited && peer->eof, WAIT_S);
  g_assert_true (peer->exited);
  g_assert_true (g_subprocess_get_if_exited (peer->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (peer->proc), ==, 0);
  g_object_unref (peer->out);
  g_object_unref (peer->proc);
  g_ptr_array_unref (peer->events);
  g_free (peer);
}

static void
test_foreign_origin_refused_by_default (void)
{
  guint ticker = g_timeout_add (100, wake, NULL);
  Peer *host = peer_host (NULL);
  g_autofree char *room = NULL;
  guint port = wait_for_room (host, &room);

  g_assert_cmpuint (test_client_refused_status (port, PAGE_ORIGIN), ==, 403);
  peer_end (host);
  g_source_remove (ticker);
}

/* A page from the allowed origin joins the hosted room like any client: it gets its welcome
 * with the host listed, and the host reports it arriving. Other origins stay refused. */
static void
test_allowed_origin_joins_hosted_room (void)
{
  guint ticker = g_timeout_add (100, wake, NULL);
  Peer *host = peer_host ("--allow-origin=" PAGE_ORIGIN);
  g_autofree char *room = NULL;
  guint port = wait_for_room (host, &room);
  g_autoptr(TestClient) page = test_client_connect (port, PAGE_ORIGIN);
  g_autoptr(JsonNode) welcome = test_client_join (page, room, "Browser");
  JsonArray *peers;
  JsonObject *joined;

  g_assert_cmpstr (test_member_string (welcome, "room"), ==, room);
  peers = json_object_get_array_member (json_node_get_object (welcome), "peers");
  g_assert_cmpuint (json_array_get_length (peers), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (peers, 0),
                                                  "name"), ==, "host");
  WAIT_FOR (find_event (host, "peer-joined") != NULL, WAIT_S);
  joined = find_event (host, "peer-joined");
  g_assert_nonnull (joined);
  g_assert_cmpstr (json_object_get_string_member (joined, "name"), ==, "Browser");
  g_assert_cmpuint (test_client_refused_status (port, "https://other.example"), ==, 403);

  peer_end (host);
  g_source_remove (ticker);
}

static void
test_allow_origin_needs_embedded_server (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "src", "peer",
                                            "rapport-peer", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                      &error, path, "rapport://127.0.0.1:9/AAAAAAAAAAAAAAAAAAAAAA",
                      "--allow-origin=" PAGE_ORIGIN, NULL);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer/host/foreign-origin-refused-403-by-default",
                   test_foreign_origin_refused_by_default);
  g_test_add_func ("/peer/host/allowed-origin-joins-hosted-room",
                   test_allowed_origin_joins_hosted_room);
  g_test_add_func ("/peer/host/allow-origin-without-host-is-a-usage-error",
                   test_allow_origin_needs_embedded_server);
  return g_test_run ();
}
