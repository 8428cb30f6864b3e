/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define RP_TYPE_DEMO_CAMERA (rp_demo_camera_get_type ())
G_DECLARE_FINAL_TYPE (RpDemoCamera, rp_demo_camera, RP, DEMO_CAMERA, GstDevice)

RpDemoCamera *rp_demo_camera_new (const char *name, const char *image_path);

G_END_DECLS
