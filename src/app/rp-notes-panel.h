/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-notes-binding.h"
#include "rp-partner-item.h"

G_BEGIN_DECLS

#define RP_TYPE_NOTES_PANEL (rp_notes_panel_get_type ())
G_DECLARE_FINAL_TYPE (RpNotesPanel, rp_notes_panel, RP, NOTES_PANEL, GtkBox)

GtkTextBuffer *rp_notes_panel_get_buffer   (RpNotesPanel *self);
void           rp_notes_panel_set_partner  (RpNotesPanel *self, RpPartnerItem *partner);
const char    *rp_notes_panel_get_language (RpNotesPanel *self);
void           rp_notes_panel_focus        (RpNotesPanel *self);
void           rp_notes_panel_set_binding  (RpNotesPanel *self, RpNotesBinding *binding);
RpNotesBinding *rp_notes_panel_get_binding (RpNotesPanel *self);

G_END_DECLS
