/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rp-agenda-row.h"

struct _RpAgendaRow
{
  GtkListBoxRow parent_instance;

  GtkCheckButton *done_check;
  GtkLabel *title_label;
  GtkLabel *time_label;
  GtkWidget *up_button;
  GtkWidget *down_button;
  GtkWidget *remove_button;

  RpAgendaEntry *item;
  GBinding *done_binding;
};

G_DEFINE_FINAL_TYPE (RpAgendaRow, rp_agenda_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  SIGNAL_MOVE,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_accessible_name (GtkWidget *widget, const char *format, const char *title)
{
  g_autofree char *name = g_strdup_printf (format, title);

  atk_object_set_name (gtk_widget_get_accessible (widget), name);
}

static void
update_time (RpAgendaRow *self)
{
  guint elapsed = rp_agenda_entry_get_elapsed (self->item);
  guint minutes = rp_agenda_entry_get_minutes (self->item);
  g_autofree char *text = NULL;

  if (elapsed == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", minutes),
                            minutes);
  else
    /* Translators: time spent on a topic out of its planned minutes, "4:12 of 10 min" */
    text = g_strdup_printf (_("%u:%02u of %u min"), elapsed / 60, elapsed % 60, minutes);
  gtk_label_set_label (self->time_label, text);
}

static void
update_done (RpAgendaRow *self)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (rp_agenda_entry_get_done (self->item))
    gtk_style_context_add_class (context, "rp-done");
  else
    gtk_style_context_remove_class (context, "rp-done");
}

static void
on_up_clicked (RpAgendaRow *self)
{
  g_signal_emit (self, signals[SIGNAL_MOVE], 0, -1);
}

static void
on_down_clicked (RpAgendaRow *self)
{
  g_signal_emit (self, signals[SIGNAL_MOVE], 0, 1);
}

static void
on_remove_clicked (RpAgendaRow *self)
{
  g_signal_emit (self, signals[SIGNAL_REMOVE], 0);
}

static void
rp_agenda_row_dispose (GObject *object)
{
  RpAgendaRow *self = RP_AGENDA_ROW (object);

  if (self->done_binding != NULL)
    {
      g_binding_unbind (self->done_binding);
      self->done_binding = NULL;
    }
  g_clear_object (&self->item);
  G_OBJECT_CLASS (rp_agenda_row_parent_class)->dispose (object);
}

static void
rp_agenda_row_class_init (RpAgendaRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_agenda_row_dispose;

  signals[SIGNAL_MOVE] =
    g_signal_new ("move-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  signals[SIGNAL_REMOVE] =
    g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-agenda-row.ui");
  gtk_widget_class_bind_template_child (widget_class, RpAgendaRow, done_check);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaRow, up_button);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaRow, down_button);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaRow, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, on_up_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_down_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_clicked);
}

static void
rp_agenda_row_init (RpAgendaRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rp_agenda_row_new (RpAgendaEntry *item)
{
  RpAgendaRow *self = g_object_new (RP_TYPE_AGENDA_ROW, NULL);
  const char *title = rp_agenda_entry_get_title (item);

  self->item = g_object_ref (item);
  gtk_label_set_label (self->title_label, title);
  self->done_binding = g_object_bind_property (item, "done", self->done_check, "active",
                                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (item, "notify::elapsed", G_CALLBACK (update_time), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (item, "notify::done", G_CALLBACK (update_done), self,
                           G_CONNECT_SWAPPED);
  set_accessible_name (GTK_WIDGET (self->done_check), _("Done: %s"), title);
  set_accessible_name (self->up_button, _("Move “%s” up"), title);
  set_accessible_name (self->down_button, _("Move “%s” down"), title);
  set_accessible_name (self->remove_button, _("Remove “%s”"), title);
  update_time (self);
  update_done (self);
  return GTK_WIDGET (self);
}

RpAgendaEntry *
rp_agenda_row_get_item (RpAgendaRow *self)
{
  return self->item;
}

void
rp_agenda_row_set_current (RpAgendaRow *self, gboolean current)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (current)
    gtk_style_context_add_class (context, "rp-current");
  else
    gtk_style_context_remove_class (context, "rp-current");
}
