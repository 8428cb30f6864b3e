/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test plumbing shared by the tests that drive real rapport-peer processes: spawn one, read
 * its JSON-lines events as they come, find them, wait on the main loop, stop it.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char             *label;
  GSubprocess      *proc;
  GDataInputStream *out;
  GPtrArray        *events;   /* JsonObject, in the order printed */
  gboolean          eof;
  gboolean          exited;
  int               status;   /* exit status, or 128 + signal */
} RpTestProc;

const char *rp_test_build_dir (void);

/* argv[0] is run as given; the child dies with the test (PR_SET_PDEATHSIG). */
RpTestProc *rp_test_proc_spawnv (const char         *label,
                                 const char * const *argv);
/* The build's rapport-peer with the NULL-terminated arguments that follow. */
RpTestProc *rp_test_peer_spawn  (const char *label,
                                 ...) G_GNUC_NULL_TERMINATED;
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

G_END_DECLS
