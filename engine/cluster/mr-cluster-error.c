/* mr-cluster-error.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-cluster-error.h"

G_DEFINE_QUARK (mr-cluster-error-quark, mr_cluster_error)

MrKafkaError
mr_cluster_error_to_kafka (MrClusterError code)
{
  switch (code)
    {
    case MR_CLUSTER_ERROR_INVALID_TOPIC:
    case MR_CLUSTER_ERROR_TOPIC_COLLISION:
      /* Kafka answers a collision with InvalidTopicException too. */
      return MR_KAFKA_ERROR_INVALID_TOPIC_EXCEPTION;
    case MR_CLUSTER_ERROR_TOPIC_EXISTS:
      return MR_KAFKA_ERROR_TOPIC_ALREADY_EXISTS;
    case MR_CLUSTER_ERROR_UNKNOWN_TOPIC:
    case MR_CLUSTER_ERROR_UNKNOWN_PARTITION:
      return MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    case MR_CLUSTER_ERROR_INVALID_PARTITIONS:
      return MR_KAFKA_ERROR_INVALID_PARTITIONS;
    case MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR:
      return MR_KAFKA_ERROR_INVALID_REPLICATION_FACTOR;
    case MR_CLUSTER_ERROR_INVALID_CONFIG:
      return MR_KAFKA_ERROR_INVALID_CONFIG;
    case MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT:
      return MR_KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT;
    case MR_CLUSTER_ERROR_STALE_EPOCH:
      /* Kafka's AlterPartition answers INVALID_UPDATE_VERSION (95), which
       * MrKafkaError does not list; the fenced epoch is the nearest code a
       * client knows and it is retriable, as a stale update is. */
      return MR_KAFKA_ERROR_FENCED_LEADER_EPOCH;
    case MR_CLUSTER_ERROR_STORE:
    case MR_CLUSTER_ERROR_STORE_CORRUPT:
    case MR_CLUSTER_ERROR_STORE_TOO_NEW:
      /* The controller's own storage failed: for a client that is a server
       * error, not the storage error of a partition's log directory. */
      return MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
    case MR_CLUSTER_ERROR_UNKNOWN_BROKER:
      return MR_KAFKA_ERROR_BROKER_NOT_AVAILABLE;
    case MR_CLUSTER_ERROR_INVALID_STATE:
      return MR_KAFKA_ERROR_INVALID_REQUEST;
    default:
      return MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
    }
}

MrKafkaError
mr_cluster_error_kafka_code_for (const GError *error)
{
  g_return_val_if_fail (error != NULL, MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR);

  if (error->domain == MR_CLUSTER_ERROR)
    return mr_cluster_error_to_kafka ((MrClusterError)error->code);
  if (error->domain == MR_KAFKA_ERROR)
    return (MrKafkaError)error->code;
  return MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
}
