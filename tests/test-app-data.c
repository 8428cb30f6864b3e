/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

/* Desktop integration files checked with the tools that distributions and software centres
 * use, and the translation setup checked against the sources. */

static char *
source_path (const char *relative)
{
  return g_build_filename (g_getenv ("RAPPORT_SOURCE_DIR"), relative, NULL);
}

static char *
build_path (const char *relative)
{
  return g_build_filename (g_getenv ("RAPPORT_BUILD_DIR"), relative, NULL);
}

static void
assert_tool_accepts (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (g_find_program_in_path (argv[0]) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s is not installed", argv[0]);
      g_test_skip (message);
      return;
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("%s said:\n%s%s", argv[0], out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_desktop_file_validates (void)
{
  g_autofree char *path = build_path ("data/org.rapport.Rapport.desktop");
  g_autofree char *contents = NULL;
  const char *argv[] = { "desktop-file-validate", path, NULL };

  assert_tool_accepts (argv);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  /* rapport:// links must open the app. */
  g_assert_nonnull (strstr (contents, "x-scheme-handler/rapport"));
  g_assert_nonnull (strstr (contents, "Exec=rapport %U"));
}

static void
test_metainfo_validates (void)
{
  g_autofree char *path = build_path ("data/org.rapport.Rapport.metainfo.xml");
  const char *argv[] = { "appstreamcli", "validate", "--no-net", path, NULL };

  assert_tool_accepts (argv);
}

static void
test_schema_compiles_strictly (void)
{
  g_autofree char *dir = source_path ("data");
  const char *argv[] = { "glib-compile-schemas", "--strict", "--dry-run", dir, NULL };

  assert_tool_accepts (argv);
}

static gboolean
has_marked_strings (const char *path)
{
  g_autofree char *contents = NULL;
  static const char *markers[] = { "_(\"", "N_(\"", "C_(\"", "g_dngettext (", "ngettext (",
                                   "translatable=\"yes\"" };

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
    if (strstr (contents, markers[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
collect_sources (const char *root, const char *relative, GPtrArray *found)
{
  g_autofree char *dir_path = g_build_filename (root, relative, NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = g_build_filename (relative, name, NULL);
      g_autofree char *full = g_build_filename (root, rel, NULL);

      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        collect_sources (root, rel, found);
      else if ((g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".ui"))
               && has_marked_strings (full))
        g_ptr_array_add (found, g_steal_pointer (&rel));
    }
}

static void
test_potfiles_lists_every_marked_source (void)
{
  const char *root = g_getenv ("RAPPORT_SOURCE_DIR");
  g_autofree char *potfiles_path = source_path ("po/POTFILES.in");
  g_autofree char *potfiles = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_true (g_file_get_contents (potfiles_path, &potfiles, NULL, NULL));
  lines = g_strsplit (potfiles, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *file = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      g_hash_table_add (listed, lines[i]);
      /* A listed file that is gone breaks xgettext. */
      file = g_build_filename (root, lines[i], NULL);
      if (!g_file_test (file, G_FILE_TEST_EXISTS))
        g_error ("po/POTFILES.in lists %s, which does not exist", lines[i]);
    }

  collect_sources (root, "src", found);
  collect_sources (root, "data", found);
  g_assert_cmpuint (found->len, >, 0);
  for (guint i = 0; i < found->len; i++)
    if (!g_hash_table_contains (listed, found->pdata[i]))
      g_error ("%s has translatable strings but is missing from po/POTFILES.in",
               (char *) found->pdata[i]);
}

static void
test_every_template_is_bundled (void)
{
  g_autofree char *xml_path = source_path ("data/rapport.gresource.xml");
  g_autofree char *xml = NULL;
  g_autofree char *ui_dir = source_path ("data/ui");
  g_autoptr (GDir) dir = g_dir_open (ui_dir, 0, NULL);
  const char *name;

  g_assert_true (g_file_get_contents (xml_path, &xml, NULL, NULL));
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *entry = g_strdup_printf (">ui/%s<", name);

      if (g_str_has_suffix (name, ".ui") && strstr (xml, entry) == NULL)
        g_error ("data/ui/%s is not in data/rapport.gresource.xml", name);
    }
}

static void
test_translations_are_complete (void)
{
  g_autofree char *linguas_path = source_path ("po/LINGUAS");
  g_autofree char *linguas = NULL;
  g_auto (GStrv) languages = NULL;
  guint checked = 0;

  g_assert_true (g_file_get_contents (linguas_path, &linguas, NULL, NULL));
  languages = g_strsplit_set (linguas, " \n", -1);
  for (guint i = 0; languages[i] != NULL; i++)
    {
      g_autofree char *po = NULL;
      g_autofree char *err = NULL;
      g_autoptr (GError) error = NULL;
      int status = 0;
      const char *argv[] = { "msgfmt", "--check", "--statistics", "-o", "/dev/null", NULL, NULL };

      if (languages[i][0] == '\0' || languages[i][0] == '#')
        continue;
      po = g_strdup_printf ("%s/po/%s.po", g_getenv ("RAPPORT_SOURCE_DIR"), languages[i]);
      argv[5] = po;
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                    NULL, NULL, NULL, &err, &status, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %s", languages[i], err);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      /* msgfmt reports "N translated messages." and mentions fuzzy or untranslated ones. */
      g_assert_null (strstr (err, "fuzzy"));
      g_assert_null (strstr (err, "untranslated"));
      checked++;
    }
  g_assert_cmpuint (checked, >=, 1);
}

/* A translation that was complete once lags as soon as a string is added or changed: the
 * messages of the sources as they are now (xgettext over POTFILES.in, the way the
 * rapport-pot target extracts them) must all be in every .po file. When this fails, run
 * `meson compile -C build rapport-update-po` and translate what is new or fuzzy. */
static void
test_translations_cover_the_current_sources (void)
{
  g_autofree char *linguas_path = source_path ("po/LINGUAS");
  g_autofree char *linguas = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("rapport-pot-XXXXXX", NULL);
  g_autofree char *pot = g_build_filename (tmp, "rapport.pot", NULL);
  g_auto (GStrv) languages = NULL;
  const char *xgettext[] = { "xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                             "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
                             "--keyword=g_dngettext:2,3", "--files-from=po/POTFILES.in",
                             "--output", pot, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  guint checked = 0;

  g_assert_nonnull (tmp);
  g_spawn_sync (g_getenv ("RAPPORT_SOURCE_DIR"), (char **) xgettext, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xgettext failed: %s", err);

  g_assert_true (g_file_get_contents (linguas_path, &linguas, NULL, NULL));
  languages = g_strsplit_set (linguas, " \n", -1);
  for (guint i = 0; languages[i] != NULL; i++)
    {
      g_autofree char *po = NULL;
      g_autofree char *missing = NULL;
      const char *msgcmp[] = { "msgcmp", NULL, pot, NULL };

      if (languages[i][0] == '\0' || languages[i][0] == '#')
        continue;
      po = g_strdup_printf ("%s/po/%s.po", g_getenv ("RAPPORT_SOURCE_DIR"), languages[i]);
      msgcmp[1] = po;
      g_spawn_sync (NULL, (char **) msgcmp, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                    &missing, &status, &error);
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_test_message ("po/%s.po lags behind the sources (run rapport-update-po):\n%s",
                        languages[i], missing);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      checked++;
    }
  g_unlink (pot);
  g_rmdir (tmp);
  g_assert_cmpuint (checked, >=, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/data/desktop-file-validates", test_desktop_file_validates);
  g_test_add_func ("/app/data/metainfo-validates", test_metainfo_validates);
  g_test_add_func ("/app/data/schema-compiles-strictly", test_schema_compiles_strictly);
  g_test_add_func ("/app/data/every-template-is-bundled", test_every_template_is_bundled);
  g_test_add_func ("/app/po/potfiles-lists-every-marked-source",
                   test_potfiles_lists_every_marked_source);
  g_test_add_func ("/app/po/translations-are-complete", test_translations_are_complete);
  g_test_add_func ("/app/po/translations-cover-the-current-sources",
                   test_translations_cover_the_current_sources);
  return g_test_run ();
}
