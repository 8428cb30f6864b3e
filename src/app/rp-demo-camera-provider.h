/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define RP_TYPE_DEMO_CAMERA_PROVIDER (rp_demo_camera_provider_get_type ())
G_DECLARE_FINAL_TYPE (RpDemoCameraProvider, rp_demo_camera_provider, RP, DEMO_CAMERA_PROVIDER,
                      GstDeviceProvider)

gboolean rp_demo_camera_provider_register (const char *assets_dir);

G_END_DECLS
