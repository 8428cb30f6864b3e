/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Calls through real sound devices: a private PulseAudio daemon (its own runtime directory,
 * null sinks as speakers and their monitors as microphones), a rapport-server and two
 * rapport-peer processes. Devices vanish mid-call as when one is unplugged (pactl
 * unload-module). Skipped, saying why, where PulseAudio cannot be started.
 */
#include "config.h"

#include "rp-test-peer.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define WAIT_S 40

typedef RpTestProc Proc;

typedef struct {
  char        *dir;
  GSubprocess *pulse;
  char        *pulse_skip;     /* why PulseAudio could not be used */
  GSubprocess *server;
  char        *server_host_port;
  GPtrArray   *procs;          /* Proc */
  GPtrArray   *helpers;        /* GSubprocess: tone players */
} Fixture;

#define WAIT_FOR RP_TEST_WAIT_FOR

/* ---- processes ------------------------------------------------------------------------- */

/* The environment children get: the test's own plus the private daemon's (set, once, before
 * any child starts; setenv is no option once threads run). */
static GStrv child_env;

/* Children die with the test, even when an assertion aborts it mid-call. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_quiet (const char * const *argv,
             GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                               | G_SUBPROCESS_FLAGS_STDERR_SILENCE);

  g_subprocess_launcher_set_environ (launcher, child_env);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

/* rapport-peer with the given arguments (NULL-terminated), extra environment in env
 * ("NAME=VALUE" strings, or NULL). */
static Proc *
spawn_peer (Fixture            *f,
            const char         *label,
            const char * const *env,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = g_strdupv (child_env);
  Proc *p;
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, g_build_filename (rp_test_build_dir (), "src", "peer", "rapport-peer",
                                           NULL));
  va_start (ap, env);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (env[i], "=", 2);

      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  p = rp_test_proc_spawnv_env (label, (const char * const *) argv->pdata,
                               (const char * const *) envp);
  g_ptr_array_add (f->procs, p);
  return p;
}

/* The index of the first device-fallback event of that kind, or -1. */
static int
find_fallback (Proc       *p,
               const char *kind)
{
  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (p->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""),
                     "device-fallback") == 0
          && g_strcmp0 (json_object_get_string_member_with_default (o, "kind", ""), kind) == 0)
        return (int) i;
    }
  return -1;
}

/* ---- PulseAudio ---------------------------------------------------------------------- */

/* pactl against our daemon; its stdout, stripped, or NULL on failure. */
static char *
pactl (const char *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  int status = -1;
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, (gpointer) "pactl");
  g_ptr_array_add (argv, (gpointer) first);
  va_start (ap, first);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, child_env, G_SPAWN_SEARCH_PATH
                     | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return NULL;
  return g_strstrip (g_steal_pointer (&out));
}

/* A null sink named name: a speaker of that name, and "Monitor of NAME" a microphone that
 * hears what is played into it. Returns the module index, for unloading it. */
static char *
add_null_sink (const char *name)
{
  g_autofree char *sink_name = g_strdup_printf ("sink_name=%s", name);
  g_autofree char *props = g_strdup_printf ("sink_properties=device.description=%s", name);
  char *module = pactl ("load-module", "module-null-sink", sink_name, props, NULL);

  g_assert_nonnull (module);
  return module;
}

/* A sine played into a sink, as a voice into a room. */
static void
play_tone (Fixture    *f,
           const char *sink,
           double      hz,
           double      volume)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *freq = g_strdup_printf ("freq=%g", hz);
  g_autofree char *vol = g_strdup_printf ("volume=%g", volume);
  g_autofree char *device = g_strdup_printf ("device=%s", sink);
  const char *argv[] = { "gst-launch-1.0", "-q", "audiotestsrc", "is-live=true", freq, vol,
                         "!", "pulsesink", device, NULL };

  g_ptr_array_add (f->helpers, spawn_quiet (argv, &error));
  g_assert_no_error (error);
}

/* A daemon of our own: -n (no default script), only the modules loaded here, a runtime
 * directory in dir, anonymous access on its socket. --system=false lets it run as root (with
 * a warning), as in CI containers. The peers find it through PULSE_SERVER. */
static void
start_pulse (Fixture *f)
{
  g_autofree char *pulse = g_find_program_in_path ("pulseaudio");
  g_autofree char *socket = g_build_filename (f->dir, "native", NULL);
  g_autofree char *native = g_strdup_printf ("module-native-protocol-unix auth-anonymous=1 "
                                             "socket=%s", socket);
  g_autofree char *server = g_strdup_printf ("unix:%s", socket);
  g_autofree char *runtime = g_build_filename (f->dir, "pulse", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *info = NULL;
  const char *argv[] = { "pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n",
                         "--system=false", "--use-pid-file=false", "--disable-shm=true",
                         "--log-target=stderr", "-L", native,
                         "-L", "module-null-sink sink_name=RpDefault "
                               "sink_properties=device.description=RpDefault",
                         NULL };

  if (pulse == NULL)
    {
      f->pulse_skip = g_strdup ("pulseaudio is not installed (build-aux/install-deps.sh)");
      return;
    }
  g_mkdir_with_parents (runtime, 0700);
  g_clear_pointer (&child_env, g_strfreev);
  child_env = g_get_environ ();
  child_env = g_environ_setenv (child_env, "HOME", f->dir, TRUE);
  child_env = g_environ_setenv (child_env, "XDG_RUNTIME_DIR", f->dir, TRUE);
  child_env = g_environ_setenv (child_env, "PULSE_RUNTIME_PATH", runtime, TRUE);
  child_env = g_environ_setenv (child_env, "PULSE_SERVER", server, TRUE);
  f->pulse = spawn_quiet (argv, &error);
  if (f->pulse == NULL)
    {
      f->pulse_skip = g_strdup_printf ("pulseaudio could not be started: %s", error->message);
      return;
    }
  for (guint i = 0; i < 100 && info == NULL; i++)
    {
      info = pactl ("info", NULL);
      if (info == NULL)
        g_usleep (G_USEC_PER_SEC / 20);
    }
  if (info == NULL)
    f->pulse_skip = g_strdup ("pulseaudio started but did not answer on its socket in 5 s");
  /* The default sink, so fall-backs have somewhere to go. */
  else
    g_free (pactl ("set-default-sink", "RpDefault", NULL));
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
  const char *argv[] = { server, "--port=0", "--bind=127.0.0.1", NULL };
  g_autoptr(GDataInputStream) err = NULL;

  f->procs = g_ptr_array_new ();
  f->helpers = g_ptr_array_new_with_free_func (g_object_unref);
  f->dir = g_dir_make_tmp ("rapport-pulse-XXXXXX", &error);
  g_assert_no_error (error);
  start_pulse (f);
  if (f->pulse_skip != NULL)
    return;

  g_subprocess_launcher_set_environ (launcher, child_env);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
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
stop_process (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

/* The daemon's runtime directory and cookie, under our temporary directory. */
static void
delete_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFile *child = NULL;

  while (children != NULL && g_file_enumerator_iterate (children, NULL, &child, NULL, NULL)
         && child != NULL)
    delete_tree (child);
  g_file_delete (file, NULL, NULL);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  for (guint i = 0; i < f->procs->len; i++)
    rp_test_proc_free (g_ptr_array_index (f->procs, i));
  g_ptr_array_unref (f->procs);
  for (guint i = 0; i < f->helpers->len; i++)
    stop_process (g_ptr_array_index (f->helpers, i));
  g_ptr_array_unref (f->helpers);
  stop_process (f->server);
  g_clear_object (&f->server);
  stop_process (f->pulse);
  g_clear_object (&f->pulse);
  if (f->dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (f->dir);

      delete_tree (dir);
    }
  g_free (f->dir);
  g_free (f->pulse_skip);
  g_free (f->server_host_port);
}

static gboolean
skip_without_pulse (Fixture *f)
{
  if (f->pulse_skip == NULL)
    return FALSE;
  g_test_skip (f->pulse_skip);
  return TRUE;
}

static char *
wait_for_link (Proc *host)
{
  JsonObject *ready;

  WAIT_FOR (rp_test_proc_find_from (host, "ready", 0) != NULL || host->exited, WAIT_S);
  ready = rp_test_proc_find_from (host, "ready", 0);
  g_assert_nonnull (ready);
  return g_strdup (json_object_get_string_member (ready, "link"));
}

/* ---- tests --------------------------------------------------------------------------- */

/* GstDeviceMonitor (rapport-peer --list-devices) sees the daemon's null sinks as speakers and
 * their monitors as microphones. */
static void
test_null_sinks_are_listed (Fixture      *f,
                            gconstpointer data)
{
  guint ticker;
  g_autofree char *module = NULL;
  Proc *list;
  gboolean speaker = FALSE;
  gboolean microphone = FALSE;

  if (skip_without_pulse (f))
    return;
  ticker = g_timeout_add (100, rp_test_ticker, NULL);
  module = add_null_sink ("RpListed");
  list = spawn_peer (f, "list", NULL, "--list-devices", NULL);
  WAIT_FOR (list->exited && list->eof, WAIT_S);
  g_assert_cmpint (list->status, ==, 0);
  for (guint i = 0; i < list->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (list->events, i);
      const char *klass = json_object_get_string_member_with_default (o, "class", "");
      const char *name = json_object_get_string_member_with_default (o, "name", "");

      speaker |= g_str_equal (klass, "Audio/Sink") && g_str_equal (name, "RpListed");
      microphone |= g_str_equal (klass, "Audio/Source")
                    && g_str_equal (name, "Monitor of RpListed");
    }
  g_assert_true (speaker);
  g_assert_true (microphone);
  g_source_remove (ticker);
}

/* The host plays into the speaker it chose and captures from the microphone it chose; both
 * vanish mid-call. Each time the call says so (device-fallback), goes on with the default
 * device, and the tones keep arriving both ways. */
static void
test_vanished_devices_fall_back (Fixture      *f,
                                 gconstpointer data)
{
  guint ticker;
  g_autofree char *speaker_module = NULL;
  g_autofree char *mic_module = NULL;
  g_autofree char *link = NULL;
  Proc *host;
  Proc *guest;
  int speaker_at;
  int mic_at;
  guint guest_mark;
  JsonObject *o;

  if (skip_without_pulse (f))
    return;
  ticker = g_timeout_add (100, rp_test_ticker, NULL);
  speaker_module = add_null_sink ("RpSpeaker");
  mic_module = add_null_sink ("RpMic");
  /* The voice at the chosen microphone, and a louder one at the default (what the host's
   * default microphone hears besides the guest's tone played back there). */
  play_tone (f, "RpMic", 660.0, 0.3);
  play_tone (f, "RpDefault", 550.0, 0.6);

  host = spawn_peer (f, "host", NULL, "--host", "--server", f->server_host_port, "--audio-only",
                     "--audio", "Monitor of RpMic", "--audio-sink", "RpSpeaker", NULL);
  link = wait_for_link (host);
  guest = spawn_peer (f, "guest", NULL, link, "--audio-only", "--audio", "test:880",
                      "--audio-sink", "none", "--duration", "14", NULL);
  WAIT_FOR (rp_test_proc_heard_since (guest, 0, 660.0) && rp_test_proc_heard_since (host, 0, 880.0), WAIT_S);
  g_assert_true (rp_test_proc_heard_since (guest, 0, 660.0));
  g_assert_true (rp_test_proc_heard_since (host, 0, 880.0));

  /* The speaker is unplugged. */
  g_free (pactl ("unload-module", speaker_module, NULL));
  WAIT_FOR (find_fallback (host, "speaker") >= 0 || host->exited, 10);
  speaker_at = find_fallback (host, "speaker");
  g_assert_cmpint (speaker_at, >=, 0);
  o = g_ptr_array_index (host->events, speaker_at);
  g_assert_cmpstr (json_object_get_string_member (o, "from"), ==, "RpSpeaker");
  g_assert_cmpstr (json_object_get_string_member (o, "to"), ==, "RpDefault");
  guest_mark = guest->events->len;
  WAIT_FOR (rp_test_proc_heard_since (host, speaker_at, 880.0) && rp_test_proc_heard_since (guest, guest_mark, 660.0),
            10);
  g_assert_true (rp_test_proc_heard_since (host, speaker_at, 880.0));
  g_assert_true (rp_test_proc_heard_since (guest, guest_mark, 660.0));

  /* Then the microphone. */
  g_free (pactl ("unload-module", mic_module, NULL));
  WAIT_FOR (find_fallback (host, "microphone") >= 0 || host->exited, 10);
  mic_at = find_fallback (host, "microphone");
  g_assert_cmpint (mic_at, >=, 0);
  o = g_ptr_array_index (host->events, mic_at);
  g_assert_cmpstr (json_object_get_string_member (o, "from"), ==, "Monitor of RpMic");
  g_assert_cmpstr (json_object_get_string_member (o, "to"), ==, "Monitor of RpDefault");
  guest_mark = guest->events->len;
  WAIT_FOR (rp_test_proc_heard_since (guest, guest_mark, 550.0), 10);
  g_assert_true (rp_test_proc_heard_since (guest, guest_mark, 550.0));
  WAIT_FOR (rp_test_proc_heard_since (host, mic_at, 880.0), 10);
  g_assert_true (rp_test_proc_heard_since (host, mic_at, 880.0));

  WAIT_FOR (guest->exited && host->exited, WAIT_S);
  g_assert_null (rp_test_proc_find_from (host, "error", 0));
  g_assert_cmpint (guest->status, ==, 0);
  g_assert_cmpint (host->status, ==, 0);
  g_source_remove (ticker);
}

/* The key of each stats event from the from-th event on, in order. */
static GArray *
stats_values (Proc       *p,
              guint       from,
              const char *key)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = from; i < p->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (p->events, i);
      double v;

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), "stats") != 0)
        continue;
      v = json_object_get_double_member_with_default (o, key, 0.0);
      g_array_append_val (values, v);
    }
  return values;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (const double *values,
        guint         n)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof *values);

  qsort (sorted, n, sizeof *sorted, compare_doubles);
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

/* The event index from which on a call's audio plays: just after the first audio frame. */
static guint
audio_start (Proc *p)
{
  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (p->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""),
                     "first-frame") == 0
          && g_strcmp0 (json_object_get_string_member_with_default (o, "kind", ""), "audio")
             == 0)
        return i + 1;
    }
  return G_MAXUINT;
}

/* How many stats (seconds) the process reported since its audio started. */
static guint
audio_seconds (Proc *p)
{
  g_autoptr(GArray) values = NULL;

  if (audio_start (p) == G_MAXUINT)
    return 0;
  values = stats_values (p, audio_start (p), "output_db");
  return values->len;
}

/* The median output_db of n consecutive stats, after the first two of the audio, that all
 * read at most limit; NAN while there is no such run. */
static double
quiet_run (Proc  *p,
           double limit,
           guint  n)
{
  g_autoptr(GArray) values = NULL;
  guint run = 0;

  if (audio_start (p) == G_MAXUINT)
    return NAN;
  values = stats_values (p, audio_start (p), "output_db");
  for (guint i = 2; i < values->len; i++)
    {
      run = g_array_index (values, double, i) <= limit ? run + 1 : 0;
      if (run == n)
        return median (&g_array_index (values, double, i + 1 - n), n);
    }
  return NAN;
}

/* How many stats, after the first two of the audio, read at most limit. */
static guint
quiet_seconds (GArray *values,
               double  limit)
{
  guint n = 0;

  for (guint i = 2; i < values->len; i++)
    n += g_array_index (values, double, i) <= limit;
  return n;
}

static void
end_call (Proc *host,
          Proc *guest)
{
  g_subprocess_send_signal (guest->proc, SIGTERM);
  g_subprocess_send_signal (host->proc, SIGTERM);
  WAIT_FOR (guest->exited && host->exited, 10);
}

/* A real echo path: the host plays what it receives into a null sink and captures that sink's
 * monitor as its microphone, so the guest's tone comes back to the guest unless the host's
 * webrtcdsp cancels it. Measured as the level the guest plays (output_db, once a second): with
 * the host's canceller off (RAPPORT_ECHO_CANCEL=0) it is the guest's own tone, steady within
 * ±3 dB; with it on, how far below that it falls.
 *
 * A measurement (-m perf), not a pass/fail test: the canceller (delay-agnostic, as the echo's
 * delay is unknown) needs 7-13 s of the far end's sound to lock on when the machine is quiet,
 * and then held 26-33 dB; on a loaded one (load 10-13 on 2 cores) it locked and lost the echo
 * by turns, or never locked in 30 s (a stationary tone is the hardest case for its delay
 * estimate), and asserting on it made the suite fail 2 runs in 7. What is asserted is that the
 * echo path is real. */
static void
test_echo_canceller_attenuation (Fixture      *f,
                                     gconstpointer data)
{
  const char *aec_off[] = { "RAPPORT_ECHO_CANCEL=0", NULL };
  guint ticker;
  g_autofree char *echo_module = NULL;
  g_autofree char *link = NULL;
  g_autofree char *link2 = NULL;
  g_autoptr(GArray) off = NULL;
  g_autoptr(GArray) on = NULL;
  guint quiet;
  Proc *host;
  Proc *guest;
  double off_db;
  double on_db;

  if (skip_without_pulse (f))
    return;
  ticker = g_timeout_add (100, rp_test_ticker, NULL);
  echo_module = add_null_sink ("RpEcho");

  host = spawn_peer (f, "host-aec-off", aec_off, "--host", "--server", f->server_host_port,
                     "--audio-only", "--audio", "Monitor of RpEcho", "--audio-sink", "RpEcho",
                     NULL);
  link = wait_for_link (host);
  guest = spawn_peer (f, "guest-aec-off", NULL, link, "--audio-only", "--audio", "test:880",
                      "--audio-sink", "none", NULL);
  WAIT_FOR (audio_seconds (guest) >= 7, WAIT_S);
  g_assert_cmpuint (audio_seconds (guest), >=, 7);
  off = stats_values (guest, audio_start (guest), "output_db");
  off_db = median (&g_array_index (off, double, 2), off->len - 2);
  /* The echo path is there: without the canceller the guest hears its own tone back, and
   * steadily so. */
  g_assert_true (rp_test_proc_heard_since (guest, 0, 880.0));
  g_assert_cmpfloat (off_db, >, -35.0);
  g_assert_cmpuint (quiet_seconds (off, off_db - 10.0), ==, 0);
  end_call (host, guest);

  host = spawn_peer (f, "host-aec-on", NULL, "--host", "--server", f->server_host_port,
                     "--audio-only", "--audio", "Monitor of RpEcho", "--audio-sink", "RpEcho",
                     NULL);
  link2 = wait_for_link (host);
  guest = spawn_peer (f, "guest-aec-on", NULL, link2, "--audio-only", "--audio", "test:880",
                      "--audio-sink", "none", NULL);
  WAIT_FOR (!isnan (quiet_run (guest, off_db - 15.0, 3)) || audio_seconds (guest) >= 32
            || guest->exited, 60);
  on = stats_values (guest, audio_start (guest), "output_db");
  on_db = quiet_run (guest, off_db - 15.0, 3);
  quiet = quiet_seconds (on, off_db - 10.0);
  g_assert_cmpuint (on->len, >=, 5);
  g_print ("echo of the guest's tone: %.1f dB with the host's echo canceller off; with it on, "
           "%u of %u s at least 10 dB lower, the last 3 s %.1f dB (%.1f dB attenuation)%s\n",
           off_db, quiet, on->len - 2, median (&g_array_index (on, double, on->len - 3), 3),
           off_db - median (&g_array_index (on, double, on->len - 3), 3),
           isnan (on_db) ? ", never 15 dB down 3 s in a row"
                         : ", 15 dB down 3 s in a row (stopped there)");
  g_assert_null (rp_test_proc_find_from (host, "error", 0));
  g_assert_null (rp_test_proc_find_from (host, "device-fallback", 0));
  end_call (host, guest);
  g_source_remove (ticker);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/peer/devices/null-sinks-are-listed-as-speaker-and-microphone", Fixture, NULL,
              fixture_set_up, test_null_sinks_are_listed, fixture_tear_down);
  g_test_add ("/peer/devices/vanished-speaker-and-microphone-fall-back-to-default", Fixture,
              NULL, fixture_set_up, test_vanished_devices_fall_back, fixture_tear_down);
  /* build/tests/test-peer-devices -m perf -p /peer/devices/echo-canceller-attenuation */
  if (g_test_perf ())
    g_test_add ("/peer/devices/echo-canceller-attenuation", Fixture, NULL,
                fixture_set_up, test_echo_canceller_attenuation, fixture_tear_down);
  return g_test_run ();
}
