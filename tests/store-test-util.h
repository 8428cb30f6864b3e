/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers shared by the store's tests: a fresh folder per test, removed afterwards.
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

#include "rp-store.h"

typedef struct {
  char *dir;
  char *path;   /* dir/rapport.db, not created */
} StoreFixture;

static inline void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (!d)
    return;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

static inline void
store_fixture_setup (StoreFixture *fixture,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("rapport-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "rapport.db", NULL);
}

static inline void
store_fixture_teardown (StoreFixture *fixture,
                        gconstpointer data)
{
  g_chmod (fixture->dir, 0700);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* The fixture's store, opened (and created) at fixture->path. */
static inline RpStore *
store_fixture_open (StoreFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  RpStore *store = rp_store_new (fixture->path, &error);

  g_assert_no_error (error);
  g_assert_true (RP_IS_STORE (store));
  return store;
}

static inline GBytes *
bytes_printf (const char *format,
              ...) G_GNUC_PRINTF (1, 2);

static inline GBytes *
bytes_printf (const char *format,
              ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return g_bytes_new_take (text, strlen (text));
}

static inline void
assert_bytes_eq (GBytes     *bytes,
                 const char *text)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_nonnull (bytes);
  g_assert_cmpmem (data, len, text, strlen (text));
}
