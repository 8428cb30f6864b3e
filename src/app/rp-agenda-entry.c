/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-agenda-entry.h"

/* One agenda topic as the panel shows it; the shared agenda document replaces this local
 * model when it lands. */
struct _RpAgendaEntry
{
  GObject parent_instance;

  char *title;
  guint minutes;
  gboolean done;
  guint elapsed;   /* seconds spent on it so far */
};

G_DEFINE_FINAL_TYPE (RpAgendaEntry, rp_agenda_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_MINUTES,
  PROP_DONE,
  PROP_ELAPSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rp_agenda_entry_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RpAgendaEntry *self = RP_AGENDA_ENTRY (object);

  switch (prop_id)
    {
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_MINUTES: g_value_set_uint (value, self->minutes); break;
    case PROP_DONE: g_value_set_boolean (value, self->done); break;
    case PROP_ELAPSED: g_value_set_uint (value, self->elapsed); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_agenda_entry_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  RpAgendaEntry *self = RP_AGENDA_ENTRY (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    case PROP_MINUTES: self->minutes = g_value_get_uint (value); break;
    case PROP_DONE: rp_agenda_entry_set_done (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_agenda_entry_finalize (GObject *object)
{
  g_free (RP_AGENDA_ENTRY (object)->title);
  G_OBJECT_CLASS (rp_agenda_entry_parent_class)->finalize (object);
}

static void
rp_agenda_entry_class_init (RpAgendaEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_agenda_entry_get_property;
  object_class->set_property = rp_agenda_entry_set_property;
  object_class->finalize = rp_agenda_entry_finalize;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MINUTES] =
    g_param_spec_uint ("minutes", NULL, NULL, 1, 600, 10,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DONE] =
    g_param_spec_boolean ("done", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ELAPSED] =
    g_param_spec_uint ("elapsed", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rp_agenda_entry_init (RpAgendaEntry *self)
{
}

RpAgendaEntry *
rp_agenda_entry_new (const char *title, guint minutes)
{
  return g_object_new (RP_TYPE_AGENDA_ENTRY, "title", title, "minutes", CLAMP (minutes, 1, 600),
                       NULL);
}

const char *
rp_agenda_entry_get_title (RpAgendaEntry *self)
{
  return self->title;
}

guint
rp_agenda_entry_get_minutes (RpAgendaEntry *self)
{
  return self->minutes;
}

gboolean
rp_agenda_entry_get_done (RpAgendaEntry *self)
{
  return self->done;
}

void
rp_agenda_entry_set_done (RpAgendaEntry *self, gboolean done)
{
  g_return_if_fail (RP_IS_AGENDA_ENTRY (self));
  if (self->done == !!done)
    return;
  self->done = !!done;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
}

guint
rp_agenda_entry_get_elapsed (RpAgendaEntry *self)
{
  return self->elapsed;
}

void
rp_agenda_entry_add_second (RpAgendaEntry *self)
{
  self->elapsed++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
}
