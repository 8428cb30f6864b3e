/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RpStore: see the threading rule in rp-store.h. Three connections to one WAL-mode file: the
 * owner's (small reads and writes), the documents' writer thread's (rp-store-docs.c) and a
 * reader for search and export on worker threads, guarded by reader_lock.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "rp-store-private.h"


static void rp_store_initable_iface_init (GInitableIface *iface);

/* GAsyncInitable's default runs GInitable's init on a worker thread: rp_store_new_async. */
G_DEFINE_FINAL_TYPE_WITH_CODE (RpStore, rp_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      rp_store_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE, NULL))

G_DEFINE_QUARK (rp-store-error-quark, rp_store_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_MAX_SIZE,
  PROP_WRITE_FAILING,
  N_PROPS
};

enum {
  WRITE_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

gboolean
rp_store_check_open (RpStore *self,
                     GError **error)
{
  if (!self->closed)
    return TRUE;
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CLOSED, _("The store is closed."));
  return FALSE;
}

static void
on_docs_state (GObject      *owner,
               const GError *error)
{
  RpStore *self = RP_STORE (owner);

  if (error)
    g_signal_emit (self, signals[WRITE_ERROR], 0, error);
  if (self->write_failing != (error != NULL))
    {
      self->write_failing = error != NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WRITE_FAILING]);
    }
}

static gboolean
ensure_folder (const char *path,
               GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int saved_errno;

  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, RP_STORE_ERROR,
               saved_errno == EACCES || saved_errno == EROFS || saved_errno == EPERM
                 ? RP_STORE_ERROR_READ_ONLY : RP_STORE_ERROR_CANNOT_OPEN,
               _("Could not create the folder %s for Rapport's data: %s."), dir,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
rp_store_initable_init (GInitable    *initable,
                        GCancellable *cancellable,
                        GError      **error)
{
  RpStore *self = RP_STORE (initable);

  if (!self->path)
    {
      self->path = rp_store_get_default_path ();
      if (!ensure_folder (self->path, error))
        return FALSE;
    }
  self->db = rp_store_db_open (self->path, RP_STORE_DB_MAIN, error);
  if (!self->db)
    return FALSE;
  self->docs = rp_store_docs_new (self->path, self->owner_context, G_OBJECT (self),
                                  on_docs_state, error);
  if (!self->docs)
    return FALSE;
  if (self->max_size)
    rp_store_set_max_size (self, self->max_size);
  return TRUE;
}

static void
rp_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = rp_store_initable_init;
}

static void
rp_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  RpStore *self = RP_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_MAX_SIZE:
      g_value_set_uint64 (value, self->max_size);
      break;
    case PROP_WRITE_FAILING:
      g_value_set_boolean (value, self->write_failing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  RpStore *self = RP_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_MAX_SIZE:
      rp_store_set_max_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_store_dispose (GObject *object)
{
  RpStore *self = RP_STORE (object);
  g_autoptr(GError) error = NULL;

  if (!rp_store_close (self, &error))
    g_warning ("%s", error->message);
  G_OBJECT_CLASS (rp_store_parent_class)->dispose (object);
}

static void
rp_store_finalize (GObject *object)
{
  RpStore *self = RP_STORE (object);

  g_free (self->path);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_mutex_clear (&self->reader_lock);
  G_OBJECT_CLASS (rp_store_parent_class)->finalize (object);
}

static void
rp_store_class_init (RpStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_store_get_property;
  object_class->set_property = rp_store_set_property;
  object_class->dispose = rp_store_dispose;
  object_class->finalize = rp_store_finalize;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_SIZE] =
    g_param_spec_uint64 ("max-size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* TRUE while the documents' writer cannot commit (the updates wait in memory). */
  properties[PROP_WRITE_FAILING] =
    g_param_spec_boolean ("write-failing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A background commit of the documents failed (first failure after a success). */
  signals[WRITE_ERROR] =
    g_signal_new ("write-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rp_store_init (RpStore *self)
{
  /* Taken here, in the creator's thread: init may run on a worker (rp_store_new_async). */
  self->owner_context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->reader_lock);
}

char *
rp_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "rapport", "rapport.db", NULL);
}

RpStore *
rp_store_new (const char *path,
              GError    **error)
{
  return g_initable_new (RP_TYPE_STORE, NULL, error, "path", path, NULL);
}

void
rp_store_new_async (const char         *path,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            user_data)
{
  g_async_initable_new_async (RP_TYPE_STORE, G_PRIORITY_DEFAULT, cancellable, callback,
                              user_data, "path", path, NULL);
}

RpStore *
rp_store_new_finish (GAsyncResult *result,
                     GError      **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);

  return RP_STORE (g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error));
}

const char *
rp_store_get_path (RpStore *self)
{
  g_return_val_if_fail (RP_IS_STORE (self), NULL);
  return self->path;
}

void
rp_store_set_max_size (RpStore *self,
                       guint64  max_bytes)
{
  g_return_if_fail (RP_IS_STORE (self));

  if (self->db)
    rp_store_db_set_max_size (self->db, max_bytes);
  if (self->docs)
    rp_store_docs_set_max_size (self->docs, max_bytes);
  if (self->max_size == max_bytes)
    return;
  self->max_size = max_bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_SIZE]);
}

guint64
rp_store_get_max_size (RpStore *self)
{
  g_return_val_if_fail (RP_IS_STORE (self), 0);
  return self->max_size;
}

gboolean
rp_store_close (RpStore *self,
                GError **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  if (self->closed)
    return TRUE;
  /* Under the reader's lock: a worker thread may be using the reader and the documents. */
  g_mutex_lock (&self->reader_lock);
  self->closed = TRUE;
  g_clear_pointer (&self->reader, rp_store_db_close);
  g_mutex_unlock (&self->reader_lock);
  if (self->docs)
    ok = rp_store_docs_close (self->docs, error);
  g_clear_pointer (&self->docs, rp_store_docs_free);
  /* Last: the last connection to close checkpoints the WAL into the file. */
  g_clear_pointer (&self->db, rp_store_db_close);
  return ok;
}

gpointer
rp_store_with_reader (RpStore        *self,
                      RpStoreReadFunc func,
                      gpointer        data,
                      GCancellable   *cancellable,
                      GError        **error)
{
  gpointer result = NULL;

  g_mutex_lock (&self->reader_lock);
  if (rp_store_check_open (self, error))
    {
      if (!self->reader)
        self->reader = rp_store_db_open (self->path, RP_STORE_DB_READER, error);
      if (self->reader)
        result = func (self->reader, data, cancellable, error);
    }
  g_mutex_unlock (&self->reader_lock);
  return result;
}

/* ---- Documents ---- */

static gboolean
check_doc_id (const char *doc_id,
              GError    **error)
{
  if (doc_id && *doc_id && g_utf8_validate (doc_id, -1, NULL))
    return TRUE;
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID,
               _("A document id must be a non-empty UTF-8 string."));
  return FALSE;
}

void
rp_store_append_update (RpStore    *self,
                        const char *doc_id,
                        GBytes     *update)
{
  g_return_if_fail (RP_IS_STORE (self));
  g_return_if_fail (doc_id && *doc_id);
  g_return_if_fail (update);

  if (self->closed)
    {
      g_critical ("An update for %s was appended to a closed store; it is lost", doc_id);
      return;
    }
  rp_store_docs_append (self->docs, doc_id, update);
}

gboolean
rp_store_load_document (RpStore    *self,
                        const char *doc_id,
                        GBytes    **snapshot,
                        GPtrArray **updates,
                        GError    **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  if (!rp_store_check_open (self, error) || !check_doc_id (doc_id, error))
    return FALSE;
  return rp_store_docs_load (self->docs, self->db, doc_id, snapshot, updates, error);
}

typedef struct {
  GBytes    *snapshot;
  GPtrArray *updates;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->snapshot, g_bytes_unref);
  g_clear_pointer (&loaded->updates, g_ptr_array_unref);
  g_free (loaded);
}

static gpointer
load_in (sqlite3      *db,
         gpointer      data,
         GCancellable *cancellable,
         GError      **error)
{
  GTask *task = data;
  RpStore *self = g_task_get_source_object (task);
  Loaded *loaded = g_new0 (Loaded, 1);

  if (!rp_store_docs_load (self->docs, db, g_task_get_task_data (task), &loaded->snapshot,
                           &loaded->updates, error))
    g_clear_pointer (&loaded, loaded_free);
  return loaded;
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  Loaded *loaded = rp_store_with_reader (source, load_in, task, cancellable, &error);

  if (loaded)
    g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
  else
    g_task_return_error (task, error);
}

void
rp_store_load_document_async (RpStore            *self,
                              const char         *doc_id,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (RP_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rp_store_load_document_async);
  if (!rp_store_check_open (self, &error) || !check_doc_id (doc_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, g_strdup (doc_id), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
rp_store_load_document_finish (RpStore      *self,
                               GAsyncResult *result,
                               GBytes      **snapshot,
                               GPtrArray   **updates,
                               GError      **error)
{
  Loaded *loaded;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (!loaded)
    return FALSE;
  if (snapshot)
    *snapshot = g_steal_pointer (&loaded->snapshot);
  if (updates)
    *updates = g_steal_pointer (&loaded->updates);
  loaded_free (loaded);
  return TRUE;
}

gboolean
rp_store_compact_document (RpStore    *self,
                           const char *doc_id,
                           GBytes     *snapshot,
                           GError    **error)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);
  g_return_val_if_fail (snapshot, FALSE);

  if (!rp_store_check_open (self, error) || !check_doc_id (doc_id, error))
    return FALSE;
  /* The writer completes the task from its thread; a private context lets us wait for it
   * here without running the owner's other sources. */
  g_main_context_push_thread_default (context);
  task = g_task_new (self, NULL, NULL, NULL);
  g_main_context_pop_thread_default (context);
  rp_store_docs_compact (self->docs, doc_id, snapshot, task);
  while (!g_task_get_completed (task))
    g_main_context_iteration (context, TRUE);
  return g_task_propagate_boolean (task, error);
}

void
rp_store_compact_document_async (RpStore            *self,
                                 const char         *doc_id,
                                 GBytes             *snapshot,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (RP_IS_STORE (self));
  g_return_if_fail (snapshot);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rp_store_compact_document_async);
  if (!rp_store_check_open (self, &error) || !check_doc_id (doc_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  rp_store_docs_compact (self->docs, doc_id, snapshot, task);
}

gboolean
rp_store_compact_document_finish (RpStore      *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
rp_store_get_update_count (RpStore    *self,
                           const char *doc_id)
{
  g_return_val_if_fail (RP_IS_STORE (self), 0);

  if (self->closed || !check_doc_id (doc_id, NULL))
    return 0;
  return rp_store_docs_count_updates (self->docs, self->db, doc_id);
}

gboolean
rp_store_flush (RpStore *self,
                GError **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  if (!rp_store_check_open (self, error))
    return FALSE;
  return rp_store_docs_flush (self->docs, error);
}

gboolean
rp_store_delete_document (RpStore    *self,
                          const char *doc_id,
                          GError    **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  if (!rp_store_check_open (self, error) || !check_doc_id (doc_id, error))
    return FALSE;
  return rp_store_docs_delete (self->docs, doc_id, error);
}
