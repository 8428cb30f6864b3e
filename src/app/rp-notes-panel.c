/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gspell/gspell.h>

#include "rp-notes-panel.h"

/* The notes of a session. Spell checking follows the partner: a mentor writing with a
 * Japanese mentee in English and with a French one in French switches nothing by hand. The
 * buffer is bound to the session's shared notes document during a call (RpCallDocs). */
struct _RpNotesPanel
{
  GtkBox parent_instance;

  GtkTextView *text_view;
  GspellLanguageChooserButton *language_button;

  GspellChecker *checker;
  RpPartnerItem *partner;
  RpNotesBinding *binding;   /* the shared notes during a call: undo/redo go through it */
};

G_DEFINE_FINAL_TYPE (RpNotesPanel, rp_notes_panel, GTK_TYPE_BOX)

static void
on_language_chosen (RpNotesPanel *self)
{
  const GspellLanguage *language = gspell_checker_get_language (self->checker);

  /* Remember the choice for this partner's next session. */
  if (self->partner != NULL && language != NULL)
    rp_partner_item_set_language (self->partner, gspell_language_get_code (language));
}

/* GTK 3's text view has no undo of its own; during a call Ctrl+Z undoes one's own typing
 * only, never the partner's. */
static gboolean
on_key_pressed (RpNotesPanel *self, GdkEventKey *event)
{
  GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask ();
  guint key = gdk_keyval_to_lower (event->keyval);

  if (self->binding == NULL || !(mods & GDK_CONTROL_MASK))
    return GDK_EVENT_PROPAGATE;
  if (key == GDK_KEY_z && !(mods & GDK_SHIFT_MASK))
    {
      rp_notes_binding_undo (self->binding);
      return GDK_EVENT_STOP;
    }
  if (key == GDK_KEY_y || (key == GDK_KEY_z && (mods & GDK_SHIFT_MASK)))
    {
      rp_notes_binding_redo (self->binding);
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
rp_notes_panel_dispose (GObject *object)
{
  RpNotesPanel *self = RP_NOTES_PANEL (object);

  /* The text view drops its buffer while it is destroyed; gspell's inline checker would
   * react by tagging a buffer that is going away (a GtkTextBTree assertion). */
  if (self->text_view != NULL)
    gspell_text_view_set_inline_spell_checking (gspell_text_view_get_from_gtk_text_view (self->text_view),
                                                FALSE);
  g_clear_object (&self->checker);
  g_clear_object (&self->partner);
  g_clear_object (&self->binding);
  G_OBJECT_CLASS (rp_notes_panel_parent_class)->dispose (object);
}

static void
rp_notes_panel_class_init (RpNotesPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_notes_panel_dispose;

  g_type_ensure (GSPELL_TYPE_LANGUAGE_CHOOSER_BUTTON);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-notes-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, RpNotesPanel, text_view);
  gtk_widget_class_bind_template_child (widget_class, RpNotesPanel, language_button);
  gtk_widget_class_set_css_name (widget_class, "rp-notes-panel");
}

static void
rp_notes_panel_init (RpNotesPanel *self)
{
  GspellTextView *spell_view;
  GspellTextBuffer *spell_buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->checker = gspell_checker_new (NULL);
  spell_buffer = gspell_text_buffer_get_from_gtk_text_buffer (gtk_text_view_get_buffer (self->text_view));
  gspell_text_buffer_set_spell_checker (spell_buffer, self->checker);
  spell_view = gspell_text_view_get_from_gtk_text_view (self->text_view);
  gspell_text_view_basic_setup (spell_view);

  g_object_bind_property (self->checker, "language", self->language_button, "language",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->checker, "notify::language", G_CALLBACK (on_language_chosen),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->text_view, "key-press-event", G_CALLBACK (on_key_pressed), self);
}

GtkTextBuffer *
rp_notes_panel_get_buffer (RpNotesPanel *self)
{
  g_return_val_if_fail (RP_IS_NOTES_PANEL (self), NULL);
  return gtk_text_view_get_buffer (self->text_view);
}

void
rp_notes_panel_set_partner (RpNotesPanel *self, RpPartnerItem *partner)
{
  const char *code;
  const GspellLanguage *language;

  g_return_if_fail (RP_IS_NOTES_PANEL (self));

  g_set_object (&self->partner, partner);
  code = partner ? rp_partner_item_get_language (partner) : NULL;
  language = code ? gspell_language_lookup (code) : NULL;
  if (language != NULL)
    gspell_checker_set_language (self->checker, language);
}

const char *
rp_notes_panel_get_language (RpNotesPanel *self)
{
  const GspellLanguage *language = gspell_checker_get_language (self->checker);

  return language ? gspell_language_get_code (language) : NULL;
}

void
rp_notes_panel_focus (RpNotesPanel *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

void
rp_notes_panel_set_binding (RpNotesPanel *self, RpNotesBinding *binding)
{
  g_return_if_fail (RP_IS_NOTES_PANEL (self));
  g_set_object (&self->binding, binding);
}

RpNotesBinding *
rp_notes_panel_get_binding (RpNotesPanel *self)
{
  g_return_val_if_fail (RP_IS_NOTES_PANEL (self), NULL);
  return self->binding;
}
