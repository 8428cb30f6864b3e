/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RP_TYPE_AGENDA_PANEL (rp_agenda_panel_get_type ())
G_DECLARE_FINAL_TYPE (RpAgendaPanel, rp_agenda_panel, RP, AGENDA_PANEL, GtkBox)

GListStore *rp_agenda_panel_get_model   (RpAgendaPanel *self);
void        rp_agenda_panel_add         (RpAgendaPanel *self, const char *title, guint minutes);
void        rp_agenda_panel_set_running (RpAgendaPanel *self, gboolean running);
void        rp_agenda_panel_focus       (RpAgendaPanel *self);

G_END_DECLS
