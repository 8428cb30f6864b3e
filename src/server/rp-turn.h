/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ICE servers for a client's welcome, with time-limited TURN credentials in coturn's
 * shared-secret scheme (use-auth-secret): username "EXPIRY:ID", credential
 * base64(HMAC-SHA1(secret, username)).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char     *rp_turn_username   (gint64              expiry_unix,
                              const char         *client_id);
char     *rp_turn_credential (const char         *secret,
                              const char         *username);
JsonNode *rp_turn_ice_servers (const char * const *urls,
                               const char         *secret,
                               guint               ttl_s,
                               const char         *client_id,
                               gint64              now_unix);
gboolean  rp_turn_url_is_valid (const char       *url);

G_END_DECLS
