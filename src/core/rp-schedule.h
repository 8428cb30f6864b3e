/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RP_SCHEDULE_ERROR (rp_schedule_error_quark ())
GQuark rp_schedule_error_quark (void);

typedef enum {
  RP_SCHEDULE_ERROR_UNKNOWN_ZONE,
  RP_SCHEDULE_ERROR_INVALID_TIME,
  RP_SCHEDULE_ERROR_INVALID_RULE,
  RP_SCHEDULE_ERROR_INVALID_HOURS,
  RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
} RpScheduleError;

/* A wall-clock time without a zone: what a person agreed to ("Tuesdays at 09:00"). Sessions
 * are stored as a zone plus one of these, never as a UTC instant, so that a series keeps its
 * local time when the clocks change. */
typedef struct {
  gint year;
  gint month;
  gint day;
  gint hour;
  gint minute;
  gint second;
} RpLocal;

/* How a local time became an instant (RFC 5545 §3.3.5). */
typedef enum {
  RP_RESOLUTION_EXACT,    /* the local time exists once */
  RP_RESOLUTION_GAP,      /* it does not exist (clocks jumped forward): offset from before the gap */
  RP_RESOLUTION_OVERLAP,  /* it exists twice (clocks went back): the first occurrence */
} RpResolution;

const char *rp_resolution_to_string (RpResolution resolution);

gboolean  rp_local_parse       (const char    *text,
                                RpLocal       *out,
                                GError       **error);
gboolean  rp_date_parse        (const char    *text,
                                RpLocal       *out,
                                GError       **error);
gboolean  rp_local_is_valid    (const RpLocal *local);
char     *rp_local_format      (const RpLocal *local);
char     *rp_local_format_time (const RpLocal *local);
gint64    rp_local_to_naive    (const RpLocal *local);
void      rp_local_from_naive  (gint64         naive,
                                RpLocal       *out);
gint      rp_local_weekday     (const RpLocal *local);
gint      rp_local_days_between (const RpLocal *from,
                                 const RpLocal *to);
const char *rp_weekday_abbrev  (gint           weekday);

char     *rp_utc_format        (gint64         utc);
gboolean  rp_utc_parse         (const char    *text,
                                gint64        *utc,
                                GError       **error);

GTimeZone *rp_zone_new         (const char    *identifier,
                                GError       **error);
gint32    rp_zone_offset_at    (GTimeZone     *tz,
                                gint64         utc);
void      rp_zone_local_at     (GTimeZone     *tz,
                                gint64         utc,
                                RpLocal       *out);
gint64    rp_zone_resolve      (GTimeZone     *tz,
                                const RpLocal *local,
                                RpResolution  *resolution,
                                gint32        *offset);
char     *rp_offset_format     (gint32         offset_seconds);

/* One instance of an expanded series. Instances whose local time falls in a gap are kept with
 * skipped = TRUE so a UI can say why a week has no session; they do not count towards COUNT. */
typedef struct {
  RpLocal      local;
  gint64       utc;
  RpResolution resolution;
  gboolean     skipped;
  gboolean     has_partner;
  RpLocal      partner_local;
  gint         partner_day_shift;   /* partner's date minus the organizer's, in days */
  gboolean     partner_moved;       /* partner's clock time differs from the previous instance */
  RpLocal      partner_previous;    /* the partner's time before the move (valid if moved) */
} RpOccurrence;

GArray   *rp_schedule_expand   (GTimeZone     *tz,
                                const RpLocal *start,
                                const char    *rrule,
                                GTimeZone     *partner,
                                guint          max_instances,
                                GError       **error);

gboolean  rp_schedule_frequency_supported (int freq);
gboolean  rp_schedule_check_rule   (const char    *rrule,
                                    GError       **error);
gboolean  rp_schedule_rule_is_plain (const char   *rrule);

gboolean  rp_schedule_next_reminder (GTimeZone     *tz,
                                     const RpLocal *start,
                                     const char    *rrule,
                                     guint          lead_minutes,
                                     gint64         now_utc,
                                     gint64        *reminder_utc,
                                     gint64        *session_utc);

G_END_DECLS
