/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-agenda-binding.h"
#include "rp-call-docs.h"

struct _RpCallDocs
{
  GObject parent_instance;

  RpPartnerBook *book;
  RpSessionRecord *record;
  RpSharedDocs *shared;
  RpNotesBinding *notes;
  RpAgendaBinding *agenda;
  GtkTextBuffer *buffer;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (RpCallDocs, rp_call_docs, G_TYPE_OBJECT)

/* The carried-over action items open the agenda (once: a reopened document has them). */
static void
add_carried_items (RpCallDocs *self)
{
  RpAgenda *agenda = rp_shared_docs_get_agenda (self->shared);
  g_autoptr (GPtrArray) present = rp_agenda_list_items (agenda);

  if (present->len > 0)
    return;
  for (guint i = 0; i < self->record->agenda->len; i++)
    {
      const RpOutcomeItem *item = self->record->agenda->pdata[i];
      g_autofree char *id = NULL;
      RpAgendaOwner owner = g_strcmp0 (item->owner, "mentee") == 0 ? RP_AGENDA_OWNER_MENTEE
                                                                   : RP_AGENDA_OWNER_MENTOR;

      id = rp_agenda_add_item (agenda, i, item->title, item->minutes, owner,
                               RP_AGENDA_KIND_ACTION_ITEM, NULL);
    }
}

/* The partner sees where we are in the notes, and we see where they are. */
static void
on_cursor_moved (RpCallDocs *self)
{
  gint offset = 0;

  g_object_get (self->buffer, "cursor-position", &offset, NULL);
  rp_shared_docs_set_local_caret (self->shared, offset);
}

static void
on_partner_caret (RpCallDocs *self)
{
  gssize caret = rp_shared_docs_get_partner_caret (self->shared);

  rp_notes_binding_show_partner_at (self->notes, caret >= 0 ? (gint) caret : -1);
}

static GPtrArray *
agenda_outcome (RpAgenda *agenda)
{
  g_autoptr (GPtrArray) items = rp_agenda_list_items (agenda);
  GPtrArray *outcome = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_outcome_item_free);

  for (guint i = 0; i < items->len; i++)
    {
      const RpAgendaItem *item = items->pdata[i];
      RpOutcomeItem *done = rp_outcome_item_new (item->title,
                                                 item->kind == RP_AGENDA_KIND_ACTION_ITEM
                                                   ? RP_OUTCOME_KIND_ACTION : RP_OUTCOME_KIND_TOPIC,
                                                 item->done);

      done->minutes = item->minutes;
      done->owner = g_strdup (item->owner == RP_AGENDA_OWNER_MENTEE ? "mentee" : "mentor");
      g_ptr_array_add (outcome, done);
    }
  return outcome;
}

static void
rp_call_docs_dispose (GObject *object)
{
  RpCallDocs *self = RP_CALL_DOCS (object);

  if (self->buffer != NULL)
    g_signal_handlers_disconnect_by_data (self->buffer, self);
  g_clear_object (&self->buffer);
  if (self->shared != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->shared, self);
      rp_shared_docs_set_session (self->shared, NULL);
    }
  g_clear_object (&self->notes);
  g_clear_object (&self->agenda);
  g_clear_object (&self->shared);
  g_clear_object (&self->book);
  g_clear_pointer (&self->record, rp_session_record_free);
  G_OBJECT_CLASS (rp_call_docs_parent_class)->dispose (object);
}

static void
rp_call_docs_class_init (RpCallDocsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rp_call_docs_dispose;
}

static void
rp_call_docs_init (RpCallDocs *self)
{
}

RpCallDocs *
rp_call_docs_new (RpPartnerBook  *book,
                  RpPartnerItem  *partner,
                  GtkTextBuffer  *notes_buffer,
                  GListStore     *agenda_entries,
                  GError        **error)
{
  g_autoptr (RpCallDocs) self = g_object_new (RP_TYPE_CALL_DOCS, NULL);
  g_autofree char *doc_id = NULL;

  g_return_val_if_fail (RP_IS_PARTNER_BOOK (book), NULL);
  self->book = g_object_ref (book);
  self->record = rp_partner_book_begin_session (book, partner, error);
  if (self->record == NULL)
    return NULL;
  /* "session/UID": the store keeps the documents as "session/UID/notes" and ".../agenda". */
  doc_id = g_strdup_printf ("session/%s", self->record->uid);
  self->shared = rp_shared_docs_new (rp_partner_book_get_store (book), doc_id, NULL, error);
  if (self->shared == NULL)
    return NULL;
  add_carried_items (self);
  self->notes = rp_notes_binding_new (notes_buffer, rp_shared_docs_get_notes (self->shared));
  self->agenda = rp_agenda_binding_new (agenda_entries, rp_shared_docs_get_agenda (self->shared));
  self->buffer = g_object_ref (notes_buffer);
  g_signal_connect_swapped (notes_buffer, "notify::cursor-position", G_CALLBACK (on_cursor_moved),
                            self);
  g_signal_connect_swapped (self->shared, "notify::partner-caret", G_CALLBACK (on_partner_caret),
                            self);
  return g_steal_pointer (&self);
}

void
rp_call_docs_set_session (RpCallDocs *self, RpSession *session)
{
  g_return_if_fail (RP_IS_CALL_DOCS (self));
  rp_shared_docs_set_session (self->shared, session);
}

void
rp_call_docs_set_partner (RpCallDocs *self, RpPartnerItem *partner)
{
  g_return_if_fail (RP_IS_CALL_DOCS (self));
  if (partner == NULL || self->record->partner_id != 0)
    return;
  self->record->partner_id = rp_partner_item_get_id (partner);
  g_free (self->record->title);
  self->record->title = g_strdup (rp_partner_item_get_name (partner));
}

void
rp_call_docs_set_link (RpCallDocs *self, const char *link)
{
  g_return_if_fail (RP_IS_CALL_DOCS (self));
  g_free (self->record->link);
  self->record->link = g_strdup (link != NULL && *link != '\0' ? link : NULL);
}

gboolean
rp_call_docs_finish (RpCallDocs *self, GDateTime *connected_at, GError **error)
{
  RpStore *store;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (RP_IS_CALL_DOCS (self), FALSE);
  if (self->finished)
    return TRUE;
  self->finished = TRUE;
  store = rp_partner_book_get_store (self->book);
  rp_shared_docs_set_session (self->shared, NULL);
  if (!rp_shared_docs_save (self->shared, error))
    return FALSE;
  g_free (self->record->notes);
  self->record->notes = rp_text_doc_get_text (rp_shared_docs_get_notes (self->shared));
  if (connected_at == NULL && *self->record->notes == '\0')
    {
      /* Hosting and giving up before anyone came leaves nothing worth a line in Recent. */
      g_autofree char *notes_id = rp_session_record_dup_doc_id (self->record, "notes");
      g_autofree char *agenda_id = rp_session_record_dup_doc_id (self->record, "agenda");

      rp_store_delete_document (store, notes_id, NULL);
      rp_store_delete_document (store, agenda_id, NULL);
      return rp_store_delete_session (store, self->record->id, error)
             && rp_partner_book_reload (self->book, error);
    }
  if (connected_at != NULL)
    {
      self->record->started_at = g_date_time_to_unix (connected_at);
      self->record->duration_s = MAX (0, now - self->record->started_at);
    }
  self->record->ended_at = now;
  g_ptr_array_unref (self->record->agenda);
  self->record->agenda = agenda_outcome (rp_shared_docs_get_agenda (self->shared));
  return rp_partner_book_save_session (self->book, self->record, error);
}

const RpSessionRecord *
rp_call_docs_get_record (RpCallDocs *self)
{
  g_return_val_if_fail (RP_IS_CALL_DOCS (self), NULL);
  return self->record;
}

RpSharedDocs *
rp_call_docs_get_shared (RpCallDocs *self)
{
  g_return_val_if_fail (RP_IS_CALL_DOCS (self), NULL);
  return self->shared;
}

RpNotesBinding *
rp_call_docs_get_notes_binding (RpCallDocs *self)
{
  g_return_val_if_fail (RP_IS_CALL_DOCS (self), NULL);
  return self->notes;
}
