/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-session-record.h"

/* A past or planned session as the home view lists it. Until the SQLite store lands this is
 * all the app remembers of a session. */
struct _RpSessionRecord
{
  GObject parent_instance;

  char *partner_name;
  char *partner_zone;
  GDateTime *start;
  guint minutes;
};

G_DEFINE_FINAL_TYPE (RpSessionRecord, rp_session_record, G_TYPE_OBJECT)

static void
rp_session_record_finalize (GObject *object)
{
  RpSessionRecord *self = RP_SESSION_RECORD (object);

  g_free (self->partner_name);
  g_free (self->partner_zone);
  g_clear_pointer (&self->start, g_date_time_unref);
  G_OBJECT_CLASS (rp_session_record_parent_class)->finalize (object);
}

static void
rp_session_record_class_init (RpSessionRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rp_session_record_finalize;
}

static void
rp_session_record_init (RpSessionRecord *self)
{
}

RpSessionRecord *
rp_session_record_new (const char *partner_name,
                       const char *partner_zone,
                       GDateTime  *start,
                       guint       minutes)
{
  RpSessionRecord *self = g_object_new (RP_TYPE_SESSION_RECORD, NULL);

  self->partner_name = g_strdup (partner_name);
  self->partner_zone = g_strdup (partner_zone != NULL ? partner_zone : "UTC");
  self->start = g_date_time_ref (start);
  self->minutes = minutes;
  return self;
}

const char *
rp_session_record_get_partner_name (RpSessionRecord *self)
{
  g_return_val_if_fail (RP_IS_SESSION_RECORD (self), NULL);
  return self->partner_name;
}

const char *
rp_session_record_get_partner_zone (RpSessionRecord *self)
{
  g_return_val_if_fail (RP_IS_SESSION_RECORD (self), NULL);
  return self->partner_zone;
}

GDateTime *
rp_session_record_get_start (RpSessionRecord *self)
{
  g_return_val_if_fail (RP_IS_SESSION_RECORD (self), NULL);
  return self->start;
}

guint
rp_session_record_get_minutes (RpSessionRecord *self)
{
  g_return_val_if_fail (RP_IS_SESSION_RECORD (self), 0);
  return self->minutes;
}
