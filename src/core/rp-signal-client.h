/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RP_SIGNAL_CLIENT_ERROR (rp_signal_client_error_quark ())
GQuark rp_signal_client_error_quark (void);

typedef enum {
  RP_SIGNAL_CLIENT_ERROR_CONNECT,
  RP_SIGNAL_CLIENT_ERROR_PROTOCOL,
  RP_SIGNAL_CLIENT_ERROR_CLOSED,
} RpSignalClientError;

#define RP_TYPE_SIGNAL_CLIENT (rp_signal_client_get_type ())
G_DECLARE_FINAL_TYPE (RpSignalClient, rp_signal_client, RP, SIGNAL_CLIENT, GObject)

/* The client side of the rendezvous protocol (PROTOCOL.md, "Signaling"): one WebSocket to
 * ws[s]://HOST:PORT/v1. Every well-formed server message is emitted as "message" (type,
 * JsonObject); "closed" (code, reason) once the connection is gone. */
RpSignalClient *rp_signal_client_new          (const char          *url);
void            rp_signal_client_connect_async (RpSignalClient     *self,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean        rp_signal_client_connect_finish (RpSignalClient    *self,
                                                GAsyncResult      *result,
                                                GError           **error);
void            rp_signal_client_join         (RpSignalClient     *self,
                                               const char         *room,
                                               const char         *name,
                                               const char         *client_id);
void            rp_signal_client_send_signal  (RpSignalClient     *self,
                                               JsonNode           *data);
void            rp_signal_client_send_app     (RpSignalClient     *self,
                                               JsonNode           *data);
void            rp_signal_client_send_bye     (RpSignalClient     *self);
void            rp_signal_client_close        (RpSignalClient     *self);
gboolean        rp_signal_client_is_open      (RpSignalClient     *self);

JsonObject     *rp_signal_parse_server_frame  (const char         *text,
                                               gsize               length,
                                               GError            **error);

/* Parses a join link `rapport://HOST:PORT/ROOM[?tls=1]` into the WebSocket URL and the room. */
gboolean        rp_signal_parse_link          (const char         *link,
                                               char              **ws_url,
                                               char              **room,
                                               GError            **error);

G_END_DECLS
