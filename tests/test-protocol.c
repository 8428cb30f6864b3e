/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rp-protocol.h"

#define ID "0123456789abcdef0123456789abcdef"

static RpMessage *
parse_client (const char *text)
{
  return rp_protocol_parse_client_message (text, strlen (text), NULL);
}

static void
assert_client_error (const char      *text,
                     RpProtocolError  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpMessage) message = rp_protocol_parse_client_message (text, strlen (text), &error);

  g_assert_null (message);
  g_assert_error (error, RP_PROTOCOL_ERROR, (gint) code);
  g_assert_cmpstr (error->message, !=, "");
}

/* --- join --- */

static void
test_join_without_room_creates (void)
{
  g_autoptr(RpMessage) m = parse_client ("{\"type\":\"join\",\"version\":1,\"name\":\"Ana\","
                                         "\"client\":\"" ID "\",\"extra\":[1]}");

  g_assert_nonnull (m);
  g_assert_cmpint (m->type, ==, RP_MESSAGE_JOIN);
  g_assert_null (m->room);
  g_assert_cmpstr (m->name, ==, "Ana");
  g_assert_cmpstr (m->client, ==, ID);
}

static void
test_join_with_room (void)
{
  g_autoptr(RpMessage) m = parse_client ("{\"type\":\"join\",\"version\":1.0,\"room\":"
                                         "\"abcdefghijklmnopqrstuv\",\"name\":\"Ana\","
                                         "\"client\":\"" ID "\"}");

  g_assert_nonnull (m);
  g_assert_cmpstr (m->room, ==, "abcdefghijklmnopqrstuv");
}

static void
test_join_version_must_be_one (void)
{
  assert_client_error ("{\"type\":\"join\",\"name\":\"A\",\"client\":\"" ID "\"}",
                       RP_PROTOCOL_ERROR_BAD_VERSION);
  assert_client_error ("{\"type\":\"join\",\"version\":2,\"name\":\"A\",\"client\":\"" ID "\"}",
                       RP_PROTOCOL_ERROR_BAD_VERSION);
  assert_client_error ("{\"type\":\"join\",\"version\":\"1\",\"name\":\"A\",\"client\":\"" ID "\"}",
                       RP_PROTOCOL_ERROR_BAD_VERSION);
  assert_client_error ("{\"type\":\"join\",\"version\":1.5,\"name\":\"A\",\"client\":\"" ID "\"}",
                       RP_PROTOCOL_ERROR_BAD_VERSION);
}

static void
test_join_room_null_or_number_is_bad_message (void)
{
  assert_client_error ("{\"type\":\"join\",\"version\":1,\"room\":null,\"name\":\"A\","
                       "\"client\":\"" ID "\"}", RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error ("{\"type\":\"join\",\"version\":1,\"room\":7,\"name\":\"A\","
                       "\"client\":\"" ID "\"}", RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

static void
test_join_name_counts_code_points (void)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *ok = NULL;
  g_autofree char *too_long = NULL;
  g_autoptr(RpMessage) m = NULL;

  for (guint i = 0; i < 64; i++)
    g_string_append (name, "é");   /* 2 bytes, 1 code point */
  ok = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"name\":\"%s\",\"client\":\"" ID "\"}",
                        name->str);
  m = parse_client (ok);
  g_assert_nonnull (m);

  g_string_append (name, "x");
  too_long = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"name\":\"%s\","
                              "\"client\":\"" ID "\"}", name->str);
  assert_client_error (too_long, RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error ("{\"type\":\"join\",\"version\":1,\"name\":\"\",\"client\":\"" ID "\"}",
                       RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error ("{\"type\":\"join\",\"version\":1,\"client\":\"" ID "\"}",
                       RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

static void
test_join_client_must_be_32_hex (void)
{
  assert_client_error ("{\"type\":\"join\",\"version\":1,\"name\":\"A\",\"client\":\"abc\"}",
                       RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error ("{\"type\":\"join\",\"version\":1,\"name\":\"A\","
                       "\"client\":\"0123456789abcdef0123456789abcdeg\"}",
                       RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error ("{\"type\":\"join\",\"version\":1,\"name\":\"A\"}",
                       RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

/* --- signal and app --- */

static void
test_signal_accepts_description_and_candidates (void)
{
  const char *good[] = {
    "{\"type\":\"signal\",\"data\":{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}}",
    "{\"type\":\"signal\",\"data\":{\"description\":{\"type\":\"answer\",\"sdp\":\"\"}}}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":{\"candidate\":\"candidate:1 1 UDP 1 1.2.3.4 5 "
    "typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"x\"}}}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":{\"candidate\":\"\",\"sdpMid\":null}}}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":null}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(RpMessage) m = parse_client (good[i]);

      g_assert_nonnull (m);
      g_assert_cmpint (m->type, ==, RP_MESSAGE_SIGNAL);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (m->data));
    }
}

static void
test_signal_rejects_malformed_payloads (void)
{
  const char *bad[] = {
    "{\"type\":\"signal\"}",
    "{\"type\":\"signal\",\"data\":\"offer\"}",
    "{\"type\":\"signal\",\"data\":{}}",
    "{\"type\":\"signal\",\"data\":{\"description\":{\"type\":\"rollback\",\"sdp\":\"\"}}}",
    "{\"type\":\"signal\",\"data\":{\"description\":{\"type\":\"offer\"}}}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":{\"sdpMid\":\"0\"}}}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":{\"candidate\":\"c\",\"sdpMLineIndex\":-1}}}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":{\"candidate\":\"c\",\"sdpMid\":0}}}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":7}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_client_error (bad[i], RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

static void
test_app_accepts_any_value (void)
{
  const char *good[] = {
    "{\"type\":\"app\",\"data\":null}",
    "{\"type\":\"app\",\"data\":3}",
    "{\"type\":\"app\",\"data\":{\"type\":\"camera\",\"on\":false}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(RpMessage) m = parse_client (good[i]);

      g_assert_nonnull (m);
      g_assert_nonnull (m->data);
    }
  assert_client_error ("{\"type\":\"app\"}", RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

static void
test_bye_and_ping_need_no_fields (void)
{
  g_autoptr(RpMessage) bye = parse_client ("{\"type\":\"bye\"}");
  g_autoptr(RpMessage) ping = parse_client ("{\"type\":\"ping\",\"ignored\":true}");

  g_assert_cmpint (bye->type, ==, RP_MESSAGE_BYE);
  g_assert_cmpint (ping->type, ==, RP_MESSAGE_PING);
}

/* --- the envelope --- */

static void
test_envelope_rejects_what_is_not_a_typed_object (void)
{
  const char *bad[] = {
    "", "{", "null", "[]", "\"join\"", "{}", "{\"type\":3}", "{\"type\":null}",
    "{\"type\":\"dance\"}", "{\"type\":\"welcome\"}", "{\"type\":\"pong\"}",
    "{\"type\":\"ping\"} trailing",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_client_error (bad[i], RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

static void
test_envelope_rejects_bad_bytes (void)
{
  const char nul[] = "{\"type\":\"ping\"}\0";
  const char latin1[] = "{\"type\":\"app\",\"data\":\"\xe9\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(RpMessage) m = rp_protocol_parse_client_message (nul, sizeof nul - 1, &error);

  g_assert_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error (latin1, RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

/* json-glib reads these; a receiver of the relayed text might not. */
static void
test_envelope_rejects_json_glib_extensions (void)
{
  const char *bad[] = {
    "{'type':'ping'}",
    "{\"type\":\"app\",\"data\":0x10}",
    "{\"type\":\"app\",\"data\":01}",
    "{\"type\":\"app\",\"data\":1.}",
    "{\"type\":\"app\",\"data\":.5}",
    "{\"type\":\"app\",\"data\":/*c*/1}",
    "{\"type\":\"app\",\"data\":\"\\x41\"}",
    "{\"type\":\"app\",\"data\":\"tab\there\"}",
    "{\"type\":\"app\",\"data\":\"\\u12\"}",
    "{\"type\":\"app\",\"data\":-}",
    "{\"type\":\"app\",\"data\":1e}",
    "{\"type\":\"app\",\"data\":truth}",
    "{\"type\":\"app\",\"data\":1}{\"type\":\"join\"}",   /* found by the fuzzer */
    "{\"type\":\"ping\"} 1",
    "{\"type\":\"ping\"},",
  };
  const char *good[] = {
    "{\"type\":\"app\",\"data\":[0,-0.5,1e400,-12E+3,123456789012345678901234567890]}",
    "{\"type\":\"app\",\"data\":\"\\u00e9\\n\\\"\\/\"}",
    " {\r\n\t\"type\" : \"app\" , \"data\" : [true, false, null] } ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_client_error (bad[i], RP_PROTOCOL_ERROR_BAD_MESSAGE);
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(RpMessage) m = parse_client (good[i]);

      if (m == NULL)
        g_error ("refused valid JSON: %s", good[i]);
    }
}

static char *
relay (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpMessage) m = rp_protocol_parse_client_message (text, strlen (text), &error);

  g_assert_no_error (error);
  return rp_protocol_relay_text (m, ID);
}

static void
test_relay_keeps_data_as_sent (void)
{
  g_autofree char *relayed = relay ("{\"type\":\"app\",\"data\" : [1e400, 123456789012345678901234567890,"
                                    "{\"a\":\"}\"}] ,\"extra\":{}}  \n");
  g_autoptr(RpMessage) parsed = NULL;

  g_assert_cmpstr (relayed, ==, "{\"type\":\"app\",\"from\":\"" ID "\",\"data\":"
                                "[1e400, 123456789012345678901234567890,{\"a\":\"}\"}]}");
  parsed = rp_protocol_parse_server_message (relayed, strlen (relayed), NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpstr (parsed->from, ==, ID);
}

/* "from" is the server's to write; the sender's own is dropped, like any unknown member. */
static void
test_relay_writes_its_own_from (void)
{
  g_autofree char *relayed = relay ("{\"from\":\"ffffffffffffffffffffffffffffffff\",\"type\":"
                                    "\"signal\",\"data\":{\"candidate\":null},\"data\":"
                                    "{\"candidate\":{\"candidate\":\"\"}}}");

  /* Of two "data" members the last counts, as in json-glib. */
  g_assert_cmpstr (relayed, ==, "{\"type\":\"signal\",\"from\":\"" ID "\",\"data\":"
                                "{\"candidate\":{\"candidate\":\"\"}}}");
}

static void
test_relay_needs_plain_data_name (void)
{
  assert_client_error ("{\"type\":\"app\",\"d\\u0061ta\":1}", RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

/* Found by the fuzzer: json-glib decodes these into bytes that are not UTF-8. */
static void
test_envelope_rejects_escapes_that_are_not_utf8 (void)
{
  assert_client_error ("{\"type\":\"app\",\"data\":\"\\342\"}", RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error ("{\"type\":\"app\",\"data\":[\"\\udc00\"]}", RP_PROTOCOL_ERROR_BAD_MESSAGE);
  assert_client_error ("{\"type\":\"app\",\"data\":{\"\\377\":1}}", RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

static void
test_envelope_rejects_deep_nesting (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"type\":\"app\",\"data\":");
  g_autoptr(GString) fine = g_string_new ("{\"type\":\"app\",\"data\":");
  g_autoptr(RpMessage) m = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  assert_client_error (deep->str, RP_PROTOCOL_ERROR_BAD_MESSAGE);

  /* Brackets inside strings do not count. */
  g_string_append (fine, "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[\"}");
  m = parse_client (fine->str);
  g_assert_nonnull (m);
}

static void
test_envelope_rejects_oversize (void)
{
  g_autofree char *big = g_malloc (RP_PROTOCOL_MAX_MESSAGE_SIZE + 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(RpMessage) m = NULL;

  memset (big, ' ', RP_PROTOCOL_MAX_MESSAGE_SIZE + 1);
  memcpy (big, "{\"type\":\"ping\"}", 15);
  big[RP_PROTOCOL_MAX_MESSAGE_SIZE + 1] = '\0';
  m = rp_protocol_parse_client_message (big, RP_PROTOCOL_MAX_MESSAGE_SIZE + 1, &error);
  g_assert_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE);
}

/* --- server → client, and writing --- */

static RpMessage *
roundtrip (const RpMessage *message)
{
  g_autofree char *text = rp_message_to_json (message);
  g_autoptr(GError) error = NULL;
  RpMessage *parsed = rp_protocol_parse_server_message (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_cmpint (parsed->type, ==, message->type);
  return parsed;
}

static void
test_welcome_roundtrips (void)
{
  g_autoptr(RpMessage) welcome = rp_message_new (RP_MESSAGE_WELCOME);
  g_autoptr(RpMessage) parsed = NULL;
  RpPeer *peer;

  welcome->room = g_strdup ("abcdefghijklmnopqrstuv");
  welcome->link = g_strdup ("rapport://127.0.0.1:4000/abcdefghijklmnopqrstuv");
  welcome->client = g_strdup (ID);
  welcome->polite = TRUE;
  welcome->grace_s = 10;
  welcome->ice_servers = json_from_string ("[{\"urls\":[\"stun:127.0.0.1:3478\"]}]", NULL);
  welcome->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_peer_free);
  g_ptr_array_add (welcome->peers, rp_peer_new ("ffffffffffffffffffffffffffffffff", "Bea"));

  parsed = roundtrip (welcome);
  g_assert_cmpstr (parsed->room, ==, welcome->room);
  g_assert_cmpstr (parsed->link, ==, welcome->link);
  g_assert_cmpstr (parsed->client, ==, ID);
  g_assert_true (parsed->polite);
  g_assert_cmpuint (parsed->grace_s, ==, 10);
  g_assert_true (json_node_equal (parsed->ice_servers, welcome->ice_servers));
  g_assert_cmpuint (parsed->peers->len, ==, 1);
  peer = g_ptr_array_index (parsed->peers, 0);
  g_assert_cmpstr (peer->name, ==, "Bea");
}

static void
test_server_events_roundtrip (void)
{
  g_autoptr(RpMessage) joined = rp_message_new (RP_MESSAGE_PEER_JOINED);
  g_autoptr(RpMessage) left = rp_message_new (RP_MESSAGE_PEER_LEFT);
  g_autoptr(RpMessage) relayed = rp_message_new (RP_MESSAGE_SIGNAL);
  g_autoptr(RpMessage) parsed_joined = NULL;
  g_autoptr(RpMessage) parsed_left = NULL;
  g_autoptr(RpMessage) parsed_relayed = NULL;
  g_autoptr(RpMessage) copy = NULL;
  g_autofree char *error_json = rp_protocol_error_message_to_json (RP_PROTOCOL_ERROR_ROOM_FULL,
                                                                   "full");
  g_autoptr(RpMessage) error = rp_protocol_parse_server_message (error_json, strlen (error_json),
                                                                 NULL);
  RpProtocolError code;

  joined->peer = rp_peer_new (ID, "Ana");
  parsed_joined = roundtrip (joined);
  g_assert_cmpstr (parsed_joined->peer->name, ==, "Ana");

  left->peer = rp_peer_new (ID, NULL);
  left->reason = g_strdup ("timeout");
  parsed_left = roundtrip (left);
  g_assert_cmpstr (parsed_left->peer->id, ==, ID);
  g_assert_cmpstr (parsed_left->reason, ==, "timeout");

  relayed->from = g_strdup (ID);
  relayed->data = json_from_string ("{\"candidate\":null}", NULL);
  parsed_relayed = roundtrip (relayed);
  g_assert_cmpstr (parsed_relayed->from, ==, ID);
  copy = rp_message_copy (parsed_relayed);
  g_assert_true (json_node_equal (copy->data, relayed->data));

  g_assert_cmpstr (error->code, ==, "room-full");
  g_assert_true (rp_protocol_error_from_code (error->code, &code));
  g_assert_cmpint (code, ==, RP_PROTOCOL_ERROR_ROOM_FULL);
}

static void
test_join_written_by_client_is_accepted (void)
{
  g_autoptr(RpMessage) join = rp_message_new (RP_MESSAGE_JOIN);
  g_autofree char *text = NULL;
  g_autoptr(RpMessage) parsed = NULL;

  join->name = g_strdup ("Ana");
  join->client = g_strdup (ID);
  text = rp_message_to_json (join);
  parsed = parse_client (text);
  g_assert_nonnull (parsed);
  g_assert_null (parsed->room);
  g_assert_cmpint (parsed->version, ==, 1);
}

static void
test_server_message_needs_its_fields (void)
{
  const char *bad[] = {
    "{\"type\":\"welcome\",\"room\":\"r\"}",
    "{\"type\":\"peer-joined\",\"peer\":\"x\"}",
    "{\"type\":\"peer-left\",\"peer\":\"x\"}",
    "{\"type\":\"signal\",\"data\":{\"candidate\":null}}",
    "{\"type\":\"error\"}",
    "{\"type\":\"join\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RpMessage) m = rp_protocol_parse_server_message (bad[i], strlen (bad[i]), &error);

      g_assert_null (m);
      g_assert_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_MESSAGE);
    }
}

/* --- links --- */

static void
test_link_parses_and_formats (void)
{
  g_autofree char *host_port = NULL;
  g_autofree char *room = NULL;
  g_autofree char *link = NULL;
  g_autofree char *url = NULL;
  gboolean tls = TRUE;

  g_assert_true (rp_protocol_parse_link ("rapport://example.org:8443/abcdefghijklmnopqrstuv",
                                         &host_port, &room, &tls, NULL));
  g_assert_cmpstr (host_port, ==, "example.org:8443");
  g_assert_cmpstr (room, ==, "abcdefghijklmnopqrstuv");
  g_assert_false (tls);

  link = rp_protocol_format_link (host_port, room, TRUE);
  g_assert_cmpstr (link, ==, "rapport://example.org:8443/abcdefghijklmnopqrstuv?tls=1");
  g_clear_pointer (&host_port, g_free);
  g_assert_true (rp_protocol_parse_link (link, &host_port, NULL, &tls, NULL));
  g_assert_true (tls);
  url = rp_protocol_websocket_url (host_port, tls);
  g_assert_cmpstr (url, ==, "wss://example.org:8443/v1");
}

static void
test_link_keeps_ipv6_brackets (void)
{
  g_autofree char *host_port = NULL;

  g_assert_true (rp_protocol_parse_link ("rapport://[::1]:4000/abcdefghijklmnopqrstuv",
                                         &host_port, NULL, NULL, NULL));
  g_assert_cmpstr (host_port, ==, "[::1]:4000");
}

static void
test_link_rejects_others (void)
{
  const char *bad[] = {
    "http://example.org:80/abcdefghijklmnopqrstuv",
    "rapport://example.org/abcdefghijklmnopqrstuv",
    "rapport://example.org:80/short",
    "rapport://example.org:80/abcdefghijklmnopqrstuv?tls=yes",
    "rapport://example.org:80/abcdefghij+lmnopqrstuv",
    "rapport://:80/abcdefghijklmnopqrstuv",
    "not a link",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (rp_protocol_parse_link (bad[i], NULL, NULL, NULL, &error));
      g_assert_error (error, RP_PROTOCOL_ERROR, RP_PROTOCOL_ERROR_BAD_LINK);
    }
}

/* --- verification code --- */

#define FP_A "D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F"
#define FP_B "1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09"

static void
test_verification_code_known_value (void)
{
  /* Computed independently: sha256("1A:2B…\nD2:FA…"), first four bytes mod 10^6. */
  const char *local = "v=0\r\na=fingerprint:sha-256 " FP_A "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\n";
  const char *remote = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:SHA-256 "
                       "1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:"
                       "92:a3:b4:c5:d6:e7:f8:09\r\n";
  g_autofree char *code = rp_protocol_verification_code (local, remote);
  g_autofree char *swapped = rp_protocol_verification_code (remote, local);

  g_assert_cmpstr (code, ==, "595548");
  g_assert_cmpstr (swapped, ==, code);
}

static void
test_verification_prefers_session_level_and_sha256 (void)
{
  const char *sdp = "v=0\r\n"
                    "a=fingerprint:sha-1 00:11\r\n"
                    "a=fingerprint:sha-256 " FP_B "\r\n"
                    "m=audio 9 UDP/TLS/RTP/SAVPF 96\r\n"
                    "a=fingerprint:sha-256 " FP_A "\r\n";
  const char *media_only = "v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 96\na=fingerprint:sha-256 " FP_A "\n"
                           "m=video 9 UDP/TLS/RTP/SAVPF 97\na=fingerprint:sha-256 " FP_B "\n";
  g_autofree char *fp = rp_protocol_sdp_fingerprint (sdp);
  g_autofree char *fp_media = rp_protocol_sdp_fingerprint (media_only);

  g_assert_cmpstr (fp, ==, FP_B);
  g_assert_cmpstr (fp_media, ==, FP_A);
}

static void
test_verification_needs_both_fingerprints (void)
{
  g_autofree char *code = rp_protocol_verification_code ("v=0\r\n",
                                                         "a=fingerprint:sha-256 " FP_A "\r\n");
  g_autofree char *none = rp_protocol_verification_code (NULL, NULL);

  g_assert_null (code);
  g_assert_null (none);
}

static void
test_verification_code_differs_with_a_man_in_the_middle (void)
{
  const char *a = "a=fingerprint:sha-256 " FP_A "\r\n";
  const char *b = "a=fingerprint:sha-256 " FP_B "\r\n";
  const char *mitm = "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n";
  g_autofree char *honest = rp_protocol_verification_code (a, b);
  g_autofree char *seen_by_a = rp_protocol_verification_code (a, mitm);
  g_autofree char *seen_by_b = rp_protocol_verification_code (b, mitm);

  g_assert_cmpuint (strlen (honest), ==, 6);
  g_assert_cmpstr (seen_by_a, !=, seen_by_b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/join/without-room-creates", test_join_without_room_creates);
  g_test_add_func ("/protocol/join/with-room", test_join_with_room);
  g_test_add_func ("/protocol/join/version-must-be-one", test_join_version_must_be_one);
  g_test_add_func ("/protocol/join/room-null-or-number-is-bad-message",
                   test_join_room_null_or_number_is_bad_message);
  g_test_add_func ("/protocol/join/name-counts-code-points", test_join_name_counts_code_points);
  g_test_add_func ("/protocol/join/client-must-be-32-hex", test_join_client_must_be_32_hex);
  g_test_add_func ("/protocol/signal/accepts-description-and-candidates",
                   test_signal_accepts_description_and_candidates);
  g_test_add_func ("/protocol/signal/rejects-malformed-payloads",
                   test_signal_rejects_malformed_payloads);
  g_test_add_func ("/protocol/app/accepts-any-value", test_app_accepts_any_value);
  g_test_add_func ("/protocol/bye-and-ping/need-no-fields", test_bye_and_ping_need_no_fields);
  g_test_add_func ("/protocol/envelope/rejects-what-is-not-a-typed-object",
                   test_envelope_rejects_what_is_not_a_typed_object);
  g_test_add_func ("/protocol/envelope/rejects-bad-bytes", test_envelope_rejects_bad_bytes);
  g_test_add_func ("/protocol/envelope/rejects-escapes-that-are-not-utf8",
                   test_envelope_rejects_escapes_that_are_not_utf8);
  g_test_add_func ("/protocol/envelope/rejects-json-glib-extensions",
                   test_envelope_rejects_json_glib_extensions);
  g_test_add_func ("/protocol/relay/keeps-data-as-sent", test_relay_keeps_data_as_sent);
  g_test_add_func ("/protocol/relay/writes-its-own-from", test_relay_writes_its_own_from);
  g_test_add_func ("/protocol/relay/needs-plain-data-name", test_relay_needs_plain_data_name);
  g_test_add_func ("/protocol/envelope/rejects-deep-nesting", test_envelope_rejects_deep_nesting);
  g_test_add_func ("/protocol/envelope/rejects-oversize", test_envelope_rejects_oversize);
  g_test_add_func ("/protocol/server/welcome-roundtrips", test_welcome_roundtrips);
  g_test_add_func ("/protocol/server/events-roundtrip", test_server_events_roundtrip);
  g_test_add_func ("/protocol/server/messages-need-their-fields",
                   test_server_message_needs_its_fields);
  g_test_add_func ("/protocol/client/join-written-is-accepted",
                   test_join_written_by_client_is_accepted);
  g_test_add_func ("/protocol/link/parses-and-formats", test_link_parses_and_formats);
  g_test_add_func ("/protocol/link/keeps-ipv6-brackets", test_link_keeps_ipv6_brackets);
  g_test_add_func ("/protocol/link/rejects-others", test_link_rejects_others);
  g_test_add_func ("/protocol/verification/known-value", test_verification_code_known_value);
  g_test_add_func ("/protocol/verification/prefers-session-level-sha256",
                   test_verification_prefers_session_level_and_sha256);
  g_test_add_func ("/protocol/verification/needs-both-fingerprints",
                   test_verification_needs_both_fingerprints);
  g_test_add_func ("/protocol/verification/differs-with-man-in-the-middle",
                   test_verification_code_differs_with_a_man_in_the_middle);
  return g_test_run ();
}
