/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real calls between real processes: a rapport-server and rapport-peer processes on loopback
 * with test sources, checked through the JSON lines PROTOCOL.md fixes.
 */
#define _GNU_SOURCE   /* unshare */
#include "config.h"

#include "rp-test-peer.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#define WAIT_S 40

/* Whether this process (and so every child) runs in a network namespace of its own, with
 * only loopback: see enter_private_network. */
static gboolean private_network;

typedef RpTestProc Proc;

typedef struct {
  GSubprocess *server;
  char *server_host_port;
  GPtrArray *procs;
  GSubprocess *coturn;
  gboolean no_coturn;
} Fixture;

/* How the fixture's server runs. With server_secret, a real coturn (use-auth-secret) runs on
 * loopback and the rendezvous server is given server_secret, which is coturn's unless the test
 * wants it wrong. grace_s: the server's grace (0: 3 s, short, so that timeouts come soon). */
typedef struct {
  const char *server_secret;
  guint       grace_s;
} TurnSetup;

#define TURN_SECRET "north-wind-blows"
#define TURN_IP "10.99.0.1"   /* inside the test's own network namespace */

/* Children die with the test, even when an assertion aborts it mid-call. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Proc *
spawn (Fixture     *f,
       const char  *label,
       const char **argv)
{
  Proc *p = rp_test_proc_spawnv (label, argv);

  g_ptr_array_add (f->procs, p);
  return p;
}

static Proc *
spawn_peer (Fixture    *f,
            const char *label,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  va_list ap;
  const char *arg;
  Proc *p;

  g_ptr_array_add (argv, g_build_filename (rp_test_build_dir (), "src", "peer", "rapport-peer", NULL));
  va_start (ap, label);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  p = spawn (f, label, (const char **) argv->pdata);
  return p;
}

#define WAIT_FOR RP_TEST_WAIT_FOR

static JsonObject *
find_first_frame (Proc       *p,
                  const char *kind,
                  guint       nth)
{
  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (p->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""),
                     "first-frame") == 0
          && g_strcmp0 (json_object_get_string_member_with_default (o, "kind", ""), kind) == 0
          && nth-- == 0)
        return o;
    }
  return NULL;
}

static gboolean
heard (Proc  *p,
       double hz)
{
  return rp_test_proc_heard_since (p, 0, hz);
}

static const char *
event_string (Proc       *p,
              const char *event,
              const char *key)
{
  JsonObject *o = rp_test_proc_find (p, event, 0);

  return o != NULL ? json_object_get_string_member_with_default (o, key, NULL) : NULL;
}

static guint
free_udp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (TURN_IP);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (address, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* coturn in the test's namespace, no config file, relaying between the peers on this host. */
static GSubprocess *
start_coturn (guint port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                               | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *port_arg = g_strdup_printf ("--listening-port=%u", port);
  const char *argv[] = {
    "turnserver", "-n", "--no-cli", "--listening-ip=" TURN_IP, port_arg,
    "--relay-ip=" TURN_IP, "--use-auth-secret", "--static-auth-secret=" TURN_SECRET,
    "--realm=rapport.test", "--no-tls", "--no-dtls", "--allow-loopback-peers",
    "--no-stdout-log", "--log-file=/dev/null", NULL
  };
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

/* coturn takes a moment to open its port, longer on a loaded machine: ask it for a STUN
 * binding (RFC 5389, no credentials needed) until it answers, so that the peers' allocations
 * do not race its start. */
static void
wait_for_coturn (guint port)
{
  static const guint8 binding[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
                                      'r', 'a', 'p', 'p', 'o', 'r', 't', '-', 't', 'e', 's', 't' };
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (TURN_IP);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (address, port);
  gboolean answered = FALSE;

  g_socket_set_timeout (socket, 1);
  for (guint attempt = 0; attempt < 20 && !answered; attempt++)
    {
      char reply[512];

      g_socket_send_to (socket, to, (const char *) binding, sizeof binding, NULL, NULL);
      answered = g_socket_receive (socket, reply, sizeof reply, NULL, NULL) >= 20;
      if (!answered)
        g_usleep (G_USEC_PER_SEC / 10);
    }
  g_assert_true (answered);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *server = g_build_filename (rp_test_build_dir (), "src", "server", "rapport-server",
                                              NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const TurnSetup *turn = data;
  g_autoptr(GDataInputStream) err = NULL;

  g_ptr_array_add (argv, g_strdup (server));
  g_ptr_array_add (argv, g_strdup ("--port=0"));
  g_ptr_array_add (argv, g_strdup ("--bind=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup_printf ("--grace=%u",
                                          turn != NULL && turn->grace_s > 0 ? turn->grace_s : 3));
  if (turn != NULL && turn->server_secret != NULL)
    {
      g_autofree char *turnserver = g_find_program_in_path ("turnserver");
      guint turn_port = free_udp_port ();

      f->no_coturn = turnserver == NULL || !private_network;
      if (!f->no_coturn)
        {
          f->coturn = start_coturn (turn_port);
          wait_for_coturn (turn_port);
        }
      g_ptr_array_add (argv, g_strdup_printf ("--ice-server=turn:" TURN_IP ":%u?transport=udp",
                                              turn_port));
      g_ptr_array_add (argv, g_strdup_printf ("--turn-secret=%s", turn->server_secret));
    }
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->procs = g_ptr_array_new ();
  f->server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The server logs its port on its first line: "... event=listening ... port=N ...". */
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (f->server));
  while (f->server_host_port == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);
      const char *port;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      port = strstr (line, " port=");
      if (strstr (line, "event=listening") != NULL && port != NULL)
        f->server_host_port = g_strdup_printf ("127.0.0.1:%d", atoi (port + 6));
    }
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  for (guint i = 0; i < f->procs->len; i++)
    {
      Proc *p = g_ptr_array_index (f->procs, i);

      if (!p->exited)
        g_subprocess_force_exit (p->proc);
      rp_test_proc_free (p);
    }
  g_ptr_array_unref (f->procs);
  g_subprocess_send_signal (f->server, SIGTERM);
  g_subprocess_wait (f->server, NULL, NULL);
  g_object_unref (f->server);
  g_free (f->server_host_port);
  if (f->coturn != NULL)
    {
      g_subprocess_send_signal (f->coturn, SIGTERM);
      g_subprocess_wait (f->coturn, NULL, NULL);
      g_clear_object (&f->coturn);
    }
}

static char *
wait_for_link (Proc *host)
{
  WAIT_FOR (rp_test_proc_find (host, "ready", 0) != NULL || host->exited, WAIT_S);
  g_assert_nonnull (rp_test_proc_find (host, "ready", 0));
  return g_strdup (event_string (host, "ready", "link"));
}

static void
test_call_both_ways (Fixture      *f,
                     gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Proc *host = spawn_peer (f, "host", "--host", "--server", f->server_host_port, "--name", "Ada",
                           "--video", "test", "--audio", "test:440", NULL);
  g_autofree char *link = wait_for_link (host);
  Proc *guest = spawn_peer (f, "guest", link, "--name", "Grace", "--video", "test", "--audio",
                            "test:880", "--duration", "5", NULL);
  JsonObject *joined;

  g_assert_true (g_str_has_prefix (link, "rapport://127.0.0.1:"));
  WAIT_FOR (rp_test_proc_find (host, "joined", 0) != NULL, WAIT_S);
  joined = rp_test_proc_find (host, "joined", 0);
  g_assert_nonnull (joined);
  g_assert_false (json_object_get_boolean_member (joined, "polite"));

  WAIT_FOR (guest->exited && host->exited, WAIT_S);
  g_assert_true (guest->exited);
  g_assert_true (host->exited);

  g_assert_cmpstr (event_string (host, "peer-joined", "name"), ==, "Grace");
  g_assert_cmpstr (event_string (guest, "peer-joined", "name"), ==, "Ada");
  g_assert_true (json_object_get_boolean_member (rp_test_proc_find (guest, "joined", 0), "polite"));
  g_assert_cmpstr (event_string (host, "connected", "local"), ==, "host");
  g_assert_nonnull (find_first_frame (host, "video", 0));
  g_assert_nonnull (find_first_frame (host, "audio", 0));
  g_assert_nonnull (find_first_frame (guest, "video", 0));
  g_assert_nonnull (find_first_frame (guest, "audio", 0));
  /* Each side hears the other's tone, not its own. */
  g_assert_true (heard (host, 880.0));
  g_assert_true (heard (guest, 440.0));
  g_assert_false (heard (host, 440.0));
  g_assert_nonnull (event_string (host, "verification", "code"));
  g_assert_cmpuint (strlen (event_string (host, "verification", "code")), ==, 6);
  g_assert_cmpstr (event_string (host, "verification", "code"), ==,
                   event_string (guest, "verification", "code"));
  g_assert_nonnull (rp_test_proc_find (guest, "stats", 1));
  /* The guest hangs up when its duration ends; the host, told by the server, ends too. */
  g_assert_cmpstr (event_string (guest, "ended", "reason"), ==, "duration");
  g_assert_cmpstr (event_string (host, "peer-left", "reason"), ==, "bye");
  g_assert_cmpstr (event_string (host, "ended", "reason"), ==, "peer-left");
  g_assert_cmpint (guest->status, ==, 0);
  g_assert_cmpint (host->status, ==, 0);
  g_source_remove (ticker);
}

static double stats_mean_since (Proc *p, const char *key, gint64 since_ms, guint *count);

static void
test_audio_only (Fixture      *f,
                 gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Proc *host = spawn_peer (f, "host", "--host", "--server", f->server_host_port, "--audio-only",
                           "--audio", "test:660", NULL);
  g_autofree char *link = wait_for_link (host);
  Proc *guest = spawn_peer (f, "guest", link, "--audio-only", "--audio", "test:330",
                            "--duration", "5", NULL);

  WAIT_FOR (guest->exited && host->exited, WAIT_S);
  g_assert_true (guest->exited && host->exited);
  g_assert_nonnull (find_first_frame (host, "audio", 0));
  g_assert_nonnull (find_first_frame (guest, "audio", 0));
  g_assert_null (find_first_frame (host, "video", 0));
  g_assert_null (find_first_frame (guest, "video", 0));
  g_assert_true (heard (host, 330.0));
  g_assert_true (heard (guest, 660.0));
  /* The level meters in the stats: each side's tone, sent and played, far above silence. */
  {
    guint n = 0;
    JsonObject *connected = rp_test_proc_find (host, "connected", 0);
    gint64 since = json_object_get_int_member (connected, "t_ms") + 2000;

    g_assert_cmpfloat (stats_mean_since (host, "input_db", since, &n), >, -30.0);
    g_assert_cmpfloat (stats_mean_since (host, "output_db", since, &n), >, -30.0);
    g_assert_cmpuint (n, >=, 1);
  }
  g_assert_cmpstr (event_string (host, "verification", "code"), ==,
                   event_string (guest, "verification", "code"));
  g_assert_cmpint (guest->status, ==, 0);
  g_assert_cmpint (host->status, ==, 0);
  g_source_remove (ticker);
}

/* The mean of key over the process's stats events from t_ms >= since_ms on; -1 if none. */
static double
stats_mean_since (Proc       *p,
                  const char *key,
                  gint64      since_ms,
                  guint      *count)
{
  double sum = 0.0;

  *count = 0;
  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (p->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), "stats") != 0
          || json_object_get_int_member_with_default (o, "t_ms", 0) < since_ms)
        continue;
      sum += json_object_get_double_member_with_default (o, key, 0.0);
      (*count)++;
    }
  return *count > 0 ? sum / *count : -1.0;
}

/* An audio-only joiner says so in media-state (want-video: false): the video host stops
 * encoding and sending video without a renegotiation, and the tones still go both ways. */
static void
test_audio_only_joiner_stops_host_video (Fixture      *f,
                                         gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Proc *host = spawn_peer (f, "host", "--host", "--server", f->server_host_port,
                           "--video", "test", "--audio", "test:440", NULL);
  g_autofree char *link = wait_for_link (host);
  Proc *guest = spawn_peer (f, "guest", link, "--audio-only", "--audio", "test:880",
                            "--duration", "7", NULL);
  JsonObject *connected;
  guint n = 0;
  double send_kbps;

  WAIT_FOR (guest->exited && host->exited, WAIT_S);
  g_assert_true (guest->exited && host->exited);
  g_assert_true (heard (host, 880.0));
  g_assert_true (heard (guest, 440.0));
  g_assert_null (find_first_frame (guest, "video", 0));
  connected = rp_test_proc_find (host, "connected", 0);
  g_assert_nonnull (connected);
  /* From 3 s after connecting (the channel is open by then), the host sends the audio stream
   * alone: Opus at 32 kbit/s plus headers, where its video alone is ~1000 kbit/s. */
  send_kbps = stats_mean_since (host, "send_kbps",
                                json_object_get_int_member (connected, "t_ms") + 3000, &n);
  g_test_message ("host send_kbps with an audio-only joiner: %.1f (%u stats)", send_kbps, n);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpfloat (send_kbps, >, 5.0);
  g_assert_cmpfloat (send_kbps, <, 120.0);
  g_assert_cmpint (guest->status, ==, 0);
  g_assert_cmpint (host->status, ==, 0);
  g_source_remove (ticker);
}

static void
test_killed_peer_frees_seat (Fixture      *f,
                             gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Proc *host = spawn_peer (f, "host", "--host", "--server", f->server_host_port,
                           "--video", "test", "--audio", "test:440", "--duration", "60", NULL);
  g_autofree char *link = wait_for_link (host);
  Proc *first = spawn_peer (f, "first", link, "--video", "test", "--audio", "test:880", NULL);
  Proc *second;
  JsonObject *left;

  WAIT_FOR (find_first_frame (host, "video", 0) != NULL, WAIT_S);
  g_assert_nonnull (find_first_frame (host, "video", 0));
  g_subprocess_send_signal (first->proc, SIGKILL);

  /* The server's grace here is 3 s; peer-left comes once it has passed. */
  WAIT_FOR (rp_test_proc_find (host, "peer-left", 0) != NULL, 3 + 10);
  left = rp_test_proc_find (host, "peer-left", 0);
  g_assert_nonnull (left);
  g_assert_cmpstr (json_object_get_string_member (left, "reason"), ==, "timeout");
  g_assert_false (host->exited);

  second = spawn_peer (f, "second", link, "--video", "test", "--audio", "test:550", NULL);
  WAIT_FOR (find_first_frame (host, "video", 1) != NULL
            && find_first_frame (second, "video", 0) != NULL && heard (host, 550.0), WAIT_S);
  g_assert_cmpstr (json_object_get_string_member (rp_test_proc_find (host, "peer-joined", 1), "name"),
                   ==, "guest");
  g_assert_nonnull (find_first_frame (host, "video", 1));
  g_assert_nonnull (find_first_frame (second, "video", 0));
  g_assert_true (heard (host, 550.0));

  /* Ctrl-C on the host: it says bye, the second peer (no --duration) ends on peer-left. */
  g_subprocess_send_signal (host->proc, SIGINT);
  WAIT_FOR (host->exited && second->exited, WAIT_S);
  g_assert_cmpstr (event_string (host, "ended", "reason"), ==, "interrupted");
  g_assert_cmpint (host->status, ==, 0);
  g_assert_cmpstr (event_string (second, "ended", "reason"), ==, "peer-left");
  g_assert_cmpint (second->status, ==, 0);
  g_source_remove (ticker);
}

/* webrtcbin 1.22 has no consent freshness: a peer that stops answering (here: stopped, its
 * connections open) must be noticed by the lack of media and heartbeats, and the call rebuilt
 * once it answers again. */
static void
test_frozen_peer_call_rebuilt (Fixture      *f,
                               gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Proc *host = spawn_peer (f, "host", "--host", "--server", f->server_host_port,
                           "--video", "test", "--audio", "test:440", "--duration", "60", NULL);
  g_autofree char *link = wait_for_link (host);
  Proc *guest = spawn_peer (f, "guest", link, "--video", "test", "--audio", "test:880", NULL);
  gint64 until;

  WAIT_FOR (find_first_frame (host, "video", 0) != NULL
            && find_first_frame (guest, "video", 0) != NULL, WAIT_S);
  g_assert_nonnull (find_first_frame (guest, "video", 0));
  g_subprocess_send_signal (guest->proc, SIGSTOP);
  until = g_get_monotonic_time () + 9 * G_USEC_PER_SEC;
  WAIT_FOR (g_get_monotonic_time () > until, 10);
  g_subprocess_send_signal (guest->proc, SIGCONT);

  WAIT_FOR (find_first_frame (host, "video", 1) != NULL
            && find_first_frame (guest, "video", 1) != NULL, WAIT_S);
  g_assert_nonnull (rp_test_proc_find (host, "connected", 1));
  g_assert_nonnull (find_first_frame (host, "video", 1));
  g_assert_nonnull (find_first_frame (guest, "video", 1));
  g_assert_null (rp_test_proc_find (host, "peer-left", 0));

  g_subprocess_send_signal (host->proc, SIGINT);
  WAIT_FOR (host->exited && guest->exited, WAIT_S);
  g_assert_cmpint (host->status, ==, 0);
  g_assert_cmpint (guest->status, ==, 0);
  g_source_remove (ticker);
}

static void
test_bad_link (Fixture      *f,
               gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Proc *peer = spawn_peer (f, "peer", "rapport://127.0.0.1/no-port", NULL);

  WAIT_FOR (peer->exited && peer->eof, WAIT_S);
  g_assert_true (peer->exited);
  g_assert_cmpint (peer->status, !=, 0);
  g_assert_nonnull (event_string (peer, "error", "message"));
  g_assert_cmpstr (event_string (peer, "ended", "reason"), ==, "error");
  g_source_remove (ticker);
}

static void
test_unknown_room (Fixture      *f,
                   gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  g_autofree char *link = g_strdup_printf ("rapport://%s/AAAAAAAAAAAAAAAAAAAAAA",
                                           f->server_host_port);
  Proc *peer = spawn_peer (f, "peer", link, "--video", "none", "--audio", "none", NULL);

  WAIT_FOR (peer->exited && peer->eof, WAIT_S);
  g_assert_true (peer->exited);
  g_assert_cmpint (peer->status, !=, 0);
  g_assert_nonnull (strstr (event_string (peer, "error", "message"), "room"));
  g_assert_cmpstr (event_string (peer, "ended", "reason"), ==, "error");
  g_source_remove (ticker);
}

/* Both peers relay-only through a real coturn, with the credentials the rendezvous server
 * minted: the call connects relay to relay and carries video and both tones. */
static void
test_relay_only_call (Fixture      *f,
                      gconstpointer data)
{
  guint ticker;
  Proc *host, *guest;
  g_autofree char *link = NULL;

  if (f->no_coturn)
    {
      g_test_skip ("needs coturn (apt-get install coturn), iproute2 and user namespaces");
      return;
    }
  ticker = g_timeout_add (100, rp_test_ticker, NULL);
  host = spawn_peer (f, "host", "--host", "--server", f->server_host_port, "--relay-only",
                     "--video", "test", "--audio", "test:440", NULL);
  link = wait_for_link (host);
  guest = spawn_peer (f, "guest", link, "--relay-only", "--video", "test", "--audio", "test:880",
                      "--duration", "4", NULL);

  WAIT_FOR (guest->exited && host->exited, WAIT_S);
  g_assert_true (guest->exited && host->exited);
  g_assert_null (rp_test_proc_find (host, "error", 0));
  g_assert_null (rp_test_proc_find (guest, "error", 0));
  g_assert_cmpstr (event_string (host, "connected", "local"), ==, "relay");
  g_assert_cmpstr (event_string (host, "connected", "remote"), ==, "relay");
  g_assert_cmpstr (event_string (guest, "connected", "local"), ==, "relay");
  g_assert_cmpstr (event_string (guest, "connected", "remote"), ==, "relay");
  g_assert_nonnull (find_first_frame (host, "video", 0));
  g_assert_nonnull (find_first_frame (guest, "video", 0));
  g_assert_true (heard (host, 880.0));
  g_assert_true (heard (guest, 440.0));
  g_assert_cmpint (guest->status, ==, 0);
  g_assert_cmpint (host->status, ==, 0);
  g_source_remove (ticker);
}

/* The rendezvous server mints credentials with a secret coturn does not share: no relay can be
 * allocated, and relay-only peers must say so and end, not wait for a call that cannot come. */
static void
test_wrong_turn_secret (Fixture      *f,
                        gconstpointer data)
{
  guint ticker;
  Proc *host, *guest;
  g_autofree char *link = NULL;

  if (f->no_coturn)
    {
      g_test_skip ("needs coturn (apt-get install coturn), iproute2 and user namespaces");
      return;
    }
  ticker = g_timeout_add (100, rp_test_ticker, NULL);
  host = spawn_peer (f, "host", "--host", "--server", f->server_host_port, "--relay-only",
                     "--video", "test", "--audio", "test:440", NULL);
  link = wait_for_link (host);
  guest = spawn_peer (f, "guest", link, "--relay-only", "--video", "test", "--audio", "test:880",
                      NULL);

  WAIT_FOR (guest->exited && host->exited, 20);
  g_assert_true (host->exited);
  g_assert_true (guest->exited);
  g_assert_nonnull (strstr (event_string (host, "error", "message"), "TURN"));
  g_assert_nonnull (strstr (event_string (guest, "error", "message"), "TURN"));
  g_assert_cmpstr (event_string (host, "ended", "reason"), ==, "error");
  g_assert_cmpstr (event_string (guest, "ended", "reason"), ==, "error");
  g_assert_null (rp_test_proc_find (host, "connected", 0));
  g_assert_cmpint (host->status, !=, 0);
  g_assert_cmpint (guest->status, !=, 0);
  g_source_remove (ticker);
}

/* ---- a TCP forwarder the test owns, between the peers and the server ------------------- */

/* Cutting its connections is what a lost network does to a WebSocket, without touching the
 * server: the seats stay held, as they would for a real drop. */
typedef struct {
  GSocketService *service;
  guint16         port;
  guint16         target_port;
  gboolean        refusing;
  GPtrArray      *streams;     /* GIOStream: accepted and upstream, in pairs */
} Forwarder;

typedef struct {
  Forwarder         *fwd;
  GSocketConnection *downstream;
} PendingLink;

static void
on_spliced (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
on_upstream (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  PendingLink *link = user_data;
  g_autoptr(GSocketConnection) up =
    g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, NULL);

  if (up != NULL && !link->fwd->refusing)
    {
      g_ptr_array_add (link->fwd->streams, g_object_ref (link->downstream));
      g_ptr_array_add (link->fwd->streams, g_object_ref (up));
      g_io_stream_splice_async (G_IO_STREAM (link->downstream), G_IO_STREAM (up),
                                G_IO_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, NULL,
                                on_spliced, NULL);
    }
  else
    g_io_stream_close (G_IO_STREAM (link->downstream), NULL, NULL);
  g_object_unref (link->downstream);
  g_free (link);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             Forwarder         *fwd)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  PendingLink *link;

  if (fwd->refusing)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  link = g_new0 (PendingLink, 1);
  link->fwd = fwd;
  link->downstream = g_object_ref (connection);
  g_socket_client_connect_to_host_async (client, "127.0.0.1", fwd->target_port, NULL,
                                         on_upstream, link);
  return TRUE;
}

static Forwarder *
forwarder_new (const char *target_host_port)
{
  Forwarder *fwd = g_new0 (Forwarder, 1);
  g_autoptr(GError) error = NULL;

  fwd->target_port = (guint16) atoi (strrchr (target_host_port, ':') + 1);
  fwd->streams = g_ptr_array_new_with_free_func (g_object_unref);
  fwd->service = g_socket_service_new ();
  fwd->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (fwd->service), NULL,
                                                   &error);
  g_assert_no_error (error);
  g_signal_connect (fwd->service, "incoming", G_CALLBACK (on_incoming), fwd);
  return fwd;
}

/* Closes the first count connection pairs it carries (all, for G_MAXUINT). */
static void
forwarder_cut (Forwarder *fwd,
               guint      first,
               guint      count)
{
  for (guint i = 2 * first; i < fwd->streams->len && i < 2 * (first + count); i++)
    g_io_stream_close (g_ptr_array_index (fwd->streams, i), NULL, NULL);
}

static void
forwarder_free (Forwarder *fwd)
{
  forwarder_cut (fwd, 0, G_MAXUINT / 2);
  g_socket_service_stop (fwd->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fwd->service));
  g_object_unref (fwd->service);
  g_ptr_array_unref (fwd->streams);
  g_free (fwd);
}

static guint
event_index (Proc       *p,
             JsonObject *event)
{
  guint i;

  g_assert_nonnull (event);
  g_assert_true (g_ptr_array_find (p->events, event, &i));
  return i;
}

/* Stats after the from-th event that show video and audio coming in. */
static guint
live_stats_after (Proc *p,
                  guint from)
{
  guint n = 0;

  for (guint i = from; i < p->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (p->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), "stats") == 0
          && json_object_get_double_member_with_default (o, "fps", 0) > 0
          && json_object_get_double_member_with_default (o, "recv_kbps", 0) > 0)
        n++;
    }
  return n;
}

/* After a signaling interruption (events from back_h / back_g on): the same peer connection
 * still carries stats and both tones, no second "connected", no error on the host. */
static void
assert_same_call_flows_since (Proc  *host,
                              Proc  *guest,
                              guint  back_h,
                              guint  back_g)
{
  WAIT_FOR (live_stats_after (host, back_h) >= 2 && live_stats_after (guest, back_g) >= 2
            && rp_test_proc_heard_since (host, back_h, 880.0)
            && rp_test_proc_heard_since (guest, back_g, 440.0), 15);
  g_assert_cmpuint (live_stats_after (host, back_h), >=, 2);
  g_assert_cmpuint (live_stats_after (guest, back_g), >=, 2);
  g_assert_true (rp_test_proc_heard_since (host, back_h, 880.0));
  g_assert_true (rp_test_proc_heard_since (guest, back_g, 440.0));
  g_assert_null (rp_test_proc_find (host, "connected", 1));
  g_assert_null (rp_test_proc_find (guest, "connected", 1));
  g_assert_null (rp_test_proc_find (host, "error", 0));
}

/* The host hangs up; its bye reaches the guest through the server and both exit cleanly. */
static void
assert_bye_ends_both (Proc *host,
                      Proc *guest)
{
  g_subprocess_send_signal (host->proc, SIGINT);
  WAIT_FOR (host->exited && guest->exited, WAIT_S);
  g_assert_cmpstr (event_string (guest, "peer-left", "reason"), ==, "bye");
  g_assert_cmpint (host->status, ==, 0);
  g_assert_cmpint (guest->status, ==, 0);
}

/* The host's WebSocket to the server is cut: it reconnects with its client id, takes its seat
 * back, and the call (peer to peer) goes on; the guest sees it go and come back. */
static void
test_signaling_cut_call_goes_on (Fixture      *f,
                                 gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Forwarder *fwd = forwarder_new (f->server_host_port);
  g_autofree char *via = g_strdup_printf ("127.0.0.1:%u", fwd->port);
  Proc *host = spawn_peer (f, "host", "--host", "--server", via, "--video", "test",
                           "--audio", "test:440", NULL);
  g_autofree char *link = wait_for_link (host);
  Proc *guest = spawn_peer (f, "guest", link, "--video", "test", "--audio", "test:880", NULL);
  guint back_h, back_g;

  g_assert_nonnull (strstr (link, via));
  WAIT_FOR (find_first_frame (host, "video", 0) != NULL
            && find_first_frame (guest, "video", 0) != NULL, WAIT_S);
  g_assert_nonnull (find_first_frame (guest, "video", 0));
  g_assert_cmpuint (fwd->streams->len, ==, 4);

  forwarder_cut (fwd, 0, 1);   /* the host's connection, the first one */
  WAIT_FOR (rp_test_proc_find (host, "reconnected", 0) != NULL
            && rp_test_proc_find (guest, "peer-joined", 1) != NULL, 15);
  g_assert_nonnull (rp_test_proc_find (host, "reconnecting", 0));
  g_assert_nonnull (rp_test_proc_find (host, "reconnected", 0));
  g_assert_nonnull (rp_test_proc_find (guest, "peer-reconnecting", 0));
  g_assert_nonnull (rp_test_proc_find (guest, "peer-joined", 1));
  g_assert_cmpuint (event_index (guest, rp_test_proc_find (guest, "peer-reconnecting", 0)), <,
                    event_index (guest, rp_test_proc_find (guest, "peer-joined", 1)));
  g_assert_cmpstr (event_string (guest, "peer-joined", "name"), ==, "host");

  /* Media kept flowing on the same call: fresh stats with frames, no second "connected". */
  back_h = event_index (host, rp_test_proc_find (host, "reconnected", 0));
  back_g = event_index (guest, rp_test_proc_find (guest, "peer-joined", 1));
  assert_same_call_flows_since (host, guest, back_h, back_g);
  g_assert_null (rp_test_proc_find (guest, "peer-left", 0));

  /* The new connection works: the host's bye reaches the guest through it. */
  assert_bye_ends_both (host, guest);
  forwarder_free (fwd);
  g_source_remove (ticker);
}

/* The server stays out of reach longer than its grace (3 s here): both sides give up with a
 * clear error instead of waiting forever. */
static void
test_server_gone_beyond_grace (Fixture      *f,
                               gconstpointer data)
{
  guint ticker = g_timeout_add (100, rp_test_ticker, NULL);
  Forwarder *fwd = forwarder_new (f->server_host_port);
  g_autofree char *via = g_strdup_printf ("127.0.0.1:%u", fwd->port);
  Proc *host = spawn_peer (f, "host", "--host", "--server", via, "--video", "test",
                           "--audio", "test:440", NULL);
  g_autofree char *link = wait_for_link (host);
  Proc *guest = spawn_peer (f, "guest", link, "--video", "test", "--audio", "test:880", NULL);

  WAIT_FOR (rp_test_proc_find (host, "connected", 0) != NULL
            && rp_test_proc_find (guest, "connected", 0) != NULL, WAIT_S);
  g_assert_nonnull (rp_test_proc_find (guest, "connected", 0));
  fwd->refusing = TRUE;
  forwarder_cut (fwd, 0, G_MAXUINT / 2);

  WAIT_FOR (host->exited && guest->exited, 3 + 10);
  g_assert_true (host->exited && guest->exited);
  g_assert_nonnull (rp_test_proc_find (host, "reconnecting", 0));
  g_assert_nonnull (rp_test_proc_find (guest, "reconnecting", 0));
  g_assert_null (rp_test_proc_find (host, "reconnected", 0));
  g_assert_nonnull (strstr (event_string (host, "error", "message"), "rendezvous server"));
  g_assert_nonnull (strstr (event_string (guest, "error", "message"), "rendezvous server"));
  g_assert_cmpstr (event_string (host, "ended", "reason"), ==, "error");
  g_assert_cmpstr (event_string (guest, "ended", "reason"), ==, "error");
  g_assert_cmpint (host->status, !=, 0);
  forwarder_free (fwd);
  g_source_remove (ticker);
}

/* Drops every packet to and from a TCP port in the test's own network namespace: the sockets
 * stay open on both sides, nothing says the path is gone (no FIN, no RST), as when a Wi-Fi
 * network vanishes or a NAT forgets a mapping. */
static gboolean
set_blackhole (guint16  port,
               gboolean on)
{
  g_autofree char *drop_to = g_strdup_printf ("nft add rule inet rp-test input tcp dport %u drop",
                                              port);
  g_autofree char *drop_from = g_strdup_printf ("nft add rule inet rp-test input tcp sport %u "
                                                "drop", port);
  const char *on_commands[] = {
    "nft add table inet rp-test",
    "nft 'add chain inet rp-test input { type filter hook input priority 0 ; }'",
    drop_to, drop_from,
  };
  const char *off_commands[] = { "nft delete table inet rp-test" };
  const char **commands = on ? on_commands : off_commands;
  gsize n = on ? G_N_ELEMENTS (on_commands) : G_N_ELEMENTS (off_commands);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      int status = -1;

      if (!g_spawn_command_line_sync (commands[i], NULL, NULL, &status, &error)
          || !g_spawn_check_wait_status (status, &error))
        {
          g_test_message ("%s: %s", commands[i], error->message);
          return FALSE;
        }
    }
  return TRUE;
}

/* The path to the server goes dark with both WebSockets open (packets dropped, nothing closed):
 * each side notices the silence within seconds, not when TCP gives up minutes later, reconnects
 * once the path is back, and the call, peer to peer, goes on throughout. */
static void
test_signaling_blackhole_noticed (Fixture      *f,
                                  gconstpointer data)
{
  g_autofree char *nft = g_find_program_in_path ("nft");
  guint ticker;
  Forwarder *fwd;
  g_autofree char *via = NULL;
  g_autofree char *link = NULL;
  Proc *host, *guest;
  guint back_h, back_g;
  gint64 dark_until;

  if (nft == NULL || !private_network)
    {
      g_test_skip ("needs nft (apt-get install nftables), iproute2 and user namespaces");
      return;
    }
  ticker = g_timeout_add (100, rp_test_ticker, NULL);
  fwd = forwarder_new (f->server_host_port);
  via = g_strdup_printf ("127.0.0.1:%u", fwd->port);
  host = spawn_peer (f, "host", "--host", "--server", via, "--video", "test",
                     "--audio", "test:440", NULL);
  link = wait_for_link (host);
  guest = spawn_peer (f, "guest", link, "--video", "test", "--audio", "test:880", NULL);
  WAIT_FOR (find_first_frame (host, "video", 0) != NULL
            && find_first_frame (guest, "video", 0) != NULL, WAIT_S);
  g_assert_nonnull (find_first_frame (host, "video", 0));
  g_assert_nonnull (find_first_frame (guest, "video", 0));

  g_assert_true (set_blackhole (fwd->port, TRUE));
  /* TCP alone would notice after minutes of retransmissions. */
  WAIT_FOR (rp_test_proc_find (host, "reconnecting", 0) != NULL
            && rp_test_proc_find (guest, "reconnecting", 0) != NULL, 12);
  g_assert_nonnull (rp_test_proc_find (host, "reconnecting", 0));
  g_assert_nonnull (rp_test_proc_find (guest, "reconnecting", 0));
  g_assert_null (rp_test_proc_find (host, "reconnected", 0));
  /* A little longer in the dark, so that reconnection attempts meet the blackhole too. */
  dark_until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  WAIT_FOR (g_get_monotonic_time () > dark_until, 3);
  g_assert_true (set_blackhole (fwd->port, FALSE));

  WAIT_FOR (rp_test_proc_find (host, "reconnected", 0) != NULL
            && rp_test_proc_find (guest, "reconnected", 0) != NULL, 12);
  g_assert_nonnull (rp_test_proc_find (host, "reconnected", 0));
  g_assert_nonnull (rp_test_proc_find (guest, "reconnected", 0));

  /* The call went on: fresh stats with frames and both tones after the return, no new call. */
  back_h = event_index (host, rp_test_proc_find (host, "reconnected", 0));
  back_g = event_index (guest, rp_test_proc_find (guest, "reconnected", 0));
  assert_same_call_flows_since (host, guest, back_h, back_g);
  g_assert_null (rp_test_proc_find (guest, "error", 0));
  g_assert_null (rp_test_proc_find (guest, "peer-left", 0));

  /* Signaling works again: the host's bye reaches the guest. */
  assert_bye_ends_both (host, guest);
  forwarder_free (fwd);
  g_source_remove (ticker);
}

/* libnice never gathers on a loopback interface, and a host candidate on eth0 cannot reach a
 * TURN server on 127.0.0.1. So the TURN tests run in a network namespace of their own (a user
 * namespace makes that possible without privileges) with a veth pair as its only network:
 * coturn and the peers' host candidates on TURN_IP, nothing reachable from outside. Must run
 * before any thread exists; `ip` (iproute2) keeps the capabilities as root of the namespace. */
static gboolean
enter_private_network (void)
{
  g_autoptr(GError) error = NULL;
  const char *commands[] = {
    "ip link add rp0 type veth peer name rp1",
    "ip addr add " TURN_IP "/24 dev rp0",
    "ip link set rp0 up",
    "ip link set rp1 up",
    NULL,
  };

  if (rp_test_enter_private_network (commands, &error))
    return TRUE;
  g_printerr ("# no private network (%s): the TURN tests skip\n", error->message);
  return FALSE;
}

int
main (int argc, char **argv)
{
  static const TurnSetup right_secret = { TURN_SECRET };
  static const TurnSetup wrong_secret = { "not-the-" TURN_SECRET };
  static const TurnSetup long_grace = { NULL, 15 };

  private_network = enter_private_network ();

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/peer/call/each-side-sees-video-and-hears-the-others-tone", Fixture, NULL,
              fixture_set_up, test_call_both_ways, fixture_tear_down);
  g_test_add ("/peer/call/audio-only-call-carries-both-tones", Fixture, NULL,
              fixture_set_up, test_audio_only, fixture_tear_down);
  g_test_add ("/peer/call/audio-only-joiner-stops-the-hosts-video", Fixture, NULL,
              fixture_set_up, test_audio_only_joiner_stops_host_video, fixture_tear_down);
  g_test_add ("/peer/call/killed-peer-leaves-after-grace-and-seat-takes-newcomer", Fixture,
              NULL, fixture_set_up, test_killed_peer_frees_seat, fixture_tear_down);
  g_test_add ("/peer/call/frozen-peer-is-noticed-and-call-rebuilt", Fixture, NULL,
              fixture_set_up, test_frozen_peer_call_rebuilt, fixture_tear_down);
  g_test_add ("/peer/join/malformed-link-is-an-error-not-a-hang", Fixture, NULL,
              fixture_set_up, test_bad_link, fixture_tear_down);
  g_test_add ("/peer/join/unknown-room-is-reported", Fixture, NULL,
              fixture_set_up, test_unknown_room, fixture_tear_down);
  g_test_add ("/peer/turn/relay-only-call-goes-through-coturn", Fixture, &right_secret,
              fixture_set_up, test_relay_only_call, fixture_tear_down);
  g_test_add ("/peer/turn/wrong-turn-secret-is-an-error-not-a-hang", Fixture, &wrong_secret,
              fixture_set_up, test_wrong_turn_secret, fixture_tear_down);
  g_test_add ("/peer/reconnect/signaling-cut-call-goes-on-and-seat-is-taken-back", Fixture,
              NULL, fixture_set_up, test_signaling_cut_call_goes_on, fixture_tear_down);
  g_test_add ("/peer/reconnect/server-gone-beyond-grace-is-an-error", Fixture, NULL,
              fixture_set_up, test_server_gone_beyond_grace, fixture_tear_down);
  g_test_add ("/peer/reconnect/silently-dead-path-is-noticed-and-call-goes-on", Fixture,
              &long_grace, fixture_set_up, test_signaling_blackhole_noticed, fixture_tear_down);
  return g_test_run ();
}
