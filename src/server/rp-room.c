/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-room.h"

RpRoom *
rp_room_new (const char *token)
{
  RpRoom *room = g_new0 (RpRoom, 1);

  room->token = g_strdup (token);
  return room;
}

/* Empties a seat and stops its grace timer; the connection, if any, belongs to the server. */
void
rp_seat_free (RpSeat *seat)
{
  g_clear_pointer (&seat->id, g_free);
  g_clear_pointer (&seat->name, g_free);
  g_clear_handle_id (&seat->grace_source, g_source_remove);
  seat->client = NULL;
}

void
rp_room_free (RpRoom *room)
{
  if (room == NULL)
    return;
  for (guint i = 0; i < RP_ROOM_SEATS; i++)
    rp_seat_free (&room->seats[i]);
  g_free (room->token);
  g_free (room);
}

/* A returning client gets its own seat back; a newcomer the first free one; -1 if full. */
int
rp_room_pick_seat (RpRoom     *room,
                   const char *client_id)
{
  for (guint i = 0; i < RP_ROOM_SEATS; i++)
    {
      if (room->seats[i].id != NULL && g_ascii_strcasecmp (room->seats[i].id, client_id) == 0)
        return (int) i;
    }
  for (guint i = 0; i < RP_ROOM_SEATS; i++)
    {
      if (room->seats[i].id == NULL)
        return (int) i;
    }
  return -1;
}

gboolean
rp_room_is_empty (RpRoom *room)
{
  for (guint i = 0; i < RP_ROOM_SEATS; i++)
    {
      if (room->seats[i].id != NULL)
        return FALSE;
    }
  return TRUE;
}

RpSeat *
rp_room_other_seat (RpRoom *room,
                    RpSeat *seat)
{
  return seat == &room->seats[0] ? &room->seats[1] : &room->seats[0];
}
