/* mr-cluster-error.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <glib.h>

#include "mr-kafka-error.h"

G_BEGIN_DECLS

#define MR_CLUSTER_ERROR (mr_cluster_error_quark ())

/**
 * MrClusterError:
 * @MR_CLUSTER_ERROR_INVALID_TOPIC: a topic name Kafka refuses (empty, too
 *   long, a character outside [a-zA-Z0-9._-], "." or "..")
 * @MR_CLUSTER_ERROR_TOPIC_EXISTS: a topic of that name exists already
 * @MR_CLUSTER_ERROR_TOPIC_COLLISION: another topic's name differs only by
 *   "." against "_" (the two would share metric names in Kafka)
 * @MR_CLUSTER_ERROR_UNKNOWN_TOPIC: no topic of that name
 * @MR_CLUSTER_ERROR_UNKNOWN_PARTITION: the topic has no partition of that
 *   index
 * @MR_CLUSTER_ERROR_INVALID_PARTITIONS: a partition count out of range, or
 *   partitions that do not follow on from the existing ones
 * @MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR: a replication factor below
 *   one or above the number of brokers
 * @MR_CLUSTER_ERROR_INVALID_CONFIG: an unknown config name or a bad value
 * @MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT: replica lists that name a
 *   broker twice, a leader outside the in-sync replicas, and the like
 * @MR_CLUSTER_ERROR_STALE_EPOCH: a change based on a partition epoch that
 *   another change has since replaced, or a leader epoch going backwards
 * @MR_CLUSTER_ERROR_STORE: the metadata database refused a read or write
 *   (disk full, permissions, I/O error)
 * @MR_CLUSTER_ERROR_STORE_CORRUPT: the metadata database file is damaged or
 *   is not a Millrace metadata database
 * @MR_CLUSTER_ERROR_STORE_TOO_NEW: the metadata database was written by a
 *   newer Millrace whose schema this build does not know
 * @MR_CLUSTER_ERROR_UNKNOWN_BROKER: no broker has that id
 * @MR_CLUSTER_ERROR_INVALID_STATE: a fault or recovery that makes no sense
 *   in the broker's state (pausing a stopped broker), or a bad cluster
 *   option
 *
 * Errors of the cluster's metadata: topic rules and the metadata store.
 * mr_cluster_error_to_kafka() gives the wire code a Kafka client sees.
 */
typedef enum
{
  MR_CLUSTER_ERROR_INVALID_TOPIC,
  MR_CLUSTER_ERROR_TOPIC_EXISTS,
  MR_CLUSTER_ERROR_TOPIC_COLLISION,
  MR_CLUSTER_ERROR_UNKNOWN_TOPIC,
  MR_CLUSTER_ERROR_UNKNOWN_PARTITION,
  MR_CLUSTER_ERROR_INVALID_PARTITIONS,
  MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR,
  MR_CLUSTER_ERROR_INVALID_CONFIG,
  MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
  MR_CLUSTER_ERROR_STALE_EPOCH,
  MR_CLUSTER_ERROR_STORE,
  MR_CLUSTER_ERROR_STORE_CORRUPT,
  MR_CLUSTER_ERROR_STORE_TOO_NEW,
  MR_CLUSTER_ERROR_UNKNOWN_BROKER,
  MR_CLUSTER_ERROR_INVALID_STATE,
} MrClusterError;

GQuark       mr_cluster_error_quark          (void);

/* The Kafka wire code for @code, for responses to Kafka clients. */
MrKafkaError mr_cluster_error_to_kafka       (MrClusterError  code);

/* The wire code for any error: MR_CLUSTER_ERROR and MR_KAFKA_ERROR codes
 * map as they are; anything else is UNKNOWN_SERVER_ERROR. */
MrKafkaError mr_cluster_error_kafka_code_for (const GError   *error);

G_END_DECLS
