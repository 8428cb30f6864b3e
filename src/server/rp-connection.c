/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-connection.h"
#include "rp-log.h"

struct _RpWorker {
  GMainContext             *context;
  GMainLoop                *loop;
  GThread                  *thread;       /* NULL: runs on the caller's context */
  RpMailbox                *mailbox;      /* NULL with no thread of its own */
  GHashTable               *connections;  /* the open ones, each holding a reference */
  GSource                  *sweep;
  const RpConnectionLimits *limits;
  const RpConnectionEvents *events;
};

/* --- handing work between threads --- */

static void
post_to_worker (RpWorker      *worker,
                RpMailboxFunc  func,
                RpConnection  *connection,
                gpointer       data,
                GDestroyNotify data_free)
{
  if (worker->mailbox == NULL)
    {
      func (connection, data);
      if (data_free)
        data_free (data);
      return;
    }
  rp_mailbox_post (worker->mailbox, func, rp_connection_ref (connection),
                   (GDestroyNotify) rp_connection_unref, data, data_free);
}

typedef struct {
  SoupWebsocketDataType type;
  GBytes               *bytes;
} Incoming;

static void
incoming_free (Incoming *incoming)
{
  g_bytes_unref (incoming->bytes);
  g_free (incoming);
}

static void
deliver_message (gpointer target,
                 gpointer data)
{
  RpConnection *connection = target;
  Incoming *incoming = data;
  const RpConnectionEvents *events = connection->worker->events;

  events->message (events->owner, connection, incoming->type, incoming->bytes);
  g_atomic_int_dec_and_test (&connection->in_flight);
}

static void
deliver_closed (gpointer target,
                gpointer data)
{
  RpConnection *connection = target;
  const RpConnectionEvents *events = connection->worker->events;

  events->closed (events->owner, connection, (gushort) GPOINTER_TO_UINT (data));
}

static void
post_to_owner (RpConnection  *connection,
               RpMailboxFunc  func,
               gpointer       data,
               GDestroyNotify data_free)
{
  RpMailbox *mailbox = connection->worker->events->mailbox;

  if (mailbox == NULL)
    {
      func (connection, data);
      if (data_free)
        data_free (data);
      return;
    }
  rp_mailbox_post (mailbox, func, rp_connection_ref (connection),
                   (GDestroyNotify) rp_connection_unref, data, data_free);
}

/* --- on the worker's thread --- */

/* A token bucket: rate_burst messages at once, refilled at rate_limit per second. */
static gboolean
within_rate (RpConnection *connection)
{
  const RpConnectionLimits *limits = connection->worker->limits;
  gint64 now = g_get_monotonic_time ();

  connection->tokens += (double) (now - connection->refilled_at) * limits->rate_limit
                        / G_USEC_PER_SEC;
  connection->tokens = MIN (connection->tokens, (double) limits->rate_burst);
  connection->refilled_at = now;
  if (connection->tokens < 1.0)
    return FALSE;
  connection->tokens -= 1.0;
  return TRUE;
}

static void
close_ws (RpConnection *connection,
          gushort       code,
          const char   *reason)
{
  if (connection->ws != NULL
      && soup_websocket_connection_get_state (connection->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (connection->ws, code, reason);
}

static void
on_message (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *bytes,
            gpointer                 user_data)
{
  RpConnection *connection = user_data;
  Incoming *incoming;

  connection->seen_at = g_get_monotonic_time ();
  if (g_bytes_get_size (bytes) > connection->worker->limits->max_payload)
    {
      rp_log_event ("too-big", "addr=%s bytes=%" G_GSIZE_FORMAT, connection->addr,
                    g_bytes_get_size (bytes));
      close_ws (connection, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "message over 64 KiB");
      return;
    }
  if (!within_rate (connection))
    {
      rp_log_event ("rate-limited", "addr=%s", connection->addr);
      close_ws (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many messages");
      return;
    }
  if (connection->worker->events->mailbox != NULL
      && g_atomic_int_get (&connection->in_flight) == 0
      && connection->worker->events->fast_path (connection->worker->events->owner, connection,
                                                type, bytes))
    return;
  incoming = g_new (Incoming, 1);
  *incoming = (Incoming) { type, g_bytes_ref (bytes) };
  g_atomic_int_inc (&connection->in_flight);
  post_to_owner (connection, deliver_message, incoming, (GDestroyNotify) incoming_free);
}

static void
on_pong (SoupWebsocketConnection *ws,
         GBytes                  *bytes,
         gpointer                 user_data)
{
  RpConnection *connection = user_data;

  connection->seen_at = g_get_monotonic_time ();
}

static void
release_ws (RpConnection *connection)
{
  g_signal_handlers_disconnect_by_data (connection->ws, connection);
  g_clear_object (&connection->ws);
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  RpConnection *connection = user_data;
  RpWorker *worker = connection->worker;
  gushort code = soup_websocket_connection_get_close_code (ws);

  release_ws (connection);
  post_to_owner (connection, deliver_closed, GUINT_TO_POINTER (code), NULL);
  g_hash_table_remove (worker->connections, connection);
}

typedef struct {
  GIOStream *stream;
  GUri      *uri;
  char      *origin;
} Adoption;

static void
adoption_free (Adoption *adoption)
{
  g_object_unref (adoption->stream);
  g_uri_unref (adoption->uri);
  g_free (adoption->origin);
  g_free (adoption);
}

/* Made here, so that libsoup attaches the connection's sources to this worker's context. */
static void
adopt_here (gpointer target,
            gpointer data)
{
  RpConnection *connection = target;
  Adoption *adoption = data;
  RpWorker *worker = connection->worker;
  const RpConnectionLimits *limits = worker->limits;

  connection->ws = soup_websocket_connection_new (adoption->stream, adoption->uri,
                                                  SOUP_WEBSOCKET_CONNECTION_SERVER,
                                                  adoption->origin, NULL, NULL);
  connection->tokens = limits->rate_burst;
  connection->refilled_at = connection->seen_at = g_get_monotonic_time ();
  /* libsoup drops the connection without a close handshake when a frame passes its own
   * limit, so the peer may never see the 1009; it gets a higher ceiling and on_message()
   * enforces ours with a clean close. */
  soup_websocket_connection_set_max_incoming_payload_size (connection->ws,
                                                           4 * limits->max_payload);
  soup_websocket_connection_set_keepalive_interval (connection->ws, limits->keepalive_interval);
  g_signal_connect (connection->ws, "message", G_CALLBACK (on_message), connection);
  g_signal_connect (connection->ws, "pong", G_CALLBACK (on_pong), connection);
  g_signal_connect (connection->ws, "closed", G_CALLBACK (on_closed), connection);
  g_hash_table_add (worker->connections, rp_connection_ref (connection));
}

static gboolean
sweep_idle (gpointer user_data)
{
  RpWorker *worker = user_data;
  gint64 limit = g_get_monotonic_time () - (gint64) worker->limits->idle_timeout * G_USEC_PER_SEC;
  GHashTableIter iter;
  RpConnection *connection;

  g_hash_table_iter_init (&iter, worker->connections);
  while (g_hash_table_iter_next (&iter, (gpointer *) &connection, NULL))
    {
      if (connection->seen_at < limit && connection->ws != NULL
          && soup_websocket_connection_get_state (connection->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          rp_log_event ("idle-timeout", "addr=%s", connection->addr);
          close_ws (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "idle");
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
send_here (gpointer target,
           gpointer data)
{
  RpConnection *connection = target;

  if (connection->ws != NULL
      && soup_websocket_connection_get_state (connection->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (connection->ws, data);
}

typedef struct {
  gushort     code;
  const char *reason;   /* static */
} Closing;

static void
close_here (gpointer target,
            gpointer data)
{
  Closing *closing = data;

  close_ws (target, closing->code, closing->reason);
}

/* --- the worker --- */

static gpointer
worker_main (gpointer user_data)
{
  RpWorker *worker = user_data;

  g_main_context_push_thread_default (worker->context);
  g_main_loop_run (worker->loop);
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

RpWorker *
rp_worker_new (const char               *name,
               gboolean                  own_thread,
               const RpConnectionLimits *limits,
               const RpConnectionEvents *events)
{
  RpWorker *worker = g_new0 (RpWorker, 1);

  worker->limits = limits;
  worker->events = events;
  worker->context = own_thread ? g_main_context_new () : g_main_context_ref_thread_default ();
  worker->connections = g_hash_table_new_full (NULL, NULL,
                                               (GDestroyNotify) rp_connection_unref, NULL);
  worker->sweep = g_timeout_source_new_seconds (MAX (1, limits->idle_timeout / 2));
  g_source_set_callback (worker->sweep, sweep_idle, worker, NULL);
  g_source_attach (worker->sweep, worker->context);
  if (own_thread)
    {
      worker->loop = g_main_loop_new (worker->context, FALSE);
      worker->mailbox = rp_mailbox_new (worker->context);
      worker->thread = g_thread_new (name, worker_main, worker);
    }
  return worker;
}

/* On the worker's own thread: every connection is closed with 1001 and forgotten. */
static void
shut_down_here (gpointer target,
                gpointer data)
{
  RpWorker *worker = data;
  GHashTableIter iter;
  RpConnection *connection;

  g_hash_table_iter_init (&iter, worker->connections);
  while (g_hash_table_iter_next (&iter, (gpointer *) &connection, NULL))
    {
      g_signal_handlers_disconnect_by_data (connection->ws, connection);
      close_ws (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server stopping");
      g_clear_object (&connection->ws);
    }
  g_hash_table_remove_all (worker->connections);
  g_source_destroy (worker->sweep);
  if (worker->loop != NULL)
    g_main_loop_quit (worker->loop);
}

void
rp_worker_free (RpWorker *worker)
{
  if (worker == NULL)
    return;
  if (worker->mailbox != NULL)
    {
      rp_mailbox_post (worker->mailbox, shut_down_here, NULL, NULL, worker, NULL);
      g_thread_join (worker->thread);
      rp_mailbox_free (worker->mailbox);
      g_main_loop_unref (worker->loop);
    }
  else
    {
      shut_down_here (NULL, worker);
    }
  g_source_unref (worker->sweep);
  g_hash_table_unref (worker->connections);
  g_main_context_unref (worker->context);
  g_free (worker);
}

/* --- connections --- */

RpConnection *
rp_connection_new (const char *addr,
                   const char *host_port)
{
  RpConnection *connection = g_new0 (RpConnection, 1);

  g_atomic_ref_count_init (&connection->ref);
  connection->addr = g_strdup (addr);
  connection->host_port = g_strdup (host_port);
  return connection;
}

RpConnection *
rp_connection_ref (RpConnection *connection)
{
  g_atomic_ref_count_inc (&connection->ref);
  return connection;
}

void
rp_connection_unref (RpConnection *connection)
{
  if (connection == NULL || !g_atomic_ref_count_dec (&connection->ref))
    return;
  g_warn_if_fail (connection->ws == NULL);
  g_free (connection->addr);
  g_free (connection->host_port);
  g_free (connection);
}

/* Hands the upgraded stream to a worker, which makes the WebSocket on its own thread. */
void
rp_connection_adopt (RpConnection *connection,
                     RpWorker     *worker,
                     GIOStream    *stream,
                     GUri         *uri,
                     const char   *origin)
{
  Adoption *adoption = g_new0 (Adoption, 1);

  adoption->stream = g_object_ref (stream);
  adoption->uri = g_uri_ref (uri);
  adoption->origin = g_strdup (origin);
  connection->worker = worker;
  post_to_worker (worker, adopt_here, connection, adoption, (GDestroyNotify) adoption_free);
}

void
rp_connection_send (RpConnection *connection,
                    const char   *text)
{
  post_to_worker (connection->worker, send_here, connection, g_strdup (text), g_free);
}

void
rp_connection_close (RpConnection *connection,
                     gushort       code,
                     const char   *reason)
{
  Closing *closing = g_new (Closing, 1);

  *closing = (Closing) { code, reason };
  post_to_worker (connection->worker, close_here, connection, closing, g_free);
}
