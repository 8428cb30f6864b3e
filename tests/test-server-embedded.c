/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RpServer as the app and rapport-peer --host embed it: in-process, 127.0.0.1, port 0,
 * driven by the caller's main context, and real WebSocket clients talking to it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "rp-protocol.h"
#include "rp-server.h"
#include "server-test-util.h"

static void
join_and_relay (RpServer *server)
{
  g_autoptr(TestClient) host = test_client_connect (rp_server_get_port (server), NULL);
  g_autoptr(TestClient) guest = test_client_connect (rp_server_get_port (server), NULL);
  g_autoptr(JsonNode) welcome = test_client_join (host, NULL, "Host");
  g_autoptr(JsonNode) guest_welcome = NULL;
  g_autoptr(JsonNode) joined = NULL;
  g_autoptr(JsonNode) app = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *room = NULL;
  g_autofree char *expected = g_strdup_printf ("127.0.0.1:%u", rp_server_get_port (server));

  /* The host's own session reads the join link out of its welcome. */
  g_assert_true (rp_protocol_parse_link (test_member_string (welcome, "link"), &host_port, &room,
                                         NULL, NULL));
  g_assert_cmpstr (host_port, ==, expected);
  g_assert_cmpstr (room, ==, test_member_string (welcome, "room"));

  guest_welcome = test_client_join (guest, room, "Guest");
  joined = test_client_expect (host, "peer-joined");
  g_assert_cmpuint (rp_server_get_n_rooms (server), ==, 1);
  g_assert_cmpuint (rp_server_get_n_connections (server), ==, 2);

  test_client_send (guest, "{\"type\":\"app\",\"data\":{\"hello\":1}}");
  app = test_client_expect (host, "app");
  g_assert_cmpstr (test_member_string (app, "from"), ==, guest->id);
}

static void
test_embedded_on_callers_context (void)
{
  g_autoptr(RpServer) server = rp_server_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rp_server_get_port (server), >, 0);
  join_and_relay (server);
  rp_server_stop (server);
  g_assert_cmpuint (rp_server_get_port (server), ==, 0);
}

static void
test_embedded_with_worker_threads (void)
{
  g_autoptr(RpServer) server = g_object_new (RP_TYPE_SERVER, "workers", 3, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_server_start (server, &error));
  join_and_relay (server);
  rp_server_stop (server);
}

/* Enough connections for several workers (one per 16): rooms whose two sides landed on
 * different threads still relay, in order. */
static void
test_embedded_relays_across_workers (void)
{
  g_autoptr(RpServer) server = g_object_new (RP_TYPE_SERVER, "workers", 4, NULL);
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) test_client_free);
  g_autoptr(GError) error = NULL;
  const guint n_rooms = 50;

  g_assert_true (rp_server_start (server, &error));
  for (guint i = 0; i < 2 * n_rooms; i++)
    g_ptr_array_add (clients, test_client_connect (rp_server_get_port (server), NULL));
  for (guint r = 0; r < n_rooms; r++)
    {
      TestClient *a = g_ptr_array_index (clients, 2 * r);
      TestClient *b = g_ptr_array_index (clients, 2 * r + 1);
      g_autoptr(JsonNode) welcome = test_client_join (a, NULL, "A");
      g_autoptr(JsonNode) welcome_b = test_client_join (b, test_member_string (welcome, "room"),
                                                        "B");
      g_autoptr(JsonNode) joined = test_client_expect (a, "peer-joined");
    }
  for (guint r = 0; r < n_rooms; r++)
    {
      TestClient *a = g_ptr_array_index (clients, 2 * r);

      for (guint n = 0; n < 3; n++)
        {
          g_autofree char *text = g_strdup_printf ("{\"type\":\"app\",\"data\":[%u,%u]}", r, n);

          test_client_send (a, text);
        }
    }
  for (guint r = 0; r < n_rooms; r++)
    {
      TestClient *b = g_ptr_array_index (clients, 2 * r + 1);

      for (guint n = 0; n < 3; n++)
        {
          g_autoptr(JsonNode) app = test_client_expect (b, "app");
          JsonArray *data = json_object_get_array_member (json_node_get_object (app), "data");

          g_assert_cmpint (json_array_get_int_element (data, 0), ==, r);
          g_assert_cmpint (json_array_get_int_element (data, 1), ==, n);
        }
    }
  g_assert_cmpuint (rp_server_get_n_connections (server), ==, 2 * n_rooms);
  g_clear_pointer (&clients, g_ptr_array_unref);
  rp_server_stop (server);
}

static void
test_embedded_restarts (void)
{
  g_autoptr(RpServer) server = rp_server_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_server_start (server, &error));
  g_assert_false (rp_server_start (server, &error));
  g_assert_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_RUNNING);
  g_clear_error (&error);
  rp_server_stop (server);
  g_assert_true (rp_server_start (server, &error));
  join_and_relay (server);
}

static char *
write_config (const char *text)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("rapport-server-XXXXXX.conf", &path, NULL);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_steal_pointer (&path);
}

static void
test_config_sets_properties (void)
{
  g_autoptr(RpServer) server = rp_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_config ("[server]\ngrace=3\nice-server=stun:127.0.0.1:3478;"
                                        "turn:127.0.0.1:3478\nturn-secret=s\nrate-limit=25\n"
                                        "public-host=example.org:443\n");
  g_auto(GStrv) ice = NULL;
  guint grace, rate;
  g_autofree char *host = NULL;

  g_assert_true (rp_server_load_config (server, path, &error));
  g_assert_no_error (error);
  g_object_get (server, "grace-seconds", &grace, "ice-servers", &ice, "rate-limit", &rate,
                "public-host", &host, NULL);
  g_assert_cmpuint (grace, ==, 3);
  g_assert_cmpuint (rate, ==, 25);
  g_assert_cmpstr (host, ==, "example.org:443");
  g_assert_cmpuint (g_strv_length (ice), ==, 2);
  g_unlink (path);
}

static void
test_config_refuses_mistakes (void)
{
  const char *bad[] = {
    "[server]\ngrace-period=3\n",        /* unknown key */
    "[server]\nrate-limit=5\n",          /* below the protocol's 20/s */
    "[server]\nport=seventy\n",
    "[server]\ntls-cert=/nonexistent.pem\n",
    "not a key file",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(RpServer) server = rp_server_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *path = write_config (bad[i]);

      g_assert_false (rp_server_load_config (server, path, &error));
      g_assert_nonnull (error);
      g_unlink (path);
    }
}

static void
test_start_refuses_bad_settings (void)
{
  const char *bad_ice[] = { "http://example.org", NULL };
  g_autoptr(RpServer) ice = g_object_new (RP_TYPE_SERVER, "ice-servers", bad_ice, NULL);
  g_autoptr(RpServer) bind = g_object_new (RP_TYPE_SERVER, "bind-address", "not-an-ip", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (rp_server_start (ice, &error));
  g_assert_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (rp_server_start (bind, &error));
  g_assert_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/embedded/on-callers-context", test_embedded_on_callers_context);
  g_test_add_func ("/server/embedded/with-worker-threads", test_embedded_with_worker_threads);
  g_test_add_func ("/server/embedded/relays-across-workers", test_embedded_relays_across_workers);
  g_test_add_func ("/server/embedded/restarts", test_embedded_restarts);
  g_test_add_func ("/server/config/sets-properties", test_config_sets_properties);
  g_test_add_func ("/server/config/refuses-mistakes", test_config_refuses_mistakes);
  g_test_add_func ("/server/start/refuses-bad-settings", test_start_refuses_bad_settings);
  return g_test_run ();
}
