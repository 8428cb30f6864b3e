/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>

#include "rp-random.h"
#include "server-test-util.h"

#define WAIT_LIMIT_S 15

/* --- waiting --- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until the condition holds; gives up (FALSE) after WAIT_LIMIT_S so a
 * silent server cannot hang the suite. */
static gboolean
wait_for (Condition condition,
          gpointer  data)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add_seconds (WAIT_LIMIT_S, on_deadline, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline);
  return condition (data);
}

/* --- the server process --- */

static void read_next_line (TestServer *server);

static void
on_log_line (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  TestServer *server = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, &error);
  if (line == NULL)
    return;
  if (g_getenv ("RAPPORT_TEST_SERVER_LOG"))
    g_printerr ("server: %s\n", line);
  g_string_append (server->log_text, line);
  g_string_append_c (server->log_text, '\n');
  if (server->port == 0)
    {
      const char *port = strstr (line, " port=");

      if (strstr (line, "event=listening") && port)
        server->port = (guint) g_ascii_strtoull (port + strlen (" port="), NULL, 10);
    }
  read_next_line (server);
}

static void
read_next_line (TestServer *server)
{
  g_data_input_stream_read_line_async (server->log, G_PRIORITY_DEFAULT, server->cancellable,
                                       on_log_line, server);
}

static gboolean
server_has_port (gpointer data)
{
  TestServer *server = data;

  return server->port != 0;
}

static char *
server_path (void)
{
  const char *build = g_getenv ("RAPPORT_BUILD_DIR");

  return g_build_filename (build ? build : "build", "src", "server", "rapport-server", NULL);
}

/* A failed assertion aborts the test; its server must not outlive it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts build/src/server/rapport-server on 127.0.0.1 with a free port plus the given
 * arguments, and waits for its "event=listening ... port=N" line. */
TestServer *
test_server_start (const char *first_arg,
                   ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  TestServer *server = g_new0 (TestServer, 1);
  va_list args;

  g_ptr_array_add (argv, server_path ());
  g_ptr_array_add (argv, g_strdup ("--port=0"));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);
  server->log = g_data_input_stream_new (g_subprocess_get_stderr_pipe (server->process));
  server->log_text = g_string_new (NULL);
  server->cancellable = g_cancellable_new ();
  read_next_line (server);
  g_assert_true (wait_for (server_has_port, server));
  return server;
}

static void
on_process_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

void
test_server_stop (TestServer *server)
{
  gboolean exited = FALSE;

  g_subprocess_wait_async (server->process, NULL, on_process_exited, &exited);
  g_subprocess_send_signal (server->process, SIGTERM);
  if (!wait_for (flag_is_set, &exited))
    {
      g_subprocess_force_exit (server->process);
      g_assert_true (wait_for (flag_is_set, &exited));
    }
  g_cancellable_cancel (server->cancellable);
  /* Let the cancelled read finish before its stream goes away. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (server->cancellable);
  g_object_unref (server->log);
  g_object_unref (server->process);
  g_string_free (server->log_text, TRUE);
  g_free (server);
}

gboolean
test_server_log_contains (TestServer *server,
                          const char *text)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return strstr (server->log_text->str, text) != NULL;
}

/* --- clients --- */

static void
on_message (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *bytes,
            gpointer                 user_data)
{
  TestClient *client = user_data;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  g_autofree char *copy = g_strndup (text, len);
  JsonNode *node = json_from_string (copy, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_queue_push_tail (&client->messages, node);
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  TestClient *client = user_data;

  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (ws);
}

typedef struct {
  gboolean                 done;
  SoupWebsocketConnection *ws;
  GError                  *error;
} ConnectResult;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ConnectResult *res = user_data;

  res->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &res->error);
  res->done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((ConnectResult *) data)->done;
}

static SoupWebsocketConnection *
open_websocket (SoupSession *session,
                SoupMessage *msg,
                const char  *origin,
                GError     **error)
{
  ConnectResult res = { 0 };

  soup_session_websocket_connect_async (session, msg, origin, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, &res);
  g_assert_true (wait_for (connect_done, &res));
  if (res.error)
    g_propagate_error (error, res.error);
  return res.ws;
}

static SoupMessage *
upgrade_request (guint port)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/v1", port);

  return soup_message_new ("GET", url);
}

static gboolean
accept_any_certificate (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

TestClient *
test_client_connect (guint       port,
                     const char *origin)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/v1", port);

  return test_client_connect_url (url, origin);
}

/* For wss:// the test's own self-signed certificate is accepted. */
TestClient *
test_client_connect_url (const char *url,
                         const char *origin)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  TestClient *client = g_new0 (TestClient, 1);

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);

  client->session = soup_session_new ();
  client->ws = open_websocket (client->session, msg, origin, &error);
  g_assert_no_error (error);
  /* The server allows 64 KiB; the client must be able to receive what it relays. */
  soup_websocket_connection_set_max_incoming_payload_size (client->ws, 256 * 1024);
  g_signal_connect (client->ws, "message", G_CALLBACK (on_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_closed), client);
  client->id = test_make_client_id ();
  return client;
}

/* For an upgrade the server refuses: returns the HTTP status it answered with. */
guint
test_client_refused_status (guint       port,
                            const char *origin)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = upgrade_request (port);
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) ws = open_websocket (session, msg, origin, &error);

  g_assert_null (ws);
  g_assert_nonnull (error);
  return soup_message_get_status (msg);
}

void
test_client_send (TestClient *client,
                  const char *text)
{
  g_assert_cmpint (soup_websocket_connection_get_state (client->ws), ==,
                   SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (client->ws, text);
}

static gboolean
has_message_or_closed (gpointer data)
{
  TestClient *client = data;

  return !g_queue_is_empty (&client->messages) || client->closed;
}

const char *
test_member_string (JsonNode   *node,
                    const char *member)
{
  JsonNode *value = json_object_get_member (json_node_get_object (node), member);

  if (value == NULL || json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (value);
}

/* The next message must be of this type; returns it. */
JsonNode *
test_client_expect (TestClient *client,
                    const char *type)
{
  JsonNode *node;

  g_assert_true (wait_for (has_message_or_closed, client));
  node = g_queue_pop_head (&client->messages);
  if (node == NULL)
    g_error ("expected a \"%s\" message, but the connection closed with %u",
             type, client->close_code);
  if (g_strcmp0 (test_member_string (node, "type"), type) != 0)
    {
      g_autofree char *text = json_to_string (node, FALSE);

      g_error ("expected a \"%s\" message, got %s", type, text);
    }
  return node;
}

void
test_client_expect_error (TestClient *client,
                          const char *code)
{
  g_autoptr(JsonNode) error = test_client_expect (client, "error");

  g_assert_cmpstr (test_member_string (error, "code"), ==, code);
  g_assert_nonnull (test_member_string (error, "message"));
}

/* A ping is answered in order, so a pong with nothing before it shows that nothing else was
 * sent to this client, and that its connection is still served. */
void
test_client_expect_nothing_more (TestClient *client)
{
  g_autoptr(JsonNode) pong = NULL;

  test_client_send (client, "{\"type\":\"ping\"}");
  pong = test_client_expect (client, "pong");
}

static gboolean
is_closed (gpointer data)
{
  return ((TestClient *) data)->closed;
}

gushort
test_client_wait_closed (TestClient *client)
{
  g_assert_true (wait_for (is_closed, client));
  return client->close_code;
}

/* Drops the TCP connection without a close frame, like a network failure. */
void
test_client_drop (TestClient *client)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (client->ws);

  g_signal_handlers_disconnect_by_data (client->ws, client);
  g_io_stream_close (stream, NULL, NULL);
  client->closed = TRUE;
}

void
test_client_free (TestClient *client)
{
  if (client == NULL)
    return;
  g_signal_handlers_disconnect_by_data (client->ws, client);
  if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&client->ws);
  g_clear_object (&client->session);
  g_queue_clear_full (&client->messages, (GDestroyNotify) json_node_unref);
  g_free (client->id);
  g_free (client);
}

/* Sends a join (creating a room when room is NULL) and returns the welcome. */
JsonNode *
test_client_join (TestClient *client,
                  const char *room,
                  const char *name)
{
  g_autofree char *text = NULL;

  if (room)
    text = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"room\":\"%s\",\"name\":\"%s\","
                            "\"client\":\"%s\"}", room, name, client->id);
  else
    text = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"name\":\"%s\",\"client\":\"%s\"}",
                            name, client->id);
  test_client_send (client, text);
  return test_client_expect (client, "welcome");
}

char *
test_make_client_id (void)
{
  return rp_random_hex (16);
}
