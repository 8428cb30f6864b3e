/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A browser as the other side of a call: rapport-peer hosts, a headless Chromium page
 * (tests/browser/call.html, written from PROTOCOL.md alone) joins through a real
 * rapport-server. The page is served by this test's own loopback HTTP server and POSTs its
 * events back to it; the peer's come as JSON lines on its stdout. Skips where Debian's
 * chromium is not installed.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define CALL_WAIT_S   45
#define HANGUP_WAIT_S 15
#define PEER_HZ       440.0
#define PAGE_HZ       660.0

typedef struct {
  char             *label;
  GSubprocess      *proc;
  GDataInputStream *out;      /* JSON lines, for rapport-peer */
  gboolean          eof;
  gboolean          exited;
  int               status;
} Proc;

typedef struct {
  SoupServer *http;
  guint       http_port;
  char       *server_host_port;
  char       *profile_dir;
  Proc       *server;
  Proc       *peer;
  Proc       *chromium;
  GPtrArray  *peer_events;    /* JsonObject */
  GPtrArray  *page_events;    /* JsonObject */
  gboolean    hang_up;        /* the next reply to the page tells it to hang up */
  guint       ticker;
} Fixture;

static const char *
env_or (const char *name,
        const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL ? value : fallback;
}

static const char *
chromium_path (void)
{
  return env_or ("RAPPORT_CHROMIUM", "/usr/bin/chromium");
}

static gboolean
debugging (void)
{
  return g_getenv ("RAPPORT_TEST_PEER_DEBUG") != NULL;
}

/* ---- the page's side: a loopback HTTP server ---------------------------------------------- */

static void
serve_file (SoupServerMessage *msg,
            const char        *name,
            const char        *type)
{
  g_autofree char *path = g_build_filename (env_or ("RAPPORT_SOURCE_DIR", "."), "tests",
                                            "browser", name, NULL);
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, contents, length);
}

static void
take_report (Fixture           *f,
             SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  const char *reply = f->hang_up ? "{\"action\":\"hang-up\"}" : "{}";

  g_test_message ("page: %s", text);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    g_ptr_array_add (f->page_events, json_object_ref (json_node_get_object (node)));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, reply,
                                    strlen (reply));
}

static void
on_http_request (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Fixture *f = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (method, "POST") && g_str_equal (path, "/report"))
    take_report (f, msg);
  else if (g_str_equal (method, "GET") && g_str_equal (path, "/call.html"))
    serve_file (msg, "call.html", "text/html; charset=utf-8");
  else if (g_str_equal (method, "GET") && g_str_equal (path, "/call.js"))
    serve_file (msg, "call.js", "text/javascript; charset=utf-8");
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
start_http (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->http = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->http, NULL, on_http_request, f, NULL);
  soup_server_listen_local (f->http, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->http);
  g_assert_nonnull (uris);
  f->http_port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

/* ---- processes ---------------------------------------------------------------------------- */

static void read_next (Proc *p, GPtrArray *events);

typedef struct {
  Proc      *proc;
  GPtrArray *events;
} LineRead;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LineRead *r = user_data;
  Proc *p = r->proc;
  GPtrArray *events = r->events;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (p->out, result, NULL,
                                                                     &error);
  g_autoptr(JsonNode) node = NULL;

  g_free (r);
  if (line == NULL)
    {
      p->eof = TRUE;
      return;
    }
  g_test_message ("%s: %s", p->label, line);
  node = json_from_string (line, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    g_ptr_array_add (events, json_object_ref (json_node_get_object (node)));
  read_next (p, events);
}

static void
read_next (Proc      *p,
           GPtrArray *events)
{
  LineRead *r = g_new0 (LineRead, 1);

  r->proc = p;
  r->events = events;
  g_data_input_stream_read_line_async (p->out, G_PRIORITY_DEFAULT, NULL, on_line, r);
}

static void
on_proc_exit (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Proc *p = user_data;

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

static Proc *
spawn (const char          *label,
       GSubprocessFlags     flags,
       const char * const  *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  Proc *p = g_new0 (Proc, 1);

  if (!debugging ())
    g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  p->label = g_strdup (label);
  p->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (p->proc, NULL, on_proc_exit, p);
  return p;
}

static void
stop (Proc *p)
{
  gint64 end;

  if (p == NULL)
    return;
  if (!p->exited)
    g_subprocess_send_signal (p->proc, SIGTERM);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!p->exited && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  if (!p->exited)
    {
      g_subprocess_force_exit (p->proc);
      while (!p->exited)
        g_main_context_iteration (NULL, TRUE);
    }
  while (p->out != NULL && !p->eof)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&p->out);
  g_object_unref (p->proc);
  g_free (p->label);
  g_free (p);
}

#define WAIT_FOR(cond, seconds)                                                   \
  G_STMT_START {                                                                  \
    gint64 _end = g_get_monotonic_time () + (gint64) (seconds) * G_USEC_PER_SEC;  \
    while (!(cond) && g_get_monotonic_time () < _end)                             \
      g_main_context_iteration (NULL, TRUE);                                      \
  } G_STMT_END

/* Keeps WAIT_FOR's deadline checked while nothing else happens. */
static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
start_server (Fixture *f)
{
  g_autofree char *server = g_build_filename (env_or ("RAPPORT_BUILD_DIR", "."), "src",
                                              "server", "rapport-server", NULL);
  g_autofree char *origin = g_strdup_printf ("http://127.0.0.1:%u", f->http_port);
  const char *argv[] = { server, "--port", "0", "--bind", "127.0.0.1", "--grace", "3",
                         "--allow-origin", origin, NULL };
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;

  f->server = spawn ("server", G_SUBPROCESS_FLAGS_STDERR_PIPE, argv);
  /* The server logs its port on its first line: "... event=listening ... port=N ...". */
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (f->server->proc));
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

/* With link NULL the peer hosts (creates the room); else it joins that link. */
static void
start_peer (Fixture    *f,
            const char *link)
{
  g_autofree char *peer = g_build_filename (env_or ("RAPPORT_BUILD_DIR", "."), "src", "peer",
                                            "rapport-peer", NULL);
  const char *host_argv[] = { peer, "--host", "--server", f->server_host_port, "--name", "Ada",
                              "--video", "test", "--audio", "test:440", NULL };
  const char *join_argv[] = { peer, link, "--name", "Ada", "--video", "test",
                              "--audio", "test:440", NULL };
  const char * const *argv = link == NULL ? host_argv : join_argv;

  f->peer = spawn ("peer", G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
  f->peer->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->peer->proc));
  read_next (f->peer, f->peer_events);
}

/* With room NULL the page creates a room; else it joins it. */
static void
start_chromium (Fixture    *f,
                const char *room)
{
  g_autofree char *profile = g_strdup_printf ("--user-data-dir=%s", f->profile_dir);
  g_autofree char *room_param = room != NULL ? g_strdup_printf ("&room=%s", room)
                                             : g_strdup ("");
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/call.html?server=%s%s"
                                          "&name=Chromium&freq=%.0f&report=/report",
                                          f->http_port, f->server_host_port, room_param,
                                          PAGE_HZ);
  const char *argv[] = {
    chromium_path (), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    /* Real host candidates (loopback included) rather than mDNS names webrtcbin skips. */
    "--disable-features=WebRtcHideLocalIpsWithMdns", "--allow-loopback-in-peer-connection",
    profile, url, NULL
  };

  f->chromium = spawn ("chromium",
                       debugging () ? G_SUBPROCESS_FLAGS_NONE
                                    : G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                      | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                       argv);
}

/* ---- events ------------------------------------------------------------------------------- */

static JsonObject *
find_event (GPtrArray  *events,
            const char *event,
            const char *kind)
{
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), event) == 0
          && (kind == NULL
              || g_strcmp0 (json_object_get_string_member_with_default (o, "kind", ""),
                            kind) == 0))
        return o;
    }
  return NULL;
}

static const char *
event_string (GPtrArray  *events,
              const char *event,
              const char *key)
{
  JsonObject *o = find_event (events, event, NULL);

  return o != NULL ? json_object_get_string_member_with_default (o, key, NULL) : NULL;
}

/* Whether a tone near hz was heard in at least two of the once-a-second audio-level reports. */
static gboolean
heard (GPtrArray *events,
       double     hz)
{
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);
      JsonNode *v;

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""),
                     "audio-level") != 0)
        continue;
      v = json_object_get_member (o, "hz");
      if (v != NULL && JSON_NODE_HOLDS_VALUE (v) && fabs (json_node_get_double (v) - hz) < 20.0)
        n++;
    }
  return n >= 2;
}

static gint64
frames_decoded (GPtrArray *events)
{
  gint64 most = 0;

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), "stats") == 0)
        most = MAX (most, json_object_get_int_member_with_default (o, "frames", 0));
    }
  return most;
}

static gboolean
call_complete (Fixture *f)
{
  return find_event (f->peer_events, "first-frame", "video") != NULL
         && find_event (f->peer_events, "verification", NULL) != NULL
         && heard (f->peer_events, PAGE_HZ)
         && find_event (f->page_events, "first-frame", "video") != NULL
         && find_event (f->page_events, "verification", NULL) != NULL
         && frames_decoded (f->page_events) > 0
         && heard (f->page_events, PEER_HZ);
}

static gboolean
something_failed (Fixture *f)
{
  return (f->peer != NULL && f->peer->exited) || (f->chromium != NULL && f->chromium->exited)
         || find_event (f->page_events, "error", NULL) != NULL;
}

/* ---- fixture ------------------------------------------------------------------------------ */

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->peer_events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  f->page_events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  f->profile_dir = g_dir_make_tmp ("rapport-chromium-XXXXXX", &error);
  g_assert_no_error (error);
  f->ticker = g_timeout_add (100, wake, NULL);
  start_http (f);
  start_server (f);
}

static void
remove_tree (GFile *dir)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;
  GFile *child;

  while (children != NULL && g_file_enumerator_iterate (children, &info, &child, NULL, NULL)
         && info != NULL)
    {
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_file_delete (child, NULL, NULL);
    }
  g_file_delete (dir, NULL, NULL);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(GFile) profile = g_file_new_for_path (f->profile_dir);

  stop (f->chromium);
  stop (f->peer);
  stop (f->server);
  remove_tree (profile);
  soup_server_disconnect (f->http);
  g_clear_object (&f->http);
  g_source_remove (f->ticker);
  g_ptr_array_unref (f->peer_events);
  g_ptr_array_unref (f->page_events);
  g_free (f->server_host_port);
  g_free (f->profile_dir);
}

/* ---- tests -------------------------------------------------------------------------------- */

static gboolean
have_chromium (void)
{
  if (g_file_test (chromium_path (), G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_test_skip ("chromium is not installed");
  return FALSE;
}

/* What both directions check once the call runs: roles, video, tones, code, hang-up. */
static void
check_call_and_hang_up (Fixture  *f,
                        gboolean  browser_hosts)
{
  const char *peer_code;
  const char *page_code;

  WAIT_FOR (call_complete (f) || something_failed (f), CALL_WAIT_S);
  g_assert_null (event_string (f->page_events, "error", "message"));
  g_assert_false (f->peer->exited);

  /* Roles: the host (seat 1) offers, the joiner (seat 2) is polite and answers. */
  g_assert_cmpint (json_object_get_boolean_member (find_event (f->peer_events, "joined", NULL),
                                                   "polite"), ==, browser_hosts);
  g_assert_cmpint (json_object_get_boolean_member (find_event (f->page_events, "joined", NULL),
                                                   "polite"), ==, !browser_hosts);
  g_assert_cmpstr (event_string (f->peer_events, "peer-joined", "name"), ==, "Chromium");
  g_assert_cmpstr (event_string (f->page_events, "peer-joined", "name"), ==, "Ada");
  /* Video both ways. */
  g_assert_nonnull (find_event (f->peer_events, "first-frame", "video"));
  g_assert_nonnull (find_event (f->page_events, "first-frame", "video"));
  g_assert_cmpint (frames_decoded (f->page_events), >, 0);
  /* Each side hears the other's tone, not its own. */
  g_assert_true (heard (f->peer_events, PAGE_HZ));
  g_assert_false (heard (f->peer_events, PEER_HZ));
  g_assert_true (heard (f->page_events, PEER_HZ));
  /* The same verification code, computed by webrtcbin's side and by the page. */
  peer_code = event_string (f->peer_events, "verification", "code");
  page_code = event_string (f->page_events, "verification", "code");
  g_assert_nonnull (peer_code);
  g_assert_cmpuint (strlen (peer_code), ==, 6);
  g_assert_cmpstr (page_code, ==, peer_code);

  /* The page hangs up (bye): the peer sees the other side leave and ends cleanly. */
  f->hang_up = TRUE;
  WAIT_FOR (f->peer->exited && find_event (f->page_events, "ended", NULL) != NULL,
            HANGUP_WAIT_S);
  g_assert_cmpstr (event_string (f->page_events, "ended", "reason"), ==, "hang-up");
  g_assert_null (event_string (f->peer_events, "error", "message"));
  g_assert_cmpstr (event_string (f->peer_events, "peer-left", "reason"), ==, "bye");
  g_assert_cmpstr (event_string (f->peer_events, "ended", "reason"), ==, "peer-left");
  g_assert_true (f->peer->exited);
  g_assert_cmpint (f->peer->status, ==, 0);
}

static void
test_browser_joins_peer (Fixture      *f,
                         gconstpointer data)
{
  const char *link;

  if (!have_chromium ())
    return;
  start_peer (f, NULL);
  WAIT_FOR (find_event (f->peer_events, "joined", NULL) != NULL || f->peer->exited, CALL_WAIT_S);
  link = event_string (f->peer_events, "ready", "link");
  g_assert_nonnull (link);
  g_assert_nonnull (find_event (f->peer_events, "joined", NULL));
  start_chromium (f, strrchr (link, '/') + 1);
  check_call_and_hang_up (f, FALSE);
}

/* The other way round: Chromium makes the offer (with all the codecs it knows) and webrtcbin
 * answers with Opus and VP8. */
static void
test_peer_joins_browser (Fixture      *f,
                         gconstpointer data)
{
  const char *link;

  if (!have_chromium ())
    return;
  start_chromium (f, NULL);
  WAIT_FOR (find_event (f->page_events, "joined", NULL) != NULL || something_failed (f),
            CALL_WAIT_S);
  link = event_string (f->page_events, "joined", "link");
  g_assert_nonnull (link);
  g_assert_true (g_str_has_prefix (link, "rapport://127.0.0.1:"));
  start_peer (f, link);
  check_call_and_hang_up (f, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/browser/call/chromium-page-and-peer-see-hear-and-verify-each-other", Fixture,
              NULL, fixture_set_up, test_browser_joins_peer, fixture_tear_down);
  g_test_add ("/browser/call/peer-answers-a-chromium-offer-and-both-verify", Fixture, NULL,
              fixture_set_up, test_peer_joins_browser, fixture_tear_down);
  return g_test_run ();
}
