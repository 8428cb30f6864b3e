/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-store.h"

G_BEGIN_DECLS

#define RP_TYPE_HISTORY_DIALOG (rp_history_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RpHistoryDialog, rp_history_dialog, RP, HISTORY_DIALOG, GtkDialog)

/* Past sessions found by words of their notes, agenda or title (the store's full-text search,
 * off the main loop), each with "Export as Markdown…". Emits "results-changed" after each
 * search. */
RpHistoryDialog *rp_history_dialog_new           (GtkWindow        *parent,
                                                  RpStore          *store);
/* What the dialog lists before anything is typed: the recent sessions (a GListModel of
 * RpSessionItem, as the home view's), so that the record is there to browse, not only to search. */
void             rp_history_dialog_set_recent    (RpHistoryDialog  *self,
                                                  GListModel       *recent);
void             rp_history_dialog_search        (RpHistoryDialog  *self,
                                                  const char       *query);
/* The sessions listed now: found by the last search, or the recent ones when the query is
 * empty (GPtrArray of RpSearchHit*, never NULL). */
GPtrArray       *rp_history_dialog_get_results   (RpHistoryDialog  *self);
/* Opens one session's record (when, how long, notes, the agenda as it ended and its action
 * items) in place of the list, loaded off the main loop; emits "session-shown" when it is
 * there. Its back button returns to the list. */
void             rp_history_dialog_show_session  (RpHistoryDialog  *self,
                                                  gint64            session_id);
/* The record on show, or NULL while the list is. */
const RpSessionRecord *rp_history_dialog_get_shown_session (RpHistoryDialog *self);
/* Writes the session as Markdown to file (what the export button does after its file chooser). */
void             rp_history_dialog_export_async  (RpHistoryDialog    *self,
                                                  gint64              session_id,
                                                  GFile              *file,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean         rp_history_dialog_export_finish (RpHistoryDialog  *self,
                                                  GAsyncResult     *result,
                                                  GError          **error);

G_END_DECLS
