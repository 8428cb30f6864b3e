/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one object the app and rapport-peer drive: it joins a room on a rendezvous server, runs
 * one RpCall per peer connection, and turns both into a small set of properties and signals.
 * A call is rebuilt, never renegotiated, when the peer comes back (webrtcbin 1.22 has no ICE
 * restart).
 */
#include "config.h"

#include <string.h>

#include "rp-media.h"
#include "rp-random.h"
#include "rp-signal-client.h"
#include "rp-session.h"

/* The `app` message that asks the peer to rebuild its side of the call (see restart_call). */
#define RP_SESSION_RESTART_TYPE "rapport-restart"

/* How long a hang-up waits for the server to acknowledge the bye before giving up. */
#define RP_SESSION_BYE_TIMEOUT_MS 1500

/* Reconnecting to the rendezvous server: the first retry after this, doubling up to the cap.
 * PROTOCOL.md's default grace, for a server whose welcome did not say. */
#define RP_SESSION_RETRY_FIRST_MS 250
#define RP_SESSION_RETRY_MAX_MS   2000
#define RP_SESSION_DEFAULT_GRACE_S 10
/* A reconnection's connect timeout (s): a SYN lost while the path was dark is resent by TCP only
 * after seconds, so a fresh attempt is quicker once the path is back. */
#define RP_SESSION_RETRY_CONNECT_TIMEOUT_S 4

struct _RpSession
{
  GObject         parent_instance;

  char           *name;
  char           *client_id;
  gboolean        audio_only;
  gboolean        relay_only;
  char           *video_source;
  char           *audio_source;
  char           *audio_sink;
  GstElement     *remote_video_sink;
  GstElement     *local_video_sink;
  gboolean        muted;
  gboolean        camera_enabled;

  RpSessionState  state;
  char           *link;
  char           *room;
  gboolean        polite;
  char           *peer_id;
  char           *peer_name;
  gboolean        remote_camera_enabled;
  char           *verification_code;
  double          input_level;    /* the call's level meters, dB; -100 without a call */
  double          output_level;

  RpSignalClient *signal;
  GCancellable   *cancellable;
  char           *ws_url;
  gboolean        welcomed;
  guint           grace_s;        /* from welcome: how long the server holds our seat */
  gboolean        signal_lost;    /* reconnecting to the server, the call going on meanwhile */
  guint           retry_attempt;
  guint           retry_id;
  guint           give_up_id;
  guint           peer_wait_id;   /* back without the peer: how long to wait for it */
  GCancellable   *retry_cancellable;
  gboolean        call_connected;
  RpCall         *call;
  GStrv           ice_servers;
  gboolean        call_used;      /* the current call has met a peer: rebuild before the next */
  gint64          t_start_us;     /* later of joined / peer-joined: first-frame counts from it */
  guint           bye_timeout_id;
  gint64          restart_gen;    /* see restart_call */
  char           *end_reason;
};

G_DEFINE_FINAL_TYPE (RpSession, rp_session, G_TYPE_OBJECT)
G_DEFINE_QUARK (rp-session-error-quark, rp_session_error)
G_DEFINE_BOXED_TYPE (RpCallStats, rp_call_stats, rp_call_stats_copy, rp_call_stats_free)

GType
rp_session_state_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { RP_SESSION_STATE_IDLE, "RP_SESSION_STATE_IDLE", "idle" },
    { RP_SESSION_STATE_SIGNALING, "RP_SESSION_STATE_SIGNALING", "signaling" },
    { RP_SESSION_STATE_WAITING, "RP_SESSION_STATE_WAITING", "waiting" },
    { RP_SESSION_STATE_CONNECTING, "RP_SESSION_STATE_CONNECTING", "connecting" },
    { RP_SESSION_STATE_CONNECTED, "RP_SESSION_STATE_CONNECTED", "connected" },
    { RP_SESSION_STATE_RECONNECTING, "RP_SESSION_STATE_RECONNECTING", "reconnecting" },
    { RP_SESSION_STATE_ENDED, "RP_SESSION_STATE_ENDED", "ended" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("RpSessionState", values));
  return type_id;
}

RpCallStats *
rp_call_stats_copy (const RpCallStats *stats)
{
  return g_memdup2 (stats, sizeof *stats);
}

void
rp_call_stats_free (RpCallStats *stats)
{
  g_free (stats);
}

enum {
  PROP_0,
  PROP_NAME,
  PROP_CLIENT_ID,
  PROP_AUDIO_ONLY,
  PROP_RELAY_ONLY,
  PROP_VIDEO_SOURCE,
  PROP_AUDIO_SOURCE,
  PROP_AUDIO_SINK,
  PROP_REMOTE_VIDEO_SINK,
  PROP_LOCAL_VIDEO_SINK,
  PROP_MUTED,
  PROP_CAMERA_ENABLED,
  PROP_STATE,
  PROP_LINK,
  PROP_ROOM,
  PROP_POLITE,
  PROP_PEER_NAME,
  PROP_REMOTE_CAMERA_ENABLED,
  PROP_VERIFICATION_CODE,
  PROP_INPUT_LEVEL,
  PROP_OUTPUT_LEVEL,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PEER_JOINED,
  SIGNAL_PEER_LEFT,
  SIGNAL_PEER_RECONNECTING,
  SIGNAL_RECONNECTING,
  SIGNAL_RECONNECTED,
  SIGNAL_CONNECTED,
  SIGNAL_FIRST_FRAME,
  SIGNAL_AUDIO_LEVEL,
  SIGNAL_STATS,
  SIGNAL_DATA_CHANNEL_OPEN,
  SIGNAL_DATA_RECEIVED,
  SIGNAL_APP_MESSAGE,
  SIGNAL_DEVICE_FALLBACK,
  SIGNAL_ERROR,
  SIGNAL_ENDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void teardown_call (RpSession *self);
static void stop_reconnecting (RpSession *self);
static void handle_peer_gone (RpSession *self, const char *reason);
static void drop_signal (RpSession *self);

/* A string member of network input, or the default when it is absent or not a string: the
 * server is trusted to relay, not to be well-formed. */
static const char *
member_string (JsonObject *obj,
               const char *name,
               const char *fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gboolean
member_bool (JsonObject *obj,
             const char *name,
             gboolean    fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

static void
replace_str (char       **field,
             const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static void
set_state (RpSession      *self,
           RpSessionState  state)
{
  if (self->state == state)
    return;
  g_debug ("session state %d -> %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_string_prop (RpSession  *self,
                 char      **field,
                 const char *value,
                 guint       prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
finish_end (RpSession *self)
{
  g_autofree char *reason = NULL;

  if (self->state == RP_SESSION_STATE_ENDED)
    return;
  g_clear_handle_id (&self->bye_timeout_id, g_source_remove);
  stop_reconnecting (self);
  g_clear_handle_id (&self->peer_wait_id, g_source_remove);
  teardown_call (self);
  drop_signal (self);
  reason = g_strdup (self->end_reason != NULL ? self->end_reason : "hang-up");
  set_state (self, RP_SESSION_STATE_ENDED);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, reason);
}

static void
fail (RpSession  *self,
      gint        code,
      const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (RP_SESSION_ERROR, code, message);

  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
  g_free (self->end_reason);
  self->end_reason = g_strdup ("error");
  finish_end (self);
}

/* ---- call ---------------------------------------------------------------------------- */

static void
on_call_local_signal (RpCall    *call,
                      JsonNode  *data,
                      RpSession *self)
{
  if (self->signal != NULL)
    rp_signal_client_send_signal (self->signal, data);
}

static void
on_call_connected (RpCall     *call,
                   const char *local_type,
                   const char *remote_type,
                   RpSession  *self)
{
  self->call_connected = TRUE;
  if (!self->signal_lost && self->peer_wait_id == 0)
    set_state (self, RP_SESSION_STATE_CONNECTED);
  g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, local_type, remote_type);
}

static void
on_call_first_frame (RpCall     *call,
                     const char *kind,
                     gint64      when_us,
                     RpSession  *self)
{
  gint64 ms = MAX (0, (when_us - self->t_start_us) / 1000);

  g_signal_emit (self, signals[SIGNAL_FIRST_FRAME], 0, kind, ms);
}

static void
on_call_audio_level (RpCall    *call,
                     double     hz,
                     RpSession *self)
{
  g_signal_emit (self, signals[SIGNAL_AUDIO_LEVEL], 0, hz);
}

static void
on_call_stats (RpCall      *call,
               RpCallStats *stats,
               RpSession   *self)
{
  g_signal_emit (self, signals[SIGNAL_STATS], 0, stats);
}

static void
on_call_data_channel_open (RpCall    *call,
                           RpSession *self)
{
  g_signal_emit (self, signals[SIGNAL_DATA_CHANNEL_OPEN], 0);
}

static void
on_call_data_received (RpCall    *call,
                       GBytes    *bytes,
                       RpSession *self)
{
  g_signal_emit (self, signals[SIGNAL_DATA_RECEIVED], 0, bytes);
}

static void
on_call_text_received (RpCall    *call,
                       JsonNode  *message,
                       RpSession *self)
{
  g_signal_emit (self, signals[SIGNAL_APP_MESSAGE], 0, message);
}

static void
on_call_error (RpCall       *call,
               const GError *error,
               RpSession    *self)
{
  /* A media failure ends the call: there is nothing left to talk through. */
  fail (self, RP_SESSION_ERROR_MEDIA, error->message);
}

/* The call now uses the default device: so do the calls rebuilt after this one (the vanished
 * device would fail them), and the properties say so. */
static void
on_call_device_fallback (RpCall     *call,
                         const char *kind,
                         const char *from,
                         const char *to,
                         RpSession  *self)
{
  char **field = g_str_equal (kind, "speaker") ? &self->audio_sink
                 : g_str_equal (kind, "camera") ? &self->video_source : &self->audio_source;
  guint prop = g_str_equal (kind, "speaker") ? PROP_AUDIO_SINK
               : g_str_equal (kind, "camera") ? PROP_VIDEO_SOURCE : PROP_AUDIO_SOURCE;

  if (*field != NULL)
    {
      replace_str (field, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
  g_signal_emit (self, signals[SIGNAL_DEVICE_FALLBACK], 0, kind, from, to);
}

static void start_call (RpSession *self);

/* Both sides rebuild their peer connection for a restart of generation gen; the impolite one
 * then offers. Generations keep a restart both sides start at once from happening twice. */
static void
restart_call (RpSession *self,
              gint64     gen)
{
  self->restart_gen = gen;
  set_state (self, RP_SESSION_STATE_RECONNECTING);
  start_call (self);
  if (self->call == NULL)
    return;
  self->call_used = TRUE;
  if (!self->polite)
    rp_call_negotiate (self->call);
}

static void
on_call_peer_dead (RpCall    *call,
                   RpSession *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) msg = NULL;

  /* No media, no heartbeat: ICE in 1.22 neither notices this (no consent freshness) nor can
   * restart, so build a new peer connection and tell the other side to do the same, through
   * the server, which may still reach it. */
  if (self->peer_id == NULL || self->signal == NULL)
    return;
  g_message ("nothing from the peer for a while; rebuilding the call");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, RP_SESSION_RESTART_TYPE);
  json_builder_set_member_name (b, "gen");
  json_builder_add_int_value (b, self->restart_gen + 1);
  json_builder_end_object (b);
  msg = json_builder_get_root (b);
  rp_signal_client_send_app (self->signal, msg);
  restart_call (self, self->restart_gen + 1);
}

/* Whether an `app` message was our own restart request (and acted on it). */
static gboolean
handle_restart (RpSession *self,
                JsonNode  *data)
{
  JsonObject *obj;
  JsonNode *gen;

  if (!JSON_NODE_HOLDS_OBJECT (data))
    return FALSE;
  obj = json_node_get_object (data);
  if (g_strcmp0 (member_string (obj, "type", NULL), RP_SESSION_RESTART_TYPE) != 0)
    return FALSE;
  gen = json_object_get_member (obj, "gen");
  if (gen != NULL && JSON_NODE_HOLDS_VALUE (gen) && json_node_get_value_type (gen) == G_TYPE_INT64
      && json_node_get_int (gen) > self->restart_gen && self->peer_id != NULL)
    restart_call (self, json_node_get_int (gen));
  return TRUE;
}

static void
on_call_notify_remote_camera (RpCall     *call,
                              GParamSpec *pspec,
                              RpSession  *self)
{
  gboolean enabled;

  g_object_get (call, "remote-camera-enabled", &enabled, NULL);
  if (enabled == self->remote_camera_enabled)
    return;
  self->remote_camera_enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_CAMERA_ENABLED]);
}

static void
on_call_notify_code (RpCall     *call,
                     GParamSpec *pspec,
                     RpSession  *self)
{
  set_string_prop (self, &self->verification_code, rp_call_get_verification_code (call),
                   PROP_VERIFICATION_CODE);
}

#define RP_SESSION_LEVEL_FLOOR_DB (-100.0)

static void
set_level (RpSession *self,
           gboolean   input,
           double     db)
{
  double *field = input ? &self->input_level : &self->output_level;

  if (*field == db)
    return;
  *field = db;
  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[input ? PROP_INPUT_LEVEL : PROP_OUTPUT_LEVEL]);
}

static void
on_call_notify_level (RpCall     *call,
                      GParamSpec *pspec,
                      RpSession  *self)
{
  gboolean input = g_str_equal (pspec->name, "input-level");
  double db;

  g_object_get (call, pspec->name, &db, NULL);
  set_level (self, input, db);
}

static void
teardown_call (RpSession *self)
{
  if (self->call == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->call, self);
  rp_call_stop (self->call);
  g_clear_object (&self->call);
  self->call_connected = FALSE;
  set_level (self, TRUE, RP_SESSION_LEVEL_FLOOR_DB);
  set_level (self, FALSE, RP_SESSION_LEVEL_FLOOR_DB);
  set_string_prop (self, &self->verification_code, NULL, PROP_VERIFICATION_CODE);
  if (!self->remote_camera_enabled)
    {
      self->remote_camera_enabled = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_CAMERA_ENABLED]);
    }
}

/* A fresh call, with the local media already running, waiting for a peer. */
static void
start_call (RpSession *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RpCall) call = NULL;

  teardown_call (self);
  call = g_object_new (RP_TYPE_CALL,
                       "polite", self->polite,
                       "audio-only", self->audio_only,
                       "video-source", self->video_source,
                       "audio-source", self->audio_source,
                       "audio-sink", self->audio_sink,
                       "remote-video-sink", self->remote_video_sink,
                       "local-video-sink", self->local_video_sink,
                       "ice-servers", self->ice_servers,
                       "relay-only", self->relay_only,
                       "muted", self->muted,
                       "camera-enabled", self->camera_enabled,
                       NULL);
  g_signal_connect (call, "local-signal", G_CALLBACK (on_call_local_signal), self);
  g_signal_connect (call, "connected", G_CALLBACK (on_call_connected), self);
  g_signal_connect (call, "first-frame", G_CALLBACK (on_call_first_frame), self);
  g_signal_connect (call, "audio-level", G_CALLBACK (on_call_audio_level), self);
  g_signal_connect (call, "stats", G_CALLBACK (on_call_stats), self);
  g_signal_connect (call, "data-channel-open", G_CALLBACK (on_call_data_channel_open), self);
  g_signal_connect (call, "data-received", G_CALLBACK (on_call_data_received), self);
  g_signal_connect (call, "text-received", G_CALLBACK (on_call_text_received), self);
  g_signal_connect (call, "error", G_CALLBACK (on_call_error), self);
  g_signal_connect (call, "peer-dead", G_CALLBACK (on_call_peer_dead), self);
  g_signal_connect (call, "device-fallback", G_CALLBACK (on_call_device_fallback), self);
  g_signal_connect (call, "notify::input-level", G_CALLBACK (on_call_notify_level), self);
  g_signal_connect (call, "notify::output-level", G_CALLBACK (on_call_notify_level), self);
  g_signal_connect (call, "notify::remote-camera-enabled",
                    G_CALLBACK (on_call_notify_remote_camera), self);
  g_signal_connect (call, "notify::verification-code", G_CALLBACK (on_call_notify_code), self);
  if (!rp_call_start (call, &error))
    {
      g_signal_handlers_disconnect_by_data (call, self);
      fail (self, RP_SESSION_ERROR_MEDIA, error->message);
      return;
    }
  self->call = g_steal_pointer (&call);
  self->call_used = FALSE;
}

/* ---- signaling ----------------------------------------------------------------------- */

/* RTCIceServer list → webrtcbin URLs. TURN credentials go into the URL's user info. */
static GStrv
ice_servers_from_json (JsonArray *servers)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = servers != NULL ? json_array_get_length (servers) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (servers, i);
      JsonObject *server;
      JsonNode *urls;
      const char *user;
      const char *cred;
      g_autoptr(GPtrArray) list = g_ptr_array_new ();

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      server = json_node_get_object (node);
      urls = json_object_get_member (server, "urls");
      user = member_string (server, "username", NULL);
      cred = member_string (server, "credential", NULL);
      if (urls != NULL && JSON_NODE_HOLDS_VALUE (urls)
          && json_node_get_value_type (urls) == G_TYPE_STRING)
        g_ptr_array_add (list, (gpointer) json_node_get_string (urls));
      else if (urls != NULL && JSON_NODE_HOLDS_ARRAY (urls))
        for (guint j = 0; j < json_array_get_length (json_node_get_array (urls)); j++)
          {
            JsonNode *u = json_array_get_element (json_node_get_array (urls), j);
            if (JSON_NODE_HOLDS_VALUE (u) && json_node_get_value_type (u) == G_TYPE_STRING)
              g_ptr_array_add (list, (gpointer) json_node_get_string (u));
          }
      for (guint j = 0; j < list->len; j++)
        {
          const char *url = g_ptr_array_index (list, j);

          if (g_str_has_prefix (url, "stun:"))
            {
              g_autofree char *stun = g_strdup_printf ("stun://%s", url + 5);
              g_strv_builder_add (builder, stun);
            }
          else if ((g_str_has_prefix (url, "turn:") || g_str_has_prefix (url, "turns:"))
                   && user != NULL && cred != NULL)
            {
              gboolean tls = g_str_has_prefix (url, "turns:");
              g_autofree char *u = g_uri_escape_string (user, NULL, FALSE);
              g_autofree char *c = g_uri_escape_string (cred, NULL, FALSE);
              const char *rest = url + (tls ? 6 : 5);

              g_autofree char *turn = g_strdup_printf ("%s://%s:%s@%s", tls ? "turns" : "turn",
                                                       u, c, rest);

              g_strv_builder_add (builder, turn);
            }
        }
    }
  return g_strv_builder_end (builder);
}

static void
peer_arrived (RpSession  *self,
              const char *id,
              const char *name)
{
  set_string_prop (self, &self->peer_name, name, PROP_PEER_NAME);
  g_free (self->peer_id);
  self->peer_id = g_strdup (id);
  self->t_start_us = g_get_monotonic_time ();
  self->restart_gen = 0;
  g_signal_emit (self, signals[SIGNAL_PEER_JOINED], 0, name);
  if (self->state == RP_SESSION_STATE_ENDED)
    return;
  if (self->call == NULL || self->call_used)
    start_call (self);
  if (self->call == NULL)
    return;
  self->call_used = TRUE;
  set_state (self, RP_SESSION_STATE_CONNECTING);
  /* PROTOCOL.md: the impolite side makes the first offer as soon as the other side is there. */
  if (!self->polite)
    rp_call_negotiate (self->call);
}

static JsonObject *
first_peer (JsonObject *msg)
{
  JsonArray *peers = NULL;

  if (json_object_has_member (msg, "peers")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (msg, "peers")))
    peers = json_object_get_array_member (msg, "peers");
  for (guint i = 0; peers != NULL && i < json_array_get_length (peers); i++)
    {
      JsonNode *node = json_array_get_element (peers, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        return json_node_get_object (node);
    }
  return NULL;
}

static void
read_welcome_settings (RpSession  *self,
                       JsonObject *msg)
{
  JsonArray *ice = NULL;
  JsonNode *grace = json_object_get_member (msg, "grace_s");

  if (json_object_has_member (msg, "iceServers")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (msg, "iceServers")))
    ice = json_object_get_array_member (msg, "iceServers");
  g_strfreev (self->ice_servers);
  self->ice_servers = ice_servers_from_json (ice);
  self->grace_s = RP_SESSION_DEFAULT_GRACE_S;
  if (grace != NULL && JSON_NODE_HOLDS_VALUE (grace)
      && json_node_get_value_type (grace) == G_TYPE_INT64
      && json_node_get_int (grace) > 0 && json_node_get_int (grace) <= 3600)
    self->grace_s = (guint) json_node_get_int (grace);
}

static gboolean
on_peer_wait_over (gpointer user_data)
{
  RpSession *self = user_data;

  self->peer_wait_id = 0;
  handle_peer_gone (self, "timeout");
  return G_SOURCE_REMOVE;
}

/* Back in our own seat after losing the server. The call is kept when the same peer is
 * there and the call had connected; anything else is what a first welcome would mean. */
static void
handle_rejoin (RpSession  *self,
               JsonObject *msg)
{
  JsonObject *peer = first_peer (msg);
  const char *peer_id = peer != NULL ? member_string (peer, "id", NULL) : NULL;
  gboolean was_polite = self->polite;

  stop_reconnecting (self);
  read_welcome_settings (self, msg);
  self->polite = member_bool (msg, "polite", FALSE);
  if (self->polite != was_polite)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLITE]);
  g_message ("back on the rendezvous server");
  g_signal_emit (self, signals[SIGNAL_RECONNECTED], 0);
  if (self->state == RP_SESSION_STATE_ENDED)
    return;

  if (peer_id != NULL && g_strcmp0 (peer_id, self->peer_id) == 0 && self->call_connected
      && self->polite == was_polite)
    set_state (self, RP_SESSION_STATE_CONNECTED);
  else if (peer_id != NULL)
    peer_arrived (self, peer_id, member_string (peer, "name", ""));
  else if (self->peer_id != NULL)
    {
      /* The peer's seat is held (it lost the server too) or it left while we could not hear
       * it: peer-joined or peer-left settles it, or else its grace running out. */
      set_state (self, RP_SESSION_STATE_RECONNECTING);
      g_clear_handle_id (&self->peer_wait_id, g_source_remove);
      self->peer_wait_id = g_timeout_add_seconds (self->grace_s + 2, on_peer_wait_over, self);
    }
  else
    set_state (self, RP_SESSION_STATE_WAITING);
}

static void
handle_welcome (RpSession  *self,
                JsonObject *msg)
{
  JsonArray *peers = NULL;

  if (self->signal_lost)
    {
      handle_rejoin (self, msg);
      return;
    }
  if (self->state != RP_SESSION_STATE_SIGNALING)
    return;
  self->welcomed = TRUE;
  set_string_prop (self, &self->room,
                   member_string (msg, "room", NULL), PROP_ROOM);
  set_string_prop (self, &self->link,
                   member_string (msg, "link", NULL), PROP_LINK);
  self->polite = member_bool (msg, "polite", FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLITE]);
  read_welcome_settings (self, msg);

  self->t_start_us = g_get_monotonic_time ();
  set_state (self, RP_SESSION_STATE_WAITING);
  start_call (self);
  if (self->call == NULL)
    return;

  if (json_object_has_member (msg, "peers")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (msg, "peers")))
    peers = json_object_get_array_member (msg, "peers");
  for (guint i = 0; peers != NULL && i < json_array_get_length (peers); i++)
    {
      JsonNode *node = json_array_get_element (peers, i);
      JsonObject *peer;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      peer = json_node_get_object (node);
      peer_arrived (self, member_string (peer, "id", NULL),
                    member_string (peer, "name", ""));
      break;
    }
}

static void
handle_peer_gone (RpSession  *self,
                  const char *reason)
{
  g_clear_handle_id (&self->peer_wait_id, g_source_remove);
  set_string_prop (self, &self->peer_name, NULL, PROP_PEER_NAME);
  g_clear_pointer (&self->peer_id, g_free);
  g_signal_emit (self, signals[SIGNAL_PEER_LEFT], 0, reason);
  if (self->state == RP_SESSION_STATE_ENDED)
    return;
  set_state (self, RP_SESSION_STATE_WAITING);
  /* A fresh call with the preview running, for whoever joins next. */
  start_call (self);
}

/* The peer back in its seat with the call still up (it only lost the server) keeps the call;
 * otherwise it is a new arrival and gets a new call. */
static void
peer_returned_or_arrived (RpSession  *self,
                          const char *id,
                          const char *name)
{
  g_clear_handle_id (&self->peer_wait_id, g_source_remove);
  if (id != NULL && g_strcmp0 (id, self->peer_id) == 0 && self->call_connected)
    {
      g_signal_emit (self, signals[SIGNAL_PEER_JOINED], 0, name);
      if (self->state != RP_SESSION_STATE_ENDED)
        set_state (self, RP_SESSION_STATE_CONNECTED);
      return;
    }
  peer_arrived (self, id, name);
}

static void
handle_server_error (RpSession  *self,
                     JsonObject *msg)
{
  const char *code = member_string (msg, "code", "unknown");
  const char *text = member_string (msg, "message", "");
  g_autofree char *message = NULL;

  if (g_strcmp0 (code, "unknown-room") == 0)
    message = g_strdup ("This room does not exist any more; ask for a new link");
  else if (g_strcmp0 (code, "room-full") == 0)
    message = g_strdup ("This room already has two people in it");
  else
    message = g_strdup_printf ("The rendezvous server refused: %s (%s)", text, code);

  /* Before welcome a refusal means we never got in (nor back in, when reconnecting: the room
   * is gone or our seat given away); afterwards it is only a dropped message. */
  if (self->state == RP_SESSION_STATE_SIGNALING || self->signal_lost)
    fail (self, RP_SESSION_ERROR_SERVER, message);
  else
    g_message ("%s", message);
}

static void
on_signal_message (RpSignalClient *client,
                   const char     *type,
                   JsonObject     *msg,
                   RpSession      *self)
{
  JsonNode *data = json_object_get_member (msg, "data");

  if (g_str_equal (type, "welcome"))
    handle_welcome (self, msg);
  else if (g_str_equal (type, "peer-joined"))
    {
      JsonObject *peer = NULL;

      if (json_object_has_member (msg, "peer")
          && JSON_NODE_HOLDS_OBJECT (json_object_get_member (msg, "peer")))
        peer = json_object_get_object_member (msg, "peer");
      if (peer != NULL && self->state != RP_SESSION_STATE_SIGNALING)
        peer_returned_or_arrived (self, member_string (peer, "id", NULL),
                                  member_string (peer, "name", ""));
    }
  else if (g_str_equal (type, "peer-reconnecting"))
    {
      g_signal_emit (self, signals[SIGNAL_PEER_RECONNECTING], 0);
      /* Its seat is held. Only its signaling may be gone (media is peer to peer): the call
       * goes on until it comes back (peer-joined), leaves (peer-left), or its media stops
       * (peer-dead). */
      set_state (self, RP_SESSION_STATE_RECONNECTING);
    }
  else if (g_str_equal (type, "peer-left"))
    handle_peer_gone (self, member_string (msg, "reason", "bye"));
  else if (g_str_equal (type, "signal"))
    {
      if (self->call != NULL && data != NULL && JSON_NODE_HOLDS_OBJECT (data))
        rp_call_handle_signal (self->call, json_node_get_object (data));
    }
  else if (g_str_equal (type, "app"))
    {
      if (data != NULL && !handle_restart (self, data))
        g_signal_emit (self, signals[SIGNAL_APP_MESSAGE], 0, data);
    }
  else if (g_str_equal (type, "error"))
    handle_server_error (self, msg);
}

static void on_signal_connected (GObject *source, GAsyncResult *result, gpointer user_data);
static void on_signal_closed (RpSignalClient *client, guint code, const char *reason,
                              RpSession *self);

static void
drop_signal (RpSession *self)
{
  if (self->signal == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->signal, self);
  rp_signal_client_close (self->signal);
  g_clear_object (&self->signal);
}

static void
open_signal (RpSession    *self,
             GCancellable *cancellable)
{
  self->signal = rp_signal_client_new (self->ws_url);
  if (self->signal_lost)
    g_object_set (self->signal, "connect-timeout", RP_SESSION_RETRY_CONNECT_TIMEOUT_S, NULL);
  g_signal_connect (self->signal, "message", G_CALLBACK (on_signal_message), self);
  g_signal_connect (self->signal, "closed", G_CALLBACK (on_signal_closed), self);
  rp_signal_client_connect_async (self->signal, cancellable, on_signal_connected,
                                  g_object_ref (self));
}

static void
stop_reconnecting (RpSession *self)
{
  self->signal_lost = FALSE;
  self->retry_attempt = 0;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->give_up_id, g_source_remove);
  if (self->retry_cancellable != NULL)
    g_cancellable_cancel (self->retry_cancellable);
  g_clear_object (&self->retry_cancellable);
}

static gboolean
on_retry (gpointer user_data)
{
  RpSession *self = user_data;

  self->retry_id = 0;
  g_clear_object (&self->retry_cancellable);
  self->retry_cancellable = g_cancellable_new ();
  open_signal (self, self->retry_cancellable);
  return G_SOURCE_REMOVE;
}

/* Backoff with some jitter, so that the clients of a restarted server do not all come back in
 * the same millisecond. */
static void
schedule_retry (RpSession *self)
{
  guint delay = MIN (RP_SESSION_RETRY_FIRST_MS << MIN (self->retry_attempt, 8),
                     RP_SESSION_RETRY_MAX_MS);

  drop_signal (self);
  self->retry_attempt++;
  delay += g_random_int_range (0, delay / 4 + 1);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (delay, on_retry, self);
}

static gboolean
on_give_up (gpointer user_data)
{
  RpSession *self = user_data;
  g_autofree char *message = NULL;

  self->give_up_id = 0;
  message = g_strdup_printf ("The connection to the rendezvous server was lost and could not "
                             "be made again within %u seconds", self->grace_s);
  fail (self, RP_SESSION_ERROR_SIGNALING, message);
  return G_SOURCE_REMOVE;
}

/* The server holds our seat for its grace period: come back within it with the same client id
 * and it is ours again. The call is peer to peer and goes on meanwhile. */
static void
start_reconnecting (RpSession *self)
{
  g_message ("lost the rendezvous server; reconnecting for up to %u s", self->grace_s);
  self->signal_lost = TRUE;
  self->retry_attempt = 0;
  g_clear_handle_id (&self->give_up_id, g_source_remove);
  self->give_up_id = g_timeout_add_seconds (self->grace_s, on_give_up, self);
  set_state (self, RP_SESSION_STATE_RECONNECTING);
  g_signal_emit (self, signals[SIGNAL_RECONNECTING], 0);
  if (self->state != RP_SESSION_STATE_ENDED)
    schedule_retry (self);
}

static void
on_signal_closed (RpSignalClient *client,
                  guint           code,
                  const char     *reason,
                  RpSession      *self)
{
  if (self->bye_timeout_id != 0 || self->state == RP_SESSION_STATE_ENDED)
    {
      finish_end (self);
      return;
    }
  if (self->signal_lost)
    schedule_retry (self);   /* a retry got through but was closed before welcome */
  else if (self->welcomed)
    start_reconnecting (self);
  else
    fail (self, RP_SESSION_ERROR_SIGNALING,
          "The connection to the rendezvous server was lost");
}

static void
on_signal_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RpSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rp_signal_client_connect_finish (RP_SIGNAL_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || self->state == RP_SESSION_STATE_ENDED || source != (GObject *) self->signal)
        return;
      if (self->signal_lost)
        schedule_retry (self);
      else
        fail (self, RP_SESSION_ERROR_SIGNALING, error->message);
      return;
    }
  /* A client dropped since (a retry given up) finishes late: not ours any more. */
  if (self->state == RP_SESSION_STATE_ENDED || source != (GObject *) self->signal)
    return;
  rp_signal_client_join (self->signal, self->room, self->name, self->client_id);
}

static gboolean
start_signaling (RpSession  *self,
                 const char *ws_url,
                 GError    **error)
{
  if (self->state != RP_SESSION_STATE_IDLE)
    {
      g_set_error (error, RP_SESSION_ERROR, RP_SESSION_ERROR_BUSY,
                   "This session has already been started; create a new one");
      return FALSE;
    }
  if (self->client_id == NULL)
    self->client_id = rp_random_hex (16);
  if (self->name == NULL)
    self->name = g_strdup (g_get_real_name ());
  rp_media_warm_up ();
  replace_str (&self->ws_url, ws_url);
  set_state (self, RP_SESSION_STATE_SIGNALING);
  open_signal (self, self->cancellable);
  return TRUE;
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
rp_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RpSession *self = RP_SESSION (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_CLIENT_ID: g_value_set_string (value, self->client_id); break;
    case PROP_AUDIO_ONLY: g_value_set_boolean (value, self->audio_only); break;
    case PROP_RELAY_ONLY: g_value_set_boolean (value, self->relay_only); break;
    case PROP_VIDEO_SOURCE: g_value_set_string (value, self->video_source); break;
    case PROP_AUDIO_SOURCE: g_value_set_string (value, self->audio_source); break;
    case PROP_AUDIO_SINK: g_value_set_string (value, self->audio_sink); break;
    case PROP_REMOTE_VIDEO_SINK: g_value_set_object (value, self->remote_video_sink); break;
    case PROP_LOCAL_VIDEO_SINK: g_value_set_object (value, self->local_video_sink); break;
    case PROP_MUTED: g_value_set_boolean (value, self->muted); break;
    case PROP_CAMERA_ENABLED: g_value_set_boolean (value, self->camera_enabled); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_LINK: g_value_set_string (value, self->link); break;
    case PROP_ROOM: g_value_set_string (value, self->room); break;
    case PROP_POLITE: g_value_set_boolean (value, self->polite); break;
    case PROP_PEER_NAME: g_value_set_string (value, self->peer_name); break;
    case PROP_REMOTE_CAMERA_ENABLED:
      g_value_set_boolean (value, self->remote_camera_enabled);
      break;
    case PROP_VERIFICATION_CODE: g_value_set_string (value, self->verification_code); break;
    case PROP_INPUT_LEVEL: g_value_set_double (value, self->input_level); break;
    case PROP_OUTPUT_LEVEL: g_value_set_double (value, self->output_level); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Choosing another camera or microphone during a call swaps it in place (no renegotiation);
 * if that fails the old one stays and "error" says why, without ending the call. */
static void
switch_source (RpSession  *self,
               gboolean    video,
               const char *spec)
{
  char **field = video ? &self->video_source : &self->audio_source;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (*field, spec) == 0)
    return;
  if (self->call != NULL && !rp_call_set_source (self->call, video, spec, &error))
    {
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      return;
    }
  replace_str (field, spec);
  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[video ? PROP_VIDEO_SOURCE : PROP_AUDIO_SOURCE]);
}

static void
set_sink_prop (GstElement **field,
               GstElement  *sink)
{
  if (sink != NULL)
    gst_object_ref_sink (sink);
  g_clear_object (field);
  *field = sink;
}

static void
rp_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RpSession *self = RP_SESSION (object);

  switch (prop_id)
    {
    case PROP_NAME: replace_str (&self->name, g_value_get_string (value)); break;
    case PROP_CLIENT_ID: replace_str (&self->client_id, g_value_get_string (value)); break;
    case PROP_AUDIO_ONLY: self->audio_only = g_value_get_boolean (value); break;
    case PROP_RELAY_ONLY: self->relay_only = g_value_get_boolean (value); break;
    case PROP_VIDEO_SOURCE:
      switch_source (self, TRUE, g_value_get_string (value));
      break;
    case PROP_AUDIO_SOURCE:
      switch_source (self, FALSE, g_value_get_string (value));
      break;
    case PROP_AUDIO_SINK: replace_str (&self->audio_sink, g_value_get_string (value)); break;
    case PROP_REMOTE_VIDEO_SINK:
      set_sink_prop (&self->remote_video_sink, g_value_get_object (value));
      break;
    case PROP_LOCAL_VIDEO_SINK:
      set_sink_prop (&self->local_video_sink, g_value_get_object (value));
      break;
    case PROP_MUTED:
      if (self->muted == g_value_get_boolean (value))
        break;
      self->muted = g_value_get_boolean (value);
      if (self->call != NULL)
        g_object_set (self->call, "muted", self->muted, NULL);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_CAMERA_ENABLED:
      if (self->camera_enabled == g_value_get_boolean (value))
        break;
      self->camera_enabled = g_value_get_boolean (value);
      if (self->call != NULL)
        g_object_set (self->call, "camera-enabled", self->camera_enabled, NULL);
      g_object_notify_by_pspec (object, pspec);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_session_dispose (GObject *object)
{
  RpSession *self = RP_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->bye_timeout_id, g_source_remove);
  stop_reconnecting (self);
  g_clear_handle_id (&self->peer_wait_id, g_source_remove);
  teardown_call (self);
  drop_signal (self);
  g_clear_object (&self->remote_video_sink);
  g_clear_object (&self->local_video_sink);
  g_clear_object (&self->cancellable);
  rp_media_warm_up_wait ();
  G_OBJECT_CLASS (rp_session_parent_class)->dispose (object);
}

static void
rp_session_finalize (GObject *object)
{
  RpSession *self = RP_SESSION (object);

  g_free (self->name);
  g_free (self->client_id);
  g_free (self->video_source);
  g_free (self->audio_source);
  g_free (self->audio_sink);
  g_free (self->link);
  g_free (self->room);
  g_free (self->peer_id);
  g_free (self->peer_name);
  g_free (self->verification_code);
  g_free (self->end_reason);
  g_free (self->ws_url);
  g_strfreev (self->ice_servers);
  G_OBJECT_CLASS (rp_session_parent_class)->finalize (object);
}

static GParamSpec *
string_pspec (const char *name,
              GParamFlags flags)
{
  return g_param_spec_string (name, NULL, NULL, NULL, flags | G_PARAM_STATIC_STRINGS);
}

static void
rp_session_class_init (RpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = rp_session_get_property;
  object_class->set_property = rp_session_set_property;
  object_class->dispose = rp_session_dispose;
  object_class->finalize = rp_session_finalize;

  properties[PROP_NAME] = string_pspec ("name", rw);
  properties[PROP_CLIENT_ID] = string_pspec ("client-id", rw);
  properties[PROP_AUDIO_ONLY] =
    g_param_spec_boolean ("audio-only", NULL, NULL, FALSE, rw | G_PARAM_STATIC_STRINGS);
  /* Only TURN-relayed paths, as a browser's iceTransportPolicy "relay": the peer never learns
   * our addresses. Applies to calls started after it is set. */
  properties[PROP_RELAY_ONLY] =
    g_param_spec_boolean ("relay-only", NULL, NULL, FALSE, rw | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIDEO_SOURCE] = string_pspec ("video-source", rw);
  properties[PROP_AUDIO_SOURCE] = string_pspec ("audio-source", rw);
  properties[PROP_AUDIO_SINK] = string_pspec ("audio-sink", rw);
  properties[PROP_REMOTE_VIDEO_SINK] =
    g_param_spec_object ("remote-video-sink", NULL, NULL, GST_TYPE_ELEMENT,
                         rw | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCAL_VIDEO_SINK] =
    g_param_spec_object ("local-video-sink", NULL, NULL, GST_TYPE_ELEMENT,
                         rw | G_PARAM_STATIC_STRINGS);
  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE, rw | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAMERA_ENABLED] =
    g_param_spec_boolean ("camera-enabled", NULL, NULL, TRUE, rw | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RP_TYPE_SESSION_STATE, RP_SESSION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK] = string_pspec ("link", G_PARAM_READABLE);
  properties[PROP_ROOM] = string_pspec ("room", G_PARAM_READABLE);
  properties[PROP_POLITE] =
    g_param_spec_boolean ("polite", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER_NAME] = string_pspec ("peer-name", G_PARAM_READABLE);
  properties[PROP_REMOTE_CAMERA_ENABLED] =
    g_param_spec_boolean ("remote-camera-enabled", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VERIFICATION_CODE] = string_pspec ("verification-code", G_PARAM_READABLE);
  /* Level meters for the UI: dB RMS of what we send (after mute) and of what we play of the
   * peer, -100 = silence, ~10 updates a second on the main context. */
  properties[PROP_INPUT_LEVEL] =
    g_param_spec_double ("input-level", NULL, NULL, RP_SESSION_LEVEL_FLOOR_DB, 0.0,
                         RP_SESSION_LEVEL_FLOOR_DB,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTPUT_LEVEL] =
    g_param_spec_double ("output-level", NULL, NULL, RP_SESSION_LEVEL_FLOOR_DB, 0.0,
                         RP_SESSION_LEVEL_FLOOR_DB,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PEER_JOINED] = g_signal_new ("peer-joined", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_PEER_LEFT] = g_signal_new ("peer-left", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                            NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The other side lost the rendezvous server; its seat is held (peer-joined when it is back). */
  signals[SIGNAL_PEER_RECONNECTING] = g_signal_new ("peer-reconnecting", type, G_SIGNAL_RUN_LAST,
                                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* We lost the rendezvous server and retry; "reconnected" when back in our seat, else "error"
   * and "ended" after the server's grace period. The call goes on meanwhile. */
  signals[SIGNAL_RECONNECTING] = g_signal_new ("reconnecting", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_RECONNECTED] = g_signal_new ("reconnected", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 0);
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
  signals[SIGNAL_APP_MESSAGE] = g_signal_new ("app-message", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_NODE);
  /* A device in use vanished mid-call: kind ("microphone", "camera", "speaker"), its name, and
   * the default device used instead (NULL: none). The matching property becomes NULL. */
  signals[SIGNAL_DEVICE_FALLBACK] = g_signal_new ("device-fallback", type, G_SIGNAL_RUN_LAST, 0,
                                                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
                                                  G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_ERROR] = g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_ENDED] = g_signal_new ("ended", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
rp_session_init (RpSession *self)
{
  self->camera_enabled = TRUE;
  self->remote_camera_enabled = TRUE;
  self->grace_s = RP_SESSION_DEFAULT_GRACE_S;
  self->input_level = RP_SESSION_LEVEL_FLOOR_DB;
  self->output_level = RP_SESSION_LEVEL_FLOOR_DB;
  self->cancellable = g_cancellable_new ();
}

RpSession *
rp_session_new (void)
{
  return g_object_new (RP_TYPE_SESSION, NULL);
}

RpSessionState
rp_session_get_state (RpSession *self)
{
  g_return_val_if_fail (RP_IS_SESSION (self), RP_SESSION_STATE_IDLE);
  return self->state;
}

/* Hosts a new room on the server at host_port (the embedded server: "127.0.0.1:PORT"). The
 * link arrives as notify::link; failures as "error" then "ended". */
void
rp_session_host (RpSession  *self,
                 const char *host_port,
                 gboolean    tls)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (RP_IS_SESSION (self));
  g_return_if_fail (host_port != NULL);

  url = g_strdup_printf ("%s://%s/v1", tls ? "wss" : "ws", host_port);
  if (!start_signaling (self, url, &error))
    g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

gboolean
rp_session_join_link (RpSession  *self,
                      const char *link,
                      GError    **error)
{
  g_autofree char *url = NULL;
  g_autofree char *room = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (link != NULL, FALSE);

  if (!rp_signal_parse_link (link, &url, &room, &local_error))
    {
      g_set_error_literal (error, RP_SESSION_ERROR, RP_SESSION_ERROR_BAD_LINK,
                           local_error->message);
      return FALSE;
    }
  if (self->state == RP_SESSION_STATE_IDLE)
    replace_str (&self->room, room);
  return start_signaling (self, url, error);
}

static gboolean
on_bye_timeout (gpointer user_data)
{
  RpSession *self = user_data;

  self->bye_timeout_id = 0;
  finish_end (self);
  return G_SOURCE_REMOVE;
}

/* Says bye to the server (which tells the peer at once), tears the call down, and emits
 * "ended" once the server has closed the connection (or after a short wait). */
void
rp_session_hang_up (RpSession *self)
{
  g_return_if_fail (RP_IS_SESSION (self));

  if (self->state == RP_SESSION_STATE_ENDED || self->bye_timeout_id != 0)
    return;
  g_cancellable_cancel (self->cancellable);
  teardown_call (self);
  if (self->signal == NULL || !rp_signal_client_is_open (self->signal))
    {
      finish_end (self);
      return;
    }
  rp_signal_client_send_bye (self->signal);
  self->bye_timeout_id = g_timeout_add (RP_SESSION_BYE_TIMEOUT_MS, on_bye_timeout, self);
}

/* Binary data for the peer (the notes/agenda sync), any size: the call splits and joins it. */
void
rp_session_send_data (RpSession *self,
                      GBytes    *bytes)
{
  g_return_if_fail (RP_IS_SESSION (self));
  g_return_if_fail (bytes != NULL);

  if (self->call == NULL || !rp_call_send_data (self->call, bytes))
    g_message ("no open data channel; %zu bytes not sent", g_bytes_get_size (bytes));
}

/* A small JSON object for the peer's app: over the data channel when it is open, else relayed
 * by the rendezvous server. */
void
rp_session_send_app (RpSession *self,
                     JsonNode  *message)
{
  g_return_if_fail (RP_IS_SESSION (self));
  g_return_if_fail (message != NULL && JSON_NODE_HOLDS_OBJECT (message));

  if (self->call != NULL && rp_call_is_data_channel_open (self->call)
      && rp_call_send_message (self->call, message))
    return;
  if (self->signal != NULL)
    rp_signal_client_send_app (self->signal, message);
}
