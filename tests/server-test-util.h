/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers for the server's integration tests: a real rapport-server process and real
 * libsoup WebSocket clients. Waits are bounded so that a broken server fails a test instead
 * of hanging it; no test asserts on how long anything took.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess      *process;
  GDataInputStream *log;
  GString          *log_text;
  GCancellable     *cancellable;
  guint             port;
} TestServer;

typedef struct {
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GQueue                   messages;     /* JsonNode *, oldest first */
  gboolean                 closed;
  gushort                  close_code;
  char                    *id;
} TestClient;

TestServer *test_server_start         (const char *first_arg,
                                       ...);
void        test_server_stop          (TestServer *server);
gboolean    test_server_log_contains  (TestServer *server,
                                       const char *text);

TestClient *test_client_connect       (guint       port,
                                       const char *origin);
TestClient *test_client_connect_url   (const char *url,
                                       const char *origin);
guint       test_client_refused_status (guint      port,
                                       const char *origin);
void        test_client_send          (TestClient *client,
                                       const char *text);
JsonNode   *test_client_expect        (TestClient *client,
                                       const char *type);
void        test_client_expect_error  (TestClient *client,
                                       const char *code);
void        test_client_expect_nothing_more (TestClient *client);
gushort     test_client_wait_closed   (TestClient *client);
void        test_client_drop          (TestClient *client);
void        test_client_free          (TestClient *client);
JsonNode   *test_client_join          (TestClient *client,
                                       const char *room,
                                       const char *name);
char       *test_make_client_id       (void);
const char *test_member_string        (JsonNode   *node,
                                       const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClient, test_client_free)

G_END_DECLS
