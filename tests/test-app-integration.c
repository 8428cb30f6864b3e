/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtk/gtk.h>
#include <handy.h>
#include <string.h>

#include "rp-agenda-binding.h"
#include "rp-agenda-entry.h"
#include "rp-agenda-panel.h"
#include "rp-application.h"
#include "rp-call-docs.h"
#include "rp-call-view.h"
#include "rp-history-dialog.h"
#include "rp-home-view.h"
#include "rp-notes-panel.h"
#include "rp-preferences-window.h"
#include "rp-reminders.h"
#include "rp-schedule-flow.h"
#include "rp-session-item.h"
#include "rp-store.h"
#include "rp-test-gui.h"
#include "rp-test-peer.h"
#include "rp-window.h"

/* The app window wired to its real parts: the SQLite store under XDG_DATA_HOME, the shared
 * notes and agenda of a hosted session, the schedule dialog and the reminders. Each check reads
 * the store back through a second connection, as the next start of the app would. Every wait is
 * on a state; the watchdog only turns a hang into a failure. */


typedef struct {
  RpWindow *window;
} Fixture;

static char *data_dir;
static RpApplication *shared_app;

static RpStore *
open_store (void)
{
  g_autoptr (GError) error = NULL;
  RpStore *store = rp_store_new (NULL, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (rp_store_get_path (store), data_dir));
  return store;
}

static gint64
ensure_partner (const char *name, const char *zone)
{
  g_autoptr (RpStore) store = open_store ();
  g_autoptr (GPtrArray) partners = rp_store_list_partners (store, NULL);
  g_autoptr (RpPartner) partner = rp_partner_new (name, zone);

  for (guint i = 0; i < partners->len; i++)
    if (g_strcmp0 (((RpPartner *) partners->pdata[i])->name, name) == 0)
      return ((RpPartner *) partners->pdata[i])->id;
  partner->working_hours = g_strdup ("Mon-Fri 08:00-18:00");
  return rp_store_add_partner (store, partner, NULL);
}

static gboolean
book_loaded (gpointer data)
{
  return rp_partner_book_get_store (RP_PARTNER_BOOK (rp_window_get_book (data))) != NULL;
}

static gboolean
window_is_mapped (gpointer data)
{
  Fixture *fixture = data;

  fixture->window = RP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (shared_app)));
  return fixture->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (fixture->window));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  GSettings *settings;

  ensure_partner ("Aiko Tanaka", "Asia/Tokyo");
  settings = rp_application_get_settings (rp_test_gui_call_app (&shared_app, "UTC"));
  g_settings_reset (settings, "work-start");

  g_application_activate (G_APPLICATION (shared_app));
  rp_test_gui_wait ("the main window", window_is_mapped, fixture);
  rp_test_gui_wait ("the store to open", book_loaded, fixture->window);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  /* Pending idles of the window's widgets (libhandy's among them) run while they are alive:
   * one dispatched after the window is gone crashed in gtk_widget_get_settings (). */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  gtk_widget_destroy (GTK_WIDGET (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static HdyActionRow *
find_row (GtkListBox *list, const char *title)
{
  for (int i = 0; gtk_list_box_get_row_at_index (list, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (HDY_IS_ACTION_ROW (row)
          && strstr (hdy_preferences_row_get_title (HDY_PREFERENCES_ROW (row)), title) != NULL)
        return HDY_ACTION_ROW (row);
    }
  return NULL;
}

static RpPartnerItem *aiko_item (Fixture *fixture);

/* --- home view ------------------------------------------------------------------------- */

static void
test_partner_added_in_the_home_view_is_stored (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *home = rp_window_get_home_view (fixture->window);
  GtkListBox *partners = rp_test_gui_template_child (home, RP_TYPE_HOME_VIEW, "partners_list");
  GtkEntry *name = rp_test_gui_template_child (home, RP_TYPE_HOME_VIEW, "partner_name_entry");
  GtkEntry *zone = rp_test_gui_template_child (home, RP_TYPE_HOME_VIEW, "partner_zone_entry");
  GtkButton *add = rp_test_gui_template_child (home, RP_TYPE_HOME_VIEW, "partner_add_button");
  g_autoptr (RpStore) store = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  gboolean found = FALSE;

  g_assert_nonnull (find_row (partners, "Aiko Tanaka"));
  /* Her working hours come from the store (08:00-18:00), not a nine-to-five default. */
  {
    g_autoptr (GDateTime) wed_0830_tokyo = g_date_time_new_utc (2026, 11, 24, 23, 30, 0);
    g_autoptr (GDateTime) wed_1830_tokyo = g_date_time_new_utc (2026, 11, 25, 9, 30, 0);

    g_assert_true (rp_partner_item_is_working_at (aiko_item (fixture), wed_0830_tokyo));
    g_assert_false (rp_partner_item_is_working_at (aiko_item (fixture), wed_1830_tokyo));
  }
  gtk_entry_set_text (name, "Bea Santos");
  gtk_entry_set_text (zone, "America/Sao_Paulo");
  gtk_button_clicked (add);
  g_assert_nonnull (find_row (partners, "Bea Santos"));

  store = open_store ();
  stored = rp_store_list_partners (store, NULL);
  for (guint i = 0; i < stored->len; i++)
    {
      const RpPartner *p = stored->pdata[i];

      if (g_strcmp0 (p->name, "Bea Santos") == 0)
        found = g_strcmp0 (p->time_zone, "America/Sao_Paulo") == 0;
    }
  g_assert_true (found);
}

/* --- call: shared notes and agenda, recorded ---------------------------------------------- */

static gboolean
session_waiting (gpointer data)
{
  GObject *session = rp_call_view_get_session (data);
  RpSessionState state = RP_SESSION_STATE_IDLE;

  if (session != NULL)
    g_object_get (session, "state", &state, NULL);
  return state == RP_SESSION_STATE_WAITING;
}

static gboolean
page_is_home (gpointer data)
{
  return g_strcmp0 (rp_window_get_page (data), "home") == 0;
}

static RpPartnerItem *
aiko_item (Fixture *fixture)
{
  RpPartnerBook *book = RP_PARTNER_BOOK (rp_window_get_book (fixture->window));
  RpPartnerItem *aiko = rp_partner_book_find_partner (book, "Aiko Tanaka");

  g_assert_nonnull (aiko);
  return aiko;
}

static void
test_notes_and_agenda_are_shared_docs_and_recorded (Fixture *fixture, gconstpointer user_data)
{
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  RpNotesPanel *notes = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "notes_panel");
  RpAgendaPanel *agenda = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "agenda_panel");
  GtkTextBuffer *buffer = rp_notes_panel_get_buffer (notes);
  GtkListBox *recent = rp_test_gui_template_child (rp_window_get_home_view (fixture->window),
                                                   RP_TYPE_HOME_VIEW, "recent_list");
  RpCallDocs *docs;
  RpSharedDocs *shared;
  g_autofree char *doc_text = NULL;
  g_autofree char *uid = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (RpStore) store = NULL;
  g_autoptr (RpSessionRecord) record = NULL;
  g_autofree char *link = NULL;

  rp_window_start_session (fixture->window, aiko_item (fixture));
  rp_test_gui_wait ("the hosted session", session_waiting, call_view);
  docs = RP_CALL_DOCS (rp_call_view_get_docs (call_view));
  g_assert_nonnull (docs);
  shared = rp_call_docs_get_shared (docs);
  uid = g_strdup (rp_call_docs_get_record (docs)->uid);
  link = g_strdup (rp_call_view_get_link (call_view));
  g_assert_true (rp_notes_panel_get_binding (notes) == rp_call_docs_get_notes_binding (docs));

  /* Typing before the partner comes goes into the session's notes document. */
  gtk_text_buffer_insert_at_cursor (buffer, "Goals for the quarter", -1);
  doc_text = rp_text_doc_get_text (rp_shared_docs_get_notes (shared));
  g_assert_cmpstr (doc_text, ==, "Goals for the quarter");

  /* The agenda panel edits the shared agenda, and the agenda's changes show in the panel. */
  rp_agenda_panel_add (agenda, "Review the draft", 15);
  items = rp_agenda_list_items (rp_shared_docs_get_agenda (shared));
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((RpAgendaItem *) items->pdata[0])->title, ==, "Review the draft");
  g_assert_nonnull (rp_agenda_add_item (rp_shared_docs_get_agenda (shared), 1, "Next steps", 5,
                                        RP_AGENDA_OWNER_MENTEE, RP_AGENDA_KIND_ACTION_ITEM,
                                        NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rp_agenda_panel_get_model (agenda))),
                    ==, 2);

  rp_call_view_hang_up (call_view);
  rp_test_gui_wait ("the home view", page_is_home, fixture->window);
  g_assert_null (rp_call_view_get_docs (call_view));
  g_assert_nonnull (find_row (recent, "Aiko Tanaka"));

  store = open_store ();
  record = rp_store_get_session_by_uid (store, uid, NULL);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->notes, ==, "Goals for the quarter");
  g_assert_cmpstr (record->link, ==, link);
  g_assert_cmpint (record->partner_id, ==, rp_partner_item_get_id (aiko_item (fixture)));
  g_assert_cmpint (record->ended_at, >=, record->started_at);
  g_assert_cmpuint (record->agenda->len, ==, 2);
  g_assert_cmpstr (((RpOutcomeItem *) record->agenda->pdata[1])->title, ==, "Next steps");
  g_assert_cmpint (((RpOutcomeItem *) record->agenda->pdata[1])->kind, ==, RP_OUTCOME_KIND_ACTION);
}

static gboolean
agenda_has_items (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (rp_agenda_panel_get_model (data))) > 0;
}

static void
test_open_action_items_carry_into_the_next_agenda (Fixture *fixture, gconstpointer user_data)
{
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  RpAgendaPanel *agenda = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "agenda_panel");
  RpPartnerBook *book = RP_PARTNER_BOOK (rp_window_get_book (fixture->window));
  /* A partner of its own: the other tests' sessions with Aiko are not this one's history. */
  gint64 chidi = ensure_partner ("Chidi Okafor", "Africa/Lagos");
  g_autoptr (RpStore) store = open_store ();
  g_autoptr (RpSessionRecord) earlier = rp_session_record_new ();
  g_autoptr (RpAgendaEntry) first = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  earlier->partner_id = chidi;
  earlier->started_at = now - 7200;
  earlier->ended_at = now - 3600;
  earlier->duration_s = 3600;
  g_ptr_array_add (earlier->agenda,
                   rp_outcome_item_new ("Send the reading list", RP_OUTCOME_KIND_ACTION, FALSE));
  g_ptr_array_add (earlier->agenda,
                   rp_outcome_item_new ("Book the venue", RP_OUTCOME_KIND_ACTION, TRUE));
  g_assert_cmpint (rp_store_add_session (store, earlier, NULL), >, 0);
  g_assert_true (rp_store_update_session (store, earlier, NULL));
  g_assert_true (rp_store_close (store, NULL));
  g_assert_true (rp_partner_book_reload (book, NULL));

  rp_window_start_session (fixture->window,
                           rp_partner_book_find_partner (book, "Chidi Okafor"));
  rp_test_gui_wait ("the carried-over agenda", agenda_has_items, agenda);
  /* Only the open item comes along; the done one stays with the earlier session. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rp_agenda_panel_get_model (agenda))),
                    ==, 1);
  first = g_list_model_get_item (G_LIST_MODEL (rp_agenda_panel_get_model (agenda)), 0);
  g_assert_cmpstr (rp_agenda_entry_get_title (first), ==, "Send the reading list");
  g_assert_false (rp_agenda_entry_get_done (first));
  rp_test_gui_wait ("the hosted session", session_waiting, call_view);
  rp_call_view_hang_up (call_view);
  rp_test_gui_wait ("the home view", page_is_home, fixture->window);
}

/* A real partner: rapport-peer joins the hosted session, types into the notes and adds an
 * agenda item while the mentor types too; both edits meet in the panel and in the record. */
typedef struct {
  GtkTextBuffer *buffer;
  RpAgendaPanel *agenda;
  RpTestProc    *peer;
} PeerCall;

static gboolean
peer_exited (gpointer data)
{
  return ((PeerCall *) data)->peer->exited;
}

static gboolean
partner_edits_arrived (gpointer data)
{
  PeerCall *call = data;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  gboolean has_item = FALSE;
  GListModel *items = G_LIST_MODEL (rp_agenda_panel_get_model (call->agenda));

  gtk_text_buffer_get_bounds (call->buffer, &start, &end);
  text = gtk_text_buffer_get_text (call->buffer, &start, &end, FALSE);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr (RpAgendaEntry) entry = g_list_model_get_item (items, i);

      has_item |= g_strcmp0 (rp_agenda_entry_get_title (entry), "Career plan") == 0;
    }
  return strstr (text, "Hello from Aiko") != NULL && has_item;
}

static void
test_partner_edits_meet_in_the_panels_and_the_record (Fixture *fixture, gconstpointer user_data)
{
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  RpNotesPanel *notes = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "notes_panel");
  PeerCall call = { rp_notes_panel_get_buffer (notes),
                    rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "agenda_panel") };
  g_autoptr (RpStore) store = NULL;
  g_autoptr (RpSessionRecord) record = NULL;
  g_autofree char *uid = NULL;
  gboolean found = FALSE;

  rp_window_start_session (fixture->window, aiko_item (fixture));
  rp_test_gui_wait ("the hosted session", session_waiting, call_view);
  uid = g_strdup (rp_call_docs_get_record (RP_CALL_DOCS (rp_call_view_get_docs (call_view)))->uid);
  gtk_text_buffer_insert_at_cursor (call.buffer, "Mentor notes. ", -1);

  call.peer = rp_test_peer_spawn ("aiko", rp_call_view_get_link (call_view),
                                  "--name", "Aiko Tanaka",
                                  "--video", "test", "--audio", "test", "--audio-sink", "none",
                                  "--type", "Hello from Aiko", "--type-rate", "500",
                                  "--agenda-add", "Career plan", "--duration", "0", NULL);
  rp_test_gui_wait ("the partner's notes and agenda item", partner_edits_arrived, &call);

  rp_call_view_hang_up (call_view);
  rp_test_gui_wait ("the home view", page_is_home, fixture->window);
  rp_test_gui_wait ("rapport-peer to exit", peer_exited, &call);
  g_assert_cmpint (call.peer->status, ==, 0);
  g_clear_pointer (&call.peer, rp_test_proc_free);

  store = open_store ();
  record = rp_store_get_session_by_uid (store, uid, NULL);
  g_assert_nonnull (record);
  g_assert_nonnull (strstr (record->notes, "Mentor notes. "));
  g_assert_nonnull (strstr (record->notes, "Hello from Aiko"));
  g_assert_cmpint (record->started_at, >, 0);
  g_assert_cmpint (record->ended_at, >=, record->started_at);
  g_assert_cmpint (record->duration_s, ==, record->ended_at - record->started_at);
  for (guint i = 0; i < record->agenda->len; i++)
    found |= g_strcmp0 (((RpOutcomeItem *) record->agenda->pdata[i])->title, "Career plan") == 0;
  g_assert_true (found);
}

/* --- call: level meters ------------------------------------------------------------------ */

static gboolean
level_above_minimum (gpointer data)
{
  return gtk_level_bar_get_value (data) > gtk_level_bar_get_min_value (data);
}

static gboolean
level_at_minimum (gpointer data)
{
  return gtk_level_bar_get_value (data) == gtk_level_bar_get_min_value (data);
}

static gboolean
shown_speaking (gpointer data)
{
  return gtk_widget_get_opacity (data) == 1.0;
}

static gboolean
audio_stage_shown (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (data), "audio") == 0;
}

/* A real partner without a camera, sending an 880 Hz tone: the telephone case. Their meter under
 * the avatar moves with what is played; ours moves with what we send, and muting stills it. */
static void
test_level_meters_follow_the_partner_and_own_mute (Fixture *fixture, gconstpointer user_data)
{
  RpCallView *call_view = RP_CALL_VIEW (rp_window_get_call_view (fixture->window));
  GtkLevelBar *peer_level = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "peer_level");
  GtkLevelBar *mic_level = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "mic_level");
  GtkStack *stage = rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "stage_stack");
  PeerCall call = { NULL };

  rp_window_start_session (fixture->window, aiko_item (fixture));
  rp_test_gui_wait ("the hosted session", session_waiting, call_view);
  g_assert_true (level_at_minimum (peer_level));

  call.peer = rp_test_peer_spawn ("aiko", rp_call_view_get_link (call_view),
                                  "--name", "Aiko Tanaka", "--video", "none",
                                  "--audio", "test:880", "--audio-sink", "none",
                                  "--duration", "0", NULL);
  rp_test_gui_wait ("the partner's avatar", audio_stage_shown, stage);
  rp_test_gui_wait ("the partner's voice on the meter", level_above_minimum, peer_level);
  rp_test_gui_wait ("the partner shown speaking by their name",
            shown_speaking, rp_test_gui_template_child (call_view, RP_TYPE_CALL_VIEW, "speaking_icon"));
  rp_test_gui_wait ("our own microphone on its meter", level_above_minimum, mic_level);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "toggle-mic", NULL);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (mic_level)));
  rp_test_gui_wait ("the muted microphone's meter to fall", level_at_minimum, mic_level);
  /* Muting is ours alone: the partner is still heard. */
  g_assert_true (level_above_minimum (peer_level));

  rp_call_view_hang_up (call_view);
  rp_test_gui_wait ("the home view", page_is_home, fixture->window);
  rp_test_gui_wait ("rapport-peer to exit", peer_exited, &call);
  g_assert_cmpint (call.peer->status, ==, 0);
  g_clear_pointer (&call.peer, rp_test_proc_free);
  g_assert_true (level_at_minimum (peer_level));
}

/* --- agenda binding on its own ------------------------------------------------------------ */

static char *
agenda_titles (RpAgenda *agenda)
{
  g_autoptr (GPtrArray) items = rp_agenda_list_items (agenda);
  g_autoptr (GString) titles = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (titles, "%s%s%s", i ? "," : "", ((RpAgendaItem *) items->pdata[i])->title,
                            ((RpAgendaItem *) items->pdata[i])->done ? "+" : "");
  return g_string_free (g_steal_pointer (&titles), FALSE);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The panel moves an entry as a removal and an insertion; the document must see one move
 * (the item keeps its id, so the partner's concurrent edits to it survive), and a removal. */
static void
test_agenda_moves_and_removals_keep_identity (void)
{
  g_autoptr (GListStore) entries = g_list_store_new (RP_TYPE_AGENDA_ENTRY);
  g_autoptr (RpAgenda) agenda = rp_agenda_new ();
  g_autoptr (RpAgendaBinding) binding = rp_agenda_binding_new (entries, agenda);
  g_autoptr (RpAgendaEntry) first = rp_agenda_entry_new ("Intro", 5);
  g_autoptr (RpAgendaEntry) second = rp_agenda_entry_new ("Career", 20);
  g_autoptr (RpAgendaEntry) third = rp_agenda_entry_new ("Wrap up", 5);
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autofree char *titles = NULL;
  g_autofree char *moved_titles = NULL;
  g_autofree char *final_titles = NULL;

  g_list_store_append (entries, first);
  g_list_store_append (entries, second);
  g_list_store_append (entries, third);
  titles = agenda_titles (agenda);
  g_assert_cmpstr (titles, ==, "Intro,Career,Wrap up");
  before = rp_agenda_list_items (agenda);

  g_list_store_remove (entries, 2);           /* "Wrap up" to the top, as the panel does it */
  g_list_store_insert (entries, 0, third);
  drain ();
  rp_agenda_entry_set_done (first, TRUE);
  moved_titles = agenda_titles (agenda);
  g_assert_cmpstr (moved_titles, ==, "Wrap up,Intro+,Career");
  after = rp_agenda_list_items (agenda);
  g_assert_cmpstr (((RpAgendaItem *) after->pdata[0])->id, ==,
                   ((RpAgendaItem *) before->pdata[2])->id);

  g_list_store_remove (entries, 2);
  drain ();
  final_titles = agenda_titles (agenda);
  g_assert_cmpstr (final_titles, ==, "Wrap up,Intro+");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (entries)), ==, 2);
}

/* --- history ---------------------------------------------------------------------------- */

static RpHistoryDialog *
find_history_dialog (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (RP_IS_HISTORY_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

typedef struct {
  RpHistoryDialog *dialog;
  gint64 session_id;
  gboolean exported;
  GError *error;
} History;

static gboolean
session_found (gpointer data)
{
  History *history = data;
  GPtrArray *results = rp_history_dialog_get_results (history->dialog);

  for (guint i = 0; i < results->len; i++)
    if (((RpSearchHit *) results->pdata[i])->session_id == history->session_id)
      return TRUE;
  return FALSE;
}

static void
on_exported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  History *history = user_data;

  rp_history_dialog_export_finish (RP_HISTORY_DIALOG (source), result, &history->error);
  history->exported = TRUE;
}

static gboolean
export_done (gpointer data)
{
  return ((History *) data)->exported;
}

static void
test_history_finds_notes_and_exports_markdown (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (RpStore) store = open_store ();
  g_autoptr (RpSessionRecord) past = rp_session_record_new ();
  g_autofree char *path = g_build_filename (data_dir, "exported.md", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *markdown = NULL;
  History history = { NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  past->partner_id = rp_partner_item_get_id (aiko_item (fixture));
  past->started_at = now - 86400;
  past->ended_at = now - 86400 + 1800;
  past->duration_s = 1800;
  past->notes = g_strdup ("Practice the conference talk on Thursday");
  history.session_id = rp_store_add_session (store, past, NULL);
  g_assert_cmpint (history.session_id, >, 0);
  g_assert_true (rp_store_close (store, NULL));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "history", NULL);
  history.dialog = find_history_dialog ();
  g_assert_nonnull (history.dialog);
  rp_history_dialog_search (history.dialog, "conference thurs");
  rp_test_gui_wait ("the search result", session_found, &history);

  rp_history_dialog_export_async (history.dialog, history.session_id, file, on_exported,
                                  &history);
  rp_test_gui_wait ("the Markdown export", export_done, &history);
  g_assert_no_error (history.error);
  g_assert_true (g_file_get_contents (path, &markdown, NULL, NULL));
  g_assert_nonnull (strstr (markdown, "Practice the conference talk on Thursday"));
  g_assert_nonnull (strstr (markdown, "Aiko Tanaka"));
  gtk_widget_destroy (GTK_WIDGET (history.dialog));
}

static gboolean
record_shown (gpointer data)
{
  History *history = data;
  const RpSessionRecord *shown = rp_history_dialog_get_shown_session (history->dialog);

  return shown != NULL && shown->id == history->session_id;
}

static GtkListBoxRow *
find_session_row (GtkListBox *list, const char *key, gint64 session_id)
{
  for (int i = 0; gtk_list_box_get_row_at_index (list, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);
      gpointer data = g_object_get_data (G_OBJECT (row), key);
      gint64 id = 0;

      if (data != NULL && g_str_equal (key, "session"))
        id = rp_session_item_get_record (data)->id;
      else if (data != NULL)
        id = GPOINTER_TO_SIZE (data);
      if (id == session_id)
        return row;
    }
  return NULL;
}

static guint
count_rows (GtkListBox *list)
{
  g_autoptr (GList) rows = gtk_container_get_children (GTK_CONTAINER (list));

  return g_list_length (rows);
}

/* A click on a recent session of the home view opens its record: notes, how long it ran, and
 * the agenda as it ended with its action items; back leads to the other sessions. */
static void
test_recent_session_opens_its_record (Fixture *fixture, gconstpointer user_data)
{
  GtkListBox *recent = rp_test_gui_template_child (rp_window_get_home_view (fixture->window),
                                       RP_TYPE_HOME_VIEW, "recent_list");
  RpPartnerBook *book = RP_PARTNER_BOOK (rp_window_get_book (fixture->window));
  g_autoptr (RpStore) store = open_store ();
  g_autoptr (RpSessionRecord) past = rp_session_record_new ();
  History history = { NULL };
  GtkListBoxRow *row;
  GtkStack *pages;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  past->partner_id = rp_partner_item_get_id (aiko_item (fixture));
  past->started_at = now - 600;
  past->ended_at = now - 600 + 1800;
  past->duration_s = 1800;
  past->notes = g_strdup ("Aiko wants to lead the design review\n");
  g_ptr_array_add (past->agenda,
                   rp_outcome_item_new ("Design review", RP_OUTCOME_KIND_TOPIC, TRUE));
  g_ptr_array_add (past->agenda,
                   rp_outcome_item_new ("Draft the review agenda", RP_OUTCOME_KIND_ACTION, FALSE));
  history.session_id = rp_store_add_session (store, past, NULL);
  g_assert_cmpint (history.session_id, >, 0);
  g_assert_true (rp_store_close (store, NULL));
  g_assert_true (rp_partner_book_reload (book, NULL));

  row = find_session_row (recent, "session", history.session_id);
  g_assert_nonnull (row);
  g_assert_true (gtk_list_box_row_get_activatable (row));
  gtk_widget_activate (GTK_WIDGET (row));
  history.dialog = find_history_dialog ();
  g_assert_nonnull (history.dialog);
  rp_test_gui_wait ("the session's record", record_shown, &history);

  pages = rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG, "page_stack");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, "session");
  g_assert_cmpstr (gtk_label_get_label (rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG,
                                                        "session_notes_label")),
                   ==, "Aiko wants to lead the design review");
  g_assert_nonnull (strstr (gtk_label_get_label (rp_test_gui_template_child (history.dialog,
                                                                 RP_TYPE_HISTORY_DIALOG,
                                                                 "session_when_label")),
                            "30 minutes"));
  g_assert_nonnull (strstr (gtk_label_get_label (rp_test_gui_template_child (history.dialog,
                                                                 RP_TYPE_HISTORY_DIALOG,
                                                                 "session_title_label")),
                            "Aiko Tanaka"));
  g_assert_cmpuint (count_rows (rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG,
                                                "session_agenda_list")), ==, 2);
  g_assert_nonnull (find_row (rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG,
                                              "session_agenda_list"),
                              "Draft the review agenda"));

  /* Back to the list, and from a row of it to the same record again. */
  gtk_button_clicked (rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG, "back_button"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, "list");
  g_assert_null (rp_history_dialog_get_shown_session (history.dialog));
  row = find_session_row (rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG, "results_list"),
                          "session-id", history.session_id);
  g_assert_nonnull (row);
  gtk_widget_activate (GTK_WIDGET (row));
  rp_test_gui_wait ("the session's record from the list", record_shown, &history);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, "session");
  gtk_widget_destroy (GTK_WIDGET (history.dialog));
}

static GtkWidget *
find_file_chooser (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_FILE_CHOOSER_DIALOG (l->data) && gtk_widget_get_mapped (l->data))
      return l->data;
  return NULL;
}

static void
count_results (guint *count)
{
  (*count)++;
}

static gboolean
searched (gpointer count)
{
  return *(guint *) count > 0;
}

static gboolean
chooser_has_name (gpointer chooser)
{
  g_autofree char *name = gtk_file_chooser_get_filename (chooser);

  return g_strcmp0 (name, g_object_get_data (chooser, "expected")) == 0;
}

static gboolean
file_chooser_shown (gpointer data)
{
  return find_file_chooser () != NULL;
}

static gboolean
status_says_exported (gpointer data)
{
  GtkLabel *status = data;

  return gtk_widget_get_visible (GTK_WIDGET (status))
         && strstr (gtk_label_get_label (status), "exported.md") != NULL;
}

static void
find_export_button (GtkWidget *widget, gpointer data)
{
  GtkWidget **button = data;

  if (*button == NULL && GTK_IS_BUTTON (widget) && g_object_get_data (G_OBJECT (widget), "session-id"))
    *button = widget;
  else if (*button == NULL && GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), find_export_button, data);
}

/* The way a user does it: the dialog lists recent sessions before anything is typed, typing
 * searches (through the entry's own delayed search-changed), the row's button opens a file
 * chooser, and the status says where the file went. */
static void
test_history_lists_recent_and_exports_through_the_chooser (Fixture *fixture,
                                                          gconstpointer user_data)
{
  RpPartnerBook *book = RP_PARTNER_BOOK (rp_window_get_book (fixture->window));
  g_autoptr (RpStore) store = open_store ();
  g_autoptr (RpSessionRecord) past = rp_session_record_new ();
  g_autofree char *path = g_build_filename (data_dir, "exported.md", NULL);
  g_autofree char *markdown = NULL;
  History history = { NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GtkEntry *search;
  GtkLabel *status;
  GtkWidget *results;
  GtkWidget *export = NULL;
  GtkWidget *chooser;
  guint searches = 0;

  past->partner_id = rp_partner_item_get_id (aiko_item (fixture));
  past->started_at = now - 3600;
  past->ended_at = now - 1800;
  past->duration_s = 1800;
  past->notes = g_strdup ("Mock interview went well\nNext: salary negotiation");
  history.session_id = rp_store_add_session (store, past, NULL);
  g_assert_cmpint (history.session_id, >, 0);
  g_assert_true (rp_store_update_session (store, past, NULL));
  g_assert_true (rp_store_close (store, NULL));
  g_assert_true (rp_partner_book_reload (book, NULL));
  g_unlink (path);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "history", NULL);
  history.dialog = find_history_dialog ();
  g_assert_nonnull (history.dialog);
  search = rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG, "search_entry");
  status = rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG, "status_label");
  results = rp_test_gui_template_child (history.dialog, RP_TYPE_HISTORY_DIALOG, "results_list");
  g_assert_true (session_found (&history));

  g_signal_connect_swapped (history.dialog, "results-changed", G_CALLBACK (count_results),
                            &searches);
  gtk_entry_set_text (search, "salary negoti");
  rp_test_gui_wait ("the typed search", searched, &searches);
  g_assert_cmpuint (rp_history_dialog_get_results (history.dialog)->len, ==, 1);
  g_assert_true (session_found (&history));

  find_export_button (results, &export);
  g_assert_nonnull (export);
  gtk_button_clicked (GTK_BUTTON (export));
  rp_test_gui_wait ("the file chooser", file_chooser_shown, NULL);
  chooser = find_file_chooser ();
  g_assert_nonnull (strstr (gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser)),
                            "Aiko Tanaka"));
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), data_dir));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "exported.md");
  /* The chooser takes the name only once it has loaded the folder; until then it ignores
   * the answer (as it would a user's Enter). */
  g_object_set_data_full (G_OBJECT (chooser), "expected", g_strdup (path), g_free);
  rp_test_gui_wait ("the chooser to take the name", chooser_has_name, chooser);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  rp_test_gui_wait ("the export's status", status_says_exported, status);

  g_assert_true (g_file_get_contents (path, &markdown, NULL, NULL));
  g_assert_nonnull (strstr (markdown, "salary negotiation"));
  gtk_widget_destroy (GTK_WIDGET (history.dialog));
}

/* --- scheduling ------------------------------------------------------------------------- */

static RpScheduleDialog *
find_schedule_dialog (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (RP_IS_SCHEDULE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
dialog_has_slots (gpointer data)
{
  return rp_schedule_dialog_get_n_slots (data) > 0 && rp_schedule_dialog_get_selected (data);
}

static void
test_schedule_action_opens_dialog_and_adds_to_upcoming (Fixture *fixture,
                                                        gconstpointer user_data)
{
  GtkListBox *upcoming = rp_test_gui_template_child (rp_window_get_home_view (fixture->window),
                                                     RP_TYPE_HOME_VIEW, "upcoming_list");
  RpScheduleDialog *dialog;
  g_autoptr (GError) error = NULL;
  g_autoptr (RpStore) store = NULL;
  g_autoptr (GPtrArray) planned = NULL;
  g_autofree char *me_zone = NULL, *partner_zone = NULL, *partner_hours = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* Berlin from 07:00 and Tokyo until 18:00 share a few morning hours (Tokyo's evening). */
  g_settings_set_string (rp_application_get_settings (shared_app), "time-zone", "Europe/Berlin");
  g_settings_set_uint (rp_application_get_settings (shared_app), "work-start", 7 * 60);
  g_assert_null (find_schedule_dialog ());
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "schedule",
                                  g_variant_new_string ("Aiko Tanaka"));
  dialog = find_schedule_dialog ();
  g_assert_nonnull (dialog);
  g_object_get (dialog, "me-zone", &me_zone, "partner-zone", &partner_zone,
                "partner-hours", &partner_hours, NULL);
  g_assert_cmpstr (me_zone, ==, "Europe/Berlin");
  g_assert_cmpstr (partner_zone, ==, "Asia/Tokyo");
  /* The partner's own hours from the store (in its canonical form), not a default. */
  g_assert_true (g_str_has_prefix (partner_hours, "Mon 08:00-18:00;"));
  rp_test_gui_wait ("candidate slots", dialog_has_slots, dialog);

  g_assert_true (rp_schedule_flow_add_selected (dialog, &error));
  g_assert_no_error (error);
  gtk_widget_destroy (GTK_WIDGET (dialog));
  g_assert_nonnull (find_row (upcoming, "Aiko Tanaka"));

  store = open_store ();
  planned = rp_store_list_upcoming_sessions (store, 0, now, 10, NULL);
  g_assert_cmpuint (planned->len, >=, 1);
  g_assert_cmpstr (((RpSessionRecord *) planned->pdata[0])->scheduled_zone, ==, "Europe/Berlin");
  g_assert_cmpint (rp_session_record_get_next_instant (planned->pdata[0], now), >, now);
}

/* The desktop's notification server, on the test's own session bus (dbus-run-session): the
 * app's GNotification arrives as a real Notify call, which is what a desktop would show. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "</interface></node>";

static char *notified_summary;
static char *notified_actions;

static void
on_notification_call (GDBusConnection *connection, const char *sender, const char *path,
                      const char *interface, const char *method, GVariant *parameters,
                      GDBusMethodInvocation *invocation, gpointer user_data)
{
  const char *summary = NULL;
  g_autofree const char **actions = NULL;

  if (g_strcmp0 (method, "GetCapabilities") == 0)
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(^as)", caps));
      return;
    }
  g_variant_get_child (parameters, 3, "&s", &summary);
  g_variant_get_child (parameters, 5, "^a&s", &actions);
  g_free (notified_summary);
  notified_summary = g_strdup (summary);
  g_free (notified_actions);
  notified_actions = g_strjoinv ("|", (char **) actions);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 1));
}

static void
serve_notifications (void)
{
  static const GDBusInterfaceVTable vtable = { on_notification_call };
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (shared_app));
  static gboolean serving;

  if (serving)
    return;
  g_assert_nonnull (bus);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", node->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                NULL, NULL, NULL, NULL);
  serving = TRUE;
}

static gboolean
notification_shown (gpointer data)
{
  return notified_summary != NULL;
}

typedef struct {
  char *uid;
} Reminded;

static void
on_reminded (RpReminders *reminders, const char *uid, gint64 when, Reminded *reminded)
{
  g_free (reminded->uid);
  reminded->uid = g_strdup (uid);
}

static gboolean
was_reminded (gpointer data)
{
  return ((Reminded *) data)->uid != NULL;
}

static void
test_planned_session_soon_is_reminded (Fixture *fixture, gconstpointer user_data)
{
  RpPartnerBook *book = RP_PARTNER_BOOK (rp_window_get_book (fixture->window));
  RpReminders *reminders = RP_REMINDERS (rp_window_get_reminders (fixture->window));
  g_autoptr (RpSessionRecord) record = rp_session_record_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) soon = g_date_time_add_minutes (now, 5);
  Reminded reminded = { NULL };
  gint64 due = 0;
  const char *uid = NULL;

  record->partner_id = rp_partner_item_get_id (aiko_item (fixture));
  record->scheduled_zone = g_strdup ("UTC");
  record->scheduled_local = g_date_time_format (soon, "%Y-%m-%dT%H:%M:00");
  record->planned_minutes = 30;
  g_assert_true (rp_partner_book_add_planned (book, record, NULL));
  g_assert_false (rp_reminders_get_next (reminders, NULL, NULL));   /* reminders are off */

  serve_notifications ();
  g_signal_connect (reminders, "reminded", G_CALLBACK (on_reminded), &reminded);
  g_settings_set_uint (rp_application_get_settings (shared_app), "reminder-minutes", 10);
  g_assert_true (rp_reminders_get_next (reminders, &due, &uid));
  g_assert_cmpstr (uid, ==, record->uid);
  rp_test_gui_wait ("the reminder", was_reminded, &reminded);
  g_assert_cmpstr (reminded.uid, ==, record->uid);
  rp_test_gui_wait ("the desktop notification", notification_shown, NULL);
  g_assert_nonnull (strstr (notified_summary, "Session with Aiko Tanaka at "));
  g_assert_nonnull (strstr (notified_actions, "|Join"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (shared_app), "join-session"));
  g_settings_set_uint (rp_application_get_settings (shared_app), "reminder-minutes", 0);
  g_signal_handlers_disconnect_by_data (reminders, &reminded);
  g_free (reminded.uid);
}

/* Preferences → Reminder sets the minutes the reminders use. */
static void
test_reminder_minutes_are_set_in_preferences (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *preferences = NULL;
  GtkSpinButton *spin;
  g_autoptr (GList) toplevels = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (shared_app), "preferences", NULL);
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (RP_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);
  spin = rp_test_gui_template_child (preferences, RP_TYPE_PREFERENCES_WINDOW, "reminder_spin");
  gtk_spin_button_set_value (spin, 25);
  g_assert_cmpuint (g_settings_get_uint (rp_application_get_settings (shared_app),
                                         "reminder-minutes"), ==, 25);
  /* Closed while its device probe may still run: the probe must leave the window alone. */
  gtk_widget_destroy (preferences);
  g_settings_set_uint (rp_application_get_settings (shared_app), "reminder-minutes", 0);
}

int
main (int argc, char **argv)
{
  g_autofree char *schemas = g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), "data", NULL);
  int status;

  g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  data_dir = g_dir_make_tmp ("rapport-appint-XXXXXX", NULL);
  g_assert_nonnull (data_dir);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add ("/app/store/partner-added-in-the-home-view-is-stored", Fixture, NULL,
              fixture_set_up, test_partner_added_in_the_home_view_is_stored, fixture_tear_down);
  g_test_add ("/app/call/notes-and-agenda-are-shared-docs-and-recorded", Fixture, NULL,
              fixture_set_up, test_notes_and_agenda_are_shared_docs_and_recorded,
              fixture_tear_down);
  g_test_add ("/app/call/open-action-items-carry-into-the-next-agenda", Fixture, NULL,
              fixture_set_up, test_open_action_items_carry_into_the_next_agenda,
              fixture_tear_down);
  g_test_add ("/app/call/partner-edits-meet-in-the-panels-and-the-record", Fixture, NULL,
              fixture_set_up, test_partner_edits_meet_in_the_panels_and_the_record,
              fixture_tear_down);
  g_test_add ("/app/call/level-meters-follow-the-partner-and-own-mute", Fixture, NULL,
              fixture_set_up, test_level_meters_follow_the_partner_and_own_mute,
              fixture_tear_down);
  g_test_add_func ("/app/agenda/moves-and-removals-keep-identity",
                   test_agenda_moves_and_removals_keep_identity);
  g_test_add ("/app/history/lists-recent-and-exports-through-the-chooser", Fixture, NULL,
              fixture_set_up, test_history_lists_recent_and_exports_through_the_chooser,
              fixture_tear_down);
  g_test_add ("/app/history/recent-session-opens-its-record", Fixture, NULL,
              fixture_set_up, test_recent_session_opens_its_record, fixture_tear_down);
  g_test_add ("/app/history/finds-notes-and-exports-markdown", Fixture, NULL,
              fixture_set_up, test_history_finds_notes_and_exports_markdown, fixture_tear_down);
  g_test_add ("/app/schedule/action-opens-dialog-and-adds-to-upcoming", Fixture, NULL,
              fixture_set_up, test_schedule_action_opens_dialog_and_adds_to_upcoming,
              fixture_tear_down);
  g_test_add ("/app/schedule/planned-session-soon-is-reminded", Fixture, NULL,
              fixture_set_up, test_planned_session_soon_is_reminded, fixture_tear_down);
  g_test_add ("/app/schedule/reminder-minutes-are-set-in-preferences", Fixture, NULL,
              fixture_set_up, test_reminder_minutes_are_set_in_preferences, fixture_tear_down);
  status = g_test_run ();
  g_clear_object (&shared_app);
  rp_test_remove_tree (data_dir);
  g_free (data_dir);
  return status;
}
