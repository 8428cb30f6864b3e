/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The documents' writer. The owner's thread only queues commands (a mutex held for a few
 * instructions); a thread with its own connection commits the queue in one transaction once
 * the oldest queued update is RP_STORE_COMMIT_INTERVAL_MS old, or at once when someone waits
 * (flush, compaction, delete, close). A failed commit rolls back and puts the updates back at
 * the head of the queue, so nothing typed is dropped while the disk is full; it is retried
 * every second and on every flush.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rp-store-docs.h"

#define RETRY_INTERVAL_US G_USEC_PER_SEC

typedef enum {
  CMD_APPEND,
  CMD_COMPACT,
  CMD_DELETE,
  CMD_BARRIER,
} CmdKind;

/* On the stack of a thread blocked until its command is committed. */
typedef struct {
  gboolean  done;
  GError   *error;
} Waiter;

typedef struct {
  CmdKind  kind;
  char    *doc_id;
  GBytes  *data;     /* the update or the snapshot */
  GTask   *task;     /* an async compaction, or NULL */
  Waiter  *waiter;   /* a blocked caller, or NULL */
} Cmd;

struct _RpStoreDocs {
  GMutex                lock;
  GCond                 cond;
  /* Guarded by lock: */
  GQueue                queue;            /* of Cmd*, oldest first */
  guint                 n_waiting;        /* commands in the queue that someone waits for */
  gboolean              busy;             /* the thread is writing a batch taken off the queue */
  gboolean              quit;
  guint                 quit_steps;       /* clean-up steps still allowed while closing */
  gboolean              failing;          /* the last commit failed */
  gint64                first_queued_us;  /* arrival of the oldest queued update */
  gint64                retry_at_us;
  guint64               max_bytes;
  gboolean              max_bytes_changed;
  GError               *last_error;
  /* The thread's own: */
  sqlite3              *db;
  sqlite3_stmt         *append_stmt;      /* prepared once: appends are most of the work */
  gboolean              gc_pending;       /* covered updates or free pages may be left */
  gboolean              can_vacuum;       /* auto_vacuum = INCREMENTAL */
  GThread              *thread;
  /* For reports to the owner: */
  GMainContext         *owner_context;
  GWeakRef             *owner;            /* an atomic rc box shared with pending reports */
  RpStoreDocsErrorFunc  on_error;
};

/* The writer thread must never hold a strong reference to the owner (or to a task, which
 * holds one): dropping the last one there would dispose the store on the thread that its
 * dispose joins. Reports carry the weak reference itself, resolved in the owner's context. */
typedef struct {
  GWeakRef             *owner;
  RpStoreDocsErrorFunc  on_error;
  GError               *error;
} Report;

typedef struct {
  GTask  *task;
  GError *error;
} TaskResult;

static void
weak_ref_box_clear (gpointer data)
{
  g_weak_ref_clear (data);
}

static void
cmd_free (Cmd *cmd)
{
  g_free (cmd->doc_id);
  g_clear_pointer (&cmd->data, g_bytes_unref);
  g_clear_object (&cmd->task);
  g_free (cmd);
}

static Cmd *
cmd_new (CmdKind     kind,
         const char *doc_id,
         GBytes     *data)
{
  Cmd *cmd = g_new0 (Cmd, 1);

  cmd->kind = kind;
  cmd->doc_id = g_strdup (doc_id);
  cmd->data = data ? g_bytes_ref (data) : NULL;
  return cmd;
}

static gboolean
report_in_owner (gpointer data)
{
  Report *report = data;
  g_autoptr(GObject) owner = g_weak_ref_get (report->owner);

  if (owner)
    report->on_error (owner, report->error);
  return G_SOURCE_REMOVE;
}

static void
report_free (gpointer data)
{
  Report *report = data;

  g_atomic_rc_box_release_full (report->owner, weak_ref_box_clear);
  g_clear_error (&report->error);
  g_free (report);
}

/* Tells the owner when saving starts failing (error) and when it works again (NULL). */
static void
report_state (RpStoreDocs  *docs,
              const GError *error)
{
  Report *report = g_new0 (Report, 1);

  report->owner = g_atomic_rc_box_acquire (docs->owner);
  report->on_error = docs->on_error;
  report->error = error ? g_error_copy (error) : NULL;
  g_main_context_invoke_full (docs->owner_context, G_PRIORITY_DEFAULT, report_in_owner, report,
                              report_free);
}

/* ---- The writer thread ---- */

static gboolean
write_append (RpStoreDocs *docs,
              Cmd         *cmd,
              GError     **error)
{
  int rc = SQLITE_OK;

  if (!docs->append_stmt)
    rc = sqlite3_prepare_v3 (docs->db, "INSERT INTO doc_log (doc_id, data) VALUES (?, ?)",
                             -1, SQLITE_PREPARE_PERSISTENT, &docs->append_stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (docs->append_stmt, 1, cmd->doc_id, -1, SQLITE_STATIC);
      sqlite3_bind_blob64 (docs->append_stmt, 2, g_bytes_get_data (cmd->data, NULL),
                           g_bytes_get_size (cmd->data), SQLITE_STATIC);
      rc = sqlite3_step (docs->append_stmt);
      sqlite3_reset (docs->append_stmt);
      sqlite3_clear_bindings (docs->append_stmt);
    }
  if (rc != SQLITE_DONE)
    return rp_store_db_error (error, docs->db, rc, _("save the shared notes"));
  return TRUE;
}

static gboolean
write_cmd (RpStoreDocs *docs,
           Cmd         *cmd,
           GError     **error)
{
  static const char *const sql[] = {
    /* O(1): the log is dropped by `upto`, its rows later by collect_garbage (). */
    [CMD_COMPACT] = "INSERT OR REPLACE INTO doc_snapshots (doc_id, snapshot, updated_at, upto) "
                    "VALUES (?1, ?2, unixepoch (), coalesce ((SELECT max (seq) FROM doc_log"
                    " WHERE doc_id = ?1), 0))",
    [CMD_DELETE] = "DELETE FROM doc_snapshots WHERE doc_id = ?1;"
                   "DELETE FROM doc_log WHERE doc_id = ?1",
  };
  const char *tail;

  if (cmd->kind == CMD_BARRIER)
    return TRUE;
  if (cmd->kind == CMD_APPEND)
    return write_append (docs, cmd, error);
  /* Walks the statements of one command; each binds the same parameters. */
  for (const char *next = sql[cmd->kind]; next && *next; next = tail)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      int rc = sqlite3_prepare_v2 (docs->db, next, -1, &stmt, &tail);

      if (rc == SQLITE_OK && stmt)
        {
          sqlite3_bind_text (stmt, 1, cmd->doc_id, -1, SQLITE_STATIC);
          if (cmd->data && sqlite3_bind_parameter_count (stmt) >= 2)
            sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (cmd->data, NULL),
                                 g_bytes_get_size (cmd->data), SQLITE_STATIC);
          rc = sqlite3_step (stmt);
        }
      if (rc != SQLITE_OK && rc != SQLITE_DONE)
        return rp_store_db_error (error, docs->db, rc, _("save the shared notes"));
    }
  return TRUE;
}

static gboolean
write_batch (RpStoreDocs *docs,
             GQueue      *batch,
             GError     **error)
{
  if (!rp_store_db_exec (docs->db, "BEGIN IMMEDIATE", _("save the shared notes"), error))
    return FALSE;
  for (GList *l = batch->head; l; l = l->next)
    if (!write_cmd (docs, l->data, error))
      goto fail;
  if (!rp_store_db_exec (docs->db, "COMMIT", _("save the shared notes"), error))
    goto fail;
  return TRUE;

fail:
  if (!sqlite3_get_autocommit (docs->db))
    sqlite3_exec (docs->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
return_task (gpointer data)
{
  TaskResult *result = data;

  if (result->error)
    g_task_return_error (result->task, g_steal_pointer (&result->error));
  else
    g_task_return_boolean (result->task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
task_result_free (gpointer data)
{
  TaskResult *result = data;

  g_object_unref (result->task);
  g_clear_error (&result->error);
  g_free (result);
}

static void
complete_cmd (Cmd          *cmd,
              const GError *error)
{
  if (cmd->waiter)
    {
      cmd->waiter->error = error ? g_error_copy (error) : NULL;
      cmd->waiter->done = TRUE;
    }
  if (cmd->task)
    {
      TaskResult *result = g_new0 (TaskResult, 1);

      /* Returned, and released, in the task's own context (see Report). */
      result->task = g_steal_pointer (&cmd->task);
      result->error = error ? g_error_copy (error) : NULL;
      g_main_context_invoke_full (g_task_get_context (result->task), G_PRIORITY_DEFAULT,
                                  return_task, result, task_result_free);
    }
}

/* Under the lock, after a write: tells waiters, and on failure puts the updates back in front
 * of those that arrived meanwhile. Leaves in `batch` what is done with, to be freed outside
 * the lock (a batch can hold a hundred thousand updates). */
static void
settle_batch (RpStoreDocs  *docs,
              GQueue       *batch,
              guint         n_waiting,
              const GError *error)
{
  GQueue done = G_QUEUE_INIT;
  Cmd *cmd;

  /* The usual case, only updates and all committed: nothing to walk while holding the lock
   * that the owner's appends take. */
  while ((error || n_waiting > 0) && (cmd = g_queue_pop_tail (batch)))
    {
      if (cmd->kind == CMD_APPEND && error)
        {
          g_queue_push_head (&docs->queue, cmd);
          docs->retry_at_us = g_get_monotonic_time () + RETRY_INTERVAL_US;
          continue;
        }
      complete_cmd (cmd, error);
      g_queue_push_head (&done, cmd);
    }
  if (error || n_waiting > 0)
    *batch = done;

  if ((error != NULL) != docs->failing)
    report_state (docs, error);
  docs->failing = error != NULL;
  g_clear_error (&docs->last_error);
  docs->last_error = error ? g_error_copy (error) : NULL;
}

static gboolean
frees_pages (GQueue *batch)
{
  for (GList *l = batch->head; l; l = l->next)
    if (((Cmd *) l->data)->kind == CMD_COMPACT || ((Cmd *) l->data)->kind == CMD_DELETE)
      return TRUE;
  return FALSE;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

/* One short transaction of clean-up after compactions: a few thousand covered updates, or
 * else a few hundred free pages given back to the filesystem. Short, so that the owner's
 * writes and the next commit of updates never wait long. FALSE when nothing is left. */
static gboolean
collect_garbage (RpStoreDocs *docs)
{
  int rc;

  /* Looked for first, read-only: most of the time there is nothing, and a DELETE would take
   * the write lock for nothing. */
  if (query_int (docs->db, "SELECT EXISTS (SELECT 1 FROM doc_snapshots s JOIN doc_log l"
                           " ON l.doc_id = s.doc_id AND l.seq <= s.upto)"))
    {
      rc = sqlite3_exec (docs->db,
                         "DELETE FROM doc_log WHERE seq IN (SELECT l.seq FROM doc_snapshots s"
                         " JOIN doc_log l ON l.doc_id = s.doc_id AND l.seq <= s.upto LIMIT 4000)",
                         NULL, NULL, NULL);
      /* On failure (a full disk, say) the rest waits for the next compaction or open. */
      return rc == SQLITE_OK && sqlite3_changes (docs->db) > 0;
    }
  if (!docs->can_vacuum || query_int (docs->db, "PRAGMA freelist_count") == 0)
    return FALSE;
  return sqlite3_exec (docs->db, "PRAGMA incremental_vacuum (512)", NULL, NULL, NULL) ==
         SQLITE_OK;
}

/* Under the lock; runs one step of clean-up without it. */
static void
collect_garbage_step (RpStoreDocs *docs)
{
  gboolean more;

  g_mutex_unlock (&docs->lock);
  more = collect_garbage (docs);
  g_mutex_lock (&docs->lock);
  docs->gc_pending = more;
}

static void
write_queue (RpStoreDocs *docs)
{
  GQueue batch = docs->queue;
  g_autoptr(GError) error = NULL;
  gboolean max_changed = docs->max_bytes_changed;
  guint64 max_bytes = docs->max_bytes;
  gboolean frees = frees_pages (&batch);
  guint n_waiting = docs->n_waiting;

  g_queue_init (&docs->queue);
  docs->n_waiting = 0;
  docs->max_bytes_changed = FALSE;
  docs->busy = TRUE;
  g_mutex_unlock (&docs->lock);

  if (max_changed)
    rp_store_db_set_max_size (docs->db, max_bytes);
  write_batch (docs, &batch, &error);

  g_mutex_lock (&docs->lock);
  settle_batch (docs, &batch, n_waiting, error);
  docs->busy = FALSE;
  g_cond_broadcast (&docs->cond);
  g_mutex_unlock (&docs->lock);
  g_queue_clear_full (&batch, (GDestroyNotify) cmd_free);
  g_mutex_lock (&docs->lock);
  if (frees && !error)
    docs->gc_pending = TRUE;
}

static gint64
due_time (RpStoreDocs *docs)
{
  if (docs->quit || docs->n_waiting > 0)
    return 0;
  return MAX (docs->first_queued_us + RP_STORE_COMMIT_INTERVAL_MS * 1000, docs->retry_at_us);
}

static gpointer
writer_thread (gpointer data)
{
  RpStoreDocs *docs = data;

  g_mutex_lock (&docs->lock);
  for (;;)
    {
      gint64 due;

      /* Clean-up only ever runs while no commit is due, one short step at a time. */
      if (g_queue_is_empty (&docs->queue))
        {
          /* Closing: a little more clean-up, so that a compaction just before leaves a small
           * file, but a bounded amount (the next open goes on with the rest). */
          if (docs->quit && (!docs->gc_pending || docs->quit_steps-- == 0))
            break;
          if (docs->gc_pending)
            collect_garbage_step (docs);
          else
            g_cond_wait (&docs->cond, &docs->lock);
          continue;
        }
      due = due_time (docs);
      if (g_get_monotonic_time () < due)
        {
          if (docs->gc_pending && !docs->quit)
            collect_garbage_step (docs);
          else
            g_cond_wait_until (&docs->cond, &docs->lock, due);
          continue;
        }
      write_queue (docs);
      /* On close, one last attempt; what still fails is reported by rp_store_docs_close. */
      if (docs->quit && docs->failing)
        break;
    }
  g_mutex_unlock (&docs->lock);
  return NULL;
}

/* ---- The owner's side ---- */

/* Under the lock. */
static void
push_locked (RpStoreDocs *docs,
             Cmd         *cmd)
{
  gboolean was_empty = g_queue_is_empty (&docs->queue);

  if (cmd->kind == CMD_APPEND && was_empty)
    docs->first_queued_us = g_get_monotonic_time ();
  if (cmd->kind != CMD_APPEND)
    docs->n_waiting++;
  g_queue_push_tail (&docs->queue, cmd);
  /* Only what changes the thread's deadline wakes it: the first update (it slept without
   * one) or a command someone waits for. A wake per keystroke would cost a context switch. */
  if (was_empty || cmd->kind != CMD_APPEND)
    g_cond_broadcast (&docs->cond);
}

static gboolean
push_and_wait (RpStoreDocs *docs,
               Cmd         *cmd,
               GError     **error)
{
  Waiter waiter = { FALSE, NULL };

  cmd->waiter = &waiter;
  g_mutex_lock (&docs->lock);
  if (docs->quit)
    {
      g_mutex_unlock (&docs->lock);
      cmd_free (cmd);
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CLOSED, _("The store is closed."));
      return FALSE;
    }
  push_locked (docs, cmd);
  while (!waiter.done)
    g_cond_wait (&docs->cond, &docs->lock);
  g_mutex_unlock (&docs->lock);
  if (waiter.error)
    {
      g_propagate_error (error, waiter.error);
      return FALSE;
    }
  return TRUE;
}

RpStoreDocs *
rp_store_docs_new (const char           *path,
                   GMainContext         *owner_context,
                   GObject              *owner,
                   RpStoreDocsErrorFunc  on_error,
                   GError              **error)
{
  RpStoreDocs *docs;
  sqlite3 *db = rp_store_db_open (path, RP_STORE_DB_WRITER, error);

  if (!db)
    return NULL;
  docs = g_new0 (RpStoreDocs, 1);
  g_mutex_init (&docs->lock);
  g_cond_init (&docs->cond);
  g_queue_init (&docs->queue);
  docs->db = db;
  docs->can_vacuum = query_int (db, "PRAGMA auto_vacuum") == 2;
  docs->gc_pending = TRUE;   /* what a crash or a close left to clean */
  docs->owner_context = g_main_context_ref (owner_context);
  docs->owner = g_atomic_rc_box_new0 (GWeakRef);
  g_weak_ref_init (docs->owner, owner);
  docs->on_error = on_error;
  docs->thread = g_thread_new ("rp-store-writer", writer_thread, docs);
  return docs;
}

gboolean
rp_store_docs_close (RpStoreDocs *docs,
                     GError     **error)
{
  guint lost;

  if (!docs->thread)
    return TRUE;
  g_mutex_lock (&docs->lock);
  docs->quit = TRUE;
  docs->quit_steps = 32;
  g_cond_broadcast (&docs->cond);
  g_mutex_unlock (&docs->lock);
  g_clear_pointer (&docs->thread, g_thread_join);

  g_clear_pointer (&docs->append_stmt, sqlite3_finalize);
  rp_store_db_close (g_steal_pointer (&docs->db));
  lost = g_queue_get_length (&docs->queue);
  g_queue_clear_full (&docs->queue, (GDestroyNotify) cmd_free);
  if (lost > 0)
    {
      g_set_error (error, RP_STORE_ERROR,
                   docs->last_error && docs->last_error->domain == RP_STORE_ERROR
                     ? docs->last_error->code : RP_STORE_ERROR_FAILED,
                   _("%u changes to the shared notes could not be saved before closing: %s"),
                   lost, docs->last_error ? docs->last_error->message : "");
      return FALSE;
    }
  return TRUE;
}

void
rp_store_docs_free (RpStoreDocs *docs)
{
  g_autoptr(GError) error = NULL;

  if (!rp_store_docs_close (docs, &error))
    g_warning ("%s", error->message);
  g_clear_error (&docs->last_error);
  g_clear_pointer (&docs->owner_context, g_main_context_unref);
  g_atomic_rc_box_release_full (docs->owner, weak_ref_box_clear);
  g_mutex_clear (&docs->lock);
  g_cond_clear (&docs->cond);
  g_free (docs);
}

void
rp_store_docs_set_max_size (RpStoreDocs *docs,
                            guint64      max_bytes)
{
  g_mutex_lock (&docs->lock);
  docs->max_bytes = max_bytes;
  docs->max_bytes_changed = TRUE;
  /* A retry may now succeed: let the thread try at once rather than at the next tick. */
  docs->retry_at_us = 0;
  g_cond_broadcast (&docs->cond);
  g_mutex_unlock (&docs->lock);
}

void
rp_store_docs_append (RpStoreDocs *docs,
                      const char  *doc_id,
                      GBytes      *update)
{
  g_mutex_lock (&docs->lock);
  if (docs->quit)
    g_critical ("An update for %s was appended to a closed store; it is lost", doc_id);
  else
    push_locked (docs, cmd_new (CMD_APPEND, doc_id, update));
  g_mutex_unlock (&docs->lock);
}

gboolean
rp_store_docs_flush (RpStoreDocs *docs,
                     GError     **error)
{
  return push_and_wait (docs, cmd_new (CMD_BARRIER, NULL, NULL), error);
}

void
rp_store_docs_compact (RpStoreDocs *docs,
                       const char  *doc_id,
                       GBytes      *snapshot,
                       GTask       *task)
{
  Cmd *cmd = cmd_new (CMD_COMPACT, doc_id, snapshot);

  cmd->task = g_object_ref (task);
  g_mutex_lock (&docs->lock);
  if (docs->quit)
    {
      g_task_return_new_error (task, RP_STORE_ERROR, RP_STORE_ERROR_CLOSED,
                               _("The store is closed."));
      cmd_free (cmd);
    }
  else
    push_locked (docs, cmd);
  g_mutex_unlock (&docs->lock);
}

gboolean
rp_store_docs_delete (RpStoreDocs *docs,
                      const char  *doc_id,
                      GError     **error)
{
  return push_and_wait (docs, cmd_new (CMD_DELETE, doc_id, NULL), error);
}

static gboolean
read_disk (sqlite3     *db,
           const char  *doc_id,
           GBytes     **snapshot,
           GPtrArray   *updates,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) snap = NULL;
  g_autoptr(sqlite3_stmt) log = NULL;
  int rc;

  snap = rp_store_db_prepare (db, "SELECT snapshot FROM doc_snapshots WHERE doc_id = ?", error);
  log = rp_store_db_prepare (db, "SELECT data FROM doc_log WHERE doc_id = ?1 AND seq >"
                                 " coalesce ((SELECT upto FROM doc_snapshots WHERE doc_id = ?1), 0)"
                                 " ORDER BY seq", error);
  if (!snap || !log)
    return FALSE;
  sqlite3_bind_text (snap, 1, doc_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (log, 1, doc_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (snap);
  if (rc == SQLITE_ROW)
    *snapshot = rp_store_db_column_bytes (snap, 0);
  else if (rc != SQLITE_DONE)
    return rp_store_db_error (error, db, rc, _("load the shared notes"));
  while ((rc = sqlite3_step (log)) == SQLITE_ROW)
    g_ptr_array_add (updates, rp_store_db_column_bytes (log, 0));
  if (rc != SQLITE_DONE)
    return rp_store_db_error (error, db, rc, _("load the shared notes"));
  return TRUE;
}

/* Under the lock: what the queue will do to the document once committed. */
static void
apply_queued (RpStoreDocs *docs,
              const char  *doc_id,
              GBytes     **snapshot,
              GPtrArray   *updates)
{
  for (GList *l = docs->queue.head; l; l = l->next)
    {
      Cmd *cmd = l->data;

      if (cmd->kind == CMD_BARRIER || g_strcmp0 (cmd->doc_id, doc_id) != 0)
        continue;
      if (cmd->kind == CMD_APPEND)
        {
          g_ptr_array_add (updates, g_bytes_ref (cmd->data));
          continue;
        }
      g_clear_pointer (snapshot, g_bytes_unref);
      g_ptr_array_set_size (updates, 0);
      if (cmd->kind == CMD_COMPACT)
        *snapshot = g_bytes_ref (cmd->data);
    }
}

gboolean
rp_store_docs_load (RpStoreDocs *docs,
                    sqlite3     *db,
                    const char  *doc_id,
                    GBytes     **snapshot,
                    GPtrArray  **updates,
                    GError     **error)
{
  g_autoptr(GBytes) snap = NULL;
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gboolean ok;

  g_mutex_lock (&docs->lock);
  /* A batch being written is neither in the queue nor (yet) on disk: wait for it. Holding
   * the lock then keeps the next batch from leaving the queue while the disk is read. */
  while (docs->busy)
    g_cond_wait (&docs->cond, &docs->lock);
  ok = rp_store_db_exec (db, "BEGIN", _("load the shared notes"), error) &&
       read_disk (db, doc_id, &snap, log, error);
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  if (ok)
    apply_queued (docs, doc_id, &snap, log);
  g_mutex_unlock (&docs->lock);
  if (!ok)
    return FALSE;
  if (snapshot)
    *snapshot = g_steal_pointer (&snap);
  if (updates)
    *updates = g_steal_pointer (&log);
  return TRUE;
}

guint
rp_store_docs_count_updates (RpStoreDocs *docs,
                             sqlite3     *db,
                             const char  *doc_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint count = 0;

  g_mutex_lock (&docs->lock);
  while (docs->busy)
    g_cond_wait (&docs->cond, &docs->lock);
  stmt = rp_store_db_prepare (db, "SELECT count(*) FROM doc_log WHERE doc_id = ?1 AND seq >"
                                  " coalesce ((SELECT upto FROM doc_snapshots WHERE doc_id = ?1),"
                                  " 0)", NULL);
  if (stmt)
    {
      sqlite3_bind_text (stmt, 1, doc_id, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        count = (guint) sqlite3_column_int64 (stmt, 0);
    }
  for (GList *l = docs->queue.head; l; l = l->next)
    {
      Cmd *cmd = l->data;

      if (cmd->kind == CMD_BARRIER || g_strcmp0 (cmd->doc_id, doc_id) != 0)
        continue;
      count = cmd->kind == CMD_APPEND ? count + 1 : 0;
    }
  g_mutex_unlock (&docs->lock);
  return count;
}
