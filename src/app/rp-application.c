/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <handy.h>

#include "rapport-resources.h"
#include "rp-application.h"
#include "rp-preferences-window.h"
#include "rp-window.h"

struct _RpApplication
{
  GtkApplication parent_instance;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (RpApplication, rp_application, GTK_TYPE_APPLICATION)

static RpWindow *
get_or_create_window (RpApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (rp_window_new (self));
  return RP_WINDOW (window);
}

static void
on_preferences (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  RpApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  RpPreferencesWindow *prefs = rp_preferences_window_new (self->settings);

  gtk_window_set_application (GTK_WINDOW (prefs), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
on_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  RpApplication *self = user_data;
  const char *authors[] = { "The Rapport developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "program-name", _("Rapport"),
                         "logo-icon-name", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Mentoring calls with shared notes and agenda"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         /* Translators: your names, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
on_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Closing each window lets a running call hang up cleanly before the app goes. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static const GActionEntry app_actions[] = {
  { "preferences", on_preferences },
  { "about", on_about },
  { "quit", on_quit },
};

static void
set_accels (GtkApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.preferences", { "<Primary>comma", NULL } },
    { "app.quit", { "<Primary>q", NULL } },
    { "win.start-session", { "<Primary>n", NULL } },
    { "win.join", { "<Primary>l", NULL } },
    { "win.hang-up", { "<Primary><Shift>e", NULL } },
    { "win.toggle-mic", { "<Primary>d", NULL } },
    { "win.toggle-camera", { "<Primary>e", NULL } },
    { "win.toggle-panel", { "F9", NULL } },
    { "win.copy-link", { "<Primary><Shift>c", NULL } },
    { "win.show-verification", { "<Primary>i", NULL } },
    { "win.show-notes", { "<Alt>1", NULL } },
    { "win.show-agenda", { "<Alt>2", NULL } },
    { "win.fullscreen", { "F11", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
load_css (void)
{
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/org/rapport/Rapport/style.css");
  gtk_style_context_add_provider_for_screen (gdk_screen_get_default (),
                                             GTK_STYLE_PROVIDER (provider),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
rp_application_startup (GApplication *app)
{
  RpApplication *self = RP_APPLICATION (app);

  G_APPLICATION_CLASS (rp_application_parent_class)->startup (app);

  /* The resource registers itself from a constructor; naming it here keeps its object file
   * in the link when the app comes from a static library. */
  g_return_if_fail (rapport_get_resource () != NULL);
  gst_init (NULL, NULL);
  hdy_init ();
  /* libhandy's default is "force light"; prefer-light follows the desktop's dark style. */
  hdy_style_manager_set_color_scheme (hdy_style_manager_get_default (),
                                      HDY_COLOR_SCHEME_PREFER_LIGHT);
  g_set_application_name (_("Rapport"));
  gtk_window_set_default_icon_name (APPLICATION_ID);
  load_css ();

  self->settings = g_settings_new (APPLICATION_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  set_accels (GTK_APPLICATION (self));
}

static void
rp_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_or_create_window (RP_APPLICATION (app))));
}

static int
rp_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  RpApplication *self = RP_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree const char **links = NULL;
  gboolean host = FALSE;
  RpWindow *window;

  g_variant_dict_lookup (options, "host", "b", &host);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&s", &links);

  window = get_or_create_window (self);
  gtk_window_present (GTK_WINDOW (window));

  if (links != NULL && links[0] != NULL)
    rp_window_join_link (window, links[0]);
  else if (host)
    rp_window_start_session (window, NULL);
  return 0;
}

static void
rp_application_dispose (GObject *object)
{
  RpApplication *self = RP_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (rp_application_parent_class)->dispose (object);
}

static void
rp_application_class_init (RpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = rp_application_dispose;
  app_class->startup = rp_application_startup;
  app_class->activate = rp_application_activate;
  app_class->command_line = rp_application_command_line;
}

static void
rp_application_init (RpApplication *self)
{
  static const GOptionEntry options[] = {
    { "host", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start hosting a session at once and show its join link"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL, NULL, N_("[LINK]") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[rapport://LINK]"));
}

RpApplication *
rp_application_new (GApplicationFlags flags)
{
  return g_object_new (RP_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", flags,
                       "resource-base-path", "/org/rapport/Rapport",
                       NULL);
}

GSettings *
rp_application_get_settings (RpApplication *self)
{
  g_return_val_if_fail (RP_IS_APPLICATION (self), NULL);
  return self->settings;
}
