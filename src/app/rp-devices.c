/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>

#include "rp-devices.h"

/* Device names as the session takes them ("video-source", "audio-source", "audio-sink"),
 * probed with a GstDeviceMonitor off the main loop: the probe talks to PipeWire or
 * PulseAudio and may take a moment. */

static const char *
device_class (RpDeviceKind kind)
{
  switch (kind)
    {
    case RP_DEVICE_CAMERA: return "Video/Source";
    case RP_DEVICE_MICROPHONE: return "Audio/Source";
    case RP_DEVICE_SPEAKER: return "Audio/Sink";
    default: g_return_val_if_reached (NULL);
    }
}

static void
list_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RpDeviceKind kind = GPOINTER_TO_INT (task_data);
  g_autoptr (GstDeviceMonitor) monitor = gst_device_monitor_new ();
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  GList *devices;

  gst_device_monitor_add_filter (monitor, device_class (kind), NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autofree char *name = gst_device_get_display_name (l->data);
      g_strv_builder_add (names, name);
    }
  g_list_free_full (devices, gst_object_unref);
  g_task_return_pointer (task, g_strv_builder_end (names), (GDestroyNotify) g_strfreev);
}

void
rp_devices_list_async (RpDeviceKind         kind,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, rp_devices_list_async);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);
  g_task_run_in_thread (task, list_in_thread);
}

GStrv
rp_devices_list_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GstElement *
fallback_element (RpDeviceKind kind, const char *name)
{
  gboolean test = g_strcmp0 (name, "test") == 0;

  switch (kind)
    {
    case RP_DEVICE_CAMERA:
      return gst_element_factory_make (test ? "videotestsrc" : "autovideosrc", NULL);
    case RP_DEVICE_MICROPHONE:
      return gst_element_factory_make (test ? "audiotestsrc" : "autoaudiosrc", NULL);
    case RP_DEVICE_SPEAKER:
    default:
      return gst_element_factory_make ("autoaudiosink", NULL);
    }
}

static void
create_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *name = task_data;
  RpDeviceKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "rp-kind"));
  g_autoptr (GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GstElement *element = NULL;
  GList *devices;

  if (g_strcmp0 (name, "none") == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No device chosen"));
      return;
    }
  if (name != NULL && *name != '\0' && g_strcmp0 (name, "test") != 0)
    {
      gst_device_monitor_add_filter (monitor, device_class (kind), NULL);
      devices = gst_device_monitor_get_devices (monitor);
      for (GList *l = devices; l != NULL && element == NULL; l = l->next)
        {
          g_autofree char *display = gst_device_get_display_name (l->data);

          if (g_strcmp0 (display, name) == 0)
            element = gst_device_create_element (l->data, NULL);
        }
      g_list_free_full (devices, gst_object_unref);
    }
  if (element == NULL)
    element = fallback_element (kind, name);
  if (element == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             _("No such device: %s"), name);
  else
    g_task_return_pointer (task, gst_object_ref_sink (element), gst_object_unref);
}

/* A source or sink element for a device by its name ("" = default, "test" = test source). */
void
rp_devices_create_element_async (RpDeviceKind         kind,
                                 const char          *name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, rp_devices_create_element_async);
  g_object_set_data (G_OBJECT (task), "rp-kind", GINT_TO_POINTER (kind));
  g_task_set_task_data (task, g_strdup (name), g_free);
  g_task_run_in_thread (task, create_in_thread);
}

gpointer
rp_devices_create_element_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
test_label (RpDeviceKind kind)
{
  switch (kind)
    {
    case RP_DEVICE_CAMERA: return _("Test pattern");
    case RP_DEVICE_MICROPHONE: return _("Test tone");
    case RP_DEVICE_SPEAKER:
    default: return NULL;
    }
}

static void
on_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GtkComboBoxText) combo = user_data;
  GSettings *settings = g_object_get_data (G_OBJECT (combo), "rp-settings");
  const char *key = g_object_get_data (G_OBJECT (combo), "rp-key");
  RpDeviceKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (combo), "rp-kind"));
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = rp_devices_list_finish (result, &error);
  g_autofree char *current = NULL;
  gboolean current_listed;

  /* The combo was destroyed (its dialog closed) or a newer probe is filling it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  current = g_settings_get_string (settings, key);
  current_listed = *current == '\0';

  /* Filling must not write the setting back. */
  g_object_set_data (G_OBJECT (combo), "rp-filling", GINT_TO_POINTER (TRUE));
  gtk_combo_box_text_remove_all (combo);
  gtk_combo_box_text_append (combo, "", _("Default"));
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      gtk_combo_box_text_append (combo, names[i], names[i]);
      current_listed |= g_strcmp0 (names[i], current) == 0;
    }
  if (test_label (kind) != NULL)
    {
      gtk_combo_box_text_append (combo, "test", test_label (kind));
      current_listed |= g_strcmp0 ("test", current) == 0;
    }
  /* "none" is a choice of its own (a call without video, receive-only audio, or no sound). */
  gtk_combo_box_text_append (combo, "none", _("None"));
  current_listed |= g_strcmp0 ("none", current) == 0;
  if (!current_listed)
    {
      /* A device that is unplugged now stays chosen for when it comes back. */
      g_autofree char *label = g_strdup_printf (_("%s (not connected)"), current);
      gtk_combo_box_text_append (combo, current, label);
    }
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (combo), current);
  g_object_set_data (G_OBJECT (combo), "rp-filling", NULL);
}

static void
cancel_and_unref (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  g_object_unref (cancellable);
}

/* The device chosen elsewhere (the call's device menu while Preferences is open) shows here
 * too; a name the list lacks (a device chosen since the probe) needs a new probe. */
static void
on_setting_changed (GtkComboBoxText *combo)
{
  GSettings *settings = g_object_get_data (G_OBJECT (combo), "rp-settings");
  const char *key = g_object_get_data (G_OBJECT (combo), "rp-key");
  RpDeviceKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (combo), "rp-kind"));
  g_autofree char *value = g_settings_get_string (settings, key);
  gboolean shown;

  if (g_strcmp0 (gtk_combo_box_get_active_id (GTK_COMBO_BOX (combo)), value) == 0)
    return;
  g_object_set_data (G_OBJECT (combo), "rp-filling", GINT_TO_POINTER (TRUE));
  shown = gtk_combo_box_set_active_id (GTK_COMBO_BOX (combo), value);
  g_object_set_data (G_OBJECT (combo), "rp-filling", NULL);
  if (!shown)
    rp_devices_fill_combo (combo, kind, settings, key);
}

/* Replacing or clearing "rp-probe" cancels the probe it held. */
static void
on_combo_destroy (GtkWidget *combo)
{
  GSettings *settings = g_object_get_data (G_OBJECT (combo), "rp-settings");

  g_object_set_data (G_OBJECT (combo), "rp-probe", NULL);
  if (settings != NULL)
    g_signal_handlers_disconnect_by_data (settings, combo);
}

/* The probe takes a moment and its combo may be gone by then (a dialog closed at once): each
 * fill has a cancellable that the combo's destruction, or the next fill, cancels. */
void
rp_devices_fill_combo (GtkComboBoxText *combo,
                       RpDeviceKind     kind,
                       GSettings       *settings,
                       const char      *key)
{
  GCancellable *cancellable = g_cancellable_new ();

  if (g_object_get_data (G_OBJECT (combo), "rp-settings") == NULL)
    {
      g_autofree char *detailed = g_strconcat ("changed::", key, NULL);

      g_signal_connect (combo, "destroy", G_CALLBACK (on_combo_destroy), NULL);
      g_signal_connect_object (settings, detailed, G_CALLBACK (on_setting_changed), combo,
                               G_CONNECT_SWAPPED);
    }
  g_object_set_data_full (G_OBJECT (combo), "rp-settings", g_object_ref (settings),
                          g_object_unref);
  g_object_set_data_full (G_OBJECT (combo), "rp-key", g_strdup (key), g_free);
  g_object_set_data (G_OBJECT (combo), "rp-kind", GINT_TO_POINTER (kind));
  g_object_set_data_full (G_OBJECT (combo), "rp-probe", cancellable, cancel_and_unref);
  rp_devices_list_async (kind, cancellable, on_listed, g_object_ref (combo));
}

void
rp_devices_store_choice (GtkComboBoxText *combo)
{
  GSettings *settings = g_object_get_data (G_OBJECT (combo), "rp-settings");
  const char *key = g_object_get_data (G_OBJECT (combo), "rp-key");
  const char *id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (combo));

  if (settings == NULL || id == NULL || g_object_get_data (G_OBJECT (combo), "rp-filling"))
    return;
  g_settings_set_string (settings, key, id);
}
