/* mr-partition-map.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_PARTITION_MAP (mr_partition_map_get_type())

G_DECLARE_FINAL_TYPE (MrPartitionMap, mr_partition_map, MR, PARTITION_MAP, GtkWidget)

/* What one broker holds of one partition, as the map draws it. */
typedef enum
{
  MR_REPLICA_ROLE_NONE,            /* the broker holds no replica */
  MR_REPLICA_ROLE_LEADER,
  MR_REPLICA_ROLE_IN_SYNC,         /* a follower in the ISR */
  MR_REPLICA_ROLE_LAGGING,         /* a follower out of the ISR */
  MR_REPLICA_ROLE_OFFLINE,         /* its broker is down */
} MrReplicaRole;

GtkWidget     *mr_partition_map_new            (void);
/* Shows @topics (MrTopicInfo; internal ones are left out) across @brokers
 * (MrBrokerInfo). */
void           mr_partition_map_update         (MrPartitionMap *self,
                                                GPtrArray      *brokers,
                                                GPtrArray      *topics);
guint          mr_partition_map_get_n_partitions (MrPartitionMap *self);
/* What the map shows for @broker_id's replica of @topic-@partition; @lag
 * (nullable) gets how many offsets a lagging follower is behind. */
MrReplicaRole  mr_partition_map_get_role       (MrPartitionMap *self,
                                                const char     *topic,
                                                gint32          partition,
                                                gint32          broker_id,
                                                gint64         *lag);

G_END_DECLS
