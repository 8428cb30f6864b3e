/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-schedule: the scheduling rules on the command line, for scripts and for checking them
 * from outside. The output is the contract in docs/PROTOCOL.md: one JSON object per line,
 * instants in UTC under "utc", local times as YYYY-MM-DDTHH:MM next to their zone; an unknown
 * zone or a malformed time, rule or argument exits with status 2 and one line on stderr.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>

#include "rp-ical.h"
#include "rp-meeting.h"
#include "rp-random.h"
#include "rp-schedule.h"
#include "rp-slots.h"
#include "rp-working-hours.h"

#define EXIT_BAD_INPUT 2
#define DEFAULT_EXPAND_LIMIT 520

static const char usage[] =
  "Usage:\n"
  "  rapport-schedule resolve ZONE LOCAL\n"
  "      Resolve a local time to an instant as RFC 5545 says: a time in a DST gap takes the\n"
  "      offset from before the gap, a repeated time its first occurrence.\n"
  "      e.g. rapport-schedule resolve America/New_York 2007-03-11T02:30\n"
  "  rapport-schedule expand ZONE START RRULE [--partner ZONE] [--limit N] [--show-skipped]\n"
  "      Expand a series in ZONE's local clock. Instances in a DST gap are skipped (and not\n"
  "      counted towards COUNT); --show-skipped prints them as {\"skipped\": true, …}.\n"
  "      --partner adds the partner's local time and flags the instances whose time moves\n"
  "      for the partner. At most --limit instances (default 520).\n"
  "  rapport-schedule slots --me ZONE HOURS --partner ZONE HOURS --from DATE --days N\n"
  "                         --minutes M [--every week|2weeks|month | --rrule RRULE]\n"
  "                         [--count K] [--step MINUTES] [--limit N]\n"
  "      Candidate starts (every --step minutes of my local day, default 30) from DATE (my\n"
  "      zone) for N days, inside both people's working hours, best first. With a\n"
  "      recurrence, the first K instances (default 12) are checked too.\n"
  "      HOURS: weekday groups separated by ';', each DAYS RANGES, e.g.\n"
  "        \"Mon-Fri 09:00-17:00\"   \"Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-13:00\"\n"
  "        DAYS is Mon..Sun (or MO..SU), a range Mon-Fri or a list Mon,Wed; a range that\n"
  "        ends before it starts (22:00-02:00) runs past midnight; ranges without days\n"
  "        (09:00-17:00) mean Monday to Friday.\n"
  "  rapport-schedule export --zone ZONE --start LOCAL [--minutes M] [--rrule RRULE]\n"
  "                          [--summary TEXT] [--description TEXT] [--link URL]\n"
  "                          [--organizer 'NAME <EMAIL>'] [--attendee 'NAME <EMAIL>']\n"
  "                          [--uid UID] [--method METHOD] [--output FILE]\n"
  "      Write an iCalendar invite (VEVENT + VTIMEZONE) to stdout, or to FILE with one\n"
  "      JSON line describing it on stdout.\n"
  "  rapport-schedule import FILE.ics [--zone ZONE]\n"
  "      One JSON line per event read and one {\"error\": …} line per part that could not be\n"
  "      read; exit 0 when at least one event was read. Floating times are read in --zone\n"
  "      (default: the local zone). FILE may be - for stdin.\n";

/* ---------------------------------------------------------------- output ---- */

static void
print_object (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);

  printf ("%s\n", text);
  fflush (stdout);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_take (JsonBuilder *b,
          const char  *name,
          char        *value)
{
  add_string (b, name, value);
  g_free (value);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_bool (JsonBuilder *b,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static int
fail (GError *error)
{
  /* UTF-8 as is: g_printerr would turn the quotes into "?" under the C locale. */
  fprintf (stderr, "rapport-schedule: %s\n", error->message);
  g_error_free (error);
  return EXIT_BAD_INPUT;
}

static int
fail_usage (const char *message)
{
  fprintf (stderr, "rapport-schedule: %s (see rapport-schedule --help)\n", message);
  return EXIT_BAD_INPUT;
}

/* ---------------------------------------------------------------- arguments ---- */

/* Options are "--name VALUE" or "--name=VALUE"; --me and --partner of `slots` take two values.
 * GOptionContext has no two-value options, hence this small parser. */
typedef struct {
  GHashTable *options;      /* name → value (for --me/--partner: zone; "NAME-hours": hours) */
  GPtrArray  *positional;
} Args;

static void
args_clear (Args *a)
{
  g_clear_pointer (&a->options, g_hash_table_unref);
  g_clear_pointer (&a->positional, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

static gboolean
is_option (const char *name,
           const char * const *allowed)
{
  return allowed && g_strv_contains (allowed, name);
}

static gboolean
parse_args (int                  argc,
            char               **argv,
            const char * const  *with_value,
            const char * const  *with_two,
            const char * const  *flags,
            Args                *a,
            GError             **error)
{
  a->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  a->positional = g_ptr_array_new ();

  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      g_autofree char *name = NULL;
      const char *eq;

      if (!g_str_has_prefix (arg, "--") || strcmp (arg, "--") == 0)
        {
          g_ptr_array_add (a->positional, argv[i]);
          continue;
        }
      eq = strchr (arg, '=');
      name = eq ? g_strndup (arg + 2, eq - arg - 2) : g_strdup (arg + 2);
      if (is_option (name, flags))
        g_hash_table_replace (a->options, g_strdup (name), g_strdup ("1"));
      else if (is_option (name, with_two) && !eq && i + 2 < argc)
        {
          GString *hours;

          g_hash_table_replace (a->options, g_strdup (name), g_strdup (argv[++i]));
          /* HOURS unquoted (--me Europe/Berlin Mon-Fri 09:00-17:00) arrives as several words */
          hours = g_string_new (argv[++i]);
          while (i + 1 < argc && !g_str_has_prefix (argv[i + 1], "--"))
            g_string_append_printf (hours, " %s", argv[++i]);
          g_hash_table_replace (a->options, g_strconcat (name, "-hours", NULL),
                                g_string_free (hours, FALSE));
        }
      else if (is_option (name, with_value) && (eq || i + 1 < argc))
        g_hash_table_replace (a->options, g_strdup (name), g_strdup (eq ? eq + 1 : argv[++i]));
      else
        {
          g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
                       is_option (name, with_value) || is_option (name, with_two) ?
                       "Option --%s needs a value" : "Unknown option --%s", name);
          return FALSE;
        }
    }
  return TRUE;
}

static const char *
opt (Args       *a,
     const char *name)
{
  return g_hash_table_lookup (a->options, name);
}

static gboolean
opt_uint (Args       *a,
          const char *name,
          guint64     min,
          guint64     max,
          guint64     fallback,
          guint64    *out,
          GError    **error)
{
  const char *text = opt (a, name);

  *out = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
                   "--%s must be a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                   name, min, max);
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- resolve ---- */

static int
cmd_resolve (int    argc,
             char **argv)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GTimeZone) tz = NULL;
  GError *error = NULL;
  RpResolution resolution;
  RpLocal local, wall;
  gint32 offset;
  gint64 utc;

  if (argc != 2)
    return fail_usage ("resolve needs ZONE and LOCAL");
  if ((tz = rp_zone_new (argv[0], &error)) == NULL || !rp_local_parse (argv[1], &local, &error))
    return fail (error);
  utc = rp_zone_resolve (tz, &local, &resolution, &offset);
  rp_zone_local_at (tz, utc, &wall);

  json_builder_begin_object (b);
  add_string (b, "zone", argv[0]);
  add_take (b, "local", rp_local_format (&local));
  add_take (b, "utc", rp_utc_format (utc));
  add_take (b, "offset", rp_offset_format (offset));
  add_string (b, "resolution", rp_resolution_to_string (resolution));
  /* In a gap the clock on the wall reads differently from the time asked for. */
  add_take (b, "wall_local", rp_local_format (&wall));
  json_builder_end_object (b);
  print_object (b);
  return 0;
}

/* ---------------------------------------------------------------- expand ---- */

static void
print_occurrence (const char         *zone,
                  const char         *partner_zone,
                  const RpOccurrence *occ)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (occ->skipped)
    {
      add_bool (b, "skipped", TRUE);
      add_string (b, "reason", "gap");
      add_string (b, "zone", zone);
      add_take (b, "local", rp_local_format (&occ->local));
      json_builder_end_object (b);
      print_object (b);
      return;
    }
  add_take (b, "utc", rp_utc_format (occ->utc));
  add_string (b, "zone", zone);
  add_take (b, "local", rp_local_format (&occ->local));
  add_string (b, "resolution", rp_resolution_to_string (occ->resolution));
  if (occ->has_partner)
    {
      add_string (b, "partner_zone", partner_zone);
      add_take (b, "partner_local", rp_local_format (&occ->partner_local));
      add_int (b, "day_shift", occ->partner_day_shift);
      add_bool (b, "partner_moved", occ->partner_moved);
      if (occ->partner_moved)
        add_take (b, "partner_previous", rp_local_format_time (&occ->partner_previous));
    }
  json_builder_end_object (b);
  print_object (b);
}

static int
cmd_expand (int    argc,
            char **argv)
{
  static const char * const with_value[] = { "partner", "limit", NULL };
  static const char * const flags[] = { "show-skipped", NULL };
  g_auto(Args) a = { 0, };
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GTimeZone) partner = NULL;
  g_autoptr(GArray) occs = NULL;
  GError *error = NULL;
  guint64 limit;
  RpLocal start;

  if (!parse_args (argc, argv, with_value, NULL, flags, &a, &error))
    return fail (error);
  if (a.positional->len != 3)
    return fail_usage ("expand needs ZONE, START and RRULE");
  if ((tz = rp_zone_new (a.positional->pdata[0], &error)) == NULL ||
      !rp_local_parse (a.positional->pdata[1], &start, &error) ||
      (opt (&a, "partner") && (partner = rp_zone_new (opt (&a, "partner"), &error)) == NULL) ||
      !opt_uint (&a, "limit", 1, 100000, DEFAULT_EXPAND_LIMIT, &limit, &error))
    return fail (error);
  occs = rp_schedule_expand (tz, &start, a.positional->pdata[2], partner, (guint) limit, &error);
  if (occs == NULL)
    return fail (error);
  for (guint i = 0; i < occs->len; i++)
    {
      const RpOccurrence *occ = &g_array_index (occs, RpOccurrence, i);

      if (!occ->skipped || opt (&a, "show-skipped"))
        print_occurrence (a.positional->pdata[0], opt (&a, "partner"), occ);
    }
  return 0;
}

/* ---------------------------------------------------------------- slots ---- */

static void
print_slot (const RpSlot *slot,
            guint         rank,
            const char   *me_zone,
            const char   *partner_zone)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_int (b, "rank", rank);
  add_take (b, "utc", rp_utc_format (slot->utc));
  add_take (b, "end_utc", rp_utc_format (slot->utc + (gint64) slot->minutes * 60));
  add_int (b, "minutes", slot->minutes);
  add_string (b, "me_zone", me_zone);
  add_take (b, "me_local", rp_local_format (&slot->me_local));
  add_string (b, "partner_zone", partner_zone);
  add_take (b, "partner_local", rp_local_format (&slot->partner_local));
  add_int (b, "day_shift", slot->day_shift);
  add_string (b, "label", slot->label);
  /* 0–100: a percentage reads better in JSON than a binary fraction like 0.0670000001 */
  add_int (b, "score", (gint64) (slot->score * 100 + 0.5));
  add_int (b, "instances", slot->instances);
  add_int (b, "instances_ok", slot->instances_ok);
  add_bool (b, "partner_moves", slot->partner_moves);
  json_builder_end_object (b);
  print_object (b);
}

/* A date; a local time is accepted too and counts from its day. */
static gboolean
parse_from (const char *text,
            RpLocal    *out,
            GError    **error)
{
  if (text && strlen (text) > 10 && rp_local_parse (text, out, NULL))
    {
      out->hour = out->minute = out->second = 0;
      return TRUE;
    }
  return rp_date_parse (text, out, error);
}

static int
cmd_slots (int    argc,
           char **argv)
{
  static const char * const with_value[] = { "from", "days", "minutes", "every", "rrule",
                                             "count", "step", "limit", NULL };
  static const char * const with_two[] = { "me", "partner", NULL };
  g_auto(Args) a = { 0, };
  g_autoptr(GTimeZone) me_tz = NULL;
  g_autoptr(GTimeZone) partner_tz = NULL;
  g_autoptr(RpWorkingHours) me_hours = NULL;
  g_autoptr(RpWorkingHours) partner_hours = NULL;
  g_autoptr(GPtrArray) slots = NULL;
  g_autofree char *rrule = NULL;
  RpSlotQuery q = { 0, };
  guint64 days, minutes, count, step, limit;
  GError *error = NULL;

  if (!parse_args (argc, argv, with_value, with_two, NULL, &a, &error))
    return fail (error);
  if (a.positional->len != 0)
    return fail_usage ("slots takes options only");
  if (!opt (&a, "me") || !opt (&a, "partner") || !opt (&a, "from") || !opt (&a, "days") ||
      !opt (&a, "minutes"))
    return fail_usage ("slots needs --me ZONE HOURS, --partner ZONE HOURS, --from, --days and --minutes");
  if ((me_tz = rp_zone_new (opt (&a, "me"), &error)) == NULL ||
      (partner_tz = rp_zone_new (opt (&a, "partner"), &error)) == NULL ||
      (me_hours = rp_working_hours_parse (opt (&a, "me-hours"), &error)) == NULL ||
      (partner_hours = rp_working_hours_parse (opt (&a, "partner-hours"), &error)) == NULL ||
      !parse_from (opt (&a, "from"), &q.from, &error) ||
      !opt_uint (&a, "days", 1, 366, 7, &days, &error) ||
      !opt_uint (&a, "minutes", 1, 1440, 60, &minutes, &error) ||
      !opt_uint (&a, "count", 1, 520, 12, &count, &error) ||
      !opt_uint (&a, "step", 1, 1440, 30, &step, &error) ||
      !opt_uint (&a, "limit", 1, G_MAXUINT, G_MAXUINT, &limit, &error))
    return fail (error);
  if (opt (&a, "every") && opt (&a, "rrule"))
    return fail_usage ("give either --every or --rrule, not both");
  if (opt (&a, "rrule"))
    rrule = g_strdup (opt (&a, "rrule"));

  q.me_zone = me_tz;
  q.me_hours = me_hours;
  q.partner_zone = partner_tz;
  q.partner_hours = partner_hours;
  q.days = (guint) days;
  q.minutes = (guint) minutes;
  q.step_minutes = (guint) step;
  q.count = (guint) count;
  q.rrule = rrule;
  q.every = opt (&a, "every");
  if ((slots = rp_find_slots (&q, &error)) == NULL)
    return fail (error);
  for (guint i = 0; i < slots->len && i < limit; i++)
    print_slot (slots->pdata[i], i + 1, opt (&a, "me"), opt (&a, "partner"));
  return 0;
}

/* ---------------------------------------------------------------- export ---- */

/* "Name <email>" or a bare address. */
static void
parse_person (const char *text,
              char      **name,
              char      **email)
{
  const char *lt = text ? strchr (text, '<') : NULL;
  const char *gt = lt ? strchr (lt, '>') : NULL;

  if (text == NULL)
    return;
  if (lt && gt)
    {
      *name = g_strstrip (g_strndup (text, lt - text));
      *email = g_strndup (lt + 1, gt - lt - 1);
      if (**name == '\0')
        g_clear_pointer (name, g_free);
    }
  else
    *email = g_strdup (text);
}

static gboolean
meeting_from_args (Args       *a,
                   RpMeeting  *m,
                   GError    **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  guint64 minutes;

  if (!opt (a, "zone") || !opt (a, "start"))
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
                   "export needs --zone ZONE and --start LOCAL");
      return FALSE;
    }
  if ((tz = rp_zone_new (opt (a, "zone"), error)) == NULL ||
      !rp_local_parse (opt (a, "start"), &m->start, error) ||
      !opt_uint (a, "minutes", 1, 1440, 60, &minutes, error))
    return FALSE;
  if (opt (a, "rrule"))
    {
      if (!rp_schedule_check_rule (opt (a, "rrule"), error))
        return FALSE;
      m->rrule = g_strdup (opt (a, "rrule"));
    }
  m->zone = g_strdup (opt (a, "zone"));
  m->minutes = (guint) minutes;
  if (opt (a, "uid"))
    m->uid = g_strdup (opt (a, "uid"));
  else
    {
      g_autofree char *hex = rp_random_hex (16);

      m->uid = g_strdup_printf ("%s@rapport", hex);
    }
  m->summary = g_strdup (opt (a, "summary") ? opt (a, "summary") : "Mentoring session");
  m->description = g_strdup (opt (a, "description"));
  m->link = g_strdup (opt (a, "link"));
  m->dtstamp = g_get_real_time () / G_USEC_PER_SEC;
  parse_person (opt (a, "organizer"), &m->organizer_name, &m->organizer_email);
  parse_person (opt (a, "attendee"), &m->attendee_name, &m->attendee_email);
  return TRUE;
}

static int
cmd_export (int    argc,
            char **argv)
{
  static const char * const with_value[] = { "zone", "start", "minutes", "rrule", "summary",
                                             "description", "link", "organizer", "attendee",
                                             "uid", "method", "output", NULL };
  g_auto(Args) a = { 0, };
  g_autoptr(RpMeeting) m = rp_meeting_new ();
  g_autofree char *ics = NULL;
  GError *error = NULL;

  if (!parse_args (argc, argv, with_value, NULL, NULL, &a, &error))
    return fail (error);
  if (a.positional->len != 0)
    return fail_usage ("export takes options only");
  if (!meeting_from_args (&a, m, &error) ||
      (ics = rp_ical_export (&m, 1, opt (&a, "method") ? opt (&a, "method") : "REQUEST", &error)) == NULL)
    return fail (error);
  if (opt (&a, "output"))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      gint64 utc = 0;

      if (!g_file_set_contents (opt (&a, "output"), ics, -1, &error))
        return fail (error);
      rp_meeting_utc (m, NULL, &utc, NULL);
      json_builder_begin_object (b);
      add_string (b, "file", opt (&a, "output"));
      add_string (b, "uid", m->uid);
      add_take (b, "utc", rp_utc_format (utc));
      add_string (b, "tzid", m->zone);
      add_take (b, "local", rp_local_format (&m->start));
      json_builder_end_object (b);
      print_object (b);
    }
  else
    fputs (ics, stdout);
  return 0;
}

/* ---------------------------------------------------------------- import ---- */

static void
print_meeting (const RpMeeting *m,
               GTimeZone       *floating_zone)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 utc = 0;

  json_builder_begin_object (b);
  add_string (b, "type", "event");
  add_string (b, "uid", m->uid);
  add_string (b, "summary", m->summary);
  if (m->all_day)
    {
      add_take (b, "date", g_strdup_printf ("%04d-%02d-%02d", m->start.year, m->start.month,
                                            m->start.day));
      add_int (b, "days", MAX (1, m->minutes / 1440));
    }
  else
    {
      rp_meeting_utc (m, floating_zone, &utc, NULL);
      add_take (b, "utc", rp_utc_format (utc));
      add_take (b, "local", rp_local_format (&m->start));
      add_int (b, "minutes", m->minutes);
    }
  add_string (b, "tzid", m->zone);
  if (m->source_tzid)
    add_string (b, "source_tzid", m->source_tzid);
  add_bool (b, "all_day", m->all_day);
  add_bool (b, "floating", m->floating);
  add_string (b, "rrule", m->rrule);
  add_string (b, "organizer", m->organizer_email);
  add_string (b, "organizer_name", m->organizer_name);
  add_string (b, "attendee", m->attendee_email);
  add_string (b, "attendee_name", m->attendee_name);
  add_string (b, "link", m->link);
  add_string (b, "description", m->description);
  add_string (b, "status", m->status);
  add_int (b, "sequence", m->sequence);
  json_builder_end_object (b);
  print_object (b);
}

static void
print_error_line (const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "type", "error");
  add_string (b, "error", message);
  json_builder_end_object (b);
  print_object (b);
}

static gboolean
read_input (const char *path,
            char      **data,
            gsize      *length,
            GError    **error)
{
  if (strcmp (path, "-") == 0)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
        return FALSE;
      *length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
      *data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
      return TRUE;
    }
  return g_file_get_contents (path, data, length, error);
}

/* libical writes its own parser warnings ("Encountered END before BEGIN") straight to stderr;
 * the contract gives stderr one line on failure and nothing otherwise, and every problem is
 * reported as an error line anyway, so stderr is parked on /dev/null while libical reads. */
static gboolean
import_quietly (const char *data,
                gsize       length,
                GPtrArray **meetings,
                GPtrArray **errors,
                GError    **error)
{
  int saved = dup (STDERR_FILENO);
  int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  gboolean ok;

  fflush (stderr);
  if (saved >= 0 && null >= 0)
    dup2 (null, STDERR_FILENO);
  ok = rp_ical_import (data, length, meetings, errors, error);
  fflush (stderr);
  if (saved >= 0 && null >= 0)
    dup2 (saved, STDERR_FILENO);
  if (saved >= 0)
    close (saved);
  if (null >= 0)
    close (null);
  return ok;
}

static int
cmd_import (int    argc,
            char **argv)
{
  static const char * const with_value[] = { "zone", NULL };
  g_auto(Args) a = { 0, };
  g_autoptr(GTimeZone) floating = NULL;
  g_autoptr(GPtrArray) meetings = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *data = NULL;
  GError *error = NULL;
  gsize length = 0;
  gboolean ok;

  if (!parse_args (argc, argv, with_value, NULL, NULL, &a, &error))
    return fail (error);
  if (a.positional->len != 1)
    return fail_usage ("import needs one FILE.ics");
  floating = opt (&a, "zone") ? rp_zone_new (opt (&a, "zone"), &error) : g_time_zone_new_local ();
  if (floating == NULL || !read_input (a.positional->pdata[0], &data, &length, &error))
    return fail (error);

  ok = import_quietly (data, length, &meetings, &errors, &error);
  for (guint i = 0; meetings && i < meetings->len; i++)
    print_meeting (meetings->pdata[i], floating);
  for (guint i = 0; errors && i < errors->len; i++)
    print_error_line (errors->pdata[i]);
  if (!ok)
    {
      if (errors == NULL || errors->len == 0)
        print_error_line (error->message);
      return fail (error);
    }
  return 0;
}

/* ---------------------------------------------------------------- main ---- */

int
main (int    argc,
      char **argv)
{
  static const struct {
    const char *name;
    int (*run) (int, char **);
  } commands[] = {
    { "resolve", cmd_resolve },
    { "expand", cmd_expand },
    { "slots", cmd_slots },
    { "export", cmd_export },
    { "import", cmd_import },
  };

  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
                    strcmp (argv[1], "help") == 0))
    {
      fputs (usage, stdout);
      return 0;
    }
  if (argc >= 2 && strcmp (argv[1], "--version") == 0)
    {
      printf ("rapport-schedule %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        for (int j = 2; j < argc; j++)
          if (strcmp (argv[j], "--help") == 0)
            {
              fputs (usage, stdout);
              return 0;
            }
        return commands[i].run (argc - 2, argv + 2);
      }
  fputs (usage, stderr);
  return EXIT_BAD_INPUT;
}
