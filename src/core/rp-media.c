/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turning what the user asked for ("test:880", "none", a camera's name, the default) into
 * GStreamer elements, and listing the devices there are.
 */
#include "config.h"

#include <stdlib.h>

#include "rp-media.h"

G_DEFINE_QUARK (rp-media-error-quark, rp_media_error)

#define RP_MEDIA_TEST_FREQ 440.0

/* One monitor for the process, started once: probing every provider (PulseAudio, ALSA,
 * PipeWire, V4L2) took 0.4-0.7 s here, too long to repeat for every call; a started monitor
 * keeps its list current as devices come and go. */
static GstDeviceMonitor *
shared_monitor (void)
{
  static GstDeviceMonitor *monitor;

  if (g_once_init_enter (&monitor))
    {
      GstDeviceMonitor *m = gst_device_monitor_new ();

      gst_device_monitor_add_filter (m, RP_MEDIA_CLASS_CAMERA, NULL);
      gst_device_monitor_add_filter (m, RP_MEDIA_CLASS_MICROPHONE, NULL);
      gst_device_monitor_add_filter (m, RP_MEDIA_CLASS_SPEAKER, NULL);
      if (!gst_device_monitor_start (m))
        g_debug ("no device provider could be started; lists are probed each time");
      g_once_init_leave (&monitor, m);
    }
  return monitor;
}

static gpointer
warm_up_thread (gpointer data)
{
  g_autoptr(GstElement) dtls = NULL;

  /* The first DTLS element of a process generates the certificate all later ones share
   * (measured 200-270 ms here); made now, it is off the path from offer to first frame. */
  dtls = gst_element_factory_make ("dtlsdec", NULL);
  if (dtls != NULL)
    {
      g_autofree char *pem = NULL;

      gst_object_ref_sink (dtls);
      g_object_get (dtls, "pem", &pem, NULL);
    }
  shared_monitor ();
  return NULL;
}

static GMutex warm_up_lock;
static GThread *warm_up;

/* Starts probing devices and making the DTLS certificate on a worker thread, so the first call
 * does not wait for them. Once per process: later calls find both ready. */
void
rp_media_warm_up (void)
{
  static gboolean started;

  g_mutex_lock (&warm_up_lock);
  if (!started)
    {
      started = TRUE;
      warm_up = g_thread_new ("rp-media-probe", warm_up_thread, NULL);
    }
  g_mutex_unlock (&warm_up_lock);
}

/* Waits for the warm-up to end. A process must not exit while it runs: OpenSSL's exit handler
 * frees the locks the DTLS element is still using (a crash seen when a call was hung up
 * within a second of starting). */
void
rp_media_warm_up_wait (void)
{
  GThread *thread;

  g_mutex_lock (&warm_up_lock);
  thread = g_steal_pointer (&warm_up);
  g_mutex_unlock (&warm_up_lock);
  if (thread != NULL)
    g_thread_join (thread);
}

GList *
rp_media_list_devices (const char *device_class)
{
  GList *all = gst_device_monitor_get_devices (shared_monitor ());
  GList *devices = NULL;

  for (GList *l = all; l != NULL; l = l->next)
    if (gst_device_has_classes (l->data, device_class))
      devices = g_list_append (devices, g_object_ref (l->data));
  g_list_free_full (all, gst_object_unref);
  return devices;
}

/* Whether the provider calls this device the system's default (PulseAudio's does). */
static gboolean
device_is_default (GstDevice *device)
{
  g_autoptr(GstStructure) props = gst_device_get_properties (device);
  gboolean is_default = FALSE;

  return props != NULL && gst_structure_get_boolean (props, "is-default", &is_default)
         && is_default;
}

/* The device named name; for name NULL the default one, else the first listed. A device named
 * avoid is never the default: it is the one that just vanished, maybe still listed. */
static GstDevice *
find_device (const char *device_class,
             const char *name,
             const char *avoid)
{
  GList *devices = rp_media_list_devices (device_class);
  GstDevice *found = NULL;
  GstDevice *first = NULL;

  for (GList *l = devices; l != NULL && found == NULL; l = l->next)
    {
      g_autofree char *display = gst_device_get_display_name (l->data);

      if (name != NULL)
        {
          if (g_strcmp0 (display, name) == 0)
            found = g_object_ref (l->data);
          continue;
        }
      if (g_strcmp0 (display, avoid) == 0)
        continue;
      if (device_is_default (l->data))
        found = g_object_ref (l->data);
      else if (first == NULL)
        first = l->data;
    }
  if (found == NULL && first != NULL)
    found = g_object_ref (first);
  g_list_free_full (devices, gst_object_unref);
  return found;
}

#define RP_MEDIA_DEVICE_NAME_KEY "rp-media-device-name"

const char *
rp_media_get_device_name (GstElement *element)
{
  return g_object_get_data (G_OBJECT (element), RP_MEDIA_DEVICE_NAME_KEY);
}

gboolean
rp_media_has_device (const char *device_class,
                     const char *name)
{
  g_autoptr(GstDevice) device = find_device (device_class, name, NULL);

  return device != NULL;
}

static GstElement *
make_from_device (const char *device_class,
                  const char *spec,
                  const char *avoid,
                  const char *what,
                  GError    **error)
{
  g_autoptr(GstDevice) device = find_device (device_class, spec, avoid);
  GstElement *element;

  if (device == NULL)
    {
      if (spec == NULL)
        g_set_error (error, RP_MEDIA_ERROR, RP_MEDIA_ERROR_NO_DEVICE,
                     "No %s found; connect one, or choose “none” or “test”", what);
      else
        g_set_error (error, RP_MEDIA_ERROR, RP_MEDIA_ERROR_NO_DEVICE,
                     "There is no %s named “%s”; choose another one", what, spec);
      return NULL;
    }
  element = gst_device_create_element (device, NULL);
  if (element == NULL)
    {
      g_autofree char *display = gst_device_get_display_name (device);

      g_set_error (error, RP_MEDIA_ERROR, RP_MEDIA_ERROR_NO_DEVICE,
                   "The %s “%s” cannot be opened", what, display);
      return NULL;
    }
  /* The call watches that this device stays present (see rp_media_has_device). */
  g_object_set_data_full (G_OBJECT (element), RP_MEDIA_DEVICE_NAME_KEY,
                          gst_device_get_display_name (device), g_free);
  return element;
}

static GstElement *
make_element (const char *factory,
              GError    **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, RP_MEDIA_ERROR, RP_MEDIA_ERROR_MISSING_PLUGIN,
                 "The GStreamer element “%s” is missing; install the GStreamer plugins", factory);
  return element;
}

GstElement *
rp_media_make_audio_source (const char *spec,
                            gboolean   *is_device,
                            GError    **error)
{
  *is_device = FALSE;
  if (g_strcmp0 (spec, "none") == 0)
    return NULL;
  if (g_strcmp0 (spec, "test") == 0 || g_str_has_prefix (spec != NULL ? spec : "", "test:"))
    {
      double freq = RP_MEDIA_TEST_FREQ;
      GstElement *src;

      if (spec[4] == ':')
        {
          char *end = NULL;

          freq = g_ascii_strtod (spec + 5, &end);
          if (end == spec + 5 || *end != '\0' || !(freq >= 20.0 && freq <= 20000.0))
            {
              g_set_error (error, RP_MEDIA_ERROR, RP_MEDIA_ERROR_BAD_SPEC,
                           "“%s”: the test tone's frequency must be 20 to 20000 Hz", spec);
              return NULL;
            }
        }
      src = make_element ("audiotestsrc", error);
      if (src != NULL)
        /* 10 ms buffers: the tone reaches the encoder as soon as a real microphone's would. */
        g_object_set (src, "is-live", TRUE, "wave", 0, "freq", freq, "volume", 0.3,
                      "samplesperbuffer", 480, NULL);
      return src;
    }
  *is_device = TRUE;
  return make_from_device (RP_MEDIA_CLASS_MICROPHONE, spec, NULL, "microphone", error);
}

GstElement *
rp_media_make_video_source (const char *spec,
                            gboolean   *is_device,
                            GError    **error)
{
  *is_device = FALSE;
  if (g_strcmp0 (spec, "none") == 0)
    return NULL;
  if (g_strcmp0 (spec, "test") == 0)
    {
      GstElement *src = make_element ("videotestsrc", error);

      if (src != NULL)
        g_object_set (src, "is-live", TRUE, NULL);
      return src;
    }
  *is_device = TRUE;
  return make_from_device (RP_MEDIA_CLASS_CAMERA, spec, NULL, "camera", error);
}

static GstElement *
make_audio_sink (const char *spec,
                 const char *avoid,
                 GError    **error)
{
  GstElement *sink;
  g_autoptr(GError) local_error = NULL;

  if (g_strcmp0 (spec, "none") != 0)
    {
      sink = make_from_device (RP_MEDIA_CLASS_SPEAKER, spec, avoid, "speaker", &local_error);
      if (sink != NULL)
        return sink;
      if (spec != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_message ("%s: received audio is not played", local_error->message);
    }
  /* Synced to the clock like a real speaker, so timing downstream of the jitter buffer is as
   * it would be with one. */
  sink = make_element ("fakesink", error);
  if (sink != NULL)
    g_object_set (sink, "sync", TRUE, "async", FALSE, NULL);
  return sink;
}

GstElement *
rp_media_make_audio_sink (const char *spec,
                          GError    **error)
{
  return make_audio_sink (spec, NULL, error);
}

GstElement *
rp_media_make_fallback (const char *device_class,
                        const char *avoid,
                        GError    **error)
{
  if (g_str_equal (device_class, RP_MEDIA_CLASS_SPEAKER))
    return make_audio_sink (NULL, avoid, error);
  return make_from_device (device_class, NULL, avoid,
                           g_str_equal (device_class, RP_MEDIA_CLASS_CAMERA) ? "camera"
                                                                             : "microphone",
                           error);
}

char *
rp_media_missing_elements (void)
{
  static const char *needed[] = {
    "webrtcbin", "nicesrc", "dtlssrtpenc", "srtpenc", "sctpenc", "rtpbin", "opusenc",
    "opusdec", "rtpopuspay", "rtpopusdepay", "vp8enc", "vp8dec", "rtpvp8pay", "rtpvp8depay",
    "audioconvert", "audioresample", "videoconvert", "videoscale", "videorate", "volume",
    "valve", "spectrum", "level", "queue", "tee", "fakesink",
  };
  g_autoptr(GString) missing = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (needed[i]);

      if (factory == NULL)
        g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", needed[i]);
    }
  return missing->len ? g_string_free (g_steal_pointer (&missing), FALSE) : NULL;
}
