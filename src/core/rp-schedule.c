/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Time-zone rules for scheduling: local wall-clock times, their resolution to instants as
 * RFC 5545 §3.3.5 says (not as GLib or libical would by default), and the expansion of
 * recurrence rules in the organizer's local clock (§3.3.10).
 */
#include "config.h"

#include <string.h>
#include <libical/ical.h>

#include "rp-schedule.h"

G_DEFINE_QUARK (rp-schedule-error-quark, rp_schedule_error)

#define SECONDS_PER_DAY 86400
/* A rule that never matches (BYMONTHDAY=31;BYMONTH=2) must not spin for ever: at most this
 * many instances are asked of libical, and libical itself is told to stop this many years
 * after the start, since it searches unboundedly inside one call to find the next match. */
#define MAX_ITERATIONS 20000
#define MAX_SERIES_YEARS 30

const char *
rp_resolution_to_string (RpResolution resolution)
{
  switch (resolution)
    {
    case RP_RESOLUTION_GAP:
      return "gap";
    case RP_RESOLUTION_OVERLAP:
      return "overlap";
    case RP_RESOLUTION_EXACT:
    default:
      return "exact";
    }
}

gboolean
rp_local_is_valid (const RpLocal *local)
{
  if (local->year < 1 || local->year > 9999 || local->month < 1 || local->month > 12)
    return FALSE;
  if (local->day < 1 || local->day > g_date_get_days_in_month (local->month, local->year))
    return FALSE;
  return local->hour >= 0 && local->hour < 24 && local->minute >= 0 && local->minute < 60 &&
         local->second >= 0 && local->second < 60;
}

static gboolean
parse_fixed_int (const char *text,
                 guint       n_digits,
                 gint       *out)
{
  gint value = 0;

  for (guint i = 0; i < n_digits; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (text[i] - '0');
    }
  *out = value;
  return TRUE;
}

static gboolean
parse_date_part (const char *text,
                 RpLocal    *out)
{
  return parse_fixed_int (text, 4, &out->year) && text[4] == '-' &&
         parse_fixed_int (text + 5, 2, &out->month) && text[7] == '-' &&
         parse_fixed_int (text + 8, 2, &out->day);
}

/* YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (a space instead of the T is accepted too). */
gboolean
rp_local_parse (const char *text,
                RpLocal    *out,
                GError    **error)
{
  RpLocal l = { 0, };
  gsize len = text ? strlen (text) : 0;
  gboolean shape_ok;

  shape_ok = (len == 16 || len == 19) && parse_date_part (text, &l) &&
             (text[10] == 'T' || text[10] == ' ') &&
             parse_fixed_int (text + 11, 2, &l.hour) && text[13] == ':' &&
             parse_fixed_int (text + 14, 2, &l.minute) &&
             (len == 16 || (text[16] == ':' && parse_fixed_int (text + 17, 2, &l.second)));
  if (!shape_ok || !rp_local_is_valid (&l))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_TIME,
                   "Invalid local time “%s”: expected YYYY-MM-DDTHH:MM", text ? text : "");
      return FALSE;
    }
  *out = l;
  return TRUE;
}

gboolean
rp_date_parse (const char *text,
               RpLocal    *out,
               GError    **error)
{
  RpLocal l = { 0, };

  if (text == NULL || strlen (text) != 10 || !parse_date_part (text, &l) || !rp_local_is_valid (&l))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_TIME,
                   "Invalid date “%s”: expected YYYY-MM-DD", text ? text : "");
      return FALSE;
    }
  *out = l;
  return TRUE;
}

/* YYYY-MM-DDTHH:MM, the protocol's form for local times; seconds are not shown (no session
 * starts on a second other than :00). */
char *
rp_local_format (const RpLocal *local)
{
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d", local->year, local->month, local->day,
                          local->hour, local->minute);
}

char *
rp_local_format_time (const RpLocal *local)
{
  return g_strdup_printf ("%02d:%02d", local->hour, local->minute);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm);
 * plain arithmetic keeps the slot search free of allocations. */
static gint64
days_from_civil (gint64 y,
                 gint64 m,
                 gint64 d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 RpLocal *out)
{
  gint64 era, doe, yoe, y, doy, mp, d, m;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  out->year = (gint) (y + (m <= 2));
  out->month = (gint) m;
  out->day = (gint) d;
}

/* Seconds since the epoch as if the local time were UTC: the "naive" clock reading, which
 * adding the zone's offset turns into an instant. */
gint64
rp_local_to_naive (const RpLocal *local)
{
  return days_from_civil (local->year, local->month, local->day) * SECONDS_PER_DAY +
         local->hour * 3600 + local->minute * 60 + local->second;
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void
rp_local_from_naive (gint64   naive,
                     RpLocal *out)
{
  gint64 days = floor_div (naive, SECONDS_PER_DAY);
  gint64 rest = naive - days * SECONDS_PER_DAY;

  civil_from_days (days, out);
  out->hour = (gint) (rest / 3600);
  out->minute = (gint) (rest % 3600 / 60);
  out->second = (gint) (rest % 60);
}

/* 1 = Monday … 7 = Sunday (ISO 8601, like GDateTime). 1970-01-01 was a Thursday. */
gint
rp_local_weekday (const RpLocal *local)
{
  gint64 days = days_from_civil (local->year, local->month, local->day);
  gint64 w = ((days + 3) % 7 + 7) % 7;

  return (gint) w + 1;
}

gint
rp_local_days_between (const RpLocal *from,
                       const RpLocal *to)
{
  return (gint) (days_from_civil (to->year, to->month, to->day) -
                 days_from_civil (from->year, from->month, from->day));
}

const char *
rp_weekday_abbrev (gint weekday)
{
  static const char *names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

  g_return_val_if_fail (weekday >= 1 && weekday <= 7, "?");
  return names[weekday - 1];
}

char *
rp_utc_format (gint64 utc)
{
  RpLocal l;

  rp_local_from_naive (utc, &l);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", l.year, l.month, l.day, l.hour,
                          l.minute, l.second);
}

gboolean
rp_utc_parse (const char *text,
              gint64     *utc,
              GError    **error)
{
  g_autofree char *local = NULL;
  gsize len = text ? strlen (text) : 0;
  RpLocal l;

  if (len < 2 || text[len - 1] != 'Z')
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_TIME,
                   "Invalid UTC time “%s”: expected YYYY-MM-DDTHH:MM:SSZ", text ? text : "");
      return FALSE;
    }
  local = g_strndup (text, len - 1);
  if (!rp_local_parse (local, &l, error))
    return FALSE;
  *utc = rp_local_to_naive (&l);
  return TRUE;
}

char *
rp_offset_format (gint32 offset_seconds)
{
  gint32 a = ABS (offset_seconds);

  return g_strdup_printf ("%c%02d:%02d", offset_seconds < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

/* g_time_zone_new() silently falls back to UTC for a name it does not know; a meeting an hour
 * off is worse than an error, so only g_time_zone_new_identifier() is used. */
GTimeZone *
rp_zone_new (const char *identifier,
             GError    **error)
{
  GTimeZone *tz = NULL;

  if (identifier != NULL && *identifier != '\0')
    tz = g_time_zone_new_identifier (identifier);
  if (tz == NULL)
    g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_UNKNOWN_ZONE,
                 "Unknown time zone “%s”: expected an IANA name such as Europe/Berlin",
                 identifier ? identifier : "");
  return tz;
}

gint32
rp_zone_offset_at (GTimeZone *tz,
                   gint64     utc)
{
  gint interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, utc);

  return g_time_zone_get_offset (tz, interval);
}

void
rp_zone_local_at (GTimeZone *tz,
                  gint64     utc,
                  RpLocal   *out)
{
  rp_local_from_naive (utc + rp_zone_offset_at (tz, utc), out);
}

/* RFC 5545 §3.3.5: a local time in a gap is read with the offset from before the gap; one that
 * occurs twice means the first occurrence. The candidate offsets are those in force a day
 * either side, which covers every transition the tz database has (none are closer together). */
gint64
rp_zone_resolve (GTimeZone     *tz,
                 const RpLocal *local,
                 RpResolution  *resolution,
                 gint32        *offset)
{
  gint64 naive = rp_local_to_naive (local);
  gint32 candidates[3];
  gint64 best = G_MAXINT64;
  gint32 best_offset = 0;
  guint n_valid = 0;

  candidates[0] = rp_zone_offset_at (tz, naive - SECONDS_PER_DAY);
  candidates[1] = rp_zone_offset_at (tz, naive);
  candidates[2] = rp_zone_offset_at (tz, naive + SECONDS_PER_DAY);

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      gint64 t = naive - candidates[i];
      gboolean seen = FALSE;

      for (guint j = 0; j < i; j++)
        seen |= candidates[j] == candidates[i];
      if (seen || rp_zone_offset_at (tz, t) != candidates[i])
        continue;
      n_valid++;
      if (t < best)
        {
          best = t;
          best_offset = candidates[i];
        }
    }

  if (n_valid == 0)
    {
      best_offset = candidates[0];
      best = naive - best_offset;
    }
  if (resolution)
    *resolution = n_valid == 0 ? RP_RESOLUTION_GAP :
                  n_valid > 1 ? RP_RESOLUTION_OVERLAP : RP_RESOLUTION_EXACT;
  if (offset)
    *offset = best_offset;
  return best;
}

/* ---- recurrence ---- */

/* Sub-daily rules have no use for sessions, and libical can search through every second of a
 * year for one that never matches (FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30): refused. */
gboolean
rp_schedule_frequency_supported (int freq)
{
  return freq == ICAL_DAILY_RECURRENCE || freq == ICAL_WEEKLY_RECURRENCE ||
         freq == ICAL_MONTHLY_RECURRENCE || freq == ICAL_YEARLY_RECURRENCE;
}

/* BYMONTH with BYMONTHDAY naming no real date (30 February) never matches, and libical would
 * search for it up to its last year: refused at once. */
static gboolean
names_a_date (const struct icalrecurrencetype *r)
{
  static const gint longest[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX || r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX)
    return TRUE;
  for (guint m = 0; m < ICAL_BY_MONTH_SIZE && r->by_month[m] != ICAL_RECURRENCE_ARRAY_MAX; m++)
    for (guint d = 0; d < ICAL_BY_MONTHDAY_SIZE && r->by_month_day[d] != ICAL_RECURRENCE_ARRAY_MAX; d++)
      {
        gint month = icalrecurrencetype_month_month (r->by_month[m]);
        gint day = ABS (r->by_month_day[d]);

        if (month >= 1 && month <= 12 && day >= 1 && day <= longest[month - 1])
          return TRUE;
      }
  return FALSE;
}

/* BYSETPOS beyond the largest set a period can hold never matches; libical looks for a match
 * for years (seconds of CPU) before giving up. */
static gboolean
set_positions_possible (const struct icalrecurrencetype *r)
{
  gint bound;

  switch (r->freq)
    {
    case ICAL_DAILY_RECURRENCE:
      bound = 24 * 60;
      break;
    case ICAL_WEEKLY_RECURRENCE:
      bound = 7 * 24;
      break;
    case ICAL_MONTHLY_RECURRENCE:
      bound = 31 * 24;
      break;
    default:
      bound = 366 * 24;
    }
  /* A period's set with only weekdays named holds at most 5 (a month) or 53 (a year) of each. */
  if (r->by_day[0] != ICAL_RECURRENCE_ARRAY_MAX && r->by_hour[0] == ICAL_RECURRENCE_ARRAY_MAX &&
      r->by_minute[0] == ICAL_RECURRENCE_ARRAY_MAX && r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
      r->by_year_day[0] == ICAL_RECURRENCE_ARRAY_MAX && r->by_week_no[0] == ICAL_RECURRENCE_ARRAY_MAX)
    {
      gint days = 0;

      while (days < ICAL_BY_DAY_SIZE && r->by_day[days] != ICAL_RECURRENCE_ARRAY_MAX)
        days++;
      bound = days * (r->freq == ICAL_WEEKLY_RECURRENCE ? 1 :
                      r->freq == ICAL_MONTHLY_RECURRENCE ? 5 : 53);
    }
  for (guint i = 0; i < ICAL_BY_SETPOS_SIZE && r->by_set_pos[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
    if (ABS (r->by_set_pos[i]) > bound)
      return FALSE;
  return TRUE;
}

static gboolean
parse_rule (const char                 *rrule,
            struct icalrecurrencetype  *recur,
            GError                    **error)
{
  const char *text = rrule;

  if (g_ascii_strncasecmp (text, "RRULE:", 6) == 0)
    text += 6;
  icalerror_clear_errno ();
  *recur = icalrecurrencetype_from_string (text);
  if (recur->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR)
    {
      icalerror_clear_errno ();
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE,
                   "Invalid recurrence rule “%s”: expected an RFC 5545 RRULE such as "
                   "FREQ=WEEKLY;COUNT=10", rrule);
      return FALSE;
    }
  if (!names_a_date (recur) || !set_positions_possible (recur))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE,
                   "Recurrence rule “%s” never occurs (no such date or set position)",
                   rrule);
      return FALSE;
    }
  if (!rp_schedule_frequency_supported (recur->freq))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE,
                   "Unsupported recurrence rule “%s”: sessions repeat at most daily "
                   "(FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)", rrule);
      return FALSE;
    }
  return TRUE;
}

static struct icaltimetype
local_to_ical (const RpLocal *local)
{
  struct icaltimetype t = icaltime_null_time ();

  t.year = local->year;
  t.month = local->month;
  t.day = local->day;
  t.hour = local->hour;
  t.minute = local->minute;
  t.second = local->second;
  return t;
}

static void
ical_to_local (struct icaltimetype t,
               RpLocal            *out)
{
  out->year = t.year;
  out->month = t.month;
  out->day = t.day;
  out->hour = t.is_date ? 0 : t.hour;
  out->minute = t.is_date ? 0 : t.minute;
  out->second = t.is_date ? 0 : t.second;
}

/* UNTIL is an instant when it carries a Z (as RFC 5545 requires with a TZID'd DTSTART), else a
 * local date or time in the organizer's zone. */
static gboolean
past_until (struct icaltimetype until,
            const RpOccurrence *occ)
{
  RpLocal u;

  if (icaltime_is_null_time (until))
    return FALSE;
  ical_to_local (until, &u);
  if (icaltime_is_utc (until))
    return occ->utc > rp_local_to_naive (&u);
  if (until.is_date)
    return rp_local_days_between (&u, &occ->local) > 0;
  return rp_local_to_naive (&occ->local) > rp_local_to_naive (&u);
}

static void
fill_partner (RpOccurrence       *occ,
              GTimeZone          *partner,
              const RpOccurrence *previous)
{
  occ->has_partner = TRUE;
  rp_zone_local_at (partner, occ->utc, &occ->partner_local);
  occ->partner_day_shift = rp_local_days_between (&occ->local, &occ->partner_local);
  if (previous == NULL)
    return;
  if (previous->partner_local.hour != occ->partner_local.hour ||
      previous->partner_local.minute != occ->partner_local.minute ||
      previous->partner_day_shift != occ->partner_day_shift)
    {
      occ->partner_moved = TRUE;
      occ->partner_previous = previous->partner_local;
    }
}

static gboolean
unset (const short *values)
{
  return values[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

/* The rules Rapport itself writes (weekly, every n weeks, the nth weekday of the month, daily,
 * yearly), with COUNT or UNTIL: what a proposal from a peer may carry. Anything fancier is
 * refused there so that no input from the network makes libical search for long. */
gboolean
rp_schedule_rule_is_plain (const char *rrule)
{
  struct icalrecurrencetype r;

  if (!parse_rule (rrule, &r, NULL))
    return FALSE;
  if (r.interval < 1 || r.interval > 52 || r.rscale != NULL || !unset (r.by_second) ||
      !unset (r.by_minute) || !unset (r.by_hour) || !unset (r.by_year_day) ||
      !unset (r.by_week_no) || !unset (r.by_set_pos) || !unset (r.by_month) ||
      !unset (r.by_month_day))
    return FALSE;
  if (unset (r.by_day))
    return TRUE;
  if (r.freq == ICAL_WEEKLY_RECURRENCE)
    {
      for (guint i = 0; i < ICAL_BY_DAY_SIZE && r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (icalrecurrencetype_day_position (r.by_day[i]) != 0)
          return FALSE;
      return TRUE;
    }
  /* MONTHLY: one nth weekday, 1st–4th or last */
  return r.freq == ICAL_MONTHLY_RECURRENCE && r.by_day[1] == ICAL_RECURRENCE_ARRAY_MAX &&
         ABS (icalrecurrencetype_day_position (r.by_day[0])) >= 1 &&
         icalrecurrencetype_day_position (r.by_day[0]) <= 4 &&
         icalrecurrencetype_day_position (r.by_day[0]) >= -1;
}

/* Whether a rule can be used for a series, without expanding it (expanding a rule that
 * rarely matches can take libical a second; checking input from a peer must not). */
gboolean
rp_schedule_check_rule (const char *rrule,
                        GError    **error)
{
  struct icalrecurrencetype recur;
  RpLocal probe = { 2000, 1, 1, 0, 0, 0 };
  icalrecur_iterator *it;

  if (!parse_rule (rrule, &recur, error))
    return FALSE;
  it = icalrecur_iterator_new (recur, local_to_ical (&probe));
  icalerror_clear_errno ();
  if (it == NULL)
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE,
                   "Recurrence rule “%s” cannot be expanded", rrule);
      return FALSE;
    }
  icalrecur_iterator_free (it);
  return TRUE;
}

/* Expands RRULE from START in TZ's local clock. Instances in a gap are returned with skipped
 * set and are not counted (§3.3.10: "MUST be ignored and MUST NOT be counted"), which is why
 * COUNT and UNTIL are applied here rather than by libical's iterator. With no rule, the one
 * instance at START. At most max_instances counted instances are returned. */
GArray *
rp_schedule_expand (GTimeZone     *tz,
                    const RpLocal *start,
                    const char    *rrule,
                    GTimeZone     *partner,
                    guint          max_instances,
                    GError       **error)
{
  g_autoptr(GArray) out = g_array_new (FALSE, TRUE, sizeof (RpOccurrence));
  struct icalrecurrencetype recur;
  struct icaltimetype until;
  icalrecur_iterator *it;
  gint previous = -1;   /* an index: appending may move the array */
  guint counted = 0, limit = max_instances, iterations = 0;

  if (!rp_local_is_valid (start))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_TIME,
                   "Invalid start time");
      return NULL;
    }
  if (rrule == NULL || *rrule == '\0')
    {
      RpOccurrence occ = { .local = *start };

      occ.utc = rp_zone_resolve (tz, start, &occ.resolution, NULL);
      occ.skipped = occ.resolution == RP_RESOLUTION_GAP;
      if (partner)
        fill_partner (&occ, partner, NULL);
      g_array_append_val (out, occ);
      return g_steal_pointer (&out);
    }
  if (!parse_rule (rrule, &recur, error))
    return NULL;

  if (recur.count > 0)
    limit = MIN (limit, (guint) recur.count);
  until = recur.until;
  recur.count = 0;
  recur.until = local_to_ical (start);
  recur.until.year = MIN (start->year + MAX_SERIES_YEARS, 9999);

  it = icalrecur_iterator_new (recur, local_to_ical (start));
  if (it == NULL)
    {
      icalerror_clear_errno ();
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_RULE,
                   "Recurrence rule “%s” cannot be expanded", rrule);
      return NULL;
    }

  while (counted < limit && iterations++ < MAX_ITERATIONS)
    {
      struct icaltimetype next = icalrecur_iterator_next (it);
      RpOccurrence occ = { 0, };

      if (icaltime_is_null_time (next))
        break;
      ical_to_local (next, &occ.local);
      if (!rp_local_is_valid (&occ.local))
        break;
      occ.utc = rp_zone_resolve (tz, &occ.local, &occ.resolution, NULL);
      occ.skipped = occ.resolution == RP_RESOLUTION_GAP;
      if (past_until (until, &occ))
        break;
      if (!occ.skipped)
        {
          if (partner)
            fill_partner (&occ, partner,
                          previous < 0 ? NULL : &g_array_index (out, RpOccurrence, previous));
          counted++;
        }
      g_array_append_val (out, occ);
      if (!occ.skipped)
        previous = (gint) out->len - 1;
    }
  icalrecur_iterator_free (it);
  icalerror_clear_errno ();
  return g_steal_pointer (&out);
}

/* When the next reminder is due: lead_minutes before the first instance that starts after
 * now_utc. A reminder whose time has passed while its session is still ahead is due at once
 * (reminder_utc = now_utc). FALSE when no instance lies ahead. */
gboolean
rp_schedule_next_reminder (GTimeZone     *tz,
                           const RpLocal *start,
                           const char    *rrule,
                           guint          lead_minutes,
                           gint64         now_utc,
                           gint64        *reminder_utc,
                           gint64        *session_utc)
{
  g_autoptr(GArray) occs = rp_schedule_expand (tz, start, rrule, NULL, 5000, NULL);

  if (occs == NULL)
    return FALSE;
  for (guint i = 0; i < occs->len; i++)
    {
      const RpOccurrence *occ = &g_array_index (occs, RpOccurrence, i);

      if (occ->skipped || occ->utc <= now_utc)
        continue;
      if (reminder_utc)
        *reminder_utc = MAX (now_utc, occ->utc - (gint64) lead_minutes * 60);
      if (session_utc)
        *session_utc = occ->utc;
      return TRUE;
    }
  return FALSE;
}
