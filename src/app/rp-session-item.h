/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "rp-store-records.h"

G_BEGIN_DECLS

#define RP_TYPE_SESSION_ITEM (rp_session_item_get_type ())
G_DECLARE_FINAL_TYPE (RpSessionItem, rp_session_item, RP, SESSION_ITEM, GObject)

RpSessionItem *rp_session_item_new             (const char *partner_name,
                                                    const char *partner_zone,
                                                    GDateTime  *start,
                                                    guint       minutes);
const char      *rp_session_item_get_partner_name (RpSessionItem *self);
const char      *rp_session_item_get_partner_zone (RpSessionItem *self);
GDateTime       *rp_session_item_get_start        (RpSessionItem *self);
guint            rp_session_item_get_minutes      (RpSessionItem *self);

RpSessionItem         *rp_session_item_new_from_record (const RpSessionRecord *record,
                                                        const char            *partner_name,
                                                        const char            *partner_zone,
                                                        gint64                 start,
                                                        guint                  minutes);
const RpSessionRecord *rp_session_item_get_record      (RpSessionItem         *self);

G_END_DECLS
