/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE   /* unshare */
#include "config.h"

#include "rp-test-peer.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>
#include <sched.h>
#include <math.h>
#include <fcntl.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/prctl.h>

const char *
rp_test_build_dir (void)
{
  const char *dir = g_getenv ("RAPPORT_BUILD_DIR");

  return dir != NULL ? dir : ".";
}

gboolean
rp_test_ticker (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void read_next (RpTestProc *p);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  RpTestProc *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (p->out, result, NULL,
                                                                     &error);
  g_autoptr(JsonNode) node = NULL;

  if (line == NULL)
    {
      p->eof = TRUE;
      return;
    }
  g_test_message ("%s: %s", p->label, line);
  node = json_from_string (line, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      gint64 now = g_get_monotonic_time ();

      g_ptr_array_add (p->events, json_object_ref (json_node_get_object (node)));
      g_array_append_val (p->seen_us, now);
    }
  read_next (p);
}

static void
read_next (RpTestProc *p)
{
  g_data_input_stream_read_line_async (p->out, G_PRIORITY_DEFAULT, NULL, on_line, p);
}

static void
on_proc_exited (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  RpTestProc *p = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  p->exited = TRUE;
  p->status = g_subprocess_get_if_exited (p->proc) ? g_subprocess_get_exit_status (p->proc)
                                                   : 128 + g_subprocess_get_term_sig (p->proc);
}

/* Children die with the test, even when an assertion aborts it mid-call. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

RpTestProc *
rp_test_proc_spawnv (const char         *label,
                     const char * const *argv)
{
  return rp_test_proc_spawnv_env (label, argv, NULL);
}

RpTestProc *
rp_test_proc_spawnv_env (const char         *label,
                         const char * const *argv,
                         const char * const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  RpTestProc *p = g_new0 (RpTestProc, 1);

  if (envp != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **) envp);

  /* The peers' debug output drowns the test log; RAPPORT_TEST_PEER_DEBUG keeps it. */
  if (g_getenv ("RAPPORT_TEST_PEER_DEBUG") == NULL)
    g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  p->label = g_strdup (label);
  p->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  p->seen_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  p->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  p->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->proc));
  read_next (p);
  /* The wait holds a reference to the process, not to p: rp_test_proc_free waits for it. */
  g_subprocess_wait_async (p->proc, NULL, on_proc_exited, p);
  return p;
}

RpTestProc *
rp_test_peer_spawn_valist (const char         *label,
                           const char * const *leading,
                           va_list             args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;

  g_ptr_array_add (argv, g_build_filename (rp_test_build_dir (), "src", "peer", "rapport-peer",
                                           NULL));
  for (guint i = 0; leading != NULL && leading[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (leading[i]));
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return rp_test_proc_spawnv (label, (const char * const *) argv->pdata);
}

RpTestProc *
rp_test_peer_spawn (const char *label,
                    ...)
{
  RpTestProc *p;
  va_list ap;

  va_start (ap, label);
  p = rp_test_peer_spawn_valist (label, NULL, ap);
  va_end (ap);
  return p;
}

gboolean
rp_test_proc_wait_exit (RpTestProc *p,
                        guint       seconds)
{
  RP_TEST_WAIT_FOR (p->exited && p->eof, seconds);
  return p->exited;
}

gboolean
rp_test_proc_stop (RpTestProc *p,
                   guint       seconds)
{
  if (!p->exited)
    g_subprocess_send_signal (p->proc, SIGTERM);
  return rp_test_proc_wait_exit (p, seconds);
}

void
rp_test_proc_free (RpTestProc *p)
{
  if (p == NULL)
    return;
  if (!rp_test_proc_stop (p, 10))
    {
      g_subprocess_force_exit (p->proc);
      RP_TEST_WAIT_FOR (p->exited, 5);
    }
  /* A read still pending would call back into freed memory: drain until EOF. */
  RP_TEST_WAIT_FOR (p->eof, 5);
  g_clear_object (&p->out);
  g_clear_object (&p->proc);
  g_ptr_array_unref (p->events);
  g_array_unref (p->seen_us);
  g_free (p->label);
  g_free (p);
}

static gboolean
is_event (JsonObject *o,
          const char *event)
{
  return g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), event) == 0;
}

JsonObject *
rp_test_proc_find (RpTestProc *p,
                   const char *event,
                   guint       nth)
{
  for (guint i = 0; i < p->events->len; i++)
    if (is_event (p->events->pdata[i], event) && nth-- == 0)
      return p->events->pdata[i];
  return NULL;
}

JsonObject *
rp_test_proc_find_from (RpTestProc *p,
                        const char *event,
                        guint       from)
{
  for (guint i = from; i < p->events->len; i++)
    if (is_event (p->events->pdata[i], event))
      return p->events->pdata[i];
  return NULL;
}

guint
rp_test_proc_count (RpTestProc *p,
                    const char *event)
{
  guint n = 0;

  for (guint i = 0; i < p->events->len; i++)
    n += is_event (p->events->pdata[i], event);
  return n;
}

JsonObject *
rp_test_proc_last (RpTestProc *p,
                   const char *event)
{
  for (guint i = p->events->len; i > 0; i--)
    if (is_event (p->events->pdata[i - 1], event))
      return p->events->pdata[i - 1];
  return NULL;
}

const char *
rp_test_proc_last_string (RpTestProc *p,
                          const char *event,
                          const char *member)
{
  JsonObject *o = rp_test_proc_last (p, event);

  return o != NULL ? json_object_get_string_member_with_default (o, member, NULL) : NULL;
}

gint64
rp_test_proc_seen_us (RpTestProc *p,
                      const char *event)
{
  for (guint i = 0; i < p->events->len; i++)
    if (is_event (p->events->pdata[i], event))
      return g_array_index (p->seen_us, gint64, i);
  return 0;
}

char *
rp_test_peer_wait_link (RpTestProc *host,
                        guint       seconds)
{
  JsonObject *ready;

  RP_TEST_WAIT_FOR (rp_test_proc_find (host, "ready", 0) != NULL || host->exited, seconds);
  ready = rp_test_proc_find (host, "ready", 0);
  return ready != NULL ? g_strdup (json_object_get_string_member (ready, "link")) : NULL;
}

void
rp_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rp_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
rp_test_peers_init (RpTestPeers        *peers,
                    const char         *dir_template,
                    const char * const *common)
{
  g_autoptr(GError) error = NULL;

  peers->dir = g_dir_make_tmp (dir_template, &error);
  g_assert_no_error (error);
  peers->procs = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_test_proc_free);
  peers->common = common;
}

void
rp_test_peers_clear (RpTestPeers *peers)
{
  g_clear_pointer (&peers->procs, g_ptr_array_unref);
  if (peers->dir != NULL)
    rp_test_remove_tree (peers->dir);
  g_clear_pointer (&peers->dir, g_free);
}

RpTestProc *
rp_test_peers_spawn (RpTestPeers *peers,
                     const char  *label,
                     ...)
{
  RpTestProc *p;
  va_list ap;

  va_start (ap, label);
  p = rp_test_peer_spawn_valist (label, peers->common, ap);
  va_end (ap);
  g_ptr_array_add (peers->procs, p);
  return p;
}

gboolean
rp_test_proc_heard_since (RpTestProc *p,
                          guint       from,
                          double      hz)
{
  guint n = 0;

  for (guint i = from; i < p->events->len; i++)
    {
      JsonObject *o = p->events->pdata[i];
      JsonNode *v;

      if (!is_event (o, "audio-level"))
        continue;
      v = json_object_get_member (o, "hz");
      if (v != NULL && JSON_NODE_HOLDS_VALUE (v) && fabs (json_node_get_double (v) - hz) < 20.0)
        n++;
    }
  return n >= 2;
}

static gboolean
write_proc_file (const char *path,
                 const char *text)
{
  int fd = open (path, O_WRONLY);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (ssize_t) strlen (text);
  close (fd);
  return ok;
}

gboolean
rp_test_enter_private_network (const char * const *commands,
                               GError            **error)
{
  g_autofree char *uid_map = g_strdup_printf ("0 %u 1", (guint) getuid ());
  g_autofree char *gid_map = g_strdup_printf ("0 %u 1", (guint) getgid ());

  if (unshare (CLONE_NEWUSER | CLONE_NEWNET) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "no user/network namespace: %s", g_strerror (errno));
      return FALSE;
    }
  write_proc_file ("/proc/self/setgroups", "deny");
  if (!write_proc_file ("/proc/self/uid_map", uid_map)
      || !write_proc_file ("/proc/self/gid_map", gid_map))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot map the user namespace's ids");
      return FALSE;
    }
  if (!g_spawn_command_line_sync ("ip link set lo up", NULL, NULL, NULL, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "`ip` is missing");
      return FALSE;
    }
  for (gsize i = 0; commands != NULL && commands[i] != NULL; i++)
    {
      g_autofree char *err = NULL;
      int status = -1;

      if (!g_spawn_command_line_sync (commands[i], NULL, &err, &status, error))
        return FALSE;
      if (!g_spawn_check_wait_status (status, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "`%s` failed: %s", commands[i],
                       err != NULL ? g_strstrip (err) : "");
          return FALSE;
        }
    }
  return TRUE;
}
