/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "rp-schedule.h"

G_BEGIN_DECLS

#define RP_TYPE_MEETING (rp_meeting_get_type ())

/* A scheduled session or series as calendars see it: a zone plus a local start (never a bare
 * instant), a length and an optional RRULE. All-day and floating events (read from other
 * calendars' invites) have no zone. Reference counted; treat as immutable once shared. */
typedef struct {
  char     *uid;
  char     *summary;
  char     *description;
  char     *zone;            /* IANA identifier; NULL when floating or all-day */
  RpLocal   start;           /* in zone; for all-day, the date (time 00:00) */
  gboolean  all_day;
  gboolean  floating;
  guint     minutes;         /* length; for all-day, a multiple of 1440 */
  char     *rrule;           /* without the "RRULE:" prefix; NULL = one session */
  char     *organizer_name;
  char     *organizer_email;
  char     *attendee_name;
  char     *attendee_email;
  char     *link;            /* the rapport:// join link */
  gint64    dtstamp;         /* UTC seconds */
  gint      sequence;
  char     *source_tzid;     /* the TZID as the imported file wrote it, if any */
  char     *status;          /* CONFIRMED, TENTATIVE, CANCELLED or NULL */
  /*< private >*/
  gint      ref_count;
} RpMeeting;

GType      rp_meeting_get_type (void) G_GNUC_CONST;
RpMeeting *rp_meeting_new      (void);
RpMeeting *rp_meeting_ref      (RpMeeting *self);
void       rp_meeting_unref    (RpMeeting *self);
gboolean   rp_meeting_supersedes (const RpMeeting *self,
                                  const RpMeeting *other);
gboolean   rp_meeting_utc      (const RpMeeting *self,
                                GTimeZone       *floating_zone,
                                gint64          *utc,
                                GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpMeeting, rp_meeting_unref)

G_END_DECLS
