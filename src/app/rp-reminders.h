/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-partner-book.h"

G_BEGIN_DECLS

#define RP_TYPE_REMINDERS (rp_reminders_get_type ())
G_DECLARE_FINAL_TYPE (RpReminders, rp_reminders, RP, REMINDERS, GObject)

/* Desktop notifications ("reminder-minutes" before each planned session, or series instance,
 * in the book's Upcoming list) with a Join button: the application action "join-session"
 * (a session uid), which this object adds to the application. Emits "reminded" (uid,
 * session instant in Unix seconds) for each notification sent. */
RpReminders *rp_reminders_new          (GApplication  *application,
                                        RpPartnerBook *book,
                                        GSettings     *settings);
/* The next reminder due (Unix seconds) and its session's uid; FALSE if none is planned. */
gboolean     rp_reminders_get_next     (RpReminders   *self,
                                        gint64        *reminder_utc,
                                        const char   **uid);

G_END_DECLS
