/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scheduling proposal: a few candidate starts, one of which the partner accepts. Both sides
 * hold the same object (the proposer's, and one rebuilt from the JSON it sent), so accepting
 * on either side yields the same scheduled session, identified by the proposal's id.
 */
#include "config.h"

#include <string.h>

#include "rp-proposal.h"
#include "rp-random.h"

#define MAX_SLOTS      20
#define MAX_TEXT_BYTES 1024

struct _RpProposal
{
  GObject          parent_instance;

  char            *id;
  char            *zone;
  guint            minutes;
  char            *rrule;
  char            *summary;
  char            *link;
  GArray          *slots;      /* RpLocal */
  RpProposalState  state;
  gint             accepted;
};

G_DEFINE_FINAL_TYPE (RpProposal, rp_proposal, G_TYPE_OBJECT)

G_DEFINE_QUARK (rp-proposal-error-quark, rp_proposal_error)

G_DEFINE_ENUM_TYPE (RpProposalState, rp_proposal_state,
                    G_DEFINE_ENUM_VALUE (RP_PROPOSAL_STATE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (RP_PROPOSAL_STATE_ACCEPTED, "accepted"),
                    G_DEFINE_ENUM_VALUE (RP_PROPOSAL_STATE_DECLINED, "declined"),
                    G_DEFINE_ENUM_VALUE (RP_PROPOSAL_STATE_WITHDRAWN, "withdrawn"))

enum {
  PROP_0,
  PROP_ID,
  PROP_ZONE,
  PROP_MINUTES,
  PROP_RRULE,
  PROP_SUMMARY,
  PROP_LINK,
  PROP_STATE,
  PROP_ACCEPTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rp_proposal_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RpProposal *self = RP_PROPOSAL (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_ZONE:
      g_value_set_string (value, self->zone);
      break;
    case PROP_MINUTES:
      g_value_set_uint (value, self->minutes);
      break;
    case PROP_RRULE:
      g_value_set_string (value, self->rrule);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    case PROP_LINK:
      g_value_set_string (value, self->link);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ACCEPTED:
      g_value_set_int (value, self->accepted);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_proposal_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  RpProposal *self = RP_PROPOSAL (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_free (self->id);
      self->id = g_value_dup_string (value);
      break;
    case PROP_ZONE:
      g_free (self->zone);
      self->zone = g_value_dup_string (value);
      break;
    case PROP_MINUTES:
      self->minutes = g_value_get_uint (value);
      break;
    case PROP_RRULE:
      rp_proposal_set_rrule (self, g_value_get_string (value));
      break;
    case PROP_SUMMARY:
      rp_proposal_set_summary (self, g_value_get_string (value));
      break;
    case PROP_LINK:
      rp_proposal_set_link (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rp_proposal_finalize (GObject *object)
{
  RpProposal *self = RP_PROPOSAL (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->zone, g_free);
  g_clear_pointer (&self->rrule, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->link, g_free);
  g_clear_pointer (&self->slots, g_array_unref);

  G_OBJECT_CLASS (rp_proposal_parent_class)->finalize (object);
}

static void
rp_proposal_class_init (RpProposalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rp_proposal_get_property;
  object_class->set_property = rp_proposal_set_property;
  object_class->finalize = rp_proposal_finalize;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZONE] =
    g_param_spec_string ("zone", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MINUTES] =
    g_param_spec_uint ("minutes", NULL, NULL, 1, 1440, 60,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RRULE] =
    g_param_spec_string ("rrule", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK] =
    g_param_spec_string ("link", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RP_TYPE_PROPOSAL_STATE, RP_PROPOSAL_STATE_PENDING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCEPTED] =
    g_param_spec_int ("accepted", NULL, NULL, -1, MAX_SLOTS, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rp_proposal_init (RpProposal *self)
{
  self->slots = g_array_new (FALSE, TRUE, sizeof (RpLocal));
  self->accepted = -1;
  self->minutes = 60;
}

RpProposal *
rp_proposal_new (const char *zone,
                 guint       minutes,
                 GError    **error)
{
  g_autoptr(GTimeZone) tz = rp_zone_new (zone, error);
  g_autofree char *id = NULL;
  g_autofree char *hex = NULL;

  if (tz == NULL)
    return NULL;
  if (minutes < 1 || minutes > 1440)
    {
      g_set_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_INVALID,
                   "A session must last between 1 and 1440 minutes");
      return NULL;
    }
  hex = rp_random_hex (16);
  id = g_strdup_printf ("%s@rapport", hex);
  return g_object_new (RP_TYPE_PROPOSAL, "id", id, "zone", zone, "minutes", minutes, NULL);
}

#define DEFINE_STRING_GETTER(field) \
  const char * rp_proposal_get_##field (RpProposal *self) \
  { g_return_val_if_fail (RP_IS_PROPOSAL (self), NULL); return self->field; }

DEFINE_STRING_GETTER (id)
DEFINE_STRING_GETTER (zone)
DEFINE_STRING_GETTER (rrule)
DEFINE_STRING_GETTER (summary)
DEFINE_STRING_GETTER (link)

guint
rp_proposal_get_minutes (RpProposal *self)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), 0);
  return self->minutes;
}

RpProposalState
rp_proposal_get_state (RpProposal *self)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), RP_PROPOSAL_STATE_PENDING);
  return self->state;
}

gint
rp_proposal_get_accepted (RpProposal *self)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), -1);
  return self->accepted;
}

static void
set_string (RpProposal *self,
            char      **field,
            const char *value,
            guint       prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
rp_proposal_set_rrule (RpProposal *self,
                       const char *rrule)
{
  g_return_if_fail (RP_IS_PROPOSAL (self));
  set_string (self, &self->rrule, rrule && *rrule ? rrule : NULL, PROP_RRULE);
}

void
rp_proposal_set_summary (RpProposal *self,
                         const char *summary)
{
  g_return_if_fail (RP_IS_PROPOSAL (self));
  set_string (self, &self->summary, summary, PROP_SUMMARY);
}

void
rp_proposal_set_link (RpProposal *self,
                      const char *link)
{
  g_return_if_fail (RP_IS_PROPOSAL (self));
  set_string (self, &self->link, link, PROP_LINK);
}

gboolean
rp_proposal_add_slot (RpProposal    *self,
                      const RpLocal *start,
                      GError       **error)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), FALSE);

  if (self->state != RP_PROPOSAL_STATE_PENDING || self->slots->len >= MAX_SLOTS)
    {
      g_set_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_STATE,
                   "Slots can only be added to a pending proposal (at most %d)", MAX_SLOTS);
      return FALSE;
    }
  if (!rp_local_is_valid (start))
    {
      g_set_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_INVALID, "Invalid slot time");
      return FALSE;
    }
  g_array_append_val (self->slots, *start);
  return TRUE;
}

guint
rp_proposal_get_n_slots (RpProposal *self)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), 0);
  return self->slots->len;
}

gboolean
rp_proposal_get_slot (RpProposal *self,
                      guint       index,
                      RpLocal    *out)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), FALSE);
  if (index >= self->slots->len)
    return FALSE;
  *out = g_array_index (self->slots, RpLocal, index);
  return TRUE;
}

static void
set_state (RpProposal     *self,
           RpProposalState state,
           gint            accepted)
{
  self->state = state;
  self->accepted = accepted;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPTED]);
}

static RpMeeting *
meeting_for (RpProposal *self,
             guint       index)
{
  RpMeeting *m = rp_meeting_new ();

  m->uid = g_strdup (self->id);
  m->zone = g_strdup (self->zone);
  m->start = g_array_index (self->slots, RpLocal, index);
  m->minutes = self->minutes;
  m->rrule = g_strdup (self->rrule);
  m->summary = g_strdup (self->summary);
  m->link = g_strdup (self->link);
  m->dtstamp = g_get_real_time () / G_USEC_PER_SEC;
  m->status = g_strdup ("CONFIRMED");
  return m;
}

/* Accepting the same slot again is harmless (a repeated message); another one is an error. */
RpMeeting *
rp_proposal_accept (RpProposal *self,
                    guint       index,
                    GError    **error)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), NULL);

  if (index >= self->slots->len)
    {
      g_set_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_INVALID,
                   "The proposal has no slot %u", index);
      return NULL;
    }
  if (self->state == RP_PROPOSAL_STATE_ACCEPTED && self->accepted == (gint) index)
    return meeting_for (self, index);
  if (self->state != RP_PROPOSAL_STATE_PENDING)
    {
      g_set_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_STATE,
                   "The proposal is no longer open");
      return NULL;
    }
  set_state (self, RP_PROPOSAL_STATE_ACCEPTED, (gint) index);
  return meeting_for (self, index);
}

gboolean
rp_proposal_decline (RpProposal *self,
                     GError    **error)
{
  g_return_val_if_fail (RP_IS_PROPOSAL (self), FALSE);

  if (self->state == RP_PROPOSAL_STATE_DECLINED)
    return TRUE;
  if (self->state != RP_PROPOSAL_STATE_PENDING)
    {
      g_set_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_STATE,
                   "The proposal is no longer open");
      return FALSE;
    }
  set_state (self, RP_PROPOSAL_STATE_DECLINED, -1);
  return TRUE;
}

/* ---- JSON ---- */

static const char *
state_nick (RpProposalState state)
{
  GEnumClass *klass = g_type_class_ref (RP_TYPE_PROPOSAL_STATE);
  const char *nick = g_enum_get_value (klass, state)->value_nick;

  g_type_class_unref (klass);   /* static type: its nicks outlive the reference */
  return nick;
}

JsonNode *
rp_proposal_to_json (RpProposal *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (RP_IS_PROPOSAL (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "schedule-proposal");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, self->id);
  json_builder_set_member_name (b, "zone");
  json_builder_add_string_value (b, self->zone);
  json_builder_set_member_name (b, "minutes");
  json_builder_add_int_value (b, self->minutes);
  json_builder_set_member_name (b, "rrule");
  json_builder_add_string_value (b, self->rrule);
  json_builder_set_member_name (b, "summary");
  json_builder_add_string_value (b, self->summary);
  json_builder_set_member_name (b, "link");
  json_builder_add_string_value (b, self->link);
  json_builder_set_member_name (b, "slots");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->slots->len; i++)
    {
      g_autofree char *text = rp_local_format (&g_array_index (self->slots, RpLocal, i));

      json_builder_add_string_value (b, text);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state_nick (self->state));
  json_builder_set_member_name (b, "accepted");
  if (self->accepted >= 0)
    json_builder_add_int_value (b, self->accepted);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, RP_PROPOSAL_ERROR, RP_PROPOSAL_ERROR_INVALID,
               "Invalid schedule proposal: %s", what);
  return FALSE;
}

/* An optional string member: absent or null is NULL; anything else must be a short string. */
static gboolean
optional_string (JsonObject *o,
                 const char *name,
                 const char **out,
                 GError    **error)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
      strlen (json_node_get_string (n)) > MAX_TEXT_BYTES)
    return invalid (error, name);
  *out = json_node_get_string (n);
  return TRUE;
}

static gboolean
read_int (JsonObject *o,
          const char *name,
          gint64      min,
          gint64      max,
          gint64     *out)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return *out >= min && *out <= max;
}

static gboolean
read_slots (RpProposal *self,
            JsonObject *o,
            GError    **error)
{
  JsonNode *n = json_object_get_member (o, "slots");
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return invalid (error, "slots");
  a = json_node_get_array (n);
  if (json_array_get_length (a) < 1 || json_array_get_length (a) > MAX_SLOTS)
    return invalid (error, "slots (1 to 20 expected)");
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *s = json_array_get_element (a, i);
      RpLocal l;

      if (!JSON_NODE_HOLDS_VALUE (s) || json_node_get_value_type (s) != G_TYPE_STRING ||
          !rp_local_parse (json_node_get_string (s), &l, NULL))
        return invalid (error, "slot time");
      g_array_append_val (self->slots, l);
    }
  return TRUE;
}

static gboolean
read_state (RpProposal *self,
            JsonObject *o,
            GError    **error)
{
  const char *state;
  gint64 accepted = -1;
  GEnumValue *v;

  if (!optional_string (o, "state", &state, error))
    return FALSE;
  v = state ? g_enum_get_value_by_nick (g_type_class_ref (RP_TYPE_PROPOSAL_STATE), state) : NULL;
  if (state && v == NULL)
    return invalid (error, "state");
  self->state = v ? (RpProposalState) v->value : RP_PROPOSAL_STATE_PENDING;
  if (json_object_has_member (o, "accepted") && !json_object_get_null_member (o, "accepted") &&
      !read_int (o, "accepted", 0, self->slots->len - 1, &accepted))
    return invalid (error, "accepted");
  if ((self->state == RP_PROPOSAL_STATE_ACCEPTED) != (accepted >= 0))
    return invalid (error, "accepted does not match state");
  self->accepted = (gint) accepted;
  return TRUE;
}

/* Everything a peer sends is checked before use: this arrives over the data channel. */
RpProposal *
rp_proposal_new_from_json (JsonNode *node,
                           GError  **error)
{
  g_autoptr(RpProposal) self = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  const char *type, *id, *zone, *rrule, *summary, *link;
  gint64 version, minutes;
  JsonObject *o;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "not a JSON object"), NULL;
  o = json_node_get_object (node);
  if (!optional_string (o, "type", &type, error) || g_strcmp0 (type, "schedule-proposal") != 0)
    return invalid (error, "type"), NULL;
  if (!read_int (o, "version", 1, 1, &version))
    return invalid (error, "version (1 expected)"), NULL;
  if (!optional_string (o, "id", &id, error) || id == NULL || *id == '\0' ||
      !optional_string (o, "zone", &zone, error) || zone == NULL ||
      !optional_string (o, "rrule", &rrule, error) ||
      !optional_string (o, "summary", &summary, error) ||
      !optional_string (o, "link", &link, error))
    return error && *error ? NULL : (invalid (error, "id and zone are required"), NULL);
  if (!read_int (o, "minutes", 1, 1440, &minutes))
    return invalid (error, "minutes (1 to 1440)"), NULL;
  tz = rp_zone_new (zone, error);
  if (tz == NULL)
    return NULL;
  if (rrule && !rp_schedule_rule_is_plain (rrule))
    return invalid (error, "rrule (weekly, every n weeks, daily, yearly or the nth weekday "
                           "of the month)"), NULL;
  self = g_object_new (RP_TYPE_PROPOSAL, "id", id, "zone", zone, "minutes", (guint) minutes,
                       "rrule", rrule, "summary", summary, "link", link, NULL);
  if (!read_slots (self, o, error) || !read_state (self, o, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* The partner's answer to send back: the accepted index, or null for a decline. */
JsonNode *
rp_proposal_answer_message (RpProposal *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "schedule-answer");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, self->id);
  json_builder_set_member_name (b, "accept");
  if (self->state == RP_PROPOSAL_STATE_ACCEPTED)
    json_builder_add_int_value (b, self->accepted);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The proposer applies the partner's answer. Returns the scheduled session on acceptance,
 * NULL with no error on a decline, NULL with an error for an answer that does not fit. */
RpMeeting *
rp_proposal_apply_answer (RpProposal *self,
                          JsonNode   *answer,
                          GError    **error)
{
  JsonObject *o;
  const char *type, *id;
  gint64 index;

  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return invalid (error, "answer is not a JSON object"), NULL;
  o = json_node_get_object (answer);
  if (!optional_string (o, "type", &type, error) || g_strcmp0 (type, "schedule-answer") != 0 ||
      !optional_string (o, "id", &id, error) || g_strcmp0 (id, self->id) != 0)
    return error && *error ? NULL : (invalid (error, "answer type or id"), NULL);
  if (!json_object_has_member (o, "accept") || json_object_get_null_member (o, "accept"))
    {
      rp_proposal_decline (self, error);
      return NULL;
    }
  if (!read_int (o, "accept", 0, (gint64) self->slots->len - 1, &index))
    return invalid (error, "accept index"), NULL;
  return rp_proposal_accept (self, (guint) index, error);
}
