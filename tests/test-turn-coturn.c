/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The TURN credentials a welcome carries, checked by a real coturn (use-auth-secret) on
 * loopback: turnutils_uclient allocates a relay with them, and fails with a forged one.
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "server-test-util.h"

#define SECRET "north-wind-blows"

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static guint
free_udp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static GSubprocess *
spawn (GError     **error,
       const char  *first,
       ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static GSubprocess *
start_coturn (guint port)
{
  g_autofree char *port_arg = g_strdup_printf ("--listening-port=%u", port);
  g_autoptr(GError) error = NULL;
  GSubprocess *process = spawn (&error, "turnserver", "-n", "--no-cli", "--listening-ip=127.0.0.1",
                                port_arg, "--relay-ip=127.0.0.1", "--use-auth-secret",
                                "--static-auth-secret=" SECRET, "--realm=rapport.test",
                                "--no-tls", "--no-dtls", "--allow-loopback-peers",
                                "--no-stdout-log", "--log-file=/dev/null", NULL);

  g_assert_no_error (error);
  return process;
}

/* turnutils_uclient: allocate, exchange a few packets between two relayed clients, exit 0. */
static gboolean
allocate_relay (guint       port,
                const char *username,
                const char *password)
{
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) client = spawn (&error, "turnutils_uclient", "-y", "-c", "-n", "2",
                                         "-m", "1", "-u", username, "-w", password,
                                         "-p", port_arg, "127.0.0.1", NULL);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (client, NULL, NULL));
  return g_subprocess_get_if_exited (client) && g_subprocess_get_exit_status (client) == 0;
}

static void
test_coturn_accepts_minted_credentials (void)
{
  guint turn_port;
  g_autofree char *ice_arg = NULL;
  g_autoptr(GSubprocess) coturn = NULL;
  g_autoptr(JsonNode) welcome = NULL;
  g_autofree char *forged = NULL;
  TestServer *server;
  TestClient *client;
  JsonObject *turn;
  const char *username, *credential;
  gboolean allocated = FALSE;
  g_autofree char *turnserver = g_find_program_in_path ("turnserver");
  g_autofree char *uclient = g_find_program_in_path ("turnutils_uclient");

  if (turnserver == NULL || uclient == NULL)
    {
      g_test_skip ("coturn is not installed (apt-get install coturn)");
      return;
    }

  turn_port = free_udp_port ();
  coturn = start_coturn (turn_port);
  ice_arg = g_strdup_printf ("--ice-server=turn:127.0.0.1:%u?transport=udp", turn_port);
  server = test_server_start (ice_arg, "--turn-secret=" SECRET, NULL);
  client = test_client_connect (server->port, NULL);
  welcome = test_client_join (client, NULL, "Mentor");
  turn = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (welcome), "iceServers"), 0);
  username = json_object_get_string_member (turn, "username");
  credential = json_object_get_string_member (turn, "credential");

  /* coturn needs a moment to open its listener; retry instead of sleeping a fixed time. */
  for (guint attempt = 0; attempt < 20 && !allocated; attempt++)
    {
      allocated = allocate_relay (turn_port, username, credential);
      if (!allocated)
        g_usleep (G_USEC_PER_SEC / 4);
    }
  g_assert_true (allocated);

  forged = g_strdup (credential);
  forged[0] = forged[0] == 'A' ? 'B' : 'A';
  g_assert_false (allocate_relay (turn_port, username, forged));

  test_client_free (client);
  test_server_stop (server);
  g_subprocess_send_signal (coturn, SIGTERM);
  g_subprocess_wait (coturn, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/turn/coturn-accepts-minted-credentials",
                   test_coturn_accepts_minted_credentials);
  return g_test_run ();
}
