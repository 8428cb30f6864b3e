/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-partner-item.h"
#include "rp-session-item.h"
#include "rp-store.h"

G_BEGIN_DECLS

#define RP_TYPE_PARTNER_BOOK (rp_partner_book_get_type ())
G_DECLARE_FINAL_TYPE (RpPartnerBook, rp_partner_book, RP, PARTNER_BOOK, GObject)

/* path: the store's database file, NULL = rp_store_get_default_path (). */
RpPartnerBook   *rp_partner_book_new            (const char *path);
/* Opens the store on a worker thread and fills the lists. */
void             rp_partner_book_load_async     (RpPartnerBook       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean         rp_partner_book_load_finish    (RpPartnerBook  *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);
/* Reads the lists again from the store (after something else wrote to it). */
gboolean         rp_partner_book_reload         (RpPartnerBook  *self,
                                                 GError        **error);
/* NULL until loaded. */
RpStore         *rp_partner_book_get_store      (RpPartnerBook *self);
GListModel      *rp_partner_book_get_partners   (RpPartnerBook *self);
GListModel      *rp_partner_book_get_upcoming   (RpPartnerBook *self);
GListModel      *rp_partner_book_get_recent     (RpPartnerBook *self);
RpPartnerItem   *rp_partner_book_find_partner   (RpPartnerBook *self, const char *name);
gboolean         rp_partner_book_add_partner    (RpPartnerBook  *self,
                                                 const char     *name,
                                                 const char     *time_zone,
                                                 GError        **error);
/* Stores a session starting now with partner (or none), its agenda holding the open action
 * items carried over from the last session with that partner. */
RpSessionRecord *rp_partner_book_begin_session  (RpPartnerBook  *self,
                                                 RpPartnerItem  *partner,
                                                 GError        **error);
/* Writes every field of a stored session and refreshes the lists. */
gboolean         rp_partner_book_save_session   (RpPartnerBook          *self,
                                                 const RpSessionRecord  *record,
                                                 GError                **error);
/* Stores a planned session (it shows under Upcoming). */
gboolean         rp_partner_book_add_planned    (RpPartnerBook    *self,
                                                 RpSessionRecord  *record,
                                                 GError          **error);

G_END_DECLS
