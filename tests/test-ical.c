/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * iCalendar export and import. Exported files are read back three ways: by libical, by a
 * strict line-based checker written here from RFC 5545 (independent of libical), and by
 * Python's icalendar package when it is installed (Debian: python3-icalendar).
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <libical/ical.h>

#include "rp-ical.h"
#include "rp-schedule.h"

static RpLocal
L (const char *text)
{
  RpLocal l;

  g_assert_true (rp_local_parse (text, &l, NULL));
  return l;
}

static RpMeeting *
sample_meeting (const char *zone,
                const char *start,
                const char *rrule)
{
  RpMeeting *m = rp_meeting_new ();

  m->uid = g_strdup ("0f3c2a1b9e8d7c6b@rapport");
  m->summary = g_strdup ("Mentoring: Aiko / Ben — weekly, ünïcödé, a long title that needs folding");
  m->description = g_strdup ("Agenda:\n1. Goals; review, next steps\n2. \"Quotes\" and backslash \\");
  m->zone = g_strdup (zone);
  m->start = L (start);
  m->minutes = 45;
  m->rrule = g_strdup (rrule);
  m->organizer_name = g_strdup ("Ben Müller");
  m->organizer_email = g_strdup ("ben@example.org");
  m->attendee_name = g_strdup ("Aiko Tanaka");
  m->attendee_email = g_strdup ("aiko@example.jp");
  m->link = g_strdup ("rapport://rendezvous.example.org:8443/AbCdEfGhIjKlMnOpQrStUv?tls=1");
  m->dtstamp = 1772366400;   /* 2026-03-01T12:00:00Z */
  m->sequence = 2;
  m->status = g_strdup ("CONFIRMED");
  return m;
}

static char *
export_one (RpMeeting *m)
{
  g_autoptr(GError) error = NULL;
  char *ics = rp_ical_export (&m, 1, "REQUEST", &error);

  g_assert_no_error (error);
  g_assert_nonnull (ics);
  return ics;
}

/* ---- a strict reader of our own (RFC 5545 §3.1, §3.4, §3.6) ---- */

typedef struct {
  char *name;
  char *params;    /* raw, from the first ';' up to the ':' (or "") */
  char *value;
} Line;

static void
line_free (Line *l)
{
  g_free (l->name);
  g_free (l->params);
  g_free (l->value);
  g_free (l);
}

static gboolean
fail_check (GString    *why,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail_check (GString    *why,
            const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (why, format, args);
  g_string_append_c (why, '\n');
  va_end (args);
  return FALSE;
}

/* Physical lines → unfolded content lines, checking CRLF, 75 octets, UTF-8 per line. */
static GPtrArray *
unfold (const char *ics,
        GString    *why)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  const char *p = ics;
  GString *current = NULL;

  while (*p)
    {
      const char *eol = strstr (p, "\r\n");
      gsize len;

      if (eol == NULL)
        {
          fail_check (why, "last line does not end in CRLF");
          break;
        }
      len = eol - p;
      if (memchr (p, '\n', len) || memchr (p, '\r', len))
        fail_check (why, "bare CR or LF inside a line");
      if (len > 75)
        fail_check (why, "line longer than 75 octets: %.*s", (int) len, p);
      if (!g_utf8_validate (p, len, NULL))
        fail_check (why, "invalid UTF-8 or a character split by folding: %.*s", (int) len, p);
      if (len > 0 && (p[0] == ' ' || p[0] == '\t'))
        {
          if (current == NULL)
            fail_check (why, "continuation line with nothing to continue");
          else
            g_string_append_len (current, p + 1, len - 1);
        }
      else
        {
          if (current)
            g_ptr_array_add (lines, g_string_free (current, FALSE));
          current = g_string_new_len (p, len);
        }
      p = eol + 2;
    }
  if (current)
    g_ptr_array_add (lines, g_string_free (current, FALSE));
  return lines;
}

static Line *
split_line (const char *text,
            GString    *why)
{
  Line *l = g_new0 (Line, 1);
  const char *p = text;
  gboolean quoted = FALSE;

  while (g_ascii_isalnum (*p) || *p == '-')
    p++;
  if (p == text || (*p != ';' && *p != ':'))
    {
      fail_check (why, "not a content line: %s", text);
      line_free (l);
      return NULL;
    }
  l->name = g_ascii_strup (text, p - text);
  {
    const char *params = p;

    for (; *p && (quoted || *p != ':'); p++)
      {
        if (*p == '"')
          quoted = !quoted;
        if ((guchar) *p < 0x20 && *p != '\t')
          fail_check (why, "control character in parameters of %s", l->name);
      }
    if (*p != ':')
      {
        fail_check (why, "no value in line %s", text);
        line_free (l);
        return NULL;
      }
    l->params = g_strndup (params, p - params);
  }
  l->value = g_strdup (p + 1);
  for (const char *v = l->value; *v; v++)
    if ((guchar) *v < 0x20 && *v != '\t')
      fail_check (why, "control character in value of %s", l->name);
  return l;
}

static const char *
param (const Line *l,
       const char *name)
{
  g_autofree char *needle = g_strdup_printf (";%s=", name);
  const char *at = strstr (l->params, needle);

  return at ? at + strlen (needle) : NULL;
}

static gboolean
is_offset (const char *v)
{
  gsize n = strlen (v);

  if ((n != 5 && n != 7) || (v[0] != '+' && v[0] != '-'))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!g_ascii_isdigit (v[i]))
      return FALSE;
  return TRUE;
}

typedef struct {
  char       *kind;
  GHashTable *counts;   /* property name → count */
  gboolean    dtstart_has_tzid;
  char       *until;
} Frame;

static void
frame_free (Frame *f)
{
  g_free (f->kind);
  g_free (f->until);
  g_hash_table_unref (f->counts);
  g_free (f);
}

static guint
count (Frame      *f,
       const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (f->counts, name));
}

static void
check_component (Frame   *f,
                 GString *why)
{
  if (g_str_equal (f->kind, "VCALENDAR") && (count (f, "VERSION") != 1 || count (f, "PRODID") != 1))
    fail_check (why, "VCALENDAR needs exactly one VERSION and one PRODID");
  if (g_str_equal (f->kind, "VEVENT"))
    {
      if (count (f, "UID") != 1 || count (f, "DTSTAMP") != 1 || count (f, "DTSTART") != 1)
        fail_check (why, "VEVENT needs exactly one UID, DTSTAMP and DTSTART");
      if (count (f, "DTEND") + count (f, "DURATION") > 1)
        fail_check (why, "VEVENT has both DTEND and DURATION");
      if (f->until && f->dtstart_has_tzid && !g_str_has_suffix (f->until, "Z"))
        fail_check (why, "UNTIL must be UTC when DTSTART has a TZID");
    }
  if (g_str_equal (f->kind, "VTIMEZONE") && count (f, "TZID") != 1)
    fail_check (why, "VTIMEZONE needs one TZID");
  if ((g_str_equal (f->kind, "STANDARD") || g_str_equal (f->kind, "DAYLIGHT")) &&
      (count (f, "DTSTART") != 1 || count (f, "TZOFFSETFROM") != 1 || count (f, "TZOFFSETTO") != 1))
    fail_check (why, "%s needs DTSTART, TZOFFSETFROM and TZOFFSETTO", f->kind);
}

static void
check_property (Frame      *f,
                const Line *l,
                GHashTable *tzids_used,
                GHashTable *tzids_defined,
                GString    *why)
{
  const char *tzid = param (l, "TZID");

  g_hash_table_insert (f->counts, g_strdup (l->name),
                       GUINT_TO_POINTER (count (f, l->name) + 1));
  if (tzid)
    g_hash_table_add (tzids_used, g_strndup (tzid, strcspn (tzid, ";:")));
  if (g_str_equal (l->name, "TZID"))
    {
      if (l->value[0] == '/')
        fail_check (why, "TZID with a vendor prefix: %s", l->value);
      g_hash_table_add (tzids_defined, g_strdup (l->value));
    }
  if ((g_str_equal (l->name, "TZOFFSETFROM") || g_str_equal (l->name, "TZOFFSETTO")) &&
      !is_offset (l->value))
    fail_check (why, "bad UTC offset %s", l->value);
  if (g_str_equal (l->name, "DTSTAMP") && !g_str_has_suffix (l->value, "Z"))
    fail_check (why, "DTSTAMP must be UTC");
  if (g_str_equal (l->name, "DTSTART") && g_str_equal (f->kind, "VEVENT"))
    f->dtstart_has_tzid = tzid != NULL;
  if (g_str_equal (l->name, "RRULE") && strstr (l->value, "UNTIL="))
    f->until = g_strndup (strstr (l->value, "UNTIL=") + 6, strcspn (strstr (l->value, "UNTIL=") + 6, ";"));
  if (g_str_equal (l->name, "RRULE") && !g_str_has_prefix (l->value, "FREQ=") && !strstr (l->value, ";FREQ="))
    fail_check (why, "RRULE without FREQ");
}

static gboolean
check_strict (const char *ics,
              GString    *why)
{
  g_autoptr(GPtrArray) lines = unfold (ics, why);
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint calendars = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = split_line (lines->pdata[i], why);

      if (l == NULL)
        continue;
      if (g_str_equal (l->name, "BEGIN"))
        {
          Frame *f = g_new0 (Frame, 1);

          f->kind = g_strdup (l->value);
          f->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          if (stack->len == 0 && (!g_str_equal (l->value, "VCALENDAR") || calendars++ > 0))
            fail_check (why, "one VCALENDAR expected at top level, got %s", l->value);
          g_ptr_array_add (stack, f);
        }
      else if (g_str_equal (l->name, "END"))
        {
          Frame *f = stack->len ? stack->pdata[stack->len - 1] : NULL;

          if (f == NULL || !g_str_equal (f->kind, l->value))
            fail_check (why, "END:%s does not match", l->value);
          else
            {
              check_component (f, why);
              g_ptr_array_remove_index (stack, stack->len - 1);
            }
        }
      else if (stack->len == 0)
        fail_check (why, "property %s outside any component", l->name);
      else
        check_property (stack->pdata[stack->len - 1], l, used, defined, why);
      line_free (l);
    }
  if (stack->len != 0)
    fail_check (why, "unterminated component");
  {
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init (&it, used);
    while (g_hash_table_iter_next (&it, &key, NULL))
      if (!g_hash_table_contains (defined, key))
        fail_check (why, "TZID %s has no VTIMEZONE", (char *) key);
  }
  return why->len == 0;
}

/* ---- tests ---- */

static void
test_export_passes_strict_checker (void)
{
  const char *zones[] = { "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                          "Asia/Kathmandu", "America/Sao_Paulo", "UTC" };

  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      g_autoptr(RpMeeting) m = sample_meeting (zones[i], "2026-03-10T09:00",
                                               "FREQ=WEEKLY;UNTIL=20260630T090000");
      g_autofree char *ics = export_one (m);
      g_autoptr(GString) why = g_string_new (NULL);

      if (!check_strict (ics, why))
        g_error ("%s:\n%s\n%s", zones[i], why->str, ics);
    }
}

static void
test_strict_checker_catches_faults (void)
{
  const char *bad[] = {
    "BEGIN:VCALENDAR\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=Nowhere:20260101T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:/freeassociation.sourceforge.net/Europe/Berlin\r\n"
    "END:VTIMEZONE\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:0123456789012345678901234567890123456789012345678901234567890123456789\r\n"
    "END:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GString) why = g_string_new (NULL);

      g_assert_false (check_strict (bad[i], why));
    }
}

static void
test_export_parses_with_libical (void)
{
  g_autoptr(RpMeeting) m = sample_meeting ("Europe/Berlin", "2026-03-10T09:00", "FREQ=WEEKLY;COUNT=10");
  g_autofree char *ics = export_one (m);
  icalcomponent *cal = icalparser_parse_string (ics);
  icalcomponent *event, *vtz;
  icalproperty *dtstart;

  g_assert_nonnull (cal);
  g_assert_cmpint (icalcomponent_count_errors (cal), ==, 0);
  event = icalcomponent_get_first_component (cal, ICAL_VEVENT_COMPONENT);
  vtz = icalcomponent_get_first_component (cal, ICAL_VTIMEZONE_COMPONENT);
  g_assert_nonnull (event);
  g_assert_nonnull (vtz);
  g_assert_cmpstr (icalcomponent_get_uid (event), ==, m->uid);
  dtstart = icalcomponent_get_first_property (event, ICAL_DTSTART_PROPERTY);
  g_assert_cmpstr (icalparameter_get_tzid (icalproperty_get_first_parameter (dtstart, ICAL_TZID_PARAMETER)),
                   ==, "Europe/Berlin");
  g_assert_cmpstr (icalproperty_get_tzid (icalcomponent_get_first_property (vtz, ICAL_TZID_PROPERTY)),
                   ==, "Europe/Berlin");
  g_assert_nonnull (strstr (ics, "URL:rapport://"));
  g_assert_nonnull (strstr (ics, "LOCATION:rapport://"));
  g_assert_null (strstr (ics, "freeassociation"));
  icalcomponent_free (cal);
}

/* The VTIMEZONE we write, read by libical, must give the same instants as the tz database
 * for every hour over the series (except the hours a clock change makes ambiguous). */
static void
check_vtimezone_against_zone (const char *zone,
                              const char *start,
                              const char *rrule,
                              const char *check_until)
{
  g_autoptr(RpMeeting) m = sample_meeting (zone, start, rrule);
  g_autofree char *ics = export_one (m);
  g_autoptr(GTimeZone) tz = rp_zone_new (zone, NULL);
  icalcomponent *cal = icalparser_parse_string (ics);
  icalcomponent *vtz = icalcomponent_get_first_component (cal, ICAL_VTIMEZONE_COMPONENT);
  icaltimezone *itz = icaltimezone_new ();
  RpLocal from = L (start), until = L (check_until);
  guint checked = 0;

  g_assert_true (icaltimezone_set_component (itz, icalcomponent_new_clone (vtz)));
  for (gint64 n = rp_local_to_naive (&from); n < rp_local_to_naive (&until); n += 3600 + 60 * 7)
    {
      RpLocal l;
      RpResolution resolution;
      gint64 ours;
      struct icaltimetype t = icaltime_null_time ();

      rp_local_from_naive (n, &l);
      ours = rp_zone_resolve (tz, &l, &resolution, NULL);
      if (resolution != RP_RESOLUTION_EXACT)
        continue;
      t.year = l.year; t.month = l.month; t.day = l.day;
      t.hour = l.hour; t.minute = l.minute; t.second = 0;
      if ((gint64) icaltime_as_timet_with_zone (t, itz) != ours)
        {
          g_autofree char *lt = rp_local_format (&l);

          g_error ("%s: %s is %" G_GINT64_FORMAT " by the VTIMEZONE, %" G_GINT64_FORMAT
                   " by the zone\n%s", zone, lt, (gint64) icaltime_as_timet_with_zone (t, itz),
                   ours, ics);
        }
      checked++;
    }
  g_assert_cmpuint (checked, >, 1000);
  icaltimezone_free (itz, 1);
  icalcomponent_free (cal);
}

static void
test_vtimezone_matches_zone_transitions (void)
{
  check_vtimezone_against_zone ("America/New_York", "2026-01-05T09:00", "FREQ=WEEKLY", "2029-12-31T00:00");
  check_vtimezone_against_zone ("Europe/London", "2026-01-05T09:00", "FREQ=WEEKLY;COUNT=52", "2027-01-01T00:00");
  check_vtimezone_against_zone ("Australia/Lord_Howe", "2026-01-05T09:00", "FREQ=WEEKLY", "2029-01-01T00:00");
  check_vtimezone_against_zone ("Australia/Sydney", "2026-01-05T09:00", NULL, "2026-12-31T00:00");
  check_vtimezone_against_zone ("Asia/Kathmandu", "2026-01-05T09:00", NULL, "2026-12-31T00:00");
  /* Brazil gave up DST in 2019: the yearly rule must end there (UNTIL). */
  check_vtimezone_against_zone ("America/Sao_Paulo", "2017-06-05T09:00",
                                "FREQ=WEEKLY;UNTIL=20210601T000000Z", "2021-06-01T00:00");
  /* Morocco's clock changes follow Ramadan, no yearly rule: listed one by one. */
  check_vtimezone_against_zone ("Africa/Casablanca", "2026-01-05T09:00",
                                "FREQ=WEEKLY;COUNT=104", "2027-12-20T00:00");
}

static void
test_vtimezone_of_zone_without_dst (void)
{
  g_autoptr(GTimeZone) tz = rp_zone_new ("Asia/Kolkata", NULL);
  g_autofree char *vtz = rp_ical_build_vtimezone (tz, 1767225600, 1798761600);

  g_assert_nonnull (strstr (vtz, "TZID:Asia/Kolkata\r\n"));
  g_assert_nonnull (strstr (vtz, "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n"));
  g_assert_null (strstr (vtz, "DAYLIGHT"));
}

/* Rules compare by meaning: libical writes the parts in its own order. */
static char *
canonical_rule (const char *rule)
{
  struct icalrecurrencetype r;
  char *text, *copy;

  if (rule == NULL)
    return NULL;
  r = icalrecurrencetype_from_string (rule);
  text = icalrecurrencetype_as_string_r (&r);
  copy = g_strdup (text);
  icalmemory_free_buffer (text);
  return copy;
}

static void
assert_same_meeting (const RpMeeting *a,
                     const RpMeeting *b)
{
  g_assert_cmpstr (a->uid, ==, b->uid);
  g_assert_cmpstr (a->summary, ==, b->summary);
  g_assert_cmpstr (a->description, ==, b->description);
  g_assert_cmpstr (a->zone, ==, b->zone);
  g_assert_cmpmem (&a->start, sizeof a->start, &b->start, sizeof b->start);
  g_assert_cmpint (a->all_day, ==, b->all_day);
  g_assert_cmpint (a->floating, ==, b->floating);
  g_assert_cmpuint (a->minutes, ==, b->minutes);
  {
    g_autofree char *ra = canonical_rule (a->rrule);
    g_autofree char *rb = canonical_rule (b->rrule);

    g_assert_cmpstr (ra, ==, rb);
  }
  g_assert_cmpstr (a->organizer_name, ==, b->organizer_name);
  g_assert_cmpstr (a->organizer_email, ==, b->organizer_email);
  g_assert_cmpstr (a->attendee_name, ==, b->attendee_name);
  g_assert_cmpstr (a->attendee_email, ==, b->attendee_email);
  g_assert_cmpstr (a->link, ==, b->link);
  g_assert_cmpint (a->dtstamp, ==, b->dtstamp);
  g_assert_cmpint (a->sequence, ==, b->sequence);
  g_assert_cmpstr (a->status, ==, b->status);
}

static RpMeeting *
round_trip (RpMeeting *m)
{
  g_autofree char *ics = export_one (m);
  g_autoptr(GPtrArray) meetings = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rp_ical_import (ics, -1, &meetings, &errors, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (meetings->len, ==, 1);
  return rp_meeting_ref (meetings->pdata[0]);
}

static void
test_round_trip_preserves_every_field (void)
{
  const char *cases[][3] = {
    { "Europe/Berlin", "2026-03-10T09:00", "FREQ=WEEKLY;COUNT=10" },
    { "Australia/Lord_Howe", "2026-10-04T02:45", "FREQ=MONTHLY;BYDAY=1SU;COUNT=6" },
    { "Asia/Kathmandu", "2026-03-10T18:15", NULL },
    { "UTC", "2026-03-10T18:15", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RpMeeting) m = sample_meeting (cases[i][0], cases[i][1], cases[i][2]);
      g_autoptr(RpMeeting) back = round_trip (m);

      assert_same_meeting (m, back);
    }
}

static void
test_round_trip_all_day_and_floating (void)
{
  g_autoptr(RpMeeting) day = sample_meeting (NULL, "2026-03-20T00:00", NULL);
  g_autoptr(RpMeeting) floating = sample_meeting (NULL, "2026-03-20T09:30", "FREQ=DAILY;COUNT=3");
  g_autoptr(RpMeeting) day_back = NULL;
  g_autoptr(RpMeeting) floating_back = NULL;

  day->all_day = TRUE;
  day->minutes = 2 * 1440;
  floating->floating = TRUE;
  day_back = round_trip (day);
  floating_back = round_trip (floating);
  assert_same_meeting (day, day_back);
  assert_same_meeting (floating, floating_back);
}

static void
test_export_until_local_becomes_utc (void)
{
  g_autoptr(RpMeeting) m = sample_meeting ("America/New_York", "2026-03-02T09:00",
                                           "FREQ=WEEKLY;UNTIL=20260330T090000");
  g_autofree char *ics = export_one (m);

  /* 09:00 EDT on 30 March is 13:00Z. */
  g_assert_nonnull (strstr (ics, "UNTIL=20260330T130000Z"));
}

static void
test_export_parses_with_python_icalendar (void)
{
  static const char script[] =
    "import sys, icalendar\n"
    "cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())\n"
    "ev = [c for c in cal.walk('VEVENT')]\n"
    "tz = [c for c in cal.walk('VTIMEZONE')]\n"
    "assert len(ev) == 1 and len(tz) == 1, (len(ev), len(tz))\n"
    "e = ev[0]\n"
    "assert str(tz[0]['TZID']) == 'Australia/Sydney'\n"
    "assert e['DTSTART'].params['TZID'] == 'Australia/Sydney'\n"
    "assert e.decoded('DTSTART').strftime('%Y-%m-%d %H:%M') == '2026-04-06 07:30'\n"
    "assert e['RRULE']['FREQ'] == ['WEEKLY']\n"
    "assert str(e['URL']).startswith('rapport://')\n"
    "assert 'Aiko' in str(e['ATTENDEE'].params['CN'])\n"
    "assert str(e['SUMMARY']).startswith('Mentoring: Aiko')\n"
    "print('ok')\n";
  g_autoptr(RpMeeting) m = sample_meeting ("Australia/Sydney", "2026-04-06T07:30", "FREQ=WEEKLY;COUNT=4");
  g_autofree char *ics = export_one (m);
  g_autoptr(GSubprocess) probe = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  probe = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            NULL, "/usr/bin/python3", "-c", "import icalendar", NULL);
  if (probe == NULL || !g_subprocess_wait (probe, NULL, NULL) || g_subprocess_get_exit_status (probe) != 0)
    {
      g_test_skip ("python3-icalendar is not installed");
      return;
    }
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "/usr/bin/python3", "-c", script, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, ics, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("python icalendar rejected the export: %s\n%s", err, ics);
  g_assert_cmpstr (out, ==, "ok\n");
}

static GPtrArray *
import_sample (const char *name,
               GPtrArray **errors)
{
  g_autofree char *path = g_build_filename (g_getenv ("RAPPORT_SOURCE_DIR") ? g_getenv ("RAPPORT_SOURCE_DIR") : ".",
                                            "tests", "fuzz", "corpus", "ical", name, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *meetings = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_true (rp_ical_import (data, len, &meetings, errors, &error));
  g_assert_no_error (error);
  return meetings;
}

static gint64
utc_of (const RpMeeting *m)
{
  gint64 utc = 0;

  g_assert_true (rp_meeting_utc (m, NULL, &utc, NULL));
  return utc;
}

static void
assert_utc (const RpMeeting *m,
            const char      *expected)
{
  g_autofree char *u = rp_utc_format (utc_of (m));

  g_assert_cmpstr (u, ==, expected);
}

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;

  *out = rp_ical_import_file_finish (result, &errors, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (errors->len, ==, 0);
}

static void
test_import_file_async (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("RAPPORT_SOURCE_DIR") ? g_getenv ("RAPPORT_SOURCE_DIR") : ".",
                                            "tests", "fuzz", "corpus", "ical", "apple.ics", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) ms = NULL;

  rp_ical_import_file_async (file, NULL, on_imported, &ms);
  while (ms == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (ms->len, ==, 1);
  g_assert_cmpstr (((RpMeeting *) ms->pdata[0])->zone, ==, "Asia/Kolkata");
}

static void
test_import_google_invite (void)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) ms = import_sample ("google.ics", &errors);
  RpMeeting *m = ms->pdata[0];

  g_assert_cmpuint (ms->len, ==, 1);
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpstr (m->zone, ==, "Europe/London");
  assert_utc (m, "2026-03-17T07:30:00Z");
  g_assert_cmpuint (m->minutes, ==, 60);
  g_assert_cmpstr (m->rrule, ==, "FREQ=WEEKLY;UNTIL=20260630T225959Z;BYDAY=TU");
  g_assert_cmpstr (m->organizer_email, ==, "priya.raman@gmail.com");
  /* Google lists the organizer as an attendee too; the partner is the other one. */
  g_assert_cmpstr (m->attendee_email, ==, "tom.okafor@example.com");
  g_assert_cmpstr (m->link, ==, "rapport://mentor.example.org:8443/q3Zt8xYp0LmN4rS6uV9wAb?tls=1");
}

static void
test_import_outlook_windows_zone (void)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) ms = import_sample ("outlook.ics", &errors);
  RpMeeting *m = ms->pdata[0];

  g_assert_cmpuint (ms->len, ==, 1);
  g_assert_cmpstr (m->zone, ==, "Europe/Berlin");
  g_assert_cmpstr (m->source_tzid, ==, "W. Europe Standard Time");
  assert_utc (m, "2026-03-10T08:00:00Z");
  g_assert_cmpstr (m->attendee_name, ==, "Aiko Tanaka");
  g_assert_cmpstr (m->link, ==, "rapport://meet.example.nl:8443/Zm9vYmFyYmF6cXV4MTIzNDU");
  g_assert_nonnull (strstr (m->rrule, "INTERVAL=2"));
}

static void
test_import_outlook_custom_zone_matched (void)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) ms = import_sample ("outlook-custom-zone.ics", &errors);
  RpMeeting *m = ms->pdata[0];

  /* US Eastern rules under Outlook's own name: matched to New York by its offsets. */
  g_assert_cmpuint (ms->len, ==, 1);
  g_assert_cmpstr (m->zone, ==, "America/New_York");
  g_assert_cmpstr (m->source_tzid, ==, "Customized Time Zone");
  assert_utc (m, "2026-03-12T12:30:00Z");   /* 08:30 EDT, after the 8 March change */
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_nonnull (strstr (errors->pdata[0], "Customized Time Zone 1"));
}

static void
test_import_custom_zone_last_sunday_rule (void)
{
  static const char ics[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:My Office\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:eu\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=My Office:20260330T090000\r\nDTEND;TZID=My Office:20260330T100000\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";
  g_autoptr(GPtrArray) ms = NULL;
  g_autoptr(GPtrArray) errors = NULL;

  g_assert_true (rp_ical_import (ics, -1, &ms, &errors, NULL));
  g_assert_cmpstr (((RpMeeting *) ms->pdata[0])->zone, ==, "Europe/Berlin");
  assert_utc (ms->pdata[0], "2026-03-30T07:00:00Z");
  g_assert_cmpuint (((RpMeeting *) ms->pdata[0])->minutes, ==, 60);
}

static void
test_import_apple_invite (void)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) ms = import_sample ("apple.ics", &errors);
  RpMeeting *m = ms->pdata[0];

  g_assert_cmpuint (ms->len, ==, 1);
  g_assert_cmpstr (m->zone, ==, "Asia/Kolkata");
  assert_utc (m, "2026-03-12T12:30:00Z");
  g_assert_cmpstr (m->organizer_name, ==, "Meera Iyer");
  g_assert_cmpstr (m->attendee_email, ==, "lukas@example.de");
  g_assert_cmpint (m->sequence, ==, 1);
  g_assert_cmpstr (m->link, ==, "rapport://rv.example.in:443/MnBvY2tldHNhbmRwbHVnczEyMw?tls=1");
}

static void
test_import_all_day_utc_and_floating (void)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) ms = import_sample ("allday-utc-floating.ics", &errors);
  g_autoptr(GTimeZone) tokyo = rp_zone_new ("Asia/Tokyo", NULL);
  RpMeeting *day = ms->pdata[0], *utc = ms->pdata[1], *floating = ms->pdata[2];
  gint64 t;

  g_assert_cmpuint (ms->len, ==, 3);
  g_assert_true (day->all_day);
  g_assert_null (day->zone);
  g_assert_cmpint (day->start.day, ==, 20);
  g_assert_cmpuint (day->minutes, ==, 2 * 1440);
  g_assert_cmpstr (utc->zone, ==, "UTC");
  assert_utc (utc, "2026-03-25T15:00:00Z");
  g_assert_cmpuint (utc->minutes, ==, 45);
  g_assert_true (floating->floating);
  g_assert_null (floating->zone);
  g_assert_true (rp_meeting_utc (floating, tokyo, &t, NULL));
  {
    g_autofree char *u = rp_utc_format (t);

    g_assert_cmpstr (u, ==, "2026-03-26T00:00:00Z");   /* 09:00 read in Tokyo */
  }
}

static void
test_import_malformed_parts_named (void)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) ms = import_sample ("malformed.ics", &errors);
  g_autofree char *all = NULL;

  g_assert_cmpuint (ms->len, ==, 1);
  g_assert_cmpstr (((RpMeeting *) ms->pdata[0])->uid, ==, "ok-1");
  g_assert_cmpuint (errors->len, ==, 5);
  g_ptr_array_add (errors, NULL);
  all = g_strjoinv ("\n", (char **) errors->pdata);
  g_assert_nonnull (strstr (all, "no-start): DTSTART is missing"));
  g_assert_nonnull (strstr (all, "Mars/Olympus_Mons"));
  g_assert_nonnull (strstr (all, "ends before it starts"));
  g_assert_nonnull (strstr (all, "RRULE is malformed"));
  g_assert_nonnull (strstr (all, "VTODO is not supported"));
}

static void
test_import_garbage_is_clear_error (void)
{
  const char *bad[] = { "", "hello world", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T000000Z\r\n",
                        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nBEGIN:VEVENT\r\nBEGIN:VEVENT\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) ms = NULL;
      g_autoptr(GPtrArray) errors = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = rp_ical_import (bad[i], -1, &ms, &errors, &error);

      /* An unterminated event may still be readable; what matters is an answer, not a crash. */
      if (!ok)
        {
          g_assert_nonnull (error);
          g_assert_cmpstr (error->message, !=, "");
        }
    }
}

static void
test_reimport_with_higher_sequence_updates (void)
{
  g_autoptr(RpMeeting) stored = sample_meeting ("Europe/Berlin", "2026-03-10T09:00", NULL);
  g_autoptr(RpMeeting) moved = sample_meeting ("Europe/Berlin", "2026-03-10T10:00", NULL);
  g_autoptr(RpMeeting) back = NULL;
  g_autoptr(RpMeeting) other = sample_meeting ("Europe/Berlin", "2026-03-10T10:00", NULL);

  moved->sequence = stored->sequence + 1;
  back = round_trip (moved);
  g_assert_true (rp_meeting_supersedes (back, stored));
  g_assert_false (rp_meeting_supersedes (stored, back));
  g_assert_cmpint (back->start.hour, ==, 10);
  g_free (other->uid);
  other->uid = g_strdup ("someone-else@example.org");
  other->sequence = 99;
  g_assert_false (rp_meeting_supersedes (other, stored));
}

static void
test_tzid_mapping (void)
{
  struct { const char *tzid; const char *iana; } cases[] = {
    { "W. Europe Standard Time", "Europe/Berlin" },
    { "eastern standard time", "America/New_York" },
    { "India Standard Time", "Asia/Kolkata" },
    { "Nepal Standard Time", "Asia/Kathmandu" },
    { "Lord Howe Standard Time", "Australia/Lord_Howe" },
    { "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin" },
    { "/freeassociation.sourceforge.net/Tzfile/Europe/London", "Europe/London" },
    { "/mozilla.org/20050126_1/America/New_York", "America/New_York" },
    { "/freeassociation.sourceforge.net/America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires" },
    { "Australia/Sydney", "Australia/Sydney" },
    { "Customized Time Zone", NULL },
    { "XYZ3", NULL },
    { "../../etc/passwd", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *iana = rp_ical_tzid_to_iana (cases[i].tzid);

      g_assert_cmpstr (iana, ==, cases[i].iana);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schedule/ical/export-passes-strict-line-checker", test_export_passes_strict_checker);
  g_test_add_func ("/schedule/ical/strict-checker-catches-faults", test_strict_checker_catches_faults);
  g_test_add_func ("/schedule/ical/export-parses-with-libical-plain-iana-tzid", test_export_parses_with_libical);
  g_test_add_func ("/schedule/ical/export-parses-with-python-icalendar", test_export_parses_with_python_icalendar);
  g_test_add_func ("/schedule/ical/vtimezone-matches-zone-transitions", test_vtimezone_matches_zone_transitions);
  g_test_add_func ("/schedule/ical/vtimezone-of-zone-without-dst", test_vtimezone_of_zone_without_dst);
  g_test_add_func ("/schedule/ical/export-until-in-local-time-becomes-utc", test_export_until_local_becomes_utc);
  g_test_add_func ("/schedule/ical/round-trip-preserves-every-field", test_round_trip_preserves_every_field);
  g_test_add_func ("/schedule/ical/round-trip-all-day-and-floating", test_round_trip_all_day_and_floating);
  g_test_add_func ("/schedule/ical/import-file-async-off-main-loop", test_import_file_async);
  g_test_add_func ("/schedule/ical/import-google-invite", test_import_google_invite);
  g_test_add_func ("/schedule/ical/import-outlook-windows-zone-names", test_import_outlook_windows_zone);
  g_test_add_func ("/schedule/ical/import-outlook-custom-zone-matched-by-offsets", test_import_outlook_custom_zone_matched);
  g_test_add_func ("/schedule/ical/import-custom-zone-last-sunday-rule", test_import_custom_zone_last_sunday_rule);
  g_test_add_func ("/schedule/ical/import-apple-invite", test_import_apple_invite);
  g_test_add_func ("/schedule/ical/import-all-day-utc-and-floating", test_import_all_day_utc_and_floating);
  g_test_add_func ("/schedule/ical/import-malformed-parts-get-named-errors", test_import_malformed_parts_named);
  g_test_add_func ("/schedule/ical/import-garbage-is-clear-error-not-crash", test_import_garbage_is_clear_error);
  g_test_add_func ("/schedule/ical/reimport-with-higher-sequence-updates", test_reimport_with_higher_sequence_updates);
  g_test_add_func ("/schedule/ical/tzid-windows-and-vendor-names-map-to-iana", test_tzid_mapping);

  return g_test_run ();
}
