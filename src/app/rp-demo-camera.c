/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-demo-camera.h"

/* A "camera" that shows a still illustration, for the screenshots in data/screenshots/: the
 * calls in them are real, only the faces are drawn. Never part of the app itself. */
struct _RpDemoCamera
{
  GstDevice parent_instance;

  char *image_path;
};

G_DEFINE_FINAL_TYPE (RpDemoCamera, rp_demo_camera, GST_TYPE_DEVICE)

static GstElement *
rp_demo_camera_create_element (GstDevice *device, const char *name)
{
  RpDemoCamera *self = RP_DEMO_CAMERA (device);
  g_autofree char *desc = g_strdup_printf (
    "videotestsrc is-live=true pattern=solid-color foreground-color=0xff202020 ! "
    "video/x-raw,width=640,height=480,framerate=30/1 ! gdkpixbufoverlay location=\"%s\" ! "
    "videoconvert", self->image_path);
  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (desc, TRUE, &error);

  if (bin == NULL)
    g_warning ("Demo camera: %s", error->message);
  return bin;
}

static void
rp_demo_camera_finalize (GObject *object)
{
  g_free (RP_DEMO_CAMERA (object)->image_path);
  G_OBJECT_CLASS (rp_demo_camera_parent_class)->finalize (object);
}

static void
rp_demo_camera_class_init (RpDemoCameraClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rp_demo_camera_finalize;
  GST_DEVICE_CLASS (klass)->create_element = rp_demo_camera_create_element;
}

static void
rp_demo_camera_init (RpDemoCamera *self)
{
}

RpDemoCamera *
rp_demo_camera_new (const char *name, const char *image_path)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string ("video/x-raw");
  RpDemoCamera *self = g_object_new (RP_TYPE_DEMO_CAMERA, "display-name", name,
                                     "device-class", "Video/Source", "caps", caps, NULL);

  self->image_path = g_strdup (image_path);
  return self;
}
