/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "rp-peer-events.h"

JsonBuilder *
rp_peer_event_begin (gint64      t0_us,
                     const char *event)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  rp_peer_event_add_string (b, "event", event);
  rp_peer_event_add_int (b, "t_ms", (g_get_monotonic_time () - t0_us) / 1000);
  return b;
}

void
rp_peer_event_end (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  g_print ("%s\n", text);
  /* Readers follow the peer as it runs; stdout to a pipe or a file is block-buffered. */
  fflush (stdout);
  g_object_unref (b);
}

void
rp_peer_event_add_string (JsonBuilder *b,
                          const char  *key,
                          const char  *value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, value);
}

void
rp_peer_event_add_int (JsonBuilder *b,
                       const char  *key,
                       gint64       value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, value);
}

void
rp_peer_event_add_boolean (JsonBuilder *b,
                           const char  *key,
                           gboolean     value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_boolean_value (b, value);
}

void
rp_peer_event_string (gint64      t0_us,
                      const char *event,
                      const char *key,
                      const char *value)
{
  JsonBuilder *b = rp_peer_event_begin (t0_us, event);

  rp_peer_event_add_string (b, key, value);
  rp_peer_event_end (b);
}
