/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-peer's output (PROTOCOL.md, "rapport-peer command line"): each event is one JSON
 * object on one line of stdout, `event` and `t_ms` first, flushed at once so that whoever
 * reads the peer sees it while the peer runs. One home for the parts of rapport-peer that
 * print events (the session, the shared docs, the scheduling).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A new event object; t_ms counts from t0_us (the process's start, monotonic clock). */
JsonBuilder *rp_peer_event_begin       (gint64       t0_us,
                                        const char  *event);
/* Closes the object, prints it as one line and frees the builder. */
void         rp_peer_event_end         (JsonBuilder *b);

/* A NULL value is written as null. */
void         rp_peer_event_add_string  (JsonBuilder *b,
                                        const char  *key,
                                        const char  *value);
void         rp_peer_event_add_int     (JsonBuilder *b,
                                        const char  *key,
                                        gint64       value);
void         rp_peer_event_add_boolean (JsonBuilder *b,
                                        const char  *key,
                                        gboolean     value);

/* An event with one string member. */
void         rp_peer_event_string      (gint64       t0_us,
                                        const char  *event,
                                        const char  *key,
                                        const char  *value);

G_END_DECLS
