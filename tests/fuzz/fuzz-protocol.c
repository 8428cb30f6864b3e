/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer harness for everything in rp-protocol that reads network input: signaling
 * messages of both directions, join links, and SDP for the verification code. A message that
 * parses must also survive being written and read back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rp-protocol.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gboolean
carries_data (RpMessage *message)
{
  return message->type == RP_MESSAGE_SIGNAL || message->type == RP_MESSAGE_APP;
}

/* What the server relays is the sender's text plus "from": it must read back as a server
 * message from that client. */
static void
check_relay (RpMessage *message)
{
  static const char id[] = "0123456789abcdef0123456789abcdef";
  g_autofree char *relayed = rp_protocol_relay_text (message, id);
  g_autoptr(GError) error = NULL;
  g_autoptr(RpMessage) again = rp_protocol_parse_server_message (relayed, strlen (relayed),
                                                                 &error);

  if (again == NULL && strlen (relayed) <= RP_PROTOCOL_MAX_MESSAGE_SIZE)
    {
      g_printerr ("relayed message does not read back: %s (%s)\n", error->message, relayed);
      abort ();
    }
  if (again != NULL && g_strcmp0 (again->from, id) != 0)
    {
      g_printerr ("relayed message names the wrong sender: %s\n", relayed);
      abort ();
    }
}

/* json-glib writes numbers it could not hold as invalid JSON ("inf.0"); "data" is therefore
 * never written out again by the server, only relayed as text, and is left out here. */
static void
check_roundtrip (RpMessage *message,
                 gboolean   from_client)
{
  g_autofree char *text = rp_message_to_json (message);
  g_autoptr(GError) error = NULL;
  g_autoptr(RpMessage) again = from_client
    ? rp_protocol_parse_client_message (text, strlen (text), &error)
    : rp_protocol_parse_server_message (text, strlen (text), &error);

  /* Written output is at most a little larger than the input, which was within the limit;
   * only a message near the limit may fail to come back. */
  if (again == NULL && strlen (text) <= RP_PROTOCOL_MAX_MESSAGE_SIZE)
    {
      /* abort(), not g_error(): libFuzzer keeps the input of an abort as an artifact. */
      g_printerr ("message did not survive a round trip: %s (%s)\n", error->message, text);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *text = (const char *) data;
  g_autofree char *string = g_strndup (text, size);
  g_autoptr(RpMessage) client = rp_protocol_parse_client_message (text, size, NULL);
  g_autoptr(RpMessage) server = rp_protocol_parse_server_message (text, size, NULL);
  g_autofree char *host_port = NULL;
  g_autofree char *room = NULL;
  g_autofree char *code = NULL;
  gboolean tls;
  gsize half = strlen (string) / 2;

  if (client != NULL && carries_data (client))
    check_relay (client);
  else if (client != NULL)
    check_roundtrip (client, TRUE);
  if (server != NULL && !carries_data (server))
    check_roundtrip (server, FALSE);
  if (rp_protocol_parse_link (string, &host_port, &room, &tls, NULL))
    g_assert_true (rp_protocol_is_room_token (room));

  code = rp_protocol_verification_code (string + half, string);
  g_assert_true (code == NULL || strlen (code) == 6);
  return 0;
}
