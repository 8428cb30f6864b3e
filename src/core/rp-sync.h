/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "rp-agenda.h"
#include "rp-text-doc.h"

G_BEGIN_DECLS

#define RP_SYNC_ERROR (rp_sync_error_quark ())
GQuark rp_sync_error_quark (void);

typedef enum {
  RP_SYNC_ERROR_MALFORMED,    /* not a sync frame, or a broken one */
  RP_SYNC_ERROR_VERSION,      /* a protocol version this program does not speak */
  RP_SYNC_ERROR_MISMATCH,     /* the peer syncs another set of documents */
  RP_SYNC_ERROR_REFUSED,      /* a document refused an update in the frame */
} RpSyncError;

/* Frame types (docs/SYNC.md). */
typedef enum {
  RP_SYNC_FRAME_HELLO  = 1,
  RP_SYNC_FRAME_DIFF   = 2,
  RP_SYNC_FRAME_UPDATE = 3,
} RpSyncFrameType;

/* Documents a frame can carry. */
typedef enum {
  RP_SYNC_DOC_NOTES  = 1,
  RP_SYNC_DOC_AGENDA = 2,
} RpSyncDoc;

#define RP_SYNC_MAX_FRAME (64u * 1024 * 1024)

#define RP_TYPE_SYNC (rp_sync_get_type ())
G_DECLARE_FINAL_TYPE (RpSync, rp_sync, RP, SYNC, GObject)

RpSync    *rp_sync_new            (RpTextDoc  *notes,
                                   RpAgenda   *agenda,
                                   const char *doc_set_id);
void       rp_sync_start          (RpSync     *self);
void       rp_sync_stop           (RpSync     *self);
void       rp_sync_flush          (RpSync     *self);
gboolean   rp_sync_receive        (RpSync     *self,
                                   GBytes     *frame,
                                   GError    **error);
gboolean   rp_sync_is_synced      (RpSync     *self);

G_END_DECLS
