/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's tests on real filesystems that fail (a full one, a read-only one): a tmpfs in a
 * mount namespace of a subprocess's own, so nothing shows outside it. Where the namespace
 * cannot be made (no root or CAP_SYS_ADMIN) the test is skipped. The includer defines
 * _GNU_SOURCE before its first include (unshare).
 */
#pragma once

#include <glib.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether this process may make a mount namespace (root in a VM or container that allows it). */
static inline gboolean
store_test_can_unshare_mounts (void)
{
  pid_t pid = fork ();
  int status = 0;

  if (pid == 0)
    _exit (unshare (CLONE_NEWNS) == 0 ? 0 : 1);
  return pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) &&
         WEXITSTATUS (status) == 0;
}

/* In the subprocess: a tmpfs of `size` (mount's size= option) on dir. */
static inline void
store_test_mount_tmpfs (const char *dir,
                        const char *size)
{
  g_autofree char *options = g_strconcat ("size=", size, NULL);

  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  /* Private, so that the mount never shows outside this process. */
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  g_assert_cmpint (mount ("tmpfs", dir, "tmpfs", 0, options), ==, 0);
}

/* The test's body runs in a subprocess (the namespace and its mounts die with it). */
static inline void
store_test_run_with_mounts (void (*body) (void))
{
  if (g_test_subprocess ())
    {
      body ();
      return;
    }
  if (!store_test_can_unshare_mounts ())
    {
      g_test_skip ("cannot make a mount namespace here (needs root or CAP_SYS_ADMIN)");
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}
