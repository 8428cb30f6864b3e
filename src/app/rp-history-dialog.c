/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <handy.h>
#include <string.h>

#include "rp-history-dialog.h"
#include "rp-session-item.h"

struct _RpHistoryDialog
{
  GtkDialog parent_instance;

  GtkStack *page_stack;
  GtkSearchEntry *search_entry;
  GtkLabel *status_label;
  GtkListBox *results_list;
  GtkLabel *session_title_label;
  GtkLabel *session_when_label;
  GtkLabel *session_notes_label;
  GtkListBox *session_agenda_list;
  GtkWidget *session_export_button;

  RpStore *store;
  GListModel *recent;       /* of RpSessionItem: listed while the query is empty */
  GCancellable *search;     /* the search in flight */
  GCancellable *lifetime;   /* exports: cancelled when the dialog goes */
  GPtrArray *results;
  gint64 wanted_session;    /* the session asked for; a load of another one is stale */
  RpSessionRecord *shown;   /* the session on the record page, NULL on the list */
  gboolean opens_on_record; /* asked for a record before it showed: no slide from the list */
};

G_DEFINE_FINAL_TYPE (RpHistoryDialog, rp_history_dialog, GTK_TYPE_DIALOG)

enum {
  SIGNAL_RESULTS_CHANGED,
  SIGNAL_SESSION_SHOWN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define SEARCH_LIMIT 50

static void
set_status (RpHistoryDialog *self, const char *text)
{
  gtk_label_set_label (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
}

/* --- export ------------------------------------------------------------------------------ */

static void
on_export_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_exported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  char *markdown = rp_store_export_session_finish (RP_STORE (source), result, &error);
  g_autoptr (GBytes) bytes = NULL;

  if (markdown == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  bytes = g_bytes_new_take (markdown, strlen (markdown));
  g_file_replace_contents_bytes_async (g_task_get_task_data (task), bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION,
                                       g_task_get_cancellable (task), on_export_written,
                                       g_object_ref (task));
}

void
rp_history_dialog_export_async (RpHistoryDialog    *self,
                                gint64              session_id,
                                GFile              *file,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, self->lifetime, callback, user_data);

  g_task_set_source_tag (task, rp_history_dialog_export_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  rp_store_export_session_async (self->store, session_id, RP_STORE_EXPORT_MARKDOWN,
                                 self->lifetime, on_exported, g_steal_pointer (&task));
}

gboolean
rp_history_dialog_export_finish (RpHistoryDialog *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_export_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RpHistoryDialog *self = RP_HISTORY_DIALOG (source);
  g_autoptr (GFile) file = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (rp_history_dialog_export_finish (self, result, &error))
    {
      g_autofree char *name = g_file_get_parse_name (file);

      /* Nothing else on screen changes: say where the file went. */
      message = g_strdup_printf (_("Exported to %s"), name);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup_printf (_("Could not export the session: %s"), error->message);
  if (message != NULL)
    set_status (self, message);
}

static void
on_export_chosen (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  RpHistoryDialog *self = RP_HISTORY_DIALOG (user_data);
  gint64 session_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (chooser), "session-id"));
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (file != NULL)
    rp_history_dialog_export_async (self, session_id, file, on_export_done,
                                    g_object_ref (file));
}

static void
on_export_clicked (GtkButton *button, RpHistoryDialog *self)
{
  GtkFileChooserNative *chooser;
  gint64 session_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "session-id"));
  const char *suggested = g_object_get_data (G_OBJECT (button), "file-name");

  chooser = gtk_file_chooser_native_new (_("Export Session"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                         _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  gtk_file_chooser_set_do_overwrite_confirmation (GTK_FILE_CHOOSER (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "session-id", GSIZE_TO_POINTER ((gsize) session_id));
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* --- search ------------------------------------------------------------------------------ */

static const char *
hit_who (const RpSearchHit *hit)
{
  return hit->partner_name ? hit->partner_name
                           : (hit->title && *hit->title ? hit->title : _("A session"));
}

static char *
hit_title (const RpSearchHit *hit)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (hit->started_at);
  /* Translators: a past session's date, see strftime(3) */
  g_autofree char *date = when ? g_date_time_format (when, _("%-d %b %Y")) : g_strdup ("");

  return g_strdup_printf (_("%s · %s"), hit_who (hit), date);
}

/* What an export button needs to offer a file chooser: the session and a file name for it. */
static void
set_export_data (GtkWidget *export, const RpSearchHit *hit)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (hit->started_at);
  const char *who = hit_who (hit);
  g_autofree char *file_date = when ? g_date_time_format (when, "%Y-%m-%d") : g_strdup ("");
  /* Translators: the suggested file name of an exported session: partner or title, and the
   * date as 2026-11-25 */
  g_autofree char *file_name = g_strdup_printf (_("%s %s.md"), who, file_date);

  g_object_set_data (G_OBJECT (export), "session-id", GSIZE_TO_POINTER ((gsize) hit->session_id));
  /* '/' cannot be in a file name; a title may have one. */
  g_strdelimit (file_name, "/", '-');
  g_object_set_data_full (G_OBJECT (export), "file-name", g_steal_pointer (&file_name), g_free);
}

static GtkWidget *
make_row (RpHistoryDialog *self, const RpSearchHit *hit)
{
  GtkWidget *row = hdy_action_row_new ();
  GtkWidget *export = gtk_button_new_from_icon_name ("document-save-as-symbolic",
                                                     GTK_ICON_SIZE_BUTTON);
  g_autofree char *title = hit_title (hit);

  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), title);
  hdy_action_row_set_subtitle (HDY_ACTION_ROW (row), hit->snippet ? hit->snippet : "");
  gtk_widget_set_valign (export, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (export, _("Export as Markdown…"));
  atk_object_set_name (gtk_widget_get_accessible (export), _("Export as Markdown…"));
  set_export_data (export, hit);
  g_signal_connect (export, "clicked", G_CALLBACK (on_export_clicked), self);
  gtk_container_add (GTK_CONTAINER (row), export);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data (G_OBJECT (row), "session-id", GSIZE_TO_POINTER ((gsize) hit->session_id));
  gtk_widget_show_all (row);
  return row;
}

static void
show_results (RpHistoryDialog *self, GPtrArray *results)
{
  g_autoptr (GList) rows = gtk_container_get_children (GTK_CONTAINER (self->results_list));

  for (GList *l = rows; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  self->results = g_ptr_array_ref (results);
  for (guint i = 0; i < results->len; i++)
    gtk_container_add (GTK_CONTAINER (self->results_list), make_row (self, results->pdata[i]));
  set_status (self, results->len == 0 ? _("No session mentions that.") : NULL);
  g_signal_emit (self, signals[SIGNAL_RESULTS_CHANGED], 0);
}

/* A recent session as a hit, its notes' first line as the snippet. */
static RpSearchHit *
hit_from_item (RpSessionItem *item)
{
  const RpSessionRecord *record = rp_session_item_get_record (item);
  RpSearchHit *hit = g_new0 (RpSearchHit, 1);
  const char *notes = record->notes != NULL ? record->notes : "";

  hit->session_id = record->id;
  hit->title = g_strdup (record->title);
  hit->partner_name = g_strdup (rp_session_item_get_partner_name (item));
  hit->started_at = record->started_at;
  hit->snippet = g_strndup (notes, strcspn (notes, "\n"));
  return hit;
}

static void
show_recent (RpHistoryDialog *self)
{
  g_autoptr (GPtrArray) recent = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_search_hit_free);
  guint n = self->recent != NULL ? g_list_model_get_n_items (self->recent) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RpSessionItem) item = g_list_model_get_item (self->recent, i);

      if (rp_session_item_get_record (item) != NULL)
        g_ptr_array_add (recent, hit_from_item (item));
    }
  show_results (self, recent);
  set_status (self, recent->len > 0
                      ? _("Your recent sessions. Type to search the notes and agendas of all of them.")
                      : _("No sessions yet. After a call its notes and agenda are kept here."));
}

static void
on_searched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = rp_store_search_finish (RP_STORE (source), result, &error);
  RpHistoryDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* a newer search, or the dialog went */
  self = RP_HISTORY_DIALOG (user_data);
  if (results == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not search: %s"), error->message);

      set_status (self, message);
      return;
    }
  show_results (self, results);
}

static void
on_search_changed (RpHistoryDialog *self)
{
  g_autofree char *query = g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (self->search_entry))));

  g_cancellable_cancel (self->search);
  g_clear_object (&self->search);
  if (*query == '\0')
    {
      show_recent (self);
      return;
    }
  self->search = g_cancellable_new ();
  /* The callback runs only if not cancelled, and the dialog cancels it when it goes. */
  rp_store_search_async (self->store, query, SEARCH_LIMIT, self->search, on_searched, self);
}

/* --- one session's record ---------------------------------------------------------------- */

typedef struct {
  RpSessionRecord *record;
  char *partner_name;
} LoadedSession;

static void
loaded_session_free (LoadedSession *loaded)
{
  g_clear_pointer (&loaded->record, rp_session_record_free);
  g_free (loaded->partner_name);
  g_free (loaded);
}

/* The store answers from its own connection's lock, as for search and export: off the main
 * loop, so a large record never stalls the window. */
static void
load_session_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  gint64 session_id = *(gint64 *) data;
  GError *error = NULL;
  LoadedSession *loaded;
  RpSessionRecord *record = rp_store_get_session (source, session_id, &error);

  if (record == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  loaded = g_new0 (LoadedSession, 1);
  loaded->record = record;
  if (record->partner_id > 0)
    {
      g_autoptr (RpPartner) partner = rp_store_get_partner (source, record->partner_id, NULL);

      loaded->partner_name = partner != NULL ? g_strdup (partner->name) : NULL;
    }
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_session_free);
}

static char *
describe_when (const RpSessionRecord *record)
{
  g_autoptr (GDateTime) start = NULL;
  g_autofree char *date = NULL;
  guint minutes;

  if (record->started_at <= 0)
    return g_strdup (_("This session was not held."));
  start = g_date_time_new_from_unix_local (record->started_at);
  /* Translators: when a past session began, see strftime(3) */
  date = g_date_time_format (start, _("%A %-d %B %Y, %H:%M"));
  minutes = (guint) ((MAX (record->duration_s, 0) + 30) / 60);
  if (minutes == 0)
    /* Translators: %s is the date and time of a session */
    return g_strdup_printf (_("%s · less than a minute"), date);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u minute", "%s · %u minutes",
                                       minutes),
                          date, minutes);
}

static char *
describe_outcome (const RpOutcomeItem *item)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();

  if (item->kind == RP_OUTCOME_KIND_ACTION)
    g_ptr_array_add (parts, (gpointer) _("Action item"));
  if (g_strcmp0 (item->owner, "mentor") == 0)
    g_ptr_array_add (parts, (gpointer) _("Mentor"));
  else if (g_strcmp0 (item->owner, "mentee") == 0)
    g_ptr_array_add (parts, (gpointer) _("Mentee"));
  g_ptr_array_add (parts, (gpointer) (item->done ? _("Done") : _("Open")));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static GtkWidget *
make_outcome_row (const RpOutcomeItem *item)
{
  GtkWidget *row = hdy_action_row_new ();
  GtkWidget *mark = gtk_image_new_from_icon_name (item->done ? "object-select-symbolic"
                                                             : "media-record-symbolic",
                                                  GTK_ICON_SIZE_BUTTON);
  g_autofree char *subtitle = describe_outcome (item);

  if (!item->done)
    gtk_style_context_add_class (gtk_widget_get_style_context (mark), "dim-label");
  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), item->title);
  hdy_action_row_set_subtitle (HDY_ACTION_ROW (row), subtitle);
  hdy_action_row_add_prefix (HDY_ACTION_ROW (row), mark);
  gtk_widget_show_all (row);
  return row;
}

static void
fill_agenda (RpHistoryDialog *self, const RpSessionRecord *record)
{
  g_autoptr (GList) rows = gtk_container_get_children (GTK_CONTAINER (self->session_agenda_list));

  for (GList *l = rows; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  for (guint i = 0; i < record->agenda->len; i++)
    gtk_container_add (GTK_CONTAINER (self->session_agenda_list),
                       make_outcome_row (record->agenda->pdata[i]));
  if (record->agenda->len == 0)
    {
      GtkWidget *row = hdy_action_row_new ();

      hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), _("Nothing was on the agenda."));
      gtk_widget_show (row);
      gtk_container_add (GTK_CONTAINER (self->session_agenda_list), row);
    }
}

static void
show_record (RpHistoryDialog *self, RpSessionRecord *record, const char *partner_name)
{
  RpSearchHit hit = { .session_id = record->id, .title = record->title,
                      .partner_name = (char *) partner_name, .started_at = record->started_at };
  g_autofree char *when = describe_when (record);
  gboolean has_notes;

  /* A line break the editor left at the end would show as a blank line. */
  if (record->notes != NULL)
    g_strstrip (record->notes);
  has_notes = record->notes != NULL && *record->notes != '\0';

  /* The date is in the line below, with the time and the length. */
  gtk_label_set_label (self->session_title_label, hit_who (&hit));
  gtk_label_set_label (self->session_when_label, when);
  gtk_label_set_label (self->session_notes_label,
                       has_notes ? record->notes : _("No notes were written."));
  gtk_widget_set_opacity (GTK_WIDGET (self->session_notes_label), has_notes ? 1.0 : 0.55);
  fill_agenda (self, record);
  set_export_data (self->session_export_button, &hit);
  g_clear_pointer (&self->shown, rp_session_record_free);
  self->shown = record;
  gtk_stack_set_visible_child_full (self->page_stack, "session",
                                    self->opens_on_record ? GTK_STACK_TRANSITION_TYPE_NONE
                                    : gtk_stack_get_transition_type (self->page_stack));
  self->opens_on_record = FALSE;
  g_signal_emit (self, signals[SIGNAL_SESSION_SHOWN], 0);
}

static void
on_session_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  LoadedSession *loaded = g_task_propagate_pointer (G_TASK (result), &error);
  RpHistoryDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the dialog went */
  self = RP_HISTORY_DIALOG (user_data);
  if (loaded == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the session: %s"),
                                                  error->message);

      set_status (self, message);
      return;
    }
  if (loaded->record->id == self->wanted_session)
    show_record (self, g_steal_pointer (&loaded->record), loaded->partner_name);
  loaded_session_free (loaded);
}

static void
on_result_activated (RpHistoryDialog *self, GtkListBoxRow *row)
{
  gint64 session_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "session-id"));

  if (session_id > 0)
    rp_history_dialog_show_session (self, session_id);
}

static void
on_back_clicked (RpHistoryDialog *self)
{
  self->wanted_session = 0;
  g_clear_pointer (&self->shown, rp_session_record_free);
  gtk_stack_set_visible_child_name (self->page_stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* --- GObject ----------------------------------------------------------------------------- */

static void
rp_history_dialog_dispose (GObject *object)
{
  RpHistoryDialog *self = RP_HISTORY_DIALOG (object);

  g_cancellable_cancel (self->search);
  g_clear_object (&self->search);
  g_cancellable_cancel (self->lifetime);
  g_clear_object (&self->lifetime);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->shown, rp_session_record_free);
  g_clear_object (&self->recent);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (rp_history_dialog_parent_class)->dispose (object);
}

static void
rp_history_dialog_class_init (RpHistoryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_history_dialog_dispose;

  signals[SIGNAL_RESULTS_CHANGED] =
    g_signal_new ("results-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SESSION_SHOWN] =
    g_signal_new ("session-shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-history-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, page_stack);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, results_list);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, session_title_label);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, session_when_label);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, session_notes_label);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, session_agenda_list);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, session_export_button);
  /* Not needed by the code, but reachable through gtk_widget_get_template_child () for tests. */
  gtk_widget_class_bind_template_child_full (widget_class, "back_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_result_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
}

static void
rp_history_dialog_init (RpHistoryDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->lifetime = g_cancellable_new ();
  self->results = g_ptr_array_new ();
}

RpHistoryDialog *
rp_history_dialog_new (GtkWindow *parent, RpStore *store)
{
  RpHistoryDialog *self;

  g_return_val_if_fail (RP_IS_STORE (store), NULL);
  self = g_object_new (RP_TYPE_HISTORY_DIALOG, "transient-for", parent, "use-header-bar", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  return self;
}

void
rp_history_dialog_set_recent (RpHistoryDialog *self, GListModel *recent)
{
  g_return_if_fail (RP_IS_HISTORY_DIALOG (self));
  g_return_if_fail (recent == NULL || G_IS_LIST_MODEL (recent));

  g_set_object (&self->recent, recent);
  if (*gtk_entry_get_text (GTK_ENTRY (self->search_entry)) == '\0')
    show_recent (self);
}

void
rp_history_dialog_search (RpHistoryDialog *self, const char *query)
{
  g_return_if_fail (RP_IS_HISTORY_DIALOG (self));
  gtk_entry_set_text (GTK_ENTRY (self->search_entry), query);
  /* search-changed is delayed by the entry; start at once. */
  on_search_changed (self);
}

GPtrArray *
rp_history_dialog_get_results (RpHistoryDialog *self)
{
  g_return_val_if_fail (RP_IS_HISTORY_DIALOG (self), NULL);
  return self->results;
}

void
rp_history_dialog_show_session (RpHistoryDialog *self, gint64 session_id)
{
  g_autoptr (GTask) task = NULL;
  gint64 *id = g_new (gint64, 1);

  g_return_if_fail (RP_IS_HISTORY_DIALOG (self));
  g_return_if_fail (session_id > 0);

  *id = session_id;
  self->wanted_session = session_id;
  self->opens_on_record = !gtk_widget_get_mapped (GTK_WIDGET (self));
  task = g_task_new (self->store, self->lifetime, on_session_loaded, self);
  g_task_set_source_tag (task, rp_history_dialog_show_session);
  g_task_set_task_data (task, id, g_free);
  g_task_run_in_thread (task, load_session_thread);
}

const RpSessionRecord *
rp_history_dialog_get_shown_session (RpHistoryDialog *self)
{
  g_return_val_if_fail (RP_IS_HISTORY_DIALOG (self), NULL);
  return self->shown;
}
