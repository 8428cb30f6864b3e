/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RP_TYPE_AGENDA_ITEM (rp_agenda_item_get_type ())
G_DECLARE_FINAL_TYPE (RpAgendaItem, rp_agenda_item, RP, AGENDA_ITEM, GObject)

RpAgendaItem *rp_agenda_item_new         (const char *title, guint minutes);
const char   *rp_agenda_item_get_title   (RpAgendaItem *self);
guint         rp_agenda_item_get_minutes (RpAgendaItem *self);
gboolean      rp_agenda_item_get_done    (RpAgendaItem *self);
void          rp_agenda_item_set_done    (RpAgendaItem *self, gboolean done);
guint         rp_agenda_item_get_elapsed (RpAgendaItem *self);
void          rp_agenda_item_add_second  (RpAgendaItem *self);

G_END_DECLS
