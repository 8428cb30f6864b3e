/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scheduling rules: RFC 5545 resolution of local times, recurrence in the organizer's
 * clock, working hours, the overlap finder, reminders and proposals. Expected instants were
 * worked out by hand from the tz database's rules, not by running this code.
 */
#include "config.h"

#include "rp-proposal.h"
#include "rp-schedule.h"
#include "rp-slots.h"
#include "rp-working-hours.h"

static RpLocal
L (const char *text)
{
  RpLocal l;
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_local_parse (text, &l, &error));
  g_assert_no_error (error);
  return l;
}

static GTimeZone *
Z (const char *id)
{
  g_autoptr(GError) error = NULL;
  GTimeZone *tz = rp_zone_new (id, &error);

  g_assert_no_error (error);
  return tz;
}

static void
assert_resolves (const char  *zone,
                 const char  *local,
                 const char  *expected_utc,
                 RpResolution expected)
{
  g_autoptr(GTimeZone) tz = Z (zone);
  RpLocal l = L (local);
  RpResolution resolution;
  g_autofree char *utc = rp_utc_format (rp_zone_resolve (tz, &l, &resolution, NULL));

  g_assert_cmpstr (utc, ==, expected_utc);
  g_assert_cmpstr (rp_resolution_to_string (resolution), ==, rp_resolution_to_string (expected));
}

static void
test_gap_uses_offset_before (void)
{
  /* RFC 5545 §3.3.5's own example: 02:30 does not exist on 2007-03-11 in New York. */
  assert_resolves ("America/New_York", "2007-03-11T02:30", "2007-03-11T07:30:00Z", RP_RESOLUTION_GAP);
}

static void
test_overlap_uses_first_occurrence (void)
{
  assert_resolves ("America/New_York", "2007-11-04T01:30", "2007-11-04T05:30:00Z", RP_RESOLUTION_OVERLAP);
  assert_resolves ("America/New_York", "2007-11-04T02:30", "2007-11-04T07:30:00Z", RP_RESOLUTION_EXACT);
  assert_resolves ("America/New_York", "2007-11-04T00:59", "2007-11-04T04:59:00Z", RP_RESOLUTION_EXACT);
}

static void
test_half_and_quarter_hour_zones (void)
{
  assert_resolves ("Asia/Kolkata", "2026-03-10T09:00", "2026-03-10T03:30:00Z", RP_RESOLUTION_EXACT);
  assert_resolves ("Asia/Kathmandu", "2026-03-10T09:00", "2026-03-10T03:15:00Z", RP_RESOLUTION_EXACT);
  /* Kathmandu moved from +05:30 to +05:45 on 1986-01-01: 00:00–00:14 that night never was. */
  assert_resolves ("Asia/Kathmandu", "1986-01-01T00:10", "1985-12-31T18:40:00Z", RP_RESOLUTION_GAP);
}

static void
test_lord_howe_half_hour_shift (void)
{
  /* Lord Howe Island moves its clocks by 30 minutes: +10:30 ↔ +11:00. */
  assert_resolves ("Australia/Lord_Howe", "2026-10-04T02:15", "2026-10-03T15:45:00Z", RP_RESOLUTION_GAP);
  assert_resolves ("Australia/Lord_Howe", "2026-10-04T02:30", "2026-10-03T15:30:00Z", RP_RESOLUTION_EXACT);
  assert_resolves ("Australia/Lord_Howe", "2026-04-05T01:45", "2026-04-04T14:45:00Z", RP_RESOLUTION_OVERLAP);
  assert_resolves ("Australia/Lord_Howe", "2026-04-05T01:15", "2026-04-04T14:15:00Z", RP_RESOLUTION_EXACT);
}

static void
test_southern_hemisphere_opposite_dst (void)
{
  /* In January Sydney is on summer time (+11) and London on winter time (+0); in July the
   * other way round (+10, +1): the gap between them is 11 hours, then 9. */
  assert_resolves ("Australia/Sydney", "2026-01-15T08:00", "2026-01-14T21:00:00Z", RP_RESOLUTION_EXACT);
  assert_resolves ("Europe/London", "2026-01-14T21:00", "2026-01-14T21:00:00Z", RP_RESOLUTION_EXACT);
  assert_resolves ("Australia/Sydney", "2026-07-15T08:00", "2026-07-14T22:00:00Z", RP_RESOLUTION_EXACT);
  assert_resolves ("Europe/London", "2026-07-14T23:00", "2026-07-14T22:00:00Z", RP_RESOLUTION_EXACT);
  /* Sydney's own gap on 2026-10-04 (02:00 → 03:00). */
  assert_resolves ("Australia/Sydney", "2026-10-04T02:30", "2026-10-03T16:30:00Z", RP_RESOLUTION_GAP);
}

static void
test_unknown_zone_is_error_not_utc (void)
{
  g_autoptr(GError) error = NULL;
  GTimeZone *tz = rp_zone_new ("Europe/Atlantis", &error);

  g_assert_null (tz);
  g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_UNKNOWN_ZONE);
  g_clear_error (&error);
  g_assert_null (rp_zone_new ("", &error));
  g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_UNKNOWN_ZONE);
}

static void
test_malformed_local_time_is_error (void)
{
  const char *bad[] = { "2026-02-30T10:00", "2026-13-01T10:00", "2026-01-01T24:00",
                        "2026-01-01", "2026-1-1T10:00", "yesterday", "2026-01-01T10:00Z", "" };
  RpLocal l;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (rp_local_parse (bad[i], &l, &error));
      g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_TIME);
    }
  g_assert_true (rp_local_parse ("2024-02-29T23:59:59", &l, NULL));
  g_assert_cmpint (l.second, ==, 59);
}

static GArray *
expand (const char *zone,
        const char *start,
        const char *rule,
        const char *partner,
        guint       max)
{
  g_autoptr(GTimeZone) tz = Z (zone);
  g_autoptr(GTimeZone) ptz = partner ? Z (partner) : NULL;
  g_autoptr(GError) error = NULL;
  RpLocal s = L (start);
  GArray *occs = rp_schedule_expand (tz, &s, rule, ptz, max, &error);

  g_assert_no_error (error);
  g_assert_nonnull (occs);
  return occs;
}

#define OCC(a, i) (&g_array_index ((a), RpOccurrence, (i)))

static void
assert_occ (const RpOccurrence *occ,
            const char         *local,
            const char         *utc)
{
  g_autofree char *l = rp_local_format (&occ->local);
  g_autofree char *u = rp_utc_format (occ->utc);

  g_assert_cmpstr (l, ==, local);
  if (utc)
    g_assert_cmpstr (u, ==, utc);
}

static void
test_gap_instance_skipped_not_shifted (void)
{
  g_autoptr(GArray) occs = expand ("America/New_York", "2007-03-04T02:30",
                                   "FREQ=WEEKLY;COUNT=3", NULL, 100);

  /* Four entries: three instances and the one in the gap, which does not count. */
  g_assert_cmpuint (occs->len, ==, 4);
  assert_occ (OCC (occs, 0), "2007-03-04T02:30", "2007-03-04T07:30:00Z");
  g_assert_true (OCC (occs, 1)->skipped);
  assert_occ (OCC (occs, 1), "2007-03-11T02:30", NULL);
  assert_occ (OCC (occs, 2), "2007-03-18T02:30", "2007-03-18T06:30:00Z");
  assert_occ (OCC (occs, 3), "2007-03-25T02:30", "2007-03-25T06:30:00Z");
  g_assert_false (OCC (occs, 3)->skipped);
}

static void
test_series_keeps_local_time_across_dst (void)
{
  g_autoptr(GArray) occs = expand ("Europe/Berlin", "2026-03-24T09:00", "FREQ=WEEKLY;COUNT=2",
                                   NULL, 100);

  assert_occ (OCC (occs, 0), "2026-03-24T09:00", "2026-03-24T08:00:00Z");
  assert_occ (OCC (occs, 1), "2026-03-31T09:00", "2026-03-31T07:00:00Z");
}

static void
test_series_across_both_zones_dst_same_month (void)
{
  /* March 2026: New York springs forward on the 8th, London on the 29th. A New York Monday
   * 09:00 series is 14:00 in London, then 13:00 for three weeks, then 14:00 again. */
  g_autoptr(GArray) occs = expand ("America/New_York", "2026-03-02T09:00", "FREQ=WEEKLY;COUNT=6",
                                   "Europe/London", 100);
  const char *london[] = { "14:00", "13:00", "13:00", "13:00", "14:00", "14:00" };
  const gboolean moved[] = { FALSE, TRUE, FALSE, FALSE, TRUE, FALSE };

  g_assert_cmpuint (occs->len, ==, 6);
  for (guint i = 0; i < occs->len; i++)
    {
      g_autofree char *t = rp_local_format_time (&OCC (occs, i)->partner_local);

      g_assert_cmpstr (t, ==, london[i]);
      g_assert_cmpint (OCC (occs, i)->partner_moved, ==, moved[i]);
    }
  {
    g_autofree char *before = rp_local_format_time (&OCC (occs, 4)->partner_previous);

    g_assert_cmpstr (before, ==, "13:00");   /* "from 30 March this is 14:00, not 13:00" */
  }
}

static void
test_opposite_dst_moves_twice_for_partner (void)
{
  /* London organizer, Monday 21:00; Sydney partner. London springs forward on 29 March,
   * Sydney falls back on 5 April: 08:00 → 07:00 → 06:00 on Tuesday mornings. */
  g_autoptr(GArray) occs = expand ("Europe/London", "2026-03-23T21:00", "FREQ=WEEKLY;COUNT=3",
                                   "Australia/Sydney", 100);
  const char *sydney[] = { "2026-03-24T08:00", "2026-03-31T07:00", "2026-04-07T06:00" };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *t = rp_local_format (&OCC (occs, i)->partner_local);

      g_assert_cmpstr (t, ==, sydney[i]);
      g_assert_cmpint (OCC (occs, i)->partner_day_shift, ==, 1);
      g_assert_cmpint (OCC (occs, i)->partner_moved, ==, i > 0);
    }
}

static void
test_lord_howe_half_hour_move_flagged (void)
{
  /* Lord Howe moves its clocks by 30 minutes on 4 October 2026; a Tokyo partner (no DST)
   * sees the session 30 minutes earlier from then on. */
  g_autoptr(GArray) occs = expand ("Australia/Lord_Howe", "2026-09-28T09:00", "FREQ=WEEKLY;COUNT=3",
                                   "Asia/Tokyo", 100);
  const char *tokyo[] = { "07:30", "07:00", "07:00" };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *t = rp_local_format_time (&OCC (occs, i)->partner_local);

      g_assert_cmpstr (t, ==, tokyo[i]);
      g_assert_cmpint (OCC (occs, i)->partner_moved, ==, i == 1);
    }
}

static void
test_every_two_weeks_and_monthly (void)
{
  RpLocal start = L ("2026-03-10T09:00");   /* the second Tuesday of March */
  g_autofree char *fortnight = rp_rrule_for_every ("2weeks", &start, NULL);
  g_autofree char *month = rp_rrule_for_every ("month", &start, NULL);
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (month, ==, "FREQ=MONTHLY;BYDAY=2TU");
  /* What the app proposes must pass the proposal's own check of a peer's rule. */
  g_assert_true (rp_schedule_rule_is_plain (fortnight));
  g_assert_true (rp_schedule_rule_is_plain (month));
  g_assert_true (rp_schedule_rule_is_plain ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6"));
  g_assert_false (rp_schedule_rule_is_plain ("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2"));
  g_assert_false (rp_schedule_rule_is_plain ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"));
  a = expand ("Europe/Berlin", "2026-03-10T09:00", fortnight, NULL, 3);
  assert_occ (OCC (a, 1), "2026-03-24T09:00", NULL);
  assert_occ (OCC (a, 2), "2026-04-07T09:00", NULL);
  b = expand ("Europe/Berlin", "2026-03-10T09:00", month, NULL, 3);
  assert_occ (OCC (b, 1), "2026-04-14T09:00", NULL);
  assert_occ (OCC (b, 2), "2026-05-12T09:00", NULL);
  g_assert_null (rp_rrule_for_every ("fortnightly-ish", &start, &error));
  g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE);
}

static void
test_monthly_31st_skips_short_months (void)
{
  g_autoptr(GArray) occs = expand ("Europe/Berlin", "2026-01-31T10:00", "FREQ=MONTHLY;COUNT=3",
                                   NULL, 100);

  g_assert_cmpuint (occs->len, ==, 3);
  assert_occ (OCC (occs, 1), "2026-03-31T10:00", NULL);
  assert_occ (OCC (occs, 2), "2026-05-31T10:00", NULL);
}

static void
test_until_in_utc_is_respected (void)
{
  g_autoptr(GArray) occs = expand ("Europe/Berlin", "2026-03-03T09:00",
                                   "FREQ=WEEKLY;UNTIL=20260317T080000Z", NULL, 100);

  g_assert_cmpuint (occs->len, ==, 3);   /* 3, 10, 17 March; 17 March 09:00 CET is 08:00Z */
}

static void
test_invalid_rule_is_error (void)
{
  g_autoptr(GTimeZone) tz = Z ("Europe/Berlin");
  RpLocal s = L ("2026-03-03T09:00");
  const char *bad[] = { "FREQ=SOMETIMES", "COUNT=3", "garbage", "FREQ=WEEKLY;BYDAY=XX",
                        "FREQ=HOURLY", "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
                        "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,31" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) occs = rp_schedule_expand (tz, &s, bad[i], NULL, 10, &error);

      g_assert_null (occs);
      g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE);
      g_clear_error (&error);
      g_assert_false (rp_schedule_check_rule (bad[i], &error));
      g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE);
    }
  g_assert_true (rp_schedule_check_rule ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", NULL));
  g_assert_true (rp_schedule_check_rule ("RRULE:FREQ=MONTHLY;BYDAY=-1FR", NULL));
}

static void
test_never_matching_rule_terminates (void)
{
  g_autoptr(GTimeZone) tz = Z ("Europe/Berlin");
  RpLocal s = L ("2026-01-01T09:00");
  const char *never[] = { "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",
                          "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31" };

  /* Either refused outright or expanded to nothing, but never a hang. */
  for (guint i = 0; i < G_N_ELEMENTS (never); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) occs = rp_schedule_expand (tz, &s, never[i], NULL, 10, &error);

      if (occs == NULL)
        g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE);
      else
        g_assert_cmpuint (occs->len, <=, 1);   /* at most DTSTART itself */
    }
}

static void
test_hours_parse_and_format (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpWorkingHours) h = rp_working_hours_parse ("Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-13:00", &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_true (rp_working_hours_is_free (h, 1, 9 * 60));
  g_assert_false (rp_working_hours_is_free (h, 1, 12 * 60 + 30));
  g_assert_true (rp_working_hours_is_free (h, 4, 17 * 60 + 29));
  g_assert_false (rp_working_hours_is_free (h, 5, 13 * 60));
  g_assert_false (rp_working_hours_is_free (h, 6, 10 * 60));
  text = rp_working_hours_to_string (h);
  g_assert_true (g_str_has_prefix (text, "Mon 09:00-12:00,13:00-17:30; Tue"));
  g_assert_true (g_str_has_suffix (text, "Fri 09:00-13:00"));
}

static void
test_hours_past_midnight_and_wrap (void)
{
  g_autoptr(RpWorkingHours) h = rp_working_hours_parse ("Sun 22:00-02:00; sa,mo 10:00-11:00", NULL);

  g_assert_nonnull (h);
  g_assert_true (rp_working_hours_is_free (h, 7, 23 * 60));
  g_assert_true (rp_working_hours_is_free (h, 1, 60));      /* Monday 01:00, from Sunday night */
  g_assert_false (rp_working_hours_is_free (h, 1, 2 * 60));
  g_assert_true (rp_working_hours_is_free (h, 6, 10 * 60));
}

static void
test_hours_without_days_mean_weekdays (void)
{
  g_autoptr(RpWorkingHours) h = rp_working_hours_parse ("9:30-17:00", NULL);

  g_assert_nonnull (h);
  g_assert_true (rp_working_hours_is_free (h, 1, 9 * 60 + 30));
  g_assert_false (rp_working_hours_is_free (h, 1, 9 * 60 + 29));
  g_assert_true (rp_working_hours_is_free (h, 5, 16 * 60 + 59));
  g_assert_false (rp_working_hours_is_free (h, 6, 12 * 60));
  g_assert_false (rp_working_hours_is_free (h, 7, 12 * 60));
}

static void
test_hours_malformed_is_error (void)
{
  const char *bad[] = { "", "Mon-Fri", "Mon-Fri 9-17", "Mon 123:00-124:00", "Mon 9:0-10:00", "Funday 09:00-17:00", "Mon 25:00-26:00",
                        "Mon 09:00-09:00", "Mon 09:00-17:00-18:00", "Mon 09:60-10:00" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RpWorkingHours) h = rp_working_hours_parse (bad[i], &error);

      g_assert_null (h);
      g_assert_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_HOURS);
    }
}

/* Checked independently of the finder, through GDateTime. */
static gboolean
inside_hours (const char           *zone,
              const RpWorkingHours *hours,
              gint64                utc,
              guint                 minutes)
{
  g_autoptr(GTimeZone) tz = Z (zone);

  for (guint i = 0; i < minutes; i++)
    {
      g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc (utc + i * 60);
      g_autoptr(GDateTime) l = g_date_time_to_timezone (u, tz);

      if (!rp_working_hours_is_free (hours, g_date_time_get_day_of_week (l),
                                     g_date_time_get_hour (l) * 60 + g_date_time_get_minute (l)))
        return FALSE;
    }
  return TRUE;
}

static GPtrArray *
find (const char *me,
      const char *me_hours,
      const char *partner,
      const char *partner_hours,
      const char *from,
      guint       days,
      guint       minutes,
      const char *every,
      RpWorkingHours **mh_out,
      RpWorkingHours **ph_out)
{
  g_autoptr(GTimeZone) mz = Z (me);
  g_autoptr(GTimeZone) pz = Z (partner);
  g_autoptr(GError) error = NULL;
  RpSlotQuery q = { 0, };
  GPtrArray *slots;

  q.me_zone = mz;
  q.partner_zone = pz;
  *mh_out = rp_working_hours_parse (me_hours, NULL);
  *ph_out = rp_working_hours_parse (partner_hours, NULL);
  q.me_hours = *mh_out;
  q.partner_hours = *ph_out;
  g_assert_true (rp_date_parse (from, &q.from, NULL));
  q.days = days;
  q.minutes = minutes;
  q.every = every;
  slots = rp_find_slots (&q, &error);
  g_assert_no_error (error);
  return slots;
}

static void
test_slots_inside_both_working_hours (void)
{
  g_autoptr(RpWorkingHours) mh = NULL;
  g_autoptr(RpWorkingHours) ph = NULL;
  g_autoptr(GPtrArray) slots = find ("America/Los_Angeles", "Mon-Fri 17:00-23:00",
                                     "Asia/Kathmandu", "Mon-Fri 08:00-12:00",
                                     "2026-03-02", 14, 60, NULL, &mh, &ph);

  g_assert_cmpuint (slots->len, >, 0);
  for (guint i = 0; i < slots->len; i++)
    {
      RpSlot *s = slots->pdata[i];

      g_assert_true (inside_hours ("America/Los_Angeles", mh, s->utc, 60));
      g_assert_true (inside_hours ("Asia/Kathmandu", ph, s->utc, 60));
      /* Kathmandu is at :45 past UTC, Los Angeles on the hour: a half-hour grid in Los
       * Angeles lands on :15 and :45 in Kathmandu. */
      g_assert_true (s->partner_local.minute == 15 || s->partner_local.minute == 45);
    }
}

static void
test_slots_best_first_prefers_middle_of_day (void)
{
  g_autoptr(RpWorkingHours) mh = NULL;
  g_autoptr(RpWorkingHours) ph = NULL;
  /* Same zone, same hours: the best slot is centred in 09:00–17:00, i.e. 12:30–13:30 …
   * with a 30-minute grid, 12:30 (centre 13:00). */
  g_autoptr(GPtrArray) slots = find ("Europe/Berlin", "Mon-Fri 09:00-17:00", "Europe/Paris",
                                     "Mon-Fri 09:00-17:00", "2026-03-02", 1, 60, NULL, &mh, &ph);
  RpSlot *best = slots->pdata[0], *worst = slots->pdata[slots->len - 1];

  g_assert_cmpuint (slots->len, ==, 15);
  g_assert_cmpint (best->me_local.hour, ==, 12);
  g_assert_cmpint (best->me_local.minute, ==, 30);
  g_assert_cmpfloat (best->score, >, worst->score);
  g_assert_true ((worst->me_local.hour == 9 && worst->me_local.minute == 0) ||
                 (worst->me_local.hour == 16 && worst->me_local.minute == 0));
}

static void
test_slot_label_shows_day_shift (void)
{
  RpLocal me = L ("2026-03-03T22:30"), partner = L ("2026-03-04T07:30");
  g_autofree char *label = rp_slot_describe (&me, &partner);
  g_autofree char *back = rp_slot_describe (&partner, &me);

  g_assert_cmpstr (label, ==, "Tue 22:30 — Wed 07:30, next day");
  g_assert_cmpstr (back, ==, "Wed 07:30 — Tue 22:30, previous day");
}

static void
test_slots_series_valid_across_dst_ranks_first (void)
{
  g_autoptr(RpWorkingHours) mh = NULL;
  g_autoptr(RpWorkingHours) ph = NULL;
  /* London evenings, Sydney mornings, weekly from early March: after both clock changes
   * the gap shrinks by two hours, so only late-evening London slots stay valid. */
  g_autoptr(GPtrArray) slots = find ("Europe/London", "Mon-Fri 18:00-23:00", "Australia/Sydney",
                                     "Mon-Fri 07:00-10:00", "2026-03-02", 5, 60, "week", &mh, &ph);
  gboolean seen_partial = FALSE;

  g_assert_cmpuint (slots->len, >, 0);
  for (guint i = 0; i < slots->len; i++)
    {
      RpSlot *s = slots->pdata[i];
      gboolean all = s->instances_ok == s->instances;

      g_assert_cmpuint (s->instances, ==, 12);
      if (!all)
        seen_partial = TRUE;
      else
        g_assert_false (seen_partial);   /* every fully valid series before any partial one */
    }
  g_assert_true (seen_partial);
  g_assert_cmpuint (((RpSlot *) slots->pdata[0])->instances_ok, ==, 12);
  g_assert_true (((RpSlot *) slots->pdata[0])->partner_moves);
}

static void
on_async_slots (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rp_find_slots_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_slots_async_matches_sync (void)
{
  g_autoptr(GTimeZone) mz = Z ("Europe/Berlin");
  g_autoptr(GTimeZone) pz = Z ("America/New_York");
  g_autoptr(RpWorkingHours) mh = rp_working_hours_parse ("Mon-Fri 09:00-18:00", NULL);
  g_autoptr(RpWorkingHours) ph = rp_working_hours_parse ("Mon-Fri 08:00-17:00", NULL);
  g_autoptr(GPtrArray) sync = NULL;
  g_autoptr(GPtrArray) async = NULL;
  RpSlotQuery q = { mz, mh, pz, ph, L ("2026-03-02T00:00"), 14, 45, 15, NULL, "month", 6 };

  sync = rp_find_slots (&q, NULL);
  rp_find_slots_async (&q, NULL, on_async_slots, &async);
  /* The query was copied: changing it now must not affect the running search. */
  q.minutes = 600;
  while (async == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (sync->len, >, 0);
  g_assert_cmpuint (async->len, ==, sync->len);
  for (guint i = 0; i < sync->len; i++)
    g_assert_cmpint (((RpSlot *) async->pdata[i])->utc, ==, ((RpSlot *) sync->pdata[i])->utc);
}

static void
test_next_reminder_due (void)
{
  g_autoptr(GTimeZone) tz = Z ("Europe/Berlin");
  RpLocal start = L ("2026-03-03T09:00");
  gint64 now, reminder = 0, session = 0;

  g_assert_true (rp_utc_parse ("2026-03-05T12:00:00Z", &now, NULL));
  g_assert_true (rp_schedule_next_reminder (tz, &start, "FREQ=WEEKLY;COUNT=4", 15, now,
                                            &reminder, &session));
  {
    g_autofree char *r = rp_utc_format (reminder);
    g_autofree char *s = rp_utc_format (session);

    g_assert_cmpstr (s, ==, "2026-03-10T08:00:00Z");
    g_assert_cmpstr (r, ==, "2026-03-10T07:45:00Z");
  }
  g_assert_true (rp_utc_parse ("2026-03-24T07:50:00Z", &now, NULL));
  g_assert_true (rp_schedule_next_reminder (tz, &start, "FREQ=WEEKLY;COUNT=4", 15, now,
                                            &reminder, &session));
  g_assert_cmpint (reminder, ==, now);   /* inside the lead time: due at once */
  g_assert_true (rp_utc_parse ("2026-03-25T00:00:00Z", &now, NULL));
  g_assert_false (rp_schedule_next_reminder (tz, &start, "FREQ=WEEKLY;COUNT=4", 15, now,
                                             &reminder, &session));
}

static void
test_proposal_accept_schedules_on_both_sides (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpProposal) mine = rp_proposal_new ("Europe/Berlin", 45, &error);
  g_autoptr(RpProposal) theirs = NULL;
  g_autoptr(JsonNode) wire = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(RpMeeting) their_session = NULL;
  g_autoptr(RpMeeting) my_session = NULL;
  g_autofree char *text = NULL;
  RpLocal a = L ("2026-03-10T09:00"), b = L ("2026-03-11T17:30");

  g_assert_no_error (error);
  rp_proposal_set_rrule (mine, "FREQ=WEEKLY");
  rp_proposal_set_link (mine, "rapport://127.0.0.1:8443/AAAAAAAAAAAAAAAAAAAAAA");
  g_assert_true (rp_proposal_add_slot (mine, &a, NULL));
  g_assert_true (rp_proposal_add_slot (mine, &b, NULL));

  /* Through text, as it would cross the data channel. */
  wire = rp_proposal_to_json (mine);
  text = json_to_string (wire, FALSE);
  g_clear_pointer (&wire, json_node_unref);
  wire = json_from_string (text, &error);
  g_assert_no_error (error);
  theirs = rp_proposal_new_from_json (wire, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rp_proposal_get_n_slots (theirs), ==, 2);

  their_session = rp_proposal_accept (theirs, 1, &error);
  g_assert_no_error (error);
  answer = rp_proposal_answer_message (theirs);
  my_session = rp_proposal_apply_answer (mine, answer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (my_session);

  g_assert_cmpint (rp_proposal_get_state (mine), ==, RP_PROPOSAL_STATE_ACCEPTED);
  g_assert_cmpint (rp_proposal_get_accepted (mine), ==, 1);
  g_assert_cmpstr (my_session->uid, ==, their_session->uid);
  g_assert_cmpstr (my_session->zone, ==, "Europe/Berlin");
  g_assert_cmpstr (their_session->zone, ==, "Europe/Berlin");
  g_assert_cmpint (my_session->start.day, ==, 11);
  g_assert_cmpint (their_session->start.minute, ==, 30);
  g_assert_cmpuint (my_session->minutes, ==, 45);
  g_assert_cmpstr (their_session->rrule, ==, "FREQ=WEEKLY");

  /* A second, different acceptance is refused. */
  g_assert_null (rp_proposal_accept (mine, 0, &error));
  g_assert_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_STATE);
}

static void
test_proposal_rejects_hostile_json (void)
{
  const char *bad[] = {
    "[]",
    "{\"type\":\"schedule-proposal\"}",
    "{\"type\":\"schedule-proposal\",\"version\":2,\"id\":\"x\",\"zone\":\"UTC\",\"minutes\":30,\"slots\":[\"2026-03-10T09:00\"]}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x\",\"zone\":\"Nowhere/City\",\"minutes\":30,\"slots\":[\"2026-03-10T09:00\"]}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x\",\"zone\":\"UTC\",\"minutes\":0,\"slots\":[\"2026-03-10T09:00\"]}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x\",\"zone\":\"UTC\",\"minutes\":30,\"slots\":[]}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x\",\"zone\":\"UTC\",\"minutes\":30,\"slots\":[\"2026-02-30T09:00\"]}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x\",\"zone\":\"UTC\",\"minutes\":30,\"slots\":[\"2026-03-10T09:00\"],\"rrule\":\"FREQ=NEVER\"}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x\",\"zone\":\"UTC\",\"minutes\":30,\"slots\":[\"2026-03-10T09:00\"],\"state\":\"accepted\",\"accepted\":5}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"x\",\"zone\":\"UTC\",\"minutes\":30,\"slots\":[\"2026-03-10T09:00\"],\"rrule\":\"FREQ=MONTHLY;BYSETPOS=2;BYDAY=MO,TU\"}",
    "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":7,\"zone\":\"UTC\",\"minutes\":30,\"slots\":[\"2026-03-10T09:00\"]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (bad[i], NULL);
      g_autoptr(RpProposal) p = rp_proposal_new_from_json (node, &error);

      g_assert_null (p);
      g_assert_nonnull (error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schedule/resolve/dst-gap-uses-offset-before", test_gap_uses_offset_before);
  g_test_add_func ("/schedule/resolve/dst-overlap-uses-first-occurrence", test_overlap_uses_first_occurrence);
  g_test_add_func ("/schedule/resolve/half-and-quarter-hour-zones", test_half_and_quarter_hour_zones);
  g_test_add_func ("/schedule/resolve/lord-howe-30-minute-dst-shift", test_lord_howe_half_hour_shift);
  g_test_add_func ("/schedule/resolve/southern-hemisphere-opposite-dst", test_southern_hemisphere_opposite_dst);
  g_test_add_func ("/schedule/zone/unknown-zone-is-error-not-utc", test_unknown_zone_is_error_not_utc);
  g_test_add_func ("/schedule/local/malformed-time-is-error", test_malformed_local_time_is_error);
  g_test_add_func ("/schedule/expand/gap-instance-skipped-not-shifted-nor-counted", test_gap_instance_skipped_not_shifted);
  g_test_add_func ("/schedule/expand/series-keeps-organizer-local-time", test_series_keeps_local_time_across_dst);
  g_test_add_func ("/schedule/expand/both-zones-change-dst-in-same-month-flags-partner", test_series_across_both_zones_dst_same_month);
  g_test_add_func ("/schedule/expand/opposite-dst-moves-twice-for-partner", test_opposite_dst_moves_twice_for_partner);
  g_test_add_func ("/schedule/expand/lord-howe-half-hour-move-flagged", test_lord_howe_half_hour_move_flagged);
  g_test_add_func ("/schedule/expand/every-two-weeks-and-monthly-by-weekday", test_every_two_weeks_and_monthly);
  g_test_add_func ("/schedule/expand/monthly-31st-skips-short-months", test_monthly_31st_skips_short_months);
  g_test_add_func ("/schedule/expand/until-in-utc-is-respected", test_until_in_utc_is_respected);
  g_test_add_func ("/schedule/expand/invalid-rule-is-error", test_invalid_rule_is_error);
  g_test_add_func ("/schedule/expand/never-matching-rule-terminates", test_never_matching_rule_terminates);
  g_test_add_func ("/schedule/hours/parse-groups-and-ranges", test_hours_parse_and_format);
  g_test_add_func ("/schedule/hours/range-past-midnight-wraps-week", test_hours_past_midnight_and_wrap);
  g_test_add_func ("/schedule/hours/ranges-without-days-mean-weekdays", test_hours_without_days_mean_weekdays);
  g_test_add_func ("/schedule/hours/malformed-is-error", test_hours_malformed_is_error);
  g_test_add_func ("/schedule/slots/inside-both-working-hours-quarter-hour-zone", test_slots_inside_both_working_hours);
  g_test_add_func ("/schedule/slots/best-first-prefers-middle-of-day", test_slots_best_first_prefers_middle_of_day);
  g_test_add_func ("/schedule/slots/label-shows-both-times-and-day-shift", test_slot_label_shows_day_shift);
  g_test_add_func ("/schedule/slots/series-valid-across-dst-ranks-first", test_slots_series_valid_across_dst_ranks_first);
  g_test_add_func ("/schedule/slots/async-search-matches-sync", test_slots_async_matches_sync);
  g_test_add_func ("/schedule/reminder/next-due-before-next-instance", test_next_reminder_due);
  g_test_add_func ("/schedule/proposal/accept-schedules-on-both-sides", test_proposal_accept_schedules_on_both_sides);
  g_test_add_func ("/schedule/proposal/rejects-hostile-json", test_proposal_rejects_hostile_json);

  return g_test_run ();
}
