/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server's log: one line per event, "event=NAME key=value ...", at info level in the
 * rapport-server domain (rapport-server prints them on stderr; embedded, they are quiet
 * unless G_MESSAGES_DEBUG asks for them). Safe from any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void  rp_log_event   (const char *event,
                      const char *format,
                      ...) G_GNUC_PRINTF (2, 3);
char *rp_log_short   (const char *secret);

G_END_DECLS
