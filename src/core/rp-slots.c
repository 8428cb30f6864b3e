/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The overlap finder. "Best" means: a series whose every instance stays inside both people's
 * hours across clock changes comes first; then slots near the middle of both people's working
 * blocks (nobody gets the first or the last half hour of their day); then a series whose time
 * does not move for the partner; then the earlier slot.
 */
#include "config.h"

#include <math.h>

#include "rp-slots.h"

#define DEFAULT_STEP  30
#define DEFAULT_COUNT 12
/* A gentle nudge: a series that moves for the partner ranks below an equally central one. */
#define MOVE_PENALTY  0.1

void
rp_slot_free (RpSlot *slot)
{
  if (slot == NULL)
    return;
  g_free (slot->label);
  g_free (slot);
}

const char *
rp_day_shift_label (gint day_shift)
{
  switch (day_shift)
    {
    case 0:
      return "same day";
    case 1:
      return "next day";
    case -1:
      return "previous day";
    default:
      return day_shift > 0 ? "days later" : "days earlier";
    }
}

char *
rp_slot_describe (const RpLocal *me,
                  const RpLocal *partner)
{
  return g_strdup_printf ("%s %02d:%02d — %s %02d:%02d, %s",
                          rp_weekday_abbrev (rp_local_weekday (me)), me->hour, me->minute,
                          rp_weekday_abbrev (rp_local_weekday (partner)), partner->hour,
                          partner->minute,
                          rp_day_shift_label (rp_local_days_between (me, partner)));
}

/* TRUE if every minute of [utc, utc + minutes) is free in the person's own local time. */
static gboolean
fits (GTimeZone            *tz,
      const RpWorkingHours *hours,
      gint64                utc,
      guint                 minutes)
{
  gint32 offset = rp_zone_offset_at (tz, utc);
  gboolean one_offset = rp_zone_offset_at (tz, utc + (gint64) minutes * 60) == offset;

  for (guint i = 0; i < minutes; i++)
    {
      gint64 t = utc + (gint64) i * 60;
      RpLocal l;

      rp_local_from_naive (t + (one_offset ? offset : rp_zone_offset_at (tz, t)), &l);
      if (!rp_working_hours_is_free (hours, rp_local_weekday (&l), l.hour * 60 + l.minute))
        return FALSE;
    }
  return TRUE;
}

/* 1 in the middle of the person's working block, 0 at its edge. */
static double
centrality (GTimeZone            *tz,
            const RpWorkingHours *hours,
            gint64                utc,
            guint                 minutes)
{
  RpLocal l;
  gint start, end, at;
  double room, distance;

  rp_zone_local_at (tz, utc, &l);
  at = l.hour * 60 + l.minute;
  if (!rp_working_hours_block (hours, rp_local_weekday (&l), at, &start, &end))
    return 0.0;
  room = (end - start - (gint) minutes) / 2.0;
  if (room <= 0)
    return 1.0;
  distance = fabs ((at + minutes / 2.0) - (start + end) / 2.0);
  return CLAMP (1.0 - distance / room, 0.0, 1.0);
}

static double
instance_score (const RpSlotQuery *q,
                gint64             utc)
{
  return (centrality (q->me_zone, q->me_hours, utc, q->minutes) +
          centrality (q->partner_zone, q->partner_hours, utc, q->minutes)) / 2.0;
}

static gboolean
instance_fits (const RpSlotQuery *q,
               gint64             utc)
{
  return fits (q->me_zone, q->me_hours, utc, q->minutes) &&
         fits (q->partner_zone, q->partner_hours, utc, q->minutes);
}

/* Scores a series starting at `start`; FALSE on a bad rule. */
static gboolean
score_series (const RpSlotQuery *q,
              const RpLocal     *start,
              RpSlot            *slot,
              GError           **error)
{
  g_autofree char *every_rule = NULL;
  g_autoptr(GArray) occs = NULL;
  double total = 0;

  /* "month" means the same weekday of the month as this very start, so the rule differs
   * from one candidate day to the next. */
  if (q->every && (every_rule = rp_rrule_for_every (q->every, start, error)) == NULL)
    return FALSE;
  occs = rp_schedule_expand (q->me_zone, start, every_rule ? every_rule : q->rrule,
                             q->partner_zone, q->count ? q->count : DEFAULT_COUNT, error);
  if (occs == NULL)
    return FALSE;
  slot->instances = 0;
  slot->instances_ok = 0;
  for (guint i = 0; i < occs->len; i++)
    {
      const RpOccurrence *occ = &g_array_index (occs, RpOccurrence, i);

      slot->instances++;
      if (occ->skipped)
        continue;   /* a session lost to a clock change counts against the slot */
      slot->partner_moves |= occ->partner_moved;
      if (instance_fits (q, occ->utc))
        {
          slot->instances_ok++;
          total += instance_score (q, occ->utc);
        }
    }
  slot->score = slot->instances ? total / slot->instances : 0;
  if (slot->partner_moves)
    slot->score = MAX (0.0, slot->score - MOVE_PENALTY);
  return TRUE;
}

static RpSlot *
make_slot (const RpSlotQuery *q,
           const RpLocal     *start,
           gint64             utc)
{
  RpSlot *slot = g_new0 (RpSlot, 1);

  slot->utc = utc;
  slot->minutes = q->minutes;
  slot->me_local = *start;
  rp_zone_local_at (q->partner_zone, utc, &slot->partner_local);
  slot->day_shift = rp_local_days_between (&slot->me_local, &slot->partner_local);
  slot->label = rp_slot_describe (&slot->me_local, &slot->partner_local);
  slot->instances = 1;
  slot->instances_ok = 1;
  slot->score = instance_score (q, utc);
  return slot;
}

static gint
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const RpSlot *x = *(RpSlot * const *) a;
  const RpSlot *y = *(RpSlot * const *) b;
  gboolean x_all = x->instances_ok == x->instances;
  gboolean y_all = y->instances_ok == y->instances;
  /* Scores equal to three decimals count as equal, so that the earlier slot wins a tie. */
  gint64 xs = (gint64) round (x->score * 1000), ys = (gint64) round (y->score * 1000);

  if (x_all != y_all)
    return x_all ? -1 : 1;
  if (xs != ys)
    return xs > ys ? -1 : 1;
  return x->utc < y->utc ? -1 : x->utc > y->utc;
}

static gboolean
check_query (const RpSlotQuery *q,
             GError           **error)
{
  if (q->me_zone == NULL || q->partner_zone == NULL || q->me_hours == NULL ||
      q->partner_hours == NULL || !rp_local_is_valid (&q->from))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
                   "Both zones, both working hours and a valid start date are needed");
      return FALSE;
    }
  if (q->days < 1 || q->days > 366 || q->minutes < 1 || q->minutes > 1440 ||
      q->step_minutes > 1440 || q->count > 520)
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
                   "Out of range: days must be 1–366, minutes 1–1440, count at most 520");
      return FALSE;
    }
  return TRUE;
}

/* Returns RpSlot*s, best first. */
GPtrArray *
rp_find_slots (const RpSlotQuery *q,
               GError           **error)
{
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_slot_free);
  guint step = q->step_minutes ? q->step_minutes : DEFAULT_STEP;
  gint64 first_day;

  if (!check_query (q, error))
    return NULL;
  if (q->every)
    {
      g_autofree char *probe = rp_rrule_for_every (q->every, &q->from, error);

      if (probe == NULL)
        return NULL;
    }
  first_day = rp_local_to_naive (&q->from) - (q->from.hour * 3600 + q->from.minute * 60 +
                                              q->from.second);
  for (guint d = 0; d < q->days; d++)
    for (guint m = 0; m < 1440; m += step)
      {
        RpLocal start;
        RpResolution resolution;
        gint64 utc;
        g_autoptr(RpSlot) slot = NULL;

        rp_local_from_naive (first_day + (gint64) d * 86400 + (gint64) m * 60, &start);
        utc = rp_zone_resolve (q->me_zone, &start, &resolution, NULL);
        if (resolution == RP_RESOLUTION_GAP || !instance_fits (q, utc))
          continue;
        slot = make_slot (q, &start, utc);
        if (((q->rrule && *q->rrule) || q->every) && !score_series (q, &start, slot, error))
          return NULL;
        g_ptr_array_add (slots, g_steal_pointer (&slot));
      }
  g_ptr_array_sort (slots, compare_slots);
  return g_steal_pointer (&slots);
}

/* ---- async: a long range with a series can take a while; the UI must not wait on it ---- */

typedef struct {
  RpSlotQuery     query;
  RpWorkingHours *me_hours;
  RpWorkingHours *partner_hours;
  char           *rrule;
  char           *every;
} QueryCopy;

static void
query_copy_free (QueryCopy *c)
{
  g_clear_pointer (&c->query.me_zone, g_time_zone_unref);
  g_clear_pointer (&c->query.partner_zone, g_time_zone_unref);
  g_clear_pointer (&c->me_hours, rp_working_hours_free);
  g_clear_pointer (&c->partner_hours, rp_working_hours_free);
  g_free (c->rrule);
  g_free (c->every);
  g_free (c);
}

static QueryCopy *
query_copy (const RpSlotQuery *q)
{
  QueryCopy *c = g_new0 (QueryCopy, 1);

  c->query = *q;
  c->query.me_zone = q->me_zone ? g_time_zone_ref (q->me_zone) : NULL;
  c->query.partner_zone = q->partner_zone ? g_time_zone_ref (q->partner_zone) : NULL;
  c->me_hours = q->me_hours ? rp_working_hours_copy (q->me_hours) : NULL;
  c->partner_hours = q->partner_hours ? rp_working_hours_copy (q->partner_hours) : NULL;
  c->rrule = g_strdup (q->rrule);
  c->every = g_strdup (q->every);
  c->query.me_hours = c->me_hours;
  c->query.partner_hours = c->partner_hours;
  c->query.rrule = c->rrule;
  c->query.every = c->every;
  return c;
}

static void
find_slots_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  QueryCopy *c = task_data;
  GError *error = NULL;
  GPtrArray *slots = rp_find_slots (&c->query, &error);

  if (slots == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, slots, (GDestroyNotify) g_ptr_array_unref);
}

void
rp_find_slots_async (const RpSlotQuery  *query,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, rp_find_slots_async);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, query_copy (query), (GDestroyNotify) query_copy_free);
  g_task_run_in_thread (task, find_slots_thread);
}

GPtrArray *
rp_find_slots_finish (GAsyncResult *result,
                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *ical_days[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

/* The rule for the overlap finder's plain-language recurrences. "month" means the same weekday
 * of the month (the second Tuesday), which keeps a session off weekends, and "the last" when
 * the start is in the month's last seven days. */
char *
rp_rrule_for_every (const char    *every,
                    const RpLocal *start,
                    GError       **error)
{
  const char *day = ical_days[rp_local_weekday (start) - 1];

  if (g_strcmp0 (every, "week") == 0)
    return g_strdup ("FREQ=WEEKLY");
  if (g_strcmp0 (every, "2weeks") == 0)
    return g_strdup ("FREQ=WEEKLY;INTERVAL=2");
  if (g_strcmp0 (every, "month") == 0)
    {
      gint days_in_month = g_date_get_days_in_month (start->month, start->year);
      gint nth = start->day > days_in_month - 7 && start->day > 28 ? -1 : (start->day - 1) / 7 + 1;

      return g_strdup_printf ("FREQ=MONTHLY;BYDAY=%d%s", nth, day);
    }
  g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE,
               "Unknown recurrence “%s”: expected week, 2weeks or month", every ? every : "");
  return NULL;
}
