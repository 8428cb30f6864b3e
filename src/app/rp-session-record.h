/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RP_TYPE_SESSION_RECORD (rp_session_record_get_type ())
G_DECLARE_FINAL_TYPE (RpSessionRecord, rp_session_record, RP, SESSION_RECORD, GObject)

RpSessionRecord *rp_session_record_new             (const char *partner_name,
                                                    const char *partner_zone,
                                                    GDateTime  *start,
                                                    guint       minutes);
const char      *rp_session_record_get_partner_name (RpSessionRecord *self);
const char      *rp_session_record_get_partner_zone (RpSessionRecord *self);
GDateTime       *rp_session_record_get_start        (RpSessionRecord *self);
guint            rp_session_record_get_minutes      (RpSessionRecord *self);

G_END_DECLS
