/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-peer: the headless twin of the app. The same RpSession, driven from the command line,
 * reporting what happens as JSON lines on stdout (PROTOCOL.md, "rapport-peer command line").
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "rp-media.h"
#include "rp-peer-docs.h"
#include "rp-peer-events.h"
#include "rp-peer-schedule.h"
#include "rp-server.h"
#include "rp-session.h"

typedef struct {
  GMainLoop  *loop;
  RpSession  *session;
  RpServer   *server;
  gint64      t0_us;
  guint       duration_s;
  guint       duration_id;
  const char *end_reason;     /* what we asked for when hanging up ourselves */
  gboolean    joined;
  gboolean    timing;         /* the --duration countdown runs (from the first "connected") */
  gboolean    failed;
  int         exit_status;
} Peer;

/* ---- output ------------------------------------------------------------------------------ */

/* The shared helpers (rp-peer-events.h) under the names this file's events are written with. */
static JsonBuilder *
event_begin (Peer       *peer,
             const char *event)
{
  return rp_peer_event_begin (peer->t0_us, event);
}

static void
event_end (JsonBuilder *b)
{
  rp_peer_event_end (b);
}

static void
event_string (Peer       *peer,
              const char *event,
              const char *key,
              const char *value)
{
  rp_peer_event_string (peer->t0_us, event, key, value);
}

/* json-glib writes doubles with 17 significant digits; figures worth one decimal are written
 * by hand (locale-independent) to keep the lines readable. */
static void
append_number (GString    *line,
               const char *key,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (line, ",\"%s\":%s", key,
                          g_ascii_formatd (buf, sizeof buf, "%.1f", value));
}

static void
print_line (GString *line)
{
  g_string_append_c (line, '}');
  g_print ("%s\n", line->str);
  fflush (stdout);
}

static GString *
line_begin (Peer       *peer,
            const char *event)
{
  GString *line = g_string_new (NULL);

  g_string_append_printf (line, "{\"event\":\"%s\",\"t_ms\":%" G_GINT64_FORMAT, event,
                          (g_get_monotonic_time () - peer->t0_us) / 1000);
  return line;
}

/* ---- session events ---------------------------------------------------------------------- */

static void
on_notify_link (RpSession  *session,
                GParamSpec *pspec,
                Peer       *peer)
{
  g_autofree char *link = NULL;

  g_object_get (session, "link", &link, NULL);
  if (link != NULL)
    event_string (peer, "ready", "link", link);
}

static gboolean
on_duration_over (gpointer user_data)
{
  Peer *peer = user_data;

  peer->duration_id = 0;
  peer->end_reason = "duration";
  rp_session_hang_up (peer->session);
  return G_SOURCE_REMOVE;
}

static void
on_notify_state (RpSession  *session,
                 GParamSpec *pspec,
                 Peer       *peer)
{
  RpSessionState state = rp_session_get_state (session);
  g_autofree char *room = NULL;
  gboolean polite;
  JsonBuilder *b;

  if (peer->joined || state != RP_SESSION_STATE_WAITING)
    return;
  peer->joined = TRUE;
  g_object_get (session, "room", &room, "polite", &polite, NULL);
  b = event_begin (peer, "joined");
  json_builder_set_member_name (b, "room");
  json_builder_add_string_value (b, room);
  json_builder_set_member_name (b, "polite");
  json_builder_add_boolean_value (b, polite);
  event_end (b);
  /* The call's time counts from "connected"; this only bounds a wait for a peer that never
   * comes. */
  if (peer->duration_s > 0)
    peer->duration_id = g_timeout_add_seconds (peer->duration_s + 60, on_duration_over, peer);
}

static void
on_peer_joined (RpSession  *session,
                const char *name,
                Peer       *peer)
{
  event_string (peer, "peer-joined", "name", name);
}

static void
on_peer_left (RpSession  *session,
              const char *reason,
              Peer       *peer)
{
  event_string (peer, "peer-left", "reason", reason);
  /* --duration 0 means: until the other side leaves. */
  if (peer->duration_s == 0 && peer->end_reason == NULL)
    {
      peer->end_reason = "peer-left";
      rp_session_hang_up (session);
    }
}

/* Beyond the contract's events: the signaling connection dropped and came back; the call
 * itself is peer to peer and goes on meanwhile. */
static void
on_reconnecting (RpSession *session,
                 Peer      *peer)
{
  event_end (event_begin (peer, "reconnecting"));
}

static void
on_reconnected (RpSession *session,
                Peer      *peer)
{
  event_end (event_begin (peer, "reconnected"));
}

static void
on_peer_reconnecting (RpSession *session,
                      Peer      *peer)
{
  event_end (event_begin (peer, "peer-reconnecting"));
}

static void
on_connected (RpSession  *session,
              const char *local_type,
              const char *remote_type,
              Peer       *peer)
{
  JsonBuilder *b = event_begin (peer, "connected");

  if (peer->duration_s > 0 && !peer->timing)
    {
      peer->timing = TRUE;
      g_clear_handle_id (&peer->duration_id, g_source_remove);
      peer->duration_id = g_timeout_add_seconds (peer->duration_s, on_duration_over, peer);
    }

  json_builder_set_member_name (b, "local");
  json_builder_add_string_value (b, local_type);
  json_builder_set_member_name (b, "remote");
  json_builder_add_string_value (b, remote_type);
  event_end (b);
}

static void
on_first_frame (RpSession  *session,
                const char *kind,
                gint64      ms,
                Peer       *peer)
{
  JsonBuilder *b = event_begin (peer, "first-frame");

  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  json_builder_set_member_name (b, "ms");
  json_builder_add_int_value (b, ms);
  event_end (b);
}

static void
on_audio_level (RpSession *session,
                double     hz,
                Peer      *peer)
{
  g_autoptr(GString) line = line_begin (peer, "audio-level");

  if (hz < 0)
    g_string_append (line, ",\"hz\":null");
  else
    append_number (line, "hz", hz);
  print_line (line);
}

/* Beyond the contract's stats fields (added, none renamed): the level meters, dB RMS of what
 * this side sends and of what it plays, -100 for silence. */
static void
append_levels (GString   *line,
               RpSession *session)
{
  double input_db;
  double output_db;

  g_object_get (session, "input-level", &input_db, "output-level", &output_db, NULL);
  append_number (line, "input_db", input_db);
  append_number (line, "output_db", output_db);
}

static void
on_stats (RpSession   *session,
          RpCallStats *stats,
          Peer        *peer)
{
  g_autoptr(GString) line = line_begin (peer, "stats");

  append_number (line, "rtt_ms", stats->rtt_ms);
  append_number (line, "loss_pct", stats->loss_pct);
  append_number (line, "jitter_ms", stats->jitter_ms);
  append_number (line, "send_kbps", stats->send_kbps);
  append_number (line, "recv_kbps", stats->recv_kbps);
  g_string_append_printf (line, ",\"width\":%d,\"height\":%d", stats->width, stats->height);
  append_number (line, "fps", stats->fps);
  append_levels (line, session);
  print_line (line);
}

/* Beyond the contract's events (readers ignore unknown ones): a device in use vanished and the
 * call went on with the default one (to: null when there is none). */
static void
on_device_fallback (RpSession  *session,
                    const char *kind,
                    const char *from,
                    const char *to,
                    Peer       *peer)
{
  JsonBuilder *b = event_begin (peer, "device-fallback");

  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from != NULL ? from : "");
  json_builder_set_member_name (b, "to");
  if (to != NULL)
    json_builder_add_string_value (b, to);
  else
    json_builder_add_null_value (b);
  event_end (b);
}

static void
on_notify_code (RpSession  *session,
                GParamSpec *pspec,
                Peer       *peer)
{
  g_autofree char *code = NULL;

  g_object_get (session, "verification-code", &code, NULL);
  if (code != NULL)
    event_string (peer, "verification", "code", code);
}

static void
on_error (RpSession    *session,
          const GError *error,
          Peer         *peer)
{
  peer->failed = TRUE;
  event_string (peer, "error", "message", error->message);
}

static void
on_ended (RpSession  *session,
          const char *reason,
          Peer       *peer)
{
  const char *why = peer->failed ? "error" : peer->end_reason != NULL ? peer->end_reason : reason;

  event_string (peer, "ended", "reason", why);
  peer->exit_status = peer->failed ? EXIT_FAILURE : EXIT_SUCCESS;
  g_main_loop_quit (peer->loop);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Peer *peer = user_data;

  if (peer->end_reason == NULL)
    peer->end_reason = "interrupted";
  if (rp_session_get_state (peer->session) == RP_SESSION_STATE_IDLE)
    g_main_loop_quit (peer->loop);
  else
    rp_session_hang_up (peer->session);
  return G_SOURCE_CONTINUE;
}

/* ---- setup ------------------------------------------------------------------------------- */

static void
connect_events (Peer *peer)
{
  RpSession *s = peer->session;

  g_signal_connect (s, "notify::link", G_CALLBACK (on_notify_link), peer);
  g_signal_connect (s, "notify::state", G_CALLBACK (on_notify_state), peer);
  g_signal_connect (s, "notify::verification-code", G_CALLBACK (on_notify_code), peer);
  g_signal_connect (s, "peer-joined", G_CALLBACK (on_peer_joined), peer);
  g_signal_connect (s, "peer-left", G_CALLBACK (on_peer_left), peer);
  g_signal_connect (s, "peer-reconnecting", G_CALLBACK (on_peer_reconnecting), peer);
  g_signal_connect (s, "reconnecting", G_CALLBACK (on_reconnecting), peer);
  g_signal_connect (s, "reconnected", G_CALLBACK (on_reconnected), peer);
  g_signal_connect (s, "connected", G_CALLBACK (on_connected), peer);
  g_signal_connect (s, "first-frame", G_CALLBACK (on_first_frame), peer);
  g_signal_connect (s, "audio-level", G_CALLBACK (on_audio_level), peer);
  g_signal_connect (s, "stats", G_CALLBACK (on_stats), peer);
  g_signal_connect (s, "error", G_CALLBACK (on_error), peer);
  g_signal_connect (s, "device-fallback", G_CALLBACK (on_device_fallback), peer);
  g_signal_connect (s, "ended", G_CALLBACK (on_ended), peer);
}

static void
list_devices (void)
{
  static const char *classes[] = {
    RP_MEDIA_CLASS_CAMERA, RP_MEDIA_CLASS_MICROPHONE, RP_MEDIA_CLASS_SPEAKER,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      GList *devices = rp_media_list_devices (classes[i]);

      for (GList *l = devices; l != NULL; l = l->next)
        {
          g_autofree char *name = gst_device_get_display_name (l->data);
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;
          g_autofree char *text = NULL;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "class");
          json_builder_add_string_value (b, classes[i]);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, name);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          text = json_to_string (root, FALSE);
          g_print ("%s\n", text);
        }
      g_list_free_full (devices, gst_object_unref);
    }
}

static gboolean
start_embedded_server (Peer               *peer,
                       guint               port,
                       int                 grace,
                       const char * const *allow_origins,
                       GError            **error)
{
  peer->server = rp_server_new ();
  g_object_set (peer->server, "bind-address", "127.0.0.1", "port", port, NULL);
  /* A browser page (the web client) joins a room this peer hosts only from an origin the
   * user named, as with rapport-server --allow-origin. */
  if (allow_origins != NULL)
    g_object_set (peer->server, "allow-origins", allow_origins, NULL);
  if (grace >= 0)
    g_object_set (peer->server, "grace-seconds", (guint) grace, NULL);
  if (!rp_server_start (peer->server, error))
    return FALSE;
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  gboolean host = FALSE;
  gboolean audio_only = FALSE;
  gboolean relay_only = FALSE;
  gboolean show_devices = FALSE;
  int port = 0;
  int grace = -1;
  g_autofree char *server = NULL;
  int duration = 0;
  g_autofree char *name = NULL;
  g_autofree char *video = NULL;
  g_autofree char *audio = NULL;
  g_autofree char *speaker = NULL;
  g_auto(GStrv) rest = NULL;
  g_auto(GStrv) allow_origins = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  Peer peer = { 0 };
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_NONE, &host,
      "Start an embedded rendezvous server on 127.0.0.1, create a room and print its link", NULL },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port of the embedded server (default: any free)",
      "N" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      "With --host: create the room on this running rendezvous server instead of an embedded "
      "one", "HOST:PORT" },
    { "grace", 0, 0, G_OPTION_ARG_INT, &grace,
      "With --host: seconds the embedded server holds a dropped seat (default 10)", "SECONDS" },
    { "allow-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allow_origins,
      "With --host: the embedded server also accepts browser pages from this Origin "
      "(repeatable; '*' = any; other origins get HTTP 403)", "ORIGIN" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name shown to the other side", "NAME" },
    { "audio-only", 0, 0, G_OPTION_ARG_NONE, &audio_only, "A call without video", NULL },
    { "relay-only", 0, 0, G_OPTION_ARG_NONE, &relay_only,
      "Connect only through the TURN servers the rendezvous server hands out (an error when "
      "no relay can be allocated)", NULL },
    { "duration", 0, 0, G_OPTION_ARG_INT, &duration,
      "Hang up this many seconds after the call connected (0: when the other side leaves, or "
      "Ctrl-C)",
      "SECONDS" },
    { "video", 0, 0, G_OPTION_ARG_STRING, &video,
      "test (a test pattern), none, or a camera's name (default: the default camera)",
      "test|none|DEVICE" },
    { "audio", 0, 0, G_OPTION_ARG_STRING, &audio,
      "test (a 440 Hz sine), test:FREQ_HZ, none, or a microphone's name (default: the default "
      "microphone)", "test[:FREQ_HZ]|none|DEVICE" },
    { "audio-sink", 0, 0, G_OPTION_ARG_STRING, &speaker,
      "Where received audio is played: a speaker's name, or none (default: the default "
      "speaker, else none)", "DEVICE|none" },
    { "list-devices", 0, 0, G_OPTION_ARG_NONE, &show_devices,
      "Print the cameras, microphones and speakers found, one JSON object per line", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "LINK" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* stdout carries only the JSON lines; GLib would print debug and info messages there. */
  g_log_writer_default_set_use_stderr (TRUE);
  peer.t0_us = g_get_monotonic_time ();
  context = g_option_context_new ("[LINK] — a headless Rapport call");
  g_option_context_set_summary (context,
    "Joins the room of a rapport:// link (or hosts one with --host) and reports the call as\n"
    "JSON lines on stdout: ready, joined, peer-joined, connected, first-frame, audio-level,\n"
    "verification, stats, peer-left, error, ended; and reconnecting, reconnected,\n"
    "peer-reconnecting when a signaling connection drops (the call goes on).");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  g_option_context_add_group (context, rp_peer_docs_get_option_group ());
  g_option_context_add_group (context, rp_peer_schedule_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("rapport-peer: %s\n", error->message);
      return 2;
    }
  if (show_devices)
    {
      list_devices ();
      return EXIT_SUCCESS;
    }
  if (host == (rest != NULL && rest[0] != NULL) || (rest != NULL && g_strv_length (rest) > 1)
      || (server != NULL && !host) || duration < 0 || port < 0 || port > 65535)
    {
      g_printerr ("rapport-peer: give either --host or one LINK (see --help)\n");
      return 2;
    }
  if (allow_origins != NULL && (!host || server != NULL))
    {
      g_printerr ("rapport-peer: --allow-origin is for the embedded server of --host\n");
      return 2;
    }

  peer.loop = g_main_loop_new (NULL, FALSE);
  peer.duration_s = (guint) duration;
  peer.exit_status = EXIT_FAILURE;
  peer.session = rp_session_new ();
  g_object_set (peer.session,
                "name", name != NULL ? name : (host ? "host" : "guest"),
                "audio-only", audio_only,
                "relay-only", relay_only,
                "video-source", video,
                "audio-source", audio,
                "audio-sink", speaker,
                NULL);
  if (!rp_peer_docs_setup (peer.session, peer.t0_us, &error))
    {
      g_printerr ("rapport-peer: %s\n", error->message);
      return 2;
    }
  if (!rp_peer_schedule_setup (peer.session, peer.t0_us, &error))
    {
      g_printerr ("rapport-peer: %s\n", error->message);
      return 2;
    }
  connect_events (&peer);
  g_unix_signal_add (SIGINT, on_interrupt, &peer);
  g_unix_signal_add (SIGTERM, on_interrupt, &peer);

  if (host)
    {
      g_autofree char *host_port = g_strdup (server);

      if (host_port == NULL)
        {
          if (!start_embedded_server (&peer, (guint) port, grace,
                                      (const char * const *) allow_origins, &error))
            {
              event_string (&peer, "error", "message", error->message);
              event_string (&peer, "ended", "reason", "error");
              return EXIT_FAILURE;
            }
          host_port = g_strdup_printf ("127.0.0.1:%u", rp_server_get_port (peer.server));
        }
      rp_session_host (peer.session, host_port, FALSE);
    }
  else if (!rp_session_join_link (peer.session, rest[0], &error))
    {
      event_string (&peer, "error", "message", error->message);
      event_string (&peer, "ended", "reason", "error");
      return EXIT_FAILURE;
    }

  g_main_loop_run (peer.loop);

  g_clear_handle_id (&peer.duration_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (peer.session, &peer);
  g_clear_object (&peer.session);
  if (peer.server != NULL)
    {
      rp_server_stop (peer.server);
      g_clear_object (&peer.server);
    }
  g_main_loop_unref (peer.loop);
  rp_media_warm_up_wait ();
  return peer.exit_status;
}
