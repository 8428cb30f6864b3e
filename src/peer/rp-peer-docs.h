/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rp-session.h"

G_BEGIN_DECLS

/* rapport-peer's shared notes and agenda: the options (--store, --client-id, --type...,
 * --agenda...) and the JSON events they add (docs-loaded, docs-synced, notes, agenda, typing,
 * script-done, docs-error). */
GOptionGroup *rp_peer_docs_get_option_group (void);

/* Call once the options are parsed, before the session hosts or joins: sets the session's
 * client id if one was given, opens the store, and keeps the documents of the session's room
 * (loaded from the store, synced over the data channel, edited by the script) until the
 * session ends. t0_us: the process's start, for the events' t_ms. */
gboolean      rp_peer_docs_setup            (RpSession  *session,
                                             gint64      t0_us,
                                             GError    **error);

/* The --store file (NULL without one), for the other parts of rapport-peer that keep state. */
const char   *rp_peer_docs_get_store_path   (void);

G_END_DECLS
