/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer harness for the .ics import path: whatever arrives as an invite must come back as
 * meetings or errors, and every meeting read must export again without crashing.
 */
#include "config.h"

#include <stdint.h>

#include "rp-ical.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) meetings = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;

  if (!rp_ical_import ((const char *) data, (gssize) size, &meetings, &errors, &error))
    {
      g_assert (error != NULL);
      return 0;
    }
  g_assert (meetings->len > 0);
  for (guint i = 0; i < meetings->len; i++)
    {
      RpMeeting *m = meetings->pdata[i];
      g_autoptr(GError) export_error = NULL;
      g_autofree char *ics = rp_ical_export (&m, 1, NULL, &export_error);

      g_assert ((ics == NULL) == (export_error != NULL));
    }
  return 0;
}
