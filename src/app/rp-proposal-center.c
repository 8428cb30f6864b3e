/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-proposal-center.h"

struct _RpProposalCenter
{
  GObject parent_instance;

  RpPartnerBook *book;
  GHashTable    *exchanges;   /* partner id (gint64*) → RpProposalExchange */
};

G_DEFINE_FINAL_TYPE (RpProposalCenter, rp_proposal_center, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  SIGNAL_PROPOSAL_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static RpPartnerItem *
partner_of (RpProposalCenter *self, RpProposalExchange *exchange)
{
  GListModel *partners = rp_partner_book_get_partners (self->book);
  gint64 id = rp_proposal_exchange_get_partner_id (exchange);

  for (guint i = 0; i < g_list_model_get_n_items (partners); i++)
    {
      g_autoptr (RpPartnerItem) item = g_list_model_get_item (partners, i);

      if (rp_partner_item_get_id (item) == id)
        return item;   /* the list keeps it alive */
    }
  return NULL;
}

static void
on_received (RpProposalExchange *exchange, RpProposal *proposal, RpProposalCenter *self)
{
  RpPartnerItem *partner = partner_of (self, exchange);

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, partner);
  if (partner != NULL)
    g_signal_emit (self, signals[SIGNAL_PROPOSAL_RECEIVED], 0, partner, proposal);
}

static void
on_answered (RpProposalExchange *exchange, RpProposal *proposal, gboolean accepted,
             RpProposalCenter *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, partner_of (self, exchange));
}

/* Accepted here or there: the session joins Upcoming, and the partner's count goes down. */
static void
on_scheduled (RpProposalExchange *exchange, RpSessionRecord *record, RpProposalCenter *self)
{
  g_autoptr (GError) error = NULL;

  if (!rp_partner_book_reload (self->book, &error))
    g_warning ("Could not show the scheduled session: %s", error->message);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, partner_of (self, exchange));
}

RpProposalExchange *
rp_proposal_center_get_exchange (RpProposalCenter *self, RpPartnerItem *partner)
{
  RpStore *store;
  RpProposalExchange *exchange;
  gint64 id;

  g_return_val_if_fail (RP_IS_PROPOSAL_CENTER (self), NULL);
  g_return_val_if_fail (partner == NULL || RP_IS_PARTNER_ITEM (partner), NULL);

  store = rp_partner_book_get_store (self->book);
  id = partner != NULL ? rp_partner_item_get_id (partner) : 0;
  if (store == NULL || id <= 0)
    return NULL;
  exchange = g_hash_table_lookup (self->exchanges, &id);
  if (exchange != NULL)
    return exchange;
  exchange = rp_proposal_exchange_new (store, id);
  g_signal_connect_object (exchange, "proposal-received", G_CALLBACK (on_received), self, 0);
  g_signal_connect_object (exchange, "proposal-answered", G_CALLBACK (on_answered), self, 0);
  g_signal_connect_object (exchange, "session-scheduled", G_CALLBACK (on_scheduled), self, 0);
  g_hash_table_insert (self->exchanges, g_memdup2 (&id, sizeof id), exchange);
  return exchange;
}

guint
rp_proposal_center_count_incoming (RpProposalCenter *self, RpPartnerItem *partner)
{
  RpProposalExchange *exchange = rp_proposal_center_get_exchange (self, partner);
  g_autoptr (GPtrArray) pending = NULL;

  if (exchange == NULL)
    return 0;
  pending = rp_proposal_exchange_list_incoming (exchange, NULL);
  return pending != NULL ? pending->len : 0;
}

static void
rp_proposal_center_dispose (GObject *object)
{
  RpProposalCenter *self = RP_PROPOSAL_CENTER (object);

  g_clear_pointer (&self->exchanges, g_hash_table_unref);
  g_clear_object (&self->book);
  G_OBJECT_CLASS (rp_proposal_center_parent_class)->dispose (object);
}

static void
rp_proposal_center_class_init (RpProposalCenterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rp_proposal_center_dispose;

  /* The partner's proposals changed (one arrived, was answered, became a session); the
   * partner is NULL when not in the book. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RP_TYPE_PARTNER_ITEM);
  signals[SIGNAL_PROPOSAL_RECEIVED] =
    g_signal_new ("proposal-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, RP_TYPE_PARTNER_ITEM, RP_TYPE_PROPOSAL);
}

static void
rp_proposal_center_init (RpProposalCenter *self)
{
  self->exchanges = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

RpProposalCenter *
rp_proposal_center_new (RpPartnerBook *book)
{
  RpProposalCenter *self;

  g_return_val_if_fail (RP_IS_PARTNER_BOOK (book), NULL);
  self = g_object_new (RP_TYPE_PROPOSAL_CENTER, NULL);
  self->book = g_object_ref (book);
  return self;
}
