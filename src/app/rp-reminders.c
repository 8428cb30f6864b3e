/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "rp-home-view.h"
#include "rp-reminders.h"
#include "rp-schedule.h"
#include "rp-window.h"

struct _RpReminders
{
  GObject parent_instance;

  GApplication *application;   /* not owned: it outlives its windows' reminders */
  RpPartnerBook *book;
  GSettings *settings;
  GHashTable *sent;            /* "UID@INSTANT" already notified */
  guint timeout;
  gint64 next_utc;             /* 0 = none */
  gint64 next_session_utc;
  char *next_uid;
  char *next_title;
};

G_DEFINE_FINAL_TYPE (RpReminders, rp_reminders, G_TYPE_OBJECT)

enum {
  SIGNAL_REMINDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void reschedule (RpReminders *self);

static char *
sent_key (const char *uid, gint64 session_utc)
{
  return g_strdup_printf ("%s@%" G_GINT64_FORMAT, uid, session_utc);
}

static void
send_reminder (RpReminders *self)
{
  g_autoptr (GNotification) notification = NULL;
  g_autoptr (GTimeZone) own = rp_own_time_zone (self->settings);
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (self->next_session_utc);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (when, own);
  g_autofree char *clock = g_date_time_format (local, "%H:%M");
  g_autofree char *title = g_strdup_printf (_("%s at %s"), self->next_title, clock);
  g_autofree char *id = g_strdup_printf ("session-%s", self->next_uid);

  notification = g_notification_new (title);
  g_notification_set_body (notification, _("Your mentoring session starts soon."));
  g_notification_add_button_with_target (notification, _("Join"), "app.join-session", "s",
                                         self->next_uid);
  g_notification_set_default_action_and_target (notification, "app.join-session", "s",
                                                self->next_uid);
  g_application_send_notification (self->application, id, notification);
  g_hash_table_add (self->sent, sent_key (self->next_uid, self->next_session_utc));
  g_signal_emit (self, signals[SIGNAL_REMINDED], 0, self->next_uid, self->next_session_utc);
}

static gboolean
on_due (gpointer user_data)
{
  RpReminders *self = user_data;

  self->timeout = 0;
  send_reminder (self);
  reschedule (self);
  return G_SOURCE_REMOVE;
}

/* The planned instance of one record that is next to remind of, if not already sent. */
static gboolean
next_for (RpReminders *self, RpSessionItem *item, guint lead, gint64 now,
          gint64 *reminder, gint64 *session)
{
  const RpSessionRecord *record = rp_session_item_get_record (item);
  g_autoptr (GTimeZone) zone = NULL;
  g_autofree char *key = NULL;
  RpLocal start;

  if (record == NULL || record->scheduled_zone == NULL || record->scheduled_local == NULL
      || (zone = g_time_zone_new_identifier (record->scheduled_zone)) == NULL
      || !rp_local_parse (record->scheduled_local, &start, NULL)
      || !rp_schedule_next_reminder (zone, &start, record->rrule, lead, now, reminder, session))
    return FALSE;
  key = sent_key (record->uid, *session);
  return !g_hash_table_contains (self->sent, key);
}

static void
reschedule (RpReminders *self)
{
  GListModel *upcoming = rp_partner_book_get_upcoming (self->book);
  guint lead = g_settings_get_uint (self->settings, "reminder-minutes");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_clear_handle_id (&self->timeout, g_source_remove);
  self->next_utc = 0;
  g_clear_pointer (&self->next_uid, g_free);
  g_clear_pointer (&self->next_title, g_free);
  for (guint i = 0; lead > 0 && i < g_list_model_get_n_items (upcoming); i++)
    {
      g_autoptr (RpSessionItem) item = g_list_model_get_item (upcoming, i);
      gint64 reminder, session;

      if (!next_for (self, item, lead, now, &reminder, &session)
          || (self->next_utc != 0 && reminder >= self->next_utc))
        continue;
      self->next_utc = reminder;
      self->next_session_utc = session;
      g_free (self->next_uid);
      self->next_uid = g_strdup (rp_session_item_get_record (item)->uid);
      g_free (self->next_title);
      self->next_title = g_strdup_printf (_("Session with %s"),
                                          rp_session_item_get_partner_name (item));
    }
  if (self->next_utc != 0)
    self->timeout = g_timeout_add_seconds ((guint) MIN (self->next_utc - now, G_MAXUINT / 2),
                                           on_due, self);
}

/* Joins by the stored link when there is one, or hosts a session with the partner. */
static void
on_join_session (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  RpReminders *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self->application));
  RpStore *store = rp_partner_book_get_store (self->book);
  g_autoptr (RpSessionRecord) record = NULL;
  GListModel *partners = rp_partner_book_get_partners (self->book);

  if (!RP_IS_WINDOW (window) || store == NULL)
    return;
  gtk_window_present (window);
  record = rp_store_get_session_by_uid (store, g_variant_get_string (param, NULL), NULL);
  if (record == NULL)
    return;
  if (record->link != NULL && *record->link != '\0')
    {
      rp_window_join_link (RP_WINDOW (window), record->link);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (partners); i++)
    {
      g_autoptr (RpPartnerItem) partner = g_list_model_get_item (partners, i);

      if (rp_partner_item_get_id (partner) == record->partner_id)
        {
          rp_window_start_session (RP_WINDOW (window), partner);
          return;
        }
    }
  rp_window_start_session (RP_WINDOW (window), NULL);
}

static void
rp_reminders_dispose (GObject *object)
{
  RpReminders *self = RP_REMINDERS (object);

  g_clear_handle_id (&self->timeout, g_source_remove);
  g_clear_object (&self->book);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (rp_reminders_parent_class)->dispose (object);
}

static void
rp_reminders_finalize (GObject *object)
{
  RpReminders *self = RP_REMINDERS (object);

  g_hash_table_unref (self->sent);
  g_free (self->next_uid);
  g_free (self->next_title);
  G_OBJECT_CLASS (rp_reminders_parent_class)->finalize (object);
}

static void
rp_reminders_class_init (RpRemindersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rp_reminders_dispose;
  object_class->finalize = rp_reminders_finalize;

  signals[SIGNAL_REMINDED] =
    g_signal_new ("reminded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);
}

static void
rp_reminders_init (RpReminders *self)
{
  self->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

RpReminders *
rp_reminders_new (GApplication *application, RpPartnerBook *book, GSettings *settings)
{
  RpReminders *self = g_object_new (RP_TYPE_REMINDERS, NULL);
  g_autoptr (GSimpleAction) join = g_simple_action_new ("join-session", G_VARIANT_TYPE_STRING);

  self->application = application;
  self->book = g_object_ref (book);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (join, "activate", G_CALLBACK (on_join_session), self, 0);
  g_action_map_add_action (G_ACTION_MAP (application), G_ACTION (join));
  g_signal_connect_object (rp_partner_book_get_upcoming (book), "items-changed",
                           G_CALLBACK (reschedule), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::reminder-minutes", G_CALLBACK (reschedule), self,
                           G_CONNECT_SWAPPED);
  reschedule (self);
  return self;
}

gboolean
rp_reminders_get_next (RpReminders *self, gint64 *reminder_utc, const char **uid)
{
  g_return_val_if_fail (RP_IS_REMINDERS (self), FALSE);
  if (reminder_utc != NULL)
    *reminder_utc = self->next_utc;
  if (uid != NULL)
    *uid = self->next_uid;
  return self->next_utc != 0;
}
