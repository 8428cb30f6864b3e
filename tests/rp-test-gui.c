/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-test-gui.h"

#define WATCHDOG_SECONDS 60

static const char *waiting_for;

static gboolean
on_watchdog (gpointer user_data)
{
  g_error ("Timed out waiting for %s", waiting_for);
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
rp_test_gui_wait (const char     *what,
                  RpTestCondition condition,
                  gpointer        data)
{
  guint watchdog = g_timeout_add_seconds (WATCHDOG_SECONDS, on_watchdog, NULL);
  /* Some conditions change without a source of their own waking the loop (a clock, a file). */
  guint ticker = g_timeout_add (100, on_tick, NULL);

  waiting_for = what;
  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (ticker);
  g_source_remove (watchdog);
}

gpointer
rp_test_gui_template_child (gpointer    widget,
                            GType       type,
                            const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

void
rp_test_gui_maybe_grab (GtkWidget  *widget,
                        const char *name,
                        gint64      settle_us)
{
  const char *dir = g_getenv ("RAPPORT_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  gint64 end = g_get_monotonic_time () + settle_us;

  if (dir == NULL)
    return;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                        gtk_widget_get_allocated_width (widget),
                                        gtk_widget_get_allocated_height (widget));
  cr = cairo_create (surface);
  gtk_widget_draw (widget, cr);
  cairo_destroy (cr);
  path = g_build_filename (dir, name, NULL);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

RpApplication *
rp_test_gui_call_app (RpApplication **shared,
                      const char     *zone)
{
  GSettings *settings;

  if (*shared == NULL)
    {
      g_autoptr(GError) error = NULL;

      *shared = rp_application_new (G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (*shared), NULL, &error);
      g_assert_no_error (error);
    }
  settings = rp_application_get_settings (*shared);
  g_settings_set_string (settings, "camera", "test");
  g_settings_set_string (settings, "microphone", "test");
  g_settings_set_string (settings, "speaker", "none");
  g_settings_set_string (settings, "time-zone", zone);
  g_settings_set_boolean (settings, "call-sounds", FALSE);
  g_settings_set_uint (settings, "reminder-minutes", 0);
  return *shared;
}
