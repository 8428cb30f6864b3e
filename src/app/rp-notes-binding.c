/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Binds the Notes tab's GtkTextBuffer to the session's notes document (RpTextDoc).
 *
 * Both count positions in Unicode characters, so a buffer offset is a document position.
 * Local typing: the buffer's insert-text (after the default handler, when the inserted range is
 * known) and delete-range (before it, while the text is still there) become document
 * operations. Remote edits: the document's remote-insert / remote-delete are applied to the
 * buffer with the handlers above muted; the cursor and the selection are put back where they
 * were relative to the text around them (an insertion exactly at the cursor goes after it).
 *
 * Undo covers one's own edits only. A step remembers its text by GtkTextMarks, not offsets,
 * so the partner's edits around it move it along; an insertion is a list of segments, split
 * when the partner types into the middle of it, so undoing it never deletes their words.
 * Undo and redo are themselves local edits and reach the peer like typing does.
 *
 * The partner's last edit is shown as a paragraph background on its line, for a few seconds.
 */
#include "config.h"

#include "rp-notes-binding.h"

/* Typing pauses longer than this start a new undo step. */
#define MERGE_US (1 * G_USEC_PER_SEC)
#define PARTNER_SHOWN_S 4
#define MAX_UNDO 500

typedef struct {
  GtkTextMark *start;   /* right gravity: text the partner types just before stays out */
  GtkTextMark *end;     /* left gravity: text the partner types just after stays out */
} Segment;

typedef enum {
  STEP_INSERTED,        /* undo deletes the segments */
  STEP_REMOVED,         /* undo puts text back at `at` */
} StepKind;

typedef struct {
  StepKind     kind;
  GPtrArray   *segments;  /* Segment*, STEP_INSERTED */
  GtkTextMark *at;        /* STEP_REMOVED */
  char        *text;      /* STEP_REMOVED */
  gint64       time_us;
} Step;

struct _RpNotesBinding
{
  GObject        parent_instance;

  GtkTextBuffer *buffer;
  RpTextDoc     *doc;
  GtkTextTag    *partner_tag;
  GtkTextMark   *partner_mark;
  guint          partner_timeout_id;
  guint          resync_id;

  GPtrArray     *undo;    /* Step*, oldest first */
  GPtrArray     *redo;
  gboolean       applying_remote;
  gboolean       replaying;   /* undo/redo in progress: edit the doc, record elsewhere */
};

G_DEFINE_FINAL_TYPE (RpNotesBinding, rp_notes_binding, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUFFER,
  PROP_DOC,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_PARTNER_OFFSET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- undo steps ------------------------------------------------------------------------- */

static GtkTextMark *
mark_at (GtkTextBuffer *buffer,
         gint           offset,
         gboolean       left_gravity)
{
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset);
  return g_object_ref (gtk_text_buffer_create_mark (buffer, NULL, &iter, left_gravity));
}

static void
drop_mark (GtkTextMark *mark)
{
  GtkTextBuffer *buffer = gtk_text_mark_get_buffer (mark);

  if (buffer != NULL)
    gtk_text_buffer_delete_mark (buffer, mark);
  g_object_unref (mark);
}

static gint
mark_offset (GtkTextMark *mark)
{
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (gtk_text_mark_get_buffer (mark), &iter, mark);
  return gtk_text_iter_get_offset (&iter);
}

static Segment *
segment_new (GtkTextBuffer *buffer,
             gint           start,
             gint           end)
{
  Segment *seg = g_new (Segment, 1);

  seg->start = mark_at (buffer, start, FALSE);
  seg->end = mark_at (buffer, end, TRUE);
  return seg;
}

static void
segment_free (gpointer data)
{
  Segment *seg = data;

  drop_mark (seg->start);
  drop_mark (seg->end);
  g_free (seg);
}

static Step *
step_inserted (GtkTextBuffer *buffer,
               gint           start,
               gint           end)
{
  Step *step = g_new0 (Step, 1);

  step->kind = STEP_INSERTED;
  step->segments = g_ptr_array_new_with_free_func (segment_free);
  g_ptr_array_add (step->segments, segment_new (buffer, start, end));
  step->time_us = g_get_monotonic_time ();
  return step;
}

static Step *
step_removed (GtkTextBuffer *buffer,
              gint           at,
              char          *text)
{
  Step *step = g_new0 (Step, 1);

  step->kind = STEP_REMOVED;
  step->at = mark_at (buffer, at, TRUE);
  step->text = text;
  step->time_us = g_get_monotonic_time ();
  return step;
}

static void
step_free (gpointer data)
{
  Step *step = data;

  g_clear_pointer (&step->segments, g_ptr_array_unref);
  g_clear_pointer (&step->at, drop_mark);
  g_free (step->text);
  g_free (step);
}

static void
notify_undo_state (RpNotesBinding *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

static void
push_step (RpNotesBinding *self,
           GPtrArray      *stack,
           Step           *step)
{
  g_ptr_array_add (stack, step);
  if (stack->len > MAX_UNDO)
    g_ptr_array_remove_index (stack, 0);
}

static Step *
last_step (GPtrArray *stack)
{
  return stack->len > 0 ? stack->pdata[stack->len - 1] : NULL;
}

/* Typing one character after another (no pause, no word break) extends the last step. */
static gboolean
extends_insert (Step       *last,
                gint        start,
                const char *text)
{
  Segment *seg;

  if (last == NULL || last->kind != STEP_INSERTED || last->segments->len == 0 ||
      g_get_monotonic_time () - last->time_us > MERGE_US || g_unichar_isspace (g_utf8_get_char (text)))
    return FALSE;
  seg = last->segments->pdata[last->segments->len - 1];
  return mark_offset (seg->end) == start;
}

static void
record_insert (RpNotesBinding *self,
               gint            start,
               gint            end,
               const char     *text)
{
  Step *last = last_step (self->undo);

  if (extends_insert (last, start, text))
    {
      Segment *seg = last->segments->pdata[last->segments->len - 1];
      GtkTextIter iter;

      gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, end);
      gtk_text_buffer_move_mark (self->buffer, seg->end, &iter);
      last->time_us = g_get_monotonic_time ();
    }
  else
    push_step (self, self->undo, step_inserted (self->buffer, start, end));
}

static void
record_delete (RpNotesBinding *self,
               gint            start,
               gint            end,
               char           *text)
{
  Step *last = last_step (self->undo);

  /* A run of backspaces is one step. */
  if (last != NULL && last->kind == STEP_REMOVED &&
      g_get_monotonic_time () - last->time_us < MERGE_US && mark_offset (last->at) == end)
    {
      char *joined = g_strconcat (text, last->text, NULL);
      GtkTextIter iter;

      g_free (last->text);
      g_free (text);
      last->text = joined;
      gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, start);
      gtk_text_buffer_move_mark (self->buffer, last->at, &iter);
      last->time_us = g_get_monotonic_time ();
      return;
    }
  push_step (self, self->undo, step_removed (self->buffer, start, text));
}

/* The partner typed `len` characters at `pos`, strictly inside one of our insertions: cut the
 * segment in two around their text so that undo leaves it alone. */
static void
split_segments (RpNotesBinding *self,
                GPtrArray      *stack,
                gint            pos,
                gint            len)
{
  for (guint i = 0; i < stack->len; i++)
    {
      Step *step = stack->pdata[i];

      for (guint j = 0; step->kind == STEP_INSERTED && j < step->segments->len; j++)
        {
          Segment *seg = step->segments->pdata[j];
          gint s = mark_offset (seg->start), e = mark_offset (seg->end);
          GtkTextIter iter;

          if (!(s < pos && pos < e))
            continue;
          g_ptr_array_insert (step->segments, j + 1, segment_new (self->buffer, pos + len, e));
          gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, pos);
          gtk_text_buffer_move_mark (self->buffer, seg->end, &iter);
          j++;
        }
    }
}

/* Applies the inverse of `step` to the buffer (the handlers forward it to the doc) and returns
 * the step that inverts it back. */
static Step *
replay (RpNotesBinding *self,
        Step           *step)
{
  GtkTextIter a, b;

  self->replaying = TRUE;
  if (step->kind == STEP_REMOVED)
    {
      gint at = mark_offset (step->at);
      glong len = g_utf8_strlen (step->text, -1);

      gtk_text_buffer_get_iter_at_offset (self->buffer, &a, at);
      gtk_text_buffer_insert (self->buffer, &a, step->text, -1);
      gtk_text_buffer_place_cursor (self->buffer, &a);
      self->replaying = FALSE;
      return step_inserted (self->buffer, at, at + (gint) len);
    }
  else
    {
      g_autoptr(GString) text = g_string_new (NULL);
      gint at = -1;

      for (guint i = step->segments->len; i > 0; i--)
        {
          Segment *seg = step->segments->pdata[i - 1];
          g_autofree char *piece = NULL;

          gtk_text_buffer_get_iter_at_mark (self->buffer, &a, seg->start);
          gtk_text_buffer_get_iter_at_mark (self->buffer, &b, seg->end);
          if (gtk_text_iter_compare (&a, &b) >= 0)
            continue;
          piece = gtk_text_buffer_get_slice (self->buffer, &a, &b, TRUE);
          g_string_prepend (text, piece);
          at = gtk_text_iter_get_offset (&a);
          gtk_text_buffer_delete (self->buffer, &a, &b);
          gtk_text_buffer_place_cursor (self->buffer, &a);
        }
      self->replaying = FALSE;
      return step_removed (self->buffer, MAX (at, 0), g_string_free (g_steal_pointer (&text),
                                                                    FALSE));
    }
}

static void
undo_redo (RpNotesBinding *self,
           GPtrArray      *from,
           GPtrArray      *to)
{
  Step *step;

  if (from->len == 0)
    return;
  step = g_ptr_array_steal_index (from, from->len - 1);
  push_step (self, to, replay (self, step));
  step_free (step);
  notify_undo_state (self);
}

/* --- buffer → document ------------------------------------------------------------------ */

static gboolean resync_cb (gpointer data);

static void
out_of_step (RpNotesBinding *self,
             const GError   *error)
{
  /* The document refused a local edit (it is too large): show what the document holds. */
  g_warning ("The notes refused an edit (%s); showing the shared text again", error->message);
  if (self->resync_id == 0)
    self->resync_id = g_idle_add (resync_cb, self);
}

static void
on_insert_text (GtkTextBuffer  *buffer,
                GtkTextIter    *location,
                const char     *text,
                int             len,
                RpNotesBinding *self)
{
  g_autoptr(GError) error = NULL;
  gint end = gtk_text_iter_get_offset (location);
  gint start = end - (gint) g_utf8_strlen (text, len);

  if (self->applying_remote)
    return;
  if (!rp_text_doc_insert (self->doc, start, text, len, &error))
    {
      out_of_step (self, error);
      return;
    }
  if (self->replaying)
    return;
  record_insert (self, start, end, text);
  g_ptr_array_set_size (self->redo, 0);
  notify_undo_state (self);
}

static void
on_delete_range (GtkTextBuffer  *buffer,
                 GtkTextIter    *start,
                 GtkTextIter    *end,
                 RpNotesBinding *self)
{
  g_autoptr(GError) error = NULL;
  gint s = gtk_text_iter_get_offset (start), e = gtk_text_iter_get_offset (end);

  if (self->applying_remote || s == e)
    return;
  if (!rp_text_doc_delete (self->doc, s, e - s, &error))
    {
      out_of_step (self, error);
      return;
    }
  if (self->replaying)
    return;
  record_delete (self, s, e, gtk_text_buffer_get_slice (buffer, start, end, TRUE));
  g_ptr_array_set_size (self->redo, 0);
  notify_undo_state (self);
}

/* --- document → buffer ------------------------------------------------------------------ */

static gboolean
partner_timeout_cb (gpointer data)
{
  RpNotesBinding *self = data;
  GtkTextIter start, end;

  self->partner_timeout_id = 0;
  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->partner_tag, &start, &end);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTNER_OFFSET]);
  return G_SOURCE_REMOVE;
}

static void
show_partner_at (RpNotesBinding *self,
                 gint            offset)
{
  GtkTextIter start, end, caret;

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->partner_tag, &start, &end);
  gtk_text_buffer_get_iter_at_offset (self->buffer, &caret, offset);
  gtk_text_buffer_move_mark (self->buffer, self->partner_mark, &caret);
  start = caret;
  gtk_text_iter_set_line_offset (&start, 0);
  end = caret;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);
  gtk_text_buffer_apply_tag (self->buffer, self->partner_tag, &start, &end);
  g_clear_handle_id (&self->partner_timeout_id, g_source_remove);
  self->partner_timeout_id = g_timeout_add_seconds (PARTNER_SHOWN_S, partner_timeout_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTNER_OFFSET]);
}

static gboolean
in_range (RpNotesBinding *self,
          guint           pos)
{
  if (pos <= (guint) gtk_text_buffer_get_char_count (self->buffer))
    return TRUE;
  g_warning ("A remote edit at %u is past the end of the notes view; showing the text again",
             pos);
  if (self->resync_id == 0)
    self->resync_id = g_idle_add (resync_cb, self);
  return FALSE;
}

static void
on_remote_insert (RpTextDoc      *doc,
                  guint           pos,
                  const char     *text,
                  RpNotesBinding *self)
{
  GtkTextIter iter, ins, sel;
  gint len = (gint) g_utf8_strlen (text, -1);
  gint cursor, bound;

  if (!in_range (self, pos))
    return;
  gtk_text_buffer_get_iter_at_mark (self->buffer, &ins, gtk_text_buffer_get_insert (self->buffer));
  gtk_text_buffer_get_iter_at_mark (self->buffer, &sel,
                                    gtk_text_buffer_get_selection_bound (self->buffer));
  cursor = gtk_text_iter_get_offset (&ins);
  bound = gtk_text_iter_get_offset (&sel);

  self->applying_remote = TRUE;
  gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, (gint) pos);
  gtk_text_buffer_insert (self->buffer, &iter, text, -1);
  self->applying_remote = FALSE;

  /* Text after the cursor's place moves it along; text at or after it does not. */
  gtk_text_buffer_get_iter_at_offset (self->buffer, &ins, cursor > (gint) pos ? cursor + len
                                                                              : cursor);
  gtk_text_buffer_get_iter_at_offset (self->buffer, &sel, bound > (gint) pos ? bound + len
                                                                             : bound);
  gtk_text_buffer_select_range (self->buffer, &ins, &sel);
  split_segments (self, self->undo, (gint) pos, len);
  split_segments (self, self->redo, (gint) pos, len);
  show_partner_at (self, (gint) pos + len);
}

static void
on_remote_delete (RpTextDoc      *doc,
                  guint           pos,
                  guint           len,
                  RpNotesBinding *self)
{
  GtkTextIter start, end;

  if (!in_range (self, pos + len))
    return;
  /* Marks inside the deleted text collapse onto its start: cursor and selection follow. */
  self->applying_remote = TRUE;
  gtk_text_buffer_get_iter_at_offset (self->buffer, &start, (gint) pos);
  gtk_text_buffer_get_iter_at_offset (self->buffer, &end, (gint) (pos + len));
  gtk_text_buffer_delete (self->buffer, &start, &end);
  self->applying_remote = FALSE;
  show_partner_at (self, (gint) pos);
}

/* Shows the document's text as it is; undo history is dropped (its marks would be wrong). */
static void
resync (RpNotesBinding *self)
{
  g_autofree char *text = rp_text_doc_get_text (self->doc);

  self->applying_remote = TRUE;
  gtk_text_buffer_set_text (self->buffer, text, -1);
  self->applying_remote = FALSE;
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  notify_undo_state (self);
}

static gboolean
resync_cb (gpointer data)
{
  RpNotesBinding *self = data;

  self->resync_id = 0;
  resync (self);
  return G_SOURCE_REMOVE;
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
rp_notes_binding_constructed (GObject *object)
{
  RpNotesBinding *self = RP_NOTES_BINDING (object);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (self->buffer);
  GtkTextIter start;

  G_OBJECT_CLASS (rp_notes_binding_parent_class)->constructed (object);

  self->partner_tag = gtk_text_tag_table_lookup (table, RP_NOTES_BINDING_PARTNER_TAG);
  if (self->partner_tag == NULL)
    self->partner_tag = gtk_text_buffer_create_tag (self->buffer, RP_NOTES_BINDING_PARTNER_TAG,
                                                    "paragraph-background-rgba",
                                                    &(GdkRGBA) { 0.95, 0.75, 0.2, 0.18 },
                                                    NULL);
  g_object_ref (self->partner_tag);
  gtk_text_buffer_get_start_iter (self->buffer, &start);
  self->partner_mark = g_object_ref (gtk_text_buffer_create_mark (self->buffer, NULL, &start,
                                                                  TRUE));
  resync (self);
  g_signal_connect_after (self->buffer, "insert-text", G_CALLBACK (on_insert_text), self);
  g_signal_connect (self->buffer, "delete-range", G_CALLBACK (on_delete_range), self);
  g_signal_connect (self->doc, "remote-insert", G_CALLBACK (on_remote_insert), self);
  g_signal_connect (self->doc, "remote-delete", G_CALLBACK (on_remote_delete), self);
}

static void
rp_notes_binding_dispose (GObject *object)
{
  RpNotesBinding *self = RP_NOTES_BINDING (object);

  g_clear_handle_id (&self->partner_timeout_id, g_source_remove);
  g_clear_handle_id (&self->resync_id, g_source_remove);
  if (self->buffer != NULL)
    g_signal_handlers_disconnect_by_data (self->buffer, self);
  if (self->doc != NULL)
    g_signal_handlers_disconnect_by_data (self->doc, self);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->partner_mark, drop_mark);
  g_clear_object (&self->partner_tag);
  g_clear_object (&self->buffer);
  g_clear_object (&self->doc);

  G_OBJECT_CLASS (rp_notes_binding_parent_class)->dispose (object);
}

static void
rp_notes_binding_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RpNotesBinding *self = RP_NOTES_BINDING (object);

  switch (prop_id)
    {
    case PROP_BUFFER: g_value_set_object (value, self->buffer); break;
    case PROP_DOC: g_value_set_object (value, self->doc); break;
    case PROP_CAN_UNDO: g_value_set_boolean (value, rp_notes_binding_can_undo (self)); break;
    case PROP_CAN_REDO: g_value_set_boolean (value, rp_notes_binding_can_redo (self)); break;
    case PROP_PARTNER_OFFSET:
      g_value_set_int (value, rp_notes_binding_get_partner_offset (self));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_notes_binding_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RpNotesBinding *self = RP_NOTES_BINDING (object);

  switch (prop_id)
    {
    case PROP_BUFFER: self->buffer = g_value_dup_object (value); break;
    case PROP_DOC: self->doc = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_notes_binding_class_init (RpNotesBindingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = rp_notes_binding_constructed;
  object_class->dispose = rp_notes_binding_dispose;
  object_class->get_property = rp_notes_binding_get_property;
  object_class->set_property = rp_notes_binding_set_property;

  properties[PROP_BUFFER] =
    g_param_spec_object ("buffer", NULL, NULL, GTK_TYPE_TEXT_BUFFER, construct);
  properties[PROP_DOC] =
    g_param_spec_object ("doc", NULL, NULL, RP_TYPE_TEXT_DOC, construct);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE, readable);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE, readable);
  properties[PROP_PARTNER_OFFSET] =
    g_param_spec_int ("partner-offset", NULL, NULL, -1, G_MAXINT, -1, readable);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rp_notes_binding_init (RpNotesBinding *self)
{
  self->undo = g_ptr_array_new_with_free_func (step_free);
  self->redo = g_ptr_array_new_with_free_func (step_free);
}

RpNotesBinding *
rp_notes_binding_new (GtkTextBuffer *buffer,
                      RpTextDoc     *doc)
{
  g_return_val_if_fail (GTK_IS_TEXT_BUFFER (buffer), NULL);
  g_return_val_if_fail (RP_IS_TEXT_DOC (doc), NULL);

  return g_object_new (RP_TYPE_NOTES_BINDING, "buffer", buffer, "doc", doc, NULL);
}

GtkTextBuffer *
rp_notes_binding_get_buffer (RpNotesBinding *self)
{
  g_return_val_if_fail (RP_IS_NOTES_BINDING (self), NULL);
  return self->buffer;
}

RpTextDoc *
rp_notes_binding_get_doc (RpNotesBinding *self)
{
  g_return_val_if_fail (RP_IS_NOTES_BINDING (self), NULL);
  return self->doc;
}

gboolean
rp_notes_binding_can_undo (RpNotesBinding *self)
{
  g_return_val_if_fail (RP_IS_NOTES_BINDING (self), FALSE);
  return self->undo != NULL && self->undo->len > 0;
}

gboolean
rp_notes_binding_can_redo (RpNotesBinding *self)
{
  g_return_val_if_fail (RP_IS_NOTES_BINDING (self), FALSE);
  return self->redo != NULL && self->redo->len > 0;
}

void
rp_notes_binding_undo (RpNotesBinding *self)
{
  g_return_if_fail (RP_IS_NOTES_BINDING (self));
  undo_redo (self, self->undo, self->redo);
}

void
rp_notes_binding_redo (RpNotesBinding *self)
{
  g_return_if_fail (RP_IS_NOTES_BINDING (self));
  undo_redo (self, self->redo, self->undo);
}

gint
rp_notes_binding_get_partner_offset (RpNotesBinding *self)
{
  g_return_val_if_fail (RP_IS_NOTES_BINDING (self), -1);
  return self->partner_timeout_id != 0 ? mark_offset (self->partner_mark) : -1;
}

void
rp_notes_binding_show_partner_at (RpNotesBinding *self,
                                  gint            offset)
{
  g_return_if_fail (RP_IS_NOTES_BINDING (self));

  if (offset < 0)
    {
      if (self->partner_timeout_id != 0)
        {
          g_source_remove (self->partner_timeout_id);
          partner_timeout_cb (self);
        }
      return;
    }
  show_partner_at (self, MIN (offset, gtk_text_buffer_get_char_count (self->buffer)));
}
