/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mouth-to-ear latency without device buffers: two real RpCalls in one process (one clock),
 * wired through loopback like a real call. The sender's tone is unmuted in short pulses; the
 * time a pulse's first loud buffer leaves the sender's mute stage is compared with the time
 * the receiver's clock-synced sink renders its first loud buffer. That covers Opus encoding,
 * RTP/SRTP over loopback, the jitter buffer, decoding and playout scheduling — everything but
 * the sound card's own buffers. Prints figures; never fails on time.
 *
 * Usage: bench-latency [PULSES]   (RAPPORT_JITTER_MS=200 compares webrtcbin's default)
 */
#include "config.h"

#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <math.h>
#include <stdlib.h>

#include "rp-call.h"

#define PULSE_ON_MS 200
#define PULSE_PERIOD_MS 1000
#define LOUD_RMS 0.02

typedef struct {
  RpCall    *send;
  RpCall    *recv;
  GstElement *mute;
  gboolean   connected;
  gboolean   send_loud;        /* streaming-thread state of the onset detectors */
  gboolean   recv_loud;
  GMutex     lock;
  GArray    *sent_us;
  GArray    *heard_us;
  int        pulses_left;
  GMainLoop *loop;
} Bench;

static double
buffer_rms (GstBuffer *buffer,
            GstCaps   *caps)
{
  GstAudioInfo info;
  GstMapInfo map;
  double sum = 0.0;
  gsize n = 0;

  if (caps == NULL || !gst_audio_info_from_caps (&info, caps)
      || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return 0.0;
  if (GST_AUDIO_INFO_FORMAT (&info) == GST_AUDIO_FORMAT_S16)
    {
      const gint16 *s = (const gint16 *) map.data;

      n = map.size / 2;
      for (gsize i = 0; i < n; i++)
        sum += (s[i] / 32768.0) * (s[i] / 32768.0);
    }
  else if (GST_AUDIO_INFO_FORMAT (&info) == GST_AUDIO_FORMAT_F32)
    {
      const float *s = (const float *) map.data;

      n = map.size / 4;
      for (gsize i = 0; i < n; i++)
        sum += s[i] * s[i];
    }
  gst_buffer_unmap (buffer, &map);
  return n > 0 ? sqrt (sum / n) : 0.0;
}

static void
note_onset (Bench    *b,
            gboolean *loud,
            double    rms,
            GArray   *times)
{
  gint64 now = g_get_monotonic_time ();
  gboolean is_loud = rms > LOUD_RMS;

  g_mutex_lock (&b->lock);
  if (is_loud && !*loud)
    g_array_append_val (times, now);
  *loud = is_loud;
  g_mutex_unlock (&b->lock);
}

static GstPadProbeReturn
on_sent (GstPad          *pad,
         GstPadProbeInfo *info,
         gpointer         user_data)
{
  Bench *b = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  note_onset (b, &b->send_loud, buffer_rms (GST_PAD_PROBE_INFO_BUFFER (info), caps),
              b->sent_us);
  return GST_PAD_PROBE_OK;
}

static void
on_rendered (GstElement *sink,
             GstBuffer  *buffer,
             GstPad     *pad,
             gpointer    user_data)
{
  Bench *b = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  note_onset (b, &b->recv_loud, buffer_rms (buffer, caps), b->heard_us);
}

static void
on_local_signal (RpCall   *call,
                 JsonNode *data,
                 RpCall   *other)
{
  g_autofree char *text = json_to_string (data, FALSE);
  g_autoptr(JsonNode) copy = json_from_string (text, NULL);

  rp_call_handle_signal (other, json_node_get_object (copy));
}

static gboolean
mute_again (gpointer user_data)
{
  Bench *b = user_data;

  g_object_set (b->mute, "mute", TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
pulse (gpointer user_data)
{
  Bench *b = user_data;

  if (b->pulses_left-- <= 0)
    {
      g_main_loop_quit (b->loop);
      return G_SOURCE_REMOVE;
    }
  g_object_set (b->mute, "mute", FALSE, NULL);
  g_timeout_add (PULSE_ON_MS, mute_again, b);
  return G_SOURCE_CONTINUE;
}

static void
on_first_frame (RpCall     *call,
                const char *kind,
                gint64      when,
                Bench      *b)
{
  GstElement *pipeline;
  g_autoptr(GstElement) speaker = NULL;
  g_autoptr(GstPad) pad = NULL;

  if (b->connected)
    return;
  b->connected = TRUE;
  pipeline = rp_call_get_pipeline (b->recv);
  speaker = gst_bin_get_by_name (GST_BIN (pipeline), "speaker");
  g_object_set (speaker, "signal-handoffs", TRUE, NULL);
  g_signal_connect (speaker, "handoff", G_CALLBACK (on_rendered), b);
  b->mute = gst_bin_get_by_name (GST_BIN (rp_call_get_pipeline (b->send)), "mute");
  g_object_set (b->mute, "mute", TRUE, NULL);
  pad = gst_element_get_static_pad (b->mute, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_sent, b, NULL);
  /* Let the muted stream settle (DTX, jitter buffer) before the first pulse. */
  g_timeout_add (PULSE_PERIOD_MS, pulse, b);
}

static gboolean
give_up (gpointer user_data)
{
  Bench *b = user_data;

  g_printerr ("bench-latency: no call within 30 s\n");
  g_main_loop_quit (b->loop);
  return G_SOURCE_REMOVE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  Bench b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (double));
  guint timeout_id;

  gst_init (&argc, &argv);
  b.pulses_left = argc > 1 ? atoi (argv[1]) : 10;
  b.sent_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.heard_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_init (&b.lock);
  b.loop = g_main_loop_new (NULL, FALSE);
  b.send = g_object_new (RP_TYPE_CALL, "polite", FALSE, "audio-only", TRUE,
                         "audio-source", "test:1000", "audio-sink", "none", NULL);
  b.recv = g_object_new (RP_TYPE_CALL, "polite", TRUE, "audio-only", TRUE,
                         "audio-source", "none", "audio-sink", "none", NULL);
  g_signal_connect (b.send, "local-signal", G_CALLBACK (on_local_signal), b.recv);
  g_signal_connect (b.recv, "local-signal", G_CALLBACK (on_local_signal), b.send);
  g_signal_connect (b.recv, "first-frame", G_CALLBACK (on_first_frame), &b);
  if (!rp_call_start (b.send, &error) || !rp_call_start (b.recv, &error))
    {
      g_printerr ("bench-latency: %s\n", error->message);
      return 1;
    }
  rp_call_negotiate (b.send);
  timeout_id = g_timeout_add_seconds (30, give_up, &b);
  g_main_loop_run (b.loop);
  if (b.connected)
    g_source_remove (timeout_id);

  /* Pair each pulse sent with the first onset heard after it. */
  g_mutex_lock (&b.lock);
  for (guint i = 0, j = 0; i < b.sent_us->len; i++)
    {
      gint64 sent = g_array_index (b.sent_us, gint64, i);

      while (j < b.heard_us->len && g_array_index (b.heard_us, gint64, j) < sent)
        j++;
      if (j < b.heard_us->len)
        {
          double ms = (g_array_index (b.heard_us, gint64, j) - sent) / 1000.0;

          if (ms < PULSE_PERIOD_MS)
            g_array_append_val (lat, ms);
        }
    }
  g_mutex_unlock (&b.lock);

  g_print ("mouth-to-ear (no device buffers), jitter buffer %s ms, %u pulses:",
           g_getenv ("RAPPORT_JITTER_MS") ? g_getenv ("RAPPORT_JITTER_MS") : "50 (default)",
           lat->len);
  for (guint i = 0; i < lat->len; i++)
    g_print (" %.0f", g_array_index (lat, double, i));
  g_print (" ms\n");
  if (lat->len > 0)
    {
      g_array_sort (lat, compare_double);
      g_print ("  median %.0f ms, min %.0f ms, max %.0f ms\n",
               g_array_index (lat, double, lat->len / 2), g_array_index (lat, double, 0),
               g_array_index (lat, double, lat->len - 1));
    }
  rp_call_stop (b.send);
  rp_call_stop (b.recv);
  g_clear_object (&b.mute);
  g_object_unref (b.send);
  g_object_unref (b.recv);
  g_array_unref (b.sent_us);
  g_array_unref (b.heard_us);
  g_main_loop_unref (b.loop);
  return 0;
}
