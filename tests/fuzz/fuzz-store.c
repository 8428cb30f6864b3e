/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer harness for what the store reads from files: the working-hours text (parsed by the
 * schedule module) and agenda JSON kept in its columns, and whole database files (a damaged or hostile rapport.db must give an
 * error, never a crash). The first byte picks the target; the rest is the input.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "rp-store.h"
#include "rp-working-hours.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_working_hours (const char *text)
{
  g_autoptr(RpWorkingHours) hours = rp_working_hours_parse (text, NULL);
  g_autoptr(RpWorkingHours) again = NULL;
  g_autofree char *once = NULL;
  g_autofree char *twice = NULL;

  if (!hours)
    return;
  /* What the store keeps is the canonical form: it must read back to itself. */
  once = rp_working_hours_to_string (hours);
  again = rp_working_hours_parse (once, NULL);
  if (!again && *once)
    abort ();
  twice = again ? rp_working_hours_to_string (again) : g_strdup ("");
  if (g_strcmp0 (once, twice) != 0)
    abort ();
}

static void
fuzz_outcome (const char *text)
{
  g_autoptr(GPtrArray) items = rp_outcome_from_json (text, NULL);
  g_autofree char *json = NULL;
  g_autoptr(GPtrArray) again = NULL;

  if (!items)
    return;
  json = rp_outcome_to_json (items);
  again = rp_outcome_from_json (json, NULL);
  if (!again || again->len != items->len)
    abort ();
}

static guint
length_and_free (GPtrArray *array)
{
  guint len = array ? array->len : 0;

  g_clear_pointer (&array, g_ptr_array_unref);
  return len;
}

/* Every read path; the results only need to be well-formed enough to free. */
static guint
exercise_store (RpStore *store)
{
  guint seen = 0;
  char *text;
  GBytes *snapshot = NULL;
  GPtrArray *updates = NULL;

  seen += length_and_free (rp_store_list_partners (store, NULL));
  seen += length_and_free (rp_store_list_recent_sessions (store, 0, 10, NULL));
  seen += length_and_free (rp_store_list_upcoming_sessions (store, 0, 0, 10, NULL));
  seen += length_and_free (rp_store_search (store, "a", 10, NULL, NULL));
  seen += length_and_free (rp_store_carry_over_action_items (store, 1, NULL));
  for (int format = RP_STORE_EXPORT_MARKDOWN; format <= RP_STORE_EXPORT_JSON; format++)
    {
      text = rp_store_export_session (store, 1, format, NULL);
      seen += text ? 1 : 0;
      g_free (text);
    }
  if (rp_store_load_document (store, "notes", &snapshot, &updates, NULL))
    seen += length_and_free (updates);
  g_clear_pointer (&snapshot, g_bytes_unref);
  return seen;
}

static void
fuzz_database (const uint8_t *data,
               size_t         size)
{
  static char *path;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  g_autoptr(RpStore) store = NULL;

  /* In memory where there is a tmpfs: the store fsyncs, a disk would make this crawl. */
  if (!path)
    path = g_strdup_printf ("%s/rapport-fuzz-%d.db",
                            g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm"
                                                                         : g_get_tmp_dir (),
                            (int) getpid ());
  wal = g_strconcat (path, "-wal", NULL);
  shm = g_strconcat (path, "-shm", NULL);
  g_unlink (wal);
  g_unlink (shm);
  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    return;
  store = rp_store_new (path, NULL);
  if (store)
    exercise_store (store);
  g_clear_object (&store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  if (size == 0)
    return 0;
  text = g_strndup ((const char *) data + 1, size - 1);
  switch (data[0] % 3)
    {
    case 0:
      fuzz_working_hours (text);
      break;
    case 1:
      fuzz_outcome (text);
      break;
    default:
      fuzz_database (data + 1, size - 1);
      break;
    }
  return 0;
}
