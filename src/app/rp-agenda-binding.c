/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-agenda-binding.h"
#include "rp-agenda-entry.h"

struct _RpAgendaBinding
{
  GObject parent_instance;

  GListStore *entries;
  RpAgenda *agenda;
  gboolean rebuilding;   /* the list is being rewritten from the document */
  gboolean syncing;      /* the document is being edited from the list */
  guint removal_source;
};

G_DEFINE_FINAL_TYPE (RpAgendaBinding, rp_agenda_binding, G_TYPE_OBJECT)

#define ID_KEY "rp-agenda-id"

static const char *
entry_id (gpointer entry)
{
  return g_object_get_data (G_OBJECT (entry), ID_KEY);
}

static void on_entry_done (RpAgendaBinding *self, GParamSpec *pspec, RpAgendaEntry *entry);

static void
watch_entry (RpAgendaBinding *self, RpAgendaEntry *entry, const char *id)
{
  g_object_set_data_full (G_OBJECT (entry), ID_KEY, g_strdup (id), g_free);
  g_signal_connect_object (entry, "notify::done", G_CALLBACK (on_entry_done), self,
                           G_CONNECT_SWAPPED);
}

static void
report (GError *error)
{
  if (error != NULL)
    g_warning ("Could not change the shared agenda: %s", error->message);
  g_clear_error (&error);
}

static void
on_entry_done (RpAgendaBinding *self, GParamSpec *pspec, RpAgendaEntry *entry)
{
  GError *error = NULL;

  if (self->rebuilding || entry_id (entry) == NULL)
    return;
  self->syncing = TRUE;
  rp_agenda_set_done (self->agenda, entry_id (entry), rp_agenda_entry_get_done (entry), &error);
  self->syncing = FALSE;
  report (error);
}

/* Makes the document hold the list's entries in the list's order. */
static void
push_list (RpAgendaBinding *self)
{
  GListModel *model = G_LIST_MODEL (self->entries);
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) items = NULL;
  GError *error = NULL;

  g_clear_handle_id (&self->removal_source, g_source_remove);
  self->syncing = TRUE;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (RpAgendaEntry) entry = g_list_model_get_item (model, i);
      g_autoptr (RpAgendaItem) live = entry_id (entry) ? rp_agenda_get_item (self->agenda,
                                                                              entry_id (entry))
                                                       : NULL;

      if (live == NULL)
        {
          g_autofree char *id = rp_agenda_add_item (self->agenda, i,
                                                    rp_agenda_entry_get_title (entry),
                                                    rp_agenda_entry_get_minutes (entry),
                                                    RP_AGENDA_OWNER_MENTOR, RP_AGENDA_KIND_TOPIC,
                                                    &error);
          if (id == NULL)
            break;
          watch_entry (self, entry, id);
          if (rp_agenda_entry_get_done (entry))
            rp_agenda_set_done (self->agenda, id, TRUE, NULL);
        }
      else
        rp_agenda_move_item (self->agenda, entry_id (entry), i, NULL);
      g_hash_table_add (listed, (gpointer) entry_id (entry));
    }
  items = rp_agenda_list_items (self->agenda);
  for (guint i = 0; error == NULL && i < items->len; i++)
    {
      const RpAgendaItem *item = items->pdata[i];

      if (!g_hash_table_contains (listed, item->id))
        rp_agenda_remove_item (self->agenda, item->id, &error);
    }
  self->syncing = FALSE;
  report (error);
}

static gboolean
push_removal (gpointer user_data)
{
  RpAgendaBinding *self = user_data;

  self->removal_source = 0;
  push_list (self);
  return G_SOURCE_REMOVE;
}

static void
on_entries_changed (RpAgendaBinding *self, guint position, guint removed, guint added)
{
  if (self->rebuilding)
    return;
  /* The panel moves an entry as a removal then an insertion: a removal alone waits for the
   * main loop's next turn so that a moved item keeps its identity in the document. */
  if (added == 0)
    {
      if (self->removal_source == 0)
        self->removal_source = g_idle_add_full (G_PRIORITY_HIGH, push_removal, self, NULL);
      return;
    }
  push_list (self);
}

static RpAgendaEntry *
find_entry (RpAgendaBinding *self, const RpAgendaItem *item)
{
  GListModel *model = G_LIST_MODEL (self->entries);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (RpAgendaEntry) entry = g_list_model_get_item (model, i);

      if (g_strcmp0 (entry_id (entry), item->id) == 0
          && g_strcmp0 (rp_agenda_entry_get_title (entry), item->title) == 0
          && rp_agenda_entry_get_minutes (entry) == item->minutes)
        return g_steal_pointer (&entry);
    }
  return NULL;
}

/* Rewrites the list from the document. */
static void
pull_document (RpAgendaBinding *self)
{
  g_autoptr (GPtrArray) items = rp_agenda_list_items (self->agenda);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < items->len; i++)
    {
      const RpAgendaItem *item = items->pdata[i];
      RpAgendaEntry *entry = find_entry (self, item);

      if (entry == NULL)
        {
          entry = rp_agenda_entry_new (item->title, item->minutes);
          watch_entry (self, entry, item->id);
        }
      g_ptr_array_add (entries, entry);
    }
  self->rebuilding = TRUE;
  for (guint i = 0; i < items->len; i++)
    rp_agenda_entry_set_done (entries->pdata[i], ((RpAgendaItem *) items->pdata[i])->done);
  g_list_store_splice (self->entries, 0, g_list_model_get_n_items (G_LIST_MODEL (self->entries)),
                       entries->pdata, entries->len);
  self->rebuilding = FALSE;
}

static void
on_agenda_changed (RpAgendaBinding *self)
{
  if (!self->syncing)
    pull_document (self);
}

static void
rp_agenda_binding_dispose (GObject *object)
{
  RpAgendaBinding *self = RP_AGENDA_BINDING (object);

  g_clear_handle_id (&self->removal_source, g_source_remove);
  if (self->entries != NULL)
    g_signal_handlers_disconnect_by_data (self->entries, self);
  if (self->agenda != NULL)
    g_signal_handlers_disconnect_by_data (self->agenda, self);
  g_clear_object (&self->entries);
  g_clear_object (&self->agenda);
  G_OBJECT_CLASS (rp_agenda_binding_parent_class)->dispose (object);
}

static void
rp_agenda_binding_class_init (RpAgendaBindingClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rp_agenda_binding_dispose;
}

static void
rp_agenda_binding_init (RpAgendaBinding *self)
{
}

RpAgendaBinding *
rp_agenda_binding_new (GListStore *entries, RpAgenda *agenda)
{
  RpAgendaBinding *self;

  g_return_val_if_fail (G_IS_LIST_STORE (entries), NULL);
  g_return_val_if_fail (RP_IS_AGENDA (agenda), NULL);
  self = g_object_new (RP_TYPE_AGENDA_BINDING, NULL);
  self->entries = g_object_ref (entries);
  self->agenda = g_object_ref (agenda);
  pull_document (self);
  g_signal_connect_swapped (entries, "items-changed", G_CALLBACK (on_entries_changed), self);
  g_signal_connect_swapped (agenda, "changed", G_CALLBACK (on_agenda_changed), self);
  return self;
}

RpAgenda *
rp_agenda_binding_get_agenda (RpAgendaBinding *self)
{
  g_return_val_if_fail (RP_IS_AGENDA_BINDING (self), NULL);
  return self->agenda;
}
