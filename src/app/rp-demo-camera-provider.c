/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-demo-camera.h"
#include "rp-demo-camera-provider.h"

/* Lists the two illustrated cameras of the screenshot script ("Demo Camera Aiko" and
 * "Demo Camera Sam") so that the session finds them by name like any camera. */
struct _RpDemoCameraProvider
{
  GstDeviceProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (RpDemoCameraProvider, rp_demo_camera_provider, GST_TYPE_DEVICE_PROVIDER)

static char *assets;

static GList *
rp_demo_camera_provider_probe (GstDeviceProvider *provider)
{
  g_autofree char *aiko = g_build_filename (assets, "aiko.svg", NULL);
  g_autofree char *sam = g_build_filename (assets, "sam.svg", NULL);
  GList *devices = NULL;

  devices = g_list_append (devices, gst_object_ref_sink (rp_demo_camera_new ("Demo Camera Aiko", aiko)));
  devices = g_list_append (devices, gst_object_ref_sink (rp_demo_camera_new ("Demo Camera Sam", sam)));
  return devices;
}

static void
rp_demo_camera_provider_class_init (RpDemoCameraProviderClass *klass)
{
  GstDeviceProviderClass *provider_class = GST_DEVICE_PROVIDER_CLASS (klass);

  provider_class->probe = rp_demo_camera_provider_probe;
  gst_device_provider_class_set_static_metadata (provider_class, "Rapport demo cameras",
                                                 "Video/Source", "Illustrated cameras for screenshots",
                                                 "The Rapport developers");
}

static void
rp_demo_camera_provider_init (RpDemoCameraProvider *self)
{
}

gboolean
rp_demo_camera_provider_register (const char *assets_dir)
{
  g_free (assets);
  assets = g_strdup (assets_dir);
  return gst_device_provider_register (NULL, "rapportdemocamera", GST_RANK_PRIMARY,
                                       RP_TYPE_DEMO_CAMERA_PROVIDER);
}
