/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  RP_DEVICE_CAMERA,
  RP_DEVICE_MICROPHONE,
  RP_DEVICE_SPEAKER,
} RpDeviceKind;

void        rp_devices_list_async   (RpDeviceKind         kind,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GStrv       rp_devices_list_finish  (GAsyncResult  *result,
                                     GError       **error);
void        rp_devices_create_element_async  (RpDeviceKind         kind,
                                              const char          *name,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gpointer    rp_devices_create_element_finish (GAsyncResult  *result,
                                              GError       **error);
void        rp_devices_fill_combo   (GtkComboBoxText *combo,
                                     RpDeviceKind     kind,
                                     GSettings       *settings,
                                     const char      *key);
void        rp_devices_store_choice (GtkComboBoxText *combo);

G_END_DECLS
