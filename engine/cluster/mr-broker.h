/* mr-broker.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* One broker: a thread, its replicas and its directory
 * <data-dir>/broker-<id>/. Private to the cluster module. */

#include "mr-cluster-private.h"

G_BEGIN_DECLS

typedef struct _MrBroker MrBroker;

MrBroker      *mr_broker_new              (MrCluster      *cluster,
                                           gint32          id,
                                           const char     *directory);
void           mr_broker_free             (MrBroker       *broker);

gint32         mr_broker_get_id           (MrBroker       *broker);
/* Whether its thread runs (stopped and crashed brokers have none). */
gboolean       mr_broker_is_running       (MrBroker       *broker);

/* @locality: the cluster's caller, never the broker's own thread. */
void           mr_broker_start            (MrBroker       *broker);
/* Clean stop: flushes and closes every log. */
void           mr_broker_stop             (MrBroker       *broker);
/* Abrupt stop: nothing flushed; with @power_loss unsynced bytes go. */
void           mr_broker_crash            (MrBroker       *broker,
                                           gboolean        power_loss);

/* The replica it holds for a partition (a new reference), or NULL. */
MrReplica     *mr_broker_lookup_replica   (MrBroker       *broker,
                                           const char     *topic,
                                           gint32          partition);
/* Counts for the broker list: leaders, replicas and bytes held. */
void           mr_broker_count            (MrBroker       *broker,
                                           guint          *n_leaders,
                                           guint          *n_replicas,
                                           gint64         *size_bytes);
/* Makes its thread look at the world again (new data, new metadata). */
void           mr_broker_wake             (MrBroker       *broker);
/* Wakes a follower of @topic-@partition whose leader just appended: its
 * next fetch pass visits that partition even between full passes. */
void           mr_broker_wake_for_append  (MrBroker       *broker,
                                           const char     *topic,
                                           gint32          partition);

G_END_DECLS
