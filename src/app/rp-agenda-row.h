/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-agenda-entry.h"

G_BEGIN_DECLS

#define RP_TYPE_AGENDA_ROW (rp_agenda_row_get_type ())
G_DECLARE_FINAL_TYPE (RpAgendaRow, rp_agenda_row, RP, AGENDA_ROW, GtkListBoxRow)

GtkWidget    *rp_agenda_row_new         (RpAgendaEntry *item);
RpAgendaEntry *rp_agenda_row_get_item    (RpAgendaRow *self);
void          rp_agenda_row_set_current (RpAgendaRow *self, gboolean current);

G_END_DECLS
