/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RP_AGENDA_ERROR (rp_agenda_error_quark ())
GQuark rp_agenda_error_quark (void);

typedef enum {
  RP_AGENDA_ERROR_NOT_FOUND,   /* no (live) item with that id */
  RP_AGENDA_ERROR_INVALID,     /* malformed or hostile encoded data, or a bad value */
} RpAgendaError;

typedef enum {
  RP_AGENDA_OWNER_MENTOR,
  RP_AGENDA_OWNER_MENTEE,
} RpAgendaOwner;

typedef enum {
  RP_AGENDA_KIND_TOPIC,
  RP_AGENDA_KIND_ACTION_ITEM,
} RpAgendaKind;

/* A copy of one item, as the agenda holds it now. */
typedef struct {
  char          *id;       /* stable across replicas: "REPLICA-COUNTER" in hex */
  char          *title;
  guint          minutes;
  RpAgendaOwner  owner;
  RpAgendaKind   kind;
  gboolean       done;
} RpAgendaItem;

#define RP_TYPE_AGENDA_ITEM (rp_agenda_item_get_type ())
GType         rp_agenda_item_get_type (void) G_GNUC_CONST;
RpAgendaItem *rp_agenda_item_copy     (const RpAgendaItem *item);
void          rp_agenda_item_free     (RpAgendaItem       *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpAgendaItem, rp_agenda_item_free)

#define RP_AGENDA_MAX_TITLE 1024   /* bytes */
#define RP_AGENDA_MAX_MINUTES 1440

#define RP_TYPE_AGENDA (rp_agenda_get_type ())
G_DECLARE_FINAL_TYPE (RpAgenda, rp_agenda, RP, AGENDA, GObject)

RpAgenda     *rp_agenda_new                 (void);
RpAgenda     *rp_agenda_new_with_replica    (guint64        replica_id);
RpAgenda     *rp_agenda_new_from_snapshot   (GBytes        *snapshot,
                                             GError       **error);
guint64       rp_agenda_get_replica_id      (RpAgenda      *self);

GPtrArray    *rp_agenda_list_items          (RpAgenda      *self);
RpAgendaItem *rp_agenda_get_item            (RpAgenda      *self,
                                             const char    *id);
char         *rp_agenda_add_item            (RpAgenda      *self,
                                             gint           index,
                                             const char    *title,
                                             guint          minutes,
                                             RpAgendaOwner  owner,
                                             RpAgendaKind   kind,
                                             GError       **error);
gboolean      rp_agenda_set_title           (RpAgenda      *self,
                                             const char    *id,
                                             const char    *title,
                                             GError       **error);
gboolean      rp_agenda_set_minutes         (RpAgenda      *self,
                                             const char    *id,
                                             guint          minutes,
                                             GError       **error);
gboolean      rp_agenda_set_owner           (RpAgenda      *self,
                                             const char    *id,
                                             RpAgendaOwner  owner,
                                             GError       **error);
gboolean      rp_agenda_set_kind            (RpAgenda      *self,
                                             const char    *id,
                                             RpAgendaKind   kind,
                                             GError       **error);
gboolean      rp_agenda_set_done            (RpAgenda      *self,
                                             const char    *id,
                                             gboolean       done,
                                             GError       **error);
gboolean      rp_agenda_move_item           (RpAgenda      *self,
                                             const char    *id,
                                             guint          index,
                                             GError       **error);
gboolean      rp_agenda_remove_item         (RpAgenda      *self,
                                             const char    *id,
                                             GError       **error);

gboolean      rp_agenda_apply_update        (RpAgenda      *self,
                                             GBytes        *update,
                                             GError       **error);
GBytes       *rp_agenda_encode_state        (RpAgenda      *self);
GBytes       *rp_agenda_encode_state_vector (RpAgenda      *self);
GBytes       *rp_agenda_encode_diff         (RpAgenda      *self,
                                             GBytes        *state_vector,
                                             GError       **error);

G_END_DECLS
