/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The notes and agenda of one session, kept in the store and in sync with the peer.
 *
 * Persistence: every change is appended to the store as the update blob it arrived as — a
 * local edit as the document's own "update", a peer's as RpSync's "merged" blob (also for the
 * first blobs of a frame refused further on) — so the store is durable within a second for
 * both. The update log is compacted into a snapshot once it grows long, so a long-used document
 * loads fast. At start the snapshot and the log are loaded, so a restarted process resumes
 * where it was; its documents get fresh replica ids, so ops it made but never stored cannot
 * clash.
 *
 * Sync: RpSync speaks the protocol (docs/SYNC.md); this object gives it a channel. When the
 * session's data channel opens both sides send a HELLO, answer what the other lacks, then
 * stream local edits in batches. Offline edits simply wait in the documents for the next HELLO.
 * A frame the peer gets wrong is refused whole, logged, and reported through "error".
 */
#include "config.h"

#include <string.h>

#include "rp-shared-docs.h"
#include "rp-sync.h"

/* Local edits gather this long before they go to the peer as one frame. */
#define SYNC_BATCH_MS 50
/* Caret moves go out at most this often. */
#define CARET_INTERVAL_MS 150
#define MAX_ANCHOR 64

G_DEFINE_QUARK (rp-shared-docs-error-quark, rp_shared_docs_error)

typedef enum {
  DOC_NOTES,
  DOC_AGENDA,
  N_DOCS
} DocKind;

static const char *const doc_names[N_DOCS] = { "notes", "agenda" };

/* What the store holds of one document. */
typedef struct {
  char    *store_id;
  guint    n_updates;      /* updates in the store after its snapshot */
  gboolean compacting;
} Persist;

struct _RpSharedDocs
{
  GObject       parent_instance;

  RpStore      *store;
  char         *doc_id;
  char         *sync_id;
  guint         compact_threshold;

  RpTextDoc    *notes;
  RpAgenda     *agenda;
  RpSync       *sync;
  Persist       persist[N_DOCS];
  char         *partner_anchor;
  gssize        local_caret;     /* -1: nothing to send */
  guint         caret_id;
  gboolean      channel_open;

  RpSession    *session;
};

static void rp_shared_docs_initable_iface_init       (GInitableIface      *iface);
static void rp_shared_docs_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RpSharedDocs, rp_shared_docs, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      rp_shared_docs_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      rp_shared_docs_async_initable_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_DOC_ID,
  PROP_SYNC_ID,
  PROP_COMPACT_THRESHOLD,
  PROP_SESSION,
  PROP_NOTES,
  PROP_AGENDA,
  PROP_SYNCED,
  PROP_PARTNER_CARET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SEND,
  SIGNAL_SEND_APP,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- the two documents behind one interface --------------------------------------------- */

static GBytes *
doc_state (RpSharedDocs *self,
           DocKind       kind)
{
  return kind == DOC_NOTES ? rp_text_doc_encode_state (self->notes)
                           : rp_agenda_encode_state (self->agenda);
}

static void
report_error (RpSharedDocs *self,
              gint          code,
              const char   *message)
{
  g_autoptr(GError) error = g_error_new_literal (RP_SHARED_DOCS_ERROR, code, message);

  g_warning ("%s", message);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

/* --- persistence ------------------------------------------------------------------------ */

static void
on_compacted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RpSharedDocs) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = rp_store_compact_document_finish (RP_STORE (source), result, &error);

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message =
        g_strdup_printf ("Could not compact the shared documents (the update log is kept): %s",
                         error->message);
      report_error (self, RP_SHARED_DOCS_ERROR_STORE, message);
    }
}

static void maybe_compact (RpSharedDocs *self,
                           DocKind       kind);

/* The log may have grown past the threshold again while the store was busy compacting. */
static void
compact_done (RpSharedDocs *self,
              DocKind       kind)
{
  self->persist[kind].compacting = FALSE;
  if (self->store != NULL)
    maybe_compact (self, kind);
}

static void
on_notes_compacted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  compact_done (user_data, DOC_NOTES);
  on_compacted (source, result, user_data);
}

static void
on_agenda_compacted (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  compact_done (user_data, DOC_AGENDA);
  on_compacted (source, result, user_data);
}

/* A snapshot of everything in memory replaces the log. The store queues it behind every update
 * appended so far, and the snapshot holds all of those (they are applied in memory). */
static void
maybe_compact (RpSharedDocs *self,
               DocKind       kind)
{
  Persist *p = &self->persist[kind];
  g_autoptr(GBytes) snapshot = NULL;

  if (p->n_updates < self->compact_threshold || p->compacting)
    return;
  snapshot = doc_state (self, kind);
  p->compacting = TRUE;
  p->n_updates = 0;
  rp_store_compact_document_async (self->store, p->store_id, snapshot, NULL,
                                   kind == DOC_NOTES ? on_notes_compacted : on_agenda_compacted,
                                   g_object_ref (self));
}

static void
append (RpSharedDocs *self,
        DocKind       kind,
        GBytes       *update)
{
  Persist *p = &self->persist[kind];

  rp_store_append_update (self->store, p->store_id, update);
  p->n_updates++;
  maybe_compact (self, kind);
}

/* A local edit or a peer's merged blob. */
static void
store_update (RpSharedDocs *self,
              DocKind       kind,
              GBytes       *update)
{
  if (self->store != NULL)
    append (self, kind, update);
}

static void
on_notes_update (RpTextDoc    *notes,
                 GBytes       *update,
                 RpSharedDocs *self)
{
  store_update (self, DOC_NOTES, update);
}

static void
on_agenda_update (RpAgenda     *agenda,
                  GBytes       *update,
                  RpSharedDocs *self)
{
  store_update (self, DOC_AGENDA, update);
}

/* --- loading ---------------------------------------------------------------------------- */

/* Applies the stored log. An update the document refuses (a damaged row) is skipped with a
 * warning rather than losing the whole document; its ops may come back from the peer. */
static void
apply_stored_updates (RpSharedDocs *self,
                      DocKind       kind,
                      GPtrArray    *updates)
{
  for (guint i = 0; updates != NULL && i < updates->len; i++)
    {
      g_autoptr(GError) error = NULL;
      GBytes *u = updates->pdata[i];
      gboolean ok = kind == DOC_NOTES ? rp_text_doc_apply_update (self->notes, u, &error)
                                      : rp_agenda_apply_update (self->agenda, u, &error);

      if (!ok)
        g_warning ("Skipped stored update %u of “%s”: %s", i, self->persist[kind].store_id,
                   error->message);
    }
}

static gboolean
load_doc (RpSharedDocs *self,
          DocKind       kind,
          GBytes       *snapshot,
          GPtrArray    *updates,
          GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (snapshot != NULL && kind == DOC_NOTES)
    self->notes = rp_text_doc_new_from_snapshot (snapshot, &local_error);
  else if (snapshot != NULL)
    self->agenda = rp_agenda_new_from_snapshot (snapshot, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, RP_SHARED_DOCS_ERROR, RP_SHARED_DOCS_ERROR_DAMAGED,
                   "The saved %s (“%s”) are damaged and were left as they are: %s",
                   doc_names[kind], self->persist[kind].store_id, local_error->message);
      return FALSE;
    }
  if (kind == DOC_NOTES && self->notes == NULL)
    self->notes = rp_text_doc_new ();
  if (kind == DOC_AGENDA && self->agenda == NULL)
    self->agenda = rp_agenda_new ();
  apply_stored_updates (self, kind, updates);
  self->persist[kind].n_updates = updates != NULL ? updates->len : 0;
  return TRUE;
}

static void
on_sync_notify_synced (RpSync       *sync,
                       GParamSpec   *pspec,
                       RpSharedDocs *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
}

/* A peer's blob, just merged: stored like a local edit. */
static void
on_sync_merged (RpSync       *sync,
                guint         doc,
                GBytes       *blob,
                RpSharedDocs *self)
{
  store_update (self, doc == RP_SYNC_DOC_NOTES ? DOC_NOTES : DOC_AGENDA, blob);
}

static void
on_sync_send (RpSync       *sync,
              GBytes       *frame,
              RpSharedDocs *self)
{
  if (self->session != NULL)
    rp_session_send_data (self->session, frame);
  g_signal_emit (self, signals[SIGNAL_SEND], 0, frame);
}

/* Once the documents exist (loaded or new): hook up sync and persistence. */
static void
finish_setup (RpSharedDocs *self)
{
  if (self->notes == NULL)
    self->notes = rp_text_doc_new ();
  if (self->agenda == NULL)
    self->agenda = rp_agenda_new ();
  self->sync = g_object_new (RP_TYPE_SYNC,
                             "notes", self->notes,
                             "agenda", self->agenda,
                             "doc-set-id", self->sync_id != NULL ? self->sync_id : "",
                             "batch-ms", SYNC_BATCH_MS,
                             NULL);
  g_signal_connect (self->sync, "send", G_CALLBACK (on_sync_send), self);
  g_signal_connect (self->sync, "merged", G_CALLBACK (on_sync_merged), self);
  g_signal_connect (self->sync, "notify::synced", G_CALLBACK (on_sync_notify_synced), self);
  g_signal_connect (self->notes, "update", G_CALLBACK (on_notes_update), self);
  g_signal_connect (self->agenda, "update", G_CALLBACK (on_agenda_update), self);
  if (self->store == NULL)
    return;
  for (guint k = 0; k < N_DOCS; k++)
    maybe_compact (self, k);
}

static gboolean
rp_shared_docs_initable_init (GInitable     *initable,
                              GCancellable  *cancellable,
                              GError       **error)
{
  RpSharedDocs *self = RP_SHARED_DOCS (initable);

  for (guint k = 0; self->store != NULL && k < N_DOCS; k++)
    {
      g_autoptr(GBytes) snapshot = NULL;
      g_autoptr(GPtrArray) updates = NULL;

      if (!rp_store_load_document (self->store, self->persist[k].store_id, &snapshot, &updates,
                                   error) ||
          !load_doc (self, k, snapshot, updates, error))
        return FALSE;
    }
  finish_setup (self);
  return TRUE;
}

static void
rp_shared_docs_initable_iface_init (GInitableIface *iface)
{
  iface->init = rp_shared_docs_initable_init;
}

static void load_next_async (GTask *task);

static void
on_doc_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RpSharedDocs *self = g_task_get_source_object (task);
  DocKind kind = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GPtrArray) updates = NULL;
  GError *error = NULL;

  if (!rp_store_load_document_finish (RP_STORE (source), result, &snapshot, &updates, &error) ||
      !load_doc (self, kind, snapshot, updates, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, GUINT_TO_POINTER (kind + 1), NULL);
  load_next_async (g_steal_pointer (&task));
}

/* Loads the documents one after the other on the store's worker thread. */
static void
load_next_async (GTask *task)
{
  RpSharedDocs *self = g_task_get_source_object (task);
  DocKind kind = GPOINTER_TO_UINT (g_task_get_task_data (task));

  if (self->store == NULL || kind == N_DOCS)
    {
      finish_setup (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  rp_store_load_document_async (self->store, self->persist[kind].store_id,
                                g_task_get_cancellable (task), on_doc_loaded, task);
}

static void
rp_shared_docs_init_async (GAsyncInitable      *initable,
                           int                  io_priority,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (initable, cancellable, callback, user_data);

  g_task_set_source_tag (task, rp_shared_docs_init_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (DOC_NOTES), NULL);
  load_next_async (task);
}

static gboolean
rp_shared_docs_init_finish (GAsyncInitable  *initable,
                            GAsyncResult    *result,
                            GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
rp_shared_docs_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = rp_shared_docs_init_async;
  iface->init_finish = rp_shared_docs_init_finish;
}

/* --- carets ----------------------------------------------------------------------------- */

static void
set_partner_anchor (RpSharedDocs *self,
                    const char   *anchor)
{
  if (g_strcmp0 (self->partner_anchor, anchor) == 0)
    return;
  g_free (self->partner_anchor);
  self->partner_anchor = g_strdup (anchor);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTNER_CARET]);
}

static void
send_caret (RpSharedDocs *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) message = NULL;
  g_autofree char *anchor = rp_text_doc_anchor_at (self->notes, (gsize) self->local_caret);

  self->local_caret = -1;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "caret");
  json_builder_set_member_name (b, "anchor");
  json_builder_add_string_value (b, anchor);
  json_builder_end_object (b);
  message = json_builder_get_root (b);
  if (self->session != NULL)
    rp_session_send_app (self->session, message);
  g_signal_emit (self, signals[SIGNAL_SEND_APP], 0, message);
}

static gboolean
caret_cb (gpointer data)
{
  RpSharedDocs *self = data;

  if (self->local_caret < 0 || !self->channel_open)
    {
      self->caret_id = 0;
      return G_SOURCE_REMOVE;
    }
  send_caret (self);
  return G_SOURCE_CONTINUE;
}

void
rp_shared_docs_set_local_caret (RpSharedDocs *self,
                                gsize         pos)
{
  g_return_if_fail (RP_IS_SHARED_DOCS (self));

  if (!self->channel_open)
    return;
  self->local_caret = (gssize) MIN (pos, G_MAXSSIZE);
  /* The first move goes at once; those that follow within the interval, once at its end. */
  if (self->caret_id == 0)
    {
      send_caret (self);
      self->caret_id = g_timeout_add (CARET_INTERVAL_MS, caret_cb, self);
    }
}

gssize
rp_shared_docs_get_partner_caret (RpSharedDocs *self)
{
  g_return_val_if_fail (RP_IS_SHARED_DOCS (self), -1);

  if (self->partner_anchor == NULL || self->notes == NULL)
    return -1;
  return rp_text_doc_resolve_anchor (self->notes, self->partner_anchor);
}

/* {"type": "caret", "anchor": "..."} (docs/SYNC.md). Anything else is not ours; a caret
 * message that is malformed is dropped with a log line. */
gboolean
rp_shared_docs_receive_app (RpSharedDocs *self,
                            JsonNode     *message)
{
  JsonObject *obj;
  JsonNode *anchor;

  g_return_val_if_fail (RP_IS_SHARED_DOCS (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (message))
    return FALSE;
  obj = json_node_get_object (message);
  if (g_strcmp0 (json_object_get_string_member_with_default (obj, "type", NULL), "caret") != 0)
    return FALSE;
  anchor = json_object_get_member (obj, "anchor");
  if (anchor == NULL || !JSON_NODE_HOLDS_VALUE (anchor) ||
      json_node_get_value_type (anchor) != G_TYPE_STRING ||
      strlen (json_node_get_string (anchor)) > MAX_ANCHOR)
    {
      g_message ("Ignored a caret message from the peer without a valid anchor");
      return TRUE;
    }
  set_partner_anchor (self, json_node_get_string (anchor));
  return TRUE;
}

/* --- the channel ------------------------------------------------------------------------ */

void
rp_shared_docs_channel_opened (RpSharedDocs *self)
{
  g_return_if_fail (RP_IS_SHARED_DOCS (self));
  g_return_if_fail (self->sync != NULL);

  self->channel_open = TRUE;
  rp_sync_start (self->sync);
}

void
rp_shared_docs_channel_closed (RpSharedDocs *self)
{
  g_return_if_fail (RP_IS_SHARED_DOCS (self));

  if (!self->channel_open)
    return;
  self->channel_open = FALSE;
  rp_sync_stop (self->sync);
  g_clear_handle_id (&self->caret_id, g_source_remove);
  self->local_caret = -1;
  set_partner_anchor (self, NULL);
}

gboolean
rp_shared_docs_receive (RpSharedDocs *self,
                        GBytes       *frame,
                        GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (RP_IS_SHARED_DOCS (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  ok = rp_sync_receive (self->sync, frame, &local_error);
  if (!ok)
    {
      g_autofree char *message =
        g_strdup_printf ("Refused a sync message from the peer (%" G_GSIZE_FORMAT " bytes): %s",
                         g_bytes_get_size (frame), local_error->message);
      g_autoptr(GError) signalled = g_error_new_literal (RP_SHARED_DOCS_ERROR,
                                                         RP_SHARED_DOCS_ERROR_PEER, message);

      /* RpSync has logged the refusal already. */
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, signalled);
      g_set_error_literal (error, RP_SHARED_DOCS_ERROR, RP_SHARED_DOCS_ERROR_PEER, message);
    }
  return ok;
}

static void
on_session_channel_open (RpSession    *session,
                         RpSharedDocs *self)
{
  rp_shared_docs_channel_opened (self);
}

static void
on_session_data (RpSession    *session,
                 GBytes       *bytes,
                 RpSharedDocs *self)
{
  rp_shared_docs_receive (self, bytes, NULL);
}

static void
on_session_app_message (RpSession    *session,
                        JsonNode     *message,
                        RpSharedDocs *self)
{
  rp_shared_docs_receive_app (self, message);
}

/* Every state but CONNECTED means the call (and its data channel) was torn down or is being
 * rebuilt: the next channel starts with a fresh HELLO. */
static void
on_session_state (RpSession    *session,
                  GParamSpec   *pspec,
                  RpSharedDocs *self)
{
  if (rp_session_get_state (session) != RP_SESSION_STATE_CONNECTED)
    rp_shared_docs_channel_closed (self);
}

void
rp_shared_docs_set_session (RpSharedDocs *self,
                            RpSession    *session)
{
  g_return_if_fail (RP_IS_SHARED_DOCS (self));
  g_return_if_fail (session == NULL || RP_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      rp_shared_docs_channel_closed (self);
      g_clear_object (&self->session);
    }
  if (session != NULL)
    {
      self->session = g_object_ref (session);
      g_signal_connect (session, "data-channel-open", G_CALLBACK (on_session_channel_open), self);
      g_signal_connect (session, "data-received", G_CALLBACK (on_session_data), self);
      g_signal_connect (session, "notify::state", G_CALLBACK (on_session_state), self);
      g_signal_connect (session, "app-message", G_CALLBACK (on_session_app_message), self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
rp_shared_docs_flush (RpSharedDocs *self)
{
  g_return_if_fail (RP_IS_SHARED_DOCS (self));

  if (self->channel_open)
    rp_sync_flush (self->sync);
}

gboolean
rp_shared_docs_save (RpSharedDocs *self,
                     GError      **error)
{
  g_return_val_if_fail (RP_IS_SHARED_DOCS (self), FALSE);

  if (self->store == NULL)
    return TRUE;
  return rp_store_flush (self->store, error);
}

RpTextDoc *
rp_shared_docs_get_notes (RpSharedDocs *self)
{
  g_return_val_if_fail (RP_IS_SHARED_DOCS (self), NULL);
  return self->notes;
}

RpAgenda *
rp_shared_docs_get_agenda (RpSharedDocs *self)
{
  g_return_val_if_fail (RP_IS_SHARED_DOCS (self), NULL);
  return self->agenda;
}

gboolean
rp_shared_docs_is_synced (RpSharedDocs *self)
{
  g_return_val_if_fail (RP_IS_SHARED_DOCS (self), FALSE);
  return self->sync != NULL && rp_sync_is_synced (self->sync);
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
rp_shared_docs_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RpSharedDocs *self = RP_SHARED_DOCS (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_DOC_ID: g_value_set_string (value, self->doc_id); break;
    case PROP_SYNC_ID: g_value_set_string (value, self->sync_id); break;
    case PROP_COMPACT_THRESHOLD: g_value_set_uint (value, self->compact_threshold); break;
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_NOTES: g_value_set_object (value, self->notes); break;
    case PROP_AGENDA: g_value_set_object (value, self->agenda); break;
    case PROP_SYNCED: g_value_set_boolean (value, rp_shared_docs_is_synced (self)); break;
    case PROP_PARTNER_CARET:
      g_value_set_int64 (value, rp_shared_docs_get_partner_caret (self));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_shared_docs_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RpSharedDocs *self = RP_SHARED_DOCS (object);

  switch (prop_id)
    {
    case PROP_STORE: self->store = g_value_dup_object (value); break;
    case PROP_DOC_ID: self->doc_id = g_value_dup_string (value); break;
    case PROP_SYNC_ID: self->sync_id = g_value_dup_string (value); break;
    case PROP_COMPACT_THRESHOLD: self->compact_threshold = MAX (1, g_value_get_uint (value)); break;
    case PROP_SESSION: rp_shared_docs_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_shared_docs_constructed (GObject *object)
{
  RpSharedDocs *self = RP_SHARED_DOCS (object);

  G_OBJECT_CLASS (rp_shared_docs_parent_class)->constructed (object);

  for (guint k = 0; k < N_DOCS; k++)
    self->persist[k].store_id = g_strdup_printf ("%s/%s", self->doc_id ? self->doc_id : "docs",
                                                 doc_names[k]);
}

static void
rp_shared_docs_dispose (GObject *object)
{
  RpSharedDocs *self = RP_SHARED_DOCS (object);

  rp_shared_docs_set_session (self, NULL);
  g_clear_handle_id (&self->caret_id, g_source_remove);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  if (self->notes != NULL)
    g_signal_handlers_disconnect_by_data (self->notes, self);
  if (self->agenda != NULL)
    g_signal_handlers_disconnect_by_data (self->agenda, self);
  g_clear_object (&self->sync);
  g_clear_object (&self->notes);
  g_clear_object (&self->agenda);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (rp_shared_docs_parent_class)->dispose (object);
}

static void
rp_shared_docs_finalize (GObject *object)
{
  RpSharedDocs *self = RP_SHARED_DOCS (object);

  for (guint k = 0; k < N_DOCS; k++)
    {
      g_free (self->persist[k].store_id);
    }
  g_free (self->doc_id);
  g_free (self->sync_id);
  g_free (self->partner_anchor);

  G_OBJECT_CLASS (rp_shared_docs_parent_class)->finalize (object);
}

static void
rp_shared_docs_class_init (RpSharedDocsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = rp_shared_docs_get_property;
  object_class->set_property = rp_shared_docs_set_property;
  object_class->constructed = rp_shared_docs_constructed;
  object_class->dispose = rp_shared_docs_dispose;
  object_class->finalize = rp_shared_docs_finalize;

  /* NULL: the documents live in memory only. */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, RP_TYPE_STORE, construct);
  properties[PROP_DOC_ID] =
    g_param_spec_string ("doc-id", NULL, NULL, NULL, construct);
  properties[PROP_SYNC_ID] =
    g_param_spec_string ("sync-id", NULL, NULL, NULL, construct);
  properties[PROP_COMPACT_THRESHOLD] =
    g_param_spec_uint ("compact-threshold", NULL, NULL, 1, G_MAXUINT,
                       RP_SHARED_DOCS_DEFAULT_COMPACT_THRESHOLD,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, RP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NOTES] =
    g_param_spec_object ("notes", NULL, NULL, RP_TYPE_TEXT_DOC, readable);
  properties[PROP_AGENDA] =
    g_param_spec_object ("agenda", NULL, NULL, RP_TYPE_AGENDA, readable);
  /* TRUE once the peer's answer to our HELLO is merged; FALSE again when the channel closes. */
  properties[PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL, FALSE, readable);
  properties[PROP_PARTNER_CARET] =
    g_param_spec_int64 ("partner-caret", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A binary frame for the peer (already handed to the session, if there is one). */
  signals[SIGNAL_SEND] =
    g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* An application message (JsonNode object) for the peer, already handed to the session. */
  signals[SIGNAL_SEND_APP] =
    g_signal_new ("send-app", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_NODE);
  /* A refused peer message or a failed compaction (RP_SHARED_DOCS_ERROR); the documents are
   * intact, the error is for the log or the user. */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rp_shared_docs_init (RpSharedDocs *self)
{
  self->compact_threshold = RP_SHARED_DOCS_DEFAULT_COMPACT_THRESHOLD;
  self->local_caret = -1;
}

RpSharedDocs *
rp_shared_docs_new (RpStore    *store,
                    const char *doc_id,
                    const char *sync_id,
                    GError    **error)
{
  g_return_val_if_fail (store == NULL || RP_IS_STORE (store), NULL);
  g_return_val_if_fail (store == NULL || doc_id != NULL, NULL);

  return g_initable_new (RP_TYPE_SHARED_DOCS, NULL, error,
                         "store", store, "doc-id", doc_id, "sync-id", sync_id, NULL);
}

void
rp_shared_docs_new_async (RpStore             *store,
                          const char          *doc_id,
                          const char          *sync_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (store == NULL || RP_IS_STORE (store));
  g_return_if_fail (store == NULL || doc_id != NULL);

  g_async_initable_new_async (RP_TYPE_SHARED_DOCS, G_PRIORITY_DEFAULT, cancellable, callback,
                              user_data, "store", store, "doc-id", doc_id, "sync-id", sync_id,
                              NULL);
}

RpSharedDocs *
rp_shared_docs_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);

  return object != NULL ? RP_SHARED_DOCS (object) : NULL;
}
