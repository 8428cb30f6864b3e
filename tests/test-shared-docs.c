/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RpSharedDocs without a call: two replicas, each with its own SQLite store, wired through
 * their "send" signal and rp_shared_docs_receive() (delivered from the main loop, as a data
 * channel would). The two-process tests over a real call are in test-peer-docs.c.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "rp-codec.h"
#include "rp-shared-docs.h"
#include "store-test-util.h"

typedef struct {
  RpSharedDocs *to;
  gboolean      connected;
  guint         in_flight;
} Link;

typedef struct {
  StoreFixture  store_dirs;
  char         *path_a;
  char         *path_b;
  RpStore      *store_a;
  RpStore      *store_b;
  RpSharedDocs *a;
  RpSharedDocs *b;
  Link          a_to_b;
  Link          b_to_a;
  guint         errors;
} Fixture;

typedef struct {
  Link   *link;
  GBytes *frame;
} Delivery;

static gboolean
deliver (gpointer data)
{
  Delivery *d = data;

  d->link->in_flight--;
  if (d->link->connected)
    rp_shared_docs_receive (d->link->to, d->frame, NULL);
  g_bytes_unref (d->frame);
  g_free (d);
  return G_SOURCE_REMOVE;
}

static void
on_send (RpSharedDocs *from,
         GBytes       *frame,
         Link         *link)
{
  Delivery *d = g_new (Delivery, 1);

  d->link = link;
  d->frame = g_bytes_ref (frame);
  link->in_flight++;
  g_idle_add (deliver, d);
}

static void
on_error (RpSharedDocs *docs,
          const GError *error,
          Fixture      *f)
{
  g_assert_error (error, RP_SHARED_DOCS_ERROR, RP_SHARED_DOCS_ERROR_PEER);
  f->errors++;
}

static RpSharedDocs *
open_docs (Fixture  *f,
           RpStore **store,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  RpSharedDocs *docs;

  if (*store == NULL)
    *store = rp_store_new (path, &error);
  g_assert_no_error (error);
  docs = rp_shared_docs_new (*store, "session/test", "room-token", &error);
  g_assert_no_error (error);
  g_signal_connect (docs, "error", G_CALLBACK (on_error), f);
  return docs;
}

static void
wire (Fixture *f)
{
  f->a_to_b.to = f->b;
  f->b_to_a.to = f->a;
  g_signal_connect (f->a, "send", G_CALLBACK (on_send), &f->a_to_b);
  g_signal_connect (f->b, "send", G_CALLBACK (on_send), &f->b_to_a);
}

static void
connect_channel (Fixture *f)
{
  f->a_to_b.connected = f->b_to_a.connected = TRUE;
  rp_shared_docs_channel_opened (f->a);
  rp_shared_docs_channel_opened (f->b);
}

static void
disconnect_channel (Fixture *f)
{
  f->a_to_b.connected = f->b_to_a.connected = FALSE;
  rp_shared_docs_channel_closed (f->a);
  rp_shared_docs_channel_closed (f->b);
}

/* Until everything sent has arrived and both have flushed their batches. */
static void
settle (Fixture *f)
{
  do
    {
      rp_shared_docs_flush (f->a);
      rp_shared_docs_flush (f->b);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  while (f->a_to_b.in_flight + f->b_to_a.in_flight > 0);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  store_fixture_setup (&f->store_dirs, data);
  f->path_a = g_build_filename (f->store_dirs.dir, "a.db", NULL);
  f->path_b = g_build_filename (f->store_dirs.dir, "b.db", NULL);
  f->a = open_docs (f, &f->store_a, f->path_a);
  f->b = open_docs (f, &f->store_b, f->path_b);
  wire (f);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  disconnect_channel (f);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  g_clear_object (&f->store_a);
  g_clear_object (&f->store_b);
  g_free (f->path_a);
  g_free (f->path_b);
  store_fixture_teardown (&f->store_dirs, data);
}

static char *
notes_text (RpSharedDocs *docs)
{
  return rp_text_doc_get_text (rp_shared_docs_get_notes (docs));
}

static void
type (RpSharedDocs *docs,
      gsize         pos,
      const char   *text)
{
  g_autoptr(GError) error = NULL;

  rp_text_doc_insert (rp_shared_docs_get_notes (docs), pos, text, -1, &error);
  g_assert_no_error (error);
}

static char *
add_item (RpSharedDocs *docs,
          const char   *title)
{
  g_autoptr(GError) error = NULL;
  char *id = rp_agenda_add_item (rp_shared_docs_get_agenda (docs), -1, title, 10,
                                 RP_AGENDA_OWNER_MENTEE, RP_AGENDA_KIND_TOPIC, &error);

  g_assert_no_error (error);
  return id;
}

static void
assert_same (RpSharedDocs *x,
             RpSharedDocs *y)
{
  g_autofree char *tx = notes_text (x);
  g_autofree char *ty = notes_text (y);
  g_autoptr(GBytes) ax = rp_agenda_encode_state (rp_shared_docs_get_agenda (x));
  g_autoptr(GBytes) ay = rp_agenda_encode_state (rp_shared_docs_get_agenda (y));
  g_autoptr(GPtrArray) ix = rp_agenda_list_items (rp_shared_docs_get_agenda (x));
  g_autoptr(GPtrArray) iy = rp_agenda_list_items (rp_shared_docs_get_agenda (y));

  g_assert_cmpstr (tx, ==, ty);
  g_assert_cmpuint (ix->len, ==, iy->len);
  for (guint i = 0; i < ix->len; i++)
    {
      RpAgendaItem *p = ix->pdata[i], *q = iy->pdata[i];

      g_assert_cmpstr (p->id, ==, q->id);
      g_assert_cmpstr (p->title, ==, q->title);
      g_assert_cmpuint (p->done, ==, q->done);
    }
}

/* Drops A (without an explicit save: dispose must store what came from B), closes its store
 * as a crash would leave it committed, and opens both again from the file. */
static void
reopen_a (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->a);
  rp_store_close (f->store_a, &error);
  g_assert_no_error (error);
  g_clear_object (&f->store_a);
  f->a = open_docs (f, &f->store_a, f->path_a);
  f->b_to_a.to = f->a;
  g_signal_connect (f->a, "send", G_CALLBACK (on_send), &f->a_to_b);
}

static void
test_remote_and_local_edits_resume_after_restart (Fixture      *f,
                                                  gconstpointer data)
{
  g_autofree char *goals = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) items = NULL;

  connect_channel (f);
  settle (f);
  g_assert_true (rp_shared_docs_is_synced (f->a));
  type (f->a, 0, "Mine. ");
  type (f->b, 0, "Theirs. ");
  goals = add_item (f->b, "Goals");
  settle (f);
  rp_agenda_set_done (rp_shared_docs_get_agenda (f->a), goals, TRUE, NULL);
  settle (f);
  assert_same (f->a, f->b);

  disconnect_channel (f);
  reopen_a (f);
  /* What A shows after the restart comes from its own store only: B is not connected. */
  text = notes_text (f->a);
  g_assert_nonnull (strstr (text, "Mine. "));
  g_assert_nonnull (strstr (text, "Theirs. "));
  items = rp_agenda_list_items (rp_shared_docs_get_agenda (f->a));
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_true (((RpAgendaItem *) items->pdata[0])->done);
  assert_same (f->a, f->b);
}

static void
test_offline_edits_merge_on_each_connection (Fixture      *f,
                                             gconstpointer data)
{
  g_autofree char *text = NULL;

  type (f->a, 0, "before A ");
  type (f->b, 0, "before B ");
  connect_channel (f);
  settle (f);
  assert_same (f->a, f->b);

  disconnect_channel (f);
  type (f->a, 0, "offline A ");
  g_free (add_item (f->b, "offline topic"));
  /* Edits made while the channel was down do not travel... */
  settle (f);
  text = notes_text (f->b);
  g_assert_null (strstr (text, "offline A "));
  /* ...until the next connection, whose HELLO carries them. */
  connect_channel (f);
  settle (f);
  assert_same (f->a, f->b);
  g_clear_pointer (&text, g_free);
  text = notes_text (f->b);
  g_assert_nonnull (strstr (text, "offline A "));
}

static void
test_long_log_is_compacted_and_loads_the_same (Fixture      *f,
                                               gconstpointer data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (f->a, "compact-threshold", 32, NULL);
  connect_channel (f);
  settle (f);
  for (guint i = 0; i < 300; i++)
    {
      type (f->a, i, "a");
      if (i % 10 == 0)
        {
          type (f->b, 0, "b");
          settle (f);
        }
    }
  settle (f);
  g_assert_true (rp_shared_docs_save (f->a, &error));
  g_assert_no_error (error);
  /* Far fewer stored updates than edits: the log was folded into snapshots. */
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       rp_store_get_update_count (f->store_a, "session/test/notes") >= 40 &&
       g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (rp_store_get_update_count (f->store_a, "session/test/notes"), <, 40);
  before = notes_text (f->a);
  disconnect_channel (f);
  reopen_a (f);
  after = notes_text (f->a);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (g_utf8_strlen (after, -1), ==, 330);
}

static void
capture (RpSharedDocs *from,
         GBytes       *frame,
         GPtrArray    *frames)
{
  g_ptr_array_add (frames, g_bytes_ref (frame));
}

static void
test_malformed_frames_are_refused_and_change_nothing (Fixture      *f,
                                                      gconstpointer data)
{
  static const guint8 garbage[] = { 0xff, 0x00, 0x13, 0x37 };
  static const guint8 bad_blob[] = { 'R', 'P', 'S', 1, 3, 1, 1, 3, 'x', 'y', 'z' };
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GBytes *update;
  guint refused = 0;
  gulong handler;

  type (f->b, 0, "intact");
  connect_channel (f);
  settle (f);
  before = notes_text (f->a);

  frame = g_bytes_new_static (garbage, sizeof garbage);
  g_assert_false (rp_shared_docs_receive (f->a, frame, &error));
  g_assert_error (error, RP_SHARED_DOCS_ERROR, RP_SHARED_DOCS_ERROR_PEER);
  g_clear_error (&error);
  g_clear_pointer (&frame, g_bytes_unref);
  frame = g_bytes_new_static (bad_blob, sizeof bad_blob);
  g_assert_false (rp_shared_docs_receive (f->a, frame, &error));
  g_clear_error (&error);
  refused = 2;

  /* A real update from B, cut short at every length: each refused, none applied. */
  f->b_to_a.connected = FALSE;
  handler = g_signal_connect (f->b, "send", G_CALLBACK (capture), frames);
  type (f->b, 0, "more ");
  rp_shared_docs_flush (f->b);
  g_signal_handler_disconnect (f->b, handler);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  f->b_to_a.connected = TRUE;
  g_assert_cmpuint (frames->len, ==, 1);
  update = frames->pdata[0];
  for (gsize len = 0; len < g_bytes_get_size (update); len++)
    {
      g_autoptr(GBytes) cut = g_bytes_new_from_bytes (update, 0, len);

          g_assert_false (rp_shared_docs_receive (f->a, cut, NULL));
      refused++;
    }
  g_assert_cmpuint (f->errors, ==, refused);
  g_assert_cmpuint (refused, >=, g_bytes_get_size (update));
  after = notes_text (f->a);
  g_assert_cmpstr (after, ==, before);

  /* Whole, it applies; and the documents still sync afterwards. */
  g_assert_true (rp_shared_docs_receive (f->a, update, NULL));
  disconnect_channel (f);
  connect_channel (f);
  settle (f);
  assert_same (f->a, f->b);
}

/* A frame whose first blob is good and whose second is not: RpSync applies the first before it
 * refuses the frame. What was applied must still reach the store. */
static void
test_partly_applied_frame_is_stored (Fixture      *f,
                                     gconstpointer data)
{
  g_autoptr(RpTextDoc) other = rp_text_doc_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) update = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autofree char *text = NULL;
  const guint8 *bytes;
  gsize len;

  rp_text_doc_insert (other, 0, "half a frame", -1, NULL);
  update = rp_text_doc_encode_state (other);
  bytes = g_bytes_get_data (update, &len);
  rp_writer_header (out, "RPS", 1);
  rp_writer_u8 (out, 3);                    /* UPDATE */
  rp_writer_varint (out, 2);
  rp_writer_u8 (out, 1);                    /* notes: good */
  rp_writer_varint (out, len);
  rp_writer_bytes (out, bytes, len);
  rp_writer_u8 (out, 2);                    /* agenda: not an agenda update */
  rp_writer_varint (out, 3);
  rp_writer_bytes (out, "bad", 3);
  frame = g_byte_array_free_to_bytes (g_steal_pointer (&out));

  g_assert_false (rp_shared_docs_receive (f->a, frame, NULL));
  text = notes_text (f->a);
  g_assert_cmpstr (text, ==, "half a frame");
  g_clear_pointer (&text, g_free);
  /* Stored (queued in the store) without a save or a dispose. */
  for (gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
       rp_store_get_update_count (f->store_a, "session/test/notes") == 0 &&
       g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (rp_store_get_update_count (f->store_a, "session/test/notes"), >, 0);
  reopen_a (f);
  text = notes_text (f->a);
  g_assert_cmpstr (text, ==, "half a frame");
}

static void
on_send_app (RpSharedDocs *from,
             JsonNode     *message,
             Link         *link)
{
  if (link->connected)
    g_assert_true (rp_shared_docs_receive_app (link->to, message));
}

static JsonNode *
json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static gboolean
keep_awake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
test_partner_caret_follows_edits (Fixture      *f,
                                  gconstpointer data)
{
  g_autoptr(JsonNode) other = json ("{\"type\":\"note\",\"anchor\":\"end\"}");
  g_autoptr(JsonNode) bad = json ("{\"type\":\"caret\",\"anchor\":7}");
  guint ticker;
  g_autoptr(JsonNode) unknown = json ("{\"type\":\"caret\",\"anchor\":\"00000000000000ff:3\"}");

  g_signal_connect (f->a, "send-app", G_CALLBACK (on_send_app), &f->a_to_b);
  type (f->a, 0, "Hello world");
  g_assert_cmpint (rp_shared_docs_get_partner_caret (f->b), ==, -1);
  connect_channel (f);
  settle (f);
  rp_shared_docs_set_local_caret (f->a, 5);
  g_assert_cmpint (rp_shared_docs_get_partner_caret (f->b), ==, 5);
  /* B types before A's caret: the caret is where it was in the text, not at offset 5. */
  type (f->b, 0, ">> ");
  g_assert_cmpint (rp_shared_docs_get_partner_caret (f->b), ==, 8);
  settle (f);

  /* Not ours, broken, or naming a character B has not seen: B's idea of the caret stays
   * where it was (an unknown anchor resolves to -1 until its character arrives). */
  g_assert_false (rp_shared_docs_receive_app (f->b, other));
  g_assert_true (rp_shared_docs_receive_app (f->b, bad));
  g_assert_cmpint (rp_shared_docs_get_partner_caret (f->b), ==, 8);
  g_assert_true (rp_shared_docs_receive_app (f->b, unknown));
  g_assert_cmpint (rp_shared_docs_get_partner_caret (f->b), ==, -1);

  /* Moves within the interval are sent once, at its end: the latest one. */
  rp_shared_docs_set_local_caret (f->a, 1);
  rp_shared_docs_set_local_caret (f->a, 2);
  rp_shared_docs_set_local_caret (f->a, 11);
  ticker = g_timeout_add (20, keep_awake, NULL);
  for (gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
       rp_shared_docs_get_partner_caret (f->b) != 11 && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (ticker);
  g_assert_cmpint (rp_shared_docs_get_partner_caret (f->b), ==, 11);

  /* A closed channel forgets it. */
  disconnect_channel (f);
  g_assert_cmpint (rp_shared_docs_get_partner_caret (f->b), ==, -1);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RpSharedDocs **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rp_shared_docs_new_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_loads_asynchronously (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr(RpSharedDocs) loaded = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  type (f->a, 0, "kept on disk");
  g_free (add_item (f->a, "Goals"));
  g_assert_true (rp_shared_docs_save (f->a, &error));
  g_assert_no_error (error);
  rp_shared_docs_new_async (f->store_a, "session/test", "room-token", NULL, on_loaded, &loaded);
  while (loaded == NULL)
    g_main_context_iteration (NULL, TRUE);
  text = notes_text (loaded);
  g_assert_cmpstr (text, ==, "kept on disk");
  items = rp_agenda_list_items (rp_shared_docs_get_agenda (loaded));
  g_assert_cmpuint (items->len, ==, 1);
  /* A second copy of the same documents, with replica ids of its own. */
  g_assert_cmpuint (rp_text_doc_get_replica_id (rp_shared_docs_get_notes (loaded)), !=,
                    rp_text_doc_get_replica_id (rp_shared_docs_get_notes (f->a)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/shared-docs/store/remote-and-local-edits-resume-after-restart", Fixture, NULL,
              fixture_set_up, test_remote_and_local_edits_resume_after_restart,
              fixture_tear_down);
  g_test_add ("/shared-docs/sync/partner-caret-follows-edits", Fixture, NULL,
              fixture_set_up, test_partner_caret_follows_edits, fixture_tear_down);
  g_test_add ("/shared-docs/sync/offline-edits-merge-on-each-connection", Fixture, NULL,
              fixture_set_up, test_offline_edits_merge_on_each_connection, fixture_tear_down);
  g_test_add ("/shared-docs/store/long-log-is-compacted-and-loads-the-same", Fixture, NULL,
              fixture_set_up, test_long_log_is_compacted_and_loads_the_same, fixture_tear_down);
  g_test_add ("/shared-docs/sync/malformed-frames-are-refused-and-change-nothing", Fixture, NULL,
              fixture_set_up, test_malformed_frames_are_refused_and_change_nothing,
              fixture_tear_down);
  g_test_add ("/shared-docs/store/partly-applied-refused-frame-is-still-stored", Fixture, NULL,
              fixture_set_up, test_partly_applied_frame_is_stored, fixture_tear_down);
  g_test_add ("/shared-docs/store/loads-asynchronously-with-fresh-replica-ids", Fixture, NULL,
              fixture_set_up, test_loads_asynchronously, fixture_tear_down);
  return g_test_run ();
}
