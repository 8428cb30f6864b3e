/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a peer or the server can send the call engine without a media pipeline: data-channel
 * text messages (control or application) and signaling frames from the server.
 */
#include "config.h"

#include <stdint.h>

#include "rp-call.h"
#include "rp-signal-client.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_auto(RpCallControl) control = { 0 };
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  if (rp_call_parse_data_text ((const char *) data, (gssize) size, &control, &error))
    g_assert (control.kind != RP_CALL_CONTROL_APP || control.message != NULL);
  else
    g_assert (error != NULL);
  frame = rp_signal_parse_server_frame ((const char *) data, size, &error2);
  g_assert ((frame != NULL) == (error2 == NULL));
  return 0;
}
