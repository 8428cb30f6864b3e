/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * iCalendar interchange through libical. Two things are ours rather than libical's: the
 * VTIMEZONE (libical's built-in one carries a "/freeassociation.sourceforge.net/…" TZID that
 * other calendars do not recognise, so we build it from the zone's real transitions under its
 * plain IANA name) and the mapping of the zone names other calendars write (Windows names from
 * Outlook, vendor prefixes) to IANA identifiers.
 */
#include "config.h"

#include <string.h>
#include <libical/ical.h>

#include "rp-ical.h"

G_DEFINE_QUARK (rp-ical-error-quark, rp_ical_error)

#define MAX_INPUT_BYTES (4 * 1024 * 1024)
#define YEAR_SECONDS    (366 * 86400)
#define JOIN_PREFIX     "Join with Rapport: "

/* ---------------------------------------------------------------- zone names ---- */

/* The Windows names Outlook and Exchange write, with the IANA zone of their territory "001"
 * in CLDR's windowsZones.xml; the common ones only. */
static const struct { const char *windows; const char *iana; } windows_zones[] = {
  { "Dateline Standard Time", "Etc/GMT+12" },
  { "Hawaiian Standard Time", "Pacific/Honolulu" },
  { "Alaskan Standard Time", "America/Anchorage" },
  { "Pacific Standard Time", "America/Los_Angeles" },
  { "Pacific Standard Time (Mexico)", "America/Tijuana" },
  { "US Mountain Standard Time", "America/Phoenix" },
  { "Mountain Standard Time", "America/Denver" },
  { "Central America Standard Time", "America/Guatemala" },
  { "Central Standard Time", "America/Chicago" },
  { "Central Standard Time (Mexico)", "America/Mexico_City" },
  { "Canada Central Standard Time", "America/Regina" },
  { "SA Pacific Standard Time", "America/Bogota" },
  { "Eastern Standard Time", "America/New_York" },
  { "US Eastern Standard Time", "America/Indianapolis" },
  { "Venezuela Standard Time", "America/Caracas" },
  { "Atlantic Standard Time", "America/Halifax" },
  { "SA Western Standard Time", "America/La_Paz" },
  { "Pacific SA Standard Time", "America/Santiago" },
  { "Newfoundland Standard Time", "America/St_Johns" },
  { "E. South America Standard Time", "America/Sao_Paulo" },
  { "Argentina Standard Time", "America/Argentina/Buenos_Aires" },
  { "SA Eastern Standard Time", "America/Cayenne" },
  { "Montevideo Standard Time", "America/Montevideo" },
  { "UTC", "Etc/UTC" },
  { "Coordinated Universal Time", "Etc/UTC" },
  { "GMT Standard Time", "Europe/London" },
  { "Greenwich Standard Time", "Atlantic/Reykjavik" },
  { "Morocco Standard Time", "Africa/Casablanca" },
  { "W. Europe Standard Time", "Europe/Berlin" },
  { "Central Europe Standard Time", "Europe/Budapest" },
  { "Romance Standard Time", "Europe/Paris" },
  { "Central European Standard Time", "Europe/Warsaw" },
  { "W. Central Africa Standard Time", "Africa/Lagos" },
  { "GTB Standard Time", "Europe/Bucharest" },
  { "E. Europe Standard Time", "Europe/Chisinau" },
  { "FLE Standard Time", "Europe/Kiev" },
  { "Israel Standard Time", "Asia/Jerusalem" },
  { "Egypt Standard Time", "Africa/Cairo" },
  { "South Africa Standard Time", "Africa/Johannesburg" },
  { "Turkey Standard Time", "Europe/Istanbul" },
  { "Russian Standard Time", "Europe/Moscow" },
  { "Arab Standard Time", "Asia/Riyadh" },
  { "E. Africa Standard Time", "Africa/Nairobi" },
  { "Iran Standard Time", "Asia/Tehran" },
  { "Arabian Standard Time", "Asia/Dubai" },
  { "Afghanistan Standard Time", "Asia/Kabul" },
  { "Pakistan Standard Time", "Asia/Karachi" },
  { "West Asia Standard Time", "Asia/Tashkent" },
  { "India Standard Time", "Asia/Kolkata" },
  { "Sri Lanka Standard Time", "Asia/Colombo" },
  { "Nepal Standard Time", "Asia/Kathmandu" },
  { "Bangladesh Standard Time", "Asia/Dhaka" },
  { "Myanmar Standard Time", "Asia/Yangon" },
  { "SE Asia Standard Time", "Asia/Bangkok" },
  { "China Standard Time", "Asia/Shanghai" },
  { "Singapore Standard Time", "Asia/Singapore" },
  { "Taipei Standard Time", "Asia/Taipei" },
  { "W. Australia Standard Time", "Australia/Perth" },
  { "Tokyo Standard Time", "Asia/Tokyo" },
  { "Korea Standard Time", "Asia/Seoul" },
  { "Cen. Australia Standard Time", "Australia/Adelaide" },
  { "AUS Central Standard Time", "Australia/Darwin" },
  { "E. Australia Standard Time", "Australia/Brisbane" },
  { "AUS Eastern Standard Time", "Australia/Sydney" },
  { "Tasmania Standard Time", "Australia/Hobart" },
  { "Lord Howe Standard Time", "Australia/Lord_Howe" },
  { "New Zealand Standard Time", "Pacific/Auckland" },
  { "Tonga Standard Time", "Pacific/Tongatapu" },
  { "Samoa Standard Time", "Pacific/Apia" },
};

/* Outlook sometimes writes the display name instead: "(UTC+01:00) Amsterdam, Berlin, …". */
static const struct { const char *prefix; const char *iana; } display_zones[] = {
  { "(UTC+01:00) Amsterdam, Berlin", "Europe/Berlin" },
  { "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris" },
  { "(UTC+01:00) Belgrade, Bratislava, Budapest", "Europe/Budapest" },
  { "(UTC+01:00) Sarajevo, Skopje, Warsaw", "Europe/Warsaw" },
  { "(UTC+00:00) Dublin, Edinburgh, Lisbon, London", "Europe/London" },
  { "(UTC) Dublin, Edinburgh, Lisbon, London", "Europe/London" },
  { "(UTC-05:00) Eastern Time", "America/New_York" },
  { "(UTC-06:00) Central Time", "America/Chicago" },
  { "(UTC-07:00) Mountain Time", "America/Denver" },
  { "(UTC-08:00) Pacific Time", "America/Los_Angeles" },
  { "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata" },
  { "(UTC+05:45) Kathmandu", "Asia/Kathmandu" },
  { "(UTC+09:00) Osaka, Sapporo, Tokyo", "Asia/Tokyo" },
  { "(UTC+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney" },
};

const char *
rp_ical_windows_zone_to_iana (const char *windows_name)
{
  if (windows_name == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (windows_zones); i++)
    if (g_ascii_strcasecmp (windows_name, windows_zones[i].windows) == 0)
      return windows_zones[i].iana;
  for (guint i = 0; i < G_N_ELEMENTS (display_zones); i++)
    if (g_ascii_strncasecmp (windows_name, display_zones[i].prefix,
                             strlen (display_zones[i].prefix)) == 0)
      return display_zones[i].iana;
  return NULL;
}

/* Only names of tz database entries: GLib would also accept POSIX TZ strings such as "XYZ3",
 * which no calendar means as a zone name, so the name must be a file in the database too. */
static gboolean
looks_like_iana (const char *name)
{
  gboolean letter = FALSE;

  if (name[0] == '\0' || name[0] == '/' || name[0] == '+' || name[0] == '-' ||
      strstr (name, "..") != NULL || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && !strchr ("/_+-", *p))
        return FALSE;
      letter |= g_ascii_isalpha (*p);
    }
  return letter;
}

static gboolean
in_tz_database (const char *name)
{
  const char *dir = g_getenv ("TZDIR");
  g_autofree char *path = g_build_filename (dir && *dir ? dir : "/usr/share/zoneinfo", name, NULL);

  return g_str_equal (name, "UTC") || g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
is_known_iana (const char *name)
{
  g_autoptr(GTimeZone) tz = NULL;

  if (!looks_like_iana (name) || !in_tz_database (name))
    return FALSE;
  tz = g_time_zone_new_identifier (name);
  return tz != NULL;
}

/* The IANA zone meant by a TZID from any calendar: IANA names as they are, Windows names
 * through the table, vendor prefixes ("/mozilla.org/20050126_1/America/New_York",
 * "/freeassociation.sourceforge.net/Tzfile/Europe/London") stripped. NULL if unknown. */
char *
rp_ical_tzid_to_iana (const char *tzid)
{
  g_autofree char *name = NULL;
  const char *windows;

  if (tzid == NULL)
    return NULL;
  name = g_strstrip (g_strdup (tzid));
  if (name[0] == '"' && strlen (name) >= 2 && name[strlen (name) - 1] == '"')
    {
      name[strlen (name) - 1] = '\0';
      memmove (name, name + 1, strlen (name));
    }
  if (is_known_iana (name))
    return g_steal_pointer (&name);
  windows = rp_ical_windows_zone_to_iana (name);
  if (windows)
    return g_strdup (windows);
  for (const char *p = strchr (name, '/'); p != NULL; p = strchr (p + 1, '/'))
    if (p[1] != '\0' && strchr (p + 1, '/') != NULL && is_known_iana (p + 1))
      return g_strdup (p + 1);
  return NULL;
}

/* ---------------------------------------------------------------- VTIMEZONE ---- */

typedef struct {
  gint64   utc;
  gint32   from;
  gint32   to;
  gboolean dst;
  char    *name;
  RpLocal  local;     /* wall-clock time of the change, read in the old offset */
} Transition;

static void
transition_clear (Transition *t)
{
  g_free (t->name);
}

static gint
interval_at (GTimeZone *tz,
             gint64     utc)
{
  return g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, utc);
}

/* GTimeZone does not list its transitions, but its interval index only grows with time, so a
 * bisection finds each change exactly. */
static GArray *
collect_transitions (GTimeZone *tz,
                     gint64     from,
                     gint64     to)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (Transition));
  gint current = interval_at (tz, from);

  g_array_set_clear_func (out, (GDestroyNotify) transition_clear);
  while (from < to && interval_at (tz, to) != current)
    {
      gint64 lo = from, hi = to;
      Transition t = { 0, };
      gint next;

      while (hi - lo > 1)
        {
          gint64 mid = lo + (hi - lo) / 2;

          if (interval_at (tz, mid) == current)
            lo = mid;
          else
            hi = mid;
        }
      next = interval_at (tz, hi);
      t.utc = hi;
      t.from = g_time_zone_get_offset (tz, current);
      t.to = g_time_zone_get_offset (tz, next);
      t.dst = g_time_zone_is_dst (tz, next);
      t.name = g_strdup (g_time_zone_get_abbreviation (tz, next));
      rp_local_from_naive (hi + t.from, &t.local);
      if (t.from != t.to)
        g_array_append_val (out, t);
      else
        transition_clear (&t);
      current = next;
      from = hi;
    }
  return out;
}

static char *
offset_string (gint32 seconds)
{
  gint32 a = ABS (seconds);

  if (a % 60 != 0)
    return g_strdup_printf ("%c%02d%02d%02d", seconds < 0 ? '-' : '+', a / 3600, a % 3600 / 60,
                            a % 60);
  return g_strdup_printf ("%c%02d%02d", seconds < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

static void
append_observance (GString     *out,
                   gboolean     dst,
                   const RpLocal *start,
                   gint32       from,
                   gint32       to,
                   const char  *name,
                   const char  *rrule)
{
  g_autofree char *from_s = offset_string (from);
  g_autofree char *to_s = offset_string (to);
  const char *kind = dst ? "DAYLIGHT" : "STANDARD";

  g_string_append_printf (out, "BEGIN:%s\r\nDTSTART:%04d%02d%02dT%02d%02d%02d\r\n", kind,
                          start->year, start->month, start->day, start->hour, start->minute,
                          start->second);
  if (rrule)
    g_string_append_printf (out, "RRULE:%s\r\n", rrule);
  g_string_append_printf (out, "TZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\n", from_s, to_s);
  if (name && *name && strlen (name) < 32)
    g_string_append_printf (out, "TZNAME:%s\r\n", name);
  g_string_append_printf (out, "END:%s\r\n", kind);
}

static gboolean
same_rule (const Transition *a,
           const Transition *b)
{
  return a->dst == b->dst && a->from == b->from && a->to == b->to &&
         g_strcmp0 (a->name, b->name) == 0 && a->local.month == b->local.month &&
         a->local.hour == b->local.hour && a->local.minute == b->local.minute &&
         a->local.second == b->local.second &&
         rp_local_weekday (&a->local) == rp_local_weekday (&b->local) &&
         b->local.year == a->local.year + 1;
}

static const char *rule_days[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

/* A yearly rule for transitions [first, last] of one run, "the 2nd Sunday of March" or "the
 * last Sunday of October"; NULL when neither form fits every year of the run. */
static char *
yearly_rule (GArray *ts,
             guint   first,
             guint   last,
             gboolean open_ended)
{
  const Transition *t0 = &g_array_index (ts, Transition, first);
  gint nth = (t0->local.day - 1) / 7 + 1;
  gboolean nth_ok = nth <= 4, last_ok = TRUE;
  g_autofree char *until = NULL;

  for (guint i = first; i <= last; i++)
    {
      const Transition *t = &g_array_index (ts, Transition, i);
      gint dim = g_date_get_days_in_month (t->local.month, t->local.year);

      nth_ok &= (t->local.day - 1) / 7 + 1 == nth;
      last_ok &= t->local.day > dim - 7;
    }
  if (!nth_ok && !last_ok)
    return NULL;
  if (!open_ended)
    {
      g_autofree char *u = rp_utc_format (g_array_index (ts, Transition, last).utc);
      /* 2026-03-08T07:00:00Z → 20260308T070000Z */
      until = g_strdup_printf (";UNTIL=%.4s%.2s%.2sT%.2s%.2s%.2sZ", u, u + 5, u + 8, u + 11,
                               u + 14, u + 17);
    }
  return g_strdup_printf ("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s%s", t0->local.month,
                          nth_ok ? nth : -1, rule_days[rp_local_weekday (&t0->local) - 1],
                          until ? until : "");
}

static gboolean
later_of_same_kind (GArray *ts,
                    guint   index)
{
  for (guint i = index + 1; i < ts->len; i++)
    if (g_array_index (ts, Transition, i).dst == g_array_index (ts, Transition, index).dst)
      return TRUE;
  return FALSE;
}

/* Observances for transitions that repeat yearly become one RRULE each (as Google's and
 * Outlook's invites have them); the rest are listed one by one. */
static void
append_transitions (GString *out,
                    GArray  *ts)
{
  g_autofree gboolean *used = g_new0 (gboolean, ts->len + 1);

  for (guint i = 0; i < ts->len; i++)
    {
      const Transition *t = &g_array_index (ts, Transition, i);
      g_autofree char *rule = NULL;
      guint last = i;

      if (used[i])
        continue;
      used[i] = TRUE;
      for (guint j = i + 1; j < ts->len; j++)
        {
          const Transition *prev = &g_array_index (ts, Transition, last);

          if (g_array_index (ts, Transition, j).dst != t->dst)
            continue;
          if (!same_rule (prev, &g_array_index (ts, Transition, j)))
            break;
          last = j;
          used[j] = TRUE;
        }
      if (last > i)
        rule = yearly_rule (ts, i, last, !later_of_same_kind (ts, last));
      if (last > i && rule == NULL)
        for (guint j = i + 1; j <= last; j++)
          used[j] = FALSE;   /* no rule fits: list them singly */
      append_observance (out, t->dst, &t->local, t->from, t->to, t->name, rule);
    }
}

/* A VTIMEZONE (as text) valid from from_utc to to_utc and, for zones that still change their
 * clocks by a yearly rule, beyond. */
char *
rp_ical_build_vtimezone (GTimeZone *tz,
                         gint64     from_utc,
                         gint64     to_utc)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GArray) ts = collect_transitions (tz, from_utc, to_utc);
  gint interval = interval_at (tz, from_utc);
  gint32 offset = g_time_zone_get_offset (tz, interval);
  RpLocal start;

  g_string_append_printf (out, "BEGIN:VTIMEZONE\r\nTZID:%s\r\n", g_time_zone_get_identifier (tz));
  /* The offset in force before the first change, so that times before it are covered too. */
  if (ts->len == 0)
    rp_local_from_naive (0, &start);
  else
    rp_local_from_naive (from_utc + offset, &start);
  append_observance (out, g_time_zone_is_dst (tz, interval), &start, offset, offset,
                     g_time_zone_get_abbreviation (tz, interval), NULL);
  append_transitions (out, ts);
  g_string_append (out, "END:VTIMEZONE\r\n");
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------- export ---- */

static void
init_libical (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* A malformed file must come back as an error, not abort the program. */
      icalerror_set_errors_are_fatal (0);
      g_once_init_leave (&done, 1);
    }
}

static struct icaltimetype
to_ical_time (const RpLocal *l,
              gboolean       is_date)
{
  struct icaltimetype t = icaltime_null_time ();

  t.year = l->year;
  t.month = l->month;
  t.day = l->day;
  if (is_date)
    t.is_date = 1;
  else
    {
      t.hour = l->hour;
      t.minute = l->minute;
      t.second = l->second;
    }
  return t;
}

static struct icaltimetype
utc_to_ical (gint64 utc)
{
  return icaltime_from_timet_with_zone ((time_t) utc, 0, icaltimezone_get_utc_timezone ());
}

static gboolean
is_utc_zone (const char *zone)
{
  return g_strcmp0 (zone, "UTC") == 0 || g_strcmp0 (zone, "Etc/UTC") == 0 ||
         g_strcmp0 (zone, "Z") == 0;
}

static icalproperty *
time_property (icalproperty *(*ctor) (struct icaltimetype),
               const RpMeeting *m,
               const RpLocal   *local)
{
  struct icaltimetype t = to_ical_time (local, m->all_day);
  icalproperty *prop;

  if (!m->all_day && !m->floating && is_utc_zone (m->zone))
    t.zone = icaltimezone_get_utc_timezone ();
  prop = ctor (t);
  if (!m->all_day && !m->floating && !is_utc_zone (m->zone))
    icalproperty_add_parameter (prop, icalparameter_new_tzid (m->zone));
  return prop;
}

static icalproperty *
person_property (icalproperty *(*ctor) (const char *),
                 const char *name,
                 const char *email)
{
  g_autofree char *address = g_strdup_printf ("mailto:%s", email);
  icalproperty *prop = ctor (address);

  if (name && *name)
    icalproperty_add_parameter (prop, icalparameter_new_cn (name));
  return prop;
}

/* RFC 5545 wants UNTIL in UTC when DTSTART has a TZID; a local UNTIL is converted here. */
static gboolean
export_rrule (icalcomponent   *event,
              const RpMeeting *m,
              GTimeZone       *tz,
              GError         **error)
{
  struct icalrecurrencetype recur;
  const char *text = m->rrule;

  if (g_ascii_strncasecmp (text, "RRULE:", 6) == 0)
    text += 6;
  icalerror_clear_errno ();
  recur = icalrecurrencetype_from_string (text);
  if (recur.freq == ICAL_NO_RECURRENCE)
    {
      icalerror_clear_errno ();
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID,
                   "Invalid recurrence rule “%s”", m->rrule);
      return FALSE;
    }
  if (!icaltime_is_null_time (recur.until) && !icaltime_is_utc (recur.until) && tz != NULL &&
      !m->all_day)
    {
      RpLocal until = { recur.until.year, recur.until.month, recur.until.day,
                        recur.until.is_date ? 23 : recur.until.hour,
                        recur.until.is_date ? 59 : recur.until.minute,
                        recur.until.is_date ? 59 : recur.until.second };

      if (rp_local_is_valid (&until))
        recur.until = utc_to_ical (rp_zone_resolve (tz, &until, NULL, NULL));
    }
  icalcomponent_add_property (event, icalproperty_new_rrule (recur));
  return TRUE;
}

static char *
description_with_link (const RpMeeting *m)
{
  if (m->link == NULL)
    return g_strdup (m->description);
  if (m->description == NULL || *m->description == '\0')
    return g_strdup_printf (JOIN_PREFIX "%s", m->link);
  return g_strdup_printf ("%s\n\n" JOIN_PREFIX "%s", m->description, m->link);
}

static gboolean
check_meeting (const RpMeeting *m,
               GTimeZone      **tz,
               GError         **error)
{
  if (m->uid == NULL || *m->uid == '\0' || !rp_local_is_valid (&m->start))
    {
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID,
                   "A session needs a UID and a valid start time to be exported");
      return FALSE;
    }
  if (m->all_day || m->floating)
    return TRUE;
  *tz = rp_zone_new (m->zone, error);
  return *tz != NULL;
}

static gint64
series_end (const RpMeeting *m,
            GTimeZone       *tz,
            gint64           start)
{
  g_autoptr(GArray) occs = NULL;

  if (m->rrule == NULL)
    return start;
  occs = rp_schedule_expand (tz, &m->start, m->rrule, NULL, 1000, NULL);
  if (occs == NULL || occs->len == 0 || occs->len >= 1000)
    return start + 3 * YEAR_SECONDS;   /* open-ended: the VTIMEZONE's RRULEs carry on */
  return g_array_index (occs, RpOccurrence, occs->len - 1).utc;
}

static void
add_text (icalcomponent *event,
          icalproperty  *(*ctor) (const char *),
          const char    *value)
{
  if (value && *value)
    icalcomponent_add_property (event, ctor (value));
}

static icalcomponent *
build_event (const RpMeeting *m,
             GTimeZone       *tz,
             GError         **error)
{
  icalcomponent *event = icalcomponent_new_vevent ();
  g_autofree char *description = description_with_link (m);
  RpLocal end;
  gint64 start_utc;

  icalcomponent_add_property (event, icalproperty_new_uid (m->uid));
  icalcomponent_add_property (event, icalproperty_new_dtstamp (utc_to_ical (m->dtstamp)));
  icalcomponent_add_property (event, time_property (icalproperty_new_dtstart, m, &m->start));
  if (tz)
    {
      start_utc = rp_zone_resolve (tz, &m->start, NULL, NULL);
      rp_zone_local_at (tz, start_utc + (gint64) m->minutes * 60, &end);
    }
  else
    rp_local_from_naive (rp_local_to_naive (&m->start) + (gint64) m->minutes * 60, &end);
  icalcomponent_add_property (event, time_property (icalproperty_new_dtend, m, &end));
  if (m->rrule && !export_rrule (event, m, tz, error))
    {
      icalcomponent_free (event);
      return NULL;
    }
  add_text (event, icalproperty_new_summary, m->summary);
  add_text (event, icalproperty_new_description, description);
  add_text (event, icalproperty_new_location, m->link);
  add_text (event, icalproperty_new_url, m->link);
  if (m->organizer_email)
    icalcomponent_add_property (event, person_property (icalproperty_new_organizer,
                                                        m->organizer_name, m->organizer_email));
  if (m->attendee_email)
    {
      icalproperty *a = person_property (icalproperty_new_attendee, m->attendee_name,
                                         m->attendee_email);

      icalproperty_add_parameter (a, icalparameter_new_role (ICAL_ROLE_REQPARTICIPANT));
      icalproperty_add_parameter (a, icalparameter_new_partstat (ICAL_PARTSTAT_NEEDSACTION));
      icalproperty_add_parameter (a, icalparameter_new_rsvp (ICAL_RSVP_TRUE));
      icalcomponent_add_property (event, a);
    }
  icalcomponent_add_property (event, icalproperty_new_sequence (m->sequence));
  if (m->status)
    icalcomponent_add_property (event, icalproperty_new_status (icalproperty_string_to_status (m->status)));
  return event;
}

static icalcomponent *
new_calendar (const char *method)
{
  icalcomponent *cal = icalcomponent_new_vcalendar ();

  icalcomponent_add_property (cal, icalproperty_new_version ("2.0"));
  icalcomponent_add_property (cal, icalproperty_new_prodid ("-//Rapport//Rapport " PACKAGE_VERSION "//EN"));
  icalcomponent_add_property (cal, icalproperty_new_calscale ("GREGORIAN"));
  if (method)
    icalcomponent_add_property (cal, icalproperty_new_method (icalproperty_string_to_method (method)));
  return cal;
}

/* One VTIMEZONE per zone, before the events (some readers want them first). */
static void
add_vtimezone (icalcomponent   *cal,
               GHashTable      *seen,
               const RpMeeting *m,
               GTimeZone       *tz)
{
  g_autofree char *text = NULL;
  gint64 start;
  icalcomponent *vtz;

  if (tz == NULL || is_utc_zone (m->zone) || g_hash_table_contains (seen, m->zone))
    return;
  g_hash_table_add (seen, g_strdup (m->zone));
  start = rp_zone_resolve (tz, &m->start, NULL, NULL);
  text = rp_ical_build_vtimezone (tz, start - YEAR_SECONDS,
                                  series_end (m, tz, start) + YEAR_SECONDS);
  vtz = icalparser_parse_string (text);
  if (vtz != NULL)
    icalcomponent_add_component (cal, vtz);
}

char *
rp_ical_export (RpMeeting * const *meetings,
                guint              n_meetings,
                const char        *method,
                GError           **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) icalcomponent_free);
  icalcomponent *cal;
  char *ical, *result;

  init_libical ();
  cal = new_calendar (method);
  for (guint i = 0; i < n_meetings; i++)
    {
      g_autoptr(GTimeZone) tz = NULL;
      icalcomponent *event;

      if (!check_meeting (meetings[i], &tz, error) ||
          (event = build_event (meetings[i], tz, error)) == NULL)
        {
          icalcomponent_free (cal);
          return NULL;
        }
      add_vtimezone (cal, seen, meetings[i], tz);
      g_ptr_array_add (events, event);
    }
  for (guint i = 0; i < events->len; i++)
    icalcomponent_add_component (cal, events->pdata[i]);
  g_ptr_array_set_free_func (events, NULL);   /* the calendar owns them now */

  ical = icalcomponent_as_ical_string_r (cal);
  result = g_strdup (ical);
  icalmemory_free_buffer (ical);
  icalcomponent_free (cal);
  return result;
}

/* ---------------------------------------------------------------- import ---- */

static char *
clean_text (const char *text)
{
  if (text == NULL)
    return NULL;
  return g_utf8_make_valid (text, -1);
}

static const char *
first_libical_error (icalcomponent *comp)
{
  icalproperty *p = icalcomponent_get_first_property (comp, ICAL_XLICERROR_PROPERTY);

  return p ? icalproperty_get_xlicerror (p) : NULL;
}

static const char *
tzid_of (icalproperty *prop)
{
  icalparameter *param = icalproperty_get_first_parameter (prop, ICAL_TZID_PARAMETER);

  return param ? icalparameter_get_tzid (param) : NULL;
}

static void
ical_to_rp (struct icaltimetype t,
            RpLocal            *out)
{
  out->year = t.year;
  out->month = t.month;
  out->day = t.day;
  out->hour = t.is_date ? 0 : t.hour;
  out->minute = t.is_date ? 0 : t.minute;
  out->second = t.is_date ? 0 : t.second;
}

/* Outlook writes "Customized Time Zone" (and other names of its own) with a VTIMEZONE that
 * defines the rules. Such a definition is matched against the zones of the Windows table: the
 * first whose UTC offset agrees at every sampled instant over the event's year and the years
 * either side is taken. The definition is evaluated here rather than by libical, whose eager
 * expansion of four centuries of rules (Outlook starts them in 1601) is slow and would run on
 * input from strangers: only the forms calendars use for zones are read (a fixed onset, or a
 * yearly rule on one month with an nth weekday or a day of the month); anything else is not
 * matched. Results are kept per TZID for the rest of the file. */
#define MAX_OBSERVANCES 16
#define SAMPLE_STEP     (6 * 3600)

typedef struct {
  gint64 onset;
  gint32 to;
} Onset;

static gint
compare_onsets (gconstpointer a,
                gconstpointer b)
{
  gint64 x = ((const Onset *) a)->onset, y = ((const Onset *) b)->onset;

  return x < y ? -1 : x > y;
}

static gboolean
only_day_rule (struct icalrecurrencetype r)
{
  return r.freq == ICAL_YEARLY_RECURRENCE && r.rscale == NULL && r.interval == 1 && r.count == 0 &&
         r.by_second[0] == ICAL_RECURRENCE_ARRAY_MAX && r.by_minute[0] == ICAL_RECURRENCE_ARRAY_MAX &&
         r.by_hour[0] == ICAL_RECURRENCE_ARRAY_MAX && r.by_year_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
         r.by_week_no[0] == ICAL_RECURRENCE_ARRAY_MAX && r.by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX &&
         r.by_day[1] == ICAL_RECURRENCE_ARRAY_MAX && r.by_month[1] == ICAL_RECURRENCE_ARRAY_MAX &&
         r.by_month_day[1] == ICAL_RECURRENCE_ARRAY_MAX;
}

/* The day of `year` a plain yearly rule falls on; FALSE when it names none (the 5th Sunday). */
static gboolean
rule_day (struct icalrecurrencetype r,
          struct icaltimetype       start,
          gint                      year,
          RpLocal                  *out)
{
  gint month = r.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX ? r.by_month[0] : start.month;
  gint dim;

  if (month < 1 || month > 12)
    return FALSE;
  dim = g_date_get_days_in_month (month, year);
  *out = (RpLocal) { year, month, start.day, start.hour, start.minute, start.second };
  if (r.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX)
    out->day = r.by_month_day[0] < 0 ? dim + 1 + r.by_month_day[0] : r.by_month_day[0];
  else if (r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX)
    {
      gint nth = icalrecurrencetype_day_position (r.by_day[0]);
      /* libical counts Sunday = 1 … Saturday = 7; ours is ISO, Monday = 1 … Sunday = 7 */
      gint weekday = ((gint) icalrecurrencetype_day_day_of_week (r.by_day[0]) + 5) % 7 + 1;
      RpLocal first = { year, month, 1, 0, 0, 0 };
      gint first_match = 1 + (weekday - rp_local_weekday (&first) + 7) % 7;
      gint count = (dim - first_match) / 7 + 1;

      if (nth == 0 || nth > count || -nth > count)
        return FALSE;
      out->day = first_match + 7 * ((nth > 0 ? nth : count + 1 + nth) - 1);
    }
  return rp_local_is_valid (out);
}

static gboolean
add_onsets (icalcomponent *o,
            gint           from_year,
            gint           to_year,
            GArray        *onsets)
{
  icalproperty *dtstart = icalcomponent_get_first_property (o, ICAL_DTSTART_PROPERTY);
  icalproperty *from_p = icalcomponent_get_first_property (o, ICAL_TZOFFSETFROM_PROPERTY);
  icalproperty *to_p = icalcomponent_get_first_property (o, ICAL_TZOFFSETTO_PROPERTY);
  icalproperty *rrule = icalcomponent_get_first_property (o, ICAL_RRULE_PROPERTY);
  struct icaltimetype start;
  struct icalrecurrencetype r;
  gint32 from, to;
  RpLocal l;

  if (dtstart == NULL || from_p == NULL || to_p == NULL ||
      icalcomponent_count_properties (o, ICAL_RDATE_PROPERTY) > 0 ||
      icalcomponent_count_properties (o, ICAL_RRULE_PROPERTY) > 1)
    return FALSE;
  start = icalproperty_get_dtstart (dtstart);
  from = icalproperty_get_tzoffsetfrom (from_p);
  to = icalproperty_get_tzoffsetto (to_p);
  ical_to_rp (start, &l);
  if (!rp_local_is_valid (&l) || ABS (from) > 86400 || ABS (to) > 86400)
    return FALSE;
  g_array_append_vals (onsets, &(Onset) { rp_local_to_naive (&l) - from, to }, 1);
  if (rrule == NULL)
    return TRUE;
  r = icalproperty_get_rrule (rrule);
  if (!only_day_rule (r))
    return FALSE;
  for (gint year = MAX (from_year, start.year + 1); year <= to_year; year++)
    {
      gint64 onset;

      if (!rule_day (r, start, year, &l))
        continue;
      onset = rp_local_to_naive (&l) - from;
      if (!icaltime_is_null_time (r.until))
        {
          RpLocal u;

          ical_to_rp (r.until, &u);
          if (onset > rp_local_to_naive (&u) - (icaltime_is_utc (r.until) ? 0 : from))
            break;
        }
      g_array_append_vals (onsets, &(Onset) { onset, to }, 1);
    }
  return TRUE;
}

/* The offset the definition gives at each sample instant, or NULL if it cannot be read. */
static GArray *
defined_offsets (icalcomponent *vtz,
                 gint64         from,
                 gint64         to,
                 gint           year)
{
  g_autoptr(GArray) onsets = g_array_new (FALSE, FALSE, sizeof (Onset));
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gint32));
  guint observances = 0, next = 0;
  gint32 current;

  for (icalcomponent *o = icalcomponent_get_first_component (vtz, ICAL_ANY_COMPONENT); o;
       o = icalcomponent_get_next_component (vtz, ICAL_ANY_COMPONENT))
    {
      icalcomponent_kind kind = icalcomponent_isa (o);

      if ((kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT) ||
          ++observances > MAX_OBSERVANCES || !add_onsets (o, year - 2, year + 3, onsets))
        return NULL;
    }
  if (onsets->len == 0)
    return NULL;
  g_array_sort (onsets, compare_onsets);
  current = g_array_index (onsets, Onset, 0).to;
  for (gint64 t = from; t < to; t += SAMPLE_STEP)
    {
      while (next < onsets->len && g_array_index (onsets, Onset, next).onset <= t)
        current = g_array_index (onsets, Onset, next++).to;
      g_array_append_val (offsets, current);
    }
  return g_steal_pointer (&offsets);
}

static gboolean
same_offsets (GArray     *defined,
              const char *iana,
              gint64      from)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (iana);

  if (tz == NULL)
    return FALSE;
  for (guint i = 0; i < defined->len; i++)
    if (g_array_index (defined, gint32, i) != rp_zone_offset_at (tz, from + (gint64) i * SAMPLE_STEP))
      return FALSE;
  return TRUE;
}

/* With an external iterator: get_first/next_component would reset the one that the caller,
 * read_calendar, is walking the same calendar with. */
static icalcomponent *
find_vtimezone (icalcomponent *cal,
                const char    *tzid)
{
  icalcompiter it;

  if (cal == NULL)
    return NULL;
  for (it = icalcomponent_begin_component (cal, ICAL_VTIMEZONE_COMPONENT);
       icalcompiter_deref (&it) != NULL; icalcompiter_next (&it))
    {
      icalcomponent *c = icalcompiter_deref (&it);
      icalproperty *p = icalcomponent_get_first_property (c, ICAL_TZID_PROPERTY);

      if (p && g_strcmp0 (icalproperty_get_tzid (p), tzid) == 0)
        return c;
    }
  return NULL;
}

static char *
match_vtimezone (icalcomponent *event,
                 const char    *tzid,
                 gint           year,
                 GHashTable    *matched)
{
  icalcomponent *vtz;
  g_autoptr(GArray) defined = NULL;
  RpLocal a = { year - 1, 1, 1, 0, 0, 0 }, b = { year + 2, 1, 1, 0, 0, 0 };
  const char *found = NULL;
  gpointer cached;

  if (g_hash_table_lookup_extended (matched, tzid, NULL, &cached))
    return g_strdup (cached);
  vtz = find_vtimezone (icalcomponent_get_parent (event), tzid);
  if (vtz != NULL && year >= 1900 && year <= 2200)
    defined = defined_offsets (vtz, rp_local_to_naive (&a), rp_local_to_naive (&b), year);
  for (guint i = 0; defined && found == NULL && i < G_N_ELEMENTS (windows_zones); i++)
    if (same_offsets (defined, windows_zones[i].iana, rp_local_to_naive (&a)))
      found = windows_zones[i].iana;
  g_hash_table_insert (matched, g_strdup (tzid), g_strdup (found));
  return g_strdup (found);
}

/* Reads DTSTART or DTEND into a zone + local time. */
static gboolean
read_time (icalcomponent  *event,
           GHashTable     *matched,
           icalproperty_kind kind,
           const char     *what,
           RpMeeting      *m,
           RpLocal        *local,
           char          **zone,
           gboolean       *is_date,
           GError        **error)
{
  icalproperty *prop = icalcomponent_get_first_property (event, kind);
  struct icaltimetype t;
  const char *tzid;

  if (prop == NULL)
    {
      const char *why = first_libical_error (event);

      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID, "%s is missing%s%s%s", what,
                   why ? " or malformed (" : "", why ? why : "", why ? ")" : "");
      return FALSE;
    }
  t = kind == ICAL_DTSTART_PROPERTY ? icalproperty_get_dtstart (prop) : icalproperty_get_dtend (prop);
  ical_to_rp (t, local);
  if (icaltime_is_null_time (t) || !rp_local_is_valid (local))
    {
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID, "%s is not a valid date or time",
                   what);
      return FALSE;
    }
  *is_date = t.is_date;
  tzid = tzid_of (prop);
  *zone = NULL;
  if (t.is_date)
    return TRUE;
  if (icaltime_is_utc (t))
    *zone = g_strdup ("UTC");
  else if (tzid != NULL)
    {
      *zone = rp_ical_tzid_to_iana (tzid);
      if (*zone == NULL)
        *zone = match_vtimezone (event, tzid, local->year, matched);
      if (*zone == NULL)
        {
          g_autofree char *shown = clean_text (tzid);

          g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID,
                       "%s has an unknown time zone “%s” (neither an IANA nor a Windows zone "
                       "name, and no VTIMEZONE in the file that matches a known zone)",
                       what, shown);
          return FALSE;
        }
      if (kind == ICAL_DTSTART_PROPERTY && g_strcmp0 (*zone, tzid) != 0)
        m->source_tzid = clean_text (tzid);
    }
  return TRUE;
}

static gint64
instant_of (const RpLocal *local,
            const char    *zone)
{
  g_autoptr(GTimeZone) tz = zone ? g_time_zone_new_identifier (zone) : NULL;

  if (tz == NULL)
    return rp_local_to_naive (local);   /* floating: differences are clock differences */
  return rp_zone_resolve (tz, local, NULL, NULL);
}

static gboolean
read_length (icalcomponent *event,
             GHashTable    *matched,
             RpMeeting     *m,
             GError       **error)
{
  icalproperty *dur = icalcomponent_get_first_property (event, ICAL_DURATION_PROPERTY);
  gint64 seconds;

  if (icalcomponent_get_first_property (event, ICAL_DTEND_PROPERTY) != NULL)
    {
      g_autofree char *zone = NULL;
      RpLocal end;
      gboolean is_date;

      if (!read_time (event, matched, ICAL_DTEND_PROPERTY, "DTEND", m, &end, &zone, &is_date, error))
        return FALSE;
      if (is_date != m->all_day)
        {
          g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID,
                       "DTEND and DTSTART are not both dates or both date-times");
          return FALSE;
        }
      seconds = instant_of (&end, zone ? zone : m->zone) - instant_of (&m->start, m->zone);
    }
  else if (dur != NULL)
    seconds = icaldurationtype_as_int (icalproperty_get_duration (dur));
  else
    seconds = m->all_day ? 86400 : 0;   /* RFC 5545 §3.6.1 */

  if (seconds < 0 || seconds > 366 * (gint64) 86400)
    {
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID,
                   seconds < 0 ? "The event ends before it starts" : "The event is longer than a year");
      return FALSE;
    }
  m->minutes = (guint) (seconds / 60);
  return TRUE;
}

static gboolean
read_rrule (icalcomponent *event,
            RpMeeting     *m,
            GError       **error)
{
  icalproperty *prop = icalcomponent_get_first_property (event, ICAL_RRULE_PROPERTY);
  struct icalrecurrencetype recur;
  char *text;

  if (prop == NULL)
    return TRUE;
  recur = icalproperty_get_rrule (prop);
  if (recur.freq == ICAL_NO_RECURRENCE)
    {
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID, "RRULE is not a valid rule");
      return FALSE;
    }

  text = icalrecurrencetype_as_string_r (&recur);
  icalerror_clear_errno ();
  if (text == NULL)
    {
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID, "RRULE cannot be written back");
      return FALSE;
    }
  m->rrule = clean_text (text);
  icalmemory_free_buffer (text);
  {
    g_autoptr(GError) why = NULL;

    if (!rp_schedule_check_rule (m->rrule, &why))
      {
        g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID, "RRULE: %s", why->message);
        return FALSE;
      }
  }
  return TRUE;
}

static void
read_person (icalproperty *prop,
             const char   *(*get) (const icalproperty *),
             char        **name,
             char        **email)
{
  icalparameter *cn = icalproperty_get_first_parameter (prop, ICAL_CN_PARAMETER);
  const char *value = get (prop);

  if (value && g_ascii_strncasecmp (value, "mailto:", 7) == 0)
    value += 7;
  g_clear_pointer (email, g_free);
  g_clear_pointer (name, g_free);
  *email = clean_text (value);
  if (cn)
    *name = clean_text (icalparameter_get_cn (cn));
}

static void
read_people (icalcomponent *event,
             RpMeeting     *m)
{
  icalproperty *org = icalcomponent_get_first_property (event, ICAL_ORGANIZER_PROPERTY);

  if (org)
    read_person (org, icalproperty_get_organizer, &m->organizer_name, &m->organizer_email);
  /* Google and Apple list the organizer among the attendees too: the partner is the first
   * attendee who is not the organizer. */
  for (icalproperty *a = icalcomponent_get_first_property (event, ICAL_ATTENDEE_PROPERTY);
       a != NULL; a = icalcomponent_get_next_property (event, ICAL_ATTENDEE_PROPERTY))
    {
      const char *value = icalproperty_get_attendee (a);

      if (value && g_ascii_strncasecmp (value, "mailto:", 7) == 0)
        value += 7;
      if (value == NULL || (m->organizer_email && g_ascii_strcasecmp (value, m->organizer_email) == 0))
        continue;
      read_person (a, icalproperty_get_attendee, &m->attendee_name, &m->attendee_email);
      break;
    }
}

static char *
find_rapport_link (const char *text)
{
  const char *at = text ? strstr (text, "rapport://") : NULL;
  const char *end = at;

  if (at == NULL)
    return NULL;
  while (*end && !g_ascii_isspace (*end) && *end != '"' && *end != '<' && *end != '>')
    end++;
  return g_strndup (at, end - at);
}

static const char *
text_of (icalcomponent    *event,
         icalproperty_kind kind)
{
  icalproperty *p = icalcomponent_get_first_property (event, kind);

  return p ? icalproperty_get_value_as_string (p) : NULL;
}

/* The link: URL if it has one, else a rapport:// link in LOCATION or DESCRIPTION. Our own
 * "Join with Rapport: LINK" line is taken off the description so a round trip keeps it. */
static void
read_texts (icalcomponent *event,
            RpMeeting     *m)
{
  icalproperty *desc = icalcomponent_get_first_property (event, ICAL_DESCRIPTION_PROPERTY);
  icalproperty *sum = icalcomponent_get_first_property (event, ICAL_SUMMARY_PROPERTY);
  icalproperty *url = icalcomponent_get_first_property (event, ICAL_URL_PROPERTY);
  const char *location = text_of (event, ICAL_LOCATION_PROPERTY);

  m->summary = sum ? clean_text (icalproperty_get_summary (sum)) : NULL;
  m->description = desc ? clean_text (icalproperty_get_description (desc)) : NULL;
  if (url)
    m->link = clean_text (icalproperty_get_url (url));
  if (m->link == NULL)
    m->link = find_rapport_link (location);
  if (m->link == NULL)
    m->link = find_rapport_link (m->description);
  if (m->link && m->description)
    {
      g_autofree char *own = g_strconcat (JOIN_PREFIX, m->link, NULL);
      g_autofree char *own_para = g_strconcat ("\n\n", own, NULL);

      if (g_str_has_suffix (m->description, own_para))
        m->description[strlen (m->description) - strlen (own_para)] = '\0';
      else if (g_strcmp0 (m->description, own) == 0)
        g_clear_pointer (&m->description, g_free);
    }
}

static void
read_misc (icalcomponent *event,
           RpMeeting     *m)
{
  icalproperty *stamp = icalcomponent_get_first_property (event, ICAL_DTSTAMP_PROPERTY);
  icalproperty *seq = icalcomponent_get_first_property (event, ICAL_SEQUENCE_PROPERTY);
  icalproperty *status = icalcomponent_get_first_property (event, ICAL_STATUS_PROPERTY);

  if (stamp)
    {
      struct icaltimetype t = icalproperty_get_dtstamp (stamp);
      RpLocal l;

      ical_to_rp (t, &l);
      if (rp_local_is_valid (&l))
        m->dtstamp = rp_local_to_naive (&l);
    }
  if (seq)
    m->sequence = icalproperty_get_sequence (seq);
  if (status)
    m->status = clean_text (icalproperty_get_value_as_string (status));
}

/* A UID is required by RFC 5545; for a file without one, a stable stand-in from the event's
 * own text keeps re-imports of the same file updating rather than duplicating. */
static char *
read_uid (icalcomponent *event)
{
  icalproperty *p = icalcomponent_get_first_property (event, ICAL_UID_PROPERTY);
  char *text;
  char *hash;

  if (p && icalproperty_get_uid (p) && *icalproperty_get_uid (p))
    return clean_text (icalproperty_get_uid (p));
  text = icalcomponent_as_ical_string_r (event);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text ? text : "", -1);
  icalmemory_free_buffer (text);
  return hash;
}

/* libical drops a property whose value it cannot parse and leaves an X-LIC-ERROR instead;
 * for the properties that decide when the session is, that must be an error, not a silent
 * one-off meeting at another time. */
static gboolean
check_dropped (icalcomponent *event,
               GError       **error)
{
  static const char *vital[] = { "DTSTART", "DTEND", "DURATION", "RRULE" };

  for (icalproperty *p = icalcomponent_get_first_property (event, ICAL_XLICERROR_PROPERTY);
       p != NULL; p = icalcomponent_get_next_property (event, ICAL_XLICERROR_PROPERTY))
    {
      const char *why = icalproperty_get_xlicerror (p);

      for (guint i = 0; why && i < G_N_ELEMENTS (vital); i++)
        {
          g_autofree char *needle = g_strdup_printf ("%s property", vital[i]);

          if (strstr (why, needle) != NULL)
            {
              g_autofree char *shown = clean_text (why);

              g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_INVALID, "%s is malformed (%s)",
                           vital[i], shown);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static RpMeeting *
read_event (icalcomponent *event,
            GHashTable    *matched,
            GError       **error)
{
  g_autoptr(RpMeeting) m = rp_meeting_new ();
  gboolean is_date;

  m->uid = read_uid (event);
  if (!check_dropped (event, error))
    return NULL;
  if (!read_time (event, matched, ICAL_DTSTART_PROPERTY, "DTSTART", m, &m->start, &m->zone, &is_date,
                  error))
    return NULL;
  m->all_day = is_date;
  m->floating = !is_date && m->zone == NULL;
  if (!read_length (event, matched, m, error) || !read_rrule (event, m, error))
    return NULL;
  read_people (event, m);
  read_texts (event, m);
  read_misc (event, m);
  return g_steal_pointer (&m);
}

static void
read_calendar (icalcomponent *cal,
               GPtrArray     *meetings,
               GPtrArray     *errors)
{
  g_autoptr(GHashTable) matched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint index = 0;

  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  /* Listed first, so that nothing done while reading a part can move the walk. */
  for (icalcomponent *c = icalcomponent_get_first_component (cal, ICAL_ANY_COMPONENT);
       c != NULL; c = icalcomponent_get_next_component (cal, ICAL_ANY_COMPONENT))
    g_ptr_array_add (parts, c);
  for (guint i = 0; i < parts->len; i++)
    {
      icalcomponent *c = parts->pdata[i];
      icalcomponent_kind kind = icalcomponent_isa (c);

      if (kind == ICAL_VEVENT_COMPONENT)
        {
          g_autoptr(GError) local_error = NULL;
          RpMeeting *m = read_event (c, matched, &local_error);
          g_autofree char *uid = NULL;

          index++;
          if (m)
            {
              g_ptr_array_add (meetings, m);
              continue;
            }
          uid = read_uid (c);
          g_ptr_array_add (errors, g_strdup_printf ("Event %u (UID %s): %s", index, uid,
                                                    local_error->message));
        }
      else if (kind == ICAL_VTODO_COMPONENT || kind == ICAL_VJOURNAL_COMPONENT ||
               kind == ICAL_VFREEBUSY_COMPONENT)
        g_ptr_array_add (errors, g_strdup_printf ("%s is not supported: only events (VEVENT) "
                                                  "are imported",
                                                  icalcomponent_kind_to_string (kind)));
    }
}

static gboolean
check_input (const char *data,
             gsize       length,
             GError    **error)
{
  if (length > MAX_INPUT_BYTES)
    {
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_TOO_LARGE,
                   "The file is larger than %d MiB, too large for an invitation",
                   MAX_INPUT_BYTES / (1024 * 1024));
      return FALSE;
    }
  if (g_strstr_len (data, length, "BEGIN:VCALENDAR") == NULL &&
      g_strstr_len (data, length, "BEGIN:VEVENT") == NULL)
    {
      g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_NOT_ICALENDAR,
                   "Not an iCalendar file: there is no BEGIN:VCALENDAR");
      return FALSE;
    }
  return TRUE;
}

gboolean
rp_ical_import (const char *data,
                gssize      length,
                GPtrArray **meetings,
                GPtrArray **errors,
                GError    **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_meeting_unref);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  icalcomponent *root;
  icalcomponent_kind kind;

  init_libical ();
  if (length < 0)
    length = strlen (data);
  if (!check_input (data, length, error))
    return FALSE;
  /* libical reads up to a NUL; a copy makes the length explicit. */
  text = g_strndup (data, length);
  root = icalparser_parse_string (text);
  icalerror_clear_errno ();
  kind = root ? icalcomponent_isa (root) : ICAL_NO_COMPONENT;
  if (kind == ICAL_VCALENDAR_COMPONENT)
    read_calendar (root, found, problems);
  else if (kind == ICAL_XROOT_COMPONENT)
    for (icalcomponent *c = icalcomponent_get_first_component (root, ICAL_VCALENDAR_COMPONENT);
         c != NULL; c = icalcomponent_get_next_component (root, ICAL_VCALENDAR_COMPONENT))
      read_calendar (c, found, problems);
  else if (kind == ICAL_VEVENT_COMPONENT)
    {
      /* A bare VEVENT, as some mail clients attach: read it as a one-event calendar. */
      icalcomponent *cal = icalcomponent_new_vcalendar ();

      icalcomponent_add_component (cal, root);
      root = cal;
      read_calendar (root, found, problems);
    }
  if (root)
    icalcomponent_free (root);
  icalerror_clear_errno ();

  if (found->len == 0)
    {
      if (kind == ICAL_NO_COMPONENT)
        g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_NOT_ICALENDAR,
                     "Not an iCalendar file: it could not be parsed");
      else if (problems->len > 0)
        g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_NO_EVENTS,
                     "No event could be read: %s", (char *) problems->pdata[0]);
      else
        g_set_error (error, RP_ICAL_ERROR, RP_ICAL_ERROR_NO_EVENTS, "The file holds no events");
      if (errors)
        *errors = g_steal_pointer (&problems);
      return FALSE;
    }
  if (meetings)
    *meetings = g_steal_pointer (&found);
  if (errors)
    *errors = g_steal_pointer (&problems);
  return TRUE;
}

/* ---------------------------------------------------------------- async ---- */

typedef struct {
  GPtrArray *meetings;
  GPtrArray *errors;
} ImportResult;

static void
import_result_free (ImportResult *r)
{
  g_clear_pointer (&r->meetings, g_ptr_array_unref);
  g_clear_pointer (&r->errors, g_ptr_array_unref);
  g_free (r);
}

static void
import_file_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  ImportResult *r;
  gsize length;

  if (!g_file_load_contents (task_data, cancellable, &data, &length, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  r = g_new0 (ImportResult, 1);
  if (!rp_ical_import (data, length, &r->meetings, &r->errors, &error))
    {
      import_result_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, r, (GDestroyNotify) import_result_free);
}

void
rp_ical_import_file_async (GFile              *file,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (G_IS_FILE (file));
  g_task_set_source_tag (task, rp_ical_import_file_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, import_file_thread);
}

/* The meetings read; *errors gets the parts that could not be read. */
GPtrArray *
rp_ical_import_file_finish (GAsyncResult *result,
                            GPtrArray   **errors,
                            GError      **error)
{
  ImportResult *r;
  GPtrArray *meetings;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return NULL;
  meetings = g_steal_pointer (&r->meetings);
  if (errors)
    *errors = g_steal_pointer (&r->errors);
  import_result_free (r);
  return meetings;
}
