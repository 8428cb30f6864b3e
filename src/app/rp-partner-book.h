/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-partner.h"
#include "rp-session-record.h"

G_BEGIN_DECLS

#define RP_TYPE_PARTNER_BOOK (rp_partner_book_get_type ())
G_DECLARE_FINAL_TYPE (RpPartnerBook, rp_partner_book, RP, PARTNER_BOOK, GObject)

RpPartnerBook *rp_partner_book_new            (GFile *file);
void           rp_partner_book_load_async     (RpPartnerBook       *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       rp_partner_book_load_finish    (RpPartnerBook  *self,
                                               GAsyncResult   *result,
                                               GError        **error);
GListModel    *rp_partner_book_get_partners   (RpPartnerBook *self);
GListModel    *rp_partner_book_get_upcoming   (RpPartnerBook *self);
GListModel    *rp_partner_book_get_recent     (RpPartnerBook *self);
RpPartner     *rp_partner_book_find_partner   (RpPartnerBook *self, const char *name);
gboolean       rp_partner_book_add_partner    (RpPartnerBook  *self,
                                               const char     *name,
                                               const char     *time_zone,
                                               GError        **error);
void           rp_partner_book_add_recent     (RpPartnerBook *self, RpSessionRecord *record);

G_END_DECLS
