/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The signaling wire format of PROTOCOL.md: parsing and validation of every message in both
 * directions, serialisation, join links, and the verification code. The server and the
 * signaling client share this module so that both read the contract the same way.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RP_PROTOCOL_VERSION          1
#define RP_PROTOCOL_MAX_MESSAGE_SIZE (64 * 1024)
#define RP_PROTOCOL_MAX_NAME_CHARS   64
#define RP_PROTOCOL_MAX_DEPTH        64
#define RP_PROTOCOL_PATH             "/v1"

#define RP_PROTOCOL_ERROR (rp_protocol_error_quark ())
GQuark rp_protocol_error_quark (void);

/* The first five are the wire's error codes (see rp_protocol_error_to_code). */
typedef enum {
  RP_PROTOCOL_ERROR_BAD_MESSAGE,
  RP_PROTOCOL_ERROR_BAD_VERSION,
  RP_PROTOCOL_ERROR_UNKNOWN_ROOM,
  RP_PROTOCOL_ERROR_ROOM_FULL,
  RP_PROTOCOL_ERROR_SERVER_FULL,
  RP_PROTOCOL_ERROR_BAD_LINK,
} RpProtocolError;

const char *rp_protocol_error_to_code   (RpProtocolError  error);
gboolean    rp_protocol_error_from_code (const char      *code,
                                         RpProtocolError *error);

typedef enum {
  /* client → server */
  RP_MESSAGE_JOIN,
  RP_MESSAGE_SIGNAL,
  RP_MESSAGE_APP,
  RP_MESSAGE_BYE,
  RP_MESSAGE_PING,
  /* server → client (signal and app also go this way, with "from") */
  RP_MESSAGE_WELCOME,
  RP_MESSAGE_PEER_JOINED,
  RP_MESSAGE_PEER_RECONNECTING,
  RP_MESSAGE_PEER_LEFT,
  RP_MESSAGE_PONG,
  RP_MESSAGE_ERROR,
} RpMessageType;

const char *rp_message_type_to_string (RpMessageType type);

typedef struct {
  char *id;
  char *name;      /* NULL where the message carries only the id */
} RpPeer;

RpPeer *rp_peer_new  (const char *id,
                      const char *name);
void    rp_peer_free (RpPeer     *peer);

/* One message of either direction. Only the fields of its type are set; strings and nodes
 * are owned by the message. */
typedef struct {
  RpMessageType  type;
  gint64         version;      /* join */
  char          *room;         /* join (NULL: create a room), welcome */
  char          *name;         /* join */
  char          *client;       /* join: own id; welcome: "you" */
  char          *from;         /* signal, app from the server */
  JsonNode      *data;         /* signal, app */
  char          *data_json;    /* signal, app from a client: "data" exactly as received */
  char          *link;         /* welcome */
  gboolean       polite;       /* welcome */
  guint          grace_s;      /* welcome */
  JsonNode      *ice_servers;  /* welcome: a JSON array of RTCIceServer objects */
  GPtrArray     *peers;        /* welcome: RpPeer * */
  RpPeer        *peer;         /* peer-joined (id, name); peer-reconnecting, peer-left (id) */
  char          *reason;       /* peer-left: "bye" or "timeout" */
  char          *code;         /* error */
  char          *message;      /* error */
} RpMessage;

GType      rp_message_get_type (void) G_GNUC_CONST;
#define RP_TYPE_MESSAGE (rp_message_get_type ())

RpMessage *rp_message_new   (RpMessageType     type);
RpMessage *rp_message_copy  (const RpMessage  *message);
void       rp_message_free  (RpMessage        *message);
char      *rp_message_to_json (const RpMessage *message);

RpMessage *rp_protocol_parse_client_message (const char  *text,
                                             gsize        length,
                                             GError     **error);
RpMessage *rp_protocol_parse_server_message (const char  *text,
                                             gsize        length,
                                             GError     **error);

char      *rp_protocol_relay_text    (const RpMessage *message,
                                      const char      *from);

char      *rp_protocol_error_message_to_json (RpProtocolError  error,
                                              const char      *text);

gboolean   rp_protocol_is_room_token (const char *token);
gboolean   rp_protocol_is_client_id  (const char *id);

char      *rp_protocol_format_link   (const char  *host_port,
                                      const char  *room,
                                      gboolean     tls);
gboolean   rp_protocol_parse_link    (const char  *link,
                                      char       **host_port,
                                      char       **room,
                                      gboolean    *tls,
                                      GError     **error);
char      *rp_protocol_websocket_url (const char  *host_port,
                                      gboolean     tls);

char      *rp_protocol_sdp_fingerprint     (const char *sdp);
char      *rp_protocol_verification_code   (const char *local_sdp,
                                            const char *remote_sdp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpMessage, rp_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpPeer, rp_peer_free)

G_END_DECLS
