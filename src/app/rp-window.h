/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <handy.h>

#include "rp-application.h"
#include "rp-partner-item.h"

G_BEGIN_DECLS

#define RP_TYPE_WINDOW (rp_window_get_type ())
G_DECLARE_FINAL_TYPE (RpWindow, rp_window, RP, WINDOW, HdyApplicationWindow)

RpWindow  *rp_window_new            (RpApplication *application);
void       rp_window_start_session  (RpWindow *self, RpPartnerItem *partner);
void       rp_window_join_link      (RpWindow *self, const char *link);
GtkWidget *rp_window_get_home_view  (RpWindow *self);
GtkWidget *rp_window_get_call_view  (RpWindow *self);
const char *rp_window_get_page      (RpWindow *self);

GObject    *rp_window_get_book       (RpWindow *self);
GObject    *rp_window_get_reminders  (RpWindow *self);

G_END_DECLS
