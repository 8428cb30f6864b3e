/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-peer --host and the browser: the embedded server it starts refuses WebSocket
 * upgrades from a foreign Origin unless --allow-origin names it, as rapport-server does. Real
 * rapport-peer processes, real libsoup WebSocket clients standing in for the browser page.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "rp-protocol.h"
#include "rp-test-peer.h"
#include "server-test-util.h"

#define WAIT_S 30
#define PAGE_ORIGIN "https://web.rapport.example"

typedef RpTestProc Peer;

/* A hosting peer without media (what it hosts is what is tested), extra options appended. */
static Peer *
peer_host (const char *extra_arg)
{
  return rp_test_peer_spawn ("peer", "--host", "--video", "none", "--audio", "none",
                             "--audio-sink", "none", extra_arg, NULL);
}

/* The port and room of the link the hosting peer printed in "ready". */
static guint
wait_for_room (Peer  *peer,
               char **room)
{
  g_autofree char *host_port = NULL;
  JsonObject *ready;

  RP_TEST_WAIT_FOR (rp_test_proc_find (peer, "ready", 0) != NULL || peer->exited, WAIT_S);
  ready = rp_test_proc_find (peer, "ready", 0);
  g_assert_nonnull (ready);
  g_assert_true (rp_protocol_parse_link (json_object_get_string_member (ready, "link"),
                                         &host_port, room, NULL, NULL));
  return (guint) g_ascii_strtoull (strrchr (host_port, ':') + 1, NULL, 10);
}

static void
peer_end (Peer *peer)
{
  g_subprocess_send_signal (peer->proc, SIGINT);
  RP_TEST_WAIT_FOR (peer->exited && peer->eof, WAIT_S);
  g_assert_true (peer->exited);
  g_assert_cmpint (peer->status, ==, 0);
  rp_test_proc_free (peer);
}

static void
test_foreign_origin_refused_by_default (void)
{
  Peer *host = peer_host (NULL);
  g_autofree char *room = NULL;
  guint port = wait_for_room (host, &room);

  g_assert_cmpuint (test_client_refused_status (port, PAGE_ORIGIN), ==, 403);
  peer_end (host);
}

/* A page from the allowed origin joins the hosted room like any client: it gets its welcome
 * with the host listed, and the host reports it arriving. Other origins stay refused. */
static void
test_allowed_origin_joins_hosted_room (void)
{
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
  RP_TEST_WAIT_FOR (rp_test_proc_find (host, "peer-joined", 0) != NULL, WAIT_S);
  joined = rp_test_proc_find (host, "peer-joined", 0);
  g_assert_nonnull (joined);
  g_assert_cmpstr (json_object_get_string_member (joined, "name"), ==, "Browser");
  g_assert_cmpuint (test_client_refused_status (port, "https://other.example"), ==, 403);

  peer_end (host);
}

static void
test_allow_origin_needs_embedded_server (void)
{
  g_autofree char *path = g_build_filename (rp_test_build_dir (), "src", "peer", "rapport-peer",
                                            NULL);
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
