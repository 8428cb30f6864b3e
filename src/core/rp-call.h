/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Call quality, once a second. Zero where webrtcbin has no figure yet. */
typedef struct {
  double rtt_ms;
  double loss_pct;
  double jitter_ms;
  double send_kbps;
  double recv_kbps;
  int    width;
  int    height;
  double fps;
} RpCallStats;

GType        rp_call_stats_get_type (void);
#define RP_TYPE_CALL_STATS (rp_call_stats_get_type ())
RpCallStats *rp_call_stats_copy     (const RpCallStats *stats);
void         rp_call_stats_free     (RpCallStats       *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpCallStats, rp_call_stats_free)

#define RP_CALL_ERROR (rp_call_error_quark ())
GQuark rp_call_error_quark (void);

typedef enum {
  RP_CALL_ERROR_MISSING_PLUGIN,
  RP_CALL_ERROR_NO_DEVICE,
  RP_CALL_ERROR_PIPELINE,
  RP_CALL_ERROR_NEGOTIATION,
} RpCallError;

#define RP_TYPE_CALL (rp_call_get_type ())
G_DECLARE_FINAL_TYPE (RpCall, rp_call, RP, CALL, GObject)

/* One peer connection: a GStreamer pipeline around webrtcbin, its media and its data channel.
 * Construct-only properties: "polite", "audio-only", "video-source", "audio-source",
 * "audio-sink", "remote-video-sink", "local-video-sink", "ice-servers" (GStrv of webrtcbin
 * URLs: stun://HOST:PORT, turn://USER:PASS@HOST:PORT, USER and PASS URL-encoded), "relay-only"
 * (TURN-relayed candidates only; none gathered is an "error"). Read-write: "muted", "camera-enabled".
 * Read-only: "remote-camera-enabled", "verification-code", "input-level" and "output-level"
 * (dB RMS of what is sent and what is played, -100 = silence, ~10 updates a second).
 *
 * Signals (all on the main context): "local-signal" (JsonNode: the `data` of a signaling
 * message to relay), "connected" (local type, remote type), "first-frame" (kind, monotonic
 * µs), "audio-level" (hz or -1), "stats" (RpCallStats), "data-channel-open", "data-received"
 * (GBytes), "text-received" (JsonNode: an application message), "peer-dead", "device-fallback"
 * (kind, vanished device's name, default used instead or NULL), "error". */
RpCall     *rp_call_new                   (gboolean      polite);
gboolean    rp_call_start                 (RpCall       *self,
                                           GError      **error);
void        rp_call_negotiate             (RpCall       *self);
void        rp_call_handle_signal         (RpCall       *self,
                                           JsonObject   *data);
gboolean    rp_call_send_data             (RpCall       *self,
                                           GBytes       *bytes);
gboolean    rp_call_send_message          (RpCall       *self,
                                           JsonNode     *message);
gboolean    rp_call_is_data_channel_open  (RpCall       *self);
gboolean    rp_call_set_source            (RpCall       *self,
                                           gboolean      video,
                                           const char   *spec,
                                           GError      **error);
void        rp_call_stop                  (RpCall       *self);
const char *rp_call_get_verification_code (RpCall       *self);
GstElement *rp_call_get_pipeline          (RpCall       *self);

typedef enum {
  RP_CALL_CONTROL_APP,          /* an application message: message holds it */
  RP_CALL_CONTROL_HEARTBEAT,
  RP_CALL_CONTROL_MEDIA_STATE,  /* camera, muted, want_video */
  RP_CALL_CONTROL_CHUNKED,      /* chunked_size: the binary pieces that follow */
} RpCallControlKind;

typedef struct {
  RpCallControlKind kind;
  gboolean          camera;
  gboolean          muted;
  gboolean          want_video;
  gsize             chunked_size;
  JsonNode         *message;
} RpCallControl;

gboolean    rp_call_parse_data_text       (const char    *text,
                                           gssize         length,
                                           RpCallControl *out,
                                           GError       **error);
void        rp_call_control_clear         (RpCallControl *control);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RpCallControl, rp_call_control_clear)

/* The six-digit code of PROTOCOL.md from two SDP texts; NULL if either lacks a sha-256
 * fingerprint. */
char       *rp_call_compute_verification_code (const char *local_sdp,
                                               const char *remote_sdp);

G_END_DECLS
