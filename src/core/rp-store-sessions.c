/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RpStore's partners, sessions and action items, on the owner's connection. Each write that
 * touches more than one table (a session and its search row and action items, a carry-over)
 * is one transaction, so a crash or a full disk leaves either all of it or none.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "rp-random.h"
#include "rp-schedule.h"
#include "rp-store-private.h"
#include "rp-working-hours.h"

#define SESSION_COLUMNS RP_STORE_SESSION_COLUMNS

/* ---- Helpers ---- */

static gboolean
begin (RpStore *self,
       GError **error)
{
  return rp_store_check_open (self, error) &&
         rp_store_db_exec (self->db, "BEGIN IMMEDIATE", _("save to the database"), error);
}

/* Commits when ok, else rolls back; returns whether the whole transaction took effect. */
static gboolean
finish (RpStore  *self,
        gboolean  ok,
        GError  **error)
{
  if (ok && rp_store_db_exec (self->db, "COMMIT", _("save to the database"), error))
    return TRUE;
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Steps a write statement to its end. */
static gboolean
step_done (sqlite3_stmt *stmt,
           const char   *doing,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    return TRUE;
  return rp_store_db_error (error, sqlite3_db_handle (stmt), rc, doing);
}

static gboolean
not_found (GError    **error,
           const char *what,
           gint64      id)
{
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND,
               _("There is no %s with id %lld."), what, (long long) id);
  return FALSE;
}

static gboolean
check_zone (const char *zone,
            GError    **error)
{
  g_autoptr(GTimeZone) tz = zone && *zone ? g_time_zone_new_identifier (zone) : NULL;

  if (tz)
    return TRUE;
  g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID,
               _("Unknown time zone \"%s\": use an IANA name such as Europe/Paris."),
               zone ? zone : "");
  return FALSE;
}

/* "YYYY-MM-DDTHH:MM[:SS]" → its fields; FALSE for anything else or an impossible date. */
static gboolean
parse_local (const char *text,
             int        *fields)
{
  /* Digits where "2026-03-30T07:00:00" has digits, the separators where it has them. */
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  gsize len = text ? strlen (text) : 0;

  if (len != 16 && len != 19)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (shape[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != shape[i])
      return FALSE;
  fields[0] = atoi (text);
  fields[1] = atoi (text + 5);
  fields[2] = atoi (text + 8);
  fields[3] = atoi (text + 11);
  fields[4] = atoi (text + 14);
  fields[5] = len == 19 ? atoi (text + 17) : 0;
  return fields[0] >= 1 && fields[1] >= 1 && fields[1] <= 12 &&
         g_date_valid_dmy (fields[2], fields[1], fields[0]) && fields[3] < 24 &&
         fields[4] < 60 && fields[5] < 60;
}

static void
local_from_fields (const int *f,
                   RpLocal   *local)
{
  *local = (RpLocal) { f[0], f[1], f[2], f[3], f[4], f[5] };
}

/* A series' rule, as the schedule module expands it; "RRULE:" dropped. */
static gboolean
normalize_rrule (const RpSessionRecord *record,
                 const int             *f,
                 char                 **rrule,
                 GError               **error)
{
  const char *text = record->rrule;
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (record->scheduled_zone);
  g_autoptr(GArray) first = NULL;
  g_autoptr(GError) local_error = NULL;
  RpLocal start;

  if (g_str_has_prefix (text, "RRULE:"))
    text += strlen ("RRULE:");
  local_from_fields (f, &start);
  first = rp_schedule_expand (tz, &start, text, NULL, 1, &local_error);
  if (!first)
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID,
                   _("The series rule \"%s\" is not valid: %s"), record->rrule,
                   local_error->message);
      return FALSE;
    }
  *rrule = g_strdup (text);
  return TRUE;
}

/* The schedule as stored: both or neither, a known zone, "YYYY-MM-DDTHH:MM:SS", a rule only
 * with a start. */
static gboolean
normalize_schedule (const RpSessionRecord *record,
                    char                 **local,
                    char                 **rrule,
                    GError               **error)
{
  int f[6];

  *local = NULL;
  *rrule = NULL;
  if (!record->scheduled_zone && !record->scheduled_local && !record->rrule)
    return TRUE;
  if (!check_zone (record->scheduled_zone, error))
    return FALSE;
  if (!parse_local (record->scheduled_local, f))
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID,
                   _("The planned start \"%s\" is not a local time like 2026-03-30T07:00."),
                   record->scheduled_local ? record->scheduled_local : "");
      return FALSE;
    }
  if (record->rrule && !normalize_rrule (record, f, rrule, error))
    return FALSE;
  *local = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d", f[0], f[1], f[2], f[3], f[4], f[5]);
  return TRUE;
}

static GTimeZone *
scheduled_start (const RpSessionRecord *record,
                 RpLocal               *start)
{
  int f[6];

  if (!record->scheduled_zone || !parse_local (record->scheduled_local, f))
    return NULL;
  local_from_fields (f, start);
  return g_time_zone_new_identifier (record->scheduled_zone);
}

gint64
rp_session_record_get_scheduled_instant (const RpSessionRecord *record)
{
  RpLocal start;
  g_autoptr(GTimeZone) tz = scheduled_start (record, &start);

  return tz ? rp_zone_resolve (tz, &start, NULL, NULL) : 0;
}

gint64
rp_session_record_get_next_instant (const RpSessionRecord *record,
                                    gint64                 now)
{
  RpLocal start;
  g_autoptr(GTimeZone) tz = scheduled_start (record, &start);
  gint64 length = (gint64) record->planned_minutes * 60;
  gint64 instant;

  if (!tz)
    return 0;
  if (!record->rrule)
    {
      instant = rp_zone_resolve (tz, &start, NULL, NULL);
      return instant + length > now ? instant : 0;
    }
  /* The first instance starting after now - length is the first one not yet over. */
  if (!rp_schedule_next_reminder (tz, &start, record->rrule, 0, now - length, NULL, &instant))
    return 0;
  return instant;
}

/* ---- Partners ---- */

static RpPartner *
partner_from_row (sqlite3_stmt *stmt)
{
  RpPartner *partner = rp_partner_new ((const char *) sqlite3_column_text (stmt, 1),
                                       (const char *) sqlite3_column_text (stmt, 2));

  partner->id = sqlite3_column_int64 (stmt, 0);
  partner->working_hours = rp_store_db_column_dup (stmt, 3);
  partner->spell_language = rp_store_db_column_dup (stmt, 4);
  return partner;
}

/* The canonical form of the schedule module's working hours, "" when none are given. */
static char *
normalize_hours (const char *text,
                 GError    **error)
{
  g_autoptr(RpWorkingHours) hours = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!text || !*text)
    return g_strdup ("");
  hours = rp_working_hours_parse (text, &local_error);
  if (!hours)
    {
      g_set_error_literal (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID, local_error->message);
      return NULL;
    }
  return rp_working_hours_to_string (hours);
}

static gboolean
check_partner (const RpPartner *partner,
               char           **hours,
               GError         **error)
{
  if (!partner->name || !*partner->name || !g_utf8_validate (partner->name, -1, NULL))
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_INVALID, _("A partner needs a name."));
      return FALSE;
    }
  if (!check_zone (partner->time_zone, error))
    return FALSE;
  *hours = normalize_hours (partner->working_hours, error);
  return *hours != NULL;
}

static gboolean
bind_partner_and_step (sqlite3_stmt    *stmt,
                       const RpPartner *partner,
                       const char      *hours,
                       GError         **error)
{
  rp_store_db_bind_text (stmt, 1, partner->name);
  rp_store_db_bind_text (stmt, 2, partner->time_zone);
  rp_store_db_bind_text (stmt, 3, hours);
  rp_store_db_bind_text (stmt, 4, partner->spell_language);
  if (partner->id)
    sqlite3_bind_int64 (stmt, 5, partner->id);
  return step_done (stmt, _("save the partner"), error);
}

gint64
rp_store_add_partner (RpStore   *self,
                      RpPartner *partner,
                      GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *hours = NULL;

  g_return_val_if_fail (RP_IS_STORE (self), 0);
  g_return_val_if_fail (partner, 0);

  partner->id = 0;
  if (!rp_store_check_open (self, error) || !check_partner (partner, &hours, error))
    return 0;
  stmt = rp_store_db_prepare (self->db,
                              "INSERT INTO partners (name, time_zone, working_hours, "
                              "spell_language) VALUES (?, ?, ?, ?)", error);
  if (!stmt || !bind_partner_and_step (stmt, partner, hours, error))
    return 0;
  partner->id = sqlite3_last_insert_rowid (self->db);
  return partner->id;
}

gboolean
rp_store_update_partner (RpStore         *self,
                         const RpPartner *partner,
                         GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *hours = NULL;

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);
  g_return_val_if_fail (partner, FALSE);

  if (!rp_store_check_open (self, error) || !check_partner (partner, &hours, error))
    return FALSE;
  if (partner->id <= 0)
    return not_found (error, _("partner"), partner->id);
  stmt = rp_store_db_prepare (self->db,
                              "UPDATE partners SET name = ?1, time_zone = ?2, working_hours = ?3,"
                              " spell_language = ?4 WHERE id = ?5", error);
  if (!stmt || !bind_partner_and_step (stmt, partner, hours, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return not_found (error, _("partner"), partner->id);
  return TRUE;
}

RpPartner *
rp_store_get_partner (RpStore *self,
                      gint64   id,
                      GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  stmt = rp_store_db_prepare (self->db,
                              "SELECT id, name, time_zone, working_hours, spell_language "
                              "FROM partners WHERE id = ?", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return partner_from_row (stmt);
  if (rc == SQLITE_DONE)
    not_found (error, _("partner"), id);
  else
    rp_store_db_error (error, self->db, rc, _("read the partner"));
  return NULL;
}

GPtrArray *
rp_store_list_partners (RpStore *self,
                        GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) partners =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rp_partner_free);
  int rc;

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  stmt = rp_store_db_prepare (self->db,
                              "SELECT id, name, time_zone, working_hours, spell_language "
                              "FROM partners ORDER BY name COLLATE NOCASE, id", error);
  if (!stmt)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (partners, partner_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      rp_store_db_error (error, self->db, rc, _("read the partners"));
      return NULL;
    }
  return g_steal_pointer (&partners);
}

gboolean
rp_store_delete_partner (RpStore *self,
                         gint64   id,
                         GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  if (!rp_store_check_open (self, error))
    return FALSE;
  stmt = rp_store_db_prepare (self->db, "DELETE FROM partners WHERE id = ?", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (stmt, _("delete the partner"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return not_found (error, _("partner"), id);
  return TRUE;
}

/* ---- Sessions ---- */

RpSessionRecord *
rp_store_session_from_row (sqlite3_stmt *stmt,
                           GError      **error)
{
  g_autoptr(RpSessionRecord) record = rp_session_record_new ();
  g_autoptr(GPtrArray) agenda = rp_outcome_from_json ((const char *)
                                                      sqlite3_column_text (stmt, 11), error);

  if (!agenda)
    return NULL;
  record->id = sqlite3_column_int64 (stmt, 0);
  record->uid = rp_store_db_column_dup (stmt, 1);
  record->partner_id = sqlite3_column_int64 (stmt, 2);
  record->title = rp_store_db_column_dup (stmt, 3);
  record->scheduled_zone = rp_store_db_column_dup (stmt, 4);
  record->scheduled_local = rp_store_db_column_dup (stmt, 5);
  record->planned_minutes = (guint) sqlite3_column_int (stmt, 6);
  record->started_at = sqlite3_column_int64 (stmt, 7);
  record->ended_at = sqlite3_column_int64 (stmt, 8);
  record->duration_s = sqlite3_column_int64 (stmt, 9);
  record->notes = rp_store_db_column_dup (stmt, 10);
  g_clear_pointer (&record->agenda, g_ptr_array_unref);
  record->agenda = g_steal_pointer (&agenda);
  record->link = rp_store_db_column_dup (stmt, 12);
  record->rrule = rp_store_db_column_dup (stmt, 13);
  return g_steal_pointer (&record);
}

/* Runs a SELECT of SESSION_COLUMNS; collects the rows. */
GPtrArray *
rp_store_collect_sessions (sqlite3_stmt *stmt,
                           GError      **error)
{
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rp_session_record_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RpSessionRecord *record = rp_store_session_from_row (stmt, error);

      if (!record)
        return NULL;
      g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      rp_store_db_error (error, sqlite3_db_handle (stmt), rc, _("read the sessions"));
      return NULL;
    }
  return g_steal_pointer (&records);
}

static char *
agenda_text (GPtrArray *agenda)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; agenda && i < agenda->len; i++)
    {
      RpOutcomeItem *item = agenda->pdata[i];

      g_string_append_printf (text, "%s\n", item->title ? item->title : "");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
index_session (sqlite3               *db,
               const RpSessionRecord *record,
               GError               **error)
{
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autofree char *agenda = agenda_text (record->agenda);

  del = rp_store_db_prepare (db, "DELETE FROM session_search WHERE rowid = ?", error);
  ins = rp_store_db_prepare (db, "INSERT INTO session_search (rowid, title, notes, agenda) "
                                 "VALUES (?, ?, ?, ?)", error);
  if (!del || !ins)
    return FALSE;
  sqlite3_bind_int64 (del, 1, record->id);
  sqlite3_bind_int64 (ins, 1, record->id);
  rp_store_db_bind_text (ins, 2, record->title ? record->title : "");
  rp_store_db_bind_text (ins, 3, record->notes ? record->notes : "");
  rp_store_db_bind_text (ins, 4, agenda);
  return step_done (del, _("index the session"), error) &&
         step_done (ins, _("index the session"), error);
}

/* Agenda items of kind ACTION become (or update) the session's action items, by title. */
static gboolean
sync_action_items (sqlite3               *db,
                   const RpSessionRecord *record,
                   GError               **error)
{
  g_autoptr(sqlite3_stmt) upd = NULL;
  g_autoptr(sqlite3_stmt) ins = NULL;

  upd = rp_store_db_prepare (db, "UPDATE action_items SET done = ?1, owner = coalesce (?2, owner)"
                                 " WHERE session_id = ?3 AND title = ?4", error);
  ins = rp_store_db_prepare (db, "INSERT INTO action_items (done, owner, session_id, title) "
                                 "VALUES (?1, ?2, ?3, ?4)", error);
  if (!upd || !ins)
    return FALSE;
  for (guint i = 0; record->agenda && i < record->agenda->len; i++)
    {
      RpOutcomeItem *item = record->agenda->pdata[i];
      sqlite3_stmt *stmts[] = { upd, ins };

      if (item->kind != RP_OUTCOME_KIND_ACTION || !item->title || !*item->title)
        continue;
      for (guint s = 0; s < G_N_ELEMENTS (stmts); s++)
        {
          sqlite3_reset (stmts[s]);
          sqlite3_bind_int (stmts[s], 1, item->done ? 1 : 0);
          rp_store_db_bind_text (stmts[s], 2, item->owner);
          sqlite3_bind_int64 (stmts[s], 3, record->id);
          rp_store_db_bind_text (stmts[s], 4, item->title);
          if (!step_done (stmts[s], _("save the action items"), error))
            return FALSE;
          if (sqlite3_changes (db) > 0)
            break;
        }
    }
  return TRUE;
}

/* Binds ?1..?11 in the order of SESSION_COLUMNS after uid (which never changes), and ?14. */
static void
bind_session (sqlite3_stmt          *stmt,
              const RpSessionRecord *record,
              const char            *local,
              const char            *rrule,
              const char            *agenda_json)
{
  rp_store_db_bind_text (stmt, 14, rrule);
  if (record->partner_id > 0)
    sqlite3_bind_int64 (stmt, 1, record->partner_id);
  else
    sqlite3_bind_null (stmt, 1);
  rp_store_db_bind_text (stmt, 2, record->title ? record->title : "");
  rp_store_db_bind_text (stmt, 3, local ? record->scheduled_zone : NULL);
  rp_store_db_bind_text (stmt, 4, local);
  sqlite3_bind_int (stmt, 5, (int) MIN (record->planned_minutes, G_MAXINT));
  rp_store_db_bind_instant (stmt, 6, record->started_at);
  rp_store_db_bind_instant (stmt, 7, record->ended_at);
  sqlite3_bind_int64 (stmt, 8, MAX (record->duration_s, 0));
  rp_store_db_bind_text (stmt, 9, record->notes ? record->notes : "");
  rp_store_db_bind_text (stmt, 10, agenda_json);
  rp_store_db_bind_text (stmt, 11, record->link);
}

static gboolean
check_partner_exists (RpStore *self,
                      gint64   partner_id,
                      GError **error)
{
  g_autoptr(RpPartner) partner = NULL;

  if (partner_id == 0)
    return TRUE;
  partner = rp_store_get_partner (self, partner_id, error);
  return partner != NULL;
}

static gboolean
write_session (RpStore               *self,
               const RpSessionRecord *record,
               const char            *sql,
               GError               **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *local = NULL;
  g_autofree char *rrule = NULL;
  g_autofree char *agenda_json = NULL;

  if (!normalize_schedule (record, &local, &rrule, error) ||
      !check_partner_exists (self, record->partner_id, error))
    return FALSE;
  agenda_json = rp_outcome_to_json (record->agenda);
  stmt = rp_store_db_prepare (self->db, sql, error);
  if (!stmt)
    return FALSE;
  bind_session (stmt, record, local, rrule, agenda_json);
  sqlite3_bind_int64 (stmt, 12, record->id);
  rp_store_db_bind_text (stmt, 13, record->uid);
  return step_done (stmt, _("save the session"), error);
}

gint64
rp_store_add_session (RpStore         *self,
                      RpSessionRecord *record,
                      GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (RP_IS_STORE (self), 0);
  g_return_val_if_fail (record, 0);

  if (!record->uid)
    record->uid = rp_random_hex (16);
  record->id = 0;
  if (!begin (self, error))
    return 0;
  ok = write_session (self, record,
                      "INSERT INTO sessions (partner_id, title, scheduled_zone, scheduled_local,"
                      " planned_minutes, started_at, ended_at, duration_s, notes, agenda, link,"
                      " uid, rrule)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14)", error);
  if (ok)
    record->id = sqlite3_last_insert_rowid (self->db);
  ok = ok && index_session (self->db, record, error) &&
       sync_action_items (self->db, record, error);
  if (!finish (self, ok, error))
    record->id = 0;
  return record->id;
}

gboolean
rp_store_update_session (RpStore               *self,
                         const RpSessionRecord *record,
                         GError               **error)
{
  gboolean ok;

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);
  g_return_val_if_fail (record, FALSE);

  if (!begin (self, error))
    return FALSE;
  ok = write_session (self, record,
                      "UPDATE sessions SET partner_id = ?1, title = ?2, scheduled_zone = ?3,"
                      " scheduled_local = ?4, planned_minutes = ?5, started_at = ?6,"
                      " ended_at = ?7, duration_s = ?8, notes = ?9, agenda = ?10, link = ?11,"
                      " rrule = ?14 WHERE id = ?12 AND (?13 IS NULL OR uid = ?13)", error);
  if (ok && sqlite3_changes (self->db) == 0)
    ok = not_found (error, _("session"), record->id);
  ok = ok && index_session (self->db, record, error) &&
       sync_action_items (self->db, record, error);
  return finish (self, ok, error);
}

RpSessionRecord *
rp_store_read_session (sqlite3    *db,
                       const char *where,
                       gint64      id,
                       const char *uid,
                       GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = g_strconcat ("SELECT " SESSION_COLUMNS " FROM sessions WHERE ", where,
                                      NULL);
  int rc;

  stmt = rp_store_db_prepare (db, sql, error);
  if (!stmt)
    return NULL;
  if (uid)
    rp_store_db_bind_text (stmt, 1, uid);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return rp_store_session_from_row (stmt, error);
  if (rc == SQLITE_DONE && uid)
    g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_NOT_FOUND,
                 _("There is no session with uid %s."), uid);
  else if (rc == SQLITE_DONE)
    not_found (error, _("session"), id);
  else
    rp_store_db_error (error, db, rc, _("read the session"));
  return NULL;
}

RpSessionRecord *
rp_store_get_session (RpStore *self,
                      gint64   id,
                      GError **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  return rp_store_read_session (self->db, "id = ?", id, NULL, error);
}

RpSessionRecord *
rp_store_get_session_by_uid (RpStore    *self,
                             const char *uid,
                             GError    **error)
{
  g_return_val_if_fail (RP_IS_STORE (self), NULL);
  g_return_val_if_fail (uid, NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  return rp_store_read_session (self->db, "uid = ?", 0, uid, error);
}

gboolean
rp_store_delete_session (RpStore *self,
                         gint64   id,
                         GError **error)
{
  g_autoptr(sqlite3_stmt) unindex = NULL;
  g_autoptr(sqlite3_stmt) del = NULL;
  gboolean ok;

  g_return_val_if_fail (RP_IS_STORE (self), FALSE);

  if (!begin (self, error))
    return FALSE;
  unindex = rp_store_db_prepare (self->db, "DELETE FROM session_search WHERE rowid = ?", error);
  del = rp_store_db_prepare (self->db, "DELETE FROM sessions WHERE id = ?", error);
  ok = unindex && del;
  if (ok)
    {
      sqlite3_bind_int64 (unindex, 1, id);
      sqlite3_bind_int64 (del, 1, id);
      ok = step_done (unindex, _("delete the session"), error) &&
           step_done (del, _("delete the session"), error);
    }
  if (ok && sqlite3_changes (self->db) == 0)
    ok = not_found (error, _("session"), id);
  return finish (self, ok, error);
}

GPtrArray *
rp_store_list_recent_sessions (RpStore *self,
                               gint64   partner_id,
                               guint    limit,
                               GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  stmt = rp_store_db_prepare (self->db,
                              "SELECT " SESSION_COLUMNS " FROM sessions"
                              " WHERE ended_at IS NOT NULL AND (?1 = 0 OR partner_id = ?1)"
                              " ORDER BY ended_at DESC, id DESC LIMIT ?2", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, partner_id);
  sqlite3_bind_int64 (stmt, 2, limit ? (gint64) limit : -1);
  return rp_store_collect_sessions (stmt, error);
}

typedef struct {
  gint64           instant;
  RpSessionRecord *record;
} Upcoming;

static gint
compare_upcoming (gconstpointer a,
                  gconstpointer b)
{
  const Upcoming *x = a, *y = b;

  return x->instant < y->instant ? -1 : x->instant > y->instant;
}

/* Steals the records that have an instance ahead, soonest first. */
static GPtrArray *
sort_upcoming (GPtrArray *records,
               gint64     now,
               guint      limit)
{
  g_autoptr(GArray) ahead = g_array_new (FALSE, FALSE, sizeof (Upcoming));
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_session_record_free);

  for (guint i = 0; i < records->len; i++)
    {
      Upcoming u = { rp_session_record_get_next_instant (records->pdata[i], now),
                     records->pdata[i] };

      if (u.instant != 0)
        g_array_append_val (ahead, u);
    }
  g_array_sort (ahead, compare_upcoming);
  for (guint i = 0; i < ahead->len && (limit == 0 || i < limit); i++)
    {
      RpSessionRecord *record = g_array_index (ahead, Upcoming, i).record;

      g_ptr_array_add (out, rp_session_record_copy (record));
    }
  return out;
}

GPtrArray *
rp_store_list_upcoming_sessions (RpStore *self,
                                 gint64   partner_id,
                                 gint64   now,
                                 guint    limit,
                                 GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) records = NULL;

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  if (!rp_store_check_open (self, error))
    return NULL;
  /* The instant depends on the zone rules of today's tzdata, so it is computed here rather
   * than stored: only the zone and the local time are facts. */
  stmt = rp_store_db_prepare (self->db,
                              "SELECT " SESSION_COLUMNS " FROM sessions"
                              " WHERE started_at IS NULL AND scheduled_zone IS NOT NULL"
                              " AND (?1 = 0 OR partner_id = ?1)", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, partner_id);
  records = rp_store_collect_sessions (stmt, error);
  if (!records)
    return NULL;
  return sort_upcoming (records, now, limit);
}
