/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every connection is a RpServerClient; joined ones sit in a seat of a RpRoom. A seat whose
 * connection drops without "bye" is held for the grace period so that the same client id can
 * take it back. Rooms, seats and timers live on the main context of whoever calls
 * rp_server_start(); the WebSockets themselves on worker threads (rp-connection.c), which
 * report to it in order. Nothing here blocks.
 */
#include "config.h"

#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "rp-connection.h"
#include "rp-log.h"
#include "rp-protocol.h"
#include "rp-random.h"
#include "rp-room.h"
#include "rp-server.h"
#include "rp-turn.h"

#define CLOSE_REPLACED 4001         /* the same client id joined again on a newer connection */

#define LISTEN_BACKLOG 1024
#define CONNECTIONS_PER_WORKER 16
#define MIN_RATE_LIMIT 20     /* PROTOCOL.md: 20 messages/s sustained are always allowed */
#define MIN_RATE_BURST 50     /* ... and bursts of 50 */

enum {
  PROP_0,
  PROP_BIND_ADDRESS,
  PROP_PORT,
  PROP_PUBLIC_HOST,
  PROP_GRACE_SECONDS,
  PROP_ICE_SERVERS,
  PROP_TURN_SECRET,
  PROP_TURN_TTL,
  PROP_ALLOW_ORIGINS,
  PROP_TLS_CERTIFICATE,
  PROP_MAX_ROOMS,
  PROP_MAX_CONNECTIONS,
  PROP_RATE_LIMIT,
  PROP_RATE_BURST,
  PROP_KEEPALIVE_INTERVAL,
  PROP_IDLE_TIMEOUT,
  PROP_WORKERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

struct _RpServer {
  GObject          parent_instance;

  char            *bind_address;
  guint            port;
  char            *public_host;
  guint            grace_seconds;
  GStrv            ice_servers;
  char            *turn_secret;
  guint            turn_ttl;
  GStrv            allow_origins;
  GTlsCertificate *tls_certificate;
  guint            max_rooms;
  guint            max_connections;
  guint            rate_limit;
  guint            rate_burst;
  guint            keepalive_interval;
  guint            idle_timeout;
  guint            n_workers;

  SoupServer        *soup;
  guint              bound_port;
  GHashTable        *rooms;      /* token → RpRoom */
  GHashTable        *clients;    /* RpConnection set, each holding a reference */
  GPtrArray         *workers;    /* RpWorker; one without a thread when n_workers is 0 */
  GArray            *worker_loads;  /* guint: connections given to each worker */
  RpMailbox         *inbox;      /* what the workers report, run on the caller's context */
  RpConnectionLimits limits;
  RpConnectionEvents events;
  GMutex             relay_lock;  /* the connections' relay_id and relay_to */
};

G_DEFINE_FINAL_TYPE (RpServer, rp_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (rp-server-error-quark, rp_server_error)

/* Room tokens and client ids are shortened in the log (rp_log_short). */
#define short_token rp_log_short
#define short_id rp_log_short
#define log_event rp_log_event

/* --- sending --- */

static void
send_text (RpServerClient *client,
           const char     *text)
{
  if (!client->gone)
    rp_connection_send (client, text);
}

static void
send_message (RpServerClient  *client,
              const RpMessage *message)
{
  g_autofree char *text = rp_message_to_json (message);

  send_text (client, text);
}

static void
send_error (RpServerClient  *client,
            RpProtocolError  code,
            const char      *text)
{
  g_autofree char *json = rp_protocol_error_message_to_json (code, text);
  g_autofree char *room = short_token (client->room ? client->room->token : NULL);

  log_event ("error", "addr=%s room=%s code=%s", client->addr, room,
             rp_protocol_error_to_code (code));
  send_text (client, json);
}

static void
send_peer_event (RpSeat        *to,
                 RpMessageType  type,
                 RpSeat        *about,
                 const char    *reason)
{
  RpPeer peer = { .id = about->id, .name = about->name };
  RpMessage message = { .type = type, .peer = &peer, .reason = (char *) reason };

  if (to->client != NULL)
    send_message (to->client, &message);
}

static void
close_client (RpServerClient *client,
              gushort         code,
              const char     *reason)
{
  if (!client->gone)
    rp_connection_close (client, code, reason);
}

/* --- rooms and seats --- */

/* Mirrors a room's seats into its connections, where the workers' fast path reads them. */
static void
update_relays (RpServer *self,
               RpRoom   *room)
{
  g_mutex_lock (&self->relay_lock);
  for (guint i = 0; i < RP_ROOM_SEATS; i++)
    {
      RpSeat *seat = &room->seats[i];

      if (seat->client != NULL)
        {
          g_strlcpy (seat->client->relay_id, seat->id, sizeof seat->client->relay_id);
          seat->client->relay_to = rp_room_other_seat (room, seat)->client;
        }
    }
  g_mutex_unlock (&self->relay_lock);
}

static void
clear_relay (RpServer       *self,
             RpServerClient *client)
{
  g_mutex_lock (&self->relay_lock);
  client->relay_id[0] = '\0';
  client->relay_to = NULL;
  g_mutex_unlock (&self->relay_lock);
}

static void
remove_room_if_empty (RpServer *self,
                      RpRoom   *room)
{
  g_autofree char *token = NULL;

  if (!rp_room_is_empty (room))
    return;
  token = short_token (room->token);
  log_event ("room-closed", "room=%s rooms=%u", token, g_hash_table_size (self->rooms) - 1);
  g_hash_table_remove (self->rooms, room->token);
}

/* The seat is given up for good: by "bye", or when its grace period ran out. */
static void
free_seat (RpServer   *self,
           RpRoom     *room,
           RpSeat     *seat,
           const char *reason)
{
  g_autofree char *token = short_token (room->token);
  g_autofree char *id = short_id (seat->id);

  log_event ("left", "room=%s client=%s reason=%s", token, id, reason);
  send_peer_event (rp_room_other_seat (room, seat), RP_MESSAGE_PEER_LEFT, seat, reason);
  rp_seat_free (seat);
  update_relays (self, room);
  remove_room_if_empty (self, room);
}

typedef struct {
  RpServer *server;
  RpRoom   *room;
  RpSeat   *seat;
} GraceTimeout;

static gboolean
grace_expired (gpointer user_data)
{
  GraceTimeout *timeout = user_data;

  /* The source is about to be destroyed by returning FALSE; forget its id first. */
  timeout->seat->grace_source = 0;
  free_seat (timeout->server, timeout->room, timeout->seat, "timeout");
  return G_SOURCE_REMOVE;
}

static void
hold_seat (RpServer *self,
           RpRoom   *room,
           RpSeat   *seat)
{
  GraceTimeout *timeout = g_new0 (GraceTimeout, 1);
  g_autofree char *token = short_token (room->token);
  g_autofree char *id = short_id (seat->id);

  clear_relay (self, seat->client);
  seat->client = NULL;
  update_relays (self, room);
  log_event ("held", "room=%s client=%s grace_s=%u", token, id, self->grace_seconds);
  send_peer_event (rp_room_other_seat (room, seat), RP_MESSAGE_PEER_RECONNECTING, seat, NULL);

  *timeout = (GraceTimeout) { self, room, seat };
  seat->grace_source = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, self->grace_seconds,
                                                   grace_expired, timeout, g_free);
}

/* --- joining --- */

static char *
client_link (RpServer       *self,
             RpServerClient *client,
             RpRoom         *room)
{
  const char *host = self->public_host ? self->public_host : client->host_port;

  return rp_protocol_format_link (host, room->token, self->tls_certificate != NULL);
}

static void
send_welcome (RpServer       *self,
              RpServerClient *client,
              RpRoom         *room,
              RpSeat         *seat)
{
  RpSeat *other = rp_room_other_seat (room, seat);
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_peer_free);
  g_autoptr(JsonNode) ice = NULL;
  g_autofree char *link = client_link (self, client, room);
  RpMessage welcome = { .type = RP_MESSAGE_WELCOME };

  if (other->client != NULL)
    g_ptr_array_add (peers, rp_peer_new (other->id, other->name));
  ice = rp_turn_ice_servers ((const char * const *) self->ice_servers, self->turn_secret,
                             self->turn_ttl, seat->id, g_get_real_time () / G_USEC_PER_SEC);

  welcome.room = room->token;
  welcome.link = link;
  welcome.client = seat->id;
  welcome.polite = seat == &room->seats[1];
  welcome.grace_s = self->grace_seconds;
  welcome.ice_servers = ice;
  welcome.peers = peers;
  send_message (client, &welcome);
}

/* A newer connection of the same client takes the seat from an older one that the server
 * has not yet seen drop. */
static void
evict_previous (RpServer *self,
                RpSeat   *seat)
{
  RpServerClient *previous = seat->client;

  if (previous == NULL)
    return;
  clear_relay (self, previous);
  previous->room = NULL;
  previous->seat = NULL;
  seat->client = NULL;
  close_client (previous, CLOSE_REPLACED, "seat taken by a newer connection");
}

static void
take_seat (RpServer       *self,
           RpServerClient *client,
           RpRoom         *room,
           RpSeat         *seat,
           RpMessage      *join)
{
  g_autofree char *token = short_token (room->token);
  g_autofree char *id = short_id (join->client);
  gboolean returning = seat->id != NULL;

  evict_previous (self, seat);
  g_clear_handle_id (&seat->grace_source, g_source_remove);
  g_free (seat->id);
  seat->id = g_ascii_strdown (join->client, -1);
  g_free (seat->name);
  seat->name = g_strdup (join->name);
  seat->client = client;
  client->room = room;
  client->seat = seat;
  update_relays (self, room);

  log_event ("joined", "room=%s client=%s seat=%d returning=%s addr=%s", token, id,
             seat == &room->seats[0] ? 1 : 2, returning ? "true" : "false", client->addr);
  send_welcome (self, client, room, seat);
  send_peer_event (rp_room_other_seat (room, seat), RP_MESSAGE_PEER_JOINED, seat, NULL);
}

static RpRoom *
create_room (RpServer       *self,
             RpServerClient *client)
{
  g_autofree char *token = NULL;
  g_autofree char *short_tok = NULL;
  RpRoom *room;

  if (g_hash_table_size (self->rooms) >= self->max_rooms)
    {
      send_error (client, RP_PROTOCOL_ERROR_SERVER_FULL,
                  "This server has as many rooms as it may hold; try again later.");
      return NULL;
    }
  token = rp_random_token (16);
  room = rp_room_new (token);
  g_hash_table_insert (self->rooms, room->token, room);
  short_tok = short_token (token);
  log_event ("room-created", "room=%s rooms=%u", short_tok, g_hash_table_size (self->rooms));
  return room;
}

static void
handle_join (RpServer       *self,
             RpServerClient *client,
             RpMessage      *join)
{
  RpRoom *room = NULL;
  int seat;

  if (client->room != NULL)
    {
      send_error (client, RP_PROTOCOL_ERROR_BAD_MESSAGE, "This connection has already joined.");
      return;
    }
  if (join->room == NULL)
    room = create_room (self, client);
  else if ((room = g_hash_table_lookup (self->rooms, join->room)) == NULL)
    send_error (client, RP_PROTOCOL_ERROR_UNKNOWN_ROOM,
                "There is no such room; it may have ended. Ask for a new link.");
  if (room == NULL)
    return;

  seat = rp_room_pick_seat (room, join->client);
  if (seat < 0)
    {
      send_error (client, RP_PROTOCOL_ERROR_ROOM_FULL,
                  "This room already has two participants.");
      return;
    }
  take_seat (self, client, room, &room->seats[seat], join);
}

/* --- messages from a client --- */

static void
handle_relay (RpServerClient *client,
              RpMessage      *message)
{
  g_autofree char *relayed = NULL;
  RpSeat *other;

  if (client->room == NULL)
    {
      send_error (client, RP_PROTOCOL_ERROR_BAD_MESSAGE, "Join a room before sending \"signal\" "
                  "or \"app\" messages.");
      return;
    }
  /* PROTOCOL.md: dropped while the other seat is empty (or held). */
  other = rp_room_other_seat (client->room, client->seat);
  if (other->client == NULL)
    return;
  relayed = rp_protocol_relay_text (message, client->seat->id);
  send_text (other->client, relayed);
}

static void
handle_bye (RpServer       *self,
            RpServerClient *client)
{
  RpRoom *room = client->room;
  RpSeat *seat = client->seat;

  clear_relay (self, client);
  client->room = NULL;
  client->seat = NULL;
  client->leaving = TRUE;
  if (room != NULL)
    free_seat (self, room, seat, "bye");
  close_client (client, SOUP_WEBSOCKET_CLOSE_NORMAL, "bye");
}

static void
dispatch (RpServer       *self,
          RpServerClient *client,
          RpMessage      *message)
{
  switch (message->type)
    {
    case RP_MESSAGE_JOIN:
      handle_join (self, client, message);
      break;
    case RP_MESSAGE_SIGNAL:
    case RP_MESSAGE_APP:
      handle_relay (client, message);
      break;
    case RP_MESSAGE_BYE:
      handle_bye (self, client);
      break;
    case RP_MESSAGE_PING:
      send_text (client, "{\"type\":\"pong\"}");
      break;
    default:
      g_assert_not_reached ();
    }
}

/* On the sender's worker thread: a seated connection's signal or app goes straight to the
 * other seat's worker, skipping a hop through the rooms' thread. Anything else, or anything
 * wrong, is left to on_connection_message (which answers errors). */
static gboolean
relay_on_worker (gpointer               owner,
                 RpServerClient        *client,
                 SoupWebsocketDataType  type,
                 GBytes                *bytes)
{
  RpServer *self = owner;
  g_autoptr(RpMessage) message = NULL;
  g_autoptr(RpConnection) to = NULL;
  g_autofree char *relayed = NULL;
  char from[sizeof client->relay_id];
  const char *text;
  gsize len;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return FALSE;
  text = g_bytes_get_data (bytes, &len);
  message = rp_protocol_parse_client_message (text, len, NULL);
  if (message == NULL || (message->type != RP_MESSAGE_SIGNAL && message->type != RP_MESSAGE_APP))
    return FALSE;

  g_mutex_lock (&self->relay_lock);
  g_strlcpy (from, client->relay_id, sizeof from);
  to = client->relay_to ? rp_connection_ref (client->relay_to) : NULL;
  g_mutex_unlock (&self->relay_lock);
  if (from[0] == '\0')
    return FALSE;
  if (to != NULL)
    {
      relayed = rp_protocol_relay_text (message, from);
      rp_connection_send (to, relayed);
    }
  return TRUE;
}

/* The rate and size limits were applied on the connection's worker already. */
static void
on_connection_message (gpointer               owner,
                       RpServerClient        *client,
                       SoupWebsocketDataType  type,
                       GBytes                *bytes)
{
  RpServer *self = owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(RpMessage) message = NULL;
  gsize len;
  const char *text;

  /* After "bye" the connection is on its way out; what it still sends is ignored. */
  if (client->gone || client->leaving)
    return;
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      send_error (client, RP_PROTOCOL_ERROR_BAD_MESSAGE, "Binary frames are not part of the "
                  "protocol; send JSON text.");
      return;
    }
  text = g_bytes_get_data (bytes, &len);
  message = rp_protocol_parse_client_message (text, len, &error);
  if (message == NULL)
    send_error (client, error->code, error->message);
  else
    dispatch (self, client, message);
}

static void
on_connection_closed (gpointer        owner,
                      RpServerClient *client,
                      gushort         code)
{
  RpServer *self = owner;

  if (client->gone)
    return;
  client->gone = TRUE;
  log_event ("disconnected", "addr=%s code=%u connections=%u", client->addr, code,
             g_hash_table_size (self->clients) - 1);
  if (client->room != NULL)
    hold_seat (self, client->room, client->seat);
  client->room = NULL;
  client->seat = NULL;
  g_array_index (self->worker_loads, guint, client->worker_index)--;
  g_hash_table_remove (self->clients, client);
}

/* --- the upgrade --- */

static char *
format_host_port (const char *host,
                  guint       port)
{
  return strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%u", host, port)
                                    : g_strdup_printf ("%s:%u", host, port);
}

/* The Host header ends up in links that other people open, so only a plain host[:port] is
 * taken; anything else falls back to the bound address. */
static char *
host_for_links (RpServer          *self,
                SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *host = soup_message_headers_get_one (headers, "Host");
  gboolean has_port;

  if (host == NULL || *host == '\0' || strlen (host) > 255
      || strspn (host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
         != strlen (host))
    return format_host_port (self->bind_address, self->bound_port);

  has_port = host[0] == '[' ? strstr (host, "]:") != NULL : strchr (host, ':') != NULL;
  if (has_port)
    return g_strdup (host);
  return g_strdup_printf ("%s:%u", host, self->tls_certificate ? 443 : 80);
}

static char *
describe_remote (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);
  g_autofree char *ip = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("-");
  ip = g_inet_address_to_string (
         g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return format_host_port (ip, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/* Signaling is many small frames (a burst of ICE candidates): send each at once instead of
 * letting Nagle's algorithm hold it back for an acknowledgement. */
static void
disable_nagle (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL && g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
add_worker (RpServer *self)
{
  guint none = 0;

  g_ptr_array_add (self->workers, rp_worker_new ("rp-server-worker", self->n_workers > 0,
                                                 &self->limits, &self->events));
  g_array_append_val (self->worker_loads, none);
}

/* The least busy worker; a new one when all hold CONNECTIONS_PER_WORKER, up to the
 * "workers" property: each wakeup of a worker costs in proportion to the connections it
 * holds, so many small loops beat a few big ones. */
static guint
pick_worker (RpServer *self)
{
  guint best = 0;

  for (guint i = 1; i < self->worker_loads->len; i++)
    {
      if (g_array_index (self->worker_loads, guint, i)
          < g_array_index (self->worker_loads, guint, best))
        best = i;
    }
  if (g_array_index (self->worker_loads, guint, best) >= CONNECTIONS_PER_WORKER
      && self->workers->len < self->n_workers)
    {
      add_worker (self);
      best = self->workers->len - 1;
    }
  g_array_index (self->worker_loads, guint, best)++;
  return best;
}

/* The 101 went out: the stream is ours now, and a worker makes the WebSocket on it. */
static void
on_upgraded (SoupServerMessage *msg,
             gpointer           user_data)
{
  RpServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *addr = describe_remote (msg);
  g_autofree char *host_port = host_for_links (self, msg);
  g_autoptr(RpConnection) client = rp_connection_new (addr, host_port);
  g_autoptr(GIOStream) stream = NULL;

  disable_nagle (msg);
  stream = soup_server_message_steal_connection (msg);
  client->worker_index = pick_worker (self);
  rp_connection_adopt (client, g_ptr_array_index (self->workers, client->worker_index), stream,
                       soup_server_message_get_uri (msg),
                       soup_message_headers_get_one (headers, "Origin"));
  g_hash_table_add (self->clients, rp_connection_ref (client));
  log_event ("connected", "addr=%s connections=%u", client->addr,
             g_hash_table_size (self->clients));

  if (g_hash_table_size (self->clients) > self->max_connections)
    {
      /* 1008 rather than 1013 (try again later): libsoup 3.2 clients reject 1013 as a
       * protocol error. The error message before it says what happened. */
      send_error (client, RP_PROTOCOL_ERROR_SERVER_FULL,
                  "This server has as many connections as it may hold; try again later.");
      close_client (client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "server full");
    }
}

static gboolean
origin_is_own (RpServer          *self,
               SoupServerMessage *msg,
               const char        *origin)
{
  const char *host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Host");
  const char *rest = NULL;

  if (g_str_has_prefix (origin, "http://"))
    rest = origin + strlen ("http://");
  else if (g_str_has_prefix (origin, "https://"))
    rest = origin + strlen ("https://");
  if (rest == NULL)
    return FALSE;
  return (host != NULL && g_ascii_strcasecmp (rest, host) == 0)
         || (self->public_host != NULL && g_ascii_strcasecmp (rest, self->public_host) == 0);
}

static gboolean
origin_is_allowed (RpServer          *self,
                   SoupServerMessage *msg)
{
  const char *origin = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Origin");

  /* Native clients send no Origin; browsers always do, and only pages we trust may drive
   * the server with the user's network position. */
  if (origin == NULL || origin_is_own (self, msg, origin))
    return TRUE;
  for (guint i = 0; self->allow_origins != NULL && self->allow_origins[i] != NULL; i++)
    {
      if (g_str_equal (self->allow_origins[i], "*")
          || g_ascii_strcasecmp (self->allow_origins[i], origin) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The handshake is libsoup's; the WebSocket is made by hand (on_upgraded) so that it can
 * live on a worker's context rather than this one. */
static void
on_upgrade_request (SoupServer        *soup,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  RpServer *self = user_data;

  if (!origin_is_allowed (self, msg))
    {
      g_autofree char *addr = describe_remote (msg);

      log_event ("origin-refused", "addr=%s", addr);
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                        "Origin not allowed\n", strlen ("Origin not allowed\n"));
      return;
    }
  /* Sets 101, or an error status for a request that is not a WebSocket handshake. */
  if (soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (on_upgraded), self, 0);
}

static void
on_other_request (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  static const char body[] = "Rapport rendezvous server: connect a WebSocket to /v1\n";

  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
}

/* --- GObject --- */

static void
rp_server_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RpServer *self = RP_SERVER (object);

  switch (prop_id)
    {
    case PROP_BIND_ADDRESS: g_value_set_string (value, self->bind_address); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    case PROP_PUBLIC_HOST: g_value_set_string (value, self->public_host); break;
    case PROP_GRACE_SECONDS: g_value_set_uint (value, self->grace_seconds); break;
    case PROP_ICE_SERVERS: g_value_set_boxed (value, self->ice_servers); break;
    case PROP_TURN_SECRET: g_value_set_string (value, self->turn_secret); break;
    case PROP_TURN_TTL: g_value_set_uint (value, self->turn_ttl); break;
    case PROP_ALLOW_ORIGINS: g_value_set_boxed (value, self->allow_origins); break;
    case PROP_TLS_CERTIFICATE: g_value_set_object (value, self->tls_certificate); break;
    case PROP_MAX_ROOMS: g_value_set_uint (value, self->max_rooms); break;
    case PROP_MAX_CONNECTIONS: g_value_set_uint (value, self->max_connections); break;
    case PROP_RATE_LIMIT: g_value_set_uint (value, self->rate_limit); break;
    case PROP_RATE_BURST: g_value_set_uint (value, self->rate_burst); break;
    case PROP_KEEPALIVE_INTERVAL: g_value_set_uint (value, self->keepalive_interval); break;
    case PROP_IDLE_TIMEOUT: g_value_set_uint (value, self->idle_timeout); break;
    case PROP_WORKERS: g_value_set_uint (value, self->n_workers); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string (char         **field,
            const GValue  *value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

static void
set_strv (GStrv        *field,
          const GValue *value)
{
  g_strfreev (*field);
  *field = g_value_dup_boxed (value);
}

static void
rp_server_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RpServer *self = RP_SERVER (object);

  switch (prop_id)
    {
    case PROP_BIND_ADDRESS: set_string (&self->bind_address, value); break;
    case PROP_PORT: self->port = g_value_get_uint (value); break;
    case PROP_PUBLIC_HOST: set_string (&self->public_host, value); break;
    case PROP_GRACE_SECONDS: self->grace_seconds = g_value_get_uint (value); break;
    case PROP_ICE_SERVERS: set_strv (&self->ice_servers, value); break;
    case PROP_TURN_SECRET: set_string (&self->turn_secret, value); break;
    case PROP_TURN_TTL: self->turn_ttl = g_value_get_uint (value); break;
    case PROP_ALLOW_ORIGINS: set_strv (&self->allow_origins, value); break;
    case PROP_TLS_CERTIFICATE: g_set_object (&self->tls_certificate, g_value_get_object (value));
      break;
    case PROP_MAX_ROOMS: self->max_rooms = g_value_get_uint (value); break;
    case PROP_MAX_CONNECTIONS: self->max_connections = g_value_get_uint (value); break;
    case PROP_RATE_LIMIT: self->rate_limit = g_value_get_uint (value); break;
    case PROP_RATE_BURST: self->rate_burst = g_value_get_uint (value); break;
    case PROP_KEEPALIVE_INTERVAL: self->keepalive_interval = g_value_get_uint (value); break;
    case PROP_IDLE_TIMEOUT: self->idle_timeout = g_value_get_uint (value); break;
    case PROP_WORKERS: self->n_workers = g_value_get_uint (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); return;
    }
  /* Every property but the read-only state is set the same way; notify generically. */
  g_object_notify_by_pspec (object, pspec);
}

static void
rp_server_dispose (GObject *object)
{
  RpServer *self = RP_SERVER (object);

  rp_server_stop (self);
  g_clear_object (&self->tls_certificate);
  G_OBJECT_CLASS (rp_server_parent_class)->dispose (object);
}

static void
rp_server_finalize (GObject *object)
{
  RpServer *self = RP_SERVER (object);

  g_free (self->bind_address);
  g_free (self->public_host);
  g_strfreev (self->ice_servers);
  g_free (self->turn_secret);
  g_strfreev (self->allow_origins);
  g_hash_table_unref (self->rooms);
  g_hash_table_unref (self->clients);
  g_mutex_clear (&self->relay_lock);
  G_OBJECT_CLASS (rp_server_parent_class)->finalize (object);
}

static GParamSpec *
uint_property (const char *name,
               guint       min,
               guint       max,
               guint       def)
{
  return g_param_spec_uint (name, NULL, NULL, min, max, def,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
string_property (const char *name,
                 const char *def)
{
  return g_param_spec_string (name, NULL, NULL, def,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
strv_property (const char *name)
{
  return g_param_spec_boxed (name, NULL, NULL, G_TYPE_STRV,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
rp_server_class_init (RpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_server_get_property;
  object_class->set_property = rp_server_set_property;
  object_class->dispose = rp_server_dispose;
  object_class->finalize = rp_server_finalize;

  properties[PROP_BIND_ADDRESS] = string_property ("bind-address", "127.0.0.1");
  properties[PROP_PORT] = uint_property ("port", 0, 65535, 0);
  properties[PROP_PUBLIC_HOST] = string_property ("public-host", NULL);
  properties[PROP_GRACE_SECONDS] = uint_property ("grace-seconds", 0, 3600, 10);
  properties[PROP_ICE_SERVERS] = strv_property ("ice-servers");
  properties[PROP_TURN_SECRET] = string_property ("turn-secret", NULL);
  properties[PROP_TURN_TTL] = uint_property ("turn-ttl", 60, 7 * 86400, 86400);
  properties[PROP_ALLOW_ORIGINS] = strv_property ("allow-origins");
  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_ROOMS] = uint_property ("max-rooms", 1, G_MAXINT, 10000);
  properties[PROP_MAX_CONNECTIONS] = uint_property ("max-connections", 1, G_MAXINT, 20000);
  properties[PROP_RATE_LIMIT] = uint_property ("rate-limit", MIN_RATE_LIMIT, 100000, 40);
  properties[PROP_RATE_BURST] = uint_property ("rate-burst", MIN_RATE_BURST, 100000, 100);
  properties[PROP_KEEPALIVE_INTERVAL] = uint_property ("keepalive-interval", 0, 3600, 20);
  properties[PROP_IDLE_TIMEOUT] = uint_property ("idle-timeout", 2, 86400, 60);
  /* 0: connections live on the caller's main context (the embedded server, a few clients);
   * N: on up to N threads of their own, one per 16 connections (the standalone server). */
  properties[PROP_WORKERS] = uint_property ("workers", 0, 4096, 0);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rp_server_init (RpServer *self)
{
  self->bind_address = g_strdup ("127.0.0.1");
  self->grace_seconds = 10;
  self->turn_ttl = 86400;
  self->max_rooms = 10000;
  self->max_connections = 20000;
  self->rate_limit = 40;
  self->rate_burst = 100;
  self->keepalive_interval = 20;
  self->idle_timeout = 60;
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) rp_room_free);
  self->clients = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) rp_connection_unref, NULL);
  g_mutex_init (&self->relay_lock);
}

RpServer *
rp_server_new (void)
{
  return g_object_new (RP_TYPE_SERVER, NULL);
}

/* --- configuration from a key file --- */

static const struct {
  const char *key;
  const char *property;
} config_keys[] = {
  { "bind", "bind-address" },
  { "port", "port" },
  { "public-host", "public-host" },
  { "grace", "grace-seconds" },
  { "ice-server", "ice-servers" },
  { "turn-secret", "turn-secret" },
  { "turn-ttl", "turn-ttl" },
  { "allow-origin", "allow-origins" },
  { "max-rooms", "max-rooms" },
  { "max-connections", "max-connections" },
  { "rate-limit", "rate-limit" },
  { "rate-burst", "rate-burst" },
  { "keepalive-interval", "keepalive-interval" },
  { "idle-timeout", "idle-timeout" },
  { "workers", "workers" },
};

static gboolean
config_value (GKeyFile    *file,
              const char  *key,
              GParamSpec  *pspec,
              GValue      *value,
              GError     **error)
{
  g_value_init (value, pspec->value_type);
  if (pspec->value_type == G_TYPE_STRING)
    {
      g_autofree char *s = g_key_file_get_string (file, "server", key, error);

      g_value_take_string (value, g_steal_pointer (&s));
      return g_value_get_string (value) != NULL;
    }
  if (pspec->value_type == G_TYPE_STRV)
    {
      g_auto(GStrv) list = g_key_file_get_string_list (file, "server", key, NULL, error);

      g_value_take_boxed (value, g_steal_pointer (&list));
      return g_value_get_boxed (value) != NULL;
    }
  else
    {
      g_autoptr(GError) local = NULL;
      guint64 n = g_key_file_get_uint64 (file, "server", key, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_value_set_uint (value, (guint) MIN (n, G_MAXUINT));
      if (n > G_MAXUINT || g_param_value_validate (pspec, value))
        {
          g_set_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG,
                       "%s is out of range (%u to %u)", key, G_PARAM_SPEC_UINT (pspec)->minimum,
                       G_PARAM_SPEC_UINT (pspec)->maximum);
          return FALSE;
        }
      return TRUE;
    }
}

static gboolean
config_tls (RpServer  *self,
            GKeyFile  *file,
            GError   **error)
{
  g_autofree char *cert = g_key_file_get_string (file, "server", "tls-cert", NULL);
  g_autofree char *key = g_key_file_get_string (file, "server", "tls-key", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (cert == NULL && key == NULL)
    return TRUE;
  if (cert == NULL || key == NULL)
    {
      g_set_error_literal (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG,
                           "tls-cert and tls-key go together; set both or neither");
      return FALSE;
    }
  certificate = g_tls_certificate_new_from_files (cert, key, error);
  if (certificate == NULL)
    return FALSE;
  g_object_set (self, "tls-certificate", certificate, NULL);
  return TRUE;
}

static gboolean
config_key_is_known (const char *key)
{
  if (g_str_equal (key, "tls-cert") || g_str_equal (key, "tls-key"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (config_keys); i++)
    {
      if (g_str_equal (key, config_keys[i].key))
        return TRUE;
    }
  return FALSE;
}

/* Reads the [server] group of a key file; see rapport-server --help for its keys. Unknown
 * keys are an error, so that a typo does not silently leave a limit at its default. */
gboolean
rp_server_load_config (RpServer    *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (RP_IS_SERVER (self), FALSE);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    return FALSE;
  keys = g_key_file_get_keys (file, "server", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!config_key_is_known (keys[i]))
        {
          g_set_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG,
                       "%s: unknown key \"%s\" in [server]", path, keys[i]);
          return FALSE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (config_keys); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self),
                                                        config_keys[i].property);
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) local = NULL;

      if (!g_key_file_has_key (file, "server", config_keys[i].key, NULL))
        continue;
      if (!config_value (file, config_keys[i].key, pspec, &value, &local))
        {
          g_set_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG, "%s: %s", path,
                       local ? local->message : config_keys[i].key);
          return FALSE;
        }
      g_object_set_property (G_OBJECT (self), config_keys[i].property, &value);
    }
  return config_tls (self, file, error);
}

/* --- start and stop --- */

static gboolean
check_settings (RpServer  *self,
                GError   **error)
{
  for (guint i = 0; self->ice_servers != NULL && self->ice_servers[i] != NULL; i++)
    {
      if (!rp_turn_url_is_valid (self->ice_servers[i]))
        {
          g_set_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG,
                       "ICE server \"%s\" is not a stun:, stuns:, turn: or turns: URL",
                       self->ice_servers[i]);
          return FALSE;
        }
    }
  if (self->public_host != NULL && strchr (self->public_host, ':') == NULL)
    {
      g_set_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG,
                   "public host \"%s\" must be HOST:PORT", self->public_host);
      return FALSE;
    }
  return TRUE;
}

static guint
first_bound_port (SoupServer *soup)
{
  GSList *uris = soup_server_get_uris (soup);
  guint port = uris ? (guint) g_uri_get_port (uris->data) : 0;

  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

/* Our own listening socket rather than soup_server_listen(): GSocket's default backlog of 10
 * drops connection attempts when many clients (re)connect at once, each costing them a
 * one-second SYN retry. */
static GSocket *
listening_socket (GSocketAddress  *address,
                  GError         **error)
{
  g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL)
    return NULL;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static gboolean
listen_on (RpServer  *self,
           GError   **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local = NULL;

  address = g_inet_socket_address_new_from_string (self->bind_address, self->port);
  if (address == NULL)
    {
      g_set_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_CONFIG,
                   "\"%s\" is not an IP address to bind to", self->bind_address);
      return FALSE;
    }
  socket = listening_socket (address, &local);
  if (socket == NULL
      || !soup_server_listen_socket (self->soup, socket,
                                     self->tls_certificate ? SOUP_SERVER_LISTEN_HTTPS : 0, &local))
    {
      g_set_error (error, RP_SERVER_ERROR, RP_SERVER_ERROR_LISTEN,
                   "Could not listen on %s port %u: %s", self->bind_address, self->port,
                   local->message);
      return FALSE;
    }
  self->bound_port = first_bound_port (self->soup);
  return TRUE;
}

static void
start_workers (RpServer *self)
{
  self->limits = (RpConnectionLimits) {
    .rate_limit = self->rate_limit,
    .rate_burst = self->rate_burst,
    .keepalive_interval = self->keepalive_interval,
    .idle_timeout = self->idle_timeout,
    .max_payload = RP_PROTOCOL_MAX_MESSAGE_SIZE,
  };
  self->events = (RpConnectionEvents) {
    .message = on_connection_message,
    .closed = on_connection_closed,
    .fast_path = relay_on_worker,
    .owner = self,
  };
  if (self->n_workers > 0)
    {
      g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

      self->inbox = rp_mailbox_new (context);
      self->events.mailbox = self->inbox;
    }
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_worker_free);
  self->worker_loads = g_array_new (FALSE, TRUE, sizeof (guint));
  add_worker (self);
}

gboolean
rp_server_start (RpServer  *self,
                 GError   **error)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (RP_IS_SERVER (self), FALSE);

  if (self->soup != NULL)
    {
      g_set_error_literal (error, RP_SERVER_ERROR, RP_SERVER_ERROR_RUNNING,
                           "The server is already running");
      return FALSE;
    }
  if (!check_settings (self, error))
    return FALSE;

  self->soup = soup_server_new ("server-header", "rapport-server ",
                                "tls-certificate", self->tls_certificate,
                                NULL);
  soup_server_add_handler (self->soup, NULL, on_other_request, self, NULL);
  soup_server_add_handler (self->soup, RP_PROTOCOL_PATH, on_upgrade_request, self, NULL);
  if (!listen_on (self, error))
    {
      g_clear_object (&self->soup);
      return FALSE;
    }
  start_workers (self);
  host = format_host_port (self->bind_address, self->bound_port);
  log_event ("listening", "url=%s://%s%s port=%u grace_s=%u", self->tls_certificate ? "wss" : "ws",
             host, RP_PROTOCOL_PATH, self->bound_port, self->grace_seconds);
  return TRUE;
}

guint
rp_server_get_port (RpServer *self)
{
  g_return_val_if_fail (RP_IS_SERVER (self), 0);

  return self->bound_port;
}

guint
rp_server_get_n_connections (RpServer *self)
{
  g_return_val_if_fail (RP_IS_SERVER (self), 0);

  return g_hash_table_size (self->clients);
}

guint
rp_server_get_n_rooms (RpServer *self)
{
  g_return_val_if_fail (RP_IS_SERVER (self), 0);

  return g_hash_table_size (self->rooms);
}

/* Closes every connection and forgets every room; the object can be started again. */
void
rp_server_stop (RpServer *self)
{
  GHashTableIter iter;
  RpConnection *client;

  g_return_if_fail (RP_IS_SERVER (self));

  if (self->soup == NULL)
    return;
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  /* Workers close their connections and stop; what they reported meanwhile is dropped. */
  g_clear_pointer (&self->workers, g_ptr_array_unref);
  g_clear_pointer (&self->worker_loads, g_array_unref);
  g_clear_pointer (&self->inbox, rp_mailbox_free);
  g_hash_table_iter_init (&iter, self->clients);
  while (g_hash_table_iter_next (&iter, (gpointer *) &client, NULL))
    client->gone = TRUE;
  g_hash_table_remove_all (self->clients);
  g_hash_table_remove_all (self->rooms);
  log_event ("stopped", "port=%u", self->bound_port);
  self->bound_port = 0;
}
