/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's boxed records, and the agenda outcome's compact text form (JSON, read and
 * written with json-glib).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "rp-store.h"

G_DEFINE_BOXED_TYPE (RpPartner, rp_partner, rp_partner_copy, rp_partner_free)
G_DEFINE_BOXED_TYPE (RpOutcomeItem, rp_outcome_item, rp_outcome_item_copy, rp_outcome_item_free)
G_DEFINE_BOXED_TYPE (RpSessionRecord, rp_session_record, rp_session_record_copy,
                     rp_session_record_free)
G_DEFINE_BOXED_TYPE (RpActionItem, rp_action_item, rp_action_item_copy, rp_action_item_free)
G_DEFINE_BOXED_TYPE (RpSearchHit, rp_search_hit, rp_search_hit_copy, rp_search_hit_free)
G_DEFINE_BOXED_TYPE (RpProposalRecord, rp_proposal_record, rp_proposal_record_copy,
                     rp_proposal_record_free)
G_DEFINE_BOXED_TYPE (RpOutboxMessage, rp_outbox_message, rp_outbox_message_copy,
                     rp_outbox_message_free)

RpPartner *
rp_partner_new (const char *name,
                const char *time_zone)
{
  RpPartner *partner = g_new0 (RpPartner, 1);

  partner->name = g_strdup (name);
  partner->time_zone = g_strdup (time_zone);
  return partner;
}

RpPartner *
rp_partner_copy (const RpPartner *partner)
{
  RpPartner *copy = rp_partner_new (partner->name, partner->time_zone);

  copy->id = partner->id;
  copy->working_hours = g_strdup (partner->working_hours);
  copy->spell_language = g_strdup (partner->spell_language);
  return copy;
}

void
rp_partner_free (RpPartner *partner)
{
  if (!partner)
    return;
  g_free (partner->name);
  g_free (partner->time_zone);
  g_free (partner->working_hours);
  g_free (partner->spell_language);
  g_free (partner);
}

RpOutcomeItem *
rp_outcome_item_new (const char    *title,
                     RpOutcomeKind  kind,
                     gboolean       done)
{
  RpOutcomeItem *item = g_new0 (RpOutcomeItem, 1);

  item->title = g_strdup (title);
  item->kind = kind;
  item->done = done;
  return item;
}

RpOutcomeItem *
rp_outcome_item_copy (const RpOutcomeItem *item)
{
  RpOutcomeItem *copy = rp_outcome_item_new (item->title, item->kind, item->done);

  copy->minutes = item->minutes;
  copy->owner = g_strdup (item->owner);
  return copy;
}

void
rp_outcome_item_free (RpOutcomeItem *item)
{
  if (!item)
    return;
  g_free (item->title);
  g_free (item->owner);
  g_free (item);
}

RpSessionRecord *
rp_session_record_new (void)
{
  RpSessionRecord *record = g_new0 (RpSessionRecord, 1);

  record->agenda = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_outcome_item_free);
  return record;
}

RpSessionRecord *
rp_session_record_copy (const RpSessionRecord *record)
{
  RpSessionRecord *copy = rp_session_record_new ();

  copy->id = record->id;
  copy->uid = g_strdup (record->uid);
  copy->partner_id = record->partner_id;
  copy->title = g_strdup (record->title);
  copy->scheduled_zone = g_strdup (record->scheduled_zone);
  copy->scheduled_local = g_strdup (record->scheduled_local);
  copy->planned_minutes = record->planned_minutes;
  copy->rrule = g_strdup (record->rrule);
  copy->started_at = record->started_at;
  copy->ended_at = record->ended_at;
  copy->duration_s = record->duration_s;
  copy->notes = g_strdup (record->notes);
  copy->link = g_strdup (record->link);
  for (guint i = 0; record->agenda && i < record->agenda->len; i++)
    g_ptr_array_add (copy->agenda, rp_outcome_item_copy (record->agenda->pdata[i]));
  return copy;
}

void
rp_session_record_free (RpSessionRecord *record)
{
  if (!record)
    return;
  g_free (record->uid);
  g_free (record->title);
  g_free (record->scheduled_zone);
  g_free (record->scheduled_local);
  g_free (record->rrule);
  g_free (record->notes);
  g_free (record->link);
  g_clear_pointer (&record->agenda, g_ptr_array_unref);
  g_free (record);
}

char *
rp_session_record_dup_doc_id (const RpSessionRecord *record,
                              const char            *name)
{
  g_return_val_if_fail (record && name, NULL);

  if (!record->uid)
    return NULL;
  return g_strdup_printf ("session/%s/%s", record->uid, name);
}

RpActionItem *
rp_action_item_copy (const RpActionItem *item)
{
  RpActionItem *copy = g_memdup2 (item, sizeof *item);

  copy->title = g_strdup (item->title);
  copy->owner = g_strdup (item->owner);
  return copy;
}

void
rp_action_item_free (RpActionItem *item)
{
  if (!item)
    return;
  g_free (item->title);
  g_free (item->owner);
  g_free (item);
}

RpSearchHit *
rp_search_hit_copy (const RpSearchHit *hit)
{
  RpSearchHit *copy = g_memdup2 (hit, sizeof *hit);

  copy->title = g_strdup (hit->title);
  copy->partner_name = g_strdup (hit->partner_name);
  copy->snippet = g_strdup (hit->snippet);
  return copy;
}

void
rp_search_hit_free (RpSearchHit *hit)
{
  if (!hit)
    return;
  g_free (hit->title);
  g_free (hit->partner_name);
  g_free (hit->snippet);
  g_free (hit);
}

RpProposalRecord *
rp_proposal_record_copy (const RpProposalRecord *record)
{
  RpProposalRecord *copy = g_memdup2 (record, sizeof *record);

  copy->proposal = record->proposal ? g_object_ref (record->proposal) : NULL;
  return copy;
}

void
rp_proposal_record_free (RpProposalRecord *record)
{
  if (!record)
    return;
  g_clear_object (&record->proposal);
  g_free (record);
}

RpOutboxMessage *
rp_outbox_message_copy (const RpOutboxMessage *message)
{
  RpOutboxMessage *copy = g_memdup2 (message, sizeof *message);

  copy->message = message->message ? json_node_copy (message->message) : NULL;
  return copy;
}

void
rp_outbox_message_free (RpOutboxMessage *message)
{
  if (!message)
    return;
  g_clear_pointer (&message->message, json_node_unref);
  g_free (message);
}

/* ---- Agenda outcome ---- */

char *
rp_outcome_to_json (GPtrArray *items)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; items && i < items->len; i++)
    {
      RpOutcomeItem *item = items->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, item->title ? item->title : "");
      json_builder_set_member_name (builder, "minutes");
      json_builder_add_int_value (builder, item->minutes);
      if (item->owner)
        {
          json_builder_set_member_name (builder, "owner");
          json_builder_add_string_value (builder, item->owner);
        }
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder,
                                     item->kind == RP_OUTCOME_KIND_ACTION ? "action" : "topic");
      json_builder_set_member_name (builder, "done");
      json_builder_add_boolean_value (builder, item->done);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static RpOutcomeItem *
outcome_item_from_object (JsonObject *object)
{
  const char *kind = json_object_get_string_member_with_default (object, "kind", "topic");
  RpOutcomeItem *item;

  item = rp_outcome_item_new (json_object_get_string_member_with_default (object, "title", ""),
                              g_strcmp0 (kind, "action") == 0 ? RP_OUTCOME_KIND_ACTION
                                                              : RP_OUTCOME_KIND_TOPIC,
                              json_object_get_boolean_member_with_default (object, "done",
                                                                           FALSE));
  item->minutes = (guint) CLAMP (json_object_get_int_member_with_default (object, "minutes", 0),
                                 0, G_MAXUINT16);
  item->owner = g_strdup (json_object_get_string_member_with_default (object, "owner", NULL));
  return item;
}

GPtrArray *
rp_outcome_from_json (const char *json,
                      GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rp_outcome_item_free);
  JsonArray *array;

  if (!json_parser_load_from_data (parser, json ? json : "[]", -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      g_set_error (error, RP_STORE_ERROR, RP_STORE_ERROR_CORRUPT,
                   _("A session's agenda in the database is not readable."));
      return NULL;
    }
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        g_ptr_array_add (items, outcome_item_from_object (json_node_get_object (node)));
    }
  return g_steal_pointer (&items);
}
