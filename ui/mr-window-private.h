/* mr-window-private.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "mr-window.h"

#include "mr-cluster-monitor.h"

G_BEGIN_DECLS

/* MrWindow is split in two files: mr-window.c has the window itself and
 * the offline inventory of a data directory; mr-window-live.c shows a
 * running cluster (the sidebar and its views) and holds the "broker.*"
 * actions. Both run on the main thread only. */

struct _MrWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets: the frame. */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *mode_stack;
  AdwWindowTitle       *offline_title;
  GtkWidget            *reload_button;
  GtkStack             *stack;

  /* Template widgets: the offline inventory. */
  AdwStatusPage        *error_page;
  GtkLabel             *error_directory_label;
  AdwStatusPage        *empty_page;
  GtkLabel             *empty_directory_label;
  GtkLabel             *brokers_label;
  GtkLabel             *brokers_caption;
  GtkLabel             *topics_label;
  GtkLabel             *topics_caption;
  GtkLabel             *partitions_label;
  GtkLabel             *partitions_caption;
  GtkLabel             *records_label;
  GtkLabel             *records_caption;
  GtkLabel             *directory_label;
  GtkLabel             *size_label;
  GtkListBox           *topics_list;

  /* Template widgets: the running cluster, a sidebar beside a view. */
  AdwLeaflet           *leaflet;
  AdwWindowTitle       *sidebar_title;
  GtkListView          *sidebar_list;
  GtkWidget            *content_box;
  AdwWindowTitle       *content_title;
  AdwViewStack         *view_stack;

  GSettings            *settings;
  char                 *data_dir;

  /* The scan under way, if any: cancelled when a new one starts and when the
   * window goes away. */
  GCancellable         *cancellable;
  guint                 show_spinner_source;

  /* The last scan's outcome: at most one of the two is set. */
  MrLogInventory       *inventory;
  GError               *error;

  /* The running cluster, or NULL for the offline inventory. Its calls run
   * in worker threads under live_cancellable, cancelled in dispose. */
  MrCluster            *cluster;
  GCancellable         *live_cancellable;
  MrClusterMonitor     *monitor;
  guint32               busy_brokers;      /* bit id - 1: an action runs */

  /* The views, borrowed from the view stack. */
  GtkWidget            *cluster_view;
  GtkWidget            *topics_view;
  GtkWidget            *failure_lab;

  guint                 loading : 1;
};

void  _mr_window_class_init_live (MrWindowClass *klass);
void  _mr_window_init_live       (MrWindow      *self);
void  _mr_window_start_live      (MrWindow      *self);
void  _mr_window_stop_live       (MrWindow      *self);
void  _mr_window_finish_live     (MrWindow      *self);
void  _mr_window_refresh_live    (MrWindow      *self);
void  _mr_window_set_live_mapped (MrWindow      *self,
                                  gboolean       mapped);
void  _mr_window_set_loading     (MrWindow      *self,
                                  gboolean       loading);

G_END_DECLS
