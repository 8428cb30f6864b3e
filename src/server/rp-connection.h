/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server's WebSocket connections and the workers that own them. GLib's main loop looks
 * at every source it holds on every wakeup, so one context with thousands of libsoup
 * connections spends its time scanning idle ones; the server spreads them over worker
 * threads, each with its own context, and keeps the rooms on its own thread. A connection's
 * libsoup object is only touched on its worker; the rest of the server talks to it through
 * rp_connection_send() and rp_connection_close(), callable from any thread.
 */
#pragma once

#include <libsoup/soup.h>

#include "rp-mailbox.h"
#include "rp-room.h"

G_BEGIN_DECLS

typedef struct _RpWorker RpWorker;

typedef struct {
  guint rate_limit;          /* messages per second, sustained */
  guint rate_burst;          /* messages at once */
  guint keepalive_interval;  /* seconds between pings; 0: none */
  guint idle_timeout;        /* seconds without a frame or pong before closing */
  guint64 max_payload;       /* larger messages: close with 1009 */
} RpConnectionLimits;

/* What a connection reports to the rooms' thread, through its mailbox (NULL: at once). */
typedef struct {
  void      (*message) (gpointer                owner,
                        RpServerClient         *connection,
                        SoupWebsocketDataType   type,
                        GBytes                 *bytes);
  void      (*closed)  (gpointer                owner,
                        RpServerClient         *connection,
                        gushort                 code);
  /* Called on the worker's thread first, when nothing of this connection is still on its
   * way to the owner (so order is kept); TRUE if it dealt with the message itself. */
  gboolean  (*fast_path) (gpointer              owner,
                          RpServerClient       *connection,
                          SoupWebsocketDataType type,
                          GBytes               *bytes);
  gpointer    owner;
  RpMailbox  *mailbox;
} RpConnectionEvents;

struct _RpServerClient {
  /* Set at creation, read-only after. */
  char                     *addr;        /* the peer's address, for the log */
  char                     *host_port;   /* what this client's join links name */
  /* The rooms' thread only. */
  RpRoom                   *room;        /* NULL until joined */
  RpSeat                   *seat;
  gboolean                  gone;        /* its "closed" was handled */
  gboolean                  leaving;     /* it said "bye" */
  /* Under the server's relay lock: where this connection's signal and app go. */
  char                      relay_id[33];  /* its seat's client id; empty: not seated */
  RpServerClient           *relay_to;      /* the other seat's connection, or NULL */
  /* Any thread: messages handed to the owner and not yet handled there. */
  gint                      in_flight;
  guint                     worker_index;
  /* The worker's thread only. */
  gatomicrefcount           ref;
  RpWorker                 *worker;
  SoupWebsocketConnection  *ws;
  double                    tokens;      /* the rate limit's token bucket */
  gint64                    refilled_at;
  gint64                    seen_at;     /* last frame or pong, for the idle timeout */
};

typedef RpServerClient RpConnection;

RpWorker     *rp_worker_new          (const char                *name,
                                      gboolean                   own_thread,
                                      const RpConnectionLimits  *limits,
                                      const RpConnectionEvents  *events);
void          rp_worker_free         (RpWorker                  *worker);

RpConnection *rp_connection_new      (const char                *addr,
                                      const char                *host_port);
RpConnection *rp_connection_ref      (RpConnection              *connection);
void          rp_connection_unref    (RpConnection              *connection);
void          rp_connection_adopt    (RpConnection              *connection,
                                      RpWorker                  *worker,
                                      GIOStream                 *stream,
                                      GUri                      *uri,
                                      const char                *origin);
void          rp_connection_send     (RpConnection              *connection,
                                      const char                *text);
void          rp_connection_close    (RpConnection              *connection,
                                      gushort                    code,
                                      const char                *reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpConnection, rp_connection_unref)

G_END_DECLS
