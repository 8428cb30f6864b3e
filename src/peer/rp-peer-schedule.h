/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rp-session.h"

G_BEGIN_DECLS

/* rapport-peer's scheduling proposals: the options (--propose, --accept-proposals) and the
 * JSON events they add (proposal-queued, proposal-received, proposal-answered,
 * session-scheduled, schedule-error). docs/PROTOCOL.md, "rapport-peer command line". */
GOptionGroup *rp_peer_schedule_get_option_group (void);

/* Call once the options are parsed, before the session hosts or joins: opens the store
 * (--store, else a temporary one), queues the --propose proposal and exchanges proposals over
 * the session's data channel until it ends. t0_us: the process's start, for the events' t_ms. */
gboolean      rp_peer_schedule_setup            (RpSession  *session,
                                                 gint64      t0_us,
                                                 GError    **error);

G_END_DECLS
