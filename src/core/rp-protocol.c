/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here reads input from the network, so every field is checked for presence and
 * type before use, and nothing is trusted to be well formed: a hostile peer gets an error
 * with a reason, never a crash.
 */
#include "config.h"

#include <string.h>

#include "rp-protocol.h"

G_DEFINE_QUARK (rp-protocol-error-quark, rp_protocol_error)

G_DEFINE_BOXED_TYPE (RpMessage, rp_message, rp_message_copy, rp_message_free)

static const char * const error_codes[] = {
  [RP_PROTOCOL_ERROR_BAD_MESSAGE] = "bad-message",
  [RP_PROTOCOL_ERROR_BAD_VERSION] = "bad-version",
  [RP_PROTOCOL_ERROR_UNKNOWN_ROOM] = "unknown-room",
  [RP_PROTOCOL_ERROR_ROOM_FULL] = "room-full",
  [RP_PROTOCOL_ERROR_SERVER_FULL] = "server-full",
  [RP_PROTOCOL_ERROR_BAD_LINK] = "bad-link",
};

static const char * const type_names[] = {
  [RP_MESSAGE_JOIN] = "join",
  [RP_MESSAGE_SIGNAL] = "signal",
  [RP_MESSAGE_APP] = "app",
  [RP_MESSAGE_BYE] = "bye",
  [RP_MESSAGE_PING] = "ping",
  [RP_MESSAGE_WELCOME] = "welcome",
  [RP_MESSAGE_PEER_JOINED] = "peer-joined",
  [RP_MESSAGE_PEER_RECONNECTING] = "peer-reconnecting",
  [RP_MESSAGE_PEER_LEFT] = "peer-left",
  [RP_MESSAGE_PONG] = "pong",
  [RP_MESSAGE_ERROR] = "error",
};

const char *
rp_protocol_error_to_code (RpProtocolError error)
{
  if ((guint) error >= G_N_ELEMENTS (error_codes))
    return "bad-message";
  return error_codes[error];
}

gboolean
rp_protocol_error_from_code (const char      *code,
                             RpProtocolError *error)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (error_codes); i++)
    {
      if (g_str_equal (code, error_codes[i]))
        {
          *error = (RpProtocolError) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
rp_message_type_to_string (RpMessageType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

/* --- peers and messages --- */

RpPeer *
rp_peer_new (const char *id,
             const char *name)
{
  RpPeer *peer = g_new0 (RpPeer, 1);

  peer->id = g_strdup (id);
  peer->name = g_strdup (name);
  return peer;
}

void
rp_peer_free (RpPeer *peer)
{
  if (peer == NULL)
    return;
  g_free (peer->id);
  g_free (peer->name);
  g_free (peer);
}

RpMessage *
rp_message_new (RpMessageType type)
{
  RpMessage *message = g_new0 (RpMessage, 1);

  message->type = type;
  return message;
}

static gpointer
copy_peer (gconstpointer src,
           gpointer      user_data)
{
  const RpPeer *peer = src;

  return rp_peer_new (peer->id, peer->name);
}

RpMessage *
rp_message_copy (const RpMessage *message)
{
  RpMessage *copy = g_memdup2 (message, sizeof *message);

  copy->room = g_strdup (message->room);
  copy->name = g_strdup (message->name);
  copy->client = g_strdup (message->client);
  copy->from = g_strdup (message->from);
  copy->data = message->data ? json_node_copy (message->data) : NULL;
  copy->data_json = g_strdup (message->data_json);
  copy->link = g_strdup (message->link);
  copy->ice_servers = message->ice_servers ? json_node_copy (message->ice_servers) : NULL;
  copy->peers = message->peers ? g_ptr_array_copy (message->peers, copy_peer, NULL) : NULL;
  if (copy->peers)
    g_ptr_array_set_free_func (copy->peers, (GDestroyNotify) rp_peer_free);
  copy->peer = message->peer ? rp_peer_new (message->peer->id, message->peer->name) : NULL;
  copy->reason = g_strdup (message->reason);
  copy->code = g_strdup (message->code);
  copy->message = g_strdup (message->message);
  return copy;
}

void
rp_message_free (RpMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->room);
  g_free (message->name);
  g_free (message->client);
  g_free (message->from);
  g_clear_pointer (&message->data, json_node_unref);
  g_free (message->data_json);
  g_free (message->link);
  g_clear_pointer (&message->ice_servers, json_node_unref);
  g_clear_pointer (&message->peers, g_ptr_array_unref);
  g_clear_pointer (&message->peer, rp_peer_free);
  g_free (message->reason);
  g_free (message->code);
  g_free (message->message);
  g_free (message);
}

/* --- reading fields --- */

static gboolean
bad_message (GError    **error,
             const char *member,
             const char *problem)
{
  g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
               "\"%s\" %s", member, problem);
  return FALSE;
}

static gboolean
node_is_type (JsonNode *node,
              GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* An absent member is fine unless required; a present one must be a string. */
static gboolean
get_string (JsonObject  *object,
            const char  *member,
            gboolean     required,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return required ? bad_message (error, member, "is missing") : TRUE;
  if (!node_is_type (node, G_TYPE_STRING))
    return bad_message (error, member, "must be a string");
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
get_boolean (JsonObject  *object,
             const char  *member,
             gboolean    *out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return bad_message (error, member, "is missing");
  if (!node_is_type (node, G_TYPE_BOOLEAN))
    return bad_message (error, member, "must be true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_count (JsonObject  *object,
           const char  *member,
           guint       *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return bad_message (error, member, "is missing");
  if (!node_is_type (node, G_TYPE_INT64) || json_node_get_int (node) < 0
      || json_node_get_int (node) > G_MAXUINT)
    return bad_message (error, member, "must be a non-negative integer");
  *out = (guint) json_node_get_int (node);
  return TRUE;
}

static gboolean
get_data (JsonObject  *object,
          JsonNode   **out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, "data");

  if (node == NULL)
    return bad_message (error, "data", "is missing");
  *out = json_node_copy (node);
  return TRUE;
}

/* --- the signal payload: a description, a candidate, or the end of candidates --- */

static gboolean
check_description (JsonNode  *node,
                   GError   **error)
{
  JsonObject *object;
  JsonNode *type, *sdp;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_message (error, "description", "must be an object");
  object = json_node_get_object (node);
  type = json_object_get_member (object, "type");
  sdp = json_object_get_member (object, "sdp");
  if (!node_is_type (type, G_TYPE_STRING)
      || (g_strcmp0 (json_node_get_string (type), "offer") != 0
          && g_strcmp0 (json_node_get_string (type), "answer") != 0))
    return bad_message (error, "description.type", "must be \"offer\" or \"answer\"");
  if (!node_is_type (sdp, G_TYPE_STRING))
    return bad_message (error, "description.sdp", "must be a string");
  return TRUE;
}

static gboolean
check_candidate (JsonNode  *node,
                 GError   **error)
{
  JsonObject *object;
  JsonNode *candidate, *mid, *mline;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_message (error, "candidate", "must be an object or null");
  object = json_node_get_object (node);
  candidate = json_object_get_member (object, "candidate");
  mid = json_object_get_member (object, "sdpMid");
  mline = json_object_get_member (object, "sdpMLineIndex");
  if (!node_is_type (candidate, G_TYPE_STRING))
    return bad_message (error, "candidate.candidate", "must be a string");
  if (mid != NULL && !JSON_NODE_HOLDS_NULL (mid) && !node_is_type (mid, G_TYPE_STRING))
    return bad_message (error, "candidate.sdpMid", "must be a string or null");
  if (mline != NULL && !JSON_NODE_HOLDS_NULL (mline)
      && (!node_is_type (mline, G_TYPE_INT64) || json_node_get_int (mline) < 0
          || json_node_get_int (mline) > G_MAXUINT16))
    return bad_message (error, "candidate.sdpMLineIndex", "must be a small non-negative integer");
  return TRUE;
}

static gboolean
check_signal_data (JsonNode  *data,
                   GError   **error)
{
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (data))
    return bad_message (error, "data", "must be an object");
  object = json_node_get_object (data);
  if ((member = json_object_get_member (object, "description")) != NULL)
    return check_description (member, error);
  if ((member = json_object_get_member (object, "candidate")) != NULL)
    return check_candidate (member, error);
  return bad_message (error, "data", "must hold a \"description\" or a \"candidate\"");
}

/* --- the envelope --- */

/* --- a strict reading of the text, before json-glib's ---
 *
 * json-glib 1.6 accepts more than JSON: single-quoted strings, octal escapes, comments, hex
 * and other non-JSON numbers. The server relays the sender's text as it came
 * (rp_protocol_relay_text), so what passes here must be JSON that any receiver can read.
 * json-glib still checks the grammar; this checks every token, and the nesting depth: its
 * parser recurses once per level, and a 64 KiB frame of brackets would take it thousands of
 * frames deep. */

static gsize
scan_string (const char *text,
             gsize       i,
             gsize       length)
{
  for (i++; i < length; i++)
    {
      guchar c = (guchar) text[i];

      if (c == '"')
        return i + 1;
      if (c < 0x20)
        return 0;
      if (c != '\\')
        continue;
      if (++i >= length)
        return 0;
      if (text[i] == 'u')
        {
          for (guint k = 1; k <= 4; k++)
            {
              if (i + k >= length || !g_ascii_isxdigit (text[i + k]))
                return 0;
            }
          i += 4;
        }
      else if (strchr ("\"\\/bfnrt", text[i]) == NULL || text[i] == '\0')
        return 0;
    }
  return 0;
}

static gsize
scan_digits (const char *text,
             gsize       i,
             gsize       length)
{
  gsize start = i;

  while (i < length && g_ascii_isdigit (text[i]))
    i++;
  return i > start ? i : 0;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gsize
scan_number (const char *text,
             gsize       i,
             gsize       length)
{
  if (text[i] == '-')
    i++;
  if (i < length && text[i] == '0')
    i++;
  else if ((i = scan_digits (text, i, length)) == 0)
    return 0;
  if (i < length && text[i] == '.' && (i = scan_digits (text, i + 1, length)) == 0)
    return 0;
  if (i < length && (text[i] == 'e' || text[i] == 'E'))
    {
      i++;
      if (i < length && (text[i] == '+' || text[i] == '-'))
        i++;
      if ((i = scan_digits (text, i, length)) == 0)
        return 0;
    }
  return i;
}

static gsize
scan_literal (const char *text,
              gsize       i,
              gsize       length)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint k = 0; k < G_N_ELEMENTS (literals); k++)
    {
      gsize n = strlen (literals[k]);

      if (length - i >= n && memcmp (text + i, literals[k], n) == 0)
        return i + n;
    }
  return 0;
}

static gboolean
tokens_are_strict_json (const char *text,
                        gsize       length,
                        GError    **error)
{
  guint depth = 0, top_values = 0;
  gsize i = 0;

  while (i < length)
    {
      char c = text[i];
      gsize next;

      /* json-glib takes "{...}{...}" as its first object; relayed, the second would go too. */
      if (depth == 0 && strchr (" \t\n\r", c) == NULL && ++top_values > 1)
        {
          g_set_error_literal (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                               "message holds more than one JSON value");
          return FALSE;
        }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == ',')
        next = i + 1;
      else if (c == '{' || c == '[')
        {
          if (++depth > RP_PROTOCOL_MAX_DEPTH)
            {
              g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                           "message is nested more than %d levels deep", RP_PROTOCOL_MAX_DEPTH);
              return FALSE;
            }
          next = i + 1;
        }
      else if (c == '}' || c == ']')
        {
          depth = depth > 0 ? depth - 1 : 0;
          next = i + 1;
        }
      else if (c == '"')
        next = scan_string (text, i, length);
      else
        {
          next = (c == '-' || g_ascii_isdigit (c)) ? scan_number (text, i, length)
                                                   : scan_literal (text, i, length);
          /* "01" would otherwise read as two numbers here and as one in json-glib. */
          if (next != 0 && next < length && strchr (" \t\r\n,]}", text[next]) == NULL)
            next = 0;
        }

      if (next == 0)
        {
          g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                       "message is not JSON (at byte %" G_GSIZE_FORMAT ")", i);
          return FALSE;
        }
      i = next;
    }
  return TRUE;
}

/* json-glib 1.6 reads some escapes JSON does not have (octal \342) and lone surrogates
 * (\udc00) into bytes that are not UTF-8; relayed, they would make the other side's
 * WebSocket close with 1007. Every decoded string, member names included, is checked. */
static gboolean
strings_are_utf8 (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          if (!g_utf8_validate (name, -1, NULL) || !strings_are_utf8 (member))
            return FALSE;
        }
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (!strings_are_utf8 (json_array_get_element (array, i)))
            return FALSE;
        }
      return TRUE;
    }
  if (node_is_type (node, G_TYPE_STRING))
    return g_utf8_validate (json_node_get_string (node), -1, NULL);
  return TRUE;
}

/* The text of the top-level "data" member's value exactly as sent (the last one, as json-glib
 * reads duplicates), or NULL if there is none spelled plainly "data". The text must already
 * have passed tokens_are_strict_json() and json-glib: one strict JSON object. */
static char *
raw_data_member (const char *text,
                 gsize       length)
{
  guint depth = 0;
  gboolean expect_key = FALSE, is_data = FALSE, value_pending = FALSE, capturing = FALSE;
  gsize start = 0, end = 0, i = 0;
  gboolean found = FALSE;

  while (i < length)
    {
      char c = text[i];
      gsize next = i + 1;

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          i++;
          continue;
        }
      if (depth == 1 && capturing && (c == ',' || c == '}'))
        {
          end = i;
          capturing = FALSE;
          found = TRUE;
        }
      if (value_pending)
        {
          start = i;
          capturing = TRUE;
          value_pending = FALSE;
        }
      if (c == '{' || c == '[')
        expect_key = ++depth == 1;
      else if (c == '}' || c == ']')
        depth--;
      else if (c == ',')
        expect_key = depth == 1;
      else if (c == ':')
        value_pending = depth == 1 && is_data;
      else if (c == '"')
        {
          next = scan_string (text, i, length);
          if (depth == 1 && expect_key)
            is_data = next - i == 6 && memcmp (text + i, "\"data\"", 6) == 0;
          expect_key = FALSE;
        }
      else
        next = (c == '-' || g_ascii_isdigit (c)) ? scan_number (text, i, length)
                                                 : scan_literal (text, i, length);
      if (next == 0)
        return NULL;
      i = next;
    }
  if (!found)
    return NULL;
  while (end > start && strchr (" \t\n\r", text[end - 1]) != NULL)
    end--;
  return g_strndup (text + start, end - start);
}

static JsonNode *
parse_envelope (const char  *text,
                gsize        length,
                char       **type,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;

  if (length > RP_PROTOCOL_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                   "message of %" G_GSIZE_FORMAT " bytes is over the limit of %d",
                   length, RP_PROTOCOL_MAX_MESSAGE_SIZE);
      return NULL;
    }
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error_literal (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                           "message is not valid UTF-8 text");
      return NULL;
    }
  if (!tokens_are_strict_json (text, length, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local_error))
    {
      g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                   "message is not JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                           "message is not a JSON object");
      return NULL;
    }
  if (!strings_are_utf8 (root))
    {
      g_set_error_literal (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                           "message has an escape that is not valid JSON or not UTF-8");
      return NULL;
    }
  if (!get_string (json_node_get_object (root), "type", TRUE, type, error))
    return NULL;
  return g_steal_pointer (&root);
}

static gboolean
lookup_type (const char    *name,
             RpMessageType  first,
             RpMessageType  last,
             RpMessageType *type)
{
  for (guint i = first; i <= last; i++)
    {
      if (g_str_equal (name, type_names[i]))
        {
          *type = (RpMessageType) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* --- client → server --- */

static gboolean
check_version (JsonObject  *object,
               gint64      *version,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "version");

  if (node_is_type (node, G_TYPE_INT64))
    *version = json_node_get_int (node);
  else if (node_is_type (node, G_TYPE_DOUBLE) && json_node_get_double (node) == RP_PROTOCOL_VERSION)
    *version = RP_PROTOCOL_VERSION;
  else
    *version = 0;

  if (*version == RP_PROTOCOL_VERSION)
    return TRUE;
  g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_VERSION,
               "\"version\" must be the number %d", RP_PROTOCOL_VERSION);
  return FALSE;
}

static gboolean
read_join (JsonObject  *object,
           RpMessage   *message,
           GError     **error)
{
  glong n_chars;

  if (!check_version (object, &message->version, error)
      || !get_string (object, "room", FALSE, &message->room, error)
      || !get_string (object, "name", TRUE, &message->name, error)
      || !get_string (object, "client", TRUE, &message->client, error))
    return FALSE;

  n_chars = g_utf8_strlen (message->name, -1);
  if (n_chars < 1 || n_chars > RP_PROTOCOL_MAX_NAME_CHARS)
    return bad_message (error, "name", "must be 1 to 64 characters long");
  if (!rp_protocol_is_client_id (message->client))
    return bad_message (error, "client", "must be 32 hexadecimal digits");
  return TRUE;
}

static gboolean
read_client_fields (JsonObject  *object,
                    RpMessage   *message,
                    GError     **error)
{
  switch (message->type)
    {
    case RP_MESSAGE_JOIN:
      return read_join (object, message, error);
    case RP_MESSAGE_SIGNAL:
      return get_data (object, &message->data, error)
             && check_signal_data (message->data, error);
    case RP_MESSAGE_APP:
      return get_data (object, &message->data, error);
    case RP_MESSAGE_BYE:
    case RP_MESSAGE_PING:
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

RpMessage *
rp_protocol_parse_client_message (const char  *text,
                                  gsize        length,
                                  GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(RpMessage) message = NULL;
  g_autofree char *type = NULL;
  RpMessageType t;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  root = parse_envelope (text ? text : "", length, &type, error);
  if (root == NULL)
    return NULL;
  if (!lookup_type (type, RP_MESSAGE_JOIN, RP_MESSAGE_PING, &t))
    {
      g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                   "unknown message type \"%s\"", type);
      return NULL;
    }
  message = rp_message_new (t);
  if (!read_client_fields (json_node_get_object (root), message, error))
    return NULL;
  if ((t == RP_MESSAGE_SIGNAL || t == RP_MESSAGE_APP)
      && (message->data_json = raw_data_member (text, length)) == NULL)
    {
      g_set_error_literal (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                           "\"data\" must be spelled without escapes");
      return NULL;
    }
  return g_steal_pointer (&message);
}

/* --- server → client --- */

static RpPeer *
read_peer_object (JsonNode  *node,
                  GError   **error)
{
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      bad_message (error, "peer", "must be an object with an id and a name");
      return NULL;
    }
  if (!get_string (json_node_get_object (node), "id", TRUE, &id, error)
      || !get_string (json_node_get_object (node), "name", TRUE, &name, error))
    return NULL;
  return rp_peer_new (id, name);
}

static gboolean
read_peers (JsonObject  *object,
            RpMessage   *message,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, "peers");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return bad_message (error, "peers", "must be a list");
  array = json_node_get_array (node);
  message->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_peer_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      RpPeer *peer = read_peer_object (json_array_get_element (array, i), error);

      if (peer == NULL)
        return FALSE;
      g_ptr_array_add (message->peers, peer);
    }
  return TRUE;
}

static gboolean
read_ice_servers (JsonObject  *object,
                  RpMessage   *message,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (object, "iceServers");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return bad_message (error, "iceServers", "must be a list");
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *server = json_array_get_element (array, i);
      JsonNode *urls;

      if (!JSON_NODE_HOLDS_OBJECT (server))
        return bad_message (error, "iceServers", "must hold objects");
      urls = json_object_get_member (json_node_get_object (server), "urls");
      if (!node_is_type (urls, G_TYPE_STRING) && (urls == NULL || !JSON_NODE_HOLDS_ARRAY (urls)))
        return bad_message (error, "iceServers.urls", "must be a string or a list");
    }
  message->ice_servers = json_node_copy (node);
  return TRUE;
}

static gboolean
read_welcome (JsonObject  *object,
              RpMessage   *message,
              GError     **error)
{
  return get_string (object, "room", TRUE, &message->room, error)
         && get_string (object, "link", TRUE, &message->link, error)
         && get_string (object, "you", TRUE, &message->client, error)
         && get_boolean (object, "polite", &message->polite, error)
         && get_count (object, "grace_s", &message->grace_s, error)
         && read_ice_servers (object, message, error)
         && read_peers (object, message, error);
}

static gboolean
read_peer_id (JsonObject  *object,
              RpMessage   *message,
              GError     **error)
{
  g_autofree char *id = NULL;

  if (!get_string (object, "peer", TRUE, &id, error))
    return FALSE;
  message->peer = rp_peer_new (id, NULL);
  return TRUE;
}

static gboolean
read_server_fields (JsonObject  *object,
                    RpMessage   *message,
                    GError     **error)
{
  switch (message->type)
    {
    case RP_MESSAGE_WELCOME:
      return read_welcome (object, message, error);
    case RP_MESSAGE_PEER_JOINED:
      message->peer = read_peer_object (json_object_get_member (object, "peer"), error);
      return message->peer != NULL;
    case RP_MESSAGE_PEER_RECONNECTING:
      return read_peer_id (object, message, error);
    case RP_MESSAGE_PEER_LEFT:
      return read_peer_id (object, message, error)
             && get_string (object, "reason", TRUE, &message->reason, error);
    case RP_MESSAGE_SIGNAL:
      return get_string (object, "from", TRUE, &message->from, error)
             && get_data (object, &message->data, error)
             && check_signal_data (message->data, error);
    case RP_MESSAGE_APP:
      return get_string (object, "from", TRUE, &message->from, error)
             && get_data (object, &message->data, error);
    case RP_MESSAGE_PONG:
      return TRUE;
    case RP_MESSAGE_ERROR:
      return get_string (object, "code", TRUE, &message->code, error)
             && get_string (object, "message", FALSE, &message->message, error);
    default:
      g_assert_not_reached ();
    }
}

RpMessage *
rp_protocol_parse_server_message (const char  *text,
                                  gsize        length,
                                  GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(RpMessage) message = NULL;
  g_autofree char *type = NULL;
  RpMessageType t;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  root = parse_envelope (text ? text : "", length, &type, error);
  if (root == NULL)
    return NULL;
  if (!lookup_type (type, RP_MESSAGE_SIGNAL, RP_MESSAGE_APP, &t)
      && !lookup_type (type, RP_MESSAGE_WELCOME, RP_MESSAGE_ERROR, &t))
    {
      g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE,
                   "unknown message type \"%s\"", type);
      return NULL;
    }
  message = rp_message_new (t);
  if (!read_server_fields (json_node_get_object (root), message, error))
    return NULL;
  return g_steal_pointer (&message);
}

/* --- writing --- */

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_node (JsonBuilder *builder,
          const char  *member,
          JsonNode    *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_value (builder, json_node_copy (value));
  else
    json_builder_add_null_value (builder);
}

static void
add_peer (JsonBuilder  *builder,
          const RpPeer *peer)
{
  json_builder_begin_object (builder);
  add_string (builder, "id", peer->id);
  add_string (builder, "name", peer->name ? peer->name : "");
  json_builder_end_object (builder);
}

static void
add_welcome (JsonBuilder     *builder,
             const RpMessage *message)
{
  add_string (builder, "room", message->room);
  add_string (builder, "link", message->link);
  add_string (builder, "you", message->client);
  json_builder_set_member_name (builder, "polite");
  json_builder_add_boolean_value (builder, message->polite);
  json_builder_set_member_name (builder, "grace_s");
  json_builder_add_int_value (builder, message->grace_s);
  json_builder_set_member_name (builder, "iceServers");
  if (message->ice_servers != NULL)
    {
      json_builder_add_value (builder, json_node_copy (message->ice_servers));
    }
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "peers");
  json_builder_begin_array (builder);
  for (guint i = 0; message->peers != NULL && i < message->peers->len; i++)
    add_peer (builder, g_ptr_array_index (message->peers, i));
  json_builder_end_array (builder);
}

static void
add_fields (JsonBuilder     *builder,
            const RpMessage *message)
{
  switch (message->type)
    {
    case RP_MESSAGE_JOIN:
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, RP_PROTOCOL_VERSION);
      if (message->room != NULL)
        add_string (builder, "room", message->room);
      add_string (builder, "name", message->name);
      add_string (builder, "client", message->client);
      break;
    case RP_MESSAGE_SIGNAL:
    case RP_MESSAGE_APP:
      if (message->from != NULL)
        add_string (builder, "from", message->from);
      add_node (builder, "data", message->data);
      break;
    case RP_MESSAGE_WELCOME:
      add_welcome (builder, message);
      break;
    case RP_MESSAGE_PEER_JOINED:
      json_builder_set_member_name (builder, "peer");
      add_peer (builder, message->peer);
      break;
    case RP_MESSAGE_PEER_RECONNECTING:
    case RP_MESSAGE_PEER_LEFT:
      add_string (builder, "peer", message->peer->id);
      if (message->type == RP_MESSAGE_PEER_LEFT)
        add_string (builder, "reason", message->reason);
      break;
    case RP_MESSAGE_ERROR:
      add_string (builder, "code", message->code);
      add_string (builder, "message", message->message ? message->message : "");
      break;
    case RP_MESSAGE_BYE:
    case RP_MESSAGE_PING:
    case RP_MESSAGE_PONG:
    default:
      break;
    }
}

/* The compact JSON text of a message, ready to send as one text frame. */
char *
rp_message_to_json (const RpMessage *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (message != NULL, NULL);

  json_builder_begin_object (builder);
  add_string (builder, "type", rp_message_type_to_string (message->type));
  add_fields (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

char *
rp_protocol_error_message_to_json (RpProtocolError  error,
                                   const char      *text)
{
  RpMessage message = { .type = RP_MESSAGE_ERROR };

  message.code = (char *) rp_protocol_error_to_code (error);
  message.message = (char *) text;
  return rp_message_to_json (&message);
}

/* What the server relays for a client's "signal" or "app": a fresh envelope with the
 * sender's id in "from", and "data" exactly as the sender wrote it. Written out again by
 * json-glib it would not arrive unchanged: 1e400 becomes "inf.0" (not JSON), integers past
 * 64 bits become -1. Whatever else the sender put at the top level (its own "from"
 * included) is dropped. */
char *
rp_protocol_relay_text (const RpMessage *message,
                        const char      *from)
{
  g_return_val_if_fail (message->type == RP_MESSAGE_SIGNAL || message->type == RP_MESSAGE_APP,
                        NULL);
  g_return_val_if_fail (message->data_json != NULL, NULL);
  g_return_val_if_fail (rp_protocol_is_client_id (from), NULL);

  return g_strdup_printf ("{\"type\":\"%s\",\"from\":\"%s\",\"data\":%s}",
                          rp_message_type_to_string (message->type), from, message->data_json);
}

/* --- identifiers and links --- */

gboolean
rp_protocol_is_room_token (const char *token)
{
  gsize len = 0;

  if (token == NULL)
    return FALSE;
  for (const char *p = token; *p; p++, len++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
    }
  return len >= 22 && len <= 128;
}

gboolean
rp_protocol_is_client_id (const char *id)
{
  gsize len = 0;

  if (id == NULL)
    return FALSE;
  for (const char *p = id; *p; p++, len++)
    {
      if (!g_ascii_isxdigit (*p))
        return FALSE;
    }
  return len == 32;
}

char *
rp_protocol_format_link (const char *host_port,
                         const char *room,
                         gboolean    tls)
{
  return g_strdup_printf ("rapport://%s/%s%s", host_port, room, tls ? "?tls=1" : "");
}

char *
rp_protocol_websocket_url (const char *host_port,
                           gboolean    tls)
{
  return g_strdup_printf ("%s://%s%s", tls ? "wss" : "ws", host_port, RP_PROTOCOL_PATH);
}

static gboolean
bad_link (GError    **error,
          const char *why)
{
  g_set_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_LINK,
               "Not a Rapport join link (%s); it looks like rapport://HOST:PORT/ROOM", why);
  return FALSE;
}

static gboolean
link_wants_tls (GUri     *uri,
                gboolean *tls,
                GError  **error)
{
  g_autoptr(GHashTable) params = NULL;
  const char *query = g_uri_get_query (uri);
  const char *value;

  *tls = FALSE;
  if (query == NULL || *query == '\0')
    return TRUE;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return bad_link (error, "its query cannot be read");
  value = g_hash_table_lookup (params, "tls");
  if (value != NULL && !g_str_equal (value, "0") && !g_str_equal (value, "1"))
    return bad_link (error, "tls must be 0 or 1");
  *tls = g_strcmp0 (value, "1") == 0;
  return TRUE;
}

gboolean
rp_protocol_parse_link (const char  *link,
                        char       **host_port,
                        char       **room,
                        gboolean    *tls,
                        GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *host, *path;
  gboolean want_tls;

  uri = link ? g_uri_parse (link, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL)
    return bad_link (error, "it cannot be read as a URI");
  if (g_strcmp0 (g_uri_get_scheme (uri), "rapport") != 0)
    return bad_link (error, "it does not start with rapport://");
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0' || g_uri_get_port (uri) <= 0)
    return bad_link (error, "it has no host and port");
  path = g_uri_get_path (uri);
  if (path == NULL || path[0] != '/' || !rp_protocol_is_room_token (path + 1))
    return bad_link (error, "its room is not a room token");
  if (!link_wants_tls (uri, &want_tls, error))
    return FALSE;

  if (host_port != NULL)
    *host_port = strchr (host, ':') != NULL
                 ? g_strdup_printf ("[%s]:%d", host, g_uri_get_port (uri))
                 : g_strdup_printf ("%s:%d", host, g_uri_get_port (uri));
  if (room != NULL)
    *room = g_strdup (path + 1);
  if (tls != NULL)
    *tls = want_tls;
  return TRUE;
}

/* --- verification code --- */

/* The sha-256 fingerprint that applies to the first media section: the session-level line
 * comes before any m= line, so the first sha-256 line in document order is the one. */
char *
rp_protocol_sdp_fingerprint (const char *sdp)
{
  g_auto(GStrv) lines = NULL;

  if (sdp == NULL)
    return NULL;
  lines = g_strsplit (sdp, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_autofree char *value = NULL;

      if (!g_str_has_prefix (line, "a=fingerprint:"))
        continue;
      line += strlen ("a=fingerprint:");
      if (g_ascii_strncasecmp (line, "sha-256", 7) != 0 || !g_ascii_isspace (line[7]))
        continue;
      value = g_strstrip (g_ascii_strup (line + 8, -1));
      if (*value != '\0')
        return g_steal_pointer (&value);
    }
  return NULL;
}

char *
rp_protocol_verification_code (const char *local_sdp,
                               const char *remote_sdp)
{
  g_autofree char *local = rp_protocol_sdp_fingerprint (local_sdp);
  g_autofree char *remote = rp_protocol_sdp_fingerprint (remote_sdp);
  g_autoptr(GChecksum) checksum = NULL;
  g_autofree char *joined = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint32 value;

  if (local == NULL || remote == NULL)
    return NULL;

  joined = strcmp (local, remote) <= 0 ? g_strconcat (local, "\n", remote, NULL)
                                       : g_strconcat (remote, "\n", local, NULL);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) joined, strlen (joined));
  g_checksum_get_digest (checksum, digest, &digest_len);
  value = ((guint32) digest[0] << 24) | ((guint32) digest[1] << 16)
          | ((guint32) digest[2] << 8) | (guint32) digest[3];
  return g_strdup_printf ("%06u", value % 1000000);
}
