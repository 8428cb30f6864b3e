/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-log.h"

void
rp_log_event (const char *event,
              const char *format,
              ...)
{
  g_autofree char *rest = NULL;
  va_list args;

  va_start (args, format);
  rest = g_strdup_vprintf (format, args);
  va_end (args);
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "RAPPORT_EVENT", event,
                    "MESSAGE", "event=%s%s%s", event, *rest ? " " : "", rest);
}

/* Room tokens are capabilities and client ids identify people: the log gets a prefix that is
 * enough to follow one through the log and useless to join with. */
char *
rp_log_short (const char *secret)
{
  return secret ? g_strndup (secret, 6) : g_strdup ("-");
}
