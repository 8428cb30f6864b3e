/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rapport-server: the standalone rendezvous server. Options override the config file.
 */
#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "rp-server.h"

#define DEFAULT_WORKERS 1024u

static const char description[] =
  "The rendezvous server of Rapport: two people meet in a room and exchange the signaling of\n"
  "their peer-to-peer call over a WebSocket at /v1 (see docs/PROTOCOL.md). It never sees\n"
  "media or notes. Logs one line per event on stderr (ts=... level=... event=...).\n"
  "\n"
  "Config file (--config): a key file with a [server] group; options given on the\n"
  "command line win over it. Keys:\n"
  "  bind=ADDR                  address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)\n"
  "  port=N                     TCP port (default 8443; 0 picks a free one, logged at start)\n"
  "  public-host=HOST:PORT      address written into join links (default: the Host header of\n"
  "                             the client's request)\n"
  "  tls-cert=FILE, tls-key=FILE  PEM certificate (chain) and key: serve wss:// instead of ws://\n"
  "  allow-origin=O1;O2;...     browser origins allowed besides the server's own ('*' for any);\n"
  "                             other origins get HTTP 403; clients without Origin are accepted\n"
  "  grace=SECONDS              how long a dropped participant's seat is held (default 10)\n"
  "  ice-server=URL1;URL2;...   stun:/stuns:/turn:/turns: URLs handed to clients (default none)\n"
  "  turn-secret=SECRET         coturn static-auth-secret: TURN URLs get credentials\n"
  "                             'EXPIRY:CLIENTID' / base64(HMAC-SHA1(secret, username))\n"
  "  turn-ttl=SECONDS           lifetime of TURN credentials (default 86400)\n"
  "  max-rooms=N                rooms at once (default 10000); more: error server-full\n"
  "  max-connections=N          connections at once (default 20000); more: server-full, close\n"
  "  rate-limit=N               messages per second per connection, sustained (default 40, min\n"
  "                             20); over it the connection is closed with 1008\n"
  "  rate-burst=N               messages at once per connection (default 100, min 50)\n"
  "  keepalive-interval=SECONDS WebSocket ping interval (default 20; 0 = none)\n"
  "  idle-timeout=SECONDS       close a connection that sent nothing, not even a pong, for this\n"
  "                             long (default 60)\n"
  "  workers=N                  at most this many threads own the connections, one per 16\n"
  "                             (default 1024; 0 = all on the main thread). GLib's main loop\n"
  "                             looks at every connection it holds on every wakeup, so\n"
  "                             thousands of them need many small loops\n"
  "\n"
  "Example:\n"
  "  [server]\n"
  "  bind=0.0.0.0\n"
  "  port=8443\n"
  "  public-host=rapport.example.org:8443\n"
  "  ice-server=stun:turn.example.org:3478;turn:turn.example.org:3478?transport=udp\n"
  "  turn-secret=change-me\n";

typedef struct {
  char   *config;
  char   *bind;
  int     port;
  char   *public_host;
  char   *tls_cert;
  char   *tls_key;
  char  **allow_origins;
  int     grace;
  char  **ice_servers;
  char   *turn_secret;
} Options;

static void
options_clear (Options *options)
{
  g_free (options->config);
  g_free (options->bind);
  g_free (options->public_host);
  g_free (options->tls_cert);
  g_free (options->tls_key);
  g_strfreev (options->allow_origins);
  g_strfreev (options->ice_servers);
  g_free (options->turn_secret);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static GLogWriterOutput
write_log_line (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *ts = NULL;
  const char *message = "";
  const char *level_name;

  if (level & G_LOG_LEVEL_DEBUG)
    return g_log_writer_default (level, fields, n_fields, user_data);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
        message = fields[i].value;
    }
  level_name = (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) ? "error"
             : (level & G_LOG_LEVEL_WARNING) ? "warning" : "info";
  now = g_date_time_new_now_utc ();
  ts = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  /* Milliseconds are enough and keep lines short: cut the microseconds' last three digits. */
  if (ts != NULL && strlen (ts) > 24)
    memmove (ts + 23, ts + 26, 2);
  fprintf (stderr, "ts=%s level=%s %s\n", ts ? ts : "-", level_name, message);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
apply_tls (RpServer  *server,
           Options   *options,
           GError   **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (options->tls_cert == NULL && options->tls_key == NULL)
    return TRUE;
  if (options->tls_cert == NULL || options->tls_key == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--tls-cert and --tls-key go together");
      return FALSE;
    }
  certificate = g_tls_certificate_new_from_files (options->tls_cert, options->tls_key, error);
  if (certificate == NULL)
    return FALSE;
  g_object_set (server, "tls-certificate", certificate, NULL);
  return TRUE;
}

static gboolean
apply_options (RpServer  *server,
               Options   *options,
               GError   **error)
{
  if (options->config != NULL && !rp_server_load_config (server, options->config, error))
    return FALSE;
  if (options->port < -1 || options->port > 65535)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--port must be 0 to 65535");
      return FALSE;
    }
  if (options->grace < -1 || options->grace > 3600)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--grace must be 0 to 3600 seconds");
      return FALSE;
    }
  if (options->bind)
    g_object_set (server, "bind-address", options->bind, NULL);
  if (options->port >= 0)
    g_object_set (server, "port", (guint) options->port, NULL);
  if (options->public_host)
    g_object_set (server, "public-host", options->public_host, NULL);
  if (options->allow_origins)
    g_object_set (server, "allow-origins", options->allow_origins, NULL);
  if (options->grace >= 0)
    g_object_set (server, "grace-seconds", (guint) options->grace, NULL);
  if (options->ice_servers)
    g_object_set (server, "ice-servers", options->ice_servers, NULL);
  if (options->turn_secret)
    g_object_set (server, "turn-secret", options->turn_secret, NULL);
  return apply_tls (server, options, error);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_auto(Options) options = { .port = -1, .grace = -1 };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &options.config,
      "Read settings from a key file (keys below)", "FILE" },
    { "bind", 'b', 0, G_OPTION_ARG_STRING, &options.bind,
      "IP address to listen on (default 127.0.0.1)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options.port,
      "TCP port to listen on (default 8443; 0 = a free one, logged as port=N)", "N" },
    { "public-host", 0, 0, G_OPTION_ARG_STRING, &options.public_host,
      "HOST:PORT written into join links (default: the client's Host header)", "HOST:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_cert,
      "PEM certificate for wss:// (needs --tls-key)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_key,
      "PEM private key of --tls-cert", "FILE" },
    { "allow-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.allow_origins,
      "Also accept browsers from this Origin (repeatable; '*' = any)", "ORIGIN" },
    { "grace", 'g', 0, G_OPTION_ARG_INT, &options.grace,
      "Seconds a dropped participant's seat is held (default 10)", "SECONDS" },
    { "ice-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.ice_servers,
      "STUN/TURN URL handed to clients (repeatable)", "URL" },
    { "turn-secret", 0, 0, G_OPTION_ARG_STRING, &options.turn_secret,
      "coturn static-auth-secret for minting TURN credentials", "SECRET" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- Rapport rendezvous server");
  g_autoptr(GError) error = NULL;
  g_autoptr(RpServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("rapport-server: %s\nTry rapport-server --help\n", error->message);
      return 2;
    }
  g_log_set_writer_func (write_log_line, NULL, NULL);

  server = rp_server_new ();
  /* Standalone, the server expects thousands of connections: spread them over threads. */
  g_object_set (server, "port", 8443u, "workers", DEFAULT_WORKERS, NULL);
  if (!apply_options (server, &options, &error) || !rp_server_start (server, &error))
    {
      g_printerr ("rapport-server: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);
  rp_server_stop (server);
  return 0;
}
