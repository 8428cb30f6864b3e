/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The agenda document: an ordered list of items as a state-based CRDT.
 *
 * Each item has a stable id (replica, counter) and one last-writer-wins register per field
 * (title, minutes, owner, kind, done, position), each stamped with a Lamport time and the
 * writer's replica id as tie-break. Two people editing different fields of one item both keep
 * their edit; the same field converges on the later stamp. The order is a field too: a
 * fractional position key (a byte string that sorts between its neighbours), with the item id
 * as tie-break, so a move is one register write and concurrent moves of one item settle on the
 * later one. Deletion is a flag that, once set, stays set (remove wins over a concurrent edit).
 *
 * Merging is per-field maximum, so updates apply in any order, any number of times. The agenda
 * is small (tens of items), so lists are simply sorted when asked for.
 */
#include "config.h"

#include <string.h>

#include "rp-agenda.h"
#include "rp-codec.h"
#include "rp-random.h"

#define AGENDA_MAGIC "RPA"
#define AGENDA_VERSION 1
#define SV_MAGIC "RPV"
#define SV_VERSION 1
#define MAX_POSITION 1024
#define MAX_REPLICAS (1u << 16)
#define MAX_ITEMS (1u << 16)

G_DEFINE_QUARK (rp-agenda-error-quark, rp_agenda_error)
G_DEFINE_BOXED_TYPE (RpAgendaItem, rp_agenda_item, rp_agenda_item_copy, rp_agenda_item_free)

enum {
  F_TITLE,
  F_MINUTES,
  F_OWNER,
  F_KIND,
  F_DONE,
  F_POSITION,
  F_DELETED,
  N_FIELDS
};

typedef struct {
  guint32 lamport;   /* 0: never written */
  guint64 replica;
} Stamp;

typedef struct {
  guint64  replica;
  guint32  counter;
  guint8   mask;     /* which fields this record carries (in an update) or holds */
  Stamp    stamps[N_FIELDS];
  char    *title;
  guint32  minutes;
  guint8   owner;
  guint8   kind;
  gboolean done;
  GBytes  *position;
  gboolean deleted;
} Item;

struct _RpAgenda
{
  GObject     parent_instance;

  guint64     replica_id;
  guint32     clock;
  guint32     next_counter;
  GHashTable *items;   /* char *id -> Item* */
};

G_DEFINE_FINAL_TYPE (RpAgenda, rp_agenda, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REPLICA_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_UPDATE,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- items ---------------------------------------------------------------------------- */

RpAgendaItem *
rp_agenda_item_copy (const RpAgendaItem *item)
{
  RpAgendaItem *copy = g_new (RpAgendaItem, 1);

  *copy = *item;
  copy->id = g_strdup (item->id);
  copy->title = g_strdup (item->title);
  return copy;
}

void
rp_agenda_item_free (RpAgendaItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->title);
  g_free (item);
}

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->title);
  g_clear_pointer (&item->position, g_bytes_unref);
  g_free (item);
}

static char *
item_id_string (guint64 replica,
                guint32 counter)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x-%x", replica, counter);
}

static gint
stamp_compare (Stamp a,
               Stamp b)
{
  if (a.lamport != b.lamport)
    return a.lamport < b.lamport ? -1 : 1;
  return (a.replica > b.replica) - (a.replica < b.replica);
}

static gboolean
item_visible (const Item *item)
{
  return !item->deleted && item->position != NULL;
}

static gint
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  const Item *x = *(const Item * const *) a, *y = *(const Item * const *) b;
  gint c = g_bytes_compare (x->position, y->position);

  if (c != 0)
    return c;
  if (x->replica != y->replica)
    return x->replica < y->replica ? -1 : 1;
  return (x->counter > y->counter) - (x->counter < y->counter);
}

/* Visible items in agenda order (borrowed pointers). */
static GPtrArray *
ordered_items (RpAgenda *self)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (item_visible (value))
      g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_positions);
  return list;
}

static RpAgendaItem *
item_to_public (const Item *item)
{
  RpAgendaItem *pub = g_new0 (RpAgendaItem, 1);

  pub->id = item_id_string (item->replica, item->counter);
  pub->title = g_strdup (item->title ? item->title : "");
  pub->minutes = item->minutes;
  pub->owner = item->owner;
  pub->kind = item->kind;
  pub->done = item->done;
  return pub;
}

/* --- fractional positions ------------------------------------------------------------- */

/* A key that sorts strictly between @a (NULL: the start) and @b (NULL: the end), compared
 * bytewise. Digits are bytes; a missing digit of @a counts as 0 and of @b as 256; the result
 * never ends in a 0 byte, so there is always room below it. */
static GBytes *
position_between (GBytes *a,
                  GBytes *b)
{
  gsize la = 0, lb = 0;
  const guint8 *pa = a ? g_bytes_get_data (a, &la) : NULL;
  const guint8 *pb = b ? g_bytes_get_data (b, &lb) : NULL;
  GByteArray *out = g_byte_array_new ();
  gboolean bounded = pb != NULL;

  for (gsize i = 0;; i++)
    {
      guint da = i < la ? pa[i] : 0;
      guint db = bounded && i < lb ? pb[i] : 256;
      guint8 digit;

      if (da == db)
        {
          digit = (guint8) da;
          g_byte_array_append (out, &digit, 1);
          continue;
        }
      if ((da + db) / 2 > da)
        {
          digit = (guint8) ((da + db) / 2);
          g_byte_array_append (out, &digit, 1);
          break;
        }
      /* Adjacent digits: keep @a's and look for room further right, unbounded above. */
      digit = (guint8) da;
      g_byte_array_append (out, &digit, 1);
      bounded = FALSE;
    }
  return g_byte_array_free_to_bytes (out);
}

/* The position for an item placed at @index of @list (which does not hold the item), or NULL
 * when keys there have grown past what peers accept (thousands of inserts at one place). */
static GBytes *
position_for_index (GPtrArray *list,
                    guint      index,
                    GError   **error)
{
  GBytes *before = index > 0 ? ((Item *) list->pdata[index - 1])->position : NULL;
  GBytes *after = NULL;
  GBytes *key;

  /* Items with equal keys (placed concurrently) are ordered by id; skip past them so the
   * new key is strictly greater than @before. */
  for (guint i = index; i < list->len; i++)
    {
      GBytes *p = ((Item *) list->pdata[i])->position;

      if (before == NULL || !g_bytes_equal (p, before))
        {
          after = p;
          break;
        }
    }
  key = position_between (before, after);
  if (g_bytes_get_size (key) > MAX_POSITION)
    {
      g_bytes_unref (key);
      g_set_error_literal (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID,
                           "No room left at that place of the agenda; move the item elsewhere");
      return NULL;
    }
  return key;
}

/* --- encoding --------------------------------------------------------------------------- */

typedef struct {
  GByteArray     *body;
  RpReplicaTable  replicas;
} Encoder;

static guint
encoder_slot (Encoder *e,
              guint64  replica)
{
  return rp_replica_table_slot (&e->replicas, replica);
}

static void
encode_field (Encoder    *e,
              const Item *item,
              guint       field)
{
  GByteArray *w = e->body;
  gsize len;
  const guint8 *data;

  rp_writer_varint (w, item->stamps[field].lamport);
  rp_writer_varint (w, encoder_slot (e, item->stamps[field].replica));
  switch (field)
    {
    case F_TITLE:
      rp_writer_string (w, item->title);
      break;
    case F_MINUTES:
      rp_writer_varint (w, item->minutes);
      break;
    case F_OWNER:
      rp_writer_u8 (w, item->owner);
      break;
    case F_KIND:
      rp_writer_u8 (w, item->kind);
      break;
    case F_DONE:
      rp_writer_u8 (w, item->done ? 1 : 0);
      break;
    case F_POSITION:
      data = g_bytes_get_data (item->position, &len);
      rp_writer_varint (w, len);
      rp_writer_bytes (w, data, len);
      break;
    case F_DELETED:
      rp_writer_u8 (w, 1);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* @items: Item* records; each is written with the fields in its mask. */
static GBytes *
encode_items (GPtrArray *items)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  Encoder e = { body };
  GByteArray *out = g_byte_array_new ();

  rp_replica_table_init (&e.replicas);

  rp_writer_varint (body, items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = items->pdata[i];

      rp_writer_varint (body, encoder_slot (&e, item->replica));
      rp_writer_varint (body, item->counter);
      rp_writer_u8 (body, item->mask);
      for (guint f = 0; f < N_FIELDS; f++)
        if (item->mask & (1u << f))
          encode_field (&e, item, f);
    }
  rp_writer_header (out, AGENDA_MAGIC, AGENDA_VERSION);
  rp_writer_replicas (out, &e.replicas);
  rp_writer_bytes (out, body->data, body->len);
  rp_replica_table_clear (&e.replicas);
  return g_byte_array_free_to_bytes (out);
}

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  const Item *x = *(const Item * const *) a, *y = *(const Item * const *) b;

  if (x->replica != y->replica)
    return x->replica < y->replica ? -1 : 1;
  return (x->counter > y->counter) - (x->counter < y->counter);
}

/* Items whose fields pass @keep, in id order so that equal agendas encode to equal bytes. A
 * deleted item is sent as its deletion alone: nothing else of it can ever show again. */
static GBytes *
encode_selected (RpAgenda *self,
                 gboolean (*keep) (const Stamp *stamp, gpointer data),
                 gpointer  data)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, value);
  g_ptr_array_sort (all, compare_ids);
  for (guint i = 0; i < all->len; i++)
    {
      const Item *item = all->pdata[i];
      Item *rec = g_memdup2 (item, sizeof *item);
      guint8 mask = item->deleted ? (1u << F_DELETED) : item->mask;

      rec->mask = 0;
      for (guint f = 0; f < N_FIELDS; f++)
        if ((mask & (1u << f)) && keep (&item->stamps[f], data))
          rec->mask |= 1u << f;
      if (rec->mask != 0)
        g_ptr_array_add (records, rec);
      else
        g_free (rec);
    }
  return encode_items (records);
}

static gboolean
keep_all (const Stamp *stamp,
          gpointer     data)
{
  return TRUE;
}

GBytes *
rp_agenda_encode_state (RpAgenda *self)
{
  g_return_val_if_fail (RP_IS_AGENDA (self), NULL);
  return encode_selected (self, keep_all, NULL);
}

/* The state vector of the agenda: per replica, the highest Lamport time of its writes that
 * this agenda holds. */
GBytes *
rp_agenda_encode_state_vector (RpAgenda *self)
{
  g_autoptr(GHashTable) max = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GByteArray *out = g_byte_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (RP_IS_AGENDA (self), NULL);

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const Item *item = value;

      for (guint f = 0; f < N_FIELDS; f++)
        {
          const Stamp *s = &item->stamps[f];
          guint32 seen;

          if (!(item->mask & (1u << f)))
            continue;
          seen = GPOINTER_TO_UINT (g_hash_table_lookup (max, &s->replica));
          if (s->lamport > seen)
            g_hash_table_insert (max, g_memdup2 (&s->replica, sizeof s->replica),
                                 GUINT_TO_POINTER (s->lamport));
        }
    }
  rp_writer_header (out, SV_MAGIC, SV_VERSION);
  rp_writer_varint (out, g_hash_table_size (max));
  g_hash_table_iter_init (&iter, max);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      rp_writer_u64le (out, *(guint64 *) key);
      rp_writer_varint (out, GPOINTER_TO_UINT (value));
    }
  return g_byte_array_free_to_bytes (out);
}

static gboolean
keep_unseen (const Stamp *stamp,
             gpointer     data)
{
  GHashTable *seen = data;

  return stamp->lamport > GPOINTER_TO_UINT (g_hash_table_lookup (seen, &stamp->replica));
}

GBytes *
rp_agenda_encode_diff (RpAgenda *self,
                       GBytes   *state_vector,
                       GError  **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gsize size;
  const guint8 *data;
  RpReader r;
  guint64 n;

  g_return_val_if_fail (RP_IS_AGENDA (self), NULL);
  g_return_val_if_fail (state_vector != NULL, NULL);

  data = g_bytes_get_data (state_vector, &size);
  rp_reader_init (&r, data, size);
  if (!rp_reader_header (&r, SV_MAGIC, SV_VERSION, error) ||
      !rp_reader_varint (&r, MIN (MAX_REPLICAS, rp_reader_remaining (&r) / 9), "replica count",
                         &n, error))
    return NULL;
  for (guint64 i = 0; i < n; i++)
    {
      guint64 replica;
      guint32 lamport;

      if (!rp_reader_u64le (&r, &replica, error) ||
          !rp_reader_varint32 (&r, G_MAXUINT32, "timestamp", &lamport, error))
        return NULL;
      g_hash_table_insert (seen, g_memdup2 (&replica, sizeof replica), GUINT_TO_POINTER (lamport));
    }
  if (rp_reader_remaining (&r) != 0)
    {
      g_set_error_literal (error, RP_CODEC_ERROR, RP_CODEC_ERROR_MALFORMED,
                           "Extra bytes after the version vector");
      return NULL;
    }
  return encode_selected (self, keep_unseen, seen);
}

/* --- decoding --------------------------------------------------------------------------- */

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
decode_flag (RpReader   *r,
             guint8      max,
             const char *what,
             guint8     *out,
             GError    **error)
{
  if (!rp_reader_u8 (r, out, error))
    return FALSE;
  if (*out > max)
    {
      g_set_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID,
                   "An agenda item has an unknown %s (%u)", what, *out);
      return FALSE;
    }
  return TRUE;
}

static gboolean
decode_position (RpReader  *r,
                 Item      *rec,
                 GError   **error)
{
  guint64 len;
  const guint8 *bytes;

  if (!rp_reader_varint (r, MAX_POSITION, "position length", &len, error) ||
      !rp_reader_bytes (r, len, &bytes, error))
    return FALSE;
  if (len == 0 || bytes[len - 1] == 0)
    return invalid (error, "An agenda item has a malformed position");
  rec->position = g_bytes_new (bytes, len);
  return TRUE;
}

static gboolean
decode_field (RpReader      *r,
              const guint64 *replicas,
              guint          n_replicas,
              Item          *rec,
              guint          field,
              GError       **error)
{
  guint32 slot;
  guint8 v;

  if (!rp_reader_varint32 (r, G_MAXUINT32, "timestamp", &rec->stamps[field].lamport, error) ||
      !rp_reader_varint32 (r, n_replicas - 1, "replica slot", &slot, error))
    return FALSE;
  if (rec->stamps[field].lamport == 0)
    return invalid (error, "An agenda field has a zero timestamp");
  rec->stamps[field].replica = replicas[slot];
  switch (field)
    {
    case F_TITLE:
      return rp_reader_string (r, RP_AGENDA_MAX_TITLE, "title", &rec->title, error);
    case F_MINUTES:
      return rp_reader_varint32 (r, RP_AGENDA_MAX_MINUTES, "minutes", &rec->minutes, error);
    case F_OWNER:
      return decode_flag (r, RP_AGENDA_OWNER_MENTEE, "owner", &rec->owner, error);
    case F_KIND:
      return decode_flag (r, RP_AGENDA_KIND_ACTION_ITEM, "kind", &rec->kind, error);
    case F_DONE:
      if (!decode_flag (r, 1, "done flag", &v, error))
        return FALSE;
      rec->done = v;
      return TRUE;
    case F_POSITION:
      return decode_position (r, rec, error);
    case F_DELETED:
      if (!decode_flag (r, 1, "deletion flag", &v, error))
        return FALSE;
      if (v != 1)
        return invalid (error, "An agenda deletion does not delete");
      rec->deleted = TRUE;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
decode_update (GBytes    *bytes,
               GPtrArray *records,
               GError   **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree guint64 *replicas = NULL;
  RpReader r;
  guint64 n_replicas, n_items;

  rp_reader_init (&r, data, size);
  if (!rp_reader_header (&r, AGENDA_MAGIC, AGENDA_VERSION, error) ||
      !rp_reader_replicas (&r, MAX_REPLICAS, &replicas, &n_replicas, error))
    return FALSE;
  if (!rp_reader_varint (&r, MIN (MAX_ITEMS, rp_reader_remaining (&r) / 3), "item count",
                         &n_items, error))
    return FALSE;
  if (n_items > 0 && n_replicas == 0)
    return invalid (error, "An agenda update has items but lists no replicas");
  for (guint i = 0; i < n_items; i++)
    {
      Item *rec = g_new0 (Item, 1);
      guint32 slot;

      g_ptr_array_add (records, rec);
      if (!rp_reader_varint32 (&r, n_replicas - 1, "replica slot", &slot, error) ||
          !rp_reader_varint32 (&r, G_MAXUINT32, "item counter", &rec->counter, error) ||
          !rp_reader_u8 (&r, &rec->mask, error))
        return FALSE;
      rec->replica = replicas[slot];
      if (rec->mask == 0 || rec->mask >= (1u << N_FIELDS))
        return invalid (error, "An agenda item has no fields or unknown ones");
      for (guint f = 0; f < N_FIELDS; f++)
        if ((rec->mask & (1u << f)) &&
            !decode_field (&r, replicas, n_replicas, rec, f, error))
          return FALSE;
    }
  if (rp_reader_remaining (&r) != 0)
    return invalid (error, "Extra bytes after the end of an agenda update");
  return TRUE;
}

/* --- merging ---------------------------------------------------------------------------- */

static void
take_field (Item       *item,
            const Item *rec,
            guint       field)
{
  item->stamps[field] = rec->stamps[field];
  item->mask |= 1u << field;
  switch (field)
    {
    case F_TITLE:
      g_free (item->title);
      item->title = g_strdup (rec->title);
      break;
    case F_MINUTES:
      item->minutes = rec->minutes;
      break;
    case F_OWNER:
      item->owner = rec->owner;
      break;
    case F_KIND:
      item->kind = rec->kind;
      break;
    case F_DONE:
      item->done = rec->done;
      break;
    case F_POSITION:
      g_clear_pointer (&item->position, g_bytes_unref);
      item->position = g_bytes_ref (rec->position);
      break;
    case F_DELETED:
      item->deleted = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Merges one record; returns whether anything changed. */
static gboolean
merge_record (RpAgenda   *self,
              const Item *rec)
{
  g_autofree char *id = item_id_string (rec->replica, rec->counter);
  Item *item = g_hash_table_lookup (self->items, id);
  gboolean changed = FALSE;

  if (item == NULL)
    {
      item = g_new0 (Item, 1);
      item->replica = rec->replica;
      item->counter = rec->counter;
      g_hash_table_insert (self->items, g_steal_pointer (&id), item);
    }
  for (guint f = 0; f < N_FIELDS; f++)
    {
      if (!(rec->mask & (1u << f)))
        continue;
      self->clock = MAX (self->clock, rec->stamps[f].lamport);
      if (!(item->mask & (1u << f)) || stamp_compare (rec->stamps[f], item->stamps[f]) > 0)
        {
          take_field (item, rec, f);
          changed = TRUE;
        }
    }
  return changed;
}

gboolean
rp_agenda_apply_update (RpAgenda *self,
                        GBytes   *update,
                        GError  **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (item_free);
  g_autoptr(GError) local_error = NULL;
  gboolean changed = FALSE;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);
  g_return_val_if_fail (update != NULL, FALSE);

  if (!decode_update (update, records, &local_error))
    {
      g_set_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID,
                   "Refused an agenda update: %s", local_error->message);
      return FALSE;
    }
  for (guint i = 0; i < records->len; i++)
    changed |= merge_record (self, records->pdata[i]);
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

/* --- local edits ------------------------------------------------------------------------ */

static Item *
find_live (RpAgenda   *self,
           const char *id,
           GError    **error)
{
  Item *item = id ? g_hash_table_lookup (self->items, id) : NULL;

  if (item == NULL || !item_visible (item))
    {
      g_set_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_NOT_FOUND,
                   "The agenda has no item “%s”", id ? id : "(null)");
      return NULL;
    }
  return item;
}

/* Stamps the fields in @mask of @item as written now, then tells the world. */
static void
commit_local (RpAgenda *self,
              Item     *item,
              guint8    mask)
{
  Stamp now = { ++self->clock, self->replica_id };

  for (guint f = 0; f < N_FIELDS; f++)
    if (mask & (1u << f))
      item->stamps[f] = now;
  item->mask |= mask;
  if (g_signal_has_handler_pending (self, signals[SIGNAL_UPDATE], 0, FALSE))
    {
      g_autoptr(GPtrArray) records = g_ptr_array_new ();
      g_autoptr(GBytes) update = NULL;
      Item rec = *item;

      rec.mask = mask;
      g_ptr_array_add (records, &rec);
      update = encode_items (records);
      g_signal_emit (self, signals[SIGNAL_UPDATE], 0, update);
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static gboolean
check_title (const char *title,
             GError    **error)
{
  if (title == NULL || strlen (title) > RP_AGENDA_MAX_TITLE || !g_utf8_validate (title, -1, NULL))
    {
      g_set_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID,
                   "An agenda title must be UTF-8 text of at most %d bytes",
                   RP_AGENDA_MAX_TITLE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_minutes (guint    minutes,
               GError **error)
{
  if (minutes > RP_AGENDA_MAX_MINUTES)
    {
      g_set_error (error, RP_AGENDA_ERROR, RP_AGENDA_ERROR_INVALID,
                   "An agenda item can take at most %d minutes", RP_AGENDA_MAX_MINUTES);
      return FALSE;
    }
  return TRUE;
}

char *
rp_agenda_add_item (RpAgenda      *self,
                    gint           index,
                    const char    *title,
                    guint          minutes,
                    RpAgendaOwner  owner,
                    RpAgendaKind   kind,
                    GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GBytes) position = NULL;
  Item *item;
  char *id;

  g_return_val_if_fail (RP_IS_AGENDA (self), NULL);

  if (!check_title (title, error) || !check_minutes (minutes, error))
    return NULL;
  list = ordered_items (self);
  if (index < 0 || (guint) index > list->len)
    index = list->len;
  position = position_for_index (list, index, error);
  if (position == NULL)
    return NULL;
  item = g_new0 (Item, 1);
  item->replica = self->replica_id;
  item->counter = self->next_counter++;
  item->title = g_strdup (title);
  item->minutes = minutes;
  item->owner = owner == RP_AGENDA_OWNER_MENTEE;
  item->kind = kind == RP_AGENDA_KIND_ACTION_ITEM;
  item->position = g_steal_pointer (&position);
  id = item_id_string (item->replica, item->counter);
  g_hash_table_insert (self->items, g_strdup (id), item);
  commit_local (self, item, (1u << F_TITLE) | (1u << F_MINUTES) | (1u << F_OWNER) |
                            (1u << F_KIND) | (1u << F_DONE) | (1u << F_POSITION));
  return id;
}

gboolean
rp_agenda_set_title (RpAgenda   *self,
                     const char *id,
                     const char *title,
                     GError    **error)
{
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);

  if (!check_title (title, error) || (item = find_live (self, id, error)) == NULL)
    return FALSE;
  g_free (item->title);
  item->title = g_strdup (title);
  commit_local (self, item, 1u << F_TITLE);
  return TRUE;
}

gboolean
rp_agenda_set_minutes (RpAgenda   *self,
                       const char *id,
                       guint       minutes,
                       GError    **error)
{
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);

  if (!check_minutes (minutes, error) || (item = find_live (self, id, error)) == NULL)
    return FALSE;
  item->minutes = minutes;
  commit_local (self, item, 1u << F_MINUTES);
  return TRUE;
}

gboolean
rp_agenda_set_owner (RpAgenda      *self,
                     const char    *id,
                     RpAgendaOwner  owner,
                     GError       **error)
{
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);

  if ((item = find_live (self, id, error)) == NULL)
    return FALSE;
  item->owner = owner == RP_AGENDA_OWNER_MENTEE;
  commit_local (self, item, 1u << F_OWNER);
  return TRUE;
}

gboolean
rp_agenda_set_kind (RpAgenda     *self,
                    const char   *id,
                    RpAgendaKind  kind,
                    GError      **error)
{
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);

  if ((item = find_live (self, id, error)) == NULL)
    return FALSE;
  item->kind = kind == RP_AGENDA_KIND_ACTION_ITEM;
  commit_local (self, item, 1u << F_KIND);
  return TRUE;
}

gboolean
rp_agenda_set_done (RpAgenda   *self,
                    const char *id,
                    gboolean    done,
                    GError    **error)
{
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);

  if ((item = find_live (self, id, error)) == NULL)
    return FALSE;
  item->done = !!done;
  commit_local (self, item, 1u << F_DONE);
  return TRUE;
}

gboolean
rp_agenda_move_item (RpAgenda   *self,
                     const char *id,
                     guint       index,
                     GError    **error)
{
  g_autoptr(GPtrArray) list = NULL;
  GBytes *position;
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);

  if ((item = find_live (self, id, error)) == NULL)
    return FALSE;
  list = ordered_items (self);
  g_ptr_array_remove (list, item);
  if (index > list->len)
    index = list->len;
  if ((position = position_for_index (list, index, error)) == NULL)
    return FALSE;
  g_clear_pointer (&item->position, g_bytes_unref);
  item->position = position;
  commit_local (self, item, 1u << F_POSITION);
  return TRUE;
}

gboolean
rp_agenda_remove_item (RpAgenda   *self,
                       const char *id,
                       GError    **error)
{
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), FALSE);

  if ((item = find_live (self, id, error)) == NULL)
    return FALSE;
  item->deleted = TRUE;
  commit_local (self, item, 1u << F_DELETED);
  return TRUE;
}

/* --- reading ---------------------------------------------------------------------------- */

GPtrArray *
rp_agenda_list_items (RpAgenda *self)
{
  g_autoptr(GPtrArray) list = NULL;
  GPtrArray *out;

  g_return_val_if_fail (RP_IS_AGENDA (self), NULL);

  list = ordered_items (self);
  out = g_ptr_array_new_full (list->len, (GDestroyNotify) rp_agenda_item_free);
  for (guint i = 0; i < list->len; i++)
    g_ptr_array_add (out, item_to_public (list->pdata[i]));
  return out;
}

RpAgendaItem *
rp_agenda_get_item (RpAgenda   *self,
                    const char *id)
{
  Item *item;

  g_return_val_if_fail (RP_IS_AGENDA (self), NULL);

  item = find_live (self, id, NULL);
  return item ? item_to_public (item) : NULL;
}

guint64
rp_agenda_get_replica_id (RpAgenda *self)
{
  g_return_val_if_fail (RP_IS_AGENDA (self), 0);
  return self->replica_id;
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
rp_agenda_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RpAgenda *self = RP_AGENDA (object);

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
rp_agenda_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RpAgenda *self = RP_AGENDA (object);

  switch (prop_id)
    {
    case PROP_REPLICA_ID:
      self->replica_id = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* A fresh replica id per object, so that item counters never repeat across restarts. */
static void
rp_agenda_constructed (GObject *object)
{
  RpAgenda *self = RP_AGENDA (object);

  G_OBJECT_CLASS (rp_agenda_parent_class)->constructed (object);

  if (self->replica_id == 0)
    self->replica_id = rp_random_replica_id ();
}

static void
rp_agenda_finalize (GObject *object)
{
  RpAgenda *self = RP_AGENDA (object);

  g_clear_pointer (&self->items, g_hash_table_unref);

  G_OBJECT_CLASS (rp_agenda_parent_class)->finalize (object);
}

static void
rp_agenda_class_init (RpAgendaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_agenda_get_property;
  object_class->set_property = rp_agenda_set_property;
  object_class->constructed = rp_agenda_constructed;
  object_class->finalize = rp_agenda_finalize;

  /* 0 means "pick a random one"; tests set it to make tie-breaks deterministic. */
  properties[PROP_REPLICA_ID] =
    g_param_spec_uint64 ("replica-id", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* After each local edit: the encoded change, for the store and the peer. */
  signals[SIGNAL_UPDATE] =
    g_signal_new ("update", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* After any change, local or merged: views re-read the list. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
rp_agenda_init (RpAgenda *self)
{
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, item_free);
}

RpAgenda *
rp_agenda_new (void)
{
  return g_object_new (RP_TYPE_AGENDA, NULL);
}

RpAgenda *
rp_agenda_new_with_replica (guint64 replica_id)
{
  return g_object_new (RP_TYPE_AGENDA, "replica-id", replica_id, NULL);
}

RpAgenda *
rp_agenda_new_from_snapshot (GBytes  *snapshot,
                             GError **error)
{
  g_autoptr(RpAgenda) self = rp_agenda_new ();

  if (!rp_agenda_apply_update (self, snapshot, error))
    return NULL;
  return g_steal_pointer (&self);
}
