/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RP_TYPE_PARTNER (rp_partner_get_type ())
G_DECLARE_FINAL_TYPE (RpPartner, rp_partner, RP, PARTNER, GObject)

RpPartner  *rp_partner_new               (const char *name, const char *time_zone);
const char *rp_partner_get_name          (RpPartner *self);
const char *rp_partner_get_time_zone     (RpPartner *self);
const char *rp_partner_get_language      (RpPartner *self);
void        rp_partner_set_language      (RpPartner *self, const char *language);
guint       rp_partner_get_work_start    (RpPartner *self);
guint       rp_partner_get_work_end      (RpPartner *self);
GTimeZone  *rp_partner_dup_zone          (RpPartner *self);
char       *rp_partner_describe_now      (RpPartner *self, GDateTime *now, GTimeZone *own_zone);
gboolean    rp_partner_is_working_at     (RpPartner *self, GDateTime *when);

G_END_DECLS
