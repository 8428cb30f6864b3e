/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RP_TYPE_WORKING_HOURS (rp_working_hours_get_type ())

/* When a person is available, per weekday, in their own local time. Written as text like
 * "Mon-Fri 09:00-17:00" or "Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-13:00" (see the
 * README); a range whose end is before its start runs past midnight into the next day; ranges
 * without days ("09:00-17:00") mean Monday to Friday. */
typedef struct _RpWorkingHours RpWorkingHours;

GType           rp_working_hours_get_type     (void) G_GNUC_CONST;
RpWorkingHours *rp_working_hours_parse        (const char           *text,
                                               GError              **error);
RpWorkingHours *rp_working_hours_copy         (const RpWorkingHours *self);
void            rp_working_hours_free         (RpWorkingHours       *self);
char           *rp_working_hours_to_string    (const RpWorkingHours *self);
gboolean        rp_working_hours_is_free      (const RpWorkingHours *self,
                                               gint                  weekday,
                                               gint                  minute_of_day);
gboolean        rp_working_hours_block        (const RpWorkingHours *self,
                                               gint                  weekday,
                                               gint                  minute_of_day,
                                               gint                 *block_start,
                                               gint                 *block_end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpWorkingHours, rp_working_hours_free)

G_END_DECLS
