/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "rp-partner-book.h"

/* Partners and sessions kept in a small key file until the SQLite store (branch "store")
 * takes over; the home view only sees the three list models. */
struct _RpPartnerBook
{
  GObject parent_instance;

  GFile *file;
  GListStore *partners;
  GListStore *upcoming;
  GListStore *recent;
  gboolean loaded;        /* saving before the file is read would overwrite it */
  gboolean save_pending;
};

static void save (RpPartnerBook *self);

G_DEFINE_FINAL_TYPE (RpPartnerBook, rp_partner_book, G_TYPE_OBJECT)

#define PARTNER_PREFIX "Partner "
#define SESSION_PREFIX "Session "

static int
compare_start (gconstpointer a, gconstpointer b, gpointer user_data)
{
  int order = g_date_time_compare (rp_session_record_get_start ((RpSessionRecord *) a),
                                   rp_session_record_get_start ((RpSessionRecord *) b));
  return GPOINTER_TO_INT (user_data) * order;
}

static void
watch_partner (RpPartnerBook *self, RpPartner *partner)
{
  /* The spell-checking language chosen during a call is kept for the next one. */
  g_signal_connect_object (partner, "notify::language", G_CALLBACK (save), self,
                           G_CONNECT_SWAPPED);
}

static void
load_partner (RpPartnerBook *self, GKeyFile *keys, const char *group)
{
  g_autofree char *zone = g_key_file_get_string (keys, group, "zone", NULL);
  g_autofree char *language = g_key_file_get_string (keys, group, "language", NULL);
  g_autoptr (GTimeZone) tz = zone != NULL ? g_time_zone_new_identifier (zone) : NULL;
  guint start = g_key_file_get_integer (keys, group, "work-start", NULL);
  guint end = g_key_file_get_integer (keys, group, "work-end", NULL);
  g_autoptr (RpPartner) partner = NULL;

  if (tz == NULL)
    {
      g_warning ("Partner “%s” has an unknown time zone “%s”; skipped",
                 group + strlen (PARTNER_PREFIX), zone);
      return;
    }
  if (end == 0 || end > 24 * 60 || start >= end)
    start = 9 * 60, end = 17 * 60;
  partner = g_object_new (RP_TYPE_PARTNER,
                          "name", group + strlen (PARTNER_PREFIX), "time-zone", zone,
                          "language", language, "work-start", start, "work-end", end, NULL);
  watch_partner (self, partner);
  g_list_store_append (self->partners, partner);
}

static void
load_session (RpPartnerBook *self, GKeyFile *keys, const char *group, GDateTime *now)
{
  g_autofree char *partner = g_key_file_get_string (keys, group, "partner", NULL);
  g_autofree char *zone = g_key_file_get_string (keys, group, "zone", NULL);
  g_autofree char *start_text = g_key_file_get_string (keys, group, "start", NULL);
  g_autoptr (GDateTime) start = start_text ? g_date_time_new_from_iso8601 (start_text, NULL) : NULL;
  int minutes = g_key_file_get_integer (keys, group, "minutes", NULL);
  g_autoptr (RpSessionRecord) record = NULL;

  if (partner == NULL || start == NULL || minutes <= 0)
    {
      g_warning ("Session “%s” in the partner book is incomplete; skipped", group);
      return;
    }
  record = rp_session_record_new (partner, zone, start, minutes);
  if (g_date_time_compare (start, now) > 0)
    g_list_store_insert_sorted (self->upcoming, record, compare_start, GINT_TO_POINTER (1));
  else
    g_list_store_insert_sorted (self->recent, record, compare_start, GINT_TO_POINTER (-1));
}

static void
load_key_file (RpPartnerBook *self, GKeyFile *keys)
{
  g_auto (GStrv) groups = g_key_file_get_groups (keys, NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (g_str_has_prefix (groups[i], PARTNER_PREFIX))
        load_partner (self, keys, groups[i]);
      else if (g_str_has_prefix (groups[i], SESSION_PREFIX))
        load_session (self, keys, groups[i], now);
    }
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RpPartnerBook *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GKeyFile) keys = g_key_file_new ();

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      /* No file yet is the normal first start. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          self->loaded = TRUE;
          if (self->save_pending)
            save (self);
          g_task_return_boolean (task, TRUE);
        }
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_key_file_load_from_data (keys, contents, length, G_KEY_FILE_NONE, &error))
    {
      g_prefix_error (&error, _("Could not read %s: "), g_file_peek_path (self->file));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  load_key_file (self, keys);
  self->loaded = TRUE;
  if (self->save_pending)
    save (self);
  g_task_return_boolean (task, TRUE);
}

static void
write_partner (GKeyFile *keys, RpPartner *partner)
{
  g_autofree char *group = g_strconcat (PARTNER_PREFIX, rp_partner_get_name (partner), NULL);

  g_key_file_set_string (keys, group, "zone", rp_partner_get_time_zone (partner));
  if (rp_partner_get_language (partner) != NULL)
    g_key_file_set_string (keys, group, "language", rp_partner_get_language (partner));
  g_key_file_set_integer (keys, group, "work-start", rp_partner_get_work_start (partner));
  g_key_file_set_integer (keys, group, "work-end", rp_partner_get_work_end (partner));
}

static void
write_sessions (GKeyFile *keys, GListModel *sessions, guint *counter)
{
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr (RpSessionRecord) record = g_list_model_get_item (sessions, i);
      g_autofree char *group = g_strdup_printf (SESSION_PREFIX "%u", (*counter)++);
      g_autofree char *start = g_date_time_format_iso8601 (rp_session_record_get_start (record));

      g_key_file_set_string (keys, group, "partner", rp_session_record_get_partner_name (record));
      g_key_file_set_string (keys, group, "zone", rp_session_record_get_partner_zone (record));
      g_key_file_set_string (keys, group, "start", start);
      g_key_file_set_integer (keys, group, "minutes", rp_session_record_get_minutes (record));
    }
}

static void
save_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *path = g_file_peek_path (G_FILE (source));
  g_autofree char *dir = g_path_get_dirname (path);
  GBytes *data = task_data;
  GError *error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0
      || !g_file_set_contents (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                               &error))
    {
      g_warning ("Could not save the partner book to %s: %s", path,
                 error ? error->message : g_strerror (errno));
      g_clear_error (&error);
    }
  g_task_return_boolean (task, TRUE);
}

/* Written off the main loop; each save writes the whole (small) book. */
static void
save (RpPartnerBook *self)
{
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (GTask) task = NULL;
  guint counter = 0;
  gsize length = 0;
  char *data;

  /* Before the file is read (or when it could not be), changes wait rather than replace it. */
  if (!self->loaded)
    {
      self->save_pending = TRUE;
      return;
    }
  self->save_pending = FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->partners)); i++)
    {
      g_autoptr (RpPartner) partner = g_list_model_get_item (G_LIST_MODEL (self->partners), i);
      write_partner (keys, partner);
    }
  write_sessions (keys, G_LIST_MODEL (self->upcoming), &counter);
  write_sessions (keys, G_LIST_MODEL (self->recent), &counter);
  data = g_key_file_to_data (keys, &length, NULL);

  task = g_task_new (self->file, NULL, NULL, NULL);
  g_task_set_source_tag (task, save);
  g_task_set_task_data (task, g_bytes_new_take (data, length), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, save_in_thread);
}

static void
rp_partner_book_dispose (GObject *object)
{
  RpPartnerBook *self = RP_PARTNER_BOOK (object);

  g_clear_object (&self->file);
  g_clear_object (&self->partners);
  g_clear_object (&self->upcoming);
  g_clear_object (&self->recent);
  G_OBJECT_CLASS (rp_partner_book_parent_class)->dispose (object);
}

static void
rp_partner_book_class_init (RpPartnerBookClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rp_partner_book_dispose;
}

static void
rp_partner_book_init (RpPartnerBook *self)
{
  self->partners = g_list_store_new (RP_TYPE_PARTNER);
  self->upcoming = g_list_store_new (RP_TYPE_SESSION_RECORD);
  self->recent = g_list_store_new (RP_TYPE_SESSION_RECORD);
}

RpPartnerBook *
rp_partner_book_new (GFile *file)
{
  RpPartnerBook *self = g_object_new (RP_TYPE_PARTNER_BOOK, NULL);

  self->file = g_object_ref (file);
  return self;
}

void
rp_partner_book_load_async (RpPartnerBook       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, rp_partner_book_load_async);
  g_file_load_contents_async (self->file, cancellable, on_loaded, g_steal_pointer (&task));
}

gboolean
rp_partner_book_load_finish (RpPartnerBook *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GListModel *
rp_partner_book_get_partners (RpPartnerBook *self)
{
  return G_LIST_MODEL (self->partners);
}

GListModel *
rp_partner_book_get_upcoming (RpPartnerBook *self)
{
  return G_LIST_MODEL (self->upcoming);
}

GListModel *
rp_partner_book_get_recent (RpPartnerBook *self)
{
  return G_LIST_MODEL (self->recent);
}

RpPartner *
rp_partner_book_find_partner (RpPartnerBook *self, const char *name)
{
  for (guint i = 0; name != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->partners)); i++)
    {
      g_autoptr (RpPartner) partner = g_list_model_get_item (G_LIST_MODEL (self->partners), i);

      if (g_utf8_collate (rp_partner_get_name (partner), name) == 0)
        return partner;
    }
  return NULL;
}

gboolean
rp_partner_book_add_partner (RpPartnerBook  *self,
                             const char     *name,
                             const char     *time_zone,
                             GError        **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (name));
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (time_zone);
  g_autoptr (RpPartner) partner = NULL;

  if (*clean == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter your partner's name."));
      return FALSE;
    }
  if (zone == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a known time zone. Use a name such as “Asia/Tokyo”."),
                   time_zone);
      return FALSE;
    }
  if (rp_partner_book_find_partner (self, clean) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s is already one of your partners."), clean);
      return FALSE;
    }
  partner = rp_partner_new (clean, time_zone);
  watch_partner (self, partner);
  g_list_store_append (self->partners, partner);
  save (self);
  return TRUE;
}

void
rp_partner_book_add_recent (RpPartnerBook *self, RpSessionRecord *record)
{
  g_list_store_insert (self->recent, 0, record);
  save (self);
}
