/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "rp-store-records.h"

G_BEGIN_DECLS

#define RP_TYPE_PARTNER_ITEM (rp_partner_item_get_type ())
G_DECLARE_FINAL_TYPE (RpPartnerItem, rp_partner_item, RP, PARTNER_ITEM, GObject)

RpPartnerItem  *rp_partner_item_new               (const char *name, const char *time_zone);
const char *rp_partner_item_get_name          (RpPartnerItem *self);
const char *rp_partner_item_get_time_zone     (RpPartnerItem *self);
const char *rp_partner_item_get_language      (RpPartnerItem *self);
void        rp_partner_item_set_language      (RpPartnerItem *self, const char *language);
guint       rp_partner_item_get_work_start    (RpPartnerItem *self);
guint       rp_partner_item_get_work_end      (RpPartnerItem *self);
GTimeZone  *rp_partner_item_dup_zone          (RpPartnerItem *self);
char       *rp_partner_item_describe_now      (RpPartnerItem *self, GDateTime *now, GTimeZone *own_zone);
gboolean    rp_partner_item_is_working_at     (RpPartnerItem *self, GDateTime *when);

RpPartnerItem *rp_partner_item_new_from_record (const RpPartner *record);
gint64         rp_partner_item_get_id          (RpPartnerItem *self);

G_END_DECLS
