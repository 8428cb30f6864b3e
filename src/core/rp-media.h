/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define RP_MEDIA_ERROR (rp_media_error_quark ())
GQuark rp_media_error_quark (void);

typedef enum {
  RP_MEDIA_ERROR_NO_DEVICE,
  RP_MEDIA_ERROR_BAD_SPEC,
  RP_MEDIA_ERROR_MISSING_PLUGIN,
} RpMediaError;

/* Device classes as GstDeviceMonitor names them. */
#define RP_MEDIA_CLASS_CAMERA     "Video/Source"
#define RP_MEDIA_CLASS_MICROPHONE "Audio/Source"
#define RP_MEDIA_CLASS_SPEAKER    "Audio/Sink"

/* Source specs: "test" (test pattern / 440 Hz sine), "test:FREQ" (audio), "none", a device's
 * display name, or NULL for the default device. "none" returns NULL without an error.
 * *is_device tells whether a real capture device was chosen (it gets echo cancellation). */
GstElement *rp_media_make_audio_source (const char *spec,
                                        gboolean   *is_device,
                                        GError    **error);
GstElement *rp_media_make_video_source (const char *spec,
                                        gboolean   *is_device,
                                        GError    **error);
/* Sink specs: a device's display name, "none" (a clock-synced fakesink), or NULL for the
 * default device, falling back to "none" where there is none. */
GstElement *rp_media_make_audio_sink   (const char *spec,
                                        GError    **error);

/* The default device of a class instead of avoid, a device that just vanished (the provider
 * may still list it): a new element, or NULL and an error; a speaker falls back to "none". */
GstElement *rp_media_make_fallback     (const char *device_class,
                                        const char *avoid,
                                        GError    **error);

/* The display name of the device an element above was made for; NULL for test sources,
 * "none" and the like. */
const char *rp_media_get_device_name   (GstElement *element);
/* Whether a device of that class and display name is present now. */
gboolean    rp_media_has_device        (const char *device_class,
                                        const char *name);

void        rp_media_warm_up           (void);
void        rp_media_warm_up_wait      (void);

/* The devices of one class present now (GstDevice, a new list of new references). */
GList      *rp_media_list_devices      (const char *device_class);

/* Elements the call needs that are not in every GStreamer install; NULL when all are there,
 * else a newly allocated, comma-separated list of the missing ones. */
char       *rp_media_missing_elements  (void);

G_END_DECLS
