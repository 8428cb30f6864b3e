/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test plumbing shared by the tests that drive real rapport-peer processes: spawn one, read
 * its JSON-lines events as they come, find them, wait on the main loop, stop it.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>

G_BEGIN_DECLS

typedef struct {
  char             *label;
  GSubprocess      *proc;
  GDataInputStream *out;
  GPtrArray        *events;   /* JsonObject, in the order printed */
  GArray           *seen_us;  /* gint64, when each of events was read (monotonic clock) */
  gboolean          eof;
  gboolean          exited;
  int               status;   /* exit status, or 128 + signal */
} RpTestProc;

const char *rp_test_build_dir (void);

/* argv[0] is run as given; the child dies with the test (PR_SET_PDEATHSIG). */
RpTestProc *rp_test_proc_spawnv (const char         *label,
                                 const char * const *argv);
/* The build's rapport-peer with the NULL-terminated arguments that follow. */
/* The same with this whole environment (NULL: the test's own). */
RpTestProc *rp_test_proc_spawnv_env (const char         *label,
                                     const char * const *argv,
                                     const char * const *envp);
RpTestProc *rp_test_peer_spawn  (const char *label,
                                 ...) G_GNUC_NULL_TERMINATED;
/* The same with the arguments `leading` (NULL-terminated, or NULL) before those in `args`
 * (NULL-terminated): for tests whose own spawn function adds the options all their peers take. */
RpTestProc *rp_test_peer_spawn_valist (const char         *label,
                                       const char * const *leading,
                                       va_list             args);
/* Waits until it has exited and its output is read to the end; returns whether it exited. */
gboolean    rp_test_proc_wait_exit (RpTestProc *p,
                                    guint       seconds);
/* SIGTERM (if still running), then rp_test_proc_wait_exit. */
gboolean    rp_test_proc_stop   (RpTestProc *p,
                                 guint       seconds);
/* SIGTERM (if still running), wait for it, free. */
void        rp_test_proc_free   (RpTestProc *p);

JsonObject *rp_test_proc_find        (RpTestProc *p,
                                      const char *event,
                                      guint       nth);
/* The first such event at index >= from (an index into p->events). */
JsonObject *rp_test_proc_find_from   (RpTestProc *p,
                                      const char *event,
                                      guint       from);
guint       rp_test_proc_count       (RpTestProc *p,
                                      const char *event);
JsonObject *rp_test_proc_last        (RpTestProc *p,
                                      const char *event);
const char *rp_test_proc_last_string (RpTestProc *p,
                                      const char *event,
                                      const char *member);
/* When the first such event was read (g_get_monotonic_time), or 0 if none has come. */
gint64      rp_test_proc_seen_us     (RpTestProc *p,
                                      const char *event);

/* The peers of one test case and the folder they keep their files in: both go at its end. */
typedef struct {
  char               *dir;      /* a fresh temporary folder */
  GPtrArray          *procs;    /* RpTestProc */
  const char * const *common;   /* arguments every peer of the case takes first (or NULL) */
} RpTestPeers;

void        rp_test_peers_init  (RpTestPeers        *peers,
                                 const char         *dir_template,
                                 const char * const *common);
/* Stops and frees the peers, removes the folder. */
void        rp_test_peers_clear (RpTestPeers        *peers);
/* rapport-peer with peers->common and then the NULL-terminated arguments that follow. */
RpTestProc *rp_test_peers_spawn (RpTestPeers        *peers,
                                 const char         *label,
                                 ...) G_GNUC_NULL_TERMINATED;

/* Whether p heard a tone within 20 Hz of hz in at least two `audio-level` reports from its
 * from-th event on (one report can be a transient). */
gboolean    rp_test_proc_heard_since (RpTestProc *p,
                                      guint       from,
                                      double      hz);

/* Makes this process root of a new user + network namespace (loopback up, nothing else) and
 * runs commands in it (`ip`, `nft`: they keep the namespace's capabilities). Must run before
 * any thread exists, so before g_test_init. On failure, error says why (tests then skip). */
gboolean    rp_test_enter_private_network (const char * const *commands,
                                           GError            **error);

/* Waits for the host's `ready` and returns its link (NULL if it exited first). */
char       *rp_test_peer_wait_link   (RpTestProc *host,
                                      guint       seconds);

/* Iterates the default main context until cond holds or the time is up; a 100 ms ticker
 * (rp_test_ticker) keeps the loop waking so the clock is rechecked. */
#define RP_TEST_WAIT_FOR(cond, seconds)                                              \
  G_STMT_START {                                                                     \
    gint64 _rp_end = g_get_monotonic_time () + (gint64) (seconds) * G_USEC_PER_SEC;  \
    guint _rp_tick = g_timeout_add (100, rp_test_ticker, NULL);                      \
    while (!(cond) && g_get_monotonic_time () < _rp_end)                             \
      g_main_context_iteration (NULL, TRUE);                                         \
    g_source_remove (_rp_tick);                                                      \
  } G_STMT_END

gboolean    rp_test_ticker (gpointer data);

/* Removes a test's temporary folder and everything in it. */
void        rp_test_remove_tree (const char *path);

G_END_DECLS
