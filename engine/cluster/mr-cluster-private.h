/* mr-cluster-private.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* What brokers need from the cluster that hosts them. Private to the
 * cluster module. */

#include "mr-broker-network.h"
#include "mr-cluster.h"
#include "mr-replica.h"

G_BEGIN_DECLS

/* One partition as the controller assigned it, copied for a broker. */
typedef struct
{
  char        *topic;
  gint32       partition;
  gint32       leader;
  gint32       leader_epoch;
  gint32       partition_epoch;
  GArray      *replicas;
  GArray      *isr;
  MrLogConfig  log_config;
  gint32       min_insync_replicas;
} MrPartitionAssignment;

void             mr_partition_assignment_free        (MrPartitionAssignment *assignment);

MrBrokerNetwork *mr_cluster_get_network              (MrCluster             *cluster);

/* Heartbeat from @broker_id (it already passed the network to the
 * quorum). */
void             mr_cluster_heartbeat                (MrCluster             *cluster,
                                                      gint32                 broker_id);
/* The metadata version: it changes with every controller decision. */
gint64           mr_cluster_get_metadata_version     (MrCluster             *cluster);
/* The partitions with a replica on @broker_id, and the version they are
 * from. */
GPtrArray       *mr_cluster_copy_assignments         (MrCluster             *cluster,
                                                      gint32                 broker_id,
                                                      gint64                *version);
/* A leader asks the controller to change a partition's ISR (AlterPartition).
 * Returns the new partition epoch, or -1 with @error set when the
 * controller refuses (stale epochs, not the leader). */
gint32           mr_cluster_alter_isr                (MrCluster             *cluster,
                                                      gint32                 leader_id,
                                                      const char            *topic,
                                                      gint32                 partition,
                                                      gint32                 leader_epoch,
                                                      gint32                 partition_epoch,
                                                      const GArray          *isr,
                                                      GError               **error);
/* The replica object that @broker_id holds for a partition, or NULL. */
MrReplica       *mr_cluster_lookup_replica           (MrCluster             *cluster,
                                                      gint32                 broker_id,
                                                      const char            *topic,
                                                      gint32                 partition);
/* Emits @event (transfer full) on the cluster's stream. */
void             mr_cluster_emit                     (MrCluster             *cluster,
                                                      MrClusterEvent        *event);
/* Wakes the followers of a partition after its leader appended. */
void             mr_cluster_wake_followers           (MrCluster             *cluster,
                                                      const char            *topic,
                                                      gint32                 partition);
/* A partition's leader and its epoch as the controller decided them; -1
 * for none or an unknown partition. Cheap: the coordinators poll it. */
gint32           mr_cluster_get_partition_leader     (MrCluster             *cluster,
                                                      const char            *topic,
                                                      gint32                 partition,
                                                      gint32                *leader_epoch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrPartitionAssignment, mr_partition_assignment_free)

G_END_DECLS
