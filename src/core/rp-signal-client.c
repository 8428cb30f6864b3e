/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The WebSocket client of the rendezvous protocol. It only frames and validates messages; what
 * they mean for the call is RpSession's business.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <libsoup/soup.h>

#include "rp-protocol.h"
#include "rp-signal-client.h"

/* PROTOCOL.md: a signaling frame is at most 64 KiB. */
#define RP_SIGNAL_MAX_FRAME (64 * 1024)
/* A path that went dark (packets dropped, no FIN, no RST) looks open to TCP for many minutes,
 * and libsoup 3.2 has no pong timeout of its own. So we ping every KEEPALIVE_S and take a
 * server that has sent nothing, not even a pong, for SILENCE_LIMIT_S as gone. */
#define RP_SIGNAL_KEEPALIVE_S 2
#define RP_SIGNAL_SILENCE_LIMIT_S 5
#define RP_SIGNAL_WATCH_MS 1000
/* The kernel's own backstop: unacknowledged data (our pings, at least) older than this ends
 * the connection even while our main loop cannot run the watch. */
#define RP_SIGNAL_TCP_USER_TIMEOUT_MS 8000
#define RP_SIGNAL_CONNECT_TIMEOUT_S 15

struct _RpSignalClient
{
  GObject                  parent_instance;

  char                    *url;
  guint                    connect_timeout_s;
  SoupSession             *soup;
  SoupWebsocketConnection *conn;
  gboolean                 closed_emitted;
  gint64                   heard_at_us;     /* the last frame from the server, pongs included */
  gint64                   watched_at_us;   /* the last run of the watch */
  guint                    watch_id;
};

enum {
  PROP_0,
  PROP_CONNECT_TIMEOUT,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (RpSignalClient, rp_signal_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (rp-signal-client-error-quark, rp_signal_client_error)

enum {
  SIGNAL_MESSAGE,
  SIGNAL_CLOSED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
emit_closed (RpSignalClient *self,
             gushort         code,
             const char     *reason)
{
  if (self->closed_emitted)
    return;
  self->closed_emitted = TRUE;
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, (guint) code, reason);
}

/* A server frame as the contract has it: a JSON object with a string `type`. Returns the
 * object (a new reference) or NULL with error. */
JsonObject *
rp_signal_parse_server_frame (const char *text,
                              gsize       length,
                              GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *type;
  JsonObject *obj;

  if (length > RP_SIGNAL_MAX_FRAME)
    {
      g_set_error (error, RP_SIGNAL_CLIENT_ERROR, RP_SIGNAL_CLIENT_ERROR_PROTOCOL,
                   "server frame of %" G_GSIZE_FORMAT " bytes is over the limit", length);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) length, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, RP_SIGNAL_CLIENT_ERROR, RP_SIGNAL_CLIENT_ERROR_PROTOCOL,
                   "server sent a message that is not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);
  type = json_object_get_member (obj, "type");
  if (type == NULL || json_node_get_value_type (type) != G_TYPE_STRING)
    {
      g_set_error (error, RP_SIGNAL_CLIENT_ERROR, RP_SIGNAL_CLIENT_ERROR_PROTOCOL,
                   "server sent a message without a string type");
      return NULL;
    }
  return json_object_ref (obj);
}

static void
on_ws_message (SoupWebsocketConnection *conn,
               gint                     type,
               GBytes                  *message,
               RpSignalClient          *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;
  gsize len = 0;
  const char *text = g_bytes_get_data (message, &len);
  const char *msg_type;

  self->heard_at_us = g_get_monotonic_time ();
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_debug ("ignoring a binary frame from the server");
      return;
    }
  obj = rp_signal_parse_server_frame (text, len, &error);
  if (obj == NULL)
    {
      g_message ("ignoring a server frame: %s", error->message);
      return;
    }
  msg_type = json_object_get_string_member (obj, "type");
  g_signal_emit (self, signals[SIGNAL_MESSAGE], g_quark_try_string (msg_type), msg_type, obj);
}

static void
on_ws_pong (SoupWebsocketConnection *conn,
            GBytes                  *message,
            RpSignalClient          *self)
{
  self->heard_at_us = g_get_monotonic_time ();
}

static void
on_ws_closed (SoupWebsocketConnection *conn,
              RpSignalClient          *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  emit_closed (self, soup_websocket_connection_get_close_code (conn),
               soup_websocket_connection_get_close_data (conn));
}

static void
on_ws_error (SoupWebsocketConnection *conn,
             GError                  *error,
             RpSignalClient          *self)
{
  g_debug ("signaling connection error: %s", error->message);
}

/* The TCP socket under the WebSocket: libsoup wraps it (SoupIOStream, and GTlsConnection for
 * wss) in streams that name their base stream in a property. */
static GSocket *
socket_of (GIOStream *stream)
{
  for (guint depth = 0; stream != NULL && depth < 4; depth++)
    {
      GObjectClass *klass = G_OBJECT_GET_CLASS (stream);
      const char *base = NULL;
      g_autoptr(GIOStream) inner = NULL;

      if (G_IS_SOCKET_CONNECTION (stream))
        return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      if (g_object_class_find_property (klass, "base-iostream") != NULL)
        base = "base-iostream";
      else if (g_object_class_find_property (klass, "base-io-stream") != NULL)
        base = "base-io-stream";
      if (base == NULL)
        return NULL;
      g_object_get (stream, base, &inner, NULL);
      stream = inner;   /* the outer stream keeps its base alive */
    }
  return NULL;
}

static void
tune_socket (RpSignalClient *self)
{
  GSocket *socket = socket_of (soup_websocket_connection_get_io_stream (self->conn));
  g_autoptr(GError) error = NULL;

  if (socket == NULL)
    {
      g_debug ("no TCP socket found under the signaling connection");
      return;
    }
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_USER_TIMEOUT,
                            RP_SIGNAL_TCP_USER_TIMEOUT_MS, &error))
    g_debug ("TCP_USER_TIMEOUT not set: %s", error->message);
}

/* The server has been silent too long: drop the connection as a lost network would, so that
 * "closed" sends the session down its reconnect path. Shutting the socket down also makes
 * libsoup see the end at once instead of waiting on a close handshake that cannot come. */
static void
abandon_connection (RpSignalClient *self)
{
  GSocket *socket = socket_of (soup_websocket_connection_get_io_stream (self->conn));

  g_message ("no answer from the rendezvous server for %d s; dropping the connection",
             RP_SIGNAL_SILENCE_LIMIT_S);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  emit_closed (self, SOUP_WEBSOCKET_CLOSE_ABNORMAL, "no answer from the server");
}

static gboolean
watch_server (gpointer user_data)
{
  RpSignalClient *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GSocket *socket;

  /* Our own main loop was stalled (a loaded machine): what the server sent meanwhile may be
   * unread, and our pings were not sent. Count the silence from now. */
  if (now - self->watched_at_us > 2 * RP_SIGNAL_WATCH_MS * 1000)
    self->heard_at_us = MAX (self->heard_at_us, now);
  self->watched_at_us = now;
  if (now - self->heard_at_us < RP_SIGNAL_SILENCE_LIMIT_S * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;
  /* Bytes waiting to be read are not silence; libsoup will read them. */
  socket = socket_of (soup_websocket_connection_get_io_stream (self->conn));
  if (socket != NULL && g_socket_condition_check (socket, G_IO_IN) != 0)
    return G_SOURCE_CONTINUE;
  self->watch_id = 0;
  abandon_connection (self);
  return G_SOURCE_REMOVE;
}

static void
start_watch (RpSignalClient *self)
{
  self->heard_at_us = self->watched_at_us = g_get_monotonic_time ();
  tune_socket (self);
  soup_websocket_connection_set_keepalive_interval (self->conn, RP_SIGNAL_KEEPALIVE_S);
  g_signal_connect_object (self->conn, "pong", G_CALLBACK (on_ws_pong), self, 0);
  self->watch_id = g_timeout_add (RP_SIGNAL_WATCH_MS, watch_server, self);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RpSignalClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (conn == NULL)
    {
      g_task_return_new_error (task, RP_SIGNAL_CLIENT_ERROR, RP_SIGNAL_CLIENT_ERROR_CONNECT,
                               "Could not reach the rendezvous server at %s: %s",
                               self->url, error->message);
      return;
    }
  self->conn = conn;
  /* The server's frames are small; anything bigger than the contract allows is hostile. */
  soup_websocket_connection_set_max_incoming_payload_size (conn, RP_SIGNAL_MAX_FRAME);
  g_signal_connect_object (conn, "message", G_CALLBACK (on_ws_message), self, 0);
  g_signal_connect_object (conn, "closed", G_CALLBACK (on_ws_closed), self, 0);
  g_signal_connect_object (conn, "error", G_CALLBACK (on_ws_error), self, 0);
  start_watch (self);
  g_task_return_boolean (task, TRUE);
}

static void
send_object (RpSignalClient *self,
             JsonObject     *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (node, obj);
  if (!rp_signal_client_is_open (self))
    {
      g_debug ("signaling not open, dropping %s", json_object_get_string_member (obj, "type"));
      return;
    }
  text = json_to_string (node, FALSE);
  soup_websocket_connection_send_text (self->conn, text);
}

static void
rp_signal_client_dispose (GObject *object)
{
  RpSignalClient *self = RP_SIGNAL_CLIENT (object);

  g_clear_handle_id (&self->watch_id, g_source_remove);
  if (self->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->conn, self);
      if (soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  g_clear_object (&self->conn);
  g_clear_object (&self->soup);
  G_OBJECT_CLASS (rp_signal_client_parent_class)->dispose (object);
}

static void
rp_signal_client_finalize (GObject *object)
{
  RpSignalClient *self = RP_SIGNAL_CLIENT (object);

  g_free (self->url);
  G_OBJECT_CLASS (rp_signal_client_parent_class)->finalize (object);
}

static void
rp_signal_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RpSignalClient *self = RP_SIGNAL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECT_TIMEOUT: g_value_set_uint (value, self->connect_timeout_s); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_signal_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RpSignalClient *self = RP_SIGNAL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECT_TIMEOUT: self->connect_timeout_s = g_value_get_uint (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_signal_client_class_init (RpSignalClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_signal_client_get_property;
  object_class->set_property = rp_signal_client_set_property;
  object_class->dispose = rp_signal_client_dispose;
  object_class->finalize = rp_signal_client_finalize;

  /* Seconds to reach the server and finish the upgrade. A reconnection keeps it short: a
   * SYN lost while the path was dark is otherwise only sent again seconds later. */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 1, 600, RP_SIGNAL_CONNECT_TIMEOUT_S,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Detailed by the message type, so handlers can connect to "message::welcome". */
  signals[SIGNAL_MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 2,
                                          G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         G_TYPE_UINT, G_TYPE_STRING);
}

static void
rp_signal_client_init (RpSignalClient *self)
{
}

RpSignalClient *
rp_signal_client_new (const char *url)
{
  RpSignalClient *self;

  g_return_val_if_fail (url != NULL, NULL);
  self = g_object_new (RP_TYPE_SIGNAL_CLIENT, NULL);
  self->url = g_strdup (url);
  return self;
}

void
rp_signal_client_connect_async (RpSignalClient     *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (RP_IS_SIGNAL_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rp_signal_client_connect_async);
  msg = soup_message_new (SOUP_METHOD_GET, self->url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, RP_SIGNAL_CLIENT_ERROR, RP_SIGNAL_CLIENT_ERROR_CONNECT,
                               "“%s” is not a valid rendezvous server address", self->url);
      return;
    }
  if (self->soup == NULL)
    self->soup = soup_session_new_with_options ("timeout", self->connect_timeout_s,
                                                "idle-timeout", 0, NULL);
  /* A native client sends no Origin header (PROTOCOL.md). */
  soup_session_websocket_connect_async (self->soup, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        cancellable, on_connected, g_steal_pointer (&task));
}

gboolean
rp_signal_client_connect_finish (RpSignalClient *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
rp_signal_client_is_open (RpSignalClient *self)
{
  return self->conn != NULL
         && soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

void
rp_signal_client_join (RpSignalClient *self,
                       const char     *room,
                       const char     *name,
                       const char     *client_id)
{
  g_autoptr(JsonObject) obj = json_object_new ();

  json_object_set_string_member (obj, "type", "join");
  json_object_set_int_member (obj, "version", 1);
  if (room != NULL)
    json_object_set_string_member (obj, "room", room);
  json_object_set_string_member (obj, "name", name);
  json_object_set_string_member (obj, "client", client_id);
  send_object (self, obj);
}

static void
send_with_data (RpSignalClient *self,
                const char     *type,
                JsonNode       *data)
{
  g_autoptr(JsonObject) obj = json_object_new ();

  json_object_set_string_member (obj, "type", type);
  json_object_set_member (obj, "data", json_node_copy (data));
  send_object (self, obj);
}

void
rp_signal_client_send_signal (RpSignalClient *self,
                              JsonNode       *data)
{
  send_with_data (self, "signal", data);
}

void
rp_signal_client_send_app (RpSignalClient *self,
                           JsonNode       *data)
{
  send_with_data (self, "app", data);
}

void
rp_signal_client_send_bye (RpSignalClient *self)
{
  g_autoptr(JsonObject) obj = json_object_new ();

  json_object_set_string_member (obj, "type", "bye");
  send_object (self, obj);
}

void
rp_signal_client_close (RpSignalClient *self)
{
  if (rp_signal_client_is_open (self))
    soup_websocket_connection_close (self->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

gboolean
rp_signal_parse_link (const char *link,
                      char      **ws_url,
                      char      **room,
                      GError    **error)
{
  g_autofree char *host_port = NULL;
  gboolean tls = FALSE;

  if (!rp_protocol_parse_link (link, &host_port, room, &tls, error))
    return FALSE;
  if (ws_url != NULL)
    *ws_url = rp_protocol_websocket_url (host_port, tls);
  return TRUE;
}
