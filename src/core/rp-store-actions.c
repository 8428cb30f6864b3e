/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Action items, and their carry-over: what was left open at the end of one session with a
 * partner is copied into the next one, and the original remembers where it went so that it is
 * carried once, however often the next session's agenda is built.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rp-store-private.h"

#define ACTION_COLUMNS "id, session_id, title, owner, done, carried_from"

static RpActionItem *
action_item_from_row (sqlite3_stmt *stmt)
{
  RpActionItem *item = g_new0 (RpActionItem, 1);

  item->id = sqlite3_column_int64 (stmt, 0);
  item->session_id = sqlite3_column_int64 (stmt, 1);
  item->title = rp_store_db_column_dup (stmt, 2);
  item->owner = rp_store_db_column_dup (stmt, 3);
  item->done = sqlite3_column_int (stmt, 4) != 0;
  item->carried_from = sqlite3_column_int64 (stmt, 5);
  return item;
}

static GPtrArray *
collect_action_items (sqlite3_stmt *stmt,
                      GError      **error)
{
  g_autoptr(GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rp_action_item_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, action_item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      rp_store_db_error (error, sqlite3_db_handle (stmt), rc, _("read the action items"));
      return NULL;
    }
  return g_steal_pointer (&items);
}

GPtrArray *
rp_store_read_action_items (sqlite3 *db,
                            gint64   session_id,
                            GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = rp_store_db_prepare (db, "SELECT " ACTION_COLUMNS " FROM action_items"
                                  " WHERE session_id = ? ORDER BY id", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  return collect_action_items (stmt, error);
}

static gboolean
session_exists (sqlite3 *db,
                gint64   session_id,
                gint64  *partner_id,
                gint64  *started_at,
                GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = rp_store_db_prepare (db, "SELECT partner_id, started_at FROM sessions WHERE id = ?",
                              error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *partner_id = sqlite3_column_int64 (stmt, 0);
      *started_at = sqlite3_column_int64 (stmt, 1);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    return rp_store_db_error (error, db, rc, _("read the session"));
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND,
               _("There is no session with id %lld."), (long long) session_id);
  return FALSE;
}

gint64
rp_store_add_action_item (RpStore    *self,
                          gint64      session_id,
                          const char *title,
                          const char *owner,
                          GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 partner_id, started_at;
  int rc;

  g_return_val_if_fail (RP_IS_STORE (self), 0);

  if (!rp_store_check_open (self, error) ||
      !session_exists (self->db, session_id, &partner_id, &started_at, error))
    return 0;
  if (!title || !*title || !g_utf8_validate (title, -1, NULL))
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID,
                   _("An action item needs a title."));
      return 0;
    }
  stmt = rp_store_db_prepare (self->db, "INSERT INTO action_items (session_id, title, owner)"
                                        " VALUES (?, ?, ?)", error);
  if (!stmt)
    return 0;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rp_store_db_bind_text (stmt, 2, title);
  rp_store_db_bind_text (stmt, 3, owner);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      rp_store_db_error (error, self->db, rc, _("save the action item"));
      return 0;
    }
  return sqlite3_last_insert_rowid (self->db);
}

gboolean
rp_store_set_action_item_done (RpStore *self,
                               gint64   item_id,
                               gboolean done,
                               GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  if (!rp_store_check_open (self, error))
    return FALSE;
  stmt = rp_store_db_prepare (self->db, "UPDATE action_items SET done = ? WHERE id = ?", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int (stmt, 1, done ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, item_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return rp_store_db_error (error, self->db, rc, _("save the action item"));
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND,
                   _("There is no action item with id %lld."), (long long) item_id);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
rp_store_list_action_items (RpStore *self,
                            gint64   session_id,
                            GError **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  return rp_store_read_action_items (self->db, session_id, error);
}

/* The partner's last session that ended (before `next` started, if it has), or 0. */
static gboolean
previous_session (sqlite3 *db,
                  gint64   next_id,
                  gint64   partner_id,
                  gint64   next_started_at,
                  gint64  *previous_id,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *previous_id = 0;
  stmt = rp_store_db_prepare (db, "SELECT id FROM sessions WHERE partner_id = ?1 AND id != ?2"
                                  " AND ended_at IS NOT NULL AND (?3 = 0 OR ended_at <= ?3)"
                                  " ORDER BY ended_at DESC, id DESC LIMIT 1", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, partner_id);
  sqlite3_bind_int64 (stmt, 2, next_id);
  sqlite3_bind_int64 (stmt, 3, next_started_at);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *previous_id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return rp_store_db_error (error, db, rc, _("read the sessions"));
  return TRUE;
}

/* Copies the open, not yet carried items of `from` into `to` and marks them carried. */
static gboolean
copy_open_items (sqlite3 *db,
                 gint64   from,
                 gint64   to,
                 GError **error)
{
  g_autoptr(sqlite3_stmt) copy = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  int rc;

  copy = rp_store_db_prepare (db, "INSERT INTO action_items (session_id, title, owner,"
                                  " carried_from) SELECT ?2, title, owner, id FROM action_items"
                                  " WHERE session_id = ?1 AND done = 0 AND carried_to IS NULL"
                                  " ORDER BY id", error);
  mark = rp_store_db_prepare (db, "UPDATE action_items SET carried_to = ?2"
                                  " WHERE session_id = ?1 AND done = 0 AND carried_to IS NULL",
                              error);
  if (!copy || !mark)
    return FALSE;
  sqlite3_bind_int64 (copy, 1, from);
  sqlite3_bind_int64 (copy, 2, to);
  sqlite3_bind_int64 (mark, 1, from);
  sqlite3_bind_int64 (mark, 2, to);
  if ((rc = sqlite3_step (copy)) != SQLITE_DONE || (rc = sqlite3_step (mark)) != SQLITE_DONE)
    return rp_store_db_error (error, db, rc, _("carry over the action items"));
  return TRUE;
}

static GPtrArray *
carried_into (sqlite3 *db,
              gint64   session_id,
              GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = rp_store_db_prepare (db, "SELECT " ACTION_COLUMNS " FROM action_items"
                                  " WHERE session_id = ? AND carried_from IS NOT NULL"
                                  " ORDER BY id", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  return collect_action_items (stmt, error);
}

GPtrArray *
rp_store_carry_over_action_items (RpStore *self,
                                  gint64   next_session_id,
                                  GError **error)
{
  gint64 partner_id = 0, started_at = 0, previous_id = 0;
  g_autoptr(GPtrArray) items = NULL;
  gboolean ok;

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error) ||
      !rp_store_db_exec (self->db, "BEGIN IMMEDIATE", _("carry over the action items"), error))
    return NULL;
  ok = session_exists (self->db, next_session_id, &partner_id, &started_at, error) &&
       (partner_id == 0 ||
        previous_session (self->db, next_session_id, partner_id, started_at, &previous_id,
                          error));
  if (ok && previous_id != 0)
    ok = copy_open_items (self->db, previous_id, next_session_id, error);
  if (ok)
    items = carried_into (self->db, next_session_id, error);
  ok = items && rp_store_db_exec (self->db, "COMMIT", _("carry over the action items"), error);
  if (!ok)
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  return g_steal_pointer (&items);
}
