/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rp-call.h"

G_BEGIN_DECLS

typedef enum {
  RP_SESSION_STATE_IDLE,
  RP_SESSION_STATE_SIGNALING,
  RP_SESSION_STATE_WAITING,
  RP_SESSION_STATE_CONNECTING,
  RP_SESSION_STATE_CONNECTED,
  RP_SESSION_STATE_RECONNECTING,
  RP_SESSION_STATE_ENDED,
} RpSessionState;

GType rp_session_state_get_type (void);
#define RP_TYPE_SESSION_STATE (rp_session_state_get_type ())

#define RP_SESSION_ERROR (rp_session_error_quark ())
GQuark rp_session_error_quark (void);

typedef enum {
  RP_SESSION_ERROR_BAD_LINK,
  RP_SESSION_ERROR_BUSY,
  RP_SESSION_ERROR_SIGNALING,
  RP_SESSION_ERROR_MEDIA,
  RP_SESSION_ERROR_SERVER,
} RpSessionError;

#define RP_TYPE_SESSION (rp_session_get_type ())
G_DECLARE_FINAL_TYPE (RpSession, rp_session, RP, SESSION, GObject)

RpSession *rp_session_new       (void);
void       rp_session_host      (RpSession  *self,
                                 const char *host_port,
                                 gboolean    tls);
gboolean   rp_session_join_link (RpSession  *self,
                                 const char *link,
                                 GError    **error);
void       rp_session_hang_up   (RpSession  *self);
void       rp_session_send_data (RpSession  *self,
                                 GBytes     *bytes);
void       rp_session_send_app  (RpSession  *self,
                                 JsonNode   *message);

RpSessionState rp_session_get_state (RpSession *self);

G_END_DECLS
