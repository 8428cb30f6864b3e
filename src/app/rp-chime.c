/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <math.h>

#include "rp-chime.h"

/* A two-note chime generated on the fly (rising when the partner arrives, falling when they
 * leave): soft sine tones with a quick attack and a long decay, quiet enough not to startle
 * anyone in the middle of a sentence. No sound files, no libcanberra. */

#define RATE 48000
#define NOTE_MS 180
#define AMPLITUDE 0.18

struct _RpChime
{
  GObject parent_instance;

  GstElement *pipeline;
  guint bus_watch;
};

G_DEFINE_FINAL_TYPE (RpChime, rp_chime, G_TYPE_OBJECT)

static void
stop (RpChime *self)
{
  if (self->pipeline == NULL)
    return;
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_object (&self->pipeline);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  RpChime *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      /* No sound device (a test machine, a headless session): a chime is not worth a fuss. */
      g_debug ("Chime could not play");
      G_GNUC_FALLTHROUGH;
    case GST_MESSAGE_EOS:
      self->bus_watch = 0;
      stop (self);
      return G_SOURCE_REMOVE;
    default:
      return G_SOURCE_CONTINUE;
    }
}

static void
render_note (gint16 *out, double frequency)
{
  guint samples = RATE * NOTE_MS / 1000;

  for (guint i = 0; i < samples; i++)
    {
      double t = (double) i / RATE;
      double attack = MIN (1.0, t / 0.008);
      double envelope = attack * exp (-t * 14.0);
      double tone = sin (2 * G_PI * frequency * t) + 0.25 * sin (4 * G_PI * frequency * t);

      out[i] = (gint16) (AMPLITUDE * envelope * tone * G_MAXINT16 / 1.25);
    }
}

static GstBuffer *
render (RpChimeKind kind)
{
  /* E5 and A5: a fourth apart, friendly in either direction. */
  double first = kind == RP_CHIME_JOIN ? 659.25 : 880.0;
  double second = kind == RP_CHIME_JOIN ? 880.0 : 659.25;
  guint note = RATE * NOTE_MS / 1000;
  gsize size = 2 * note * sizeof (gint16);
  gint16 *data = g_malloc0 (size);

  render_note (data, first);
  render_note (data + note, second);
  return gst_buffer_new_wrapped (data, size);
}

static void
rp_chime_dispose (GObject *object)
{
  stop (RP_CHIME (object));
  G_OBJECT_CLASS (rp_chime_parent_class)->dispose (object);
}

static void
rp_chime_class_init (RpChimeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rp_chime_dispose;
}

static void
rp_chime_init (RpChime *self)
{
}

RpChime *
rp_chime_new (void)
{
  return g_object_new (RP_TYPE_CHIME, NULL);
}

void
rp_chime_play (RpChime *self, RpChimeKind kind)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstBus) bus = NULL;

  g_return_if_fail (RP_IS_CHIME (self));

  stop (self);
  self->pipeline = gst_parse_launch ("appsrc name=src format=time ! audioconvert ! "
                                     "audioresample ! autoaudiosink", &error);
  if (self->pipeline == NULL)
    {
      g_debug ("No chime: %s", error->message);
      return;
    }
  gst_object_ref_sink (self->pipeline);
  src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "S16LE",
                              "layout", G_TYPE_STRING, "interleaved",
                              "rate", G_TYPE_INT, RATE, "channels", G_TYPE_INT, 1, NULL);
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_app_src_push_buffer (GST_APP_SRC (src), render (kind));
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
}
