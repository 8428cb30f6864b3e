/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-partner-book.h"
#include "rp-proposal-center.h"

G_BEGIN_DECLS

#define RP_TYPE_HOME_VIEW (rp_home_view_get_type ())
G_DECLARE_FINAL_TYPE (RpHomeView, rp_home_view, RP, HOME_VIEW, GtkBin)

void rp_home_view_set_book      (RpHomeView *self, RpPartnerBook *book, GSettings *settings);
void rp_home_view_show_error    (RpHomeView *self, const char *message);
void rp_home_view_focus_join    (RpHomeView *self);
void rp_home_view_clear_join    (RpHomeView *self);

GTimeZone *rp_own_time_zone     (GSettings *settings);

/* Partner rows show the proposals waiting for an answer ("proposals-requested" on click). */
void rp_home_view_set_proposals (RpHomeView *self, RpProposalCenter *center);

G_END_DECLS
