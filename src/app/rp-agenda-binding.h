/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-agenda.h"

G_BEGIN_DECLS

#define RP_TYPE_AGENDA_BINDING (rp_agenda_binding_get_type ())
G_DECLARE_FINAL_TYPE (RpAgendaBinding, rp_agenda_binding, RP, AGENDA_BINDING, GObject)

/* Keeps the agenda panel's list (a GListStore of RpAgendaEntry) and the shared agenda document
 * equal: adding, removing, moving and ticking off entries become operations on the document;
 * the document's changes (the partner's, or merged) rebuild the list, keeping the entries (and
 * their running timers) whose item is unchanged. The list's entries are replaced by the
 * document's at once. */
RpAgendaBinding *rp_agenda_binding_new       (GListStore      *entries,
                                              RpAgenda        *agenda);
RpAgenda        *rp_agenda_binding_get_agenda (RpAgendaBinding *self);

G_END_DECLS
