/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-room.h"
#include "rp-turn.h"

#define ID "0123456789abcdef0123456789abcdef"

static void
test_credential_known_value (void)
{
  g_autofree char *username = rp_turn_username (1767225600, ID);
  /* Computed independently with Python's hmac module. */
  g_autofree char *credential = rp_turn_credential ("north-wind", username);

  g_assert_cmpstr (username, ==, "1767225600:" ID);
  g_assert_cmpstr (credential, ==, "eGbjiynFokqAz2jDR6W46n16L+E=");
}

static void
test_ice_servers_split_stun_and_turn (void)
{
  const char *urls[] = { "stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp",
                         "turns:127.0.0.1:5349", NULL };
  g_autoptr(JsonNode) node = rp_turn_ice_servers (urls, "north-wind", 600, ID, 1767225000);
  JsonArray *servers = json_node_get_array (node);
  JsonObject *stun = json_array_get_object_element (servers, 0);
  JsonObject *turn = json_array_get_object_element (servers, 1);

  g_assert_cmpuint (json_array_get_length (servers), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (stun, "urls")), ==, 1);
  g_assert_false (json_object_has_member (stun, "username"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (turn, "urls")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (turn, "username"), ==, "1767225600:" ID);
  g_assert_cmpstr (json_object_get_string_member (turn, "credential"), ==,
                   "eGbjiynFokqAz2jDR6W46n16L+E=");
}

static void
test_ice_servers_turn_needs_secret (void)
{
  const char *urls[] = { "turn:127.0.0.1:3478", NULL };
  g_autoptr(JsonNode) without = rp_turn_ice_servers (urls, NULL, 600, ID, 0);
  g_autoptr(JsonNode) none = rp_turn_ice_servers (NULL, "s", 600, ID, 0);

  g_assert_cmpuint (json_array_get_length (json_node_get_array (without)), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
}

static void
test_url_must_be_stun_or_turn (void)
{
  g_assert_true (rp_turn_url_is_valid ("stun:example.org"));
  g_assert_true (rp_turn_url_is_valid ("turns:example.org:5349?transport=tcp"));
  g_assert_false (rp_turn_url_is_valid ("http://example.org"));
  g_assert_false (rp_turn_url_is_valid ("turn:"));
  g_assert_false (rp_turn_url_is_valid (NULL));
}

static void
test_room_returning_client_gets_own_seat (void)
{
  g_autoptr(RpRoom) room = rp_room_new ("abcdefghijklmnopqrstuv");

  g_assert_cmpint (rp_room_pick_seat (room, ID), ==, 0);
  room->seats[0].id = g_strdup (ID);
  g_assert_cmpint (rp_room_pick_seat (room, "ffffffffffffffffffffffffffffffff"), ==, 1);
  room->seats[1].id = g_strdup ("ffffffffffffffffffffffffffffffff");
  g_assert_cmpint (rp_room_pick_seat (room, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"), ==, -1);
  g_assert_cmpint (rp_room_pick_seat (room, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"), ==, 1);
  g_assert_true (rp_room_other_seat (room, &room->seats[1]) == &room->seats[0]);
  rp_seat_free (&room->seats[0]);
  g_assert_false (rp_room_is_empty (room));
  rp_seat_free (&room->seats[1]);
  g_assert_true (rp_room_is_empty (room));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/turn/credential/known-value", test_credential_known_value);
  g_test_add_func ("/turn/ice-servers/split-stun-and-turn", test_ice_servers_split_stun_and_turn);
  g_test_add_func ("/turn/ice-servers/turn-needs-secret", test_ice_servers_turn_needs_secret);
  g_test_add_func ("/turn/url/must-be-stun-or-turn", test_url_must_be_stun_or_turn);
  g_test_add_func ("/room/seat/returning-client-gets-own-seat",
                   test_room_returning_client_gets_own_seat);
  return g_test_run ();
}
