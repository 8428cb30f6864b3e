/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What scheduling keeps between connections: proposals until they are answered (ours and the
 * partner's), and app messages that wait for the partner to be connected. Both are kept as the
 * JSON that travels, so that what is read back is checked exactly like what arrives.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rp-store-private.h"

static void
bind_partner (sqlite3_stmt *stmt,
              int           index,
              gint64        partner_id)
{
  if (partner_id > 0)
    sqlite3_bind_int64 (stmt, index, partner_id);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
step_write (RpStore      *self,
            sqlite3_stmt *stmt,
            const char   *doing,
            GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    return TRUE;
  /* A partner id that does not exist breaks the foreign key: say which. */
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND,
                   _("Could not %s: there is no such partner."), doing);
      return FALSE;
    }
  return rp_store_db_error (error, self->db, rc, doing);
}

gboolean
rp_store_save_proposal (RpStore    *self,
                        gint64      partner_id,
                        RpProposal *proposal,
                        gboolean    incoming,
                        GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);
  g_return_val_if_fail (RP_IS_PROPOSAL (proposal), FALSE);

  if (!rp_store_check_open (self, error))
    return FALSE;
  node = rp_proposal_to_json (proposal);
  json = json_to_string (node, FALSE);
  stmt = rp_store_db_prepare (self->db,
                              "INSERT OR REPLACE INTO proposals (id, partner_id, incoming, message,"
                              " updated_at) VALUES (?, ?, ?, ?, unixepoch ())", error);
  if (!stmt)
    return FALSE;
  rp_store_db_bind_text (stmt, 1, rp_proposal_get_id (proposal));
  bind_partner (stmt, 2, partner_id);
  sqlite3_bind_int (stmt, 3, incoming ? 1 : 0);
  rp_store_db_bind_text (stmt, 4, json);
  return step_write (self, stmt, _("save the proposal"), error);
}

static RpProposalRecord *
proposal_from_row (sqlite3_stmt *stmt)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RpProposalRecord) record = g_new0 (RpProposalRecord, 1);
  const char *json = (const char *) sqlite3_column_text (stmt, 2);

  record->partner_id = sqlite3_column_int64 (stmt, 0);
  record->incoming = sqlite3_column_int (stmt, 1) != 0;
  if (json_parser_load_from_data (parser, json ? json : "", -1, &error))
    record->proposal = rp_proposal_new_from_json (json_parser_get_root (parser), &error);
  if (!record->proposal)
    {
      g_warning ("A stored proposal could not be read back and is skipped: %s",
                 error ? error->message : "empty");
      return NULL;
    }
  return g_steal_pointer (&record);
}

GPtrArray *
rp_store_list_proposals (RpStore *self,
                         gint64   partner_id,
                         gboolean pending_only,
                         GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rp_proposal_record_free);
  int rc;

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  stmt = rp_store_db_prepare (self->db,
                              "SELECT partner_id, incoming, message FROM proposals"
                              " WHERE (?1 = 0 OR partner_id = ?1) ORDER BY updated_at, rowid",
                              error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, partner_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RpProposalRecord *record = proposal_from_row (stmt);

      if (!record)
        continue;
      if (pending_only && rp_proposal_get_state (record->proposal) != RP_PROPOSAL_STATE_PENDING)
        rp_proposal_record_free (record);
      else
        g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      rp_store_db_error (error, self->db, rc, _("read the proposals"));
      return NULL;
    }
  return g_steal_pointer (&records);
}

static gboolean
delete_by_key (RpStore    *self,
               const char *sql,
               const char *text_key,
               gint64      int_key,
               const char *what,
               GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!rp_store_check_open (self, error))
    return FALSE;
  stmt = rp_store_db_prepare (self->db, sql, error);
  if (!stmt)
    return FALSE;
  if (text_key)
    rp_store_db_bind_text (stmt, 1, text_key);
  else
    sqlite3_bind_int64 (stmt, 1, int_key);
  if (!step_write (self, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND, _("Could not %s: not found."),
               what);
  return FALSE;
}

gboolean
rp_store_delete_proposal (RpStore    *self,
                          const char *id,
                          GError    **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), FALSE);
  g_return_val_if_fail (id, FALSE);

  return delete_by_key (self, "DELETE FROM proposals WHERE id = ?", id, 0,
                        _("delete the proposal"), error);
}

gint64
rp_store_outbox_push (RpStore  *self,
                      gint64    partner_id,
                      JsonNode *message,
                      GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (RP_IS_STORE (self), 0);
  g_return_val_if_fail (message, 0);

  if (!rp_store_check_open (self, error))
    return 0;
  if (!JSON_NODE_HOLDS_OBJECT (message))
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID,
                   _("An app message must be a JSON object."));
      return 0;
    }
  json = json_to_string (message, FALSE);
  stmt = rp_store_db_prepare (self->db, "INSERT INTO outbox (partner_id, message, created_at)"
                                        " VALUES (?, ?, unixepoch ())", error);
  if (!stmt)
    return 0;
  bind_partner (stmt, 1, partner_id);
  rp_store_db_bind_text (stmt, 2, json);
  if (!step_write (self, stmt, _("queue the message"), error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

GPtrArray *
rp_store_outbox_list (RpStore *self,
                      gint64   partner_id,
                      GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) messages =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rp_outbox_message_free);
  int rc;

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  stmt = rp_store_db_prepare (self->db, "SELECT id, partner_id, message FROM outbox"
                                        " WHERE (?1 = 0 OR partner_id = ?1) ORDER BY id", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, partner_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RpOutboxMessage *message = g_new0 (RpOutboxMessage, 1);
      const char *json = (const char *) sqlite3_column_text (stmt, 2);

      message->id = sqlite3_column_int64 (stmt, 0);
      message->partner_id = sqlite3_column_int64 (stmt, 1);
      message->message = json ? json_from_string (json, NULL) : NULL;
      if (message->message && JSON_NODE_HOLDS_OBJECT (message->message))
        g_ptr_array_add (messages, message);
      else
        rp_outbox_message_free (message);   /* not ours to send: it was not written by us */
    }
  if (rc != SQLITE_DONE)
    {
      rp_store_db_error (error, self->db, rc, _("read the queued messages"));
      return NULL;
    }
  return g_steal_pointer (&messages);
}

gboolean
rp_store_outbox_remove (RpStore *self,
                        gint64   id,
                        GError **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  return delete_by_key (self, "DELETE FROM outbox WHERE id = ?", NULL, id,
                        _("remove the sent message"), error);
}
