/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RP_TYPE_APPLICATION (rp_application_get_type ())
G_DECLARE_FINAL_TYPE (RpApplication, rp_application, RP, APPLICATION, GtkApplication)

RpApplication *rp_application_new          (GApplicationFlags flags);
GSettings     *rp_application_get_settings (RpApplication *self);

G_END_DECLS
