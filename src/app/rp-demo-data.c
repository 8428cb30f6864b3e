/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-demo-data.h"
#include "rp-store.h"

typedef struct {
  const char *name;
  const char *zone;
  const char *hours;
  const char *language;
} DemoPartner;

static const DemoPartner partners[] = {
  { "Aiko Tanaka", "Asia/Tokyo", "Mon-Fri 09:00-18:00", "en_US" },
  { "Mateo Fernández", "America/Argentina/Buenos_Aires", "Mon-Fri 10:00-19:00", "es" },
  { "Priya Raman", "Asia/Kolkata", "Mon-Fri 09:30-17:30", NULL },
};

/* A planned session `days` from today at `hour` in the partner's zone. */
static gboolean
add_planned (RpStore *store, gint64 partner_id, const char *zone, int days, int hour,
             guint minutes, GError **error)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_autoptr (GDateTime) day = g_date_time_add_days (now, days);
  g_autoptr (RpSessionRecord) record = rp_session_record_new ();

  record->partner_id = partner_id;
  record->scheduled_zone = g_strdup (zone);
  record->scheduled_local = g_strdup_printf ("%04d-%02d-%02dT%02d:00",
                                             g_date_time_get_year (day),
                                             g_date_time_get_month (day),
                                             g_date_time_get_day_of_month (day), hour);
  record->planned_minutes = minutes;
  return rp_store_add_session (store, record, error) != 0;
}

static gboolean
add_past (RpStore *store, gint64 partner_id, int days_ago, guint minutes, const char *notes,
          GError **error)
{
  g_autoptr (RpSessionRecord) record = rp_session_record_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  record->partner_id = partner_id;
  record->started_at = now - days_ago * 86400;
  record->duration_s = minutes * 60;
  record->ended_at = record->started_at + record->duration_s;
  record->notes = g_strdup (notes);
  return rp_store_add_session (store, record, error) != 0
         && rp_store_update_session (store, record, error);
}

gboolean
rp_demo_data_seed (GError **error)
{
  g_autoptr (RpStore) store = rp_store_new (NULL, error);
  g_autoptr (GPtrArray) existing = NULL;
  gint64 ids[G_N_ELEMENTS (partners)];

  if (store == NULL || (existing = rp_store_list_partners (store, error)) == NULL)
    return FALSE;
  if (existing->len > 0)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (partners); i++)
    {
      g_autoptr (RpPartner) partner = rp_partner_new (partners[i].name, partners[i].zone);

      partner->working_hours = g_strdup (partners[i].hours);
      partner->spell_language = g_strdup (partners[i].language);
      if ((ids[i] = rp_store_add_partner (store, partner, error)) == 0)
        return FALSE;
    }
  /* Late afternoon in Tokyo and Kolkata is the morning in Europe, where the screenshots'
   * user lives: times that look like a real plan in both columns. */
  return add_planned (store, ids[0], partners[0].zone, 2, 17, 45, error)
         && add_planned (store, ids[2], partners[2].zone, 6, 15, 30, error)
         && add_past (store, ids[1], 2, 52, "Portfolio review; next: two case studies.", error)
         && add_past (store, ids[0], 5, 41, "Conference talk outline agreed.", error)
         && rp_store_close (store, error);
}
