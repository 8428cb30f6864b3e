/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How long the scheduling rules take, for the figures in reports: prints one line per case,
 * never fails on time. Run: build/tests/bench/bench-schedule (or meson test --benchmark).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rp-ical.h"
#include "rp-schedule.h"
#include "rp-slots.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
bench_resolve (void)
{
  g_autoptr(GTimeZone) tz = rp_zone_new ("America/New_York", NULL);
  RpLocal l = { 2026, 1, 1, 0, 30, 0 };
  gint64 naive = rp_local_to_naive (&l), sum = 0;
  guint n = 200000;
  double t0 = now_ms (), ms;

  for (guint i = 0; i < n; i++)
    {
      RpLocal x;

      rp_local_from_naive (naive + (gint64) i * 1800, &x);
      sum += rp_zone_resolve (tz, &x, NULL, NULL);
    }
  ms = now_ms () - t0;
  printf ("{\"bench\":\"resolve\",\"n\":%u,\"ms\":%.1f,\"per_s\":%.0f,\"check\":%" G_GINT64_FORMAT "}\n",
          n, ms, n / (ms / 1000.0), sum % 1000);
}

static void
bench_expand (void)
{
  g_autoptr(GTimeZone) tz = rp_zone_new ("Europe/London", NULL);
  g_autoptr(GTimeZone) partner = rp_zone_new ("Australia/Sydney", NULL);
  RpLocal start = { 2026, 3, 2, 21, 0, 0 };
  double t0 = now_ms (), ms;
  g_autoptr(GArray) occs = rp_schedule_expand (tz, &start, "FREQ=WEEKLY", partner, 520, NULL);

  ms = now_ms () - t0;
  printf ("{\"bench\":\"expand-weekly-10-years-with-partner\",\"instances\":%u,\"ms\":%.1f}\n",
          occs->len, ms);
}

static void
bench_slots (void)
{
  g_autoptr(GTimeZone) me = rp_zone_new ("Europe/London", NULL);
  g_autoptr(GTimeZone) partner = rp_zone_new ("Australia/Sydney", NULL);
  g_autoptr(RpWorkingHours) mh = rp_working_hours_parse ("Mon-Fri 07:00-23:00", NULL);
  g_autoptr(RpWorkingHours) ph = rp_working_hours_parse ("Mon-Fri 06:00-22:00", NULL);
  RpSlotQuery q = { me, mh, partner, ph, { 2026, 3, 2, 0, 0, 0 }, 30, 60, 15, NULL, "week", 12 };
  double t0 = now_ms (), ms;
  g_autoptr(GPtrArray) slots = rp_find_slots (&q, NULL);

  ms = now_ms () - t0;
  printf ("{\"bench\":\"slots-30-days-step-15-weekly-x12\",\"slots\":%u,\"ms\":%.1f}\n",
          slots->len, ms);
}

static void
bench_ical (void)
{
  g_autoptr(RpMeeting) m = rp_meeting_new ();
  guint n = 200;
  double t0, export_ms, import_ms;
  g_autofree char *ics = NULL;

  m->uid = g_strdup ("bench@rapport");
  m->zone = g_strdup ("America/New_York");
  m->start = (RpLocal) { 2026, 3, 2, 9, 0, 0 };
  m->rrule = g_strdup ("FREQ=WEEKLY;COUNT=52");
  m->summary = g_strdup ("Mentoring");
  t0 = now_ms ();
  for (guint i = 0; i < n; i++)
    {
      g_free (ics);
      ics = rp_ical_export (&m, 1, "REQUEST", NULL);
    }
  export_ms = (now_ms () - t0) / n;
  t0 = now_ms ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GPtrArray) ms = NULL;

      rp_ical_import (ics, -1, &ms, NULL, NULL);
    }
  import_ms = (now_ms () - t0) / n;
  printf ("{\"bench\":\"ical\",\"bytes\":%zu,\"export_ms\":%.2f,\"import_ms\":%.2f}\n",
          strlen (ics), export_ms, import_ms);
}

int
main (void)
{
  bench_resolve ();
  bench_expand ();
  bench_slots ();
  bench_ical ();
  return 0;
}
