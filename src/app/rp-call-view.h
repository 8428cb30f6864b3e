/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>

#include "rp-partner-book.h"
#include "rp-proposal-center.h"

G_BEGIN_DECLS

#define RP_TYPE_CALL_VIEW (rp_call_view_get_type ())
G_DECLARE_FINAL_TYPE (RpCallView, rp_call_view, RP, CALL_VIEW, GtkBin)

void        rp_call_view_setup              (RpCallView    *self,
                                             GSettings     *settings,
                                             RpPartnerBook *book);
gboolean    rp_call_view_host               (RpCallView  *self,
                                             RpPartnerItem   *partner,
                                             GError     **error);
gboolean    rp_call_view_join               (RpCallView  *self,
                                             const char  *link,
                                             GError     **error);
void        rp_call_view_hang_up            (RpCallView *self);
gboolean    rp_call_view_is_active          (RpCallView *self);
const char *rp_call_view_get_link           (RpCallView *self);
void        rp_call_view_set_muted          (RpCallView *self, gboolean muted);
void        rp_call_view_set_camera_enabled (RpCallView *self, gboolean enabled);
void        rp_call_view_show_verification  (RpCallView *self);
void        rp_call_view_show_panel_page    (RpCallView *self, const char *page);
GstElement *rp_call_view_get_remote_sink    (RpCallView *self);
GObject    *rp_call_view_get_session        (RpCallView *self);
GObject    *rp_call_view_get_docs           (RpCallView *self);

/* Proposals with the call's partner go over the call, and an arriving one is announced. */
void        rp_call_view_set_proposals      (RpCallView       *self,
                                             RpProposalCenter *center);

G_END_DECLS
