/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keeps the notes and the agenda of one session equal on both sides of the data channel.
 *
 * When the channel opens each side says what it has (a HELLO with each document's state
 * vector); each answers with what the other lacks (a DIFF); from then on local edits stream as
 * UPDATE frames, batched over a few milliseconds so that a burst of typing is one message.
 * Frames are binary and versioned (docs/SYNC.md). Everything a peer sends is checked before it
 * touches a document, and the documents check their own blobs again: a broken or hostile frame
 * is refused with an error and leaves both documents as they were.
 *
 * This object only encodes and decodes; the session moves the bytes ("send" signal out,
 * rp_sync_receive in), so the codec runs the same under tests, the fuzzer and a real call.
 */
#include "config.h"

#include <string.h>

#include "rp-codec.h"
#include "rp-sync.h"

#define SYNC_MAGIC "RPS"
#define SYNC_VERSION 1
#define MAX_DOC_SET_ID 256
#define MAX_BLOBS 4096
#define DEFAULT_BATCH_MS 30

G_DEFINE_QUARK (rp-sync-error-quark, rp_sync_error)

struct _RpSync
{
  GObject     parent_instance;

  RpTextDoc  *notes;
  RpAgenda   *agenda;
  char       *doc_set_id;
  guint       batch_ms;
  gboolean    started;
  gboolean    synced;
  GPtrArray  *queue;      /* Blob* waiting for the next UPDATE frame */
  guint       flush_id;
  gulong      notes_handler;
  gulong      agenda_handler;
};

G_DEFINE_FINAL_TYPE (RpSync, rp_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NOTES,
  PROP_AGENDA,
  PROP_DOC_SET_ID,
  PROP_BATCH_MS,
  PROP_SYNCED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SEND,
  SIGNAL_MERGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  guint8  doc;
  GBytes *bytes;
} Blob;

static void
blob_free (gpointer data)
{
  Blob *blob = data;

  g_bytes_unref (blob->bytes);
  g_free (blob);
}

static Blob *
blob_new (guint8  doc,
          GBytes *bytes)
{
  Blob *blob = g_new (Blob, 1);

  blob->doc = doc;
  blob->bytes = bytes;
  return blob;
}

/* --- frames ----------------------------------------------------------------------------- */

static GBytes *
encode_frame (guint8      type,
              const char *doc_set_id,
              GPtrArray  *blobs)
{
  GByteArray *out = g_byte_array_new ();

  rp_writer_header (out, SYNC_MAGIC, SYNC_VERSION);
  rp_writer_u8 (out, type);
  if (type == RP_SYNC_FRAME_HELLO)
    rp_writer_string (out, doc_set_id);
  rp_writer_varint (out, blobs->len);
  for (guint i = 0; i < blobs->len; i++)
    {
      const Blob *blob = blobs->pdata[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (blob->bytes, &len);

      rp_writer_u8 (out, blob->doc);
      rp_writer_varint (out, len);
      rp_writer_bytes (out, data, len);
    }
  return g_byte_array_free_to_bytes (out);
}

static gboolean
decode_frame (GBytes     *frame,
              guint8     *type,
              char      **doc_set_id,
              GPtrArray  *blobs,
              GError    **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);
  RpReader r;
  guint64 n;

  if (size > RP_SYNC_MAX_FRAME)
    {
      g_set_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MALFORMED,
                   "A sync frame of %" G_GSIZE_FORMAT " bytes is larger than allowed", size);
      return FALSE;
    }
  rp_reader_init (&r, data, size);
  if (!rp_reader_header (&r, SYNC_MAGIC, SYNC_VERSION, error) ||
      !rp_reader_u8 (&r, type, error))
    return FALSE;
  if (*type < RP_SYNC_FRAME_HELLO || *type > RP_SYNC_FRAME_UPDATE)
    {
      g_set_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MALFORMED,
                   "Unknown sync frame type %u", *type);
      return FALSE;
    }
  if (*type == RP_SYNC_FRAME_HELLO &&
      !rp_reader_string (&r, MAX_DOC_SET_ID, "document set id", doc_set_id, error))
    return FALSE;
  /* Each blob takes at least two bytes. */
  if (!rp_reader_varint (&r, MIN (MAX_BLOBS, rp_reader_remaining (&r) / 2), "blob count", &n,
                         error))
    return FALSE;
  for (guint64 i = 0; i < n; i++)
    {
      guint8 doc;
      guint64 len;
      const guint8 *bytes;

      if (!rp_reader_u8 (&r, &doc, error) ||
          !rp_reader_varint (&r, rp_reader_remaining (&r), "blob length", &len, error) ||
          !rp_reader_bytes (&r, len, &bytes, error))
        return FALSE;
      /* Documents this version does not know are skipped, so a later version can add some. */
      if (doc == RP_SYNC_DOC_NOTES || doc == RP_SYNC_DOC_AGENDA)
        g_ptr_array_add (blobs, blob_new (doc, g_bytes_new_from_bytes (frame, bytes - data, len)));
    }
  if (rp_reader_remaining (&r) != 0)
    {
      g_set_error_literal (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MALFORMED,
                           "Extra bytes after the end of a sync frame");
      return FALSE;
    }
  return TRUE;
}

static void
send_frame (RpSync    *self,
            guint8     type,
            GPtrArray *blobs)
{
  g_autoptr(GBytes) frame = encode_frame (type, self->doc_set_id, blobs);

  g_signal_emit (self, signals[SIGNAL_SEND], 0, frame);
}

/* --- streaming local edits ------------------------------------------------------------- */

static gboolean
flush_cb (gpointer data)
{
  RpSync *self = data;

  self->flush_id = 0;
  rp_sync_flush (self);
  return G_SOURCE_REMOVE;
}

static void
queue_blob (RpSync *self,
            guint8  doc,
            GBytes *update)
{
  /* Before the channel is open nothing is queued: the HELLO/DIFF exchange covers it. */
  if (!self->started)
    return;
  g_ptr_array_add (self->queue, blob_new (doc, g_bytes_ref (update)));
  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (self->batch_ms, flush_cb, self);
}

static void
notes_update_cb (RpTextDoc *notes,
                 GBytes    *update,
                 RpSync    *self)
{
  queue_blob (self, RP_SYNC_DOC_NOTES, update);
}

static void
agenda_update_cb (RpAgenda *agenda,
                  GBytes   *update,
                  RpSync   *self)
{
  queue_blob (self, RP_SYNC_DOC_AGENDA, update);
}

void
rp_sync_flush (RpSync *self)
{
  g_autoptr(GPtrArray) batch = NULL;

  g_return_if_fail (RP_IS_SYNC (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->queue->len == 0)
    return;
  batch = g_steal_pointer (&self->queue);
  self->queue = g_ptr_array_new_with_free_func (blob_free);
  send_frame (self, RP_SYNC_FRAME_UPDATE, batch);
}

/* --- the exchange ----------------------------------------------------------------------- */

static GPtrArray *
state_vectors (RpSync *self)
{
  GPtrArray *blobs = g_ptr_array_new_with_free_func (blob_free);

  g_ptr_array_add (blobs, blob_new (RP_SYNC_DOC_NOTES,
                                    rp_text_doc_encode_state_vector (self->notes)));
  g_ptr_array_add (blobs, blob_new (RP_SYNC_DOC_AGENDA,
                                    rp_agenda_encode_state_vector (self->agenda)));
  return blobs;
}

void
rp_sync_start (RpSync *self)
{
  g_autoptr(GPtrArray) hello = NULL;

  g_return_if_fail (RP_IS_SYNC (self));

  self->started = TRUE;
  hello = state_vectors (self);
  send_frame (self, RP_SYNC_FRAME_HELLO, hello);
}

void
rp_sync_stop (RpSync *self)
{
  g_return_if_fail (RP_IS_SYNC (self));

  self->started = FALSE;
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_ptr_array_set_size (self->queue, 0);
  if (self->synced)
    {
      self->synced = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
    }
}

static gboolean
answer_hello (RpSync     *self,
              const char *peer_set_id,
              GPtrArray  *vectors,
              GError    **error)
{
  g_autoptr(GPtrArray) diff = g_ptr_array_new_with_free_func (blob_free);
  gboolean have_notes = FALSE, have_agenda = FALSE;

  if (*peer_set_id != '\0' && self->doc_set_id != NULL && *self->doc_set_id != '\0' &&
      strcmp (peer_set_id, self->doc_set_id) != 0)
    {
      g_set_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MISMATCH,
                   "The peer shares other documents (“%s”, not “%s”)", peer_set_id,
                   self->doc_set_id);
      return FALSE;
    }
  for (guint i = 0; i < vectors->len; i++)
    {
      const Blob *sv = vectors->pdata[i];
      GBytes *d;

      if (sv->doc == RP_SYNC_DOC_NOTES && !have_notes)
        d = rp_text_doc_encode_diff (self->notes, sv->bytes, error);
      else if (sv->doc == RP_SYNC_DOC_AGENDA && !have_agenda)
        d = rp_agenda_encode_diff (self->agenda, sv->bytes, error);
      else
        continue;
      if (d == NULL)
        return FALSE;
      have_notes |= sv->doc == RP_SYNC_DOC_NOTES;
      have_agenda |= sv->doc == RP_SYNC_DOC_AGENDA;
      g_ptr_array_add (diff, blob_new (sv->doc, d));
    }
  /* A document the peer said nothing about: it lacks all of it. */
  if (!have_notes)
    g_ptr_array_add (diff, blob_new (RP_SYNC_DOC_NOTES, rp_text_doc_encode_state (self->notes)));
  if (!have_agenda)
    g_ptr_array_add (diff, blob_new (RP_SYNC_DOC_AGENDA, rp_agenda_encode_state (self->agenda)));
  send_frame (self, RP_SYNC_FRAME_DIFF, diff);
  return TRUE;
}

static gboolean
apply_blobs (RpSync    *self,
             GPtrArray *blobs,
             GError   **error)
{
  for (guint i = 0; i < blobs->len; i++)
    {
      const Blob *blob = blobs->pdata[i];
      g_autoptr(GError) doc_error = NULL;
      gboolean ok = blob->doc == RP_SYNC_DOC_NOTES ?
                    rp_text_doc_apply_update (self->notes, blob->bytes, &doc_error) :
                    rp_agenda_apply_update (self->agenda, blob->bytes, &doc_error);

      if (!ok)
        {
          g_set_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_REFUSED, "%s", doc_error->message);
          return FALSE;
        }
      g_signal_emit (self, signals[SIGNAL_MERGED], 0, (guint) blob->doc, blob->bytes);
    }
  return TRUE;
}

static gboolean
receive_frame (RpSync  *self,
               GBytes  *frame,
               GError **error)
{
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func (blob_free);
  g_autofree char *peer_set_id = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 type;

  if (!decode_frame (frame, &type, &peer_set_id, blobs, &local_error))
    {
      if (local_error->domain == RP_CODEC_ERROR &&
          local_error->code == RP_CODEC_ERROR_UNSUPPORTED)
        g_set_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_VERSION,
                     "The peer speaks another sync protocol: %s", local_error->message);
      else
        g_set_error (error, RP_SYNC_ERROR, RP_SYNC_ERROR_MALFORMED,
                     "Malformed sync frame: %s", local_error->message);
      return FALSE;
    }
  switch (type)
    {
    case RP_SYNC_FRAME_HELLO:
      return answer_hello (self, peer_set_id, blobs, error);
    case RP_SYNC_FRAME_DIFF:
      if (!apply_blobs (self, blobs, error))
        return FALSE;
      if (!self->synced)
        {
          self->synced = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
        }
      return TRUE;
    case RP_SYNC_FRAME_UPDATE:
      return apply_blobs (self, blobs, error);
    default:
      g_assert_not_reached ();
    }
}

/* Handles one binary message from the peer. A frame is checked whole before anything in it
 * is applied; each document blob is then applied only if the document accepts all of it.
 * A refused frame is logged here (a peer's misbehaviour is worth a line in the log) and
 * returned as an error. */
gboolean
rp_sync_receive (RpSync  *self,
                 GBytes  *frame,
                 GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RP_IS_SYNC (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  if (receive_frame (self, frame, &local_error))
    return TRUE;
  g_message ("Refused a sync frame of %" G_GSIZE_FORMAT " bytes from the peer: %s",
             g_bytes_get_size (frame), local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
rp_sync_is_synced (RpSync *self)
{
  g_return_val_if_fail (RP_IS_SYNC (self), FALSE);
  return self->synced;
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
rp_sync_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  RpSync *self = RP_SYNC (object);

  switch (prop_id)
    {
    case PROP_NOTES:
      g_value_set_object (value, self->notes);
      break;
    case PROP_AGENDA:
      g_value_set_object (value, self->agenda);
      break;
    case PROP_DOC_SET_ID:
      g_value_set_string (value, self->doc_set_id);
      break;
    case PROP_BATCH_MS:
      g_value_set_uint (value, self->batch_ms);
      break;
    case PROP_SYNCED:
      g_value_set_boolean (value, self->synced);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_sync_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  RpSync *self = RP_SYNC (object);

  switch (prop_id)
    {
    case PROP_NOTES:
      self->notes = g_value_dup_object (value);
      break;
    case PROP_AGENDA:
      self->agenda = g_value_dup_object (value);
      break;
    case PROP_DOC_SET_ID:
      g_free (self->doc_set_id);
      self->doc_set_id = g_value_dup_string (value);
      break;
    case PROP_BATCH_MS:
      self->batch_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_sync_constructed (GObject *object)
{
  RpSync *self = RP_SYNC (object);

  G_OBJECT_CLASS (rp_sync_parent_class)->constructed (object);

  if (self->notes == NULL)
    self->notes = rp_text_doc_new ();
  if (self->agenda == NULL)
    self->agenda = rp_agenda_new ();
  self->notes_handler = g_signal_connect (self->notes, "update",
                                          G_CALLBACK (notes_update_cb), self);
  self->agenda_handler = g_signal_connect (self->agenda, "update",
                                           G_CALLBACK (agenda_update_cb), self);
}

static void
rp_sync_dispose (GObject *object)
{
  RpSync *self = RP_SYNC (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_signal_handler (&self->notes_handler, self->notes);
  g_clear_signal_handler (&self->agenda_handler, self->agenda);
  g_clear_object (&self->notes);
  g_clear_object (&self->agenda);

  G_OBJECT_CLASS (rp_sync_parent_class)->dispose (object);
}

static void
rp_sync_finalize (GObject *object)
{
  RpSync *self = RP_SYNC (object);

  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_clear_pointer (&self->doc_set_id, g_free);

  G_OBJECT_CLASS (rp_sync_parent_class)->finalize (object);
}

static void
rp_sync_class_init (RpSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_sync_get_property;
  object_class->set_property = rp_sync_set_property;
  object_class->constructed = rp_sync_constructed;
  object_class->dispose = rp_sync_dispose;
  object_class->finalize = rp_sync_finalize;

  properties[PROP_NOTES] =
    g_param_spec_object ("notes", NULL, NULL, RP_TYPE_TEXT_DOC,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGENDA] =
    g_param_spec_object ("agenda", NULL, NULL, RP_TYPE_AGENDA,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Which documents these are (e.g. the session's id): a peer syncing other ones is refused
   * rather than merged. Empty: not checked. */
  properties[PROP_DOC_SET_ID] =
    g_param_spec_string ("doc-set-id", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* How long local edits gather before they go out as one UPDATE frame. */
  properties[PROP_BATCH_MS] =
    g_param_spec_uint ("batch-ms", NULL, NULL, 0, 1000, DEFAULT_BATCH_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* TRUE once the peer's answer to our HELLO has been merged. */
  properties[PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A binary frame for the data channel. */
  signals[SIGNAL_SEND] =
    g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* A peer's update blob (RpSyncDoc, bytes) that a document has just merged: the store
   * appends it like a local one, so what the peer sent is durable too. */
  signals[SIGNAL_MERGED] =
    g_signal_new ("merged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BYTES);
}

static void
rp_sync_init (RpSync *self)
{
  self->queue = g_ptr_array_new_with_free_func (blob_free);
  self->batch_ms = DEFAULT_BATCH_MS;
}

RpSync *
rp_sync_new (RpTextDoc  *notes,
             RpAgenda   *agenda,
             const char *doc_set_id)
{
  return g_object_new (RP_TYPE_SYNC, "notes", notes, "agenda", agenda,
                       "doc-set-id", doc_set_id ? doc_set_id : "", NULL);
}
