/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-schedule.h"
#include "rp-working-hours.h"

G_BEGIN_DECLS

/* What to look for: candidate starts every step_minutes of the organizer's ("me") local days
 * from `from` for `days` days, each `minutes` long, inside both people's working hours. With
 * an rrule, every one of the first `count` instances must fit too. */
typedef struct {
  GTimeZone            *me_zone;
  const RpWorkingHours *me_hours;
  GTimeZone            *partner_zone;
  const RpWorkingHours *partner_hours;
  RpLocal               from;
  guint                 days;
  guint                 minutes;
  guint                 step_minutes;   /* 0 = 30 */
  const char           *rrule;          /* NULL = a single session */
  const char           *every;          /* or "week", "2weeks", "month" (rule per start day) */
  guint                 count;          /* instances checked for a series; 0 = 12 */
} RpSlotQuery;

typedef struct {
  gint64   utc;
  guint    minutes;
  RpLocal  me_local;
  RpLocal  partner_local;
  gint     day_shift;         /* partner's date minus mine */
  double   score;             /* 0..1, higher is better */
  guint    instances;         /* instances checked (1 for a single session) */
  guint    instances_ok;      /* of which inside both people's hours */
  gboolean partner_moves;     /* the partner's clock time changes within the series */
  char    *label;             /* "Tue 22:30 — Wed 07:30, next day" */
} RpSlot;

void       rp_slot_free       (RpSlot            *slot);
char      *rp_slot_describe   (const RpLocal     *me,
                               const RpLocal     *partner);
const char *rp_day_shift_label (gint              day_shift);
GPtrArray *rp_find_slots      (const RpSlotQuery *query,
                               GError           **error);
void       rp_find_slots_async  (const RpSlotQuery  *query,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
GPtrArray *rp_find_slots_finish (GAsyncResult       *result,
                                 GError            **error);
char      *rp_rrule_for_every (const char        *every,
                               const RpLocal     *start,
                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpSlot, rp_slot_free)

G_END_DECLS
