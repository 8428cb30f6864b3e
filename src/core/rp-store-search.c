/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader side of RpStore: full-text search (FTS5) and export of a session, on the reader
 * connection so that they can run on a worker thread while the owner keeps writing.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "rp-store-private.h"

/* ---- Search ---- */

typedef struct {
  char  *query;
  guint  limit;
} SearchArgs;

static void
search_args_free (SearchArgs *args)
{
  g_free (args->query);
  g_free (args);
}

static gboolean
has_word_char (const char *token)
{
  for (const char *p = token; *p; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* The user's words as an FTS5 query that cannot be a syntax error: each word a quoted string
 * (inner quotes doubled), all required, the last one a prefix so results follow typing.
 * NULL when there is no word to look for. */
static char *
match_expression (const char *query)
{
  g_auto(GStrv) tokens = g_strsplit_set (query, " \t\r\n", -1);
  g_autoptr(GString) expr = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; tokens[i]; i++)
    {
      g_autofree char *quoted = NULL;
      g_auto(GStrv) parts = NULL;

      if (!has_word_char (tokens[i]))
        continue;
      parts = g_strsplit (tokens[i], "\"", -1);
      quoted = g_strjoinv ("\"\"", parts);
      g_string_append_printf (expr, "%s\"%s\"", n++ ? " " : "", quoted);
    }
  if (n == 0)
    return NULL;
  g_string_append_c (expr, '*');
  return g_string_free (g_steal_pointer (&expr), FALSE);
}

static int
check_cancelled (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static RpSearchHit *
hit_from_row (sqlite3_stmt *stmt)
{
  RpSearchHit *hit = g_new0 (RpSearchHit, 1);

  hit->session_id = sqlite3_column_int64 (stmt, 0);
  hit->title = rp_store_db_column_dup (stmt, 1);
  hit->partner_name = rp_store_db_column_dup (stmt, 2);
  hit->started_at = sqlite3_column_int64 (stmt, 3);
  hit->snippet = rp_store_db_column_dup (stmt, 4);
  hit->rank = sqlite3_column_double (stmt, 5);
  return hit;
}

static gpointer
search_in (sqlite3      *db,
           gpointer      data,
           GCancellable *cancellable,
           GError      **error)
{
  SearchArgs *args = data;
  g_autofree char *expr = match_expression (args->query);
  g_autoptr(GPtrArray) hits =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rp_search_hit_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!expr)
    return g_steal_pointer (&hits);
  stmt = rp_store_db_prepare (db,
                              "SELECT s.id, s.title, p.name, s.started_at,"
                              " snippet (session_search, -1, '«', '»', '…', 12),"
                              " bm25 (session_search) AS score"
                              " FROM session_search JOIN sessions s ON s.id = session_search.rowid"
                              " LEFT JOIN partners p ON p.id = s.partner_id"
                              " WHERE session_search MATCH ?1 ORDER BY score LIMIT ?2", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_text (stmt, 1, expr, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, args->limit ? (gint64) args->limit : -1);
  if (cancellable)
    sqlite3_progress_handler (db, 1000, check_cancelled, cancellable);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (hits, hit_from_row (stmt));
  sqlite3_progress_handler (db, 0, NULL, NULL);
  if (rc != SQLITE_DONE)
    {
      rp_store_db_error (error, db, rc, _("search the sessions"));
      return NULL;
    }
  return g_steal_pointer (&hits);
}

GPtrArray *
rp_store_search (RpStore      *self,
                 const char   *query,
                 guint         limit,
                 GCancellable *cancellable,
                 GError      **error)
{
  SearchArgs args = { (char *) query, limit };

  g_return_val_if_fail (RP_IS_STORE (self), NULL);
  g_return_val_if_fail (query, NULL);

  return rp_store_with_reader (self, search_in, &args, cancellable, error);
}

static void
search_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  SearchArgs *args = data;
  GError *error = NULL;
  GPtrArray *hits = rp_store_search (source, args->query, args->limit, cancellable, &error);

  if (hits)
    g_task_return_pointer (task, hits, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
rp_store_search_async (RpStore            *self,
                       const char         *query,
                       guint               limit,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchArgs *args = g_new0 (SearchArgs, 1);

  g_return_if_fail (RP_IS_STORE (self));
  g_return_if_fail (query);

  args->query = g_strdup (query);
  args->limit = limit;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rp_store_search_async);
  g_task_set_task_data (task, args, (GDestroyNotify) search_args_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, search_thread);
}

GPtrArray *
rp_store_search_finish (RpStore      *self,
                        GAsyncResult *result,
                        GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Export ---- */

typedef struct {
  gint64              session_id;
  RpStoreExportFormat format;
} ExportArgs;

typedef struct {
  RpSessionRecord *record;
  RpPartner       *partner;   /* or NULL */
  GPtrArray       *actions;
} ExportData;

static void
export_data_clear (ExportData *data)
{
  g_clear_pointer (&data->record, rp_session_record_free);
  g_clear_pointer (&data->partner, rp_partner_free);
  g_clear_pointer (&data->actions, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExportData, export_data_clear)

static RpPartner *
read_partner (sqlite3 *db,
              gint64   id)
{
  g_autoptr(sqlite3_stmt) stmt = rp_store_db_prepare (db,
                                                      "SELECT name, time_zone, spell_language "
                                                      "FROM partners WHERE id = ?", NULL);
  RpPartner *partner;

  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  partner = rp_partner_new ((const char *) sqlite3_column_text (stmt, 0),
                            (const char *) sqlite3_column_text (stmt, 1));
  partner->id = id;
  partner->spell_language = rp_store_db_column_dup (stmt, 2);
  return partner;
}

/* Characters that would turn a title into Markdown syntax. */
static void
append_md_escaped (GString    *out,
                   const char *text)
{
  for (const char *p = text ? text : ""; *p; p++)
    {
      if (strchr ("\\`*_[]<>#|", *p))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p == '\n' ? ' ' : *p);
    }
}

static char *
format_instant (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
}

static void
append_md_header (GString          *out,
                  const ExportData *data)
{
  const RpSessionRecord *r = data->record;

  g_string_append (out, "# ");
  if (r->title && *r->title)
    append_md_escaped (out, r->title);
  else if (data->partner)
    {
      g_string_append_printf (out, "%s ", _("Session with"));
      append_md_escaped (out, data->partner->name);
    }
  else
    g_string_append (out, _("Session"));
  g_string_append (out, "\n\n");
  if (data->partner)
    {
      g_string_append_printf (out, "- **%s:** ", _("Partner"));
      append_md_escaped (out, data->partner->name);
      g_string_append_printf (out, " (%s)\n", data->partner->time_zone);
    }
  if (r->scheduled_zone)
    g_string_append_printf (out, "- **%s:** %.16s %s, %u min\n", _("Planned"),
                            r->scheduled_local, r->scheduled_zone, r->planned_minutes);
  if (r->rrule)
    g_string_append_printf (out, "- **%s:** `RRULE:%s`\n", _("Repeats"), r->rrule);
  if (r->started_at)
    {
      g_autofree char *when = format_instant (r->started_at);

      g_string_append_printf (out, "- **%s:** %s, %" G_GINT64_FORMAT " min\n", _("Held"), when,
                              (r->duration_s + 30) / 60);
    }
  if (r->link)
    g_string_append_printf (out, "- **%s:** <%s>\n", _("Link"), r->link);
}

static void
append_md_lists (GString          *out,
                 const ExportData *data)
{
  const RpSessionRecord *r = data->record;

  if (r->agenda->len > 0)
    g_string_append_printf (out, "\n## %s\n\n", _("Agenda"));
  for (guint i = 0; i < r->agenda->len; i++)
    {
      RpOutcomeItem *item = r->agenda->pdata[i];

      g_string_append_printf (out, "- [%c] ", item->done ? 'x' : ' ');
      append_md_escaped (out, item->title);
      if (item->minutes)
        g_string_append_printf (out, " — %u min", item->minutes);
      if (item->owner)
        g_string_append_printf (out, " (%s)", item->owner);
      g_string_append_c (out, '\n');
    }
  if (data->actions->len > 0)
    g_string_append_printf (out, "\n## %s\n\n", _("Action items"));
  for (guint i = 0; i < data->actions->len; i++)
    {
      RpActionItem *item = data->actions->pdata[i];

      g_string_append_printf (out, "- [%c] ", item->done ? 'x' : ' ');
      append_md_escaped (out, item->title);
      if (item->owner)
        g_string_append_printf (out, " (%s)", item->owner);
      g_string_append_c (out, '\n');
    }
}

static char *
export_markdown (const ExportData *data)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *notes = data->record->notes;

  append_md_header (out, data);
  append_md_lists (out, data);
  if (notes && *notes)
    {
      /* The notes are the people's own text, kept as they wrote it. */
      g_string_append_printf (out, "\n## %s\n\n%s", _("Notes"), notes);
      if (!g_str_has_suffix (notes, "\n"))
        g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_instant (JsonBuilder *b,
             const char  *name,
             gint64       unix_seconds)
{
  g_autoptr(GDateTime) dt = unix_seconds ? g_date_time_new_from_unix_utc (unix_seconds) : NULL;
  g_autofree char *iso = dt ? g_date_time_format_iso8601 (dt) : NULL;

  add_string (b, name, iso);
}

static void
add_actions (JsonBuilder *b,
             GPtrArray   *actions)
{
  json_builder_set_member_name (b, "action_items");
  json_builder_begin_array (b);
  for (guint i = 0; i < actions->len; i++)
    {
      RpActionItem *item = actions->pdata[i];

      json_builder_begin_object (b);
      add_string (b, "title", item->title);
      add_string (b, "owner", item->owner);
      json_builder_set_member_name (b, "done");
      json_builder_add_boolean_value (b, item->done);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static char *
export_json (const ExportData *data)
{
  const RpSessionRecord *r = data->record;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *agenda = rp_outcome_to_json (r->agenda);
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  add_string (b, "uid", r->uid);
  add_string (b, "title", r->title);
  add_string (b, "partner", data->partner ? data->partner->name : NULL);
  add_string (b, "partner_time_zone", data->partner ? data->partner->time_zone : NULL);
  add_string (b, "scheduled_zone", r->scheduled_zone);
  add_string (b, "scheduled_local", r->scheduled_local);
  add_string (b, "rrule", r->rrule);
  json_builder_set_member_name (b, "planned_minutes");
  json_builder_add_int_value (b, r->planned_minutes);
  add_instant (b, "started_at", r->started_at);
  add_instant (b, "ended_at", r->ended_at);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_int_value (b, r->duration_s);
  add_string (b, "link", r->link);
  add_string (b, "notes", r->notes);
  json_builder_set_member_name (b, "agenda");
  json_parser_load_from_data (parser, agenda, -1, NULL);
  json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  add_actions (b, data->actions);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

static gpointer
export_in (sqlite3      *db,
           gpointer      data,
           GCancellable *cancellable,
           GError      **error)
{
  ExportArgs *args = data;
  g_auto(ExportData) export = { NULL, NULL, NULL };

  /* One read transaction, so that the session and its items are seen at one moment. */
  if (!rp_store_db_exec (db, "BEGIN", _("export the session"), error))
    return NULL;
  export.record = rp_store_read_session (db, "id = ?", args->session_id, NULL, error);
  if (export.record)
    export.actions = rp_store_read_action_items (db, args->session_id, error);
  if (export.record && export.record->partner_id)
    export.partner = read_partner (db, export.record->partner_id);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  if (!export.actions)
    return NULL;
  return args->format == RP_STORE_EXPORT_JSON ? export_json (&export)
                                              : export_markdown (&export);
}

char *
rp_store_export_session (RpStore             *self,
                         gint64               session_id,
                         RpStoreExportFormat  format,
                         GError             **error)
{
  ExportArgs args = { session_id, format };

  g_return_val_if_fail (RP_IS_STORE (self), NULL);

  return rp_store_with_reader (self, export_in, &args, NULL, error);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ExportArgs *args = data;
  GError *error = NULL;
  char *text = rp_store_export_session (source, args->session_id, args->format, &error);

  if (text)
    g_task_return_pointer (task, text, g_free);
  else
    g_task_return_error (task, error);
}

void
rp_store_export_session_async (RpStore             *self,
                               gint64               session_id,
                               RpStoreExportFormat  format,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportArgs *args = g_new0 (ExportArgs, 1);

  g_return_if_fail (RP_IS_STORE (self));

  args->session_id = session_id;
  args->format = format;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rp_store_export_session_async);
  g_task_set_task_data (task, args, g_free);
  g_task_run_in_thread (task, export_thread);
}

char *
rp_store_export_session_finish (RpStore      *self,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
