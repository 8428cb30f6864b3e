/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rp-turn.h"

char *
rp_turn_username (gint64      expiry_unix,
                  const char *client_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", expiry_unix, client_id);
}

char *
rp_turn_credential (const char *secret,
                    const char *username)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) secret, strlen (secret));
  guint8 digest[20];
  gsize len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) username, strlen (username));
  g_hmac_get_digest (hmac, digest, &len);
  return g_base64_encode (digest, len);
}

static gboolean
is_turn (const char *url)
{
  return g_str_has_prefix (url, "turn:") || g_str_has_prefix (url, "turns:");
}

/* Only STUN and TURN URLs are handed to clients; anything else in the configuration is a
 * mistake that should stop the server rather than confuse every client. */
gboolean
rp_turn_url_is_valid (const char *url)
{
  return url != NULL
         && (g_str_has_prefix (url, "stun:") || g_str_has_prefix (url, "stuns:") || is_turn (url))
         && strchr (url, ':')[1] != '\0';
}

static void
add_entry (JsonBuilder        *builder,
           const char * const *urls,
           gboolean            turn,
           const char         *username,
           const char         *credential)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "urls");
  json_builder_begin_array (builder);
  for (guint i = 0; urls[i] != NULL; i++)
    {
      if (is_turn (urls[i]) == turn)
        json_builder_add_string_value (builder, urls[i]);
    }
  json_builder_end_array (builder);
  if (turn)
    {
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, username);
      json_builder_set_member_name (builder, "credential");
      json_builder_add_string_value (builder, credential);
    }
  json_builder_end_object (builder);
}

/* One entry for the STUN URLs, one for the TURN URLs with credentials valid for ttl_s. TURN
 * URLs without a secret are left out: a client could not use them anyway. */
JsonNode *
rp_turn_ice_servers (const char * const *urls,
                     const char         *secret,
                     guint               ttl_s,
                     const char         *client_id,
                     gint64              now_unix)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean any_stun = FALSE, any_turn = FALSE;

  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    {
      any_turn |= is_turn (urls[i]);
      any_stun |= !is_turn (urls[i]);
    }

  json_builder_begin_array (builder);
  if (any_stun)
    add_entry (builder, urls, FALSE, NULL, NULL);
  if (any_turn && secret != NULL && *secret != '\0')
    {
      g_autofree char *username = rp_turn_username (now_unix + ttl_s, client_id);
      g_autofree char *credential = rp_turn_credential (secret, username);

      add_entry (builder, urls, TRUE, username, credential);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
