/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rp-text-doc.h"

G_BEGIN_DECLS

/* The name of the tag that marks the line the partner is typing on (paragraph background);
 * restyle it through gtk_text_tag_table_lookup() if the theme needs another colour. */
#define RP_NOTES_BINDING_PARTNER_TAG "rp-partner-line"

#define RP_TYPE_NOTES_BINDING (rp_notes_binding_get_type ())
G_DECLARE_FINAL_TYPE (RpNotesBinding, rp_notes_binding, RP, NOTES_BINDING, GObject)

/* Keeps buffer and doc equal: typing in the buffer becomes operations on the doc; the doc's
 * remote edits are applied to the buffer without moving the cursor or the selection. The
 * buffer's text is replaced by the doc's at once. */
RpNotesBinding *rp_notes_binding_new           (GtkTextBuffer  *buffer,
                                                RpTextDoc      *doc);

GtkTextBuffer  *rp_notes_binding_get_buffer    (RpNotesBinding *self);
RpTextDoc      *rp_notes_binding_get_doc       (RpNotesBinding *self);

/* Undo and redo one's own edits only: the partner's text is never touched by them. */
gboolean        rp_notes_binding_can_undo      (RpNotesBinding *self);
gboolean        rp_notes_binding_can_redo      (RpNotesBinding *self);
void            rp_notes_binding_undo          (RpNotesBinding *self);
void            rp_notes_binding_redo          (RpNotesBinding *self);

/* Where the partner last edited (a character offset in the buffer), or -1 once they have
 * been still for a few seconds. Also shown as RP_NOTES_BINDING_PARTNER_TAG on that line. */
gint            rp_notes_binding_get_partner_offset (RpNotesBinding *self);
/* Shows the partner's caret where they said it is (RpSharedDocs "partner-caret"), for a few
 * seconds; -1 hides it. Their edits move it on their own. */
void            rp_notes_binding_show_partner_at    (RpNotesBinding *self,
                                                     gint            offset);

G_END_DECLS
