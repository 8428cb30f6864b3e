/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A room of the rendezvous server: a token and two seats. Seat 0 (the creator's) is the
 * impolite one, seat 1 the polite one. A seat is free (no id), taken (id and a connection) or
 * held (id, no connection, a grace timer running).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RP_ROOM_SEATS 2

typedef struct _RpServerClient RpServerClient;

typedef struct {
  char           *id;            /* the client id of whoever has the seat; NULL: free */
  char           *name;
  RpServerClient *client;        /* NULL while the seat is held for a dropped connection */
  guint           grace_source;
} RpSeat;

typedef struct {
  char   *token;
  RpSeat  seats[RP_ROOM_SEATS];
} RpRoom;

RpRoom   *rp_room_new         (const char *token);
void      rp_room_free        (RpRoom     *room);
int       rp_room_pick_seat   (RpRoom     *room,
                               const char *client_id);
gboolean  rp_room_is_empty    (RpRoom     *room);
void      rp_seat_free        (RpSeat     *seat);
RpSeat   *rp_room_other_seat  (RpRoom     *room,
                               RpSeat     *seat);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpRoom, rp_room_free)

G_END_DECLS
