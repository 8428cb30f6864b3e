/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RP_RANDOM_ERROR (rp_random_error_quark ())
GQuark rp_random_error_quark (void);

gboolean  rp_random_bytes       (guint8  *buf,
                                 gsize    len,
                                 GError **error);
char     *rp_random_token       (gsize    n_bytes);
char     *rp_random_hex         (gsize    n_bytes);
guint64   rp_random_replica_id  (void);
char     *rp_base64url_encode   (const guint8 *data,
                                 gsize         len);

G_END_DECLS
