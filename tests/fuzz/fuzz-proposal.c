/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer harness for schedule proposals and answers as they arrive from the peer over the
 * data channel: the parser, and then the whole receiving path of RpProposalExchange (checked
 * against a real store that holds one proposal of ours, "seed@rapport", so that answers to it
 * reach the answer path).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "rp-proposal-exchange.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define OUR_PROPOSAL \
  "{\"type\":\"schedule-proposal\",\"version\":1,\"id\":\"seed@rapport\"," \
  "\"zone\":\"Europe/Berlin\",\"minutes\":45,\"slots\":[\"2030-03-10T09:00\"," \
  "\"2030-03-11T17:30\"]}"

static void
remove_store (void)
{
  const char *dir = g_getenv ("RAPPORT_FUZZ_STORE_DIR");

  if (dir != NULL)
    {
      g_autofree char *db = g_build_filename (dir, "fuzz.db", NULL);
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);

      g_unlink (db);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
}

/* One exchange for the whole run: a fresh store in a temporary folder, with our proposal. */
static RpProposalExchange *
exchange (void)
{
  static RpProposalExchange *x;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(RpProposal) ours = NULL;
  g_autoptr(RpStore) store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (x != NULL)
    return x;
  dir = g_dir_make_tmp ("rapport-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("RAPPORT_FUZZ_STORE_DIR", dir, TRUE);
  atexit (remove_store);
  path = g_build_filename (dir, "fuzz.db", NULL);
  store = rp_store_new (path, &error);
  g_assert_no_error (error);
  x = rp_proposal_exchange_new (store, 0);
  node = json_from_string (OUR_PROPOSAL, NULL);
  ours = rp_proposal_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_true (rp_proposal_exchange_propose (x, ours, &error));
  rp_proposal_exchange_channel_opened (x);
  return x;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(RpProposal) proposal = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root != NULL)
    rp_proposal_exchange_receive_app (exchange (), root);
  proposal = rp_proposal_new_from_json (root, &error);
  if (proposal == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  /* Round trip, then feed the same message back as if it were an answer. */
  {
    g_autoptr(JsonNode) again = rp_proposal_to_json (proposal);
    g_autoptr(RpProposal) copy = rp_proposal_new_from_json (again, NULL);
    g_autoptr(RpMeeting) m = NULL;

    g_assert (copy != NULL);
    g_assert (rp_proposal_get_n_slots (copy) == rp_proposal_get_n_slots (proposal));
    m = rp_proposal_apply_answer (copy, root, NULL);
  }
  return 0;
}
