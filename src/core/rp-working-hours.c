/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Working hours as a bitmap of the minutes of one week: overlapping ranges, ranges that cross
 * midnight and the week's wrap from Sunday to Monday all become simple lookups.
 */
#include "config.h"

#include <string.h>

#include "rp-schedule.h"
#include "rp-working-hours.h"

#define MINUTES_PER_DAY  1440
#define MINUTES_PER_WEEK (7 * MINUTES_PER_DAY)

struct _RpWorkingHours
{
  guint8 free[MINUTES_PER_WEEK];   /* 1 where the person is available; Monday 00:00 first */
};

G_DEFINE_BOXED_TYPE (RpWorkingHours, rp_working_hours, rp_working_hours_copy, rp_working_hours_free)

static const char *day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static gint
parse_day (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (day_names); i++)
    {
      /* Also the RFC 5545 two-letter forms (MO, TU…) */
      if (g_ascii_strcasecmp (text, day_names[i]) == 0 ||
          (strlen (text) == 2 && g_ascii_strncasecmp (text, day_names[i], 2) == 0))
        return (gint) i;
    }
  return -1;
}

static gboolean
parse_days (const char *text,
            gboolean    days[7])
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);

  for (guint i = 0; items[i]; i++)
    {
      g_auto(GStrv) range = g_strsplit (items[i], "-", 3);
      gint first, last;

      if (range[0] == NULL || (range[1] != NULL && range[2] != NULL))
        return FALSE;
      first = parse_day (range[0]);
      last = range[1] ? parse_day (range[1]) : first;
      if (first < 0 || last < 0)
        return FALSE;
      for (gint d = first;; d = (d + 1) % 7)   /* "Sat-Mon" wraps round the week */
        {
          days[d] = TRUE;
          if (d == last)
            break;
        }
    }
  return TRUE;
}

/* H:MM or HH:MM, up to 24:00 */
static gboolean
parse_clock (const char *text,
             gint       *minute)
{
  gsize len = strlen (text);
  const char *colon = strchr (text, ':');
  gint h = 0, m;

  if (colon == NULL || (colon - text != 1 && colon - text != 2) || len != (gsize) (colon - text) + 3)
    return FALSE;
  for (const char *p = text; p < colon; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      h = h * 10 + (*p - '0');
    }
  if (!g_ascii_isdigit (colon[1]) || !g_ascii_isdigit (colon[2]))
    return FALSE;
  m = (colon[1] - '0') * 10 + colon[2] - '0';
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return FALSE;
  *minute = h * 60 + m;
  return TRUE;
}

static void
mark (RpWorkingHours *self,
      gint            day,
      gint            from,
      gint            to)
{
  gint start = day * MINUTES_PER_DAY + from;
  gint end = day * MINUTES_PER_DAY + to;

  if (to <= from)
    end += MINUTES_PER_DAY;
  for (gint m = start; m < end; m++)
    self->free[m % MINUTES_PER_WEEK] = 1;
}

static gboolean
parse_ranges (RpWorkingHours *self,
              const gboolean  days[7],
              const char     *text)
{
  g_auto(GStrv) ranges = g_strsplit (text, ",", -1);

  for (guint i = 0; ranges[i]; i++)
    {
      g_auto(GStrv) ends = g_strsplit (ranges[i], "-", -1);
      gint from, to;

      if (g_strv_length (ends) != 2 || !parse_clock (ends[0], &from) ||
          !parse_clock (ends[1], &to) || from == MINUTES_PER_DAY || from == to)
        return FALSE;
      for (gint d = 0; d < 7; d++)
        if (days[d])
          mark (self, d, from, to == 0 ? MINUTES_PER_DAY : to);
    }
  return TRUE;
}

/* "DAYS RANGES…", or just "RANGES…", which means Monday to Friday. */
static gboolean
parse_group (RpWorkingHours *self,
             const char     *group)
{
  g_auto(GStrv) words = g_strsplit_set (group, " \t", -1);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  gboolean days[7] = { FALSE, };
  guint first_range = 1;

  for (guint i = 0; words[i]; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (parts, words[i]);
  if (parts->len == 0)
    return FALSE;
  if (g_ascii_isdigit (((char *) parts->pdata[0])[0]))
    {
      for (guint d = 0; d < 5; d++)
        days[d] = TRUE;
      first_range = 0;
    }
  else if (parts->len < 2 || !parse_days (parts->pdata[0], days))
    return FALSE;
  for (guint i = first_range; i < parts->len; i++)
    if (!parse_ranges (self, days, parts->pdata[i]))
      return FALSE;
  return TRUE;
}

RpWorkingHours *
rp_working_hours_parse (const char *text,
                        GError    **error)
{
  g_autoptr(RpWorkingHours) self = g_new0 (RpWorkingHours, 1);
  g_auto(GStrv) groups = NULL;
  guint n_groups = 0;

  if (text == NULL)
    text = "";
  groups = g_strsplit (text, ";", -1);
  for (guint i = 0; groups[i]; i++)
    {
      g_strstrip (groups[i]);
      if (*groups[i] == '\0')
        continue;
      if (!parse_group (self, groups[i]))
        {
          g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_HOURS,
                       "Invalid working hours “%s”: expected e.g. “Mon-Fri 09:00-17:00” or "
                       "“Mon-Thu 09:00-12:00,13:00-17:00; Fri 09:00-13:00”", groups[i]);
          return NULL;
        }
      n_groups++;
    }
  if (n_groups == 0)
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_HOURS,
                   "No working hours given: expected e.g. “Mon-Fri 09:00-17:00”");
      return NULL;
    }
  return g_steal_pointer (&self);
}

RpWorkingHours *
rp_working_hours_copy (const RpWorkingHours *self)
{
  return g_memdup2 (self, sizeof *self);
}

void
rp_working_hours_free (RpWorkingHours *self)
{
  g_free (self);
}

/* weekday 1 = Monday … 7 = Sunday */
gboolean
rp_working_hours_is_free (const RpWorkingHours *self,
                          gint                  weekday,
                          gint                  minute_of_day)
{
  g_return_val_if_fail (weekday >= 1 && weekday <= 7, FALSE);
  g_return_val_if_fail (minute_of_day >= 0 && minute_of_day < MINUTES_PER_DAY, FALSE);
  return self->free[(weekday - 1) * MINUTES_PER_DAY + minute_of_day];
}

/* The run of free minutes around a free minute, relative to 00:00 of that weekday (so the
 * start may be negative and the end past 1440 when the block crosses midnight). */
gboolean
rp_working_hours_block (const RpWorkingHours *self,
                        gint                  weekday,
                        gint                  minute_of_day,
                        gint                 *block_start,
                        gint                 *block_end)
{
  gint at = (weekday - 1) * MINUTES_PER_DAY + minute_of_day;
  gint start = 0, end = 1;

  if (!rp_working_hours_is_free (self, weekday, minute_of_day))
    return FALSE;
  while (start > -MINUTES_PER_WEEK + 1 &&
         self->free[(at + start - 1 + MINUTES_PER_WEEK) % MINUTES_PER_WEEK])
    start--;
  while (end < MINUTES_PER_WEEK && self->free[(at + end) % MINUTES_PER_WEEK])
    end++;
  *block_start = minute_of_day + start;
  *block_end = minute_of_day + end;
  return TRUE;
}

static void
append_clock (GString *out,
              gint     minute)
{
  g_string_append_printf (out, "%02d:%02d", minute / 60, minute % 60);
}

/* A canonical form: one group per weekday with its ranges, e.g. "Mon 09:00-17:00; Tue …". */
char *
rp_working_hours_to_string (const RpWorkingHours *self)
{
  GString *out = g_string_new (NULL);

  for (gint d = 0; d < 7; d++)
    {
      const guint8 *day = self->free + d * MINUTES_PER_DAY;
      gboolean any = FALSE;

      for (gint m = 0; m < MINUTES_PER_DAY;)
        {
          gint end = m;

          if (!day[m])
            {
              m++;
              continue;
            }
          while (end < MINUTES_PER_DAY && day[end])
            end++;
          if (!any)
            g_string_append_printf (out, "%s%c%c%c ", out->len ? "; " : "",
                                    g_ascii_toupper (day_names[d][0]), day_names[d][1],
                                    day_names[d][2]);
          else
            g_string_append_c (out, ',');
          any = TRUE;
          append_clock (out, m);
          g_string_append_c (out, '-');
          append_clock (out, end);
          m = end;
        }
    }
  return g_string_free (out, FALSE);
}
