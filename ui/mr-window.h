/* mr-window.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_WINDOW (mr_window_get_type())

G_DECLARE_FINAL_TYPE (MrWindow, mr_window, MR, WINDOW, AdwApplicationWindow)

GtkWidget            *mr_window_new              (GtkApplication *application,
                                                  const char     *data_dir,
                                                  MrCluster      *cluster);
const char           *mr_window_get_data_dir     (MrWindow       *self);
MrCluster            *mr_window_get_cluster      (MrWindow       *self);
gboolean              mr_window_get_loading      (MrWindow       *self);
const MrLogInventory *mr_window_get_inventory    (MrWindow       *self);
const GError         *mr_window_get_error        (MrWindow       *self);
const char           *mr_window_get_visible_view (MrWindow       *self);
void                  mr_window_reload           (MrWindow       *self);

G_END_DECLS
