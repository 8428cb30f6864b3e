/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The notes document: a sequence CRDT of our own.
 *
 * Every character has a stable id (replica, counter). Characters typed one after another by
 * one replica form a run that is stored as one node: the run's first character remembers its
 * neighbours at the time it was typed (origin left, origin right), each later character's left
 * origin is simply the character before it in the run. Concurrent inserts at one place are
 * ordered with the YATA rule (origins first, then replica id), which keeps each person's run
 * together instead of interleaving characters. Deletions mark runs as tombstones: a tombstone
 * keeps only its ids, never its text.
 *
 * Layout, chosen for speed on real editing traces:
 *  - runs live in fixed-size chunks; a Fenwick tree over the chunks' visible lengths finds the
 *    chunk holding a given code-point position in O(log n);
 *  - each replica ("agent") has its runs in a GSequence ordered by counter, so a remote
 *    operation finds the run holding an id in O(log n);
 *  - the text of each agent is kept in one array of code points indexed by counter, so
 *    splitting a run never copies text.
 * The binary format of updates and snapshots is described in docs/SYNC.md.
 */
#include "config.h"

#include <string.h>

#include "rp-codec.h"
#include "rp-random.h"
#include "rp-text-doc.h"

#define TEXT_MAGIC "RPT"
#define TEXT_VERSION 1
#define SV_MAGIC "RPV"
#define SV_VERSION 1

#define NONE G_MAXUINT32
#define CHUNK_MAX 64
/* Limits for what a peer may make us hold: 16 Mi code points per replica, 64 Ki replicas. */
#define MAX_SEQ (1u << 24)
#define MAX_AGENTS (1u << 16)
#define MAX_PENDING (1u << 20)   /* runs or deletions waiting, and runs in one update */

G_DEFINE_QUARK (rp-text-doc-error-quark, rp_text_doc_error)

typedef struct _Chunk Chunk;

typedef struct {
  guint32 agent;   /* index into the document's agent table, NONE for "no origin" */
  guint32 seq;
} Id;

typedef struct {
  Chunk         *chunk;
  GSequenceIter *iter;
  guint32        agent;
  guint32        seq;
  guint32        len;
  guint32        lamport;
  Id             origin_left;
  Id             origin_right;
  gboolean       deleted;
  guint64        scan_mark;
  guint64        conflict_mark;
} Run;

struct _Chunk {
  guint   idx;
  guint   n;
  gint64  vis;
  Run    *runs[CHUNK_MAX];
};

typedef struct {
  guint64    id;
  guint32    next_seq;   /* every counter below this is known */
  gunichar  *text;       /* code points by counter; 0 where only a tombstone is known */
  guint32    text_cap;
  GSequence *runs;
} Agent;

/* A decoded operation, with replica ids rather than table indexes so that it can wait in the
 * pending list while the agent table changes. */
typedef struct {
  guint64   agent;
  guint32   seq;
  guint32   len;
  guint32   lamport;
  gboolean  has_ol;
  gboolean  has_or;
  guint64   ol_agent;
  guint32   ol_seq;
  guint64   or_agent;
  guint32   or_seq;
  gboolean  deleted;
  char     *text;   /* UTF-8, exactly len code points; NULL for a tombstone */
} InsertOp;

typedef struct {
  guint64 agent;
  guint32 seq;
  guint32 len;
} DeleteOp;

struct _RpTextDoc
{
  GObject    parent_instance;

  guint64    replica_id;
  guint32    local_agent;
  guint32    clock;          /* Lamport clock: next local character's timestamp */
  GPtrArray *agents;         /* Agent* */
  GHashTable *agent_index;   /* guint64* replica id -> index + 1 */
  GPtrArray *chunks;         /* Chunk* in document order */
  gint64    *fenwick;        /* 1-based over chunks' visible lengths */
  guint      fenwick_cap;
  gint64     length;
  gsize      n_runs;
  guint64    scan_gen;
  guint64    conflict_epoch;
  GArray    *pending_inserts; /* InsertOp */
  GArray    *pending_deletes; /* DeleteOp */
};

G_DEFINE_FINAL_TYPE (RpTextDoc, rp_text_doc, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REPLICA_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_UPDATE,
  SIGNAL_REMOTE_INSERT,
  SIGNAL_REMOTE_DELETE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- agents --------------------------------------------------------------------------- */

static gint
compare_run_seq (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const Run *ra = a, *rb = b;

  return (ra->seq > rb->seq) - (ra->seq < rb->seq);
}

static void
agent_free (gpointer data)
{
  Agent *a = data;

  g_sequence_free (a->runs);
  g_free (a->text);
  g_free (a);
}

static guint32
agent_lookup (RpTextDoc *self,
              guint64    id)
{
  gpointer v = g_hash_table_lookup (self->agent_index, &id);

  return v ? GPOINTER_TO_UINT (v) - 1 : NONE;
}

static guint32
agent_ensure (RpTextDoc *self,
              guint64    id)
{
  guint32 idx = agent_lookup (self, id);
  Agent *a;
  guint64 *key;

  if (idx != NONE)
    return idx;
  a = g_new0 (Agent, 1);
  a->id = id;
  a->runs = g_sequence_new (NULL);
  idx = self->agents->len;
  g_ptr_array_add (self->agents, a);
  key = g_new (guint64, 1);
  *key = id;
  g_hash_table_insert (self->agent_index, key, GUINT_TO_POINTER (idx + 1));
  return idx;
}

static inline Agent *
agent_at (RpTextDoc *self,
          guint32    idx)
{
  return g_ptr_array_index (self->agents, idx);
}

static void
agent_store_text (Agent          *a,
                  guint32         seq,
                  const gunichar *chars,
                  guint32         n)
{
  if (seq + n > a->text_cap)
    {
      guint32 cap = MAX (a->text_cap * 2, 256);

      while (cap < seq + n)
        cap *= 2;
      a->text = g_renew (gunichar, a->text, cap);
      memset (a->text + a->text_cap, 0, (cap - a->text_cap) * sizeof (gunichar));
      a->text_cap = cap;
    }
  memcpy (a->text + seq, chars, n * sizeof (gunichar));
}

/* --- chunks and the Fenwick tree ---------------------------------------------------- */

static void
fenwick_add (RpTextDoc *self,
             guint      chunk_idx,
             gint64     delta)
{
  guint n = self->chunks->len;

  for (guint i = chunk_idx + 1; i <= n; i += i & (-i))
    self->fenwick[i] += delta;
  self->length += delta;
}

static gint64
fenwick_prefix (RpTextDoc *self,
                guint      chunk_idx)
{
  gint64 sum = 0;

  for (guint i = chunk_idx; i > 0; i -= i & (-i))
    sum += self->fenwick[i];
  return sum;
}

static void
fenwick_rebuild (RpTextDoc *self)
{
  guint n = self->chunks->len;

  if (n + 1 > self->fenwick_cap)
    {
      self->fenwick_cap = MAX ((n + 1) * 2, 64);
      self->fenwick = g_renew (gint64, self->fenwick, self->fenwick_cap);
    }
  self->fenwick[0] = 0;
  for (guint i = 1; i <= n; i++)
    self->fenwick[i] = ((Chunk *) g_ptr_array_index (self->chunks, i - 1))->vis;
  for (guint i = 1; i <= n; i++)
    {
      guint parent = i + (i & (-i));

      if (parent <= n)
        self->fenwick[parent] += self->fenwick[i];
    }
}

/* The chunk holding visible character number @pos; *rest is its offset inside the chunk. */
static guint
fenwick_find (RpTextDoc *self,
              gint64     pos,
              gint64    *rest)
{
  guint n = self->chunks->len;
  guint idx = 0;
  guint step = 1;

  while (step * 2 <= n)
    step *= 2;
  for (; step > 0; step >>= 1)
    {
      if (idx + step <= n && self->fenwick[idx + step] <= pos)
        {
          idx += step;
          pos -= self->fenwick[idx];
        }
    }
  *rest = pos;
  return idx;
}

static inline Chunk *
chunk_at (RpTextDoc *self,
          guint      idx)
{
  return idx < self->chunks->len ? g_ptr_array_index (self->chunks, idx) : NULL;
}

static Chunk *
chunk_split (RpTextDoc *self,
             Chunk     *c)
{
  Chunk *d = g_new0 (Chunk, 1);
  guint half = c->n / 2;

  for (guint i = half; i < c->n; i++)
    {
      Run *r = c->runs[i];

      d->runs[d->n++] = r;
      r->chunk = d;
      if (!r->deleted)
        d->vis += r->len;
    }
  c->n = half;
  c->vis -= d->vis;
  g_ptr_array_insert (self->chunks, c->idx + 1, d);
  for (guint i = c->idx + 1; i < self->chunks->len; i++)
    ((Chunk *) g_ptr_array_index (self->chunks, i))->idx = i;
  fenwick_rebuild (self);
  return d;
}

/* Puts @r at index @i of @c, splitting the chunk when full. */
static void
insert_run_at (RpTextDoc *self,
               Chunk     *c,
               guint      i,
               Run       *r)
{
  if (c == NULL)
    {
      c = g_new0 (Chunk, 1);
      c->idx = self->chunks->len;
      g_ptr_array_add (self->chunks, c);
      fenwick_rebuild (self);
      i = 0;
    }
  if (c->n == CHUNK_MAX)
    {
      Chunk *d = chunk_split (self, c);

      if (i > c->n)
        {
          i -= c->n;
          c = d;
        }
    }
  memmove (&c->runs[i + 1], &c->runs[i], (c->n - i) * sizeof (Run *));
  c->runs[i] = r;
  c->n++;
  r->chunk = c;
  self->n_runs++;
  if (!r->deleted)
    {
      c->vis += r->len;
      fenwick_add (self, c->idx, r->len);
    }
}

static guint
index_in_chunk (const Run *r)
{
  const Chunk *c = r->chunk;

  for (guint i = 0; i < c->n; i++)
    if (c->runs[i] == r)
      return i;
  g_assert_not_reached ();
}

static Run *
run_next (RpTextDoc *self,
          Run       *r)
{
  Chunk *c = r->chunk;
  guint i = index_in_chunk (r);

  if (i + 1 < c->n)
    return c->runs[i + 1];
  for (c = chunk_at (self, c->idx + 1); c != NULL; c = chunk_at (self, c->idx + 1))
    if (c->n > 0)
      return c->runs[0];
  return NULL;
}

static Run *
run_first (RpTextDoc *self)
{
  for (guint i = 0; i < self->chunks->len; i++)
    {
      Chunk *c = g_ptr_array_index (self->chunks, i);

      if (c->n > 0)
        return c->runs[0];
    }
  return NULL;
}

/* Visible code points before @r. */
static gint64
run_position (RpTextDoc *self,
              Run       *r)
{
  Chunk *c = r->chunk;
  gint64 pos = fenwick_prefix (self, c->idx);

  for (guint i = 0; c->runs[i] != r; i++)
    if (!c->runs[i]->deleted)
      pos += c->runs[i]->len;
  return pos;
}

/* Cuts @a after @k of its characters; the new right part is returned. */
static Run *
run_split (RpTextDoc *self,
           Run       *a,
           guint32    k)
{
  Run *b = g_new0 (Run, 1);
  Chunk *c = a->chunk;

  b->agent = a->agent;
  b->seq = a->seq + k;
  b->len = a->len - k;
  b->lamport = a->lamport + k;
  b->origin_left = (Id) { a->agent, a->seq + k - 1 };
  b->origin_right = a->origin_right;
  b->deleted = a->deleted;
  a->len = k;
  if (!a->deleted)
    {
      c->vis -= b->len;
      fenwick_add (self, c->idx, -(gint64) b->len);
    }
  insert_run_at (self, c, index_in_chunk (a) + 1, b);
  b->iter = g_sequence_insert_before (g_sequence_iter_next (a->iter), b);
  return b;
}

static Run *
run_containing (RpTextDoc *self,
                guint32    agent,
                guint32    seq)
{
  Agent *a = agent_at (self, agent);
  Run key = { .seq = seq };
  GSequenceIter *it;

  if (seq >= a->next_seq)
    return NULL;
  it = g_sequence_search (a->runs, &key, compare_run_seq, NULL);
  for (int tries = 0; tries < 2; tries++)
    {
      if (!g_sequence_iter_is_end (it))
        {
          Run *r = g_sequence_get (it);

          if (r->seq <= seq && seq < r->seq + r->len)
            return r;
        }
      if (g_sequence_iter_is_begin (it))
        break;
      it = g_sequence_iter_prev (it);
    }
  return NULL;
}

/* The run that starts exactly at the id, splitting as needed. */
static Run *
run_starting_at (RpTextDoc *self,
                 Id         id)
{
  Run *r = run_containing (self, id.agent, id.seq);

  if (r != NULL && r->seq != id.seq)
    r = run_split (self, r, id.seq - r->seq);
  return r;
}

/* The run that ends exactly at the id, splitting as needed. */
static Run *
run_ending_at (RpTextDoc *self,
               Id         id)
{
  Run *r = run_containing (self, id.agent, id.seq);

  if (r != NULL && id.seq + 1 < r->seq + r->len)
    run_split (self, r, id.seq + 1 - r->seq);
  return r;
}

static inline gboolean
id_equal (Id a,
          Id b)
{
  return a.agent == b.agent && (a.agent == NONE || a.seq == b.seq);
}

/* Places @r after @left (NULL: at the start of the document). */
static void
place_after (RpTextDoc *self,
             Run       *left,
             Run       *r)
{
  if (left == NULL)
    insert_run_at (self, chunk_at (self, 0), 0, r);
  else
    insert_run_at (self, left->chunk, index_in_chunk (left) + 1, r);
}

/* --- local editing ------------------------------------------------------------------ */

static void
emit_update (RpTextDoc *self,
             GArray    *inserts,
             GArray    *deletes);

static gboolean
can_extend (RpTextDoc *self,
            Run       *left,
            Id         origin_right)
{
  Agent *a = agent_at (self, self->local_agent);

  return left != NULL && left->agent == self->local_agent && !left->deleted &&
         left->seq + left->len == a->next_seq && left->lamport + left->len == self->clock &&
         id_equal (left->origin_right, origin_right);
}

/* The run holding visible character @pos and the offset in it. */
static Run *
find_visible (RpTextDoc *self,
              gint64     pos,
              guint32   *offset)
{
  gint64 rest;
  guint ci = fenwick_find (self, pos, &rest);
  Chunk *c = chunk_at (self, ci);

  for (guint i = 0; c != NULL && i < c->n; i++)
    {
      Run *r = c->runs[i];

      if (r->deleted)
        continue;
      if (rest < r->len)
        {
          *offset = (guint32) rest;
          return r;
        }
      rest -= r->len;
    }
  g_assert_not_reached ();
}

/* Decodes valid UTF-8 into @chars, which has room for @bytes code points. */
static guint32
utf8_decode_into (const char *text,
                  gsize       bytes,
                  gunichar   *chars)
{
  const char *p = text, *end = text + bytes;
  guint32 n = 0;

  while (p < end)
    {
      chars[n++] = g_utf8_get_char (p);
      p = g_utf8_next_char (p);
    }
  return n;
}

static gunichar *
utf8_to_chars (const char *text,
               gsize       bytes,
               guint32    *n_out)
{
  gunichar *chars = g_new (gunichar, bytes + 1);

  *n_out = utf8_decode_into (text, bytes, chars);
  return chars;
}

static void
local_insert (RpTextDoc      *self,
              gint64          pos,
              const gunichar *chars,
              guint32         n,
              InsertOp       *op)
{
  Agent *a = agent_at (self, self->local_agent);
  Run *left = NULL, *right;
  Id origin_left = { NONE, 0 }, origin_right = { NONE, 0 };

  if (pos > 0)
    {
      guint32 off;

      left = find_visible (self, pos - 1, &off);
      if (off + 1 < left->len)
        run_split (self, left, off + 1);
      origin_left = (Id) { left->agent, left->seq + left->len - 1 };
    }
  right = left ? run_next (self, left) : run_first (self);
  if (right != NULL)
    origin_right = (Id) { right->agent, right->seq };

  agent_store_text (a, a->next_seq, chars, n);
  op->agent = self->replica_id;
  op->seq = a->next_seq;
  op->len = n;
  op->lamport = self->clock;
  op->has_ol = origin_left.agent != NONE;
  op->has_or = origin_right.agent != NONE;
  if (op->has_ol)
    {
      op->ol_agent = agent_at (self, origin_left.agent)->id;
      op->ol_seq = origin_left.seq;
    }
  if (op->has_or)
    {
      op->or_agent = agent_at (self, origin_right.agent)->id;
      op->or_seq = origin_right.seq;
    }

  if (can_extend (self, left, origin_right))
    {
      left->len += n;
      left->chunk->vis += n;
      fenwick_add (self, left->chunk->idx, n);
    }
  else
    {
      Run *r = g_new0 (Run, 1);

      r->agent = self->local_agent;
      r->seq = a->next_seq;
      r->len = n;
      r->lamport = self->clock;
      r->origin_left = origin_left;
      r->origin_right = origin_right;
      place_after (self, left, r);
      r->iter = g_sequence_append (a->runs, r);
    }
  a->next_seq += n;
  self->clock += n;
}

static void
mark_deleted (RpTextDoc *self,
              Run       *r)
{
  r->deleted = TRUE;
  r->chunk->vis -= r->len;
  fenwick_add (self, r->chunk->idx, -(gint64) r->len);
}

/* Whether @b, right after @a, is the continuation of the same typed run in the same state:
 * then one node can hold both, with the same meaning. */
static gboolean
runs_mergeable (const Run *a,
                const Run *b)
{
  return a->agent == b->agent && a->seq + a->len == b->seq &&
         a->lamport + a->len == b->lamport && a->deleted == b->deleted &&
         b->origin_left.agent == a->agent && b->origin_left.seq == b->seq - 1 &&
         id_equal (a->origin_right, b->origin_right);
}

/* Folds c->runs[i + 1] into c->runs[i] when they are mergeable. */
static gboolean
merge_at (RpTextDoc *self,
          Chunk     *c,
          guint      i)
{
  Run *a, *b;

  if (i + 1 >= c->n || !runs_mergeable (c->runs[i], c->runs[i + 1]))
    return FALSE;
  a = c->runs[i];
  b = c->runs[i + 1];
  a->len += b->len;
  memmove (&c->runs[i + 1], &c->runs[i + 2], (c->n - i - 2) * sizeof (Run *));
  c->n--;
  self->n_runs--;
  g_sequence_remove (b->iter);
  g_free (b);
  return TRUE;
}

/* Compacts a run that just changed state with its neighbours in the chunk (deleting one
 * character at a time would otherwise leave a node per character). Returns the node that
 * now holds @r's characters. */
static Run *
merge_around (RpTextDoc *self,
              Run       *r)
{
  Chunk *c = r->chunk;
  guint i = index_in_chunk (r);

  merge_at (self, c, i);
  if (i > 0 && merge_at (self, c, i - 1))
    return c->runs[i - 1];
  return r;
}

static void
add_delete_range (GArray  *deletes,
                  guint64  agent,
                  guint32  seq,
                  guint32  len)
{
  if (deletes->len > 0)
    {
      DeleteOp *last = &g_array_index (deletes, DeleteOp, deletes->len - 1);

      if (last->agent == agent && last->seq + last->len == seq)
        {
          last->len += len;
          return;
        }
    }
  g_array_append_val (deletes, ((DeleteOp) { agent, seq, len }));
}

static void
local_delete (RpTextDoc *self,
              gint64     pos,
              gint64     n,
              GArray    *deletes)
{
  guint32 off;
  Run *r = find_visible (self, pos, &off);

  while (n > 0 && r != NULL)
    {
      if (!r->deleted)
        {
          if (off > 0)
            {
              r = run_split (self, r, off);
              off = 0;
            }
          if (r->len > n)
            run_split (self, r, (guint32) n);
          mark_deleted (self, r);
          add_delete_range (deletes, agent_at (self, r->agent)->id, r->seq, r->len);
          n -= r->len;
          r = merge_around (self, r);
        }
      r = run_next (self, r);
    }
}

gboolean
rp_text_doc_insert (RpTextDoc  *self,
                    gsize       pos,
                    const char *text,
                    gssize      len,
                    GError    **error)
{
  g_autofree gunichar *heap_chars = NULL;
  gunichar stack_chars[64];
  gunichar *chars;
  g_autofree char *copy = NULL;
  g_autoptr(GArray) inserts = NULL;
  InsertOp op = { 0 };
  gsize bytes;
  guint32 n;

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  bytes = len < 0 ? strlen (text) : (gsize) len;
  if (!g_utf8_validate_len (text, bytes, NULL) || memchr (text, 0, bytes) != NULL)
    {
      g_set_error_literal (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_INVALID,
                           "The inserted text is not valid UTF-8");
      return FALSE;
    }
  if (pos > (gsize) self->length)
    {
      g_set_error (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_RANGE,
                   "Cannot insert at %" G_GSIZE_FORMAT ": the text has %" G_GINT64_FORMAT
                   " characters", pos, self->length);
      return FALSE;
    }
  if (bytes == 0)
    return TRUE;
  /* Typing inserts a character at a time: no allocation for that. */
  if (bytes <= G_N_ELEMENTS (stack_chars))
    n = utf8_decode_into (text, bytes, chars = stack_chars);
  else
    chars = heap_chars = utf8_to_chars (text, bytes, &n);
  if ((guint64) agent_at (self, self->local_agent)->next_seq + n > MAX_SEQ)
    {
      g_set_error_literal (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_LIMIT,
                           "The notes are too long to take more text");
      return FALSE;
    }
  local_insert (self, (gint64) pos, chars, n, &op);
  if (g_signal_has_handler_pending (self, signals[SIGNAL_UPDATE], 0, FALSE))
    {
      /* The encoder needs a NUL-terminated string. */
      op.text = len < 0 ? (char *) text : (copy = g_strndup (text, bytes));
      inserts = g_array_new (FALSE, FALSE, sizeof (InsertOp));
      g_array_append_val (inserts, op);
      emit_update (self, inserts, NULL);
    }
  return TRUE;
}

gboolean
rp_text_doc_delete (RpTextDoc *self,
                    gsize      pos,
                    gsize      n_chars,
                    GError   **error)
{
  g_autoptr(GArray) deletes = NULL;

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), FALSE);

  if (pos > (gsize) self->length || n_chars > (gsize) self->length - pos)
    {
      g_set_error (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_RANGE,
                   "Cannot delete %" G_GSIZE_FORMAT " characters at %" G_GSIZE_FORMAT
                   ": the text has %" G_GINT64_FORMAT, n_chars, pos, self->length);
      return FALSE;
    }
  if (n_chars == 0)
    return TRUE;
  deletes = g_array_new (FALSE, FALSE, sizeof (DeleteOp));
  local_delete (self, (gint64) pos, (gint64) n_chars, deletes);
  if (g_signal_has_handler_pending (self, signals[SIGNAL_UPDATE], 0, FALSE))
    emit_update (self, NULL, deletes);
  return TRUE;
}

/* --- remote operations -------------------------------------------------------------- */

static gboolean
id_known (RpTextDoc *self,
          guint64    agent,
          guint32    seq)
{
  guint32 idx = agent_lookup (self, agent);

  return idx != NONE && seq < agent_at (self, idx)->next_seq;
}

typedef enum {
  OP_READY,
  OP_WAITING,
  OP_KNOWN,
} OpState;

static OpState
insert_op_state (RpTextDoc      *self,
                 const InsertOp *op)
{
  guint32 idx = agent_lookup (self, op->agent);
  guint32 next = idx == NONE ? 0 : agent_at (self, idx)->next_seq;

  if (op->seq + op->len <= next)
    return OP_KNOWN;
  if (op->seq > next)
    return OP_WAITING;
  if (op->has_ol && !id_known (self, op->ol_agent, op->ol_seq))
    return OP_WAITING;
  if (op->has_or && !id_known (self, op->or_agent, op->or_seq))
    return OP_WAITING;
  return OP_READY;
}

static void
emit_remote_insert (RpTextDoc *self,
                    Run       *r)
{
  Agent *a;
  GString *s;

  if (r->deleted || !g_signal_has_handler_pending (self, signals[SIGNAL_REMOTE_INSERT], 0, FALSE))
    return;
  a = agent_at (self, r->agent);
  s = g_string_sized_new (r->len);
  for (guint32 i = 0; i < r->len; i++)
    g_string_append_unichar (s, a->text[r->seq + i]);
  g_signal_emit (self, signals[SIGNAL_REMOTE_INSERT], 0, (guint) run_position (self, r), s->str);
  g_string_free (s, TRUE);
}

/* YATA: between the left origin and the right origin, skip the runs that must come first. */
static Run *
find_left (RpTextDoc *self,
           Run       *left,
           Run       *right_origin,
           Run       *r)
{
  guint64 gen = ++self->scan_gen;
  guint64 epoch = ++self->conflict_epoch;
  guint64 my_id = agent_at (self, r->agent)->id;
  Run *o = left ? run_next (self, left) : run_first (self);

  for (; o != NULL && o != right_origin; o = run_next (self, o))
    {
      o->scan_mark = gen;
      o->conflict_mark = epoch;
      if (id_equal (o->origin_left, r->origin_left))
        {
          if (agent_at (self, o->agent)->id < my_id)
            {
              left = o;
              epoch = ++self->conflict_epoch;
            }
          else if (id_equal (o->origin_right, r->origin_right))
            break;
        }
      else
        {
          Run *origin = o->origin_left.agent == NONE ? NULL :
                        run_containing (self, o->origin_left.agent, o->origin_left.seq);

          if (origin == NULL || origin->scan_mark != gen)
            break;
          if (origin->conflict_mark != epoch)
            {
              left = o;
              epoch = ++self->conflict_epoch;
            }
        }
    }
  return left;
}

static void
integrate (RpTextDoc *self,
           InsertOp  *op)
{
  guint32 agent = agent_ensure (self, op->agent);
  Agent *a = agent_at (self, agent);
  Run *r = g_new0 (Run, 1);
  Run *left = NULL, *right_origin = NULL;
  guint32 skip = a->next_seq - op->seq;

  r->agent = agent;
  r->seq = op->seq + skip;
  r->len = op->len - skip;
  r->lamport = op->lamport + skip;
  r->deleted = op->deleted;
  if (skip > 0)
    r->origin_left = (Id) { agent, r->seq - 1 };
  else
    r->origin_left = op->has_ol ? (Id) { agent_lookup (self, op->ol_agent), op->ol_seq } :
                                  (Id) { NONE, 0 };
  r->origin_right = op->has_or ? (Id) { agent_lookup (self, op->or_agent), op->or_seq } :
                                 (Id) { NONE, 0 };

  if (r->origin_right.agent != NONE)
    right_origin = run_starting_at (self, r->origin_right);
  if (r->origin_left.agent != NONE)
    left = run_ending_at (self, r->origin_left);
  left = find_left (self, left, right_origin, r);

  if (op->text != NULL)
    {
      const char *p = g_utf8_offset_to_pointer (op->text, skip);
      g_autofree gunichar *chars = NULL;
      guint32 n;

      chars = utf8_to_chars (p, strlen (p), &n);
      agent_store_text (a, r->seq, chars, r->len);
    }
  place_after (self, left, r);
  r->iter = g_sequence_append (a->runs, r);
  a->next_seq = r->seq + r->len;
  self->clock = MAX (self->clock, r->lamport + r->len);
  emit_remote_insert (self, r);
  /* A peer typing a paragraph arrives a character at a time: keep it one run here too. */
  merge_around (self, r);
}

/* Deletes what exists of the range; returns how much of its start was handled. */
static guint32
apply_delete (RpTextDoc      *self,
              const DeleteOp *op)
{
  guint32 idx = agent_lookup (self, op->agent);
  guint32 end, seq;

  if (idx == NONE)
    return 0;
  end = MIN (op->seq + op->len, agent_at (self, idx)->next_seq);
  for (seq = op->seq; seq < end;)
    {
      Run *r = run_containing (self, idx, seq);

      if (r->deleted)
        {
          seq = r->seq + r->len;
          continue;
        }
      if (r->seq != seq)
        r = run_split (self, r, seq - r->seq);
      if (r->seq + r->len > end)
        run_split (self, r, end - r->seq);
      if (!r->deleted)
        {
          gboolean notify = g_signal_has_handler_pending (self, signals[SIGNAL_REMOTE_DELETE],
                                                          0, FALSE);
          guint pos = notify ? (guint) run_position (self, r) : 0;

          mark_deleted (self, r);
          if (notify)
            g_signal_emit (self, signals[SIGNAL_REMOTE_DELETE], 0, pos, (guint) r->len);
          r = merge_around (self, r);
        }
      seq = r->seq + r->len;
    }
  return MIN (seq, end) > op->seq ? MIN (seq, end) - op->seq : 0;
}

static gint
compare_insert_ops (gconstpointer a,
                    gconstpointer b)
{
  const InsertOp *x = a, *y = b;

  if (x->lamport != y->lamport)
    return x->lamport < y->lamport ? -1 : 1;
  if (x->agent != y->agent)
    return x->agent < y->agent ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
insert_op_clear (gpointer data)
{
  InsertOp *op = data;

  g_clear_pointer (&op->text, g_free);
}

/* One pass over the waiting inserts in Lamport order (a causal order, so an honest batch
 * needs one pass), then over the waiting deletes. */
static gboolean
process_inserts_once (RpTextDoc *self)
{
  GArray *keep = g_array_new (FALSE, FALSE, sizeof (InsertOp));
  gboolean progress = FALSE;

  g_array_sort (self->pending_inserts, compare_insert_ops);
  for (guint i = 0; i < self->pending_inserts->len; i++)
    {
      InsertOp *op = &g_array_index (self->pending_inserts, InsertOp, i);

      switch (insert_op_state (self, op))
        {
        case OP_READY:
          integrate (self, op);
          if (op->deleted)
            g_array_append_val (self->pending_deletes,
                                ((DeleteOp) { op->agent, op->seq, op->len }));
          insert_op_clear (op);
          progress = TRUE;
          break;
        case OP_KNOWN:
          if (op->deleted)
            g_array_append_val (self->pending_deletes,
                                ((DeleteOp) { op->agent, op->seq, op->len }));
          insert_op_clear (op);
          break;
        case OP_WAITING:
          g_array_append_val (keep, *op);
          break;
        }
    }
  g_array_set_size (self->pending_inserts, 0);
  g_array_append_vals (self->pending_inserts, keep->data, keep->len);
  g_array_free (keep, TRUE);
  return progress;
}

static void
process_deletes (RpTextDoc *self)
{
  guint out = 0;

  for (guint i = 0; i < self->pending_deletes->len; i++)
    {
      DeleteOp op = g_array_index (self->pending_deletes, DeleteOp, i);
      guint32 done = apply_delete (self, &op);

      if (done < op.len)
        {
          op.seq += done;
          op.len -= done;
          g_array_index (self->pending_deletes, DeleteOp, out++) = op;
        }
    }
  g_array_set_size (self->pending_deletes, out);
}

static void
process_pending (RpTextDoc *self)
{
  /* A second pass only helps when a peer's Lamport stamps are not causal; bounded so that
   * such a peer cannot make us loop. */
  for (int pass = 0; pass < 3 && self->pending_inserts->len > 0; pass++)
    if (!process_inserts_once (self))
      break;
  process_deletes (self);
}

/* --- encoding ----------------------------------------------------------------------- */

enum {
  RUN_DELETED   = 1 << 0,
  RUN_CONTINUES = 1 << 1,  /* same agent, follows the previous run: seq, lamport, origin left implied */
  RUN_HAS_OL    = 1 << 2,
  RUN_OL_PREV   = 1 << 3,  /* origin left is the previous run's last character */
  RUN_HAS_OR    = 1 << 4,
  RUN_OR_NEXT   = 1 << 5,  /* origin right is the next run's first character */
  RUN_OR_SAME   = 1 << 6,  /* origin right is the previous run's origin right */
  RUN_LAMPORT_SAME = 1 << 7,  /* timestamp minus counter as in the previous run */
};

typedef struct {
  GByteArray     *body;
  RpReplicaTable  agents;    /* the update's agent table */
  gboolean        implicit;  /* one replica in the table: slots are not written */
} Encoder;

static guint
encoder_agent (Encoder *e,
               guint64  id)
{
  return rp_replica_table_slot (&e->agents, id);
}

static void
write_slot (Encoder    *e,
            GByteArray *body,
            guint64     id)
{
  guint slot = encoder_agent (e, id);

  if (!e->implicit)
    rp_writer_varint (body, slot);
}

static void
encode_run (Encoder        *e,
            GByteArray     *body,
            const InsertOp *prev,
            const InsertOp *op,
            const InsertOp *next)
{
  guint8 flags = 0;

  if (op->deleted)
    flags |= RUN_DELETED;
  if (prev != NULL && prev->agent == op->agent && prev->seq + prev->len == op->seq &&
      prev->lamport + prev->len == op->lamport && op->has_ol && op->ol_agent == op->agent &&
      op->ol_seq == op->seq - 1)
    flags |= RUN_CONTINUES;
  else if (op->has_ol)
    {
      flags |= RUN_HAS_OL;
      if (prev != NULL && prev->agent == op->ol_agent && prev->seq + prev->len - 1 == op->ol_seq)
        flags |= RUN_OL_PREV;
    }
  if (op->has_or)
    {
      flags |= RUN_HAS_OR;
      if (next != NULL && next->agent == op->or_agent && next->seq == op->or_seq)
        flags |= RUN_OR_NEXT;
      else if (prev != NULL && prev->has_or && prev->or_agent == op->or_agent &&
               prev->or_seq == op->or_seq)
        flags |= RUN_OR_SAME;
    }
  if (!(flags & RUN_CONTINUES) && prev != NULL &&
      prev->lamport - prev->seq == op->lamport - op->seq)
    flags |= RUN_LAMPORT_SAME;
  rp_writer_u8 (body, flags);
  /* Counters are written relative to nearby ones: small numbers, short varints. */
  if (!(flags & RUN_CONTINUES))
    {
      write_slot (e, body, op->agent);
      rp_writer_zigzag (body, (gint64) op->seq - (prev ? prev->seq + prev->len : 0));
      if (!(flags & RUN_LAMPORT_SAME))
        rp_writer_varint (body, op->lamport - op->seq);
      if ((flags & RUN_HAS_OL) && !(flags & RUN_OL_PREV))
        {
          write_slot (e, body, op->ol_agent);
          rp_writer_zigzag (body, (gint64) op->ol_seq - op->seq);
        }
    }
  if ((flags & RUN_HAS_OR) && !(flags & (RUN_OR_NEXT | RUN_OR_SAME)))
    {
      write_slot (e, body, op->or_agent);
      rp_writer_zigzag (body, (gint64) op->or_seq - op->seq);
    }
  rp_writer_varint (body, op->len);
  /* The text is exactly op->len code points: its end is found by reading them. */
  if (!op->deleted)
    rp_writer_bytes (body, op->text, strlen (op->text));
}

/* Writes header, agent table, runs and deletes. @inserts may hold runs in any order. */
static GBytes *
encode_ops (GArray *inserts,
            GArray *deletes)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  Encoder e = { body };
  GByteArray *out = g_byte_array_new ();
  guint n_ins = inserts ? inserts->len : 0;
  guint n_del = deletes ? deletes->len : 0;

  rp_replica_table_init (&e.agents);

  /* The replica table comes first, so it is filled before anything is written. */
  for (guint i = 0; i < n_ins; i++)
    {
      const InsertOp *op = &g_array_index (inserts, InsertOp, i);

      encoder_agent (&e, op->agent);
      if (op->has_ol)
        encoder_agent (&e, op->ol_agent);
      if (op->has_or)
        encoder_agent (&e, op->or_agent);
    }
  for (guint i = 0; i < n_del; i++)
    encoder_agent (&e, g_array_index (deletes, DeleteOp, i).agent);
  e.implicit = e.agents.ids->len == 1;

  rp_writer_varint (body, n_ins);
  for (guint i = 0; i < n_ins; i++)
    encode_run (&e, body, i > 0 ? &g_array_index (inserts, InsertOp, i - 1) : NULL,
                &g_array_index (inserts, InsertOp, i),
                i + 1 < n_ins ? &g_array_index (inserts, InsertOp, i + 1) : NULL);
  rp_writer_varint (body, n_del);
  for (guint i = 0; i < n_del; i++)
    {
      const DeleteOp *d = &g_array_index (deletes, DeleteOp, i);

      write_slot (&e, body, d->agent);
      rp_writer_varint (body, d->seq);
      rp_writer_varint (body, d->len);
    }

  rp_writer_header (out, TEXT_MAGIC, TEXT_VERSION);
  rp_writer_replicas (out, &e.agents);
  rp_writer_bytes (out, body->data, body->len);
  rp_replica_table_clear (&e.agents);
  return g_byte_array_free_to_bytes (out);
}

static void
emit_update (RpTextDoc *self,
             GArray    *inserts,
             GArray    *deletes)
{
  g_autoptr(GBytes) bytes = encode_ops (inserts, deletes);

  g_signal_emit (self, signals[SIGNAL_UPDATE], 0, bytes);
}

static char *
run_text (RpTextDoc *self,
          const Run *r,
          guint32    from,
          guint32    to)
{
  Agent *a = agent_at (self, r->agent);
  GString *s = g_string_sized_new (to - from);

  for (guint32 i = from; i < to; i++)
    g_string_append_unichar (s, a->text[r->seq + i]);
  return g_string_free (s, FALSE);
}

/* The part of @r from offset @from on, as an operation to encode. */
static InsertOp
run_to_op (RpTextDoc *self,
           const Run *r,
           guint32    from)
{
  InsertOp op = { 0 };

  op.agent = agent_at (self, r->agent)->id;
  op.seq = r->seq + from;
  op.len = r->len - from;
  op.lamport = r->lamport + from;
  op.deleted = r->deleted;
  if (from > 0)
    {
      op.has_ol = TRUE;
      op.ol_agent = op.agent;
      op.ol_seq = op.seq - 1;
    }
  else if (r->origin_left.agent != NONE)
    {
      op.has_ol = TRUE;
      op.ol_agent = agent_at (self, r->origin_left.agent)->id;
      op.ol_seq = r->origin_left.seq;
    }
  if (r->origin_right.agent != NONE)
    {
      op.has_or = TRUE;
      op.or_agent = agent_at (self, r->origin_right.agent)->id;
      op.or_seq = r->origin_right.seq;
    }
  if (!r->deleted)
    op.text = run_text (self, r, from, r->len);
  return op;
}

GBytes *
rp_text_doc_encode_state (RpTextDoc *self)
{
  g_autoptr(GArray) ops = g_array_new (FALSE, FALSE, sizeof (InsertOp));

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), NULL);

  g_array_set_clear_func (ops, insert_op_clear);
  for (guint ci = 0; ci < self->chunks->len; ci++)
    {
      Chunk *c = g_ptr_array_index (self->chunks, ci);

      for (guint i = 0; i < c->n; i++)
        {
          InsertOp op = run_to_op (self, c->runs[i], 0);

          g_array_append_val (ops, op);
        }
    }
  return encode_ops (ops, NULL);
}

GBytes *
rp_text_doc_encode_state_vector (RpTextDoc *self)
{
  GByteArray *out = g_byte_array_new ();
  guint n = 0;

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), NULL);

  for (guint i = 0; i < self->agents->len; i++)
    n += agent_at (self, i)->next_seq > 0;
  rp_writer_header (out, SV_MAGIC, SV_VERSION);
  rp_writer_varint (out, n);
  for (guint i = 0; i < self->agents->len; i++)
    {
      Agent *a = agent_at (self, i);

      if (a->next_seq == 0)
        continue;
      rp_writer_u64le (out, a->id);
      rp_writer_varint (out, a->next_seq);
    }
  return g_byte_array_free_to_bytes (out);
}

static gboolean
decode_state_vector (GBytes      *bytes,
                     GHashTable  *known,
                     GError     **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  RpReader r;
  guint64 n;

  rp_reader_init (&r, data, size);
  if (!rp_reader_header (&r, SV_MAGIC, SV_VERSION, error) ||
      !rp_reader_varint (&r, MIN (MAX_AGENTS, rp_reader_remaining (&r) / 9), "replica count",
                         &n, error))
    return FALSE;
  for (guint64 i = 0; i < n; i++)
    {
      guint64 id, *key;
      guint32 next;

      if (!rp_reader_u64le (&r, &id, error) ||
          !rp_reader_varint32 (&r, MAX_SEQ, "counter", &next, error))
        return FALSE;
      key = g_new (guint64, 1);
      *key = id;
      g_hash_table_insert (known, key, GUINT_TO_POINTER (next));
    }
  if (rp_reader_remaining (&r) != 0)
    {
      g_set_error_literal (error, RP_CODEC_ERROR, RP_CODEC_ERROR_MALFORMED,
                           "Extra bytes after the version vector");
      return FALSE;
    }
  return TRUE;
}

/* Everything a replica at @state_vector lacks: the runs it has not seen, and every deletion
 * (deletions are compact ranges and carry no counter of their own, as in Yjs). */
GBytes *
rp_text_doc_encode_diff (RpTextDoc *self,
                         GBytes    *state_vector,
                         GError   **error)
{
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) ops = g_array_new (FALSE, FALSE, sizeof (InsertOp));
  g_autoptr(GArray) deletes = g_array_new (FALSE, FALSE, sizeof (DeleteOp));

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), NULL);

  if (!decode_state_vector (state_vector, known, error))
    return NULL;
  g_array_set_clear_func (ops, insert_op_clear);
  for (guint ai = 0; ai < self->agents->len; ai++)
    {
      Agent *a = agent_at (self, ai);
      guint32 have = GPOINTER_TO_UINT (g_hash_table_lookup (known, &a->id));

      for (GSequenceIter *it = g_sequence_get_begin_iter (a->runs);
           !g_sequence_iter_is_end (it); it = g_sequence_iter_next (it))
        {
          Run *r = g_sequence_get (it);

          if (r->seq + r->len > have)
            {
              InsertOp op = run_to_op (self, r, r->seq >= have ? 0 : have - r->seq);

              g_array_append_val (ops, op);
            }
          else if (r->deleted)
            add_delete_range (deletes, a->id, r->seq, r->len);
        }
    }
  return encode_ops (ops, deletes);
}

/* --- decoding ----------------------------------------------------------------------- */

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_INVALID, message);
  return FALSE;
}

/* A replica slot; with a single replica in the table it is implied, not written. */
static gboolean
decode_slot (RpReader  *r,
             guint      n_agents,
             guint32   *slot,
             GError   **error)
{
  if (n_agents == 0)
    return invalid (error, "An update refers to a replica but lists none");
  if (n_agents == 1)
    {
      *slot = 0;
      return TRUE;
    }
  return rp_reader_varint32 (r, n_agents - 1, "replica slot", slot, error);
}

/* A counter written as a signed difference from @base. */
static gboolean
decode_relative (RpReader  *r,
                 gint64     base,
                 guint32   *seq,
                 GError   **error)
{
  gint64 delta;

  if (!rp_reader_zigzag (r, "counter", &delta, error))
    return FALSE;
  if (delta < -(gint64) MAX_SEQ || delta > (gint64) MAX_SEQ ||
      base + delta < 0 || base + delta >= MAX_SEQ)
    return invalid (error, "A counter in a notes update is out of range");
  *seq = (guint32) (base + delta);
  return TRUE;
}

static gboolean
decode_relative_id (RpReader      *r,
                    const guint64 *agents,
                    guint          n_agents,
                    guint32        base,
                    guint64       *agent,
                    guint32       *seq,
                    GError       **error)
{
  guint32 slot;

  if (!decode_slot (r, n_agents, &slot, error) ||
      !decode_relative (r, base, seq, error))
    return FALSE;
  *agent = agents[slot];
  return TRUE;
}

static gboolean
decode_id (RpReader      *r,
           const guint64 *agents,
           guint          n_agents,
           guint64       *agent,
           guint32       *seq,
           GError       **error)
{
  guint32 slot;

  if (!decode_slot (r, n_agents, &slot, error) ||
      !rp_reader_varint32 (r, MAX_SEQ - 1, "counter", seq, error))
    return FALSE;
  *agent = agents[slot];
  return TRUE;
}

static gboolean
decode_run_content (RpReader  *r,
                    InsertOp  *op,
                    GError   **error)
{
  if (!rp_reader_varint32 (r, MAX_SEQ, "run length", &op->len, error))
    return FALSE;
  if (op->len == 0)
    return invalid (error, "A run of the notes is empty");
  if ((guint64) op->seq + op->len > MAX_SEQ || (guint64) op->lamport + op->len > G_MAXUINT32)
    return invalid (error, "A run of the notes goes past the counter limit");
  if (!op->deleted)
    {
      const char *start = (const char *) r->pos;
      const char *p = start;

      for (guint32 i = 0; i < op->len; i++)
        {
          gssize left = (const char *) r->end - p;
          gunichar c = left > 0 ? g_utf8_get_char_validated (p, MIN (left, 4)) : (gunichar) -1;

          if (c == 0 || c == (gunichar) -1 || c == (gunichar) -2)
            return invalid (error, "A run's text is not valid UTF-8 of the length it claims");
          p = g_utf8_next_char (p);
        }
      op->text = g_strndup (start, p - start);
      r->pos = (const guint8 *) p;
    }
  return TRUE;
}

static gboolean
decode_run (RpReader       *r,
            const guint64  *agents,
            guint           n_agents,
            const InsertOp *prev,
            InsertOp       *op,
            guint8         *flags_out,
            GError        **error)
{
  guint8 flags;

  if (!rp_reader_u8 (r, &flags, error))
    return FALSE;
  if (((flags & RUN_CONTINUES) && (flags & RUN_LAMPORT_SAME)) ||
      ((flags & RUN_OL_PREV) && !(flags & RUN_HAS_OL)) ||
      ((flags & RUN_CONTINUES) && (flags & (RUN_HAS_OL | RUN_OL_PREV))) ||
      ((flags & (RUN_OR_NEXT | RUN_OR_SAME)) && !(flags & RUN_HAS_OR)) ||
      ((flags & RUN_OR_NEXT) && (flags & RUN_OR_SAME)))
    return invalid (error, "A run of the notes has contradictory flags");
  if ((flags & (RUN_CONTINUES | RUN_OL_PREV | RUN_OR_SAME | RUN_LAMPORT_SAME)) && prev == NULL)
    return invalid (error, "The first run of an update refers to a previous one");
  op->deleted = (flags & RUN_DELETED) != 0;
  *flags_out = flags;
  if (flags & RUN_CONTINUES)
    {
      op->agent = prev->agent;
      op->seq = prev->seq + prev->len;
      op->lamport = prev->lamport + prev->len;
      op->has_ol = TRUE;
      op->ol_agent = op->agent;
      op->ol_seq = op->seq - 1;
    }
  else
    {
      guint32 slot, lamport_gap;

      if (!decode_slot (r, n_agents, &slot, error) ||
          !decode_relative (r, prev ? (gint64) prev->seq + prev->len : 0, &op->seq, error))
        return FALSE;
      if (flags & RUN_LAMPORT_SAME)
        {
          if (prev->lamport < prev->seq || prev->lamport - prev->seq > G_MAXUINT32 - MAX_SEQ)
            return invalid (error, "A run copies a timestamp gap that is out of range");
          lamport_gap = prev->lamport - prev->seq;
        }
      else if (!rp_reader_varint32 (r, G_MAXUINT32 - MAX_SEQ, "timestamp", &lamport_gap, error))
        return FALSE;
      op->agent = agents[slot];
      op->lamport = op->seq + lamport_gap;
      op->has_ol = (flags & RUN_HAS_OL) != 0;
      if (flags & RUN_OL_PREV)
        {
          op->ol_agent = prev->agent;
          op->ol_seq = prev->seq + prev->len - 1;
        }
      else if (op->has_ol &&
               !decode_relative_id (r, agents, n_agents, op->seq, &op->ol_agent, &op->ol_seq,
                                    error))
        return FALSE;
    }
  op->has_or = (flags & RUN_HAS_OR) != 0;
  if (op->has_or && !(flags & (RUN_OR_NEXT | RUN_OR_SAME)) &&
      !decode_relative_id (r, agents, n_agents, op->seq, &op->or_agent, &op->or_seq, error))
    return FALSE;
  if ((flags & RUN_OR_SAME) && !prev->has_or)
    return invalid (error, "A run copies an origin its previous run does not have");
  return decode_run_content (r, op, error);
}

static gboolean
decode_update (GBytes  *bytes,
               GArray  *inserts,
               GArray  *deletes,
               GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree guint64 *agents = NULL;
  g_autofree guint8 *flags = NULL;
  RpReader r;
  guint64 n_agents, n_runs, n_dels;

  rp_reader_init (&r, data, size);
  if (!rp_reader_header (&r, TEXT_MAGIC, TEXT_VERSION, error) ||
      !rp_reader_replicas (&r, MAX_AGENTS, &agents, &n_agents, error))
    return FALSE;

  /* Each run takes at least two bytes, which bounds the count before anything is allocated. */
  if (!rp_reader_varint (&r, MIN (MAX_PENDING, rp_reader_remaining (&r) / 2), "run count",
                         &n_runs, error))
    return FALSE;
  if (n_runs > 0 && n_agents == 0)
    return invalid (error, "An update has runs but no replicas");
  flags = g_new (guint8, n_runs + 1);
  g_array_set_size (inserts, n_runs);
  for (guint i = 0; i < n_runs; i++)
    if (!decode_run (&r, agents, n_agents,
                     i > 0 ? &g_array_index (inserts, InsertOp, i - 1) : NULL,
                     &g_array_index (inserts, InsertOp, i), &flags[i], error))
      return FALSE;
  for (guint i = 0; i < n_runs; i++)
    {
      InsertOp *op = &g_array_index (inserts, InsertOp, i);

      /* Forward order: a previous run's origin is final by now, a next run's id always is. */
      if (flags[i] & RUN_OR_SAME)
        {
          op->or_agent = op[-1].or_agent;
          op->or_seq = op[-1].or_seq;
        }
      if (!(flags[i] & RUN_OR_NEXT))
        continue;
      if (i + 1 >= n_runs)
        return invalid (error, "The last run of an update refers to a next one");
      op->or_agent = g_array_index (inserts, InsertOp, i + 1).agent;
      op->or_seq = g_array_index (inserts, InsertOp, i + 1).seq;
    }

  if (!rp_reader_varint (&r, MIN (MAX_PENDING, rp_reader_remaining (&r) / 2), "deletion count",
                         &n_dels, error))
    return FALSE;
  for (guint i = 0; i < n_dels; i++)
    {
      DeleteOp d;

      if (!decode_id (&r, agents, n_agents, &d.agent, &d.seq, error) ||
          !rp_reader_varint32 (&r, MAX_SEQ - d.seq, "deletion length", &d.len, error))
        return FALSE;
      if (d.len == 0)
        return invalid (error, "A deletion is empty");
      g_array_append_val (deletes, d);
    }
  if (rp_reader_remaining (&r) != 0)
    return invalid (error, "Extra bytes after the end of an update");
  return TRUE;
}

gboolean
rp_text_doc_apply_update (RpTextDoc *self,
                          GBytes    *update,
                          GError   **error)
{
  g_autoptr(GArray) inserts = g_array_new (FALSE, TRUE, sizeof (InsertOp));
  g_autoptr(GArray) deletes = g_array_new (FALSE, FALSE, sizeof (DeleteOp));
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), FALSE);
  g_return_val_if_fail (update != NULL, FALSE);

  g_array_set_clear_func (inserts, insert_op_clear);
  if (!decode_update (update, inserts, deletes, &local_error))
    {
      g_set_error (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_INVALID,
                   "Refused a notes update: %s", local_error->message);
      return FALSE;
    }
  if ((gsize) self->pending_inserts->len + inserts->len > MAX_PENDING ||
      (gsize) self->pending_deletes->len + deletes->len > MAX_PENDING)
    {
      g_set_error_literal (error, RP_TEXT_DOC_ERROR, RP_TEXT_DOC_ERROR_LIMIT,
                           "Refused a notes update: too many operations are waiting for "
                           "what they depend on");
      return FALSE;
    }
  /* Ownership of the texts moves to the pending list. */
  g_array_append_vals (self->pending_inserts, inserts->data, inserts->len);
  g_array_set_clear_func (inserts, NULL);
  g_array_append_vals (self->pending_deletes, deletes->data, deletes->len);
  process_pending (self);
  return TRUE;
}

/* --- reading ------------------------------------------------------------------------ */

char *
rp_text_doc_get_text (RpTextDoc *self)
{
  GString *s;

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), NULL);

  s = g_string_sized_new (self->length + 1);
  for (guint ci = 0; ci < self->chunks->len; ci++)
    {
      Chunk *c = g_ptr_array_index (self->chunks, ci);

      for (guint i = 0; i < c->n; i++)
        {
          Run *r = c->runs[i];
          const gunichar *chars;

          if (r->deleted)
            continue;
          chars = agent_at (self, r->agent)->text + r->seq;
          for (guint32 k = 0; k < r->len; k++)
            {
              if (chars[k] < 0x80)
                g_string_append_c (s, (char) chars[k]);
              else
                g_string_append_unichar (s, chars[k]);
            }
        }
    }
  return g_string_free (s, FALSE);
}

gsize
rp_text_doc_get_length (RpTextDoc *self)
{
  g_return_val_if_fail (RP_IS_TEXT_DOC (self), 0);
  return (gsize) self->length;
}

guint64
rp_text_doc_get_replica_id (RpTextDoc *self)
{
  g_return_val_if_fail (RP_IS_TEXT_DOC (self), 0);
  return self->replica_id;
}

/* A caret position that survives edits on either side: the id of the character right after
 * it ("REPLICA:COUNTER", hex and decimal), or "end". Peers exchange anchors, not positions, to
 * show where the other is typing. */
char *
rp_text_doc_anchor_at (RpTextDoc *self,
                       gsize      pos)
{
  guint32 off;
  Run *r;

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), NULL);

  if (pos >= (gsize) self->length)
    return g_strdup ("end");
  r = find_visible (self, (gint64) pos, &off);
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x:%u", agent_at (self, r->agent)->id,
                          r->seq + off);
}

/* The current position of an anchor (where its character is, or would be if deleted), or -1
 * for an anchor this document does not know (yet). */
gssize
rp_text_doc_resolve_anchor (RpTextDoc  *self,
                            const char *anchor)
{
  guint64 id;
  guint32 seq, agent;
  char *end;
  Run *r;

  g_return_val_if_fail (RP_IS_TEXT_DOC (self), -1);
  g_return_val_if_fail (anchor != NULL, -1);

  if (strcmp (anchor, "end") == 0)
    return (gssize) self->length;
  if (strlen (anchor) < 18 || anchor[16] != ':' || !g_ascii_isdigit (anchor[17]))
    return -1;
  id = g_ascii_strtoull (anchor, &end, 16);
  if (end != anchor + 16)
    return -1;
  seq = (guint32) MIN (g_ascii_strtoull (anchor + 17, &end, 10), G_MAXUINT32);
  if (*end != '\0' || (agent = agent_lookup (self, id)) == NONE ||
      (r = run_containing (self, agent, seq)) == NULL)
    return -1;
  return (gssize) (run_position (self, r) + (r->deleted ? 0 : seq - r->seq));
}

gsize
rp_text_doc_get_n_pending (RpTextDoc *self)
{
  g_return_val_if_fail (RP_IS_TEXT_DOC (self), 0);
  return self->pending_inserts->len + self->pending_deletes->len;
}

gsize
rp_text_doc_get_n_runs (RpTextDoc *self)
{
  g_return_val_if_fail (RP_IS_TEXT_DOC (self), 0);
  return self->n_runs;
}

/* --- GObject ------------------------------------------------------------------------ */

static void
rp_text_doc_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RpTextDoc *self = RP_TEXT_DOC (object);

  switch (prop_id)
    {
    case PROP_REPLICA_ID:
      g_value_set_uint64 (value, self->replica_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_text_doc_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  RpTextDoc *self = RP_TEXT_DOC (object);

  switch (prop_id)
    {
    case PROP_REPLICA_ID:
      self->replica_id = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* A fresh replica id per document object: a replica that reloads its own saved state must
 * not reuse counters it may already have handed out, so it never reuses its old id. */
static void
rp_text_doc_constructed (GObject *object)
{
  RpTextDoc *self = RP_TEXT_DOC (object);

  G_OBJECT_CLASS (rp_text_doc_parent_class)->constructed (object);

  if (self->replica_id == 0)
    self->replica_id = rp_random_replica_id ();
  self->local_agent = agent_ensure (self, self->replica_id);
}

static void
rp_text_doc_finalize (GObject *object)
{
  RpTextDoc *self = RP_TEXT_DOC (object);

  for (guint ci = 0; ci < self->chunks->len; ci++)
    {
      Chunk *c = g_ptr_array_index (self->chunks, ci);

      for (guint i = 0; i < c->n; i++)
        g_free (c->runs[i]);
    }
  g_clear_pointer (&self->chunks, g_ptr_array_unref);
  g_clear_pointer (&self->agents, g_ptr_array_unref);
  g_clear_pointer (&self->agent_index, g_hash_table_unref);
  g_clear_pointer (&self->fenwick, g_free);
  for (guint i = 0; i < self->pending_inserts->len; i++)
    insert_op_clear (&g_array_index (self->pending_inserts, InsertOp, i));
  g_clear_pointer (&self->pending_inserts, g_array_unref);
  g_clear_pointer (&self->pending_deletes, g_array_unref);

  G_OBJECT_CLASS (rp_text_doc_parent_class)->finalize (object);
}

static void
rp_text_doc_class_init (RpTextDocClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_text_doc_get_property;
  object_class->set_property = rp_text_doc_set_property;
  object_class->constructed = rp_text_doc_constructed;
  object_class->finalize = rp_text_doc_finalize;

  /* 0 means "pick a random one"; tests set it to make replica order deterministic. */
  properties[PROP_REPLICA_ID] =
    g_param_spec_uint64 ("replica-id", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after each local edit with the encoded operation: what the store appends and
   * the session sends. Remote updates applied with apply_update are not re-emitted. */
  signals[SIGNAL_UPDATE] =
    g_signal_new ("update", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* Position and text (UTF-8) of a remote insert, so that a view can follow it without
   * moving its own cursor. Handlers must not edit the document. */
  signals[SIGNAL_REMOTE_INSERT] =
    g_signal_new ("remote-insert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_REMOTE_DELETE] =
    g_signal_new ("remote-delete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
rp_text_doc_init (RpTextDoc *self)
{
  self->agents = g_ptr_array_new_with_free_func (agent_free);
  self->agent_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->chunks = g_ptr_array_new_with_free_func (g_free);
  /* No clear function: process_inserts_once moves ops (and their texts) between arrays. */
  self->pending_inserts = g_array_new (FALSE, TRUE, sizeof (InsertOp));
  self->pending_deletes = g_array_new (FALSE, FALSE, sizeof (DeleteOp));
  fenwick_rebuild (self);
}

RpTextDoc *
rp_text_doc_new (void)
{
  return g_object_new (RP_TYPE_TEXT_DOC, NULL);
}

RpTextDoc *
rp_text_doc_new_with_replica (guint64 replica_id)
{
  return g_object_new (RP_TYPE_TEXT_DOC, "replica-id", replica_id, NULL);
}

RpTextDoc *
rp_text_doc_new_from_snapshot (GBytes  *snapshot,
                               GError **error)
{
  g_autoptr(RpTextDoc) self = rp_text_doc_new ();

  if (!rp_text_doc_apply_update (self, snapshot, error))
    return NULL;
  return g_steal_pointer (&self);
}
