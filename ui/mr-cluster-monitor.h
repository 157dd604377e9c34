/* mr-cluster-monitor.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_CLUSTER_MONITOR (mr_cluster_monitor_get_type())

G_DECLARE_FINAL_TYPE (MrClusterMonitor, mr_cluster_monitor, MR, CLUSTER_MONITOR, GObject)

/* How many request-rate samples a broker keeps for its sparkline: one a
 * refresh, a refresh a second. */
#define MR_CLUSTER_MONITOR_N_RATES 60

MrClusterMonitor *mr_cluster_monitor_new                (MrCluster        *cluster) G_GNUC_WARN_UNUSED_RESULT;
MrCluster        *mr_cluster_monitor_get_cluster        (MrClusterMonitor *self);
/* While active, it refreshes once a second; events refresh it anyway. */
void              mr_cluster_monitor_set_active         (MrClusterMonitor *self,
                                                         gboolean          active);
void              mr_cluster_monitor_refresh            (MrClusterMonitor *self);
void              mr_cluster_monitor_stop               (MrClusterMonitor *self);
gboolean          mr_cluster_monitor_get_loading        (MrClusterMonitor *self);
gboolean          mr_cluster_monitor_get_loaded         (MrClusterMonitor *self);

/* From the last refresh; NULL before the first. */
GPtrArray        *mr_cluster_monitor_get_brokers        (MrClusterMonitor *self);
GPtrArray        *mr_cluster_monitor_get_topics         (MrClusterMonitor *self);
gboolean          mr_cluster_monitor_get_auto_create    (MrClusterMonitor *self);
/* Requests a second over the last refresh interval, and the history of it
 * (oldest first, MR_CLUSTER_MONITOR_N_RATES values, zeros before the
 * first samples). */
double            mr_cluster_monitor_get_request_rate   (MrClusterMonitor *self,
                                                         gint32            broker_id);
const double     *mr_cluster_monitor_get_request_rates  (MrClusterMonitor *self,
                                                         gint32            broker_id);
/* The timeline: MrTimelineItem, newest first. */
GListModel       *mr_cluster_monitor_get_timeline       (MrClusterMonitor *self);

G_END_DECLS
