/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-peer's event lines, byte for byte: PROTOCOL.md's readers (tests, scripts, the browser
 * interop harness) rely on one object a line, `event` and `t_ms` first, members in the order
 * they were added, a missing string as null.
 */
#include "config.h"

#include <glib.h>

#include "../src/peer/rp-peer-events.h"

static void
test_line_has_event_and_t_ms_first_then_members_in_order (void)
{
  if (g_test_subprocess ())
    {
      JsonBuilder *b = rp_peer_event_begin (g_get_monotonic_time () - 1500 * 1000,
                                            "proposal-answered");

      rp_peer_event_add_string (b, "id", "x@rapport");
      rp_peer_event_add_boolean (b, "accepted", TRUE);
      rp_peer_event_add_int (b, "minutes", 45);
      rp_peer_event_add_string (b, "slot", NULL);
      rp_peer_event_end (b);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* t_ms counts whole milliseconds from t0: 1500, or 1501 should the clock tick in between. */
  g_test_trap_assert_stdout ("{\"event\":\"proposal-answered\",\"t_ms\":150?,\"id\":\"x@rapport\","
                             "\"accepted\":true,\"minutes\":45,\"slot\":null}\n");
}

static void
test_one_string_event_is_one_escaped_line (void)
{
  if (g_test_subprocess ())
    {
      rp_peer_event_string (g_get_monotonic_time (), "error", "message", "bad \"link\"\nhere");
      rp_peer_event_string (g_get_monotonic_time (), "ended", "reason", "error");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("{\"event\":\"error\",\"t_ms\":0,"
                             "\"message\":\"bad \\\"link\\\"\\nhere\"}\n"
                             "{\"event\":\"ended\",\"t_ms\":0,\"reason\":\"error\"}\n");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer/events/line-has-event-and-t-ms-first-then-members-in-order",
                   test_line_has_event_and_t_ms_first_then_members_in_order);
  g_test_add_func ("/peer/events/one-string-event-is-one-escaped-line",
                   test_one_string_event_is_one_escaped_line);
  return g_test_run ();
}
