/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rp-partner-item.h"
#include "rp-working-hours.h"

struct _RpPartnerItem
{
  GObject parent_instance;

  char *name;
  char *time_zone;
  char *language;
  guint work_start;   /* minutes after midnight, partner's own clock */
  guint work_end;
  gint64 id;          /* the store's row id; 0 for a partner not stored */
  RpWorkingHours *hours;   /* from the store; NULL = work_start..work_end on weekdays */
};

G_DEFINE_FINAL_TYPE (RpPartnerItem, rp_partner_item, G_TYPE_OBJECT)

/* g_set_str () needs GLib 2.76; we build against 2.74. */
static gboolean
replace_string (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

enum {
  PROP_0,
  PROP_NAME,
  PROP_TIME_ZONE,
  PROP_LANGUAGE,
  PROP_WORK_START,
  PROP_WORK_END,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rp_partner_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RpPartnerItem *self = RP_PARTNER_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_TIME_ZONE: g_value_set_string (value, self->time_zone); break;
    case PROP_LANGUAGE: g_value_set_string (value, self->language); break;
    case PROP_WORK_START: g_value_set_uint (value, self->work_start); break;
    case PROP_WORK_END: g_value_set_uint (value, self->work_end); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_partner_item_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  RpPartnerItem *self = RP_PARTNER_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME: replace_string (&self->name, g_value_get_string (value)); break;
    case PROP_TIME_ZONE: replace_string (&self->time_zone, g_value_get_string (value)); break;
    case PROP_LANGUAGE: rp_partner_item_set_language (self, g_value_get_string (value)); break;
    case PROP_WORK_START: self->work_start = g_value_get_uint (value); break;
    case PROP_WORK_END: self->work_end = g_value_get_uint (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_partner_item_finalize (GObject *object)
{
  RpPartnerItem *self = RP_PARTNER_ITEM (object);

  g_free (self->name);
  g_free (self->time_zone);
  g_free (self->language);
  g_clear_pointer (&self->hours, rp_working_hours_free);
  G_OBJECT_CLASS (rp_partner_item_parent_class)->finalize (object);
}

static void
rp_partner_item_class_init (RpPartnerItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_partner_item_get_property;
  object_class->set_property = rp_partner_item_set_property;
  object_class->finalize = rp_partner_item_finalize;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME_ZONE] =
    g_param_spec_string ("time-zone", NULL, NULL, "UTC",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WORK_START] =
    g_param_spec_uint ("work-start", NULL, NULL, 0, 24 * 60 - 1, 9 * 60,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_WORK_END] =
    g_param_spec_uint ("work-end", NULL, NULL, 1, 24 * 60, 17 * 60,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rp_partner_item_init (RpPartnerItem *self)
{
}

RpPartnerItem *
rp_partner_item_new (const char *name, const char *time_zone)
{
  return g_object_new (RP_TYPE_PARTNER_ITEM, "name", name, "time-zone", time_zone, NULL);
}

const char *
rp_partner_item_get_name (RpPartnerItem *self)
{
  g_return_val_if_fail (RP_IS_PARTNER_ITEM (self), NULL);
  return self->name;
}

const char *
rp_partner_item_get_time_zone (RpPartnerItem *self)
{
  g_return_val_if_fail (RP_IS_PARTNER_ITEM (self), NULL);
  return self->time_zone;
}

const char *
rp_partner_item_get_language (RpPartnerItem *self)
{
  g_return_val_if_fail (RP_IS_PARTNER_ITEM (self), NULL);
  return self->language;
}

void
rp_partner_item_set_language (RpPartnerItem *self, const char *language)
{
  g_return_if_fail (RP_IS_PARTNER_ITEM (self));
  if (replace_string (&self->language, language))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

guint
rp_partner_item_get_work_start (RpPartnerItem *self)
{
  g_return_val_if_fail (RP_IS_PARTNER_ITEM (self), 0);
  return self->work_start;
}

guint
rp_partner_item_get_work_end (RpPartnerItem *self)
{
  g_return_val_if_fail (RP_IS_PARTNER_ITEM (self), 0);
  return self->work_end;
}

/* An unknown zone falls back to UTC here only for display; the zone was validated when the
 * partner was added. */
GTimeZone *
rp_partner_item_dup_zone (RpPartnerItem *self)
{
  GTimeZone *zone;

  g_return_val_if_fail (RP_IS_PARTNER_ITEM (self), NULL);
  zone = g_time_zone_new_identifier (self->time_zone);
  return zone != NULL ? zone : g_time_zone_new_utc ();
}

gboolean
rp_partner_item_is_working_at (RpPartnerItem *self, GDateTime *when)
{
  g_autoptr (GTimeZone) zone = rp_partner_item_dup_zone (self);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (when, zone);
  guint minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  int weekday = g_date_time_get_day_of_week (local);

  if (self->hours != NULL)
    return rp_working_hours_is_free (self->hours, weekday, minute);
  return weekday <= 5 && minute >= self->work_start && minute < self->work_end;
}

/* "Thu 21:04 · 8 hours ahead": what a mentor needs before calling someone far away. */
char *
rp_partner_item_describe_now (RpPartnerItem *self, GDateTime *now, GTimeZone *own_zone)
{
  g_autoptr (GTimeZone) zone = rp_partner_item_dup_zone (self);
  g_autoptr (GDateTime) theirs = g_date_time_to_timezone (now, zone);
  g_autoptr (GDateTime) mine = g_date_time_to_timezone (now, own_zone);
  g_autofree char *clock = g_date_time_format (theirs, "%a %H:%M");
  gint64 diff_min = (g_date_time_get_utc_offset (theirs) - g_date_time_get_utc_offset (mine))
                    / G_TIME_SPAN_MINUTE;
  g_autofree char *shift = NULL;
  guint hours = ABS (diff_min) / 60, minutes = ABS (diff_min) % 60;

  if (diff_min == 0)
    shift = g_strdup (_("same time as you"));
  else if (minutes == 0 && diff_min > 0)
    shift = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour ahead", "%u hours ahead",
                                          hours), hours);
  else if (minutes == 0)
    shift = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour behind", "%u hours behind",
                                          hours), hours);
  else if (diff_min > 0)
    /* Translators: a time difference such as "5:30 ahead" (hours:minutes) */
    shift = g_strdup_printf (_("%u:%02u ahead"), hours, minutes);
  else
    shift = g_strdup_printf (_("%u:%02u behind"), hours, minutes);

  /* Translators: "Thu 21:04 · 8 hours ahead" */
  return g_strdup_printf (_("%s · %s"), clock, shift);
}

/* The store's partner as a list item (the id ties later changes back to its row). */
RpPartnerItem *
rp_partner_item_new_from_record (const RpPartner *record)
{
  RpPartnerItem *self;

  g_return_val_if_fail (record != NULL, NULL);
  self = g_object_new (RP_TYPE_PARTNER_ITEM, "name", record->name, "time-zone", record->time_zone,
                       "language", record->spell_language, NULL);
  self->id = record->id;
  if (record->working_hours != NULL && *record->working_hours != '\0')
    self->hours = rp_working_hours_parse (record->working_hours, NULL);
  return self;
}

gint64
rp_partner_item_get_id (RpPartnerItem *self)
{
  g_return_val_if_fail (RP_IS_PARTNER_ITEM (self), 0);
  return self->id;
}
