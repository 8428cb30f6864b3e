/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rendezvous server as a user meets it: a real rapport-server process, real WebSocket
 * clients over loopback, and the messages of PROTOCOL.md.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "rp-protocol.h"
#include "server-test-util.h"

static gboolean
member_bool (JsonNode   *node,
             const char *member)
{
  return json_object_get_boolean_member (json_node_get_object (node), member);
}

static JsonArray *
member_array (JsonNode   *node,
              const char *member)
{
  return json_object_get_array_member (json_node_get_object (node), member);
}

static JsonObject *
member_object (JsonNode   *node,
               const char *member)
{
  return json_object_get_object_member (json_node_get_object (node), member);
}

static char *
write_config (const char *text)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("rapport-server-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  return g_steal_pointer (&path);
}

/* Two clients in one room, "Mentor" in seat 1 and "Mentee" in seat 2, with the messages of
 * joining consumed. */
typedef struct {
  TestServer *server;
  TestClient *a;
  TestClient *b;
  char       *room;
} Pair;

static void
pair_join (Pair *pair)
{
  g_autoptr(JsonNode) welcome_a = NULL;
  g_autoptr(JsonNode) welcome_b = NULL;
  g_autoptr(JsonNode) joined = NULL;

  pair->a = test_client_connect (pair->server->port, NULL);
  pair->b = test_client_connect (pair->server->port, NULL);
  welcome_a = test_client_join (pair->a, NULL, "Mentor");
  pair->room = g_strdup (test_member_string (welcome_a, "room"));
  welcome_b = test_client_join (pair->b, pair->room, "Mentee");
  joined = test_client_expect (pair->a, "peer-joined");
}

static Pair *
pair_new (const char *first_arg,
          ...)
{
  Pair *pair = g_new0 (Pair, 1);
  const char *args[8] = { NULL };
  va_list ap;
  guint n = 0;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL && n < G_N_ELEMENTS (args) - 1;
       arg = va_arg (ap, const char *))
    args[n++] = arg;
  va_end (ap);
  pair->server = test_server_start (args[0], args[1], args[2], args[3], args[4], args[5],
                                    args[6], NULL);
  pair_join (pair);
  return pair;
}

static void
pair_free (Pair *pair)
{
  test_client_free (pair->a);
  test_client_free (pair->b);
  test_server_stop (pair->server);
  g_free (pair->room);
  g_free (pair);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pair, pair_free)

/* --- joining --- */

static void
test_join_creates_room_and_welcomes_impolite (void)
{
  TestServer *server = test_server_start (NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);
  g_autoptr(JsonNode) welcome = test_client_join (a, NULL, "Mentor");
  g_autofree char *link = NULL;
  const char *room = test_member_string (welcome, "room");

  g_assert_true (rp_protocol_is_room_token (room));
  link = g_strdup_printf ("rapport://127.0.0.1:%u/%s", server->port, room);
  g_assert_cmpstr (test_member_string (welcome, "link"), ==, link);
  g_assert_cmpstr (test_member_string (welcome, "you"), ==, a->id);
  g_assert_false (member_bool (welcome, "polite"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (welcome), "grace_s"), ==, 10);
  g_assert_cmpuint (json_array_get_length (member_array (welcome, "peers")), ==, 0);
  g_assert_cmpuint (json_array_get_length (member_array (welcome, "iceServers")), ==, 0);
  g_clear_pointer (&a, test_client_free);
  test_server_stop (server);
}

static void
test_join_second_gets_polite_seat_and_both_are_told (void)
{
  TestServer *server = test_server_start (NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);
  g_autoptr(TestClient) b = test_client_connect (server->port, NULL);
  g_autoptr(JsonNode) welcome_a = test_client_join (a, NULL, "Mentor");
  g_autoptr(JsonNode) welcome_b = test_client_join (b, test_member_string (welcome_a, "room"),
                                                    "Mentée ✓");
  g_autoptr(JsonNode) joined = test_client_expect (a, "peer-joined");
  JsonArray *peers = member_array (welcome_b, "peers");
  JsonObject *peer;

  g_assert_true (member_bool (welcome_b, "polite"));
  g_assert_cmpstr (test_member_string (welcome_b, "room"), ==,
                   test_member_string (welcome_a, "room"));
  g_assert_cmpuint (json_array_get_length (peers), ==, 1);
  peer = json_array_get_object_element (peers, 0);
  g_assert_cmpstr (json_object_get_string_member (peer, "id"), ==, a->id);
  g_assert_cmpstr (json_object_get_string_member (peer, "name"), ==, "Mentor");

  peer = member_object (joined, "peer");
  g_assert_cmpstr (json_object_get_string_member (peer, "id"), ==, b->id);
  g_assert_cmpstr (json_object_get_string_member (peer, "name"), ==, "Mentée ✓");
  test_client_expect_nothing_more (b);
  g_clear_pointer (&a, test_client_free);
  g_clear_pointer (&b, test_client_free);
  test_server_stop (server);
}

static void
test_join_third_gets_room_full_and_others_keep_going (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(TestClient) c = test_client_connect (pair->server->port, NULL);
  g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"room\":\"%s\","
                                           "\"name\":\"Third\",\"client\":\"%s\"}",
                                           pair->room, c->id);
  g_autoptr(JsonNode) relayed = NULL;

  test_client_send (c, join);
  test_client_expect_error (c, "room-full");
  test_client_expect_nothing_more (c);
  test_client_expect_nothing_more (pair->a);

  test_client_send (pair->a, "{\"type\":\"app\",\"data\":{\"still\":\"here\"}}");
  relayed = test_client_expect (pair->b, "app");
  g_assert_cmpstr (json_object_get_string_member (member_object (relayed, "data"), "still"), ==,
                   "here");
}

static void
test_join_unknown_room (void)
{
  TestServer *server = test_server_start (NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);
  g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"version\":1,"
                                           "\"room\":\"AAAAAAAAAAAAAAAAAAAAAA\","
                                           "\"name\":\"A\",\"client\":\"%s\"}", a->id);

  test_client_send (a, join);
  test_client_expect_error (a, "unknown-room");
  test_client_expect_nothing_more (a);
  g_clear_pointer (&a, test_client_free);
  test_server_stop (server);
}

static void
test_join_link_uses_public_host (void)
{
  TestServer *server = test_server_start ("--public-host=rapport.example.org:443", NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);
  g_autoptr(JsonNode) welcome = test_client_join (a, NULL, "Mentor");
  g_autofree char *link = g_strdup_printf ("rapport://rapport.example.org:443/%s",
                                           test_member_string (welcome, "room"));

  g_assert_cmpstr (test_member_string (welcome, "link"), ==, link);
  g_clear_pointer (&a, test_client_free);
  test_server_stop (server);
}

/* --- relaying --- */

static void
test_relay_signal_both_ways (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(JsonNode) offer = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) candidate = NULL;
  g_autoptr(JsonNode) end = NULL;
  JsonObject *description;

  test_client_send (pair->a, "{\"type\":\"signal\",\"data\":{\"description\":"
                             "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 1 IN IP4 0.0.0.0\\r\\n\"}}}");
  offer = test_client_expect (pair->b, "signal");
  g_assert_cmpstr (test_member_string (offer, "from"), ==, pair->a->id);
  description = json_object_get_object_member (member_object (offer, "data"), "description");
  g_assert_cmpstr (json_object_get_string_member (description, "type"), ==, "offer");
  g_assert_cmpstr (json_object_get_string_member (description, "sdp"), ==,
                   "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");

  test_client_send (pair->b, "{\"type\":\"signal\",\"data\":{\"description\":"
                             "{\"type\":\"answer\",\"sdp\":\"v=0\"}}}");
  answer = test_client_expect (pair->a, "signal");
  g_assert_cmpstr (test_member_string (answer, "from"), ==, pair->b->id);

  test_client_send (pair->b, "{\"type\":\"signal\",\"data\":{\"candidate\":{\"candidate\":"
                             "\"candidate:1 1 UDP 2122252543 127.0.0.1 40000 typ host\","
                             "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}}");
  candidate = test_client_expect (pair->a, "signal");
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (member_object (candidate, "data"), "candidate"),
                     "sdpMLineIndex"), ==, 0);

  test_client_send (pair->a, "{\"type\":\"signal\",\"data\":{\"candidate\":null}}");
  end = test_client_expect (pair->b, "signal");
  g_assert_true (json_object_get_null_member (member_object (end, "data"), "candidate"));
}

static void
test_relay_app_data_unchanged (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(JsonNode) app = NULL;
  g_autoptr(JsonNode) expected = json_from_string ("{\"n\":[1,2.5,\"ü\",null,{\"x\":true}]}", NULL);

  test_client_send (pair->b, "{\"type\":\"app\",\"extra\":1,"
                             "\"data\":{\"n\":[1,2.5,\"ü\",null,{\"x\":true}]}}");
  app = test_client_expect (pair->a, "app");
  g_assert_cmpstr (test_member_string (app, "from"), ==, pair->b->id);
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (app), "data"),
                                  expected));
}

static void
test_relay_dropped_while_alone (void)
{
  TestServer *server = test_server_start (NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);
  g_autoptr(TestClient) b = test_client_connect (server->port, NULL);
  g_autoptr(JsonNode) welcome_a = test_client_join (a, NULL, "Mentor");
  g_autoptr(JsonNode) welcome_b = NULL;
  g_autoptr(JsonNode) joined = NULL;

  test_client_send (a, "{\"type\":\"app\",\"data\":\"into the void\"}");
  test_client_expect_nothing_more (a);
  welcome_b = test_client_join (b, test_member_string (welcome_a, "room"), "Mentee");
  joined = test_client_expect (a, "peer-joined");
  test_client_expect_nothing_more (b);
  g_clear_pointer (&a, test_client_free);
  g_clear_pointer (&b, test_client_free);
  test_server_stop (server);
}

static void
test_ping_gets_pong (void)
{
  TestServer *server = test_server_start (NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);

  g_autoptr(JsonNode) pong = NULL;

  test_client_send (a, "{\"type\":\"ping\"}");
  pong = test_client_expect (a, "pong");
  g_clear_pointer (&a, test_client_free);
  test_server_stop (server);
}

/* --- leaving and coming back --- */

static void
test_bye_closes_1000_and_peer_is_told (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(JsonNode) left = NULL;
  g_autoptr(TestClient) c = NULL;
  g_autoptr(JsonNode) welcome = NULL;

  test_client_send (pair->b, "{\"type\":\"bye\"}");
  g_assert_cmpuint (test_client_wait_closed (pair->b), ==, 1000);
  left = test_client_expect (pair->a, "peer-left");
  g_assert_cmpstr (test_member_string (left, "peer"), ==, pair->b->id);
  g_assert_cmpstr (test_member_string (left, "reason"), ==, "bye");

  /* The seat is free at once: a newcomer takes it. */
  c = test_client_connect (pair->server->port, NULL);
  welcome = test_client_join (c, pair->room, "Newcomer");
  g_assert_true (member_bool (welcome, "polite"));
}

static void
test_room_is_gone_after_both_leave (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(TestClient) c = NULL;
  g_autoptr(JsonNode) left = NULL;
  g_autofree char *join = NULL;

  test_client_send (pair->a, "{\"type\":\"bye\"}");
  left = test_client_expect (pair->b, "peer-left");
  test_client_send (pair->b, "{\"type\":\"bye\"}");
  g_assert_cmpuint (test_client_wait_closed (pair->b), ==, 1000);

  c = test_client_connect (pair->server->port, NULL);
  join = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"room\":\"%s\",\"name\":\"Late\","
                          "\"client\":\"%s\"}", pair->room, c->id);
  test_client_send (c, join);
  test_client_expect_error (c, "unknown-room");
}

static void
test_reconnect_within_grace_takes_back_seat (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(JsonNode) reconnecting = NULL;
  g_autoptr(JsonNode) welcome = NULL;
  g_autoptr(JsonNode) joined = NULL;
  g_autoptr(TestClient) b2 = NULL;
  g_autoptr(TestClient) intruder = NULL;
  g_autoptr(JsonNode) app = NULL;
  g_autofree char *join = NULL;

  test_client_drop (pair->b);
  reconnecting = test_client_expect (pair->a, "peer-reconnecting");
  g_assert_cmpstr (test_member_string (reconnecting, "peer"), ==, pair->b->id);

  /* The held seat is not free for someone else. */
  intruder = test_client_connect (pair->server->port, NULL);
  join = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"room\":\"%s\",\"name\":\"X\","
                          "\"client\":\"%s\"}", pair->room, intruder->id);
  test_client_send (intruder, join);
  test_client_expect_error (intruder, "room-full");

  b2 = test_client_connect (pair->server->port, NULL);
  g_free (b2->id);
  b2->id = g_strdup (pair->b->id);
  welcome = test_client_join (b2, pair->room, "Mentee again");
  g_assert_true (member_bool (welcome, "polite"));
  g_assert_cmpuint (json_array_get_length (member_array (welcome, "peers")), ==, 1);
  joined = test_client_expect (pair->a, "peer-joined");
  g_assert_cmpstr (json_object_get_string_member (member_object (joined, "peer"), "id"), ==,
                   pair->b->id);
  g_assert_cmpstr (json_object_get_string_member (member_object (joined, "peer"), "name"), ==,
                   "Mentee again");

  test_client_send (pair->a, "{\"type\":\"app\",\"data\":1}");
  app = test_client_expect (b2, "app");
}

static void
test_reconnect_replaces_live_connection (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(TestClient) b2 = test_client_connect (pair->server->port, NULL);
  g_autoptr(JsonNode) welcome = NULL;
  g_autoptr(JsonNode) joined = NULL;

  g_free (b2->id);
  b2->id = g_strdup (pair->b->id);
  welcome = test_client_join (b2, pair->room, "Mentee");
  g_assert_true (member_bool (welcome, "polite"));
  g_assert_cmpuint (test_client_wait_closed (pair->b), ==, 4001);
  joined = test_client_expect (pair->a, "peer-joined");
  test_client_expect_nothing_more (pair->a);
}

static void
test_timeout_after_grace_frees_seat (void)
{
  g_autoptr(Pair) pair = pair_new ("--grace=1", NULL);
  g_autoptr(JsonNode) reconnecting = NULL;
  g_autoptr(JsonNode) left = NULL;
  g_autoptr(TestClient) c = NULL;
  g_autoptr(JsonNode) welcome = NULL;

  test_client_drop (pair->b);
  reconnecting = test_client_expect (pair->a, "peer-reconnecting");
  left = test_client_expect (pair->a, "peer-left");
  g_assert_cmpstr (test_member_string (left, "peer"), ==, pair->b->id);
  g_assert_cmpstr (test_member_string (left, "reason"), ==, "timeout");

  c = test_client_connect (pair->server->port, NULL);
  welcome = test_client_join (c, pair->room, "Newcomer");
  g_assert_true (member_bool (welcome, "polite"));
  g_assert_true (test_server_log_contains (pair->server, "reason=timeout"));
}

/* --- bad input: an error, the connection stays open, everyone else is served --- */

static void
expect_bad_input_answered (const char *text,
                           const char *code)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(TestClient) stranger = test_client_connect (pair->server->port, NULL);
  g_autoptr(JsonNode) app = NULL;

  test_client_send (stranger, text);
  test_client_expect_error (stranger, code);
  test_client_expect_nothing_more (stranger);

  /* The same from a joined participant leaves its seat and its peer alone. */
  test_client_send (pair->a, text);
  test_client_expect_error (pair->a, code);
  test_client_send (pair->a, "{\"type\":\"app\",\"data\":\"after\"}");
  app = test_client_expect (pair->b, "app");
  test_client_expect_nothing_more (pair->b);
}

static void
test_error_malformed_json (void)
{
  expect_bad_input_answered ("{\"type\":\"join\",", "bad-message");
}

static void
test_error_unknown_type (void)
{
  expect_bad_input_answered ("{\"type\":\"dance\"}", "bad-message");
}

static void
test_error_not_an_object (void)
{
  expect_bad_input_answered ("[\"join\"]", "bad-message");
}

static void
test_error_wrong_version (void)
{
  expect_bad_input_answered ("{\"type\":\"join\",\"version\":2,\"name\":\"A\","
                             "\"client\":\"0123456789abcdef0123456789abcdef\"}", "bad-version");
}

static void
test_error_missing_version (void)
{
  expect_bad_input_answered ("{\"type\":\"join\",\"name\":\"A\","
                             "\"client\":\"0123456789abcdef0123456789abcdef\"}", "bad-version");
}

static void
test_error_missing_name (void)
{
  expect_bad_input_answered ("{\"type\":\"join\",\"version\":1,"
                             "\"client\":\"0123456789abcdef0123456789abcdef\"}", "bad-message");
}

static void
test_error_null_room (void)
{
  expect_bad_input_answered ("{\"type\":\"join\",\"version\":1,\"room\":null,\"name\":\"A\","
                             "\"client\":\"0123456789abcdef0123456789abcdef\"}", "bad-message");
}

static void
test_error_signal_without_data (void)
{
  expect_bad_input_answered ("{\"type\":\"signal\"}", "bad-message");
}

static void
test_relay_from_cannot_be_spoofed (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(JsonNode) app = NULL;
  g_autofree char *text = g_strdup_printf ("{\"type\":\"app\",\"from\":\"%s\",\"data\":1}",
                                           pair->a->id);

  test_client_send (pair->b, text);
  app = test_client_expect (pair->a, "app");
  g_assert_cmpstr (test_member_string (app, "from"), ==, pair->b->id);
}

static void
test_error_not_strict_json (void)
{
  expect_bad_input_answered ("{'type':'app','data':0x10}", "bad-message");
}

static void
test_error_binary_frame (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(JsonNode) app = NULL;
  static const guint8 bytes[] = { 0x7b, 0x00, 0xff, 0x7d };

  soup_websocket_connection_send_binary (pair->a->ws, bytes, sizeof bytes);
  test_client_expect_error (pair->a, "bad-message");
  test_client_send (pair->a, "{\"type\":\"app\",\"data\":0}");
  app = test_client_expect (pair->b, "app");
}

static void
test_error_second_join (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"version\":1,\"name\":\"Again\","
                                           "\"client\":\"%s\"}", pair->a->id);

  test_client_send (pair->a, join);
  test_client_expect_error (pair->a, "bad-message");
  test_client_expect_nothing_more (pair->a);
  test_client_expect_nothing_more (pair->b);
}

static void
test_error_relay_before_join (void)
{
  TestServer *server = test_server_start (NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);

  test_client_send (a, "{\"type\":\"app\",\"data\":1}");
  test_client_expect_error (a, "bad-message");
  test_client_expect_nothing_more (a);
  g_clear_pointer (&a, test_client_free);
  test_server_stop (server);
}

/* --- limits --- */

static void
test_limit_oversize_frame_closes_1009 (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(GString) big = g_string_new ("{\"type\":\"app\",\"data\":\"");
  g_autoptr(JsonNode) reconnecting = NULL;

  while (big->len < RP_PROTOCOL_MAX_MESSAGE_SIZE + 10)
    g_string_append (big, "xxxxxxxxxxxxxxxx");
  g_string_append (big, "\"}");
  test_client_send (pair->a, big->str);
  g_assert_cmpuint (test_client_wait_closed (pair->a), ==, 1009);

  /* The other side is told its peer dropped, and is still served. */
  reconnecting = test_client_expect (pair->b, "peer-reconnecting");
  test_client_expect_nothing_more (pair->b);
}

static void
test_limit_largest_frame_is_relayed (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(GString) big = g_string_new ("{\"type\":\"app\",\"data\":\"");
  g_autoptr(JsonNode) app = NULL;

  while (big->len < RP_PROTOCOL_MAX_MESSAGE_SIZE - 2)
    g_string_append_c (big, 'y');
  g_string_append (big, "\"}");
  g_assert_cmpuint (big->len, ==, RP_PROTOCOL_MAX_MESSAGE_SIZE);
  test_client_send (pair->a, big->str);
  app = test_client_expect (pair->b, "app");
}

static void
test_limit_rate_flood_closes_1008 (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);
  g_autoptr(JsonNode) reconnecting = NULL;

  for (guint i = 0; i < 2000; i++)
    soup_websocket_connection_send_text (pair->a->ws, "{\"type\":\"ping\"}");
  g_assert_cmpuint (test_client_wait_closed (pair->a), ==, 1008);
  g_assert_true (test_server_log_contains (pair->server, "event=rate-limited"));
  reconnecting = test_client_expect (pair->b, "peer-reconnecting");
  test_client_expect_nothing_more (pair->b);
}

static void
test_limit_burst_of_fifty_is_allowed (void)
{
  g_autoptr(Pair) pair = pair_new (NULL);

  /* An offer and a burst of candidates, all at once. */
  for (guint i = 0; i < 50; i++)
    test_client_send (pair->a, "{\"type\":\"signal\",\"data\":{\"candidate\":{\"candidate\":"
                               "\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\",\"sdpMid\":\"0\"}}}");
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(JsonNode) signal = test_client_expect (pair->b, "signal");
    }
  g_assert_false (pair->a->closed);
}

static void
test_limit_server_full (void)
{
  g_autofree char *path = write_config ("[server]\nmax-connections=2\nmax-rooms=1\n");
  g_autofree char *arg = NULL;
  TestServer *server;
  TestClient *a, *b, *c;
  g_autoptr(JsonNode) welcome = NULL;

  arg = g_strdup_printf ("--config=%s", path);
  server = test_server_start (arg, NULL);
  a = test_client_connect (server->port, NULL);
  b = test_client_connect (server->port, NULL);
  welcome = test_client_join (a, NULL, "A");

  /* Room limit: a second room is refused, the connection stays. */
  test_client_send (b, "{\"type\":\"join\",\"version\":1,\"name\":\"B\","
                       "\"client\":\"0123456789abcdef0123456789abcdef\"}");
  test_client_expect_error (b, "server-full");
  test_client_expect_nothing_more (b);

  /* Connection limit: a third connection is told and closed. */
  c = test_client_connect (server->port, NULL);
  test_client_expect_error (c, "server-full");
  g_assert_cmpuint (test_client_wait_closed (c), ==, 1008);

  test_client_free (a);
  test_client_free (b);
  test_client_free (c);
  test_server_stop (server);
  g_unlink (path);
}

/* --- origin --- */

static void
test_origin_foreign_refused_403 (void)
{
  TestServer *server = test_server_start ("--allow-origin=https://trusted.example", NULL);
  g_autofree char *own = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  TestClient *client;

  g_assert_cmpuint (test_client_refused_status (server->port, "https://evil.example"), ==, 403);
  g_assert_true (test_server_log_contains (server, "event=origin-refused"));

  client = test_client_connect (server->port, "https://trusted.example");
  test_client_expect_nothing_more (client);
  test_client_free (client);
  client = test_client_connect (server->port, own);
  test_client_expect_nothing_more (client);
  test_client_free (client);
  test_server_stop (server);
}

/* --- ICE servers --- */

static void
test_welcome_carries_ice_servers (void)
{
  TestServer *server = test_server_start ("--ice-server=stun:127.0.0.1:3478",
                                          "--ice-server=turn:127.0.0.1:3478?transport=udp",
                                          "--turn-secret=s3cret", NULL);
  g_autoptr(TestClient) a = test_client_connect (server->port, NULL);
  g_autoptr(JsonNode) welcome = test_client_join (a, NULL, "Mentor");
  JsonArray *ice = member_array (welcome, "iceServers");
  JsonObject *stun, *turn;
  g_auto(GStrv) parts = NULL;

  g_assert_cmpuint (json_array_get_length (ice), ==, 2);
  stun = json_array_get_object_element (ice, 0);
  turn = json_array_get_object_element (ice, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (stun, "urls"), 0),
                   ==, "stun:127.0.0.1:3478");
  g_assert_false (json_object_has_member (stun, "credential"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (turn, "urls"), 0),
                   ==, "turn:127.0.0.1:3478?transport=udp");
  parts = g_strsplit (json_object_get_string_member (turn, "username"), ":", 2);
  g_assert_cmpstr (parts[1], ==, a->id);
  g_assert_cmpint (g_ascii_strtoll (parts[0], NULL, 10), >, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpuint (strlen (json_object_get_string_member (turn, "credential")), ==, 28);
  g_clear_pointer (&a, test_client_free);
  test_server_stop (server);
}

/* --- liveness --- */

static void
test_idle_connection_is_closed (void)
{
  g_autofree char *path = write_config ("[server]\nkeepalive-interval=0\nidle-timeout=2\n");
  g_autofree char *arg = g_strdup_printf ("--config=%s", path);
  TestServer *server = test_server_start (arg, NULL);
  g_autoptr(TestClient) silent = test_client_connect (server->port, NULL);

  g_assert_cmpuint (test_client_wait_closed (silent), ==, 1001);
  g_assert_true (test_server_log_contains (server, "event=idle-timeout"));
  g_clear_pointer (&silent, test_client_free);
  test_server_stop (server);
  g_unlink (path);
}

static gboolean
quit_loop (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The client answers the server's keepalive pings (libsoup does), so it stays open well past
 * the idle timeout without sending a message. */
static void
test_keepalive_pongs_keep_connection_open (void)
{
  g_autofree char *path = write_config ("[server]\nkeepalive-interval=1\nidle-timeout=2\n");
  g_autofree char *arg = g_strdup_printf ("--config=%s", path);
  TestServer *server = test_server_start (arg, NULL);
  g_autoptr(TestClient) quiet = test_client_connect (server->port, NULL);
  gboolean waited = FALSE;

  g_timeout_add_seconds (4, quit_loop, &waited);
  while (!waited && !quiet->closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (quiet->closed);
  test_client_expect_nothing_more (quiet);
  g_clear_pointer (&quiet, test_client_free);
  test_server_stop (server);
  g_unlink (path);
}

/* --- TLS --- */

static void
test_tls_serves_wss_and_links_say_so (void)
{
  g_autofree char *dir = g_dir_make_tmp ("rapport-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert_arg = g_strdup_printf ("--tls-cert=%s", cert);
  g_autofree char *key_arg = g_strdup_printf ("--tls-key=%s", key);
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(JsonNode) welcome = NULL;
  TestServer *server;
  TestClient *client;

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                              NULL);
  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));

  server = test_server_start (cert_arg, key_arg, NULL);
  g_assert_true (test_server_log_contains (server, "url=wss://"));
  url = g_strdup_printf ("wss://127.0.0.1:%u/v1", server->port);
  client = test_client_connect_url (url, NULL);
  welcome = test_client_join (client, NULL, "Mentor");
  g_assert_true (g_str_has_suffix (test_member_string (welcome, "link"), "?tls=1"));

  test_client_free (client);
  test_server_stop (server);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

/* --- the command line --- */

static void
test_help_explains_every_option_and_key (void)
{
  const char *expected[] = {
    "--config", "--bind", "--port", "--public-host", "--tls-cert", "--tls-key",
    "--allow-origin", "--grace", "--ice-server", "--turn-secret",
    "bind=", "port=", "public-host=", "tls-cert=", "tls-key=", "allow-origin=", "grace=",
    "ice-server=", "turn-secret=", "turn-ttl=", "max-rooms=", "max-connections=",
    "rate-limit=", "rate-burst=", "keepalive-interval=", "idle-timeout=", "workers=",
  };
  g_autofree char *server = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "src", "server",
                                              "rapport-server", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, server, "--help", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_true (g_subprocess_get_successful (process));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      if (strstr (out, expected[i]) == NULL)
        g_error ("--help does not mention %s", expected[i]);
    }
}

static void
test_bad_config_stops_the_server (void)
{
  g_autofree char *path = write_config ("[server]\nmax-romos=3\n");
  g_autofree char *arg = g_strdup_printf ("--config=%s", path);
  g_autofree char *server = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "src", "server",
                                              "rapport-server", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, server, arg, "--port=0",
                              NULL);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error));
  g_assert_false (g_subprocess_get_successful (process));
  g_assert_nonnull (strstr (err, "max-romos"));
  g_unlink (path);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/join/creates-room-and-welcomes-impolite",
                   test_join_creates_room_and_welcomes_impolite);
  g_test_add_func ("/server/join/second-gets-polite-seat-and-both-are-told",
                   test_join_second_gets_polite_seat_and_both_are_told);
  g_test_add_func ("/server/join/third-gets-room-full-and-others-keep-going",
                   test_join_third_gets_room_full_and_others_keep_going);
  g_test_add_func ("/server/join/unknown-room", test_join_unknown_room);
  g_test_add_func ("/server/join/link-uses-public-host", test_join_link_uses_public_host);
  g_test_add_func ("/server/relay/signal-both-ways", test_relay_signal_both_ways);
  g_test_add_func ("/server/relay/app-data-unchanged", test_relay_app_data_unchanged);
  g_test_add_func ("/server/relay/dropped-while-alone", test_relay_dropped_while_alone);
  g_test_add_func ("/server/ping/gets-pong", test_ping_gets_pong);
  g_test_add_func ("/server/bye/closes-1000-and-peer-is-told", test_bye_closes_1000_and_peer_is_told);
  g_test_add_func ("/server/bye/room-is-gone-after-both-leave", test_room_is_gone_after_both_leave);
  g_test_add_func ("/server/reconnect/within-grace-takes-back-seat",
                   test_reconnect_within_grace_takes_back_seat);
  g_test_add_func ("/server/reconnect/replaces-live-connection",
                   test_reconnect_replaces_live_connection);
  g_test_add_func ("/server/reconnect/timeout-after-grace-frees-seat",
                   test_timeout_after_grace_frees_seat);
  g_test_add_func ("/server/error/malformed-json", test_error_malformed_json);
  g_test_add_func ("/server/error/unknown-type", test_error_unknown_type);
  g_test_add_func ("/server/error/not-an-object", test_error_not_an_object);
  g_test_add_func ("/server/error/wrong-version", test_error_wrong_version);
  g_test_add_func ("/server/error/missing-version", test_error_missing_version);
  g_test_add_func ("/server/error/missing-name", test_error_missing_name);
  g_test_add_func ("/server/error/null-room", test_error_null_room);
  g_test_add_func ("/server/error/signal-without-data", test_error_signal_without_data);
  g_test_add_func ("/server/error/binary-frame", test_error_binary_frame);
  g_test_add_func ("/server/relay/from-cannot-be-spoofed", test_relay_from_cannot_be_spoofed);
  g_test_add_func ("/server/error/not-strict-json", test_error_not_strict_json);
  g_test_add_func ("/server/error/second-join", test_error_second_join);
  g_test_add_func ("/server/error/relay-before-join", test_error_relay_before_join);
  g_test_add_func ("/server/limit/oversize-frame-closes-1009",
                   test_limit_oversize_frame_closes_1009);
  g_test_add_func ("/server/limit/largest-frame-is-relayed", test_limit_largest_frame_is_relayed);
  g_test_add_func ("/server/limit/rate-flood-closes-1008", test_limit_rate_flood_closes_1008);
  g_test_add_func ("/server/limit/burst-of-fifty-is-allowed", test_limit_burst_of_fifty_is_allowed);
  g_test_add_func ("/server/limit/server-full", test_limit_server_full);
  g_test_add_func ("/server/origin/foreign-refused-403", test_origin_foreign_refused_403);
  g_test_add_func ("/server/ice/welcome-carries-stun-and-turn", test_welcome_carries_ice_servers);
  g_test_add_func ("/server/liveness/idle-connection-is-closed", test_idle_connection_is_closed);
  g_test_add_func ("/server/liveness/keepalive-pongs-keep-connection-open",
                   test_keepalive_pongs_keep_connection_open);
  g_test_add_func ("/server/tls/serves-wss-and-links-say-so", test_tls_serves_wss_and_links_say_so);
  g_test_add_func ("/server/cli/help-explains-every-option-and-key",
                   test_help_explains_every_option_and_key);
  g_test_add_func ("/server/cli/bad-config-stops-the-server", test_bad_config_stops_the_server);
  return g_test_run ();
}
