/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-peer's shared notes and agenda. The peer keeps the same RpSharedDocs the app does
 * (stored with --store, synced over the call's data channel), can be scripted to type into the
 * notes and edit the agenda like a person would, and reports the documents as JSON lines that
 * tests compare across processes: a SHA-256 of the notes text, the agenda's items.
 *
 * Events (in addition to PROTOCOL.md's, which this never changes), each with `event`, `t_ms`:
 *   docs-loaded  {notes_sha256, notes_length, agenda_items[, text]}  after loading the store
 *   docs-synced  {}                  the peer's answer to our HELLO is merged (each connection)
 *   notes        {sha256, length[, text]}  the notes changed, then stayed still for 150 ms
 *   agenda       {sha256, items: [{title, minutes, owner, kind, done}]}  likewise
 *   typing       {typed}             every 10 characters typed by the script
 *   script-done  {typed, agenda}     the script's last edit is made
 *   docs-error   {message}           a refused peer message, a store failure
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "rp-peer-docs.h"
#include "rp-peer-events.h"
#include "rp-shared-docs.h"
#include "rp-store.h"

#define SETTLE_MS 150
#define AGENDA_INTERVAL_MS 250
#define PROGRESS_EVERY 10

typedef enum {
  EDIT_AFTER_START,
  EDIT_AFTER_JOINED,
  EDIT_AFTER_SYNCED,
} EditAfter;

typedef struct {
  RpSession    *session;
  gint64        t0_us;
  gboolean      events;
  RpStore      *store;
  RpSharedDocs *docs;
  gboolean      script_started;

  /* typing */
  gunichar     *text;
  glong         text_len;
  glong         typed;
  gsize         cursor;
  guint         type_id;
  GRand        *rand;

  /* agenda */
  GPtrArray    *actions;
  guint         next_action;
  guint         agenda_id;

  guint         notes_settle_id;
  guint         agenda_settle_id;
  char         *last_notes_sha;
  char         *last_agenda_sha;
  gboolean      done;
} PeerDocs;

/* Options. */
static char  *opt_store;
static char  *opt_client_id;
static char  *opt_type;
static char  *opt_type_file;
static double opt_type_rate = 20.0;
static char  *opt_type_at;
static int    opt_seed = -1;
static int    opt_backspace_every;
static char **opt_agenda_add;
static char **opt_agenda;
static char  *opt_edit_after;
static gboolean opt_print_text;
static gboolean opt_docs_events;

/* ---- output ------------------------------------------------------------------------------ */

/* Docs events are printed only when the docs are in use (--store, a script, --docs-events), so
 * a plain call prints PROTOCOL.md's events alone; they are still built, for their hashes. */
static void
event_end (PeerDocs    *pd,
           JsonBuilder *b)
{
  if (pd->events)
    rp_peer_event_end (b);
  else
    g_object_unref (b);
}

/* ---- documents as events ----------------------------------------------------------------- */

static void
add_notes (PeerDocs    *pd,
           JsonBuilder *b,
           const char  *prefix,
           char       **sha_out)
{
  RpTextDoc *notes = rp_shared_docs_get_notes (pd->docs);
  g_autofree char *text = rp_text_doc_get_text (notes);
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  g_autofree char *sha_key = g_strconcat (prefix, "sha256", NULL);
  g_autofree char *len_key = g_strconcat (prefix, "length", NULL);

  rp_peer_event_add_string (b, sha_key, sha);
  rp_peer_event_add_int (b, len_key, (gint64) rp_text_doc_get_length (notes));
  if (opt_print_text)
    rp_peer_event_add_string (b, "text", text);
  if (sha_out != NULL)
    *sha_out = g_steal_pointer (&sha);
}

static const char *
owner_name (RpAgendaOwner owner)
{
  return owner == RP_AGENDA_OWNER_MENTOR ? "mentor" : "mentee";
}

static const char *
kind_name (RpAgendaKind kind)
{
  return kind == RP_AGENDA_KIND_TOPIC ? "topic" : "action";
}

/* The items as a JSON array, and a SHA-256 of its canonical text (ids included: two agendas
 * are equal only if they hold the same items, not merely items with the same titles). */
static void
add_agenda (PeerDocs    *pd,
            JsonBuilder *b,
            char       **sha_out)
{
  g_autoptr(GPtrArray) items = rp_agenda_list_items (rp_shared_docs_get_agenda (pd->docs));
  g_autoptr(GString) canon = g_string_new (NULL);
  g_autofree char *sha = NULL;

  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < items->len; i++)
    {
      const RpAgendaItem *item = items->pdata[i];

      g_string_append_printf (canon, "%s\t%s\t%u\t%s\t%s\t%d\n", item->id, item->title,
                              item->minutes, owner_name (item->owner), kind_name (item->kind),
                              item->done);
      json_builder_begin_object (b);
      rp_peer_event_add_string (b, "title", item->title);
      rp_peer_event_add_int (b, "minutes", item->minutes);
      rp_peer_event_add_string (b, "owner", owner_name (item->owner));
      rp_peer_event_add_string (b, "kind", kind_name (item->kind));
      rp_peer_event_add_boolean (b, "done", item->done);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canon->str, canon->len);
  rp_peer_event_add_string (b, "sha256", sha);
  if (sha_out != NULL)
    *sha_out = g_steal_pointer (&sha);
}

static void
print_notes (PeerDocs *pd)
{
  JsonBuilder *b;
  g_autofree char *sha = NULL;

  g_clear_handle_id (&pd->notes_settle_id, g_source_remove);
  b = rp_peer_event_begin (pd->t0_us, "notes");
  add_notes (pd, b, "", &sha);
  if (g_strcmp0 (sha, pd->last_notes_sha) == 0)
    {
      g_object_unref (b);
      return;
    }
  g_free (pd->last_notes_sha);
  pd->last_notes_sha = g_steal_pointer (&sha);
  event_end (pd, b);
}

static void
print_agenda (PeerDocs *pd)
{
  JsonBuilder *b;
  g_autofree char *sha = NULL;

  g_clear_handle_id (&pd->agenda_settle_id, g_source_remove);
  b = rp_peer_event_begin (pd->t0_us, "agenda");
  add_agenda (pd, b, &sha);
  if (g_strcmp0 (sha, pd->last_agenda_sha) == 0)
    {
      g_object_unref (b);
      return;
    }
  g_free (pd->last_agenda_sha);
  pd->last_agenda_sha = g_steal_pointer (&sha);
  event_end (pd, b);
}

static gboolean
notes_settled (gpointer data)
{
  PeerDocs *pd = data;

  pd->notes_settle_id = 0;
  print_notes (pd);
  return G_SOURCE_REMOVE;
}

static gboolean
agenda_settled (gpointer data)
{
  PeerDocs *pd = data;

  pd->agenda_settle_id = 0;
  print_agenda (pd);
  return G_SOURCE_REMOVE;
}

/* Each change restarts the wait: the event reports the notes once they are still. */
static void
notes_changed (PeerDocs *pd)
{
  g_clear_handle_id (&pd->notes_settle_id, g_source_remove);
  pd->notes_settle_id = g_timeout_add (SETTLE_MS, notes_settled, pd);
}

static void
on_notes_update (RpTextDoc *notes,
                 GBytes    *update,
                 PeerDocs  *pd)
{
  notes_changed (pd);
}

/* The script's caret follows remote edits the way a text view's cursor does. */
static void
on_remote_insert (RpTextDoc  *notes,
                  guint       pos,
                  const char *text,
                  PeerDocs   *pd)
{
  if (pos <= pd->cursor)
    pd->cursor += g_utf8_strlen (text, -1);
  notes_changed (pd);
}

static void
on_remote_delete (RpTextDoc *notes,
                  guint      pos,
                  guint      len,
                  PeerDocs  *pd)
{
  if (pos < pd->cursor)
    pd->cursor -= MIN (len, pd->cursor - pos);
  notes_changed (pd);
}

static void
on_agenda_changed (RpAgenda *agenda,
                   PeerDocs *pd)
{
  g_clear_handle_id (&pd->agenda_settle_id, g_source_remove);
  pd->agenda_settle_id = g_timeout_add (SETTLE_MS, agenda_settled, pd);
}

/* ---- the script ---------------------------------------------------------------------------- */

static void
maybe_script_done (PeerDocs *pd)
{
  JsonBuilder *b;

  if (pd->done || pd->type_id != 0 || pd->agenda_id != 0)
    return;
  pd->done = TRUE;
  if (pd->text == NULL && pd->actions->len == 0)
    return;
  b = rp_peer_event_begin (pd->t0_us, "script-done");
  rp_peer_event_add_int (b, "typed", pd->typed);
  rp_peer_event_add_int (b, "agenda", pd->next_action);
  event_end (pd, b);
}

static gboolean
type_tick (gpointer data)
{
  PeerDocs *pd = data;
  RpTextDoc *notes = rp_shared_docs_get_notes (pd->docs);
  g_autoptr(GError) error = NULL;
  char buf[8];
  gint n;

  if (pd->typed >= pd->text_len)
    {
      pd->type_id = 0;
      maybe_script_done (pd);
      return G_SOURCE_REMOVE;
    }
  pd->cursor = MIN (pd->cursor, rp_text_doc_get_length (notes));
  if (g_strcmp0 (opt_type_at, "random") == 0 && (pd->typed == 0 || pd->text[pd->typed - 1] == ' '))
    pd->cursor = g_rand_int_range (pd->rand, 0, (gint32) rp_text_doc_get_length (notes) + 1);
  else if (g_strcmp0 (opt_type_at, "random") != 0)
    pd->cursor = rp_text_doc_get_length (notes);
  n = g_unichar_to_utf8 (pd->text[pd->typed], buf);
  if (!rp_text_doc_insert (notes, pd->cursor, buf, n, &error))
    g_warning ("The script could not type: %s", error->message);
  pd->cursor++;
  pd->typed++;
  if (opt_backspace_every > 0 && pd->typed % opt_backspace_every == 0 && pd->cursor > 0 &&
      rp_text_doc_delete (notes, pd->cursor - 1, 1, NULL))
    pd->cursor--;
  if (pd->typed % PROGRESS_EVERY == 0)
    {
      JsonBuilder *b = rp_peer_event_begin (pd->t0_us, "typing");

      rp_peer_event_add_int (b, "typed", pd->typed);
      event_end (pd, b);
    }
  return G_SOURCE_CONTINUE;
}

static RpAgendaItem *
find_item (RpAgenda   *agenda,
           const char *title)
{
  g_autoptr(GPtrArray) items = rp_agenda_list_items (agenda);

  for (guint i = 0; i < items->len; i++)
    {
      RpAgendaItem *item = items->pdata[i];

      if (g_strcmp0 (item->title, title) == 0)
        return rp_agenda_item_copy (item);
    }
  return NULL;
}

/* One agenda action ("add:T", "done:T", "undone:T", "minutes:T=N", "rename:T=NEW",
 * "owner:T=mentor|mentee", "move:T=INDEX", "remove:T"). FALSE while its item does not exist
 * yet (it may be the peer's, still on its way). */
static gboolean
run_action (RpAgenda   *agenda,
            const char *action,
            GError    **error)
{
  g_auto(GStrv) verb = g_strsplit (action, ":", 2);
  g_auto(GStrv) arg = NULL;
  g_autoptr(RpAgendaItem) item = NULL;
  g_autofree char *id = NULL;

  if (g_str_equal (verb[0], "add"))
    {
      id = rp_agenda_add_item (agenda, -1, verb[1], 10, RP_AGENDA_OWNER_MENTOR,
                               RP_AGENDA_KIND_TOPIC, error);
      return TRUE;
    }
  arg = g_strsplit (verb[1], "=", 2);
  item = find_item (agenda, arg[0]);
  if (item == NULL)
    return FALSE;
  if (g_str_equal (verb[0], "done") || g_str_equal (verb[0], "undone"))
    rp_agenda_set_done (agenda, item->id, g_str_equal (verb[0], "done"), error);
  else if (g_str_equal (verb[0], "remove"))
    rp_agenda_remove_item (agenda, item->id, error);
  else if (g_str_equal (verb[0], "minutes") && arg[1] != NULL)
    rp_agenda_set_minutes (agenda, item->id, (guint) g_ascii_strtoull (arg[1], NULL, 10), error);
  else if (g_str_equal (verb[0], "rename") && arg[1] != NULL)
    rp_agenda_set_title (agenda, item->id, arg[1], error);
  else if (g_str_equal (verb[0], "owner") && arg[1] != NULL)
    rp_agenda_set_owner (agenda, item->id, g_str_equal (arg[1], "mentee") ?
                         RP_AGENDA_OWNER_MENTEE : RP_AGENDA_OWNER_MENTOR, error);
  else if (g_str_equal (verb[0], "move") && arg[1] != NULL)
    rp_agenda_move_item (agenda, item->id, (guint) g_ascii_strtoull (arg[1], NULL, 10), error);
  return TRUE;
}

static gboolean
agenda_tick (gpointer data)
{
  PeerDocs *pd = data;
  g_autoptr(GError) error = NULL;

  if (pd->next_action < pd->actions->len &&
      run_action (rp_shared_docs_get_agenda (pd->docs), pd->actions->pdata[pd->next_action],
                  &error))
    {
      if (error != NULL)
        g_warning ("Agenda action “%s” failed: %s", (char *) pd->actions->pdata[pd->next_action],
                   error->message);
      pd->next_action++;
    }
  if (pd->next_action < pd->actions->len)
    return G_SOURCE_CONTINUE;
  pd->agenda_id = 0;
  maybe_script_done (pd);
  return G_SOURCE_REMOVE;
}

static void
start_script (PeerDocs *pd)
{
  if (pd->script_started)
    return;
  pd->script_started = TRUE;
  if (pd->text_len > 0)
    pd->type_id = g_timeout_add (MAX (1, (guint) (1000.0 / opt_type_rate)), type_tick, pd);
  if (pd->actions->len > 0)
    pd->agenda_id = g_timeout_add (AGENDA_INTERVAL_MS, agenda_tick, pd);
  maybe_script_done (pd);
}

static EditAfter
edit_after (void)
{
  if (g_strcmp0 (opt_edit_after, "start") == 0)
    return EDIT_AFTER_START;
  if (g_strcmp0 (opt_edit_after, "joined") == 0)
    return EDIT_AFTER_JOINED;
  return EDIT_AFTER_SYNCED;
}

/* ---- the documents' life ----------------------------------------------------------------- */

static void
on_docs_synced (RpSharedDocs *docs,
                GParamSpec   *pspec,
                PeerDocs     *pd)
{
  JsonBuilder *b;

  if (!rp_shared_docs_is_synced (docs))
    return;
  b = rp_peer_event_begin (pd->t0_us, "docs-synced");
  event_end (pd, b);
  if (edit_after () == EDIT_AFTER_SYNCED)
    start_script (pd);
}

static void
on_docs_error (RpSharedDocs *docs,
               const GError *error,
               PeerDocs     *pd)
{
  JsonBuilder *b = rp_peer_event_begin (pd->t0_us, "docs-error");

  rp_peer_event_add_string (b, "message", error->message);
  event_end (pd, b);
}

static void
print_loaded (PeerDocs *pd)
{
  JsonBuilder *b = rp_peer_event_begin (pd->t0_us, "docs-loaded");
  g_autoptr(GPtrArray) items = rp_agenda_list_items (rp_shared_docs_get_agenda (pd->docs));

  add_notes (pd, b, "notes_", NULL);
  rp_peer_event_add_int (b, "agenda_items", items->len);
  event_end (pd, b);
}

/* The room's documents, once the room is known: at once for a link, at welcome for a host. */
static void
open_docs (PeerDocs   *pd,
           const char *room)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *doc_id = g_strconcat ("room/", room, NULL);
  RpTextDoc *notes;

  pd->docs = rp_shared_docs_new (pd->store, doc_id, room, &error);
  if (pd->docs == NULL)
    {
      JsonBuilder *b = rp_peer_event_begin (pd->t0_us, "docs-error");

      rp_peer_event_add_string (b, "message", error->message);
      event_end (pd, b);
      g_warning ("%s", error->message);
      return;
    }
  notes = rp_shared_docs_get_notes (pd->docs);
  pd->cursor = rp_text_doc_get_length (notes);
  g_signal_connect (notes, "update", G_CALLBACK (on_notes_update), pd);
  g_signal_connect (notes, "remote-insert", G_CALLBACK (on_remote_insert), pd);
  g_signal_connect (notes, "remote-delete", G_CALLBACK (on_remote_delete), pd);
  g_signal_connect (rp_shared_docs_get_agenda (pd->docs), "changed",
                    G_CALLBACK (on_agenda_changed), pd);
  g_signal_connect (pd->docs, "notify::synced", G_CALLBACK (on_docs_synced), pd);
  g_signal_connect (pd->docs, "error", G_CALLBACK (on_docs_error), pd);
  print_loaded (pd);
  rp_shared_docs_set_session (pd->docs, pd->session);
  if (edit_after () == EDIT_AFTER_START)
    start_script (pd);
}

static void
on_session_state (RpSession  *session,
                  GParamSpec *pspec,
                  PeerDocs   *pd)
{
  g_autofree char *room = NULL;

  g_object_get (session, "room", &room, NULL);
  if (pd->docs == NULL && room != NULL)
    open_docs (pd, room);
  if (pd->docs != NULL && edit_after () == EDIT_AFTER_JOINED &&
      rp_session_get_state (session) == RP_SESSION_STATE_WAITING)
    start_script (pd);
}

static void
peer_docs_free (PeerDocs *pd)
{
  g_clear_handle_id (&pd->type_id, g_source_remove);
  g_clear_handle_id (&pd->agenda_id, g_source_remove);
  g_clear_handle_id (&pd->notes_settle_id, g_source_remove);
  g_clear_handle_id (&pd->agenda_settle_id, g_source_remove);
  if (pd->docs != NULL)
    {
      g_signal_handlers_disconnect_by_data (rp_shared_docs_get_notes (pd->docs), pd);
      g_signal_handlers_disconnect_by_data (rp_shared_docs_get_agenda (pd->docs), pd);
      g_signal_handlers_disconnect_by_data (pd->docs, pd);
      rp_shared_docs_set_session (pd->docs, NULL);
    }
  g_clear_object (&pd->docs);
  g_clear_object (&pd->store);
  g_clear_pointer (&pd->rand, g_rand_free);
  g_clear_pointer (&pd->actions, g_ptr_array_unref);
  g_free (pd->text);
  g_free (pd->last_notes_sha);
  g_free (pd->last_agenda_sha);
  g_free (pd);
}

/* The call is over: report the documents as they are, make sure the store has all of it. */
static void
on_session_ended (RpSession  *session,
                  const char *reason,
                  PeerDocs   *pd)
{
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_data (session, pd);
  if (pd->docs != NULL)
    {
      print_notes (pd);
      print_agenda (pd);
      if (!rp_shared_docs_save (pd->docs, &error))
        on_docs_error (pd->docs, error, pd);
    }
  if (pd->store != NULL && !rp_store_close (pd->store, &error))
    g_warning ("Closing the store failed: %s", error->message);
  peer_docs_free (pd);
}

/* ---- setup --------------------------------------------------------------------------------- */

GOptionGroup *
rp_peer_docs_get_option_group (void)
{
  static const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &opt_store,
      "Keep the notes and agenda in this SQLite file (resumed after a restart)", "FILE" },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &opt_client_id,
      "This client's id (32 hex digits; the same id takes back its seat in the room)", "HEX" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &opt_type, "Type this text into the notes", "TEXT" },
    { "type-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_type_file,
      "Type the text of this file into the notes", "FILE" },
    { "type-rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_type_rate,
      "Characters typed per second (default 20)", "CHARS_PER_S" },
    { "type-at", 0, 0, G_OPTION_ARG_STRING, &opt_type_at,
      "Where to type: end (default) or random (a new place at each word)", "end|random" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &opt_seed, "Seed for --type-at random", "N" },
    { "backspace-every", 0, 0, G_OPTION_ARG_INT, &opt_backspace_every,
      "Delete the character just typed after every N typed", "N" },
    { "agenda-add", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_agenda_add,
      "Add an agenda item (repeatable; done before the --agenda actions)", "TITLE" },
    { "agenda", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_agenda,
      "An agenda edit, run in order, waiting for its item to exist: add:T, done:T, undone:T, "
      "minutes:T=N, rename:T=NEW, owner:T=mentor|mentee, move:T=INDEX, remove:T", "ACTION" },
    { "edit-after", 0, 0, G_OPTION_ARG_STRING, &opt_edit_after,
      "When the scripted edits begin: start, joined, or synced (default)", "WHEN" },
    { "print-text", 0, 0, G_OPTION_ARG_NONE, &opt_print_text,
      "Include the notes text in the notes and docs-loaded events", NULL },
    { "docs-events", 0, 0, G_OPTION_ARG_NONE, &opt_docs_events,
      "Report the shared documents even without other document options", NULL },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("docs", "Shared notes and agenda:",
                                            "Show the shared notes and agenda options",
                                            NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

const char *
rp_peer_docs_get_store_path (void)
{
  return opt_store;
}

static gboolean
is_client_id (const char *id)
{
  if (strlen (id) != 32)
    return FALSE;
  for (const char *c = id; *c; c++)
    if (!g_ascii_isxdigit (*c))
      return FALSE;
  return TRUE;
}

static gboolean
load_script (PeerDocs *pd,
             GError  **error)
{
  g_autofree char *contents = NULL;
  const char *text = opt_type;

  if (opt_type_file != NULL)
    {
      if (!g_file_get_contents (opt_type_file, &contents, NULL, error))
        return FALSE;
      text = contents;
    }
  if (text != NULL)
    {
      if (!g_utf8_validate (text, -1, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "The text to type is not UTF-8");
          return FALSE;
        }
      pd->text = g_utf8_to_ucs4_fast (text, -1, &pd->text_len);
    }
  for (char **t = opt_agenda_add; t != NULL && *t != NULL; t++)
    g_ptr_array_add (pd->actions, g_strconcat ("add:", *t, NULL));
  for (char **a = opt_agenda; a != NULL && *a != NULL; a++)
    {
      if (strchr (*a, ':') == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "Agenda action “%s” is not VERB:TITLE (see --help-docs)", *a);
          return FALSE;
        }
      g_ptr_array_add (pd->actions, g_strdup (*a));
    }
  return TRUE;
}

gboolean
rp_peer_docs_setup (RpSession *session,
                    gint64     t0_us,
                    GError   **error)
{
  PeerDocs *pd;

  if (opt_client_id != NULL && !is_client_id (opt_client_id))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--client-id takes 32 hex digits, not “%s”", opt_client_id);
      return FALSE;
    }
  if ((opt_type_at != NULL && !g_str_equal (opt_type_at, "end") &&
       !g_str_equal (opt_type_at, "random")) ||
      (opt_edit_after != NULL && !g_str_equal (opt_edit_after, "start") &&
       !g_str_equal (opt_edit_after, "joined") && !g_str_equal (opt_edit_after, "synced")))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--type-at takes end or random; --edit-after takes start, joined or synced");
      return FALSE;
    }
  if (opt_type_rate <= 0 || opt_backspace_every < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--type-rate must be positive and --backspace-every not negative");
      return FALSE;
    }
  pd = g_new0 (PeerDocs, 1);
  pd->session = session;
  pd->t0_us = t0_us;
  pd->actions = g_ptr_array_new_with_free_func (g_free);
  pd->rand = opt_seed >= 0 ? g_rand_new_with_seed ((guint32) opt_seed) : g_rand_new ();
  pd->events = opt_docs_events || opt_store != NULL || opt_type != NULL ||
               opt_type_file != NULL || opt_agenda_add != NULL || opt_agenda != NULL;
  if (!load_script (pd, error))
    {
      peer_docs_free (pd);
      return FALSE;
    }
  if (opt_store != NULL && (pd->store = rp_store_new (opt_store, error)) == NULL)
    {
      peer_docs_free (pd);
      return FALSE;
    }
  if (opt_client_id != NULL)
    g_object_set (session, "client-id", opt_client_id, NULL);
  g_signal_connect (session, "notify::state", G_CALLBACK (on_session_state), pd);
  g_signal_connect (session, "ended", G_CALLBACK (on_session_ended), pd);
  return TRUE;
}
