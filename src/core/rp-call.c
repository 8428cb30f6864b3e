/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One peer connection: a pipeline around webrtcbin with Opus and VP8 tuned for conversation,
 * the pre-negotiated data channel `rapport`, stats, and the offer/answer half of perfect
 * negotiation. Everything webrtcbin tells us on its own threads is handed to the main context
 * (run_in_main) before it touches this object's state.
 *
 * What GStreamer 1.22.0 (Debian 12) does not do for us, and is done here instead:
 * - no ICE consent freshness: a peer that vanishes is noticed by "life signs" (RTP received,
 *   data-channel messages, a heartbeat every second);
 * - creating a pre-negotiated data channel fires no on-negotiation-needed: the offer is made
 *   explicitly (rp_call_negotiate);
 * - messages over ~64 KiB are silently dropped by its SCTP path: large binary messages are
 *   announced and sent in pieces (see send_chunked).
 */
#include "config.h"

#include <string.h>

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>

#include <nice/agent.h>

#include "rp-call.h"
#include "rp-dtls-cert.h"
#include "rp-media.h"
#include "rp-protocol.h"

#define RP_CALL_JITTER_LATENCY_MS 50
#define RP_CALL_CHUNK 60000                       /* < 64 KiB: what 1.22's SCTP path carries */
#define RP_CALL_MAX_MESSAGE (64 * 1024 * 1024)    /* refuse reassembling more than this */
#define RP_CALL_DEAD_AFTER_S 6
/* From the first remote description to "connected"; a clean set-up takes under a second,
 * one through 10 % loss up to ~3 s (tests/bench/net-setup.sh). */
#define RP_CALL_SETUP_GIVE_UP_S 8
#define RP_CALL_AUDIO_PT 111
#define RP_CALL_VIDEO_PT 96
#define RP_CALL_SPECTRUM_BANDS 1024
#define RP_CALL_SILENCE_DB (-60.0)
#define RP_CALL_LEVEL_FLOOR_DB (-100.0)             /* what the level properties call silence */
#define RP_CALL_LEVEL_STALE_US (500 * G_TIME_SPAN_MILLISECOND)

struct _RpCall
{
  GObject              parent_instance;

  /* construct-time configuration */
  gboolean             polite;
  gboolean             audio_only;
  char                *video_source;
  char                *audio_source;
  char                *audio_sink;
  GstElement          *remote_video_sink;
  GstElement          *local_video_sink;
  GStrv                ice_servers;
  char                *dtls_pem;      /* this call's certificate; NULL: GStreamer's own */
  char                *dtls_fingerprint;  /* its SHA-256, as in a=fingerprint */
  gboolean             relay_only;
  gboolean             muted;
  gboolean             camera_enabled;

  GMainContext        *context;
  GstElement          *pipeline;
  GstElement          *webrtc;
  GstElement          *volume;
  GstElement          *valve;
  GstWebRTCDataChannel *channel;
  guint                bus_watch_id;
  guint                tick_id;
  gboolean             stopped;
  guint                local_candidates;     /* gathered so far (main context) */

  /* negotiation (main context only) */
  gboolean             started;
  gboolean             media_ready;          /* every send pad has caps: see on_send_caps */
  gint                 pending_caps;         /* send pads still without caps (atomic) */
  gboolean             offer_wanted;
  JsonObject          *deferred_offer;
  gboolean             making_offer;
  gboolean             remote_set;
  GPtrArray           *pending_candidates;   /* JsonObject, until a remote description is set */
  char                *verification_code;

  /* what the peer sends */
  gboolean             remote_camera_enabled;
  gboolean             remote_wants_video;   /* media-state's want-video; absent is TRUE */
  gboolean             connected_emitted;
  gint                 handshake_done;   /* atomic: DTLS is up, datagrams go once again */
  gboolean             channel_open;
  GByteArray          *reassembly;
  gsize                reassembly_size;

  /* counters written on streaming threads, read on the tick */
  gint                 life_signs;
  gint                 video_frames;
  gint                 video_width;
  gint                 video_height;
  gint                 first_audio;
  gint                 first_video;
  GstElement          *echo_probe;           /* set before PLAYING, read on streaming threads */
  GstElement          *speaker;
  GstElement          *audio_src;            /* the capture elements, swapped in place */
  GstElement          *video_src;

  /* level meters (main context), dB RMS */
  double               input_level;
  double               output_level;
  gint64               input_level_us;
  gint64               output_level_us;

  /* tick state */
  int                  last_life_signs;
  gint64               last_life_us;
  gint64               negotiating_since_us;  /* first remote description; 0 before */
  gboolean             setup_given_up;
  gint64               last_level_us;
  gint64               last_tick_us;
  gboolean             stats_due;
  guint64              last_bytes_sent;
  guint64              last_bytes_received;
  double               last_packets_received;
  double               last_packets_lost;
};

G_DEFINE_FINAL_TYPE (RpCall, rp_call, G_TYPE_OBJECT)
G_DEFINE_QUARK (rp-call-error-quark, rp_call_error)

enum {
  PROP_0,
  PROP_POLITE,
  PROP_AUDIO_ONLY,
  PROP_VIDEO_SOURCE,
  PROP_AUDIO_SOURCE,
  PROP_AUDIO_SINK,
  PROP_REMOTE_VIDEO_SINK,
  PROP_LOCAL_VIDEO_SINK,
  PROP_ICE_SERVERS,
  PROP_RELAY_ONLY,
  PROP_MUTED,
  PROP_CAMERA_ENABLED,
  PROP_REMOTE_CAMERA_ENABLED,
  PROP_VERIFICATION_CODE,
  PROP_INPUT_LEVEL,
  PROP_OUTPUT_LEVEL,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_LOCAL_SIGNAL,
  SIGNAL_CONNECTED,
  SIGNAL_FIRST_FRAME,
  SIGNAL_AUDIO_LEVEL,
  SIGNAL_STATS,
  SIGNAL_DATA_CHANNEL_OPEN,
  SIGNAL_DATA_RECEIVED,
  SIGNAL_TEXT_RECEIVED,
  SIGNAL_PEER_DEAD,
  SIGNAL_DEVICE_FALLBACK,
  SIGNAL_ERROR,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- hopping to the main context ------------------------------------------------------ */

typedef void (*RpCallMainFunc) (RpCall *self, gpointer data);

typedef struct {
  RpCall         *self;
  RpCallMainFunc  func;
  gpointer        data;
  GDestroyNotify  destroy;
} MainJob;

static gboolean
main_job_dispatch (gpointer user_data)
{
  MainJob *job = user_data;

  if (!job->self->stopped)
    job->func (job->self, job->data);
  return G_SOURCE_REMOVE;
}

static void
main_job_free (gpointer user_data)
{
  MainJob *job = user_data;

  if (job->destroy != NULL && job->data != NULL)
    job->destroy (job->data);
  g_object_unref (job->self);
  g_free (job);
}

static void
run_in_main (RpCall         *self,
             RpCallMainFunc  func,
             gpointer        data,
             GDestroyNotify  destroy)
{
  MainJob *job = g_new0 (MainJob, 1);
  GSource *source = g_idle_source_new ();

  /* Always queued, never run in place: g_main_context_invoke would run the job right here, on
   * the streaming thread, whenever it can acquire an idle context; that touched our state off
   * the main thread and let a later job overtake queued ones (data-channel messages arrived
   * out of order). */
  job->self = g_object_ref (self);
  job->func = func;
  job->data = data;
  job->destroy = destroy;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, main_job_dispatch, job, main_job_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
emit_error (RpCall     *self,
            gint        code,
            const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (RP_CALL_ERROR, code, message);

  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

/* ---- verification code ---------------------------------------------------------------- */

/* PROTOCOL.md's rule lives with the protocol module; the call only feeds it the SDP it
 * actually applied. */
char *
rp_call_compute_verification_code (const char *local_sdp,
                                   const char *remote_sdp)
{
  return rp_protocol_verification_code (local_sdp, remote_sdp);
}

static char *
description_text (GstElement *webrtc,
                  const char *property)
{
  GstWebRTCSessionDescription *desc = NULL;
  char *text;

  g_object_get (webrtc, property, &desc, NULL);
  if (desc == NULL)
    return NULL;
  text = gst_sdp_message_as_text (desc->sdp);
  gst_webrtc_session_description_free (desc);
  return text;
}

static void
update_verification_code (RpCall *self)
{
  g_autofree char *local = description_text (self->webrtc, "current-local-description");
  g_autofree char *remote = description_text (self->webrtc, "current-remote-description");
  g_autofree char *code = NULL;

  if (local == NULL || remote == NULL)
    return;
  code = rp_call_compute_verification_code (local, remote);
  if (code == NULL || g_strcmp0 (code, self->verification_code) == 0)
    return;
  g_free (self->verification_code);
  self->verification_code = g_steal_pointer (&code);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFICATION_CODE]);
}

/* ---- signaling out -------------------------------------------------------------------- */

static void
send_description (RpCall                      *self,
                  GstWebRTCSessionDescription *desc)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sdp = gst_sdp_message_as_text (desc->sdp);
  g_autoptr(JsonNode) node = NULL;

  g_debug ("local %s:\n%s", gst_webrtc_sdp_type_to_string (desc->type), sdp);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "description");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, gst_webrtc_sdp_type_to_string (desc->type));
  json_builder_set_member_name (b, "sdp");
  json_builder_add_string_value (b, sdp);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  g_signal_emit (self, signals[SIGNAL_LOCAL_SIGNAL], 0, node);
}

typedef struct {
  guint  mline;
  char  *candidate;
} IceCandidate;

static void
ice_candidate_free (gpointer data)
{
  IceCandidate *c = data;

  g_free (c->candidate);
  g_free (c);
}

static char *
local_mid (RpCall *self,
           guint   mline)
{
  GstWebRTCSessionDescription *desc = NULL;
  char *mid = NULL;

  g_object_get (self->webrtc, "local-description", &desc, NULL);
  if (desc == NULL)
    return NULL;
  if (mline < gst_sdp_message_medias_len (desc->sdp))
    mid = g_strdup (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (desc->sdp,
                                                                                mline), "mid"));
  gst_webrtc_session_description_free (desc);
  return mid;
}

static void
send_candidate_main (RpCall  *self,
                     gpointer data)
{
  IceCandidate *c = data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *mid = c->candidate != NULL ? local_mid (self, c->mline) : NULL;

  if (c->candidate != NULL)
    self->local_candidates++;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "candidate");
  if (c->candidate == NULL)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "candidate");
      json_builder_add_string_value (b, c->candidate);
      json_builder_set_member_name (b, "sdpMid");
      json_builder_add_string_value (b, mid != NULL ? mid : "0");
      json_builder_set_member_name (b, "sdpMLineIndex");
      json_builder_add_int_value (b, c->mline);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  g_signal_emit (self, signals[SIGNAL_LOCAL_SIGNAL], 0, node);
}

static void
on_ice_candidate (GstElement *webrtc,
                  guint       mline,
                  char       *candidate,
                  RpCall     *self)
{
  IceCandidate *c = g_new0 (IceCandidate, 1);

  c->mline = mline;
  c->candidate = g_strdup (candidate);
  run_in_main (self, send_candidate_main, c, ice_candidate_free);
}

static void
gathering_done_main (RpCall  *self,
                     gpointer data)
{
  IceCandidate c = { 0, NULL };
  g_autoptr(GError) error = NULL;

  send_candidate_main (self, &c);
  /* Relay-only, libnice reports relayed candidates alone: none means no TURN server gave us
   * an allocation (wrong credentials, unreachable), and the call could only hang. */
  if (self->relay_only && self->local_candidates == 0 && !self->stopped)
    {
      error = g_error_new_literal (RP_CALL_ERROR, RP_CALL_ERROR_NEGOTIATION,
                                   "No TURN relay could be allocated (relay-only): the TURN "
                                   "server refused our credentials or could not be reached");
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
    }
}

static void request_stats (RpCall *self);

static void
connection_state_main (RpCall  *self,
                       gpointer data)
{
  /* The candidate types of "connected" come from the stats; ask for them now rather than on
   * the next tick. */
  request_stats (self);
}

static void
on_notify_connection_state (GstElement *webrtc,
                            GParamSpec *pspec,
                            RpCall     *self)
{
  run_in_main (self, connection_state_main, NULL, NULL);
}

static void
on_notify_gathering (GstElement *webrtc,
                     GParamSpec *pspec,
                     RpCall     *self)
{
  GstWebRTCICEGatheringState state;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    run_in_main (self, gathering_done_main, NULL, NULL);
}

/* ---- offer / answer ------------------------------------------------------------------- */

typedef struct {
  GstPromise *promise;
  int         kind;   /* GstWebRTCSDPType, or -1 for "a description was applied" */
} PromiseReply;

static void
promise_reply_free (gpointer data)
{
  PromiseReply *r = data;

  gst_promise_unref (r->promise);
  g_free (r);
}

static void local_description_set_main (RpCall *self, gpointer data);

static void
on_local_set (GstPromise *promise,
              gpointer    user_data)
{
  RpCall *self = user_data;

  run_in_main (self, local_description_set_main, NULL, NULL);
}

static void
local_description_set_main (RpCall  *self,
                            gpointer data)
{
  self->making_offer = FALSE;
  update_verification_code (self);
}

/* webrtcbin 1.22 hashes every base64 line of the transport's PEM for a=fingerprint, which for
 * a certificate given with its key (ours) is certificate and key together: a browser then
 * refuses the handshake (alert 46, certificate unknown). The certificate's own SHA-256 goes
 * in instead, before the description is applied or sent. */
static void
replace_fingerprints (RpCall        *self,
                      GstSDPMessage *sdp)
{
  g_autofree char *value = NULL;
  GstSDPAttribute attr;

  if (self->dtls_fingerprint == NULL)
    return;
  value = g_strconcat ("sha-256 ", self->dtls_fingerprint, NULL);
  for (guint i = 0; i < gst_sdp_message_attributes_len (sdp); i++)
    if (g_strcmp0 (gst_sdp_message_get_attribute (sdp, i)->key, "fingerprint") == 0)
      {
        gst_sdp_attribute_set (&attr, "fingerprint", value);
        gst_sdp_message_replace_attribute (sdp, i, &attr);
      }
  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    {
      GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, m);

      for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++)
        if (g_strcmp0 (gst_sdp_media_get_attribute (media, i)->key, "fingerprint") == 0)
          {
            gst_sdp_attribute_set (&attr, "fingerprint", value);
            gst_sdp_media_replace_attribute (media, i, &attr);
          }
    }
}

static void
created_main (RpCall  *self,
              gpointer data)
{
  PromiseReply *r = data;
  const GstStructure *reply = gst_promise_get_reply (r->promise);
  const char *field = r->kind == GST_WEBRTC_SDP_TYPE_OFFER ? "offer" : "answer";
  GstWebRTCSessionDescription *desc = NULL;
  GstPromise *promise;

  if (reply == NULL || !gst_structure_get (reply, field,
                                           GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL))
    {
      g_autoptr(GError) error = NULL;

      if (reply != NULL)
        gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
      self->making_offer = FALSE;
      g_message ("could not create the %s: %s", field, error ? error->message : "no reply");
      emit_error (self, RP_CALL_ERROR_NEGOTIATION,
                  "The call could not be set up (the two sides found no common media)");
      return;
    }
  replace_fingerprints (self, desc->sdp);
  promise = gst_promise_new_with_change_func (on_local_set, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtc, "set-local-description", desc, promise);
  gst_promise_unref (promise);
  send_description (self, desc);
  gst_webrtc_session_description_free (desc);
}

static void
on_offer_created (GstPromise *promise,
                  gpointer    user_data)
{
  RpCall *self = user_data;
  PromiseReply *r = g_new0 (PromiseReply, 1);

  r->promise = gst_promise_ref (promise);
  r->kind = GST_WEBRTC_SDP_TYPE_OFFER;
  run_in_main (self, created_main, r, promise_reply_free);
}

static void
on_answer_created (GstPromise *promise,
                   gpointer    user_data)
{
  RpCall *self = user_data;
  PromiseReply *r = g_new0 (PromiseReply, 1);

  r->promise = gst_promise_ref (promise);
  r->kind = GST_WEBRTC_SDP_TYPE_ANSWER;
  run_in_main (self, created_main, r, promise_reply_free);
}

static void
add_candidate_now (RpCall     *self,
                   JsonObject *cand)
{
  const char *text = json_object_get_string_member (cand, "candidate");
  gint64 mline = json_object_get_int_member (cand, "sdpMLineIndex");

  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", (guint) mline, text);
}

static void
remote_set_main (RpCall  *self,
                 gpointer data)
{
  PromiseReply *r = data;
  const GstStructure *reply = gst_promise_get_reply (r->promise);

  if (reply != NULL && gst_structure_has_field (reply, "error"))
    {
      g_autoptr(GError) error = NULL;

      gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
      g_message ("the peer's description was refused: %s", error ? error->message : "?");
      emit_error (self, RP_CALL_ERROR_NEGOTIATION,
                  "The other side's call setup could not be used");
      return;
    }
  self->remote_set = TRUE;
  for (guint i = 0; i < self->pending_candidates->len; i++)
    add_candidate_now (self, g_ptr_array_index (self->pending_candidates, i));
  g_ptr_array_set_size (self->pending_candidates, 0);

  if (r->kind == GST_WEBRTC_SDP_TYPE_OFFER)
    {
      GstPromise *promise = gst_promise_new_with_change_func (on_answer_created, g_object_ref (self), g_object_unref);

      g_signal_emit_by_name (self->webrtc, "create-answer", NULL, promise);
      gst_promise_unref (promise);
    }
  else
    update_verification_code (self);
}

typedef struct {
  RpCall *self;
  int     kind;
} RemoteSetCtx;

static void
remote_set_ctx_free (gpointer data)
{
  RemoteSetCtx *ctx = data;

  g_object_unref (ctx->self);
  g_free (ctx);
}

static void
on_remote_set_ctx (GstPromise *promise,
                   gpointer    user_data)
{
  RemoteSetCtx *ctx = user_data;
  PromiseReply *r = g_new0 (PromiseReply, 1);

  r->promise = gst_promise_ref (promise);
  r->kind = ctx->kind;
  run_in_main (ctx->self, remote_set_main, r, promise_reply_free);
}

static void
handle_description (RpCall     *self,
                    JsonObject *desc)
{
  JsonNode *type_node = json_object_get_member (desc, "type");
  const char *type_str = type_node != NULL && JSON_NODE_HOLDS_VALUE (type_node)
                         && json_node_get_value_type (type_node) == G_TYPE_STRING
                         ? json_node_get_string (type_node) : "";
  const char *sdp_text = NULL;
  g_autoptr(GstSDPMessage) sdp = NULL;
  GstWebRTCSDPType type;
  GstWebRTCSignalingState sstate;
  GstWebRTCSessionDescription *wdesc;
  GstPromise *promise;
  RemoteSetCtx *ctx;
  gboolean collision;

  if (json_object_has_member (desc, "sdp")
      && json_node_get_value_type (json_object_get_member (desc, "sdp")) == G_TYPE_STRING)
    sdp_text = json_object_get_string_member (desc, "sdp");
  if (g_strcmp0 (type_str, "offer") == 0)
    type = GST_WEBRTC_SDP_TYPE_OFFER;
  else if (g_strcmp0 (type_str, "answer") == 0)
    type = GST_WEBRTC_SDP_TYPE_ANSWER;
  else
    {
      g_message ("ignoring a description of type “%s”", type_str);
      return;
    }
  if (sdp_text == NULL || gst_sdp_message_new_from_text (sdp_text, &sdp) != GST_SDP_OK
      || gst_sdp_message_medias_len (sdp) == 0)
    {
      g_message ("ignoring a %s whose SDP cannot be read", type_str);
      return;
    }

  if (type == GST_WEBRTC_SDP_TYPE_OFFER && !self->media_ready)
    {
      g_clear_pointer (&self->deferred_offer, json_object_unref);
      self->deferred_offer = json_object_ref (desc);
      return;
    }
  g_object_get (self->webrtc, "signaling-state", &sstate, NULL);
  collision = type == GST_WEBRTC_SDP_TYPE_OFFER
              && (self->making_offer || sstate != GST_WEBRTC_SIGNALING_STATE_STABLE);
  if (collision && !self->polite)
    {
      g_debug ("offer collision: impolite side ignores the peer's offer");
      return;
    }
  if (type == GST_WEBRTC_SDP_TYPE_ANSWER && sstate != GST_WEBRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER)
    {
      g_message ("ignoring an answer that answers nothing");
      return;
    }
  if (collision)
    {
      /* The polite side gives way. webrtcbin 1.22 calls rollback untested; the roles make it
       * rare (the polite side never offers first). */
      GstWebRTCSessionDescription *rb =
        gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ROLLBACK, NULL);
      g_autoptr(GstSDPMessage) empty = NULL;

      gst_sdp_message_new (&empty);
      rb->sdp = g_steal_pointer (&empty);
      g_signal_emit_by_name (self->webrtc, "set-local-description", rb, NULL);
      gst_webrtc_session_description_free (rb);
      self->making_offer = FALSE;
    }

  g_debug ("remote %s:\n%s", type_str, sdp_text);
  wdesc = gst_webrtc_session_description_new (type, g_steal_pointer (&sdp));
  ctx = g_new0 (RemoteSetCtx, 1);
  ctx->self = g_object_ref (self);
  ctx->kind = type;
  promise = gst_promise_new_with_change_func (on_remote_set_ctx, ctx, remote_set_ctx_free);
  if (self->negotiating_since_us == 0)
    self->negotiating_since_us = g_get_monotonic_time ();
  g_signal_emit_by_name (self->webrtc, "set-remote-description", wdesc, promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (wdesc);
}

/* Candidates libnice cannot use are skipped, not fatal (PROTOCOL.md): TCP active ones with
 * the discard port, and mDNS names it cannot resolve. */
static gboolean
candidate_usable (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, " ", -1);
  guint n = g_strv_length (parts);

  if (n < 8)
    return FALSE;
  if (g_str_has_suffix (parts[4], ".local"))
    return FALSE;
  if (g_ascii_strcasecmp (parts[2], "tcp") == 0)
    return FALSE;
  return TRUE;
}

static void
handle_candidate (RpCall   *self,
                  JsonNode *node)
{
  JsonObject *cand;
  JsonNode *mline;

  if (JSON_NODE_HOLDS_NULL (node))
    return;   /* end of candidates: libnice needs no word of it */
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_message ("ignoring a candidate that is not an object");
      return;
    }
  cand = json_node_get_object (node);
  mline = json_object_get_member (cand, "sdpMLineIndex");
  if (!json_object_has_member (cand, "candidate")
      || json_node_get_value_type (json_object_get_member (cand, "candidate")) != G_TYPE_STRING
      || mline == NULL || json_node_get_value_type (mline) != G_TYPE_INT64
      || json_node_get_int (mline) < 0 || json_node_get_int (mline) > 16)
    {
      g_message ("ignoring a malformed candidate");
      return;
    }
  if (*json_object_get_string_member (cand, "candidate") == '\0')
    return;
  if (!candidate_usable (json_object_get_string_member (cand, "candidate")))
    {
      g_debug ("skipping candidate %s", json_object_get_string_member (cand, "candidate"));
      return;
    }
  if (!self->remote_set)
    g_ptr_array_add (self->pending_candidates, json_object_ref (cand));
  else
    add_candidate_now (self, cand);
}

/* ---- data channel --------------------------------------------------------------------- */

/* want-video tells the peer whether we show its video at all: an audio-only side does not, and
 * the peer then stops encoding and sending it (see update_video_valve). Turning the transceiver
 * inactive instead would need a renegotiation, which 1.22 handled worse. */
static void
send_media_state (RpCall *self)
{
  g_autofree char *text = NULL;

  if (!self->channel_open)
    return;
  text = g_strdup_printf ("{\"type\":\"media-state\",\"camera\":%s,\"muted\":%s,"
                          "\"want-video\":%s}",
                          self->camera_enabled && !self->audio_only ? "true" : "false",
                          self->muted ? "true" : "false",
                          self->audio_only ? "false" : "true");
  gst_webrtc_data_channel_send_string_full (self->channel, text, NULL);
}

static void force_keyframe (RpCall *self);

/* Video reaches the encoder only while our camera is on and the peer shows it: the valve sits
 * before the encoder, so a dropped frame costs neither CPU nor bandwidth. */
static void
update_video_valve (RpCall *self)
{
  gboolean drop = !self->camera_enabled || !self->remote_wants_video;
  gboolean dropping;

  if (self->valve == NULL)
    return;
  g_object_get (self->valve, "drop", &dropping, NULL);
  if (drop == dropping)
    return;
  g_object_set (self->valve, "drop", drop, NULL);
  /* The peer's decoder lost its reference frames while we sent nothing. */
  if (!drop)
    force_keyframe (self);
}

static void
channel_open_main (RpCall  *self,
                   gpointer data)
{
  if (self->channel_open)
    return;
  self->channel_open = TRUE;
  send_media_state (self);
  g_signal_emit (self, signals[SIGNAL_DATA_CHANNEL_OPEN], 0);
}

static void
on_channel_open (GstWebRTCDataChannel *channel,
                 RpCall               *self)
{
  run_in_main (self, channel_open_main, NULL, NULL);
}

static void
channel_closed_main (RpCall  *self,
                     gpointer data)
{
  self->channel_open = FALSE;
}

static void
on_channel_close (GstWebRTCDataChannel *channel,
                  RpCall               *self)
{
  run_in_main (self, channel_closed_main, NULL, NULL);
}

void
rp_call_control_clear (RpCallControl *control)
{
  g_clear_pointer (&control->message, json_node_unref);
}

/* What a text message on the data channel means: one of the call's own control messages
 * (PROTOCOL.md, "Data channel") or an application message. Every field is checked: the peer
 * may be anyone. */
gboolean
rp_call_parse_data_text (const char    *text,
                         gssize         length,
                         RpCallControl *out,
                         GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *obj;
  JsonNode *type_node;
  const char *type;

  memset (out, 0, sizeof *out);
  if (!json_parser_load_from_data (parser, text, length, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_NEGOTIATION,
                   "a data-channel text message that is not a JSON object");
      return FALSE;
    }
  obj = json_node_get_object (root);
  type_node = json_object_get_member (obj, "type");
  if (type_node == NULL || json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_NEGOTIATION,
                   "a data-channel message without a type");
      return FALSE;
    }
  type = json_node_get_string (type_node);
  if (g_str_equal (type, "heartbeat"))
    out->kind = RP_CALL_CONTROL_HEARTBEAT;
  else if (g_str_equal (type, "media-state"))
    {
      JsonNode *cam = json_object_get_member (obj, "camera");
      JsonNode *mute = json_object_get_member (obj, "muted");

      out->kind = RP_CALL_CONTROL_MEDIA_STATE;
      out->camera = cam != NULL && json_node_get_value_type (cam) == G_TYPE_BOOLEAN
                    ? json_node_get_boolean (cam) : TRUE;
      out->muted = mute != NULL && json_node_get_value_type (mute) == G_TYPE_BOOLEAN
                   && json_node_get_boolean (mute);
      /* Peers older than want-video do not send it: they show our video. */
      out->want_video = !json_object_has_member (obj, "want-video")
                        || json_node_get_value_type (json_object_get_member (obj, "want-video"))
                           != G_TYPE_BOOLEAN
                        || json_object_get_boolean_member (obj, "want-video");
    }
  else if (g_str_equal (type, "chunked"))
    {
      JsonNode *size = json_object_get_member (obj, "size");
      gint64 n = size != NULL && json_node_get_value_type (size) == G_TYPE_INT64
                 ? json_node_get_int (size) : -1;

      if (n <= 0 || n > RP_CALL_MAX_MESSAGE)
        {
          g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_NEGOTIATION,
                       "refusing a chunked message of %" G_GINT64_FORMAT " bytes", n);
          return FALSE;
        }
      out->kind = RP_CALL_CONTROL_CHUNKED;
      out->chunked_size = (gsize) n;
    }
  else
    {
      out->kind = RP_CALL_CONTROL_APP;
      out->message = json_node_copy (root);
    }
  return TRUE;
}

static void
text_main (RpCall  *self,
           gpointer data)
{
  const char *text = data;
  g_auto(RpCallControl) control = { 0 };
  g_autoptr(GError) error = NULL;

  if (!rp_call_parse_data_text (text, -1, &control, &error))
    {
      g_message ("ignoring %s", error->message);
      return;
    }
  switch (control.kind)
    {
    case RP_CALL_CONTROL_HEARTBEAT:
      break;
    case RP_CALL_CONTROL_MEDIA_STATE:
      if (control.camera != self->remote_camera_enabled)
        {
          self->remote_camera_enabled = control.camera;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_CAMERA_ENABLED]);
        }
      if (control.want_video != self->remote_wants_video)
        {
          g_debug ("the peer %s our video", control.want_video ? "shows" : "does not show");
          self->remote_wants_video = control.want_video;
          update_video_valve (self);
        }
      break;
    case RP_CALL_CONTROL_CHUNKED:
      g_clear_pointer (&self->reassembly, g_byte_array_unref);
      self->reassembly = g_byte_array_sized_new ((guint) control.chunked_size);
      self->reassembly_size = control.chunked_size;
      break;
    case RP_CALL_CONTROL_APP:
      g_signal_emit (self, signals[SIGNAL_TEXT_RECEIVED], 0, control.message);
      break;
    }
}

static void
on_channel_string (GstWebRTCDataChannel *channel,
                   const char           *text,
                   RpCall               *self)
{
  g_atomic_int_inc (&self->life_signs);
  if (text != NULL)
    run_in_main (self, text_main, g_strdup (text), g_free);
}

static void
data_main (RpCall  *self,
           gpointer data)
{
  GBytes *bytes = data;
  gsize len = g_bytes_get_size (bytes);

  if (self->reassembly == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_DATA_RECEIVED], 0, bytes);
      return;
    }
  if (self->reassembly->len + len > self->reassembly_size)
    {
      g_message ("a chunked message overran its announced size; dropped");
      g_clear_pointer (&self->reassembly, g_byte_array_unref);
      return;
    }
  g_byte_array_append (self->reassembly, g_bytes_get_data (bytes, NULL), (guint) len);
  if (self->reassembly->len == self->reassembly_size)
    {
      g_autoptr(GBytes) whole = g_byte_array_free_to_bytes (g_steal_pointer (&self->reassembly));

      g_signal_emit (self, signals[SIGNAL_DATA_RECEIVED], 0, whole);
    }
}

static void
on_channel_data (GstWebRTCDataChannel *channel,
                 GBytes               *bytes,
                 RpCall               *self)
{
  g_atomic_int_inc (&self->life_signs);
  if (bytes != NULL)
    run_in_main (self, data_main, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
}

static gboolean
create_data_channel (RpCall  *self,
                     GError **error)
{
  GstStructure *opts = gst_structure_new ("application/data-channel",
                                          "negotiated", G_TYPE_BOOLEAN, TRUE,
                                          "id", G_TYPE_INT, 0,
                                          "ordered", G_TYPE_BOOLEAN, TRUE,
                                          NULL);

  g_signal_emit_by_name (self->webrtc, "create-data-channel", "rapport", opts, &self->channel);
  gst_structure_free (opts);
  if (self->channel == NULL)
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_PIPELINE,
                   "The data channel could not be created");
      return FALSE;
    }
  g_signal_connect (self->channel, "on-open", G_CALLBACK (on_channel_open), self);
  g_signal_connect (self->channel, "on-close", G_CALLBACK (on_channel_close), self);
  g_signal_connect (self->channel, "on-message-string", G_CALLBACK (on_channel_string), self);
  g_signal_connect (self->channel, "on-message-data", G_CALLBACK (on_channel_data), self);
  return TRUE;
}

/* ---- receiving media ------------------------------------------------------------------ */

static void
first_frame_main (RpCall  *self,
                  gpointer data)
{
  const char *kind = data;

  g_signal_emit (self, signals[SIGNAL_FIRST_FRAME], 0, kind, g_get_monotonic_time ());
}

static GstPadProbeReturn
on_decoded_audio (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         user_data)
{
  RpCall *self = user_data;

  if (g_atomic_int_compare_and_exchange (&self->first_audio, 0, 1))
    run_in_main (self, first_frame_main, (gpointer) "audio", NULL);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_decoded_video (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         user_data)
{
  RpCall *self = user_data;

  g_atomic_int_inc (&self->video_frames);
  if (g_atomic_int_compare_and_exchange (&self->first_video, 0, 1))
    run_in_main (self, first_frame_main, (gpointer) "video", NULL);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_video_caps (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         user_data)
{
  RpCall *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;
  GstVideoInfo vinfo;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (gst_video_info_from_caps (&vinfo, caps))
    {
      g_atomic_int_set (&self->video_width, GST_VIDEO_INFO_WIDTH (&vinfo));
      g_atomic_int_set (&self->video_height, GST_VIDEO_INFO_HEIGHT (&vinfo));
    }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_rtp_in (GstPad          *pad,
           GstPadProbeInfo *info,
           gpointer         user_data)
{
  RpCall *self = user_data;

  g_atomic_int_inc (&self->life_signs);
  return GST_PAD_PROBE_OK;
}

static GstElement *
receive_bin_for (RpCall     *self,
                 const char *media,
                 GError    **error)
{
  const char *desc;
  GstElement *bin;

  if (g_strcmp0 (media, "audio") == 0)
    desc = "rtpopusdepay ! opusdec name=dec use-inband-fec=true plc=true ! audioconvert ! "
           "audioresample ! audio/x-raw,rate=48000 ! "
           "spectrum name=spectrum bands=1024 interval=1000000000 threshold=-90 "
           "post-messages=true message-magnitude=true ! "
           "level name=output-level interval=100000000 ! queue max-size-time=100000000";
  else if (g_strcmp0 (media, "video") == 0)
    desc = "rtpvp8depay request-keyframe=true wait-for-keyframe=true ! "
           "vp8dec name=dec threads=1 ! videoconvert ! queue max-size-buffers=2";
  else
    desc = "fakesink sync=false async=false";
  bin = gst_parse_bin_from_description (desc, TRUE, error);
  return bin;
}

typedef struct {
  GstPad *pad;
  char   *media;
} NewPad;

static void
link_sink (RpCall     *self,
           GstElement *bin,
           GstElement *sink)
{
  GstPad *src = gst_element_get_static_pad (bin, "src");
  GstPad *sinkpad = gst_element_get_static_pad (sink, "sink");

  if (src != NULL && sinkpad != NULL && gst_pad_link (src, sinkpad) != GST_PAD_LINK_OK)
    g_warning ("could not link the received media to its sink");
  g_clear_object (&src);
  g_clear_object (&sinkpad);
}

/* A sink added to a playing pipeline renders with a latency of 0, each packet on arrival, until
 * the pipeline's latency is handed out again (see also gst_pipeline_set_latency in start). */
static void
redistribute_latency_main (RpCall  *self,
                           gpointer data)
{
  gst_bin_recalculate_latency (GST_BIN (self->pipeline));
}

/* Runs on a streaming thread: webrtcbin wants the new pad linked before it returns. Only
 * elements are touched here; what the object learns is handed over through atomics and
 * run_in_main. */
static void
on_pad_added (GstElement *webrtc,
              GstPad     *pad,
              RpCall     *self)
{
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GError) error = NULL;
  const char *media = NULL;
  GstElement *bin;
  GstElement *dec;
  GstElement *sink = NULL;
  GstPad *sinkpad;
  GstPad *decpad;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps != NULL && gst_caps_get_size (caps) > 0)
    media = gst_structure_get_string (gst_caps_get_structure (caps, 0), "media");
  /* An audio-only side shows no video: what a peer sends anyway (one older than want-video)
   * is discarded undecoded. */
  if (self->audio_only && g_strcmp0 (media, "video") == 0)
    media = "unshown video";

  bin = receive_bin_for (self, media, &error);
  if (bin == NULL)
    {
      g_warning ("cannot receive %s: %s", media, error->message);
      return;
    }
  gst_bin_add (GST_BIN (self->pipeline), bin);
  if (g_strcmp0 (media, "audio") == 0)
    {
      if (self->speaker == NULL
          || gst_object_get_parent (GST_OBJECT (self->speaker)) != NULL)
        return;   /* a second audio stream: nothing in the contract sends one */
      sink = self->speaker;
      gst_bin_add (GST_BIN (self->pipeline), sink);
      if (self->echo_probe != NULL)
        {
          GstElement *probe = self->echo_probe;

          gst_bin_add (GST_BIN (self->pipeline), probe);
          link_sink (self, bin, probe);
          if (!gst_element_link (probe, sink))
            g_warning ("could not link the echo probe");
          gst_element_sync_state_with_parent (probe);
        }
      else
        link_sink (self, bin, sink);
      dec = gst_bin_get_by_name (GST_BIN (bin), "dec");
      decpad = gst_element_get_static_pad (dec, "src");
      gst_pad_add_probe (decpad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded_audio, self, NULL);
      gst_object_unref (decpad);
      gst_object_unref (dec);
    }
  else if (g_strcmp0 (media, "video") == 0)
    {
      if (self->remote_video_sink != NULL
          && gst_object_get_parent (GST_OBJECT (self->remote_video_sink)) == NULL)
        sink = gst_object_ref (self->remote_video_sink);
      else
        {
          sink = gst_element_factory_make ("fakesink", NULL);
          g_object_set (sink, "sync", TRUE, "async", FALSE, NULL);
          gst_object_ref (sink);
        }
      gst_bin_add (GST_BIN (self->pipeline), sink);
      link_sink (self, bin, sink);
      gst_object_unref (sink);
      dec = gst_bin_get_by_name (GST_BIN (bin), "dec");
      decpad = gst_element_get_static_pad (dec, "src");
      gst_pad_add_probe (decpad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded_video, self, NULL);
      gst_pad_add_probe (decpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_video_caps, self, NULL);
      gst_object_unref (decpad);
      gst_object_unref (dec);
    }
  if (sink != NULL)
    gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (bin);

  sinkpad = gst_element_get_static_pad (bin, "sink");
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_rtp_in, self, NULL);
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    g_warning ("could not link webrtcbin's %s pad", media);
  gst_object_unref (sinkpad);
  run_in_main (self, redistribute_latency_main, NULL, NULL);
}

/* ---- bus, stats, life signs ----------------------------------------------------------- */

/* The dominant frequency from spectrum's magnitudes, refined between neighbouring bands. */
static double
dominant_frequency (const GValue *mags,
                    guint         rate)
{
  guint n = gst_value_list_get_size (mags);
  guint best = 0;
  double best_db = -1000.0;
  double band;
  double offset = 0.0;

  for (guint i = 1; i < n; i++)
    {
      double db = g_value_get_float (gst_value_list_get_value (mags, i));

      if (db > best_db)
        {
          best_db = db;
          best = i;
        }
    }
  if (n == 0 || best_db < RP_CALL_SILENCE_DB)
    return -1.0;
  /* spectrum's band i is FFT bin i of 2 (n - 1) points: centred on i · rate / (2 (n - 1)). */
  band = (rate / 2.0) / (n - 1);
  if (best > 0 && best + 1 < n)
    {
      double l = g_value_get_float (gst_value_list_get_value (mags, best - 1));
      double r = g_value_get_float (gst_value_list_get_value (mags, best + 1));
      double denom = l - 2 * best_db + r;

      if (denom != 0.0)
        offset = CLAMP (0.5 * (l - r) / denom, -0.5, 0.5);
    }
  return (best + offset) * band;
}

static GstPadProbeReturn
drop_everything (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  return GST_PAD_PROBE_DROP;
}

/* Puts replacement where *slot was, without renegotiating: the encoder's input caps are fixed
 * by the capsfilter behind the source, so the peer sees the same stream. The old source's data
 * is dropped at its pad first, so it never pushes into an unlinked pad (a not-linked error). */
static gboolean
swap_source (RpCall      *self,
             GstElement **slot,
             GstElement  *replacement)
{
  GstElement *old = *slot;
  g_autoptr(GstPad) old_src = gst_element_get_static_pad (old, "src");
  g_autoptr(GstPad) chain_sink = old_src != NULL ? gst_pad_get_peer (old_src) : NULL;
  g_autoptr(GstPad) new_src = NULL;

  if (chain_sink == NULL)
    return FALSE;
  gst_pad_add_probe (old_src, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM, drop_everything, NULL, NULL);
  gst_pad_unlink (old_src, chain_sink);
  gst_element_set_state (old, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self->pipeline), old);
  g_clear_object (slot);

  gst_bin_add (GST_BIN (self->pipeline), replacement);
  *slot = gst_object_ref (replacement);
  new_src = gst_element_get_static_pad (replacement, "src");
  if (new_src == NULL || gst_pad_link (new_src, chain_sink) != GST_PAD_LINK_OK)
    {
      g_warning ("the new source could not be connected");
      return FALSE;
    }
  return gst_element_sync_state_with_parent (replacement);
}

static gboolean
switch_source (RpCall      *self,
               gboolean     video,
               const char  *spec,
               GError     **error)
{
  GstElement **slot = video ? &self->video_src : &self->audio_src;
  gboolean is_device = FALSE;
  GstElement *replacement;

  if (*slot == NULL)
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_NO_DEVICE,
                   "This call started without %s; it cannot be added without a new call",
                   video ? "video" : "a microphone");
      return FALSE;
    }
  if (g_strcmp0 (spec, "none") == 0)
    {
      /* The stream stays (an m-line cannot be removed in 1.22); it carries silence or
       * nothing. */
      if (video)
        g_object_set (self, "camera-enabled", FALSE, NULL);
      else
        g_object_set (self, "muted", TRUE, NULL);
      return TRUE;
    }
  replacement = video ? rp_media_make_video_source (spec, &is_device, error)
                      : rp_media_make_audio_source (spec, &is_device, error);
  if (replacement == NULL)
    return FALSE;
  if (!swap_source (self, slot, replacement))
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_PIPELINE,
                   "The new %s could not be started", video ? "camera" : "microphone");
      return FALSE;
    }
  return TRUE;
}

/* A capture device that vanished or failed (unplugged mid-call) is replaced by the default
 * one, or the stream goes quiet; the call itself goes on. "device-fallback" says which. */
static gboolean
fall_back_source (RpCall  *self,
                  gboolean video)
{
  GstElement **slot = video ? &self->video_src : &self->audio_src;
  g_autofree char *from = g_strdup (rp_media_get_device_name (*slot));
  const char *kind = video ? "camera" : "microphone";
  g_autoptr(GError) error = NULL;
  GstElement *replacement;

  g_message ("the %s “%s” is gone; falling back to the default one", kind, from ? from : "?");
  replacement = rp_media_make_fallback (video ? RP_MEDIA_CLASS_CAMERA : RP_MEDIA_CLASS_MICROPHONE,
                                        from, &error);
  if (replacement != NULL)
    {
      g_autofree char *to = g_strdup (rp_media_get_device_name (replacement));

      if (!swap_source (self, slot, replacement))
        return FALSE;
      g_signal_emit (self, signals[SIGNAL_DEVICE_FALLBACK], 0, kind, from, to);
      return TRUE;
    }
  g_message ("%s; the call goes on without it", error->message);
  /* Nothing to capture from: keep the stream, send nothing (video) or silence (audio). */
  if (video)
    g_object_set (self, "camera-enabled", FALSE, NULL);
  else
    {
      GstElement *quiet = gst_element_factory_make ("audiotestsrc", NULL);

      g_object_set (quiet, "is-live", TRUE, "wave", 4 /* silence */, NULL);
      if (!swap_source (self, &self->audio_src, quiet))
        return FALSE;
    }
  g_signal_emit (self, signals[SIGNAL_DEVICE_FALLBACK], 0, kind, from, NULL);
  return TRUE;
}

/* TRUE if the error came from a capture device and was handled by falling back. */
static gboolean
fall_back_from (RpCall    *self,
                GstObject *culprit)
{
  if (self->video_src != NULL && (culprit == GST_OBJECT (self->video_src)
                                  || gst_object_has_as_ancestor (culprit,
                                                                 GST_OBJECT (self->video_src))))
    return fall_back_source (self, TRUE);
  if (self->audio_src != NULL && (culprit == GST_OBJECT (self->audio_src)
                                  || gst_object_has_as_ancestor (culprit,
                                                                 GST_OBJECT (self->audio_src))))
    return fall_back_source (self, FALSE);
  return FALSE;
}

typedef struct {
  GstElement *old;
  GstElement *replacement;
} SinkSwap;

static void
sink_swap_free (gpointer data)
{
  SinkSwap *swap = data;

  gst_object_unref (swap->old);
  gst_object_unref (swap->replacement);
  g_free (swap);
}

/* Runs once the pad feeding the speaker is idle (at once, or between two buffers on the
 * streaming thread), so no buffer is ever pushed into a sink being taken out. */
static GstPadProbeReturn
swap_speaker_when_idle (GstPad          *upstream,
                        GstPadProbeInfo *info,
                        gpointer         user_data)
{
  SinkSwap *swap = user_data;
  g_autoptr(GstObject) pipeline = gst_object_get_parent (GST_OBJECT (swap->old));
  g_autoptr(GstPad) old_sink = gst_element_get_static_pad (swap->old, "sink");
  g_autoptr(GstPad) new_sink = gst_element_get_static_pad (swap->replacement, "sink");

  if (pipeline == NULL)
    return GST_PAD_PROBE_REMOVE;
  gst_pad_unlink (upstream, old_sink);
  gst_element_set_state (swap->old, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline), swap->old);
  gst_bin_add (GST_BIN (pipeline), swap->replacement);
  if (gst_pad_link (upstream, new_sink) != GST_PAD_LINK_OK)
    g_warning ("the fallback speaker could not be connected");
  gst_element_sync_state_with_parent (swap->replacement);
  /* The bus hands this to the main context, which gives the new sink its latency. */
  gst_element_post_message (swap->replacement,
                            gst_message_new_application (GST_OBJECT (swap->replacement),
                                                         gst_structure_new_empty ("rp-speaker-swapped")));
  return GST_PAD_PROBE_REMOVE;
}

/* The speaker vanished: received audio goes to the default one (or nowhere, if there is none
 * left), without stopping the stream. */
static void
fall_back_speaker (RpCall *self)
{
  g_autofree char *from = g_strdup (rp_media_get_device_name (self->speaker));
  g_autoptr(GError) error = NULL;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (self->speaker, "sink");
  g_autoptr(GstPad) upstream = gst_pad_get_peer (sinkpad);
  GstElement *replacement;
  SinkSwap *swap;

  if (upstream == NULL)
    return;   /* not playing yet: checked again on the next tick */
  replacement = rp_media_make_fallback (RP_MEDIA_CLASS_SPEAKER, from, &error);
  if (replacement == NULL)
    {
      g_message ("the speaker “%s” is gone and nothing replaces it: %s", from, error->message);
      return;
    }
  g_message ("the speaker “%s” is gone; falling back to the default one", from);
  gst_element_set_name (replacement, "speaker");
  swap = g_new0 (SinkSwap, 1);
  swap->old = g_steal_pointer (&self->speaker);
  swap->replacement = gst_object_ref_sink (replacement);
  self->speaker = gst_object_ref (replacement);
  gst_pad_add_probe (upstream, GST_PAD_PROBE_TYPE_IDLE, swap_speaker_when_idle, swap,
                     sink_swap_free);
  g_signal_emit (self, signals[SIGNAL_DEVICE_FALLBACK], 0, "speaker", from,
                 rp_media_get_device_name (replacement));
}

static gboolean
device_gone (GstElement *element,
             const char *device_class)
{
  const char *name = element != NULL ? rp_media_get_device_name (element) : NULL;

  return name != NULL && !rp_media_has_device (device_class, name);
}

/* A device unplugged mid-call does not always make its element fail: PulseAudio moves the
 * stream elsewhere itself, and a camera may just stop. The device monitor's list is the
 * truth; it is checked every second. */
static void
check_devices (RpCall *self)
{
  if (device_gone (self->audio_src, RP_MEDIA_CLASS_MICROPHONE))
    fall_back_source (self, FALSE);
  if (device_gone (self->video_src, RP_MEDIA_CLASS_CAMERA))
    fall_back_source (self, TRUE);
  if (device_gone (self->speaker, RP_MEDIA_CLASS_SPEAKER))
    fall_back_speaker (self);
}

/* A browser closing its peer connection (a hang-up, a closed tab) aborts the SCTP association,
 * and GStreamer 1.22's sctpenc reports that as an element error. It is the other side leaving,
 * not a broken pipeline: media goes on until signaling says peer-left, or the media watchdog
 * rebuilds the connection. */
static gboolean
is_sctp_transport (GstObject *culprit)
{
  GstElementFactory *factory;
  const char *name;

  if (!GST_IS_ELEMENT (culprit))
    return FALSE;
  factory = gst_element_get_factory (GST_ELEMENT (culprit));
  name = factory != NULL ? gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)) : NULL;
  return g_strcmp0 (name, "sctpenc") == 0 || g_strcmp0 (name, "sctpdec") == 0;
}

/* ---- level meters --------------------------------------------------------------------- */

static void
set_level (RpCall  *self,
           gboolean input,
           double   db)
{
  double *field = input ? &self->input_level : &self->output_level;

  db = CLAMP (db, RP_CALL_LEVEL_FLOOR_DB, 0.0);
  if (input)
    self->input_level_us = g_get_monotonic_time ();
  else
    self->output_level_us = g_get_monotonic_time ();
  if (*field == db)
    return;
  *field = db;
  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[input ? PROP_INPUT_LEVEL : PROP_OUTPUT_LEVEL]);
}

/* The loudest channel's RMS of the last 100 ms, from a level element's message (already on
 * the main context: the bus watch runs there). */
static void
on_level_message (RpCall             *self,
                  GstObject          *src,
                  const GstStructure *s)
{
  const GValue *rms = gst_structure_get_value (s, "rms");
  double loudest = RP_CALL_LEVEL_FLOOR_DB;
  gboolean input;

  if (g_strcmp0 (GST_OBJECT_NAME (src), "input-level") == 0)
    input = TRUE;
  else if (g_strcmp0 (GST_OBJECT_NAME (src), "output-level") == 0)
    input = FALSE;
  else
    return;
  /* level's 1.22 API hands the channels over as a GValueArray. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (rms != NULL && G_VALUE_TYPE (rms) == g_value_array_get_type ())
    {
      GValueArray *channels = g_value_get_boxed (rms);

      for (guint i = 0; channels != NULL && i < channels->n_values; i++)
        loudest = MAX (loudest, g_value_get_double (g_value_array_get_nth (channels, i)));
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
  set_level (self, input, loudest);
}

/* A stream that stopped (none received, capture swapped) posts no more levels: silence. */
static void
expire_levels (RpCall *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->input_level_us > RP_CALL_LEVEL_STALE_US)
    set_level (self, TRUE, RP_CALL_LEVEL_FLOOR_DB);
  if (now - self->output_level_us > RP_CALL_LEVEL_STALE_US)
    set_level (self, FALSE, RP_CALL_LEVEL_FLOOR_DB);
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *msg,
                gpointer    user_data)
{
  RpCall *self = user_data;

  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (msg, &error, &debug);
        g_message ("pipeline error from %s: %s (%s)", GST_OBJECT_NAME (msg->src),
                   error->message, debug ? debug : "");
        if (!fall_back_from (self, msg->src) && !is_sctp_transport (msg->src))
          emit_error (self, RP_CALL_ERROR_PIPELINE, error->message);
        break;
      }
    case GST_MESSAGE_ELEMENT:
    case GST_MESSAGE_APPLICATION:
      {
        const GstStructure *s = gst_message_get_structure (msg);
        const GValue *mags;

        if (s != NULL && gst_structure_has_name (s, "level"))
          on_level_message (self, msg->src, s);
        else if (s != NULL && gst_structure_has_name (s, "rp-speaker-swapped"))
          gst_bin_recalculate_latency (GST_BIN (self->pipeline));
        else if (s != NULL && gst_structure_has_name (s, "spectrum")
            && (mags = gst_structure_get_value (s, "magnitude")) != NULL)
          {
            self->last_level_us = g_get_monotonic_time ();
            g_signal_emit (self, signals[SIGNAL_AUDIO_LEVEL], 0,
                           dominant_frequency (mags, 48000));
          }
        break;
      }
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static double
field_double (const GstStructure *s,
              const char         *field)
{
  const GValue *v = gst_structure_get_value (s, field);
  GValue d = G_VALUE_INIT;
  double out = 0.0;

  if (v == NULL)
    return 0.0;
  g_value_init (&d, G_TYPE_DOUBLE);
  if (g_value_transform (v, &d))
    out = g_value_get_double (&d);
  g_value_unset (&d);
  return out;
}

/* GStreamer 1.22's inbound-rtp `packets-lost` stays 0 whatever is lost (measured here: 0 with
 * 99 of 1,003 packets dropped by nftables); the RTP source's own counter, which the same
 * structure carries in `gst-rtpsource-stats`, is right. Later GStreamer fills the top-level
 * field, which is then preferred. */
static double
inbound_packets_lost (const GstStructure *s)
{
  double lost = field_double (s, "packets-lost");
  GstStructure *source = NULL;

  if (lost > 0 || !gst_structure_get (s, "gst-rtpsource-stats", GST_TYPE_STRUCTURE, &source,
                                      NULL))
    return lost;
  lost = field_double (source, "packets-lost");
  gst_structure_free (source);
  return lost;
}

typedef struct {
  RpCallStats stats;
  double      packets_received;
  double      packets_lost;
  guint64     bytes_sent;
  guint64     bytes_received;
  GHashTable *by_id;          /* stats id → GstStructure, for the candidate pair */
  const GstStructure *pair;
} StatsWalk;

static gboolean
walk_stats (GQuark        field,
            const GValue *value,
            gpointer      user_data)
{
  StatsWalk *w = user_data;
  const GstStructure *s;
  GstWebRTCStatsType type;
  const char *id;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  if (!gst_structure_get_enum (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, (gint *) &type))
    return TRUE;
  id = gst_structure_get_string (s, "id");
  if (id != NULL)
    g_hash_table_insert (w->by_id, (gpointer) id, (gpointer) s);
  switch (type)
    {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      w->packets_received += field_double (s, "packets-received");
      w->packets_lost += MAX (0.0, inbound_packets_lost (s));
      w->bytes_received += (guint64) field_double (s, "bytes-received");
      w->stats.jitter_ms = MAX (w->stats.jitter_ms, field_double (s, "jitter") * 1000.0);
      break;
    case GST_WEBRTC_STATS_OUTBOUND_RTP:
      w->bytes_sent += (guint64) field_double (s, "bytes-sent");
      break;
    case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
      w->stats.rtt_ms = MAX (w->stats.rtt_ms, field_double (s, "round-trip-time") * 1000.0);
      break;
    case GST_WEBRTC_STATS_CANDIDATE_PAIR:
      w->pair = s;
      break;
    default:
      break;
    }
  return TRUE;
}

static const char *
candidate_type (StatsWalk  *w,
                const char *id_field)
{
  const char *id = w->pair != NULL ? gst_structure_get_string (w->pair, id_field) : NULL;
  const GstStructure *c = id != NULL ? g_hash_table_lookup (w->by_id, id) : NULL;
  const char *type = c != NULL ? gst_structure_get_string (c, "candidate-type") : NULL;

  return type != NULL ? type : "host";
}

static void
stats_main (RpCall  *self,
            gpointer data)
{
  GstPromise *promise = data;
  const GstStructure *reply = gst_promise_get_reply (promise);
  StatsWalk w = { { 0 }, 0 };
  gint64 now = g_get_monotonic_time ();
  double secs = self->last_tick_us ? (now - self->last_tick_us) / 1e6 : 1.0;
  double d_recv;
  double d_lost;
  GstWebRTCPeerConnectionState pcstate;

  if (reply == NULL)
    return;
  w.by_id = g_hash_table_new (g_str_hash, g_str_equal);
  gst_structure_foreach (reply, walk_stats, &w);

  g_object_get (self->webrtc, "connection-state", &pcstate, NULL);
  if (!self->connected_emitted && pcstate == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    {
      self->connected_emitted = TRUE;
      g_atomic_int_set (&self->handshake_done, TRUE);
      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0,
                     candidate_type (&w, "local-candidate-id"),
                     candidate_type (&w, "remote-candidate-id"));
    }
  if (secs <= 0)
    secs = 1.0;
  d_recv = w.packets_received - self->last_packets_received;
  d_lost = w.packets_lost - self->last_packets_lost;
  w.stats.loss_pct = d_recv + d_lost > 0 ? 100.0 * MAX (0.0, d_lost) / (d_recv + d_lost) : 0.0;
  w.stats.send_kbps = (w.bytes_sent - MIN (w.bytes_sent, self->last_bytes_sent)) * 8 / 1000.0
                      / secs;
  w.stats.recv_kbps = (w.bytes_received - MIN (w.bytes_received, self->last_bytes_received))
                      * 8 / 1000.0 / secs;
  w.stats.width = g_atomic_int_get (&self->video_width);
  w.stats.height = g_atomic_int_get (&self->video_height);
  w.stats.fps = g_atomic_int_and ((guint *) &self->video_frames, 0) / secs;
  self->last_packets_received = w.packets_received;
  self->last_packets_lost = w.packets_lost;
  self->last_bytes_sent = w.bytes_sent;
  self->last_bytes_received = w.bytes_received;
  self->last_tick_us = now;
  g_hash_table_unref (w.by_id);

  /* Stats asked for out of turn (for "connected") are not reported: once a second. */
  if (self->connected_emitted && self->stats_due)
    {
      self->stats_due = FALSE;
      g_signal_emit (self, signals[SIGNAL_STATS], 0, &w.stats);
    }
}

static void
on_stats (GstPromise *promise,
          gpointer    user_data)
{
  RpCall *self = user_data;

  run_in_main (self, stats_main, gst_promise_ref (promise), (GDestroyNotify) gst_promise_unref);
}

/* A connection that never comes up is as dead as one that went quiet: libnice 0.1.21 gives a
 * lone candidate pair up as failed after ~5 s when a few checks and answers are lost (seen
 * with 10 % loss), and GStreamer's DTLS waits up to 16 s before resending a lost flight. The
 * peer connection is rebuilt then (peer-dead), once per call object, as after an outage. */
static gboolean
setup_stalled (RpCall *self,
               gint64  now)
{
  GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;

  if (self->connected_emitted || self->negotiating_since_us == 0 || self->setup_given_up)
    return FALSE;
  g_object_get (self->webrtc, "connection-state", &state, NULL);
  return state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED
         || now - self->negotiating_since_us > RP_CALL_SETUP_GIVE_UP_S * G_USEC_PER_SEC;
}

static void
check_life (RpCall *self)
{
  gint signs = g_atomic_int_get (&self->life_signs);
  gint64 now = g_get_monotonic_time ();

  if (setup_stalled (self, now))
    {
      g_message ("the connection did not come up; rebuilding it");
      self->setup_given_up = TRUE;
      g_signal_emit (self, signals[SIGNAL_PEER_DEAD], 0);
      return;
    }
  if (signs != self->last_life_signs || !self->connected_emitted)
    {
      self->last_life_signs = signs;
      self->last_life_us = now;
      return;
    }
  if (now - self->last_life_us > RP_CALL_DEAD_AFTER_S * G_USEC_PER_SEC)
    {
      self->last_life_us = now;
      g_signal_emit (self, signals[SIGNAL_PEER_DEAD], 0);
    }
}

static void
request_stats (RpCall *self)
{
  GstPromise *promise;

  promise = gst_promise_new_with_change_func (on_stats, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtc, "get-stats", NULL, promise);
  gst_promise_unref (promise);
}

static gboolean
on_tick (gpointer user_data)
{
  RpCall *self = user_data;

  if (self->channel_open)
    gst_webrtc_data_channel_send_string_full (self->channel, "{\"type\":\"heartbeat\"}", NULL);
  self->stats_due = TRUE;
  request_stats (self);
  /* Silence is reported too: once a second, even when nothing reaches the spectrum. */
  if (self->connected_emitted && g_get_monotonic_time () - self->last_level_us > 1500000)
    {
      self->last_level_us = g_get_monotonic_time ();
      g_signal_emit (self, signals[SIGNAL_AUDIO_LEVEL], 0, -1.0);
    }
  check_life (self);
  check_devices (self);
  expire_levels (self);
  return G_SOURCE_CONTINUE;
}

/* ---- sending media -------------------------------------------------------------------- */

static GstPad *
request_webrtc_pad (RpCall     *self,
                    GstCaps    *caps)
{
  GstPadTemplate *templ = gst_element_get_pad_template (self->webrtc, "sink_%u");

  return gst_element_request_pad (self->webrtc, templ, NULL, caps);
}

static void
add_recvonly (RpCall     *self,
              const char *caps_str)
{
  g_autoptr(GstCaps) caps = gst_caps_from_string (caps_str);
  GstWebRTCRTPTransceiver *trans = NULL;

  g_signal_emit_by_name (self->webrtc, "add-transceiver",
                         GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  g_clear_object (&trans);
}

#define AUDIO_RTP_CAPS "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000," \
                       "payload=111"
#define VIDEO_RTP_CAPS "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000," \
                       "payload=96"

static void handle_description (RpCall *self, JsonObject *desc);
static void create_offer (RpCall *self);

static void
media_ready_main (RpCall  *self,
                  gpointer data)
{
  g_autoptr(JsonObject) offer = g_steal_pointer (&self->deferred_offer);

  if (self->media_ready)
    return;
  self->media_ready = TRUE;
  if (offer != NULL)
    handle_description (self, offer);
  else if (self->offer_wanted)
    create_offer (self);
}

/* webrtcbin 1.22 learns a transceiver's codec from the caps that reach its sink pad. An offer
 * made, or answered, before that matches nothing and leaves the stream inactive (seen as a
 * call with no media at all when the offer beat the local sources): so both wait for caps. */
static GstPadProbeReturn
on_send_caps (GstPad          *pad,
              GstPadProbeInfo *info,
              gpointer         user_data)
{
  RpCall *self = user_data;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  if (g_atomic_int_dec_and_test (&self->pending_caps))
    run_in_main (self, media_ready_main, NULL, NULL);
  return GST_PAD_PROBE_REMOVE;
}

static gboolean
link_send_branch (RpCall     *self,
                  GstElement *src,
                  GstElement *chain,
                  const char *rtp_caps,
                  gboolean    nack,
                  GError    **error)
{
  g_autoptr(GstCaps) caps = gst_caps_from_string (rtp_caps);
  GstPad *pad;
  GstPad *chain_src;
  GstWebRTCRTPTransceiver *trans = NULL;
  gboolean ok;

  gst_bin_add_many (GST_BIN (self->pipeline), src, chain, NULL);
  if (!gst_element_link (src, chain))
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_PIPELINE,
                   "The media source could not be connected to the encoder");
      return FALSE;
    }
  pad = request_webrtc_pad (self, caps);
  chain_src = gst_element_get_static_pad (chain, "src");
  ok = pad != NULL && gst_pad_link (chain_src, pad) == GST_PAD_LINK_OK;
  gst_object_unref (chain_src);
  if (!ok)
    {
      g_clear_object (&pad);
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_PIPELINE,
                   "The encoder could not be connected to the peer connection");
      return FALSE;
    }
  g_atomic_int_inc (&self->pending_caps);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_send_caps, self, NULL);
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans != NULL)
    {
      /* Set before negotiation, as webrtcbin only reads them then. Requesting the pad with
       * caps does not set the codec preferences in 1.22: without them an offer made before
       * the first caps reach the pad leaves this m-line out altogether. */
      g_object_set (trans, "do-nack", nack, "codec-preferences", caps, NULL);
      g_object_set (trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV, NULL);
    }
  g_clear_object (&trans);
  gst_object_unref (pad);
  return TRUE;
}

/* RAPPORT_ECHO_CANCEL=0 turns the echo canceller off: only for tests that measure what it
 * removes. */
static gboolean
echo_cancel_wanted (void)
{
  return g_strcmp0 (g_getenv ("RAPPORT_ECHO_CANCEL"), "0") != 0;
}

/* webrtcdsp looks its echo probe up by name when it starts, and fails the whole pipeline if
 * there is none: the probe is made now, under a name of this call's own (two calls in one
 * process must not share one), and put before the speaker when the peer's audio arrives. */
static void
configure_echo_cancel (RpCall     *self,
                       GstElement *dsp)
{
  g_autofree char *name = g_strdup_printf ("rp-echo-probe-%p", (void *) self);

  if (echo_cancel_wanted ())
    {
      self->echo_probe = gst_object_ref_sink (gst_element_factory_make ("webrtcechoprobe", name));
      /* delay-agnostic: the delay between our speaker and microphone is unknown (and not what
       * the sinks report, when the sound server buffers); the canceller estimates it. */
      g_object_set (dsp, "probe", name, "delay-agnostic", TRUE, "extended-filter", TRUE, NULL);
    }
  else
    g_object_set (dsp, "echo-cancel", FALSE, NULL);
  gst_object_unref (dsp);
}

/* No source for a medium: no such device means the call goes on receive-only for it (TRUE);
 * any other failure fails the call (FALSE, error set). Takes local_error. */
static gboolean
go_receive_only (RpCall     *self,
                 GError     *local_error,
                 const char *media,
                 const char *rtp_caps,
                 GError    **error)
{
  if (local_error != NULL && local_error->code != RP_MEDIA_ERROR_NO_DEVICE)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (local_error != NULL)
    g_message ("%s: the call goes on receive-only for %s", local_error->message, media);
  g_clear_error (&local_error);
  add_recvonly (self, rtp_caps);
  return TRUE;
}

static gboolean
build_audio_send (RpCall  *self,
                  GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean is_device = FALSE;
  GstElement *src = rp_media_make_audio_source (self->audio_source, &is_device, &local_error);
  g_autofree char *desc = NULL;
  GstElement *chain;

  if (src == NULL)
    return go_receive_only (self, g_steal_pointer (&local_error), "audio", AUDIO_RTP_CAPS, error);
  /* A real microphone gets echo cancellation, noise suppression and gain control; the far end's
   * sound reaches the canceller through the webrtcechoprobe before our speaker. */
  desc = g_strdup_printf (
    "audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 ! %s"
    "volume name=mute ! level name=input-level interval=100000000 ! "
    "opusenc inband-fec=true dtx=true packet-loss-percentage=10 "
    "bitrate=32000 frame-size=20 audio-type=voice ! rtpopuspay pt=%d",
    is_device ? "webrtcdsp name=dsp ! audioconvert ! " : "", RP_CALL_AUDIO_PT);
  chain = gst_parse_bin_from_description (desc, TRUE, error);
  if (chain == NULL)
    {
      gst_object_unref (src);
      return FALSE;
    }
  self->volume = gst_bin_get_by_name (GST_BIN (chain), "mute");
  g_object_set (self->volume, "mute", self->muted, NULL);
  if (is_device)
    configure_echo_cancel (self, gst_bin_get_by_name (GST_BIN (chain), "dsp"));
  self->audio_src = gst_object_ref (src);
  return link_send_branch (self, src, chain, AUDIO_RTP_CAPS, FALSE, error);
}

static gboolean
build_video_send (RpCall  *self,
                  GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean is_device = FALSE;
  GstElement *src = rp_media_make_video_source (self->video_source, &is_device, &local_error);
  g_autofree char *desc = NULL;
  GstElement *chain;

  if (src == NULL)
    return go_receive_only (self, g_steal_pointer (&local_error), "video", VIDEO_RTP_CAPS, error);
  /* Real-time VP8: deadline=1 (realtime), no lag, CBR with a bounded buffer, and error
   * resilience so one lost packet does not smear until the next keyframe. One thread: on two
   * cores libvpx's threading cost more than it gained (measured: 2.4 s vs 0.55 s of CPU for
   * 300 frames at 640x480); cpu-used=12 keeps a frame near 2 ms. */
  desc = g_strdup_printf (
    "videoconvert ! videoscale ! videorate drop-only=true ! "
    "video/x-raw,format=I420,width=640,height=480,framerate=30/1,pixel-aspect-ratio=1/1 ! "
    "%s"
    "valve name=camera drop-mode=forward-sticky-events ! queue max-size-buffers=1 leaky=downstream ! "
    "vp8enc deadline=1 cpu-used=12 threads=1 lag-in-frames=0 end-usage=cbr "
    "target-bitrate=1000000 error-resilient=default keyframe-max-dist=3000 "
    "buffer-size=300 buffer-initial-size=200 buffer-optimal-size=250 undershoot=95 "
    "max-quantizer=56 ! rtpvp8pay pt=%d picture-id-mode=15-bit",
    self->local_video_sink != NULL ? "tee name=preview ! " : "", RP_CALL_VIDEO_PT);
  chain = gst_parse_bin_from_description (desc, TRUE, error);
  if (chain == NULL)
    {
      gst_object_unref (src);
      return FALSE;
    }
  self->valve = gst_bin_get_by_name (GST_BIN (chain), "camera");
  g_object_set (self->valve, "drop", !self->camera_enabled, NULL);
  self->video_src = gst_object_ref (src);
  if (!link_send_branch (self, src, chain, VIDEO_RTP_CAPS, TRUE, error))
    return FALSE;
  if (self->local_video_sink != NULL)
    {
      g_autoptr(GstElement) tee = gst_bin_get_by_name (GST_BIN (chain), "preview");
      GstElement *queue = gst_element_factory_make ("queue", NULL);
      GstPad *teepad;
      GstPad *ghost;

      g_object_set (queue, "max-size-buffers", 2, "leaky", 2, NULL);
      teepad = gst_element_request_pad_simple (tee, "src_%u");
      ghost = gst_ghost_pad_new ("preview", teepad);
      gst_object_unref (teepad);
      gst_pad_set_active (ghost, TRUE);
      gst_element_add_pad (chain, ghost);
      gst_bin_add_many (GST_BIN (self->pipeline), queue, self->local_video_sink, NULL);
      gst_object_ref (self->local_video_sink);
      if (!gst_element_link_pads (chain, "preview", queue, "sink")
          || !gst_element_link (queue, self->local_video_sink))
        g_warning ("the local preview could not be connected");
    }
  return TRUE;
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
rp_call_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  RpCall *self = RP_CALL (object);

  switch (prop_id)
    {
    case PROP_POLITE: g_value_set_boolean (value, self->polite); break;
    case PROP_AUDIO_ONLY: g_value_set_boolean (value, self->audio_only); break;
    case PROP_VIDEO_SOURCE: g_value_set_string (value, self->video_source); break;
    case PROP_AUDIO_SOURCE: g_value_set_string (value, self->audio_source); break;
    case PROP_AUDIO_SINK: g_value_set_string (value, self->audio_sink); break;
    case PROP_REMOTE_VIDEO_SINK: g_value_set_object (value, self->remote_video_sink); break;
    case PROP_LOCAL_VIDEO_SINK: g_value_set_object (value, self->local_video_sink); break;
    case PROP_ICE_SERVERS: g_value_set_boxed (value, self->ice_servers); break;
    case PROP_RELAY_ONLY: g_value_set_boolean (value, self->relay_only); break;
    case PROP_MUTED: g_value_set_boolean (value, self->muted); break;
    case PROP_CAMERA_ENABLED: g_value_set_boolean (value, self->camera_enabled); break;
    case PROP_REMOTE_CAMERA_ENABLED:
      g_value_set_boolean (value, self->remote_camera_enabled);
      break;
    case PROP_VERIFICATION_CODE: g_value_set_string (value, self->verification_code); break;
    case PROP_INPUT_LEVEL: g_value_set_double (value, self->input_level); break;
    case PROP_OUTPUT_LEVEL: g_value_set_double (value, self->output_level); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
force_keyframe (RpCall *self)
{
  GstPad *pad = self->valve != NULL ? gst_element_get_static_pad (self->valve, "src") : NULL;

  if (pad == NULL)
    return;
  gst_pad_push_event (pad, gst_video_event_new_downstream_force_key_unit (
                        GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE,
                        TRUE, 0));
  gst_object_unref (pad);
}

static void
rp_call_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  RpCall *self = RP_CALL (object);

  switch (prop_id)
    {
    case PROP_POLITE: self->polite = g_value_get_boolean (value); break;
    case PROP_AUDIO_ONLY: self->audio_only = g_value_get_boolean (value); break;
    case PROP_VIDEO_SOURCE: self->video_source = g_value_dup_string (value); break;
    case PROP_AUDIO_SOURCE: self->audio_source = g_value_dup_string (value); break;
    case PROP_AUDIO_SINK: self->audio_sink = g_value_dup_string (value); break;
    case PROP_REMOTE_VIDEO_SINK: self->remote_video_sink = g_value_dup_object (value); break;
    case PROP_LOCAL_VIDEO_SINK: self->local_video_sink = g_value_dup_object (value); break;
    case PROP_ICE_SERVERS: self->ice_servers = g_value_dup_boxed (value); break;
    case PROP_RELAY_ONLY: self->relay_only = g_value_get_boolean (value); break;
    case PROP_MUTED:
      self->muted = g_value_get_boolean (value);
      if (self->volume != NULL)
        g_object_set (self->volume, "mute", self->muted, NULL);
      send_media_state (self);
      break;
    case PROP_CAMERA_ENABLED:
      self->camera_enabled = g_value_get_boolean (value);
      update_video_valve (self);
      send_media_state (self);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_call_dispose (GObject *object)
{
  RpCall *self = RP_CALL (object);

  rp_call_stop (self);
  g_clear_object (&self->remote_video_sink);
  g_clear_object (&self->local_video_sink);
  G_OBJECT_CLASS (rp_call_parent_class)->dispose (object);
}

static void
rp_call_finalize (GObject *object)
{
  RpCall *self = RP_CALL (object);

  g_free (self->video_source);
  g_free (self->audio_source);
  g_free (self->audio_sink);
  g_strfreev (self->ice_servers);
  g_free (self->dtls_pem);
  g_free (self->dtls_fingerprint);
  g_free (self->verification_code);
  g_ptr_array_unref (self->pending_candidates);
  g_clear_pointer (&self->deferred_offer, json_object_unref);
  g_clear_pointer (&self->reassembly, g_byte_array_unref);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (rp_call_parent_class)->finalize (object);
}

static void
rp_call_class_init (RpCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);
  GParamFlags ctor = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = rp_call_get_property;
  object_class->set_property = rp_call_set_property;
  object_class->dispose = rp_call_dispose;
  object_class->finalize = rp_call_finalize;

  properties[PROP_POLITE] = g_param_spec_boolean ("polite", NULL, NULL, FALSE, ctor);
  properties[PROP_AUDIO_ONLY] = g_param_spec_boolean ("audio-only", NULL, NULL, FALSE, ctor);
  properties[PROP_VIDEO_SOURCE] = g_param_spec_string ("video-source", NULL, NULL, NULL, ctor);
  properties[PROP_AUDIO_SOURCE] = g_param_spec_string ("audio-source", NULL, NULL, NULL, ctor);
  properties[PROP_AUDIO_SINK] = g_param_spec_string ("audio-sink", NULL, NULL, NULL, ctor);
  properties[PROP_REMOTE_VIDEO_SINK] =
    g_param_spec_object ("remote-video-sink", NULL, NULL, GST_TYPE_ELEMENT, ctor);
  properties[PROP_LOCAL_VIDEO_SINK] =
    g_param_spec_object ("local-video-sink", NULL, NULL, GST_TYPE_ELEMENT, ctor);
  properties[PROP_ICE_SERVERS] =
    g_param_spec_boxed ("ice-servers", NULL, NULL, G_TYPE_STRV, ctor);
  properties[PROP_RELAY_ONLY] = g_param_spec_boolean ("relay-only", NULL, NULL, FALSE, ctor);
  properties[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE, rw);
  properties[PROP_CAMERA_ENABLED] = g_param_spec_boolean ("camera-enabled", NULL, NULL, TRUE, rw);
  properties[PROP_REMOTE_CAMERA_ENABLED] =
    g_param_spec_boolean ("remote-camera-enabled", NULL, NULL, TRUE, ro);
  properties[PROP_VERIFICATION_CODE] =
    g_param_spec_string ("verification-code", NULL, NULL, NULL, ro);
  /* Level meters, dB RMS of the last 100 ms, -100 for silence, updated ~10 times a second:
   * what we send (after mute) and what we play of the peer. */
  properties[PROP_INPUT_LEVEL] =
    g_param_spec_double ("input-level", NULL, NULL, RP_CALL_LEVEL_FLOOR_DB, 0.0,
                         RP_CALL_LEVEL_FLOOR_DB, ro | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OUTPUT_LEVEL] =
    g_param_spec_double ("output-level", NULL, NULL, RP_CALL_LEVEL_FLOOR_DB, 0.0,
                         RP_CALL_LEVEL_FLOOR_DB, ro | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOCAL_SIGNAL] = g_signal_new ("local-signal", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_NODE);
  signals[SIGNAL_CONNECTED] = g_signal_new ("connected", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                            NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_FIRST_FRAME] = g_signal_new ("first-frame", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 2,
                                              G_TYPE_STRING, G_TYPE_INT64);
  signals[SIGNAL_AUDIO_LEVEL] = g_signal_new ("audio-level", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
  signals[SIGNAL_STATS] = g_signal_new ("stats", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, RP_TYPE_CALL_STATS);
  signals[SIGNAL_DATA_CHANNEL_OPEN] = g_signal_new ("data-channel-open", type, G_SIGNAL_RUN_LAST,
                                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DATA_RECEIVED] = g_signal_new ("data-received", type, G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_TEXT_RECEIVED] = g_signal_new ("text-received", type, G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 1,
                                                JSON_TYPE_NODE);
  signals[SIGNAL_PEER_DEAD] = g_signal_new ("peer-dead", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                            NULL, G_TYPE_NONE, 0);
  /* A device in use vanished: kind ("microphone", "camera", "speaker"), its name, and the
   * default device now used instead (NULL: none, the stream goes on without it). */
  signals[SIGNAL_DEVICE_FALLBACK] = g_signal_new ("device-fallback", type, G_SIGNAL_RUN_LAST, 0,
                                                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
                                                  G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_ERROR] = g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rp_call_init (RpCall *self)
{
  self->camera_enabled = TRUE;
  self->remote_camera_enabled = TRUE;
  self->remote_wants_video = TRUE;
  self->input_level = RP_CALL_LEVEL_FLOOR_DB;
  self->output_level = RP_CALL_LEVEL_FLOOR_DB;
  self->context = g_main_context_ref_thread_default ();
  self->pending_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

RpCall *
rp_call_new (gboolean polite)
{
  return g_object_new (RP_TYPE_CALL, "polite", polite, NULL);
}

/* The jitter buffer's depth. webrtcbin's 200 ms default alone made audio ~240 ms mouth-to-ear;
 * RAPPORT_JITTER_MS overrides ours for benchmarks that compare. */
static guint
jitter_latency_ms (void)
{
  const char *env = g_getenv ("RAPPORT_JITTER_MS");
  guint64 ms;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 0, 2000, &ms, NULL))
    return (guint) ms;
  return RP_CALL_JITTER_LATENCY_MS;
}

/* RAPPORT_ICE_LOCAL_ADDRESSES (comma-separated) pins the host candidates to those addresses:
 * the tests keep every call on loopback (or on the veth of a namespace they made) this way,
 * instead of also offering the machine's LAN addresses. */
static void
restrict_local_addresses (NiceAgent *agent)
{
  const char *env = g_getenv ("RAPPORT_ICE_LOCAL_ADDRESSES");
  g_auto(GStrv) addresses = NULL;

  if (env == NULL || *env == '\0')
    return;
  addresses = g_strsplit (env, ",", -1);
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      NiceAddress address;

      nice_address_init (&address);
      if (nice_address_set_from_string (&address, g_strstrip (addresses[i])))
        nice_agent_add_local_address (agent, &address);
      else
        g_warning ("RAPPORT_ICE_LOCAL_ADDRESSES: “%s” is not an IP address", addresses[i]);
    }
}

static void
configure_ice (RpCall *self)
{
  gboolean have_stun = FALSE;
  g_autoptr(GObject) ice = NULL;

  /* libnice would ask the LAN's router for a port mapping (UPnP) and gather TCP candidates; we
   * use neither: the rendezvous server hands out STUN/TURN, and only those. */
  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    {
      g_autoptr(GObject) agent = NULL;

      g_object_get (ice, "agent", &agent, NULL);
      if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp"))
        g_object_set (agent, "upnp", FALSE, NULL);
      if (NICE_IS_AGENT (agent))
        restrict_local_addresses (NICE_AGENT (agent));
    }
  if (ice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp") != NULL)
    g_object_set (ice, "ice-tcp", FALSE, NULL);

  /* Relay-only: libnice's force-relay, so only TURN-relayed candidates are offered and used. */
  if (self->relay_only)
    g_object_set (self->webrtc, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY,
                  NULL);
  for (guint i = 0; self->ice_servers != NULL && self->ice_servers[i] != NULL; i++)
    {
      const char *url = self->ice_servers[i];
      gboolean ok = FALSE;

      if (g_str_has_prefix (url, "stun://") && !have_stun)
        {
          g_object_set (self->webrtc, "stun-server", url, NULL);
          have_stun = TRUE;
        }
      else if (g_str_has_prefix (url, "turn://") || g_str_has_prefix (url, "turns://"))
        {
          g_signal_emit_by_name (self->webrtc, "add-turn-server", url, &ok);
          /* The URL carries the credentials: log where it points, never the rest. */
          if (!ok)
            g_warning ("webrtcbin refused a TURN server");
          else
            g_debug ("TURN server %s", strrchr (url, '@') != NULL ? strrchr (url, '@') + 1 : "?");
        }
    }
}

/* DTLS datagrams of the handshake (content type 20 change_cipher_spec, 22 handshake; the
 * version bytes say DTLS) are sent twice. GStreamer 1.22's dtls elements cut each flight into
 * 256-byte datagrams (they answer OpenSSL's MTU query with 0) and resend a lost flight only
 * after 1, 2, 4, 8, 16 s, so under 10 % loss a call could take half a minute to connect; with
 * each datagram sent twice a flight gets through at once nearly always. DTLS drops the
 * duplicate records itself (RFC 6347 §4.1.2.6); it is a few kilobytes once per call. */
/* RAPPORT_DTLS=gstreamer: GStreamer's own certificate, each datagram once; for comparison runs
 * (tests/bench/net-setup.sh) only. */
static gboolean
gstreamer_dtls_only (void)
{
  return g_strcmp0 (g_getenv ("RAPPORT_DTLS"), "gstreamer") == 0;
}

static gboolean
is_dtls_handshake (const guint8 *data,
                   gsize         size)
{
  return size >= 13 && (data[0] == 20 || data[0] == 22) && data[1] == 0xfe
         && (data[2] == 0xfd || data[2] == 0xff);
}

static void
send_again_if_handshake (GstElement *nicesink,
                         GstBuffer  *buffer)
{
  NiceAgent *agent = NULL;
  GstMapInfo map;
  guint stream = 0, component = 0;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  if (is_dtls_handshake (map.data, map.size))
    {
      g_object_get (nicesink, "agent", &agent, "stream", &stream, "component", &component,
                    NULL);
      if (agent != NULL)
        nice_agent_send (agent, stream, component, map.size, (const char *) map.data);
      g_clear_object (&agent);
    }
  gst_buffer_unmap (buffer, &map);
}

static gboolean
send_again_each (GstBuffer **buffer,
                 guint       idx,
                 gpointer    nicesink)
{
  send_again_if_handshake (nicesink, *buffer);
  return TRUE;
}

/* On the streaming thread, in front of every packet the call sends: once the call is
 * connected there is no handshake left to repeat, and the probe goes (media is not looked
 * at for the rest of the call). The pipeline, and so this probe, ends before the call. */
static GstPadProbeReturn
on_transport_send (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         user_data)
{
  RpCall *self = user_data;
  GstElement *nicesink = GST_ELEMENT (GST_PAD_PARENT (pad));

  if (g_atomic_int_get (&self->handshake_done))
    return GST_PAD_PROBE_REMOVE;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    send_again_if_handshake (nicesink, GST_PAD_PROBE_INFO_BUFFER (info));
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), send_again_each, nicesink);
  return GST_PAD_PROBE_OK;
}

/* Runs on whichever thread webrtcbin builds a transport on, before the transport's first
 * handshake: the DTLS decoder takes this call's certificate (the a=fingerprint lines are then
 * rewritten to match it: replace_fingerprints), and the ICE sink gets the probe that repeats
 * handshake datagrams. dtls_pem never changes once the call started. */
static void
on_deep_element_added (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       RpCall     *self)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name = factory != NULL ? GST_OBJECT_NAME (factory) : "";

  if (self->dtls_pem != NULL && g_str_equal (name, "dtlssrtpdec"))
    g_object_set (element, "pem", self->dtls_pem, NULL);
  if (g_str_equal (name, "nicesink") && !gstreamer_dtls_only ())
    {
      g_autoptr(GstPad) sink = gst_element_get_static_pad (element, "sink");

      gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         on_transport_send, self, NULL);
    }
}

static void
make_certificate (RpCall *self)
{
  g_autoptr(GError) error = NULL;

  if (gstreamer_dtls_only ())
    return;
  self->dtls_pem = rp_dtls_cert_new_pem (&error);
  if (self->dtls_pem != NULL)
    self->dtls_fingerprint = rp_dtls_cert_fingerprint (self->dtls_pem);
  if (self->dtls_fingerprint == NULL)
    {
      g_warning ("%s; using GStreamer's RSA certificate instead",
                 error != NULL ? error->message : "The certificate has no fingerprint");
      g_clear_pointer (&self->dtls_pem, g_free);
    }
}

/* Builds the pipeline and starts the local media (the preview runs before anyone joins, so
 * the first frame can leave as soon as the connection is up). */
gboolean
rp_call_start (RpCall  *self,
               GError **error)
{
  g_autofree char *missing = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstClock) clock = gst_system_clock_obtain ();
  GSource *watch;

  g_return_val_if_fail (RP_IS_CALL (self), FALSE);
  g_return_val_if_fail (self->pipeline == NULL, FALSE);

  missing = rp_media_missing_elements ();
  if (missing != NULL)
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_MISSING_PLUGIN,
                   "GStreamer elements needed for calls are missing (%s); install "
                   "gstreamer1.0-plugins-good, -bad and gstreamer1.0-nice", missing);
      return FALSE;
    }

  self->pipeline = gst_pipeline_new ("rapport-call");
  /* The system clock, not a device's: a microphone or speaker providing the clock would take
   * it away when it vanishes mid-call (clock-lost), and the network does not follow a sound
   * card's clock anyway. */
  gst_pipeline_use_clock (GST_PIPELINE (self->pipeline), clock);
  /* The receiving sinks' latency query does not reach webrtcbin's jitter buffer (found
   * configured to 0, so the jitter buffer smoothed nothing): a fixed pipeline latency equal to
   * the jitter buffer's gives every sink the playout delay it needs. */
  gst_pipeline_set_latency (GST_PIPELINE (self->pipeline),
                            jitter_latency_ms () * GST_MSECOND);
  self->webrtc = gst_element_factory_make ("webrtcbin", "webrtc");
  g_object_set (self->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                "latency", jitter_latency_ms (), NULL);
  make_certificate (self);
  g_signal_connect (self->webrtc, "deep-element-added", G_CALLBACK (on_deep_element_added),
                    self);
  gst_bin_add (GST_BIN (self->pipeline), self->webrtc);
  configure_ice (self);
  g_signal_connect (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtc, "notify::ice-gathering-state",
                    G_CALLBACK (on_notify_gathering), self);
  g_signal_connect (self->webrtc, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->webrtc, "notify::connection-state",
                    G_CALLBACK (on_notify_connection_state), self);

  self->speaker = rp_media_make_audio_sink (self->audio_sink, error);
  if (self->speaker == NULL)
    return FALSE;
  gst_element_set_name (self->speaker, "speaker");
  gst_object_ref_sink (self->speaker);
  if (!build_audio_send (self, error))
    return FALSE;
  if (!self->audio_only && !build_video_send (self, error))
    return FALSE;

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  watch = gst_bus_create_watch (bus);
  g_source_set_callback (watch, G_SOURCE_FUNC (on_bus_message), self, NULL);
  self->bus_watch_id = g_source_attach (watch, self->context);
  g_source_unref (watch);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_PIPELINE,
                   "The call's media could not be started (is the device in use?)");
      return FALSE;
    }
  if (!create_data_channel (self, error))
    return FALSE;
  if (g_atomic_int_get (&self->pending_caps) == 0)
    self->media_ready = TRUE;
  self->tick_id = g_timeout_add_seconds (1, on_tick, self);
  self->started = TRUE;
  return TRUE;
}

/* The impolite side's first offer. Called once the peer is present; creating the data channel
 * fires no on-negotiation-needed in 1.22, so this is not left to that signal. */
static void
create_offer (RpCall *self)
{
  GstPromise *promise;

  if (self->making_offer)
    return;
  self->making_offer = TRUE;
  promise = gst_promise_new_with_change_func (on_offer_created, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtc, "create-offer", NULL, promise);
  gst_promise_unref (promise);
}

void
rp_call_negotiate (RpCall *self)
{
  g_return_if_fail (RP_IS_CALL (self));
  if (!self->started)
    return;
  self->offer_wanted = TRUE;
  if (self->media_ready)
    create_offer (self);
}

void
rp_call_handle_signal (RpCall     *self,
                       JsonObject *data)
{
  JsonNode *desc;

  g_return_if_fail (RP_IS_CALL (self));
  if (!self->started)
    return;
  desc = json_object_get_member (data, "description");
  if (desc != NULL && JSON_NODE_HOLDS_OBJECT (desc))
    handle_description (self, json_node_get_object (desc));
  else if (json_object_has_member (data, "candidate"))
    handle_candidate (self, json_object_get_member (data, "candidate"));
  else
    g_message ("ignoring a signal message with neither description nor candidate");
}

gboolean
rp_call_is_data_channel_open (RpCall *self)
{
  g_return_val_if_fail (RP_IS_CALL (self), FALSE);
  return self->channel_open;
}

/* Large messages are announced by a text message and sent as binary pieces below the size
 * 1.22's SCTP path silently drops; the channel is ordered, so they arrive back to back. */
gboolean
rp_call_send_data (RpCall *self,
                   GBytes *bytes)
{
  gsize len = g_bytes_get_size (bytes);
  g_autoptr(GError) error = NULL;
  g_autofree char *announce = NULL;

  g_return_val_if_fail (RP_IS_CALL (self), FALSE);
  if (!self->channel_open)
    return FALSE;
  if (len <= RP_CALL_CHUNK)
    {
      if (!gst_webrtc_data_channel_send_data_full (self->channel, bytes, &error))
        {
          g_warning ("data channel: %s", error->message);
          return FALSE;
        }
      return TRUE;
    }
  announce = g_strdup_printf ("{\"type\":\"chunked\",\"size\":%" G_GSIZE_FORMAT "}", len);
  if (!gst_webrtc_data_channel_send_string_full (self->channel, announce, &error))
    {
      g_warning ("data channel: %s", error->message);
      return FALSE;
    }
  for (gsize off = 0; off < len; off += RP_CALL_CHUNK)
    {
      g_autoptr(GBytes) piece = g_bytes_new_from_bytes (bytes, off, MIN (RP_CALL_CHUNK,
                                                                         len - off));

      if (!gst_webrtc_data_channel_send_data_full (self->channel, piece, &error))
        {
          g_warning ("data channel: %s", error->message);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
rp_call_send_message (RpCall   *self,
                      JsonNode *message)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (RP_IS_CALL (self), FALSE);
  if (!self->channel_open)
    return FALSE;
  text = json_to_string (message, FALSE);
  if (!gst_webrtc_data_channel_send_string_full (self->channel, text, &error))
    {
      g_warning ("data channel: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Switches the camera or microphone mid-call, without renegotiation (same spec strings as the
 * construct properties). */
gboolean
rp_call_set_source (RpCall     *self,
                    gboolean    video,
                    const char *spec,
                    GError    **error)
{
  g_return_val_if_fail (RP_IS_CALL (self), FALSE);
  if (self->pipeline == NULL || self->stopped)
    {
      g_set_error (error, RP_CALL_ERROR, RP_CALL_ERROR_PIPELINE, "The call is not running");
      return FALSE;
    }
  return switch_source (self, video, spec, error);
}

const char *
rp_call_get_verification_code (RpCall *self)
{
  g_return_val_if_fail (RP_IS_CALL (self), NULL);
  return self->verification_code;
}

GstElement *
rp_call_get_pipeline (RpCall *self)
{
  g_return_val_if_fail (RP_IS_CALL (self), NULL);
  return self->pipeline;
}

static void
release_lent_sink (RpCall     *self,
                   GstElement *sink)
{
  if (sink != NULL && gst_object_has_as_parent (GST_OBJECT (sink), GST_OBJECT (self->pipeline)))
    gst_bin_remove (GST_BIN (self->pipeline), sink);
}

/* Tears the pipeline down. Sinks lent by the UI are taken out so the next call can use them. */
void
rp_call_stop (RpCall *self)
{
  g_return_if_fail (RP_IS_CALL (self));

  if (self->stopped)
    return;
  self->stopped = TRUE;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->bus_watch_id != 0)
    {
      GSource *src = g_main_context_find_source_by_id (self->context, self->bus_watch_id);

      if (src != NULL)
        g_source_destroy (src);
      self->bus_watch_id = 0;
    }
  if (self->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->channel, self);
      g_clear_object (&self->channel);
    }
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      if (self->webrtc != NULL)
        g_signal_handlers_disconnect_by_data (self->webrtc, self);
      release_lent_sink (self, self->remote_video_sink);
      release_lent_sink (self, self->local_video_sink);
    }
  g_clear_object (&self->volume);
  g_clear_object (&self->valve);
  g_clear_object (&self->speaker);
  g_clear_object (&self->echo_probe);
  g_clear_object (&self->audio_src);
  g_clear_object (&self->video_src);
  self->webrtc = NULL;
  g_clear_object (&self->pipeline);
}
