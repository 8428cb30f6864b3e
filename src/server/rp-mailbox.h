/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Calls posted from any thread and run, in the order posted, on one GMainContext. The server
 * uses it to hand work between the thread that keeps the rooms and the threads that own the
 * connections: libsoup objects may only be touched from the context they were made in.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RpMailbox RpMailbox;
typedef void (*RpMailboxFunc) (gpointer target,
                               gpointer data);

RpMailbox *rp_mailbox_new  (GMainContext   *context);
void       rp_mailbox_post (RpMailbox      *mailbox,
                            RpMailboxFunc   func,
                            gpointer        target,
                            GDestroyNotify  target_release,
                            gpointer        data,
                            GDestroyNotify  data_free);
void       rp_mailbox_free (RpMailbox      *mailbox);

G_END_DECLS
