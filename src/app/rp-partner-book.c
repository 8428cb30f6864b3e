/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rp-partner-book.h"

/* The home view's three lists (partners, upcoming and recent sessions) read from the SQLite
 * store, and the few writes the app makes to it: a partner added, a session begun and ended,
 * a session planned. The store is opened off the main loop; until then the lists are empty. */
struct _RpPartnerBook
{
  GObject parent_instance;

  char *path;             /* NULL = the store's default path */
  RpStore *store;
  GListStore *partners;
  GListStore *upcoming;
  GListStore *recent;
};

G_DEFINE_FINAL_TYPE (RpPartnerBook, rp_partner_book, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define RECENT_LIMIT   20
#define UPCOMING_LIMIT 20

static void
on_language_changed (RpPartnerBook *self, GParamSpec *pspec, RpPartnerItem *item)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RpPartner) partner = NULL;

  /* The spell-checking language chosen during a call is kept for the next one. */
  partner = rp_store_get_partner (self->store, rp_partner_item_get_id (item), &error);
  if (partner != NULL)
    {
      g_free (partner->spell_language);
      partner->spell_language = g_strdup (rp_partner_item_get_language (item));
      rp_store_update_partner (self->store, partner, &error);
    }
  if (error != NULL)
    g_warning ("Could not keep %s's spelling language: %s", rp_partner_item_get_name (item),
               error->message);
}

static RpPartnerItem *
find_partner_by_id (RpPartnerBook *self, gint64 id)
{
  for (guint i = 0; id != 0 && i < g_list_model_get_n_items (G_LIST_MODEL (self->partners)); i++)
    {
      g_autoptr (RpPartnerItem) item = g_list_model_get_item (G_LIST_MODEL (self->partners), i);

      if (rp_partner_item_get_id (item) == id)
        return item;   /* the list keeps it alive */
    }
  return NULL;
}

static RpSessionItem *
make_session_item (RpPartnerBook *self, const RpSessionRecord *record, gint64 start)
{
  RpPartnerItem *partner = find_partner_by_id (self, record->partner_id);
  const char *name = partner ? rp_partner_item_get_name (partner)
                             : (record->title && *record->title ? record->title : _("Your partner"));
  const char *zone = partner ? rp_partner_item_get_time_zone (partner) : "UTC";
  guint minutes = record->duration_s > 0 ? MAX (1, (record->duration_s + 30) / 60)
                                         : record->planned_minutes;

  return rp_session_item_new_from_record (record, name, zone, start, minutes);
}

static void
reload_partners (RpPartnerBook *self, GError **error)
{
  g_autoptr (GPtrArray) partners = rp_store_list_partners (self->store, error);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  if (partners == NULL)
    return;
  for (guint i = 0; i < partners->len; i++)
    {
      RpPartnerItem *item = rp_partner_item_new_from_record (partners->pdata[i]);

      g_signal_connect_object (item, "notify::language", G_CALLBACK (on_language_changed), self,
                               G_CONNECT_SWAPPED);
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->partners, 0, g_list_model_get_n_items (G_LIST_MODEL (self->partners)),
                       items->pdata, items->len);
}

static void
reload_sessions (RpPartnerBook *self, GError **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (GPtrArray) upcoming = NULL;
  g_autoptr (GPtrArray) recent = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  upcoming = rp_store_list_upcoming_sessions (self->store, 0, now, UPCOMING_LIMIT, error);
  if (upcoming == NULL)
    return;
  recent = rp_store_list_recent_sessions (self->store, 0, RECENT_LIMIT, error);
  if (recent == NULL)
    return;
  for (guint i = 0; i < upcoming->len; i++)
    {
      const RpSessionRecord *record = upcoming->pdata[i];

      g_ptr_array_add (items, make_session_item (self, record,
                                                 rp_session_record_get_next_instant (record, now)));
    }
  g_list_store_splice (self->upcoming, 0, g_list_model_get_n_items (G_LIST_MODEL (self->upcoming)),
                       items->pdata, items->len);
  g_ptr_array_set_size (items, 0);
  for (guint i = 0; i < recent->len; i++)
    {
      const RpSessionRecord *record = recent->pdata[i];

      g_ptr_array_add (items, make_session_item (self, record, record->started_at));
    }
  g_list_store_splice (self->recent, 0, g_list_model_get_n_items (G_LIST_MODEL (self->recent)),
                       items->pdata, items->len);
}

static void
on_store_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RpPartnerBook *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->store = rp_store_new_finish (result, &error);
  if (self->store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  if (!rp_partner_book_reload (self, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
rp_partner_book_dispose (GObject *object)
{
  RpPartnerBook *self = RP_PARTNER_BOOK (object);

  g_clear_object (&self->store);
  g_clear_object (&self->partners);
  g_clear_object (&self->upcoming);
  g_clear_object (&self->recent);
  G_OBJECT_CLASS (rp_partner_book_parent_class)->dispose (object);
}

static void
rp_partner_book_finalize (GObject *object)
{
  g_free (RP_PARTNER_BOOK (object)->path);
  G_OBJECT_CLASS (rp_partner_book_parent_class)->finalize (object);
}

static void
rp_partner_book_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RpPartnerBook *self = RP_PARTNER_BOOK (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_partner_book_class_init (RpPartnerBookClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_partner_book_get_property;
  object_class->dispose = rp_partner_book_dispose;
  object_class->finalize = rp_partner_book_finalize;

  /* NULL until the store is open (then notified once). */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, RP_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rp_partner_book_init (RpPartnerBook *self)
{
  self->partners = g_list_store_new (RP_TYPE_PARTNER_ITEM);
  self->upcoming = g_list_store_new (RP_TYPE_SESSION_ITEM);
  self->recent = g_list_store_new (RP_TYPE_SESSION_ITEM);
}

RpPartnerBook *
rp_partner_book_new (const char *path)
{
  RpPartnerBook *self = g_object_new (RP_TYPE_PARTNER_BOOK, NULL);

  self->path = g_strdup (path);
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
  rp_store_new_async (self->path, cancellable, on_store_opened, g_steal_pointer (&task));
}

gboolean
rp_partner_book_load_finish (RpPartnerBook *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
rp_partner_book_reload (RpPartnerBook *self, GError **error)
{
  GError *local = NULL;

  g_return_val_if_fail (RP_IS_PARTNER_BOOK (self), FALSE);
  if (self->store == NULL)
    return TRUE;
  reload_partners (self, &local);
  if (local == NULL)
    reload_sessions (self, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

RpStore *
rp_partner_book_get_store (RpPartnerBook *self)
{
  g_return_val_if_fail (RP_IS_PARTNER_BOOK (self), NULL);
  return self->store;
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

RpPartnerItem *
rp_partner_book_find_partner (RpPartnerBook *self, const char *name)
{
  for (guint i = 0; name != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->partners)); i++)
    {
      g_autoptr (RpPartnerItem) partner = g_list_model_get_item (G_LIST_MODEL (self->partners), i);

      if (g_utf8_collate (rp_partner_item_get_name (partner), name) == 0)
        return partner;   /* the list keeps it alive */
    }
  return NULL;
}

static gboolean
store_ready (RpPartnerBook *self, GError **error)
{
  if (self->store != NULL)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                       _("Your sessions are still being opened. Try again in a moment."));
  return FALSE;
}

gboolean
rp_partner_book_add_partner (RpPartnerBook  *self,
                             const char     *name,
                             const char     *time_zone,
                             GError        **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (name != NULL ? name : ""));
  g_autoptr (GTimeZone) zone = time_zone ? g_time_zone_new_identifier (time_zone) : NULL;
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
                   time_zone ? time_zone : "");
      return FALSE;
    }
  if (rp_partner_book_find_partner (self, clean) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s is already one of your partners."), clean);
      return FALSE;
    }
  if (!store_ready (self, error))
    return FALSE;
  partner = rp_partner_new (clean, time_zone);
  if (rp_store_add_partner (self->store, partner, error) == 0)
    return FALSE;
  return rp_partner_book_reload (self, error);
}

RpSessionRecord *
rp_partner_book_begin_session (RpPartnerBook  *self,
                               RpPartnerItem  *partner,
                               GError        **error)
{
  g_autoptr (RpSessionRecord) record = rp_session_record_new ();
  g_autoptr (GPtrArray) carried = NULL;

  g_return_val_if_fail (RP_IS_PARTNER_BOOK (self), NULL);
  if (!store_ready (self, error))
    return NULL;
  record->partner_id = partner ? rp_partner_item_get_id (partner) : 0;
  record->title = g_strdup (partner ? rp_partner_item_get_name (partner) : NULL);
  record->started_at = g_get_real_time () / G_USEC_PER_SEC;
  if (rp_store_add_session (self->store, record, error) == 0)
    return NULL;
  /* Open action items of the last session with this partner join this one's agenda. */
  if (record->partner_id != 0)
    {
      carried = rp_store_carry_over_action_items (self->store, record->id, error);
      if (carried == NULL)
        return NULL;
      for (guint i = 0; i < carried->len; i++)
        {
          const RpActionItem *action = carried->pdata[i];
          RpOutcomeItem *item = rp_outcome_item_new (action->title, RP_OUTCOME_KIND_ACTION, FALSE);

          item->owner = g_strdup (action->owner);
          g_ptr_array_add (record->agenda, item);
        }
    }
  return g_steal_pointer (&record);
}

gboolean
rp_partner_book_save_session (RpPartnerBook          *self,
                              const RpSessionRecord  *record,
                              GError                **error)
{
  g_return_val_if_fail (RP_IS_PARTNER_BOOK (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  if (!store_ready (self, error))
    return FALSE;
  if (!rp_store_update_session (self->store, record, error))
    return FALSE;
  return rp_partner_book_reload (self, error);
}

gboolean
rp_partner_book_add_planned (RpPartnerBook    *self,
                             RpSessionRecord  *record,
                             GError          **error)
{
  g_return_val_if_fail (RP_IS_PARTNER_BOOK (self), FALSE);
  if (!store_ready (self, error))
    return FALSE;
  if (rp_store_add_session (self->store, record, error) == 0)
    return FALSE;
  return rp_partner_book_reload (self, error);
}
