/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fills an empty store (the default path) with three partners, two planned and two past
 * sessions, for the screenshots; a store that has partners is left alone. */
gboolean rp_demo_data_seed (GError **error);

G_END_DECLS
