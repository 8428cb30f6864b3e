/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "rp-application.h"
#include "rp-media.h"

int
main (int argc, char **argv)
{
  g_autoptr (RpApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = rp_application_new (G_APPLICATION_HANDLES_COMMAND_LINE);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  rp_media_warm_up_wait ();
  return status;
}
