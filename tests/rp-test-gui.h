/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test plumbing shared by the tests that drive the app's windows: wait for a state (a watchdog
 * turns a hang into a failure that says what was awaited), a template's child, a picture of a
 * window to look at.
 */
#pragma once

#include <gtk/gtk.h>

#include "rp-application.h"

G_BEGIN_DECLS

typedef gboolean (*RpTestCondition) (gpointer data);

/* Iterates the default main context until condition (data) holds, rechecking at least every
 * 100 ms; after 60 s the test fails, naming `what`. */
void     rp_test_gui_wait          (const char     *what,
                                    RpTestCondition condition,
                                    gpointer        data);

/* The child `name` of widget's template (declared by class `type`); the test fails without. */
gpointer rp_test_gui_template_child (gpointer    widget,
                                     GType       type,
                                     const char *name);

/* With RAPPORT_SCREENSHOT_DIR set, the widget as drawn after settle_us of main-loop time is
 * kept there as `name` (a PNG), to look at; otherwise nothing. */
void     rp_test_gui_maybe_grab    (GtkWidget  *widget,
                                    const char *name,
                                    gint64      settle_us);

/* *shared, made and registered (not unique) on first use, set for calls with test sources, no
 * speaker, no call sounds or reminders, showing times in `zone`. */
RpApplication *rp_test_gui_call_app (RpApplication **shared,
                                     const char     *zone);

G_END_DECLS
