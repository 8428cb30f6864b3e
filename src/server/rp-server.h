/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rendezvous server of PROTOCOL.md: rooms of two seats, signaling relayed between them
 * over WebSocket at /v1. Standalone as rapport-server, or embedded by the app and by
 * rapport-peer --host on 127.0.0.1 with port 0.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RP_TYPE_SERVER (rp_server_get_type ())
G_DECLARE_FINAL_TYPE (RpServer, rp_server, RP, SERVER, GObject)

#define RP_SERVER_ERROR (rp_server_error_quark ())
GQuark rp_server_error_quark (void);

typedef enum {
  RP_SERVER_ERROR_CONFIG,
  RP_SERVER_ERROR_LISTEN,
  RP_SERVER_ERROR_RUNNING,
} RpServerError;

RpServer  *rp_server_new          (void);
gboolean   rp_server_load_config  (RpServer    *self,
                                   const char  *path,
                                   GError     **error);
gboolean   rp_server_start        (RpServer    *self,
                                   GError     **error);
guint      rp_server_get_port     (RpServer    *self);
void       rp_server_stop         (RpServer    *self);

guint      rp_server_get_n_connections (RpServer *self);
guint      rp_server_get_n_rooms       (RpServer *self);

G_END_DECLS
