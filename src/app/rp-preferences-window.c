/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <math.h>

#include "rp-chime.h"
#include "rp-devices.h"
#include "rp-preferences-window.h"

struct _RpPreferencesWindow
{
  HdyPreferencesWindow parent_instance;

  GtkEntry *name_entry;
  GtkEntry *zone_entry;
  GtkSpinButton *work_start_spin;
  GtkSpinButton *work_end_spin;
  GtkSwitch *sounds_switch;
  GtkEntry *server_entry;
  GtkComboBoxText *camera_combo;
  GtkComboBoxText *microphone_combo;
  GtkComboBoxText *speaker_combo;
  GtkStack *preview_stack;
  GtkBox *preview_box;
  GtkLabel *preview_message;
  GtkLevelBar *mic_level;

  GSettings *settings;
  GCancellable *cancellable;
  GstElement *camera_pipeline;
  GstElement *mic_pipeline;
  guint mic_bus_watch;
  guint camera_bus_watch;
  RpChime *chime;
};

G_DEFINE_FINAL_TYPE (RpPreferencesWindow, rp_preferences_window, HDY_TYPE_PREFERENCES_WINDOW)

static void
destroy_child (GtkWidget *child, gpointer user_data)
{
  gtk_widget_destroy (child);
}

/* --- general page ------------------------------------------------------------------ */

static void
on_zone_changed (RpPreferencesWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_entry_get_text (self->zone_entry)));
  g_autoptr (GTimeZone) zone = *text ? g_time_zone_new_identifier (text) : NULL;
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self->zone_entry));

  /* Only a zone GLib knows is stored: an unknown name must never become UTC silently. */
  if (*text != '\0' && zone == NULL)
    {
      gtk_style_context_add_class (context, "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->zone_entry),
                                   _("Unknown time zone. Use a name such as “Europe/Berlin”."));
      return;
    }
  gtk_style_context_remove_class (context, "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->zone_entry), NULL);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "time-zone", text);
}

static gboolean
on_time_output (GtkSpinButton *spin, gpointer user_data)
{
  int minutes = (int) gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);

  gtk_entry_set_text (GTK_ENTRY (spin), text);
  return TRUE;
}

static int
on_time_input (GtkSpinButton *spin, double *new_value, gpointer user_data)
{
  const char *text = gtk_entry_get_text (GTK_ENTRY (spin));
  unsigned hours = 0, minutes = 0;

  if (sscanf (text, "%u:%u", &hours, &minutes) < 1 || hours > 24 || minutes > 59)
    return GTK_INPUT_ERROR;
  *new_value = hours * 60 + minutes;
  return TRUE;
}

static void
on_zones_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RpPreferencesWindow) self = user_data;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GtkListStore) store = NULL;
  g_autoptr (GtkEntryCompletion) completion = NULL;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, NULL, NULL, NULL))
    return;   /* no tzdata table: the entry still validates what is typed */
  store = gtk_list_store_new (1, G_TYPE_STRING);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], "\t", 4);

      if (lines[i][0] != '#' && g_strv_length (fields) >= 3)
        gtk_list_store_insert_with_values (store, NULL, -1, 0, fields[2], -1);
    }
  gtk_list_store_insert_with_values (store, NULL, -1, 0, "UTC", -1);
  completion = gtk_entry_completion_new ();
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (store));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_minimum_key_length (completion, 2);
  gtk_entry_set_completion (self->zone_entry, completion);
}

/* --- devices page: live previews --------------------------------------------------- */

static void
stop_pipeline (GstElement **pipeline, guint *watch)
{
  g_clear_handle_id (watch, g_source_remove);
  if (*pipeline != NULL)
    gst_element_set_state (*pipeline, GST_STATE_NULL);
  g_clear_object (pipeline);
}

static gboolean
on_camera_bus (GstBus *bus, GstMessage *message, gpointer user_data)
{
  RpPreferencesWindow *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gtk_label_set_label (self->preview_message, _("The camera could not be opened"));
      gtk_stack_set_visible_child_name (self->preview_stack, "message");
      self->camera_bus_watch = 0;
      stop_pipeline (&self->camera_pipeline, &self->camera_bus_watch);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_camera_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RpPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) camera = rp_devices_create_element_finish (result, &error);
  g_autoptr (GstBus) bus = NULL;
  GstElement *convert, *sink;
  GtkWidget *widget = NULL;

  /* Closed meanwhile: dispose cancelled us; hidden: unmap stopped the previews. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (camera == NULL)
    {
      gtk_label_set_label (self->preview_message, _("The camera could not be opened"));
      gtk_stack_set_visible_child_name (self->preview_stack, "message");
      return;
    }
  /* The camera was changed again while this one was being made: the newest one wins. */
  stop_pipeline (&self->camera_pipeline, &self->camera_bus_watch);
  sink = gst_element_factory_make ("gtksink", NULL);
  convert = gst_element_factory_make ("videoconvert", NULL);
  if (sink == NULL || convert == NULL)
    {
      g_clear_object (&sink);
      g_clear_object (&convert);
      return;
    }
  g_object_get (sink, "widget", &widget, NULL);
  gtk_container_foreach (GTK_CONTAINER (self->preview_box), destroy_child, NULL);
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_container_add (GTK_CONTAINER (self->preview_box), widget);
  gtk_widget_show (widget);
  g_object_unref (widget);

  self->camera_pipeline = gst_object_ref_sink (gst_pipeline_new ("camera-preview"));
  gst_bin_add_many (GST_BIN (self->camera_pipeline), g_object_ref (camera), convert, sink, NULL);
  gst_element_link_many (camera, convert, sink, NULL);
  bus = gst_element_get_bus (self->camera_pipeline);
  self->camera_bus_watch = gst_bus_add_watch (bus, on_camera_bus, self);
  gtk_stack_set_visible_child_name (self->preview_stack, "video");
  gst_element_set_state (self->camera_pipeline, GST_STATE_PLAYING);
}

static void
start_camera_preview (RpPreferencesWindow *self)
{
  g_autofree char *camera = g_settings_get_string (self->settings, "camera");

  stop_pipeline (&self->camera_pipeline, &self->camera_bus_watch);
  if (g_str_equal (camera, "none"))
    {
      gtk_label_set_label (self->preview_message, _("No camera: your partner sees your initials"));
      gtk_stack_set_visible_child_name (self->preview_stack, "message");
      return;
    }
  rp_devices_create_element_async (RP_DEVICE_CAMERA, camera, self->cancellable,
                                   on_camera_created, g_object_ref (self));
}

/* "level" posts the RMS in dB once per interval; -60 dB and below reads as silence. */
static gboolean
on_mic_bus (GstBus *bus, GstMessage *message, gpointer user_data)
{
  RpPreferencesWindow *self = user_data;
  const GstStructure *s = gst_message_get_structure (message);
  const GValue *rms;
  double db;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gtk_level_bar_set_value (self->mic_level, 0);
      self->mic_bus_watch = 0;
      stop_pipeline (&self->mic_pipeline, &self->mic_bus_watch);
      return G_SOURCE_REMOVE;
    }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT || s == NULL
      || !gst_structure_has_name (s, "level"))
    return G_SOURCE_CONTINUE;
  rms = gst_structure_get_value (s, "rms");
  if (rms == NULL || !GST_VALUE_HOLDS_LIST (rms) || gst_value_list_get_size (rms) == 0)
    return G_SOURCE_CONTINUE;
  db = g_value_get_double (gst_value_list_get_value (rms, 0));
  gtk_level_bar_set_value (self->mic_level, CLAMP ((db + 60.0) / 60.0, 0.0, 1.0));
  return G_SOURCE_CONTINUE;
}

static void
on_mic_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RpPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) mic = rp_devices_create_element_finish (result, &error);
  g_autoptr (GstBus) bus = NULL;
  GstElement *convert, *level, *sink;

  /* Closed meanwhile: dispose cancelled us; hidden: unmap stopped the previews. */
  if (mic == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  stop_pipeline (&self->mic_pipeline, &self->mic_bus_watch);
  convert = gst_element_factory_make ("audioconvert", NULL);
  level = gst_element_factory_make ("level", NULL);
  sink = gst_element_factory_make ("fakesink", NULL);
  if (convert == NULL || level == NULL || sink == NULL)
    {
      g_clear_object (&convert);
      g_clear_object (&level);
      g_clear_object (&sink);
      return;
    }
  g_object_set (level, "interval", (guint64) 100 * GST_MSECOND, "post-messages", TRUE, NULL);
  g_object_set (sink, "sync", TRUE, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (mic), "is-live"))
    g_object_set (mic, "is-live", TRUE, NULL);
  self->mic_pipeline = gst_object_ref_sink (gst_pipeline_new ("mic-level"));
  gst_bin_add_many (GST_BIN (self->mic_pipeline), g_object_ref (mic), convert, level, sink, NULL);
  gst_element_link_many (mic, convert, level, sink, NULL);
  bus = gst_element_get_bus (self->mic_pipeline);
  self->mic_bus_watch = gst_bus_add_watch (bus, on_mic_bus, self);
  gst_element_set_state (self->mic_pipeline, GST_STATE_PLAYING);
}

static void
start_mic_level (RpPreferencesWindow *self)
{
  g_autofree char *mic = g_settings_get_string (self->settings, "microphone");

  stop_pipeline (&self->mic_pipeline, &self->mic_bus_watch);
  gtk_level_bar_set_value (self->mic_level, 0);
  if (g_str_equal (mic, "none"))
    return;
  rp_devices_create_element_async (RP_DEVICE_MICROPHONE, mic, self->cancellable,
                                   on_mic_created, g_object_ref (self));
}

static void
on_test_sound_clicked (RpPreferencesWindow *self)
{
  rp_chime_play (self->chime, RP_CHIME_JOIN);
}

static void
rp_preferences_window_map (GtkWidget *widget)
{
  RpPreferencesWindow *self = RP_PREFERENCES_WINDOW (widget);

  GTK_WIDGET_CLASS (rp_preferences_window_parent_class)->map (widget);
  start_camera_preview (self);
  start_mic_level (self);
}

static void
rp_preferences_window_unmap (GtkWidget *widget)
{
  RpPreferencesWindow *self = RP_PREFERENCES_WINDOW (widget);

  stop_pipeline (&self->camera_pipeline, &self->camera_bus_watch);
  stop_pipeline (&self->mic_pipeline, &self->mic_bus_watch);
  GTK_WIDGET_CLASS (rp_preferences_window_parent_class)->unmap (widget);
}

/* --- GObject --------------------------------------------------------------------------- */

static void
rp_preferences_window_dispose (GObject *object)
{
  RpPreferencesWindow *self = RP_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_pipeline (&self->camera_pipeline, &self->camera_bus_watch);
  stop_pipeline (&self->mic_pipeline, &self->mic_bus_watch);
  g_clear_object (&self->chime);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (rp_preferences_window_parent_class)->dispose (object);
}

static void
rp_preferences_window_class_init (RpPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_preferences_window_dispose;
  widget_class->map = rp_preferences_window_map;
  widget_class->unmap = rp_preferences_window_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-preferences-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, RpPreferencesWindow, name)
  BIND (name_entry); BIND (zone_entry); BIND (work_start_spin); BIND (work_end_spin);
  gtk_widget_class_bind_template_child_full (widget_class, "reminder_spin", FALSE, 0);
  BIND (sounds_switch); BIND (server_entry); BIND (camera_combo); BIND (microphone_combo);
  BIND (speaker_combo); BIND (preview_stack); BIND (preview_box); BIND (preview_message);
  BIND (mic_level);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_zone_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_time_output);
  gtk_widget_class_bind_template_callback (widget_class, on_time_input);
  gtk_widget_class_bind_template_callback (widget_class, on_test_sound_clicked);
}

static void
rp_preferences_window_init (RpPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->chime = rp_chime_new ();
}

RpPreferencesWindow *
rp_preferences_window_new (GSettings *settings)
{
  RpPreferencesWindow *self = g_object_new (RP_TYPE_PREFERENCES_WINDOW, NULL);
  g_autofree char *zone = g_settings_get_string (settings, "time-zone");
  g_autoptr (GFile) zones = g_file_new_for_path ("/usr/share/zoneinfo/zone1970.tab");

  gtk_entry_set_text (self->zone_entry, zone);
  self->settings = g_object_ref (settings);
  g_settings_bind (settings, "display-name", self->name_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "server-url", self->server_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "call-sounds", self->sounds_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "work-start", gtk_spin_button_get_adjustment (self->work_start_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "work-end", gtk_spin_button_get_adjustment (self->work_end_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "reminder-minutes",
                   gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (
                     gtk_widget_get_template_child (GTK_WIDGET (self), RP_TYPE_PREFERENCES_WINDOW,
                                                    "reminder_spin"))),
                   "value", G_SETTINGS_BIND_DEFAULT);
  gtk_entry_set_placeholder_text (self->name_entry, g_get_real_name ());

  rp_devices_fill_combo (self->camera_combo, RP_DEVICE_CAMERA, settings, "camera");
  rp_devices_fill_combo (self->microphone_combo, RP_DEVICE_MICROPHONE, settings, "microphone");
  rp_devices_fill_combo (self->speaker_combo, RP_DEVICE_SPEAKER, settings, "speaker");
  g_signal_connect (self->camera_combo, "changed", G_CALLBACK (rp_devices_store_choice), NULL);
  g_signal_connect (self->microphone_combo, "changed", G_CALLBACK (rp_devices_store_choice), NULL);
  g_signal_connect (self->speaker_combo, "changed", G_CALLBACK (rp_devices_store_choice), NULL);
  g_signal_connect_object (settings, "changed::camera", G_CALLBACK (start_camera_preview), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::microphone", G_CALLBACK (start_mic_level), self,
                           G_CONNECT_SWAPPED);
  g_file_load_contents_async (zones, self->cancellable, on_zones_loaded, g_object_ref (self));
  return self;
}
