/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-session-item.h"

/* A past or planned session as the home view lists it: the store's record, with the partner's
 * name and zone and the instant it starts (a series: its next instance). */
struct _RpSessionItem
{
  GObject parent_instance;

  char *partner_name;
  char *partner_zone;
  GDateTime *start;
  guint minutes;
  RpSessionRecord *record;   /* the store's record; NULL for an item made by hand */
};

G_DEFINE_FINAL_TYPE (RpSessionItem, rp_session_item, G_TYPE_OBJECT)

static void
rp_session_item_finalize (GObject *object)
{
  RpSessionItem *self = RP_SESSION_ITEM (object);

  g_free (self->partner_name);
  g_free (self->partner_zone);
  g_clear_pointer (&self->start, g_date_time_unref);
  g_clear_pointer (&self->record, rp_session_record_free);
  G_OBJECT_CLASS (rp_session_item_parent_class)->finalize (object);
}

static void
rp_session_item_class_init (RpSessionItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rp_session_item_finalize;
}

static void
rp_session_item_init (RpSessionItem *self)
{
}

RpSessionItem *
rp_session_item_new (const char *partner_name,
                       const char *partner_zone,
                       GDateTime  *start,
                       guint       minutes)
{
  RpSessionItem *self = g_object_new (RP_TYPE_SESSION_ITEM, NULL);

  self->partner_name = g_strdup (partner_name);
  self->partner_zone = g_strdup (partner_zone != NULL ? partner_zone : "UTC");
  self->start = g_date_time_ref (start);
  self->minutes = minutes;
  return self;
}

const char *
rp_session_item_get_partner_name (RpSessionItem *self)
{
  g_return_val_if_fail (RP_IS_SESSION_ITEM (self), NULL);
  return self->partner_name;
}

const char *
rp_session_item_get_partner_zone (RpSessionItem *self)
{
  g_return_val_if_fail (RP_IS_SESSION_ITEM (self), NULL);
  return self->partner_zone;
}

GDateTime *
rp_session_item_get_start (RpSessionItem *self)
{
  g_return_val_if_fail (RP_IS_SESSION_ITEM (self), NULL);
  return self->start;
}

guint
rp_session_item_get_minutes (RpSessionItem *self)
{
  g_return_val_if_fail (RP_IS_SESSION_ITEM (self), 0);
  return self->minutes;
}

RpSessionItem *
rp_session_item_new_from_record (const RpSessionRecord *record,
                                 const char            *partner_name,
                                 const char            *partner_zone,
                                 gint64                 start,
                                 guint                  minutes)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (start);
  RpSessionItem *self = rp_session_item_new (partner_name, partner_zone, when, minutes);

  self->record = rp_session_record_copy (record);
  return self;
}

const RpSessionRecord *
rp_session_item_get_record (RpSessionItem *self)
{
  g_return_val_if_fail (RP_IS_SESSION_ITEM (self), NULL);
  return self->record;
}
