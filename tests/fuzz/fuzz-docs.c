/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer harness for everything a peer (or a damaged file) can hand the document core:
 * the same bytes go in as a sync frame, as a notes update and as an agenda update, each into
 * documents that already hold content. Whatever is accepted or refused, the documents must
 * stay whole: valid UTF-8, lengths that agree, and still editable and encodable.
 */
#include "config.h"

#include <stdint.h>

#include "rp-sync.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GLogWriterOutput
drop_log (GLogLevelFlags   level,
          const GLogField *fields,
          gsize            n_fields,
          gpointer         user_data)
{
  return G_LOG_WRITER_HANDLED;
}

/* Refused frames are logged; at thousands of inputs a second that is only noise. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (drop_log, NULL, NULL);
  return 0;
}

static void
check_notes (RpTextDoc *notes)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) state = NULL;
  g_autoptr(RpTextDoc) reloaded = NULL;

  g_assert_true (rp_text_doc_insert (notes, rp_text_doc_get_length (notes), "!", -1, NULL));
  text = rp_text_doc_get_text (notes);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (text, -1), ==, rp_text_doc_get_length (notes));
  state = rp_text_doc_encode_state (notes);
  reloaded = rp_text_doc_new_from_snapshot (state, NULL);
  g_assert_nonnull (reloaded);
}

static void
check_agenda (RpAgenda *agenda)
{
  g_autoptr(GPtrArray) items = rp_agenda_list_items (agenda);
  g_autoptr(GBytes) state = rp_agenda_encode_state (agenda);
  g_autoptr(RpAgenda) reloaded = rp_agenda_new_from_snapshot (state, NULL);

  g_assert_nonnull (reloaded);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (g_utf8_validate (((RpAgendaItem *) items->pdata[i])->title, -1, NULL));
}

static void
seed_documents (RpTextDoc *notes,
                RpAgenda  *agenda)
{
  g_assert_true (rp_text_doc_insert (notes, 0, "Notes: goals ✓, 🙂", -1, NULL));
  g_assert_true (rp_text_doc_delete (notes, 2, 3, NULL));
  g_free (rp_agenda_add_item (agenda, -1, "Check-in", 5, RP_AGENDA_OWNER_MENTOR,
                              RP_AGENDA_KIND_TOPIC, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(RpTextDoc) notes = rp_text_doc_new_with_replica (1);
  g_autoptr(RpAgenda) agenda = rp_agenda_new_with_replica (1);
  g_autoptr(RpSync) sync = NULL;
  g_autoptr(GBytes) diff = NULL;

  seed_documents (notes, agenda);
  sync = rp_sync_new (notes, agenda, "");
  (void) rp_sync_receive (sync, bytes, NULL);
  (void) rp_text_doc_apply_update (notes, bytes, NULL);
  (void) rp_agenda_apply_update (agenda, bytes, NULL);
  g_clear_pointer (&diff, g_bytes_unref);
  diff = rp_text_doc_encode_diff (notes, bytes, NULL);
  g_clear_pointer (&diff, g_bytes_unref);
  diff = rp_agenda_encode_diff (agenda, bytes, NULL);
  if (size > 0 && size < 64)
    {
      g_autofree char *anchor = g_strndup ((const char *) data, size);

      (void) rp_text_doc_resolve_anchor (notes, anchor);
    }
  check_notes (notes);
  check_agenda (agenda);
  return 0;
}
