/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <handy.h>

G_BEGIN_DECLS

#define RP_TYPE_PREFERENCES_WINDOW (rp_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (RpPreferencesWindow, rp_preferences_window, RP, PREFERENCES_WINDOW,
                      HdyPreferencesWindow)

RpPreferencesWindow *rp_preferences_window_new (GSettings *settings);

G_END_DECLS
