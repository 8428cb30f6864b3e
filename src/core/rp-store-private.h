/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to the store: the instance struct, shared by rp-store.c (the object and the
 * documents) and rp-store-records-db.c (partners, sessions, action items, search, export).
 */
#pragma once

#include "rp-store-db.h"
#include "rp-store-docs.h"
#include "rp-store.h"

G_BEGIN_DECLS

struct _RpStore
{
  GObject       parent_instance;

  char         *path;
  guint64       max_size;
  gboolean      write_failing;

  sqlite3      *db;          /* the owner's */
  RpStoreDocs  *docs;
  GMutex        reader_lock;
  sqlite3      *reader;      /* opened on first use, under reader_lock */
  gboolean      closed;
};

gboolean rp_store_check_open (RpStore *self,
                              GError **error);
/* Runs func with the reader connection (opened on first use) under reader_lock. */
typedef gpointer (*RpStoreReadFunc) (sqlite3      *db,
                                     gpointer      data,
                                     GCancellable *cancellable,
                                     GError      **error);
gpointer rp_store_with_reader (RpStore        *self,
                               RpStoreReadFunc func,
                               gpointer        data,
                               GCancellable   *cancellable,
                               GError        **error);

G_END_DECLS
