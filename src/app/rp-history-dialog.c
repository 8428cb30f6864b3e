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

  GtkSearchEntry *search_entry;
  GtkLabel *status_label;
  GtkListBox *results_list;

  RpStore *store;
  GListModel *recent;       /* of RpSessionItem: listed while the query is empty */
  GCancellable *search;     /* the search in flight */
  GCancellable *lifetime;   /* exports: cancelled when the dialog goes */
  GPtrArray *results;
};

G_DEFINE_FINAL_TYPE (RpHistoryDialog, rp_history_dialog, GTK_TYPE_DIALOG)

enum {
  SIGNAL_RESULTS_CHANGED,
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

static GtkWidget *
make_row (RpHistoryDialog *self, const RpSearchHit *hit)
{
  GtkWidget *row = hdy_action_row_new ();
  GtkWidget *export = gtk_button_new_from_icon_name ("document-save-as-symbolic",
                                                     GTK_ICON_SIZE_BUTTON);
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (hit->started_at);
  /* Translators: a past session's date, see strftime(3) */
  g_autofree char *date = when ? g_date_time_format (when, _("%-d %b %Y")) : g_strdup ("");
  const char *who = hit->partner_name ? hit->partner_name
                                      : (hit->title && *hit->title ? hit->title : _("A session"));
  g_autofree char *title = g_strdup_printf (_("%s · %s"), who, date);
  g_autofree char *file_date = when ? g_date_time_format (when, "%Y-%m-%d") : g_strdup ("");
  /* Translators: the suggested file name of an exported session: partner or title, and the
   * date as 2026-11-25 */
  g_autofree char *file_name = g_strdup_printf (_("%s %s.md"), who, file_date);

  hdy_preferences_row_set_title (HDY_PREFERENCES_ROW (row), title);
  hdy_action_row_set_subtitle (HDY_ACTION_ROW (row), hit->snippet ? hit->snippet : "");
  gtk_widget_set_valign (export, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (export, _("Export as Markdown…"));
  atk_object_set_name (gtk_widget_get_accessible (export), _("Export as Markdown…"));
  g_object_set_data (G_OBJECT (export), "session-id", GSIZE_TO_POINTER ((gsize) hit->session_id));
  /* '/' cannot be in a file name; a title may have one. */
  g_strdelimit (file_name, "/", '-');
  g_object_set_data_full (G_OBJECT (export), "file-name", g_steal_pointer (&file_name), g_free);
  g_signal_connect (export, "clicked", G_CALLBACK (on_export_clicked), self);
  gtk_container_add (GTK_CONTAINER (row), export);
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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-history-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, RpHistoryDialog, results_list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
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
