/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-meeting.h"

G_DEFINE_BOXED_TYPE (RpMeeting, rp_meeting, rp_meeting_ref, rp_meeting_unref)

RpMeeting *
rp_meeting_new (void)
{
  RpMeeting *self = g_new0 (RpMeeting, 1);

  self->ref_count = 1;
  self->minutes = 60;
  return self;
}

RpMeeting *
rp_meeting_ref (RpMeeting *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
rp_meeting_unref (RpMeeting *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_free (self->uid);
  g_free (self->summary);
  g_free (self->description);
  g_free (self->zone);
  g_free (self->rrule);
  g_free (self->organizer_name);
  g_free (self->organizer_email);
  g_free (self->attendee_name);
  g_free (self->attendee_email);
  g_free (self->link);
  g_free (self->source_tzid);
  g_free (self->status);
  g_free (self);
}

/* The start as an instant. Floating and all-day events are read in floating_zone (the
 * reader's own zone: that is what "floating" means). */
gboolean
rp_meeting_utc (const RpMeeting *self,
                GTimeZone       *floating_zone,
                gint64          *utc,
                GError         **error)
{
  g_autoptr(GTimeZone) tz = NULL;

  if (self->zone != NULL)
    {
      tz = rp_zone_new (self->zone, error);
      if (tz == NULL)
        return FALSE;
    }
  else
    tz = floating_zone ? g_time_zone_ref (floating_zone) : g_time_zone_new_local ();
  *utc = rp_zone_resolve (tz, &self->start, NULL, NULL);
  return TRUE;
}

/* Whether an imported copy should replace the stored one (RFC 5546 §2.1.5): same UID and a
 * higher SEQUENCE, or the same SEQUENCE with a later DTSTAMP. */
gboolean
rp_meeting_supersedes (const RpMeeting *self,
                       const RpMeeting *other)
{
  g_return_val_if_fail (self != NULL && other != NULL, FALSE);

  if (g_strcmp0 (self->uid, other->uid) != 0)
    return FALSE;
  if (self->sequence != other->sequence)
    return self->sequence > other->sequence;
  return self->dtstamp > other->dtstamp;
}
