/* mr-cluster-view.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "mr-cluster-monitor.h"
#include "mr-partition-map.h"
#include "mr-timeline-item.h"

G_BEGIN_DECLS

#define MR_TYPE_CLUSTER_VIEW (mr_cluster_view_get_type())

G_DECLARE_FINAL_TYPE (MrClusterView, mr_cluster_view, MR, CLUSTER_VIEW, GtkWidget)

GtkWidget      *mr_cluster_view_new               (MrClusterMonitor *monitor);
MrPartitionMap *mr_cluster_view_get_partition_map (MrClusterView    *self);
void            mr_cluster_view_set_filter        (MrClusterView    *self,
                                                   MrTimelineFilter  filter);
/* The timeline as shown, filter applied: MrTimelineItem, newest first. */
GListModel     *mr_cluster_view_get_shown_events  (MrClusterView    *self);

G_END_DECLS
