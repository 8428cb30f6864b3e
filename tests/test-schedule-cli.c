/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real rapport-schedule binary, run as a script would run it; its JSON lines are checked
 * against docs/PROTOCOL.md (utc as YYYY-MM-DDTHH:MM:SSZ, local times as YYYY-MM-DDTHH:MM,
 * exit status 2 and one line on stderr for bad input).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

typedef struct {
  int        status;
  GPtrArray *lines;    /* JsonObject*, one per stdout line */
  char      *out;
  char      *err;
} Run;

static void
run_free (Run *r)
{
  g_ptr_array_unref (r->lines);
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static char *
binary (void)
{
  const char *build = g_getenv ("RAPPORT_BUILD_DIR");

  return g_build_filename (build ? build : ".", "src", "schedule", "rapport-schedule", NULL);
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, 0, 0);
}

/* Every utc/local-looking member must have the protocol's exact shape. */
static void
check_shapes (JsonObject *o)
{
  GList *members = json_object_get_members (o);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *n = json_object_get_member (o, name);

      if (JSON_NODE_HOLDS_NULL (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        continue;
      if (g_str_equal (name, "utc") || g_str_has_suffix (name, "_utc"))
        g_assert_true (matches ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", json_node_get_string (n)));
      if (g_str_equal (name, "local") || g_str_has_suffix (name, "_local"))
        g_assert_true (matches ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d)?$", json_node_get_string (n)));
    }
  g_list_free (members);
}

static Run *
run_v (const char * const *args,
       const char         *stdin_text)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
      (stdin_text ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0));
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  Run *r = g_new0 (Run, 1);

  g_subprocess_launcher_setenv (launcher, "TZ", "Europe/Paris", TRUE);
  g_ptr_array_add (argv, binary ());
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &r->out, &r->err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  r->status = g_subprocess_get_exit_status (proc);
  r->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  lines = g_strsplit (r->out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(JsonNode) node = NULL;

      if (*lines[i] == '\0' || !g_str_has_prefix (lines[i], "{"))
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      check_shapes (json_node_get_object (node));
      g_ptr_array_add (r->lines, json_object_ref (json_node_get_object (node)));
    }
  return r;
}

#define RUN(...) run_v ((const char *[]) { __VA_ARGS__, NULL }, NULL)

#define LINE(r, i) ((JsonObject *) (r)->lines->pdata[(i)])

static const char *
str (JsonObject *o,
     const char *name)
{
  return json_object_get_string_member (o, name);
}

static void
assert_bad_input (Run *r)
{
  g_assert_cmpint (r->status, ==, 2);
  g_assert_cmpstr (r->out, ==, "");
  g_assert_cmpuint (strlen (r->err), >, 1);
  g_assert_true (strchr (r->err, '\n') == r->err + strlen (r->err) - 1);   /* exactly one line */
}

static void
test_resolve_gap_and_overlap (void)
{
  g_autoptr(Run) gap = RUN ("resolve", "America/New_York", "2007-03-11T02:30");
  g_autoptr(Run) overlap = RUN ("resolve", "America/New_York", "2007-11-04T01:30");
  g_autoptr(Run) lh = RUN ("resolve", "Australia/Lord_Howe", "2026-10-04T02:15");

  g_assert_cmpint (gap->status, ==, 0);
  g_assert_cmpuint (gap->lines->len, ==, 1);
  g_assert_cmpstr (str (LINE (gap, 0), "utc"), ==, "2007-03-11T07:30:00Z");
  g_assert_cmpstr (str (LINE (gap, 0), "resolution"), ==, "gap");
  g_assert_cmpstr (str (LINE (gap, 0), "zone"), ==, "America/New_York");
  g_assert_cmpstr (str (LINE (overlap, 0), "utc"), ==, "2007-11-04T05:30:00Z");
  g_assert_cmpstr (str (LINE (overlap, 0), "resolution"), ==, "overlap");
  g_assert_cmpstr (str (LINE (lh, 0), "utc"), ==, "2026-10-03T15:45:00Z");
}

static void
test_bad_input_exits_2 (void)
{
  g_autoptr(Run) zone = RUN ("resolve", "Europe/Atlantis", "2026-03-10T09:00");
  g_autoptr(Run) time = RUN ("resolve", "Europe/Berlin", "2026-02-30T09:00");
  g_autoptr(Run) rule = RUN ("expand", "Europe/Berlin", "2026-03-10T09:00", "FREQ=SOMETIMES");
  g_autoptr(Run) hours = RUN ("slots", "--me", "Europe/Berlin", "9 to 5", "--partner", "Asia/Tokyo",
                              "Mon-Fri 09:00-17:00", "--from", "2026-03-02", "--days", "7",
                              "--minutes", "60");
  g_autoptr(Run) args = RUN ("resolve", "Europe/Berlin");
  g_autoptr(Run) cmd = RUN ("reticulate");

  assert_bad_input (zone);
  g_assert_nonnull (strstr (zone->err, "Europe/Atlantis"));
  assert_bad_input (time);
  assert_bad_input (rule);
  g_assert_nonnull (strstr (rule->err, "FREQ=SOMETIMES"));
  assert_bad_input (hours);
  assert_bad_input (args);
  g_assert_cmpint (cmd->status, ==, 2);
}

static void
test_expand_skips_gap_and_flags_partner (void)
{
  g_autoptr(Run) gap = RUN ("expand", "America/New_York", "2007-03-04T02:30", "FREQ=WEEKLY;COUNT=3");
  g_autoptr(Run) both = RUN ("expand", "America/New_York", "2026-03-02T09:00", "FREQ=WEEKLY;COUNT=6",
                             "--partner", "Europe/London");

  g_assert_cmpint (gap->status, ==, 0);
  g_assert_cmpuint (gap->lines->len, ==, 3);
  g_assert_cmpstr (str (LINE (gap, 0), "utc"), ==, "2007-03-04T07:30:00Z");
  g_assert_cmpstr (str (LINE (gap, 1), "utc"), ==, "2007-03-18T06:30:00Z");
  g_assert_cmpstr (str (LINE (gap, 2), "utc"), ==, "2007-03-25T06:30:00Z");

  g_assert_cmpuint (both->lines->len, ==, 6);
  g_assert_cmpstr (str (LINE (both, 1), "partner_local"), ==, "2026-03-09T13:00");
  g_assert_true (json_object_get_boolean_member (LINE (both, 1), "partner_moved"));
  g_assert_cmpstr (str (LINE (both, 1), "partner_previous"), ==, "14:00");
  g_assert_false (json_object_get_boolean_member (LINE (both, 2), "partner_moved"));
  g_assert_cmpstr (str (LINE (both, 4), "partner_local"), ==, "2026-03-30T14:00");
  g_assert_true (json_object_get_boolean_member (LINE (both, 4), "partner_moved"));
}

static void
test_slots_inside_hours_with_labels (void)
{
  g_autoptr(Run) r = RUN ("slots", "--me", "America/Los_Angeles", "Mon-Fri 15:00-23:00",
                          "--partner", "Asia/Tokyo", "Mon-Fri 08:00-12:00",
                          "--from", "2026-03-02", "--days", "7", "--minutes", "60");

  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpuint (r->lines->len, >, 4);
  for (guint i = 0; i < r->lines->len; i++)
    {
      JsonObject *o = LINE (r, i);
      const char *p = str (o, "partner_local");
      const char *m = str (o, "me_local");
      gint ph = atoi (p + 11), mh = atoi (m + 11);

      g_assert_cmpint (json_object_get_int_member (o, "rank"), ==, i + 1);
      g_assert_cmpint (ph, >=, 8);
      g_assert_cmpint (ph, <, 12);
      g_assert_cmpint (mh, >=, 15);
      g_assert_cmpint (mh, <, 23);
      g_assert_cmpint (json_object_get_int_member (o, "day_shift"), ==, 1);
      g_assert_true (g_str_has_suffix (str (o, "label"), ", next day"));
      if (i > 0)
        g_assert_cmpint (json_object_get_int_member (o, "score"), <=,
                         json_object_get_int_member (LINE (r, i - 1), "score"));
    }
}

static void
test_slots_accepts_unquoted_hours (void)
{
  g_autoptr(Run) quoted = RUN ("slots", "--me", "Europe/Berlin", "Mon-Fri 09:00-17:00",
                               "--partner", "Asia/Kolkata", "Mon-Fri 10:00-18:00",
                               "--from", "2026-03-02", "--days", "3", "--minutes", "45");
  g_autoptr(Run) loose = RUN ("slots", "--me", "Europe/Berlin", "Mon-Fri", "09:00-17:00",
                              "--partner", "Asia/Kolkata", "Mon-Fri", "10:00-18:00",
                              "--from", "2026-03-02T08:00", "--days", "3", "--minutes", "45");

  g_assert_cmpint (loose->status, ==, 0);
  g_assert_cmpuint (loose->lines->len, >, 0);
  g_assert_cmpstr (loose->out, ==, quoted->out);
}

static void
test_export_then_import_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("rapport-schedule-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "invite.ics", NULL);
  g_autoptr(Run) ex = RUN ("export", "--zone", "Australia/Sydney", "--start", "2026-04-06T07:30",
                           "--minutes", "45", "--rrule", "FREQ=WEEKLY;COUNT=8",
                           "--summary", "Mentoring", "--link", "rapport://127.0.0.1:9000/AAAAAAAAAAAAAAAAAAAAAA",
                           "--organizer", "Ben Müller <ben@example.org>",
                           "--attendee", "aiko@example.jp", "--uid", "cli-1@rapport",
                           "--output", file);
  g_autoptr(Run) im = NULL;
  g_autoptr(Run) piped = NULL;
  g_autofree char *ics = NULL;
  JsonObject *o;

  g_assert_cmpint (ex->status, ==, 0);
  g_assert_cmpstr (str (LINE (ex, 0), "utc"), ==, "2026-04-05T21:30:00Z");
  im = RUN ("import", file);
  g_assert_cmpint (im->status, ==, 0);
  g_assert_cmpuint (im->lines->len, ==, 1);
  o = LINE (im, 0);
  g_assert_cmpstr (str (o, "uid"), ==, "cli-1@rapport");
  g_assert_cmpstr (str (o, "utc"), ==, "2026-04-05T21:30:00Z");
  g_assert_cmpstr (str (o, "tzid"), ==, "Australia/Sydney");
  g_assert_cmpstr (str (o, "local"), ==, "2026-04-06T07:30");
  g_assert_cmpint (json_object_get_int_member (o, "minutes"), ==, 45);
  g_assert_cmpstr (str (o, "rrule"), ==, "FREQ=WEEKLY;COUNT=8");
  g_assert_cmpstr (str (o, "organizer_name"), ==, "Ben Müller");
  g_assert_cmpstr (str (o, "attendee"), ==, "aiko@example.jp");
  g_assert_cmpstr (str (o, "link"), ==, "rapport://127.0.0.1:9000/AAAAAAAAAAAAAAAAAAAAAA");

  /* stdout export piped into "import -" */
  g_assert_true (g_file_get_contents (file, &ics, NULL, NULL));
  piped = run_v ((const char *[]) { "import", "-", NULL }, ics);
  g_assert_cmpint (piped->status, ==, 0);
  g_assert_cmpstr (str (LINE (piped, 0), "utc"), ==, "2026-04-05T21:30:00Z");
  g_unlink (file);
  g_rmdir (dir);
}

static char *
sample (const char *name)
{
  const char *src = g_getenv ("RAPPORT_SOURCE_DIR");

  return g_build_filename (src ? src : ".", "tests", "fuzz", "corpus", "ical", name, NULL);
}

static void
test_import_prints_events_and_error_lines (void)
{
  g_autofree char *outlook = sample ("outlook.ics");
  g_autofree char *broken = sample ("malformed.ics");
  g_autofree char *mixed = sample ("allday-utc-floating.ics");
  g_autoptr(Run) o = RUN ("import", outlook);
  g_autoptr(Run) b = RUN ("import", broken);
  g_autoptr(Run) m = RUN ("import", mixed);
  guint errors = 0, events = 0;

  g_assert_cmpint (o->status, ==, 0);
  g_assert_cmpstr (str (LINE (o, 0), "utc"), ==, "2026-03-10T08:00:00Z");
  g_assert_cmpstr (str (LINE (o, 0), "tzid"), ==, "Europe/Berlin");

  g_assert_cmpint (b->status, ==, 0);
  for (guint i = 0; i < b->lines->len; i++)
    {
      if (json_object_has_member (LINE (b, i), "error"))
        errors++;
      else
        events++;
    }
  g_assert_cmpuint (events, ==, 1);
  g_assert_cmpuint (errors, ==, 5);

  g_assert_cmpint (m->status, ==, 0);
  g_assert_cmpstr (str (LINE (m, 0), "date"), ==, "2026-03-20");
  g_assert_false (json_object_has_member (LINE (m, 0), "utc"));
  g_assert_cmpstr (str (LINE (m, 1), "tzid"), ==, "UTC");
  /* Floating 09:00 read in the process's zone (TZ=Europe/Paris, +01:00 in March). */
  g_assert_cmpstr (str (LINE (m, 2), "utc"), ==, "2026-03-26T08:00:00Z");
  g_assert_true (json_object_get_null_member (LINE (m, 2), "tzid"));
}

static void
test_import_unreadable_exits_2 (void)
{
  g_autoptr(Run) missing = RUN ("import", "/nonexistent/invite.ics");
  g_autoptr(Run) garbage = run_v ((const char *[]) { "import", "-", NULL }, "not a calendar\n");

  g_assert_cmpint (missing->status, ==, 2);
  g_assert_cmpint (garbage->status, ==, 2);
  g_assert_cmpuint (garbage->lines->len, ==, 1);
  g_assert_true (json_object_has_member (LINE (garbage, 0), "error"));
}

static void
test_help_documents_every_command (void)
{
  g_autoptr(Run) r = RUN ("--help");
  const char *words[] = { "resolve", "expand", "slots", "export", "import", "HOURS", "Mon-Fri 09:00-17:00" };

  g_assert_cmpint (r->status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    g_assert_nonnull (strstr (r->out, words[i]));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schedule/cli/resolve-gap-and-overlap", test_resolve_gap_and_overlap);
  g_test_add_func ("/schedule/cli/bad-input-exits-2-with-one-line", test_bad_input_exits_2);
  g_test_add_func ("/schedule/cli/expand-skips-gap-and-flags-partner", test_expand_skips_gap_and_flags_partner);
  g_test_add_func ("/schedule/cli/slots-inside-both-hours-best-first", test_slots_inside_hours_with_labels);
  g_test_add_func ("/schedule/cli/slots-accepts-unquoted-hours-and-datetime-from", test_slots_accepts_unquoted_hours);
  g_test_add_func ("/schedule/cli/export-then-import-round-trip", test_export_then_import_round_trip);
  g_test_add_func ("/schedule/cli/import-prints-event-and-error-lines", test_import_prints_events_and_error_lines);
  g_test_add_func ("/schedule/cli/import-unreadable-exits-2", test_import_unreadable_exits_2);
  g_test_add_func ("/schedule/cli/help-documents-every-command", test_help_documents_every_command);

  return g_test_run ();
}
