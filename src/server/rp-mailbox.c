/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rp-mailbox.h"

typedef struct {
  RpMailboxFunc  func;
  gpointer       target;
  GDestroyNotify target_release;
  gpointer       data;
  GDestroyNotify data_free;
} Letter;

struct _RpMailbox {
  GMainContext *context;
  GMutex        lock;
  GQueue        letters;
  GSource      *delivery;   /* pending while letters wait; one wakeup delivers them all */
};

static void
letter_free (Letter *letter)
{
  if (letter->data_free)
    letter->data_free (letter->data);
  if (letter->target_release)
    letter->target_release (letter->target);
  g_free (letter);
}

static gboolean
deliver (gpointer user_data)
{
  RpMailbox *mailbox = user_data;
  GQueue batch = G_QUEUE_INIT;
  Letter *letter;

  g_mutex_lock (&mailbox->lock);
  batch = mailbox->letters;
  g_queue_init (&mailbox->letters);
  g_clear_pointer (&mailbox->delivery, g_source_unref);
  g_mutex_unlock (&mailbox->lock);

  while ((letter = g_queue_pop_head (&batch)) != NULL)
    {
      letter->func (letter->target, letter->data);
      letter_free (letter);
    }
  return G_SOURCE_REMOVE;
}

RpMailbox *
rp_mailbox_new (GMainContext *context)
{
  RpMailbox *mailbox = g_new0 (RpMailbox, 1);

  mailbox->context = g_main_context_ref (context);
  g_mutex_init (&mailbox->lock);
  g_queue_init (&mailbox->letters);
  return mailbox;
}

void
rp_mailbox_post (RpMailbox      *mailbox,
                 RpMailboxFunc   func,
                 gpointer        target,
                 GDestroyNotify  target_release,
                 gpointer        data,
                 GDestroyNotify  data_free)
{
  Letter *letter = g_new (Letter, 1);

  *letter = (Letter) { func, target, target_release, data, data_free };
  g_mutex_lock (&mailbox->lock);
  g_queue_push_tail (&mailbox->letters, letter);
  if (mailbox->delivery == NULL)
    {
      mailbox->delivery = g_idle_source_new ();
      g_source_set_priority (mailbox->delivery, G_PRIORITY_DEFAULT);
      g_source_set_callback (mailbox->delivery, deliver, mailbox, NULL);
      g_source_attach (mailbox->delivery, mailbox->context);
    }
  g_mutex_unlock (&mailbox->lock);
}

/* Letters not yet delivered are dropped, releasing what they hold. Call it once no thread
 * posts any more. */
void
rp_mailbox_free (RpMailbox *mailbox)
{
  if (mailbox == NULL)
    return;
  if (mailbox->delivery != NULL)
    {
      g_source_destroy (mailbox->delivery);
      g_source_unref (mailbox->delivery);
    }
  g_queue_clear_full (&mailbox->letters, (GDestroyNotify) letter_free);
  g_mutex_clear (&mailbox->lock);
  g_main_context_unref (mailbox->context);
  g_free (mailbox);
}
