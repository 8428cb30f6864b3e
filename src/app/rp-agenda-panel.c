/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rp-agenda-entry.h"
#include "rp-agenda-panel.h"
#include "rp-agenda-row.h"

/* The agenda: topics with planned minutes, ticked off in order. The first topic not done is
 * the current one; while the timer runs, its time counts up against the plan. Local state
 * for now; the shared agenda document replaces the GListStore later. */
struct _RpAgendaPanel
{
  GtkBox parent_instance;

  GtkLabel *current_title_label;
  GtkLabel *current_timer_label;
  GtkWidget *run_button;
  GtkImage *run_icon;
  GtkWidget *next_button;
  GtkListBox *list;
  GtkEntry *new_title_entry;
  GtkSpinButton *new_minutes_spin;

  GListStore *items;
  guint tick_source;
};

G_DEFINE_FINAL_TYPE (RpAgendaPanel, rp_agenda_panel, GTK_TYPE_BOX)

static RpAgendaEntry *
current_item (RpAgendaPanel *self, guint *position)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++)
    {
      g_autoptr (RpAgendaEntry) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (!rp_agenda_entry_get_done (item))
        {
          if (position != NULL)
            *position = i;
          return item;   /* the store keeps it alive */
        }
    }
  return NULL;
}

static void
update_current (RpAgendaPanel *self)
{
  guint position = 0;
  RpAgendaEntry *item = current_item (self, &position);
  g_autofree char *timer = NULL;
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self->current_timer_label));
  gboolean running = self->tick_source != 0;
  const char *run_label = running ? _("Pause the topic timer") : _("Start the topic timer");

  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);

      if (row == NULL)
        break;
      rp_agenda_row_set_current (RP_AGENDA_ROW (row), item != NULL && i == position);
    }

  gtk_widget_set_sensitive (self->run_button, item != NULL);
  gtk_widget_set_sensitive (self->next_button, item != NULL);
  gtk_image_set_from_icon_name (self->run_icon,
                                running ? "media-playback-pause-symbolic"
                                        : "media-playback-start-symbolic",
                                GTK_ICON_SIZE_BUTTON);
  gtk_widget_set_tooltip_text (self->run_button, run_label);
  atk_object_set_name (gtk_widget_get_accessible (self->run_button), run_label);

  if (item == NULL)
    {
      gtk_label_set_label (self->current_title_label,
                           g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0
                             ? _("All topics done") : _("No topics yet"));
      gtk_label_set_label (self->current_timer_label, "");
      return;
    }
  gtk_label_set_label (self->current_title_label, rp_agenda_entry_get_title (item));
  timer = g_strdup_printf ("%u:%02u / %u:00", rp_agenda_entry_get_elapsed (item) / 60,
                           rp_agenda_entry_get_elapsed (item) % 60,
                           rp_agenda_entry_get_minutes (item));
  gtk_label_set_label (self->current_timer_label, timer);
  /* Over time is shown, not enforced: the conversation matters more than the plan. */
  if (rp_agenda_entry_get_elapsed (item) > rp_agenda_entry_get_minutes (item) * 60)
    gtk_style_context_add_class (context, "rp-over-time");
  else
    gtk_style_context_remove_class (context, "rp-over-time");
}

static gboolean
on_tick (gpointer user_data)
{
  RpAgendaPanel *self = user_data;
  RpAgendaEntry *item = current_item (self, NULL);

  if (item != NULL)
    rp_agenda_entry_add_second (item);
  update_current (self);
  return G_SOURCE_CONTINUE;
}

static void
move_item (RpAgendaPanel *self, int delta, RpAgendaRow *row)
{
  int from = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
  int to = from + delta;
  g_autoptr (RpAgendaEntry) item = NULL;
  GtkListBoxRow *moved;

  if (to < 0 || to >= (int) g_list_model_get_n_items (G_LIST_MODEL (self->items)))
    return;
  item = g_object_ref (rp_agenda_row_get_item (row));
  g_list_store_remove (self->items, from);
  g_list_store_insert (self->items, to, item);
  /* Keep the keyboard where the user is: on the same control of the moved row. */
  moved = gtk_list_box_get_row_at_index (self->list, to);
  if (moved != NULL)
    gtk_widget_child_focus (GTK_WIDGET (moved), GTK_DIR_TAB_FORWARD);
  update_current (self);
}

static void
remove_item (RpAgendaPanel *self, RpAgendaRow *row)
{
  g_list_store_remove (self->items, gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));
  update_current (self);
}

static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  RpAgendaPanel *self = user_data;
  GtkWidget *row = rp_agenda_row_new (item);

  g_signal_connect_swapped (row, "move-requested", G_CALLBACK (move_item), self);
  g_signal_connect_swapped (row, "remove-requested", G_CALLBACK (remove_item), self);
  g_signal_connect_object (item, "notify::done", G_CALLBACK (update_current), self,
                           G_CONNECT_SWAPPED);
  return row;
}

static void
on_run_clicked (RpAgendaPanel *self)
{
  rp_agenda_panel_set_running (self, self->tick_source == 0);
}

static void
on_next_clicked (RpAgendaPanel *self)
{
  RpAgendaEntry *item = current_item (self, NULL);

  if (item != NULL)
    rp_agenda_entry_set_done (item, TRUE);
}

static void
on_add_clicked (RpAgendaPanel *self)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_entry_get_text (self->new_title_entry)));

  if (*title == '\0')
    return;
  rp_agenda_panel_add (self, title, gtk_spin_button_get_value_as_int (self->new_minutes_spin));
  gtk_entry_set_text (self->new_title_entry, "");
  gtk_widget_grab_focus (GTK_WIDGET (self->new_title_entry));
}

static void
rp_agenda_panel_dispose (GObject *object)
{
  RpAgendaPanel *self = RP_AGENDA_PANEL (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_object (&self->items);
  G_OBJECT_CLASS (rp_agenda_panel_parent_class)->dispose (object);
}

static void
rp_agenda_panel_class_init (RpAgendaPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_agenda_panel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-agenda-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, current_title_label);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, current_timer_label);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, run_button);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, run_icon);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, next_button);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, list);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, new_title_entry);
  gtk_widget_class_bind_template_child (widget_class, RpAgendaPanel, new_minutes_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_run_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_next_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_set_css_name (widget_class, "rp-agenda-panel");
}

static void
rp_agenda_panel_init (RpAgendaPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_list_store_new (RP_TYPE_AGENDA_ENTRY);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->items), create_row, self, NULL);
  update_current (self);
}

GListStore *
rp_agenda_panel_get_model (RpAgendaPanel *self)
{
  g_return_val_if_fail (RP_IS_AGENDA_PANEL (self), NULL);
  return self->items;
}

void
rp_agenda_panel_add (RpAgendaPanel *self, const char *title, guint minutes)
{
  g_autoptr (RpAgendaEntry) item = rp_agenda_entry_new (title, minutes);

  g_return_if_fail (RP_IS_AGENDA_PANEL (self));
  g_list_store_append (self->items, item);
  update_current (self);
}

void
rp_agenda_panel_set_running (RpAgendaPanel *self, gboolean running)
{
  g_return_if_fail (RP_IS_AGENDA_PANEL (self));

  if (running && self->tick_source == 0)
    self->tick_source = g_timeout_add_seconds (1, on_tick, self);
  else if (!running)
    g_clear_handle_id (&self->tick_source, g_source_remove);
  update_current (self);
}

void
rp_agenda_panel_focus (RpAgendaPanel *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->new_title_entry));
}
