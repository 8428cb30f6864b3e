/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  RP_CHIME_JOIN,
  RP_CHIME_LEAVE,
} RpChimeKind;

#define RP_TYPE_CHIME (rp_chime_get_type ())
G_DECLARE_FINAL_TYPE (RpChime, rp_chime, RP, CHIME, GObject)

RpChime *rp_chime_new  (void);
void     rp_chime_play (RpChime *self, RpChimeKind kind);

G_END_DECLS
