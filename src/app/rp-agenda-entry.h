/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RP_TYPE_AGENDA_ENTRY (rp_agenda_entry_get_type ())
G_DECLARE_FINAL_TYPE (RpAgendaEntry, rp_agenda_entry, RP, AGENDA_ENTRY, GObject)

RpAgendaEntry *rp_agenda_entry_new         (const char *title, guint minutes);
const char   *rp_agenda_entry_get_title   (RpAgendaEntry *self);
guint         rp_agenda_entry_get_minutes (RpAgendaEntry *self);
gboolean      rp_agenda_entry_get_done    (RpAgendaEntry *self);
void          rp_agenda_entry_set_done    (RpAgendaEntry *self, gboolean done);
guint         rp_agenda_entry_get_elapsed (RpAgendaEntry *self);
void          rp_agenda_entry_add_second  (RpAgendaEntry *self);

G_END_DECLS
