/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer harness for schedule proposals and answers as they arrive from the peer over the
 * data channel.
 */
#include "config.h"

#include <stdint.h>

#include "rp-proposal.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

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
