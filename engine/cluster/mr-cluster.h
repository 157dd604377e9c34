/* mr-cluster.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mr-cluster-event.h"
#include "mr-event-stream.h"
#include "mr-kafka-error.h"

G_BEGIN_DECLS

/* A cluster of brokers running as threads in this process: the one API
 * that the Kafka listener, the HTTP API, the window, the sinks and the
 * benchmarks all use. See mr-cluster.c for how the pieces fit.
 *
 * Every function may be called from any thread unless it says otherwise;
 * the blocking ones (produce, fetch, admin) must not be called from the GTK
 * main thread: the UI runs them in worker threads. */
typedef struct _MrCluster MrCluster;

typedef struct
{
  char     *data_dir;                    /* the cluster directory */
  guint     n_brokers;                   /* 1..16 */
  char     *host;                        /* advertised host */
  guint     first_port;                  /* broker i: first_port + i - 1 */
  gboolean  auto_create_topics;
  gint32    default_partitions;
  gint32    default_replication_factor;  /* -1: min(3, n_brokers) */
  gboolean  simulate_power_loss;         /* crash loses unsynced bytes */
  guint     replica_lag_time_max_ms;     /* replica.lag.time.max.ms */
  guint     broker_session_timeout_ms;   /* broker.session.timeout.ms */
  guint     broker_heartbeat_interval_ms;
  guint     replica_fetch_wait_max_ms;
  guint     request_timeout_ms;          /* inter-broker calls */
  /* Consumer groups: __consumer_offsets is created at start with these
   * (0 partitions: no offsets topic, group requests answer
   * COORDINATOR_NOT_AVAILABLE). */
  gint32    offsets_topic_partitions;    /* offsets.topic.num.partitions */
  gint32    offsets_topic_replication_factor; /* -1: min(3, n_brokers) */
  guint     group_initial_rebalance_delay_ms;
} MrClusterOptions;

#define MR_CLUSTER_MAX_BROKERS 16

void        mr_cluster_options_init         (MrClusterOptions   *options);
void        mr_cluster_options_clear        (MrClusterOptions   *options);

typedef enum
{
  MR_BROKER_ACTION_START,
  MR_BROKER_ACTION_STOP,
  MR_BROKER_ACTION_CRASH,
  MR_BROKER_ACTION_PAUSE,
  MR_BROKER_ACTION_RESUME,
  MR_BROKER_ACTION_ISOLATE,
  MR_BROKER_ACTION_HEAL,
  MR_BROKER_ACTION_SLOW,
} MrBrokerAction;

const char *mr_broker_action_to_string      (MrBrokerAction      action);
gboolean    mr_broker_action_from_string    (const char         *name,
                                             MrBrokerAction     *action);
/* The action that undoes a fault: START after STOP or CRASH, RESUME after
 * PAUSE, HEAL after ISOLATE or SLOW. */
MrBrokerAction mr_broker_action_get_healing (MrBrokerAction      fault);

typedef struct
{
  gint32         id;
  char          *host;
  guint          port;
  MrBrokerState  state;
  gboolean       is_controller;
  guint          latency_ms;         /* added by "slow" */
  guint          n_leaders;
  guint          n_replicas;
  gint64         size_bytes;
  guint64        n_requests;         /* answered since start, cumulative:
                                      * Kafka requests on its listener and
                                      * in-process produces and fetches */
} MrBrokerInfo;

typedef struct
{
  gint32   broker_id;
  gint64   log_start_offset;
  gint64   log_end_offset;
  gint64   high_watermark;        /* this replica's view */
  gboolean online;                /* its broker runs and holds the replica */
  gboolean in_sync;
  gint64   size_bytes;            /* its log's bytes on disk; -1 offline */
} MrReplicaInfo;

typedef struct
{
  gint32     partition;
  gint32     leader;              /* -1: offline */
  gint32     leader_epoch;
  GArray    *replicas;            /* gint32 broker ids, preferred first */
  GArray    *isr;                 /* gint32 */
  gint64     log_start_offset;    /* the leader's */
  gint64     high_watermark;
  GArray    *replica_states;      /* MrReplicaInfo, in replica order */
} MrPartitionInfo;

typedef struct
{
  char       *name;
  gboolean    internal;
  GHashTable *configs;            /* name → value, overrides only */
  GPtrArray  *partitions;         /* MrPartitionInfo, by index */
} MrTopicInfo;

typedef struct
{
  MrKafkaError error;
  char        *error_message;
  gint64       base_offset;
  gint64       log_append_time;
  gint64       log_start_offset;
} MrProduceResult;

typedef struct
{
  MrKafkaError error;
  gint64       high_watermark;
  gint64       last_stable_offset;
  gint64       log_start_offset;
  GBytes      *records;           /* whole batches, or NULL */
} MrFetchResult;

typedef void (*MrProduceCallback) (const MrProduceResult *result,
                                   gpointer               user_data);

MrCluster   *mr_cluster_new                 (const MrClusterOptions  *options,
                                             GError                 **error) G_GNUC_WARN_UNUSED_RESULT;
MrCluster   *mr_cluster_ref                 (MrCluster               *cluster);
void         mr_cluster_unref               (MrCluster               *cluster);

/* Starts every broker and waits until a controller has elected leaders. */
gboolean     mr_cluster_start               (MrCluster               *cluster,
                                             GError                 **error);
/* Stops every broker cleanly; idempotent. */
void         mr_cluster_shutdown            (MrCluster               *cluster);

const char  *mr_cluster_get_id              (MrCluster               *cluster);
const char  *mr_cluster_get_data_dir        (MrCluster               *cluster);
guint        mr_cluster_get_n_brokers       (MrCluster               *cluster);
gint32       mr_cluster_get_controller_id   (MrCluster               *cluster);
MrEventStream *mr_cluster_get_event_stream  (MrCluster               *cluster);
void         mr_cluster_get_options         (MrCluster               *cluster,
                                             MrClusterOptions        *options);

GPtrArray   *mr_cluster_list_brokers        (MrCluster               *cluster) G_GNUC_WARN_UNUSED_RESULT;
void         mr_broker_info_free            (MrBrokerInfo            *info);
/* Counts one request taken by @broker_id, for MrBrokerInfo.n_requests; the
 * Kafka listener calls it per request. @locality: any thread (atomic). */
void         mr_cluster_count_request       (MrCluster               *cluster,
                                             gint32                   broker_id);

/* Faults and recovery, one call each. Unknown broker:
 * MR_CLUSTER_ERROR_UNKNOWN_BROKER; a transition that makes no sense (pause
 * a stopped broker): MR_CLUSTER_ERROR_INVALID_STATE. @parameter is the
 * added latency in ms for SLOW. */
gboolean     mr_cluster_broker_action       (MrCluster               *cluster,
                                             gint32                   broker_id,
                                             MrBrokerAction           action,
                                             guint                    parameter,
                                             GError                 **error);

/* Topics. @configs maps Kafka config names to values (may be NULL). */
gboolean     mr_cluster_create_topic        (MrCluster               *cluster,
                                             const char              *name,
                                             gint32                   n_partitions,
                                             gint32                   replication_factor,
                                             GHashTable              *configs,
                                             gboolean                 validate_only,
                                             GError                 **error);
gboolean     mr_cluster_delete_topic        (MrCluster               *cluster,
                                             const char              *name,
                                             GError                 **error);
gboolean     mr_cluster_create_partitions   (MrCluster               *cluster,
                                             const char              *name,
                                             gint32                   total_partitions,
                                             gboolean                 validate_only,
                                             GError                 **error);
gboolean     mr_cluster_alter_topic_configs (MrCluster               *cluster,
                                             const char              *name,
                                             GHashTable              *configs,
                                             gboolean                 validate_only,
                                             GError                 **error);
GPtrArray   *mr_cluster_list_topics         (MrCluster               *cluster) G_GNUC_WARN_UNUSED_RESULT;
MrTopicInfo *mr_cluster_describe_topic      (MrCluster               *cluster,
                                             const char              *name,
                                             GError                 **error) G_GNUC_WARN_UNUSED_RESULT;
void         mr_topic_info_free             (MrTopicInfo             *info);
void         mr_partition_info_free         (MrPartitionInfo         *info);

/* Produce one record set to a partition. @via_broker is the broker the
 * client talks to (the Kafka listener passes its own id; -1 routes to the
 * current leader, for in-process clients). @batches is taken (g_free'd)
 * and rewritten in place. @done runs exactly once, from any thread. With
 * acks=0 it runs at once. Auto-creates the topic when the cluster allows. */
void         mr_cluster_produce_async       (MrCluster               *cluster,
                                             gint32                   via_broker,
                                             const char              *topic,
                                             gint32                   partition,
                                             guint8                  *batches,
                                             gsize                    len,
                                             gint16                   acks,
                                             guint                    timeout_ms,
                                             MrProduceCallback        done,
                                             gpointer                 user_data);
/* The same, waiting for the outcome. */
void         mr_cluster_produce             (MrCluster               *cluster,
                                             gint32                   via_broker,
                                             const char              *topic,
                                             gint32                   partition,
                                             guint8                  *batches,
                                             gsize                    len,
                                             gint16                   acks,
                                             guint                    timeout_ms,
                                             MrProduceResult         *result);
void         mr_produce_result_clear        (MrProduceResult         *result);

/* A consumer's fetch from the leader: whole batches from @offset below the
 * high watermark, waiting up to @max_wait_ms for some (long poll, woken by
 * the high watermark's advance). */
void         mr_cluster_fetch               (MrCluster               *cluster,
                                             gint32                   via_broker,
                                             const char              *topic,
                                             gint32                   partition,
                                             gint64                   offset,
                                             gsize                    max_bytes,
                                             guint                    max_wait_ms,
                                             gint32                   current_leader_epoch,
                                             MrFetchResult           *result);
/* One partition of a multi-partition fetch. */
typedef struct
{
  const char    *topic;
  gint32         partition;
  gint64         offset;
  gsize          max_bytes;           /* this partition's cap */
  gint32         current_leader_epoch;
  MrFetchResult  result;              /* filled in; clear it after */
} MrFetchPartition;

/* A consumer's fetch over several partitions with one long poll: returns
 * when @min_bytes in all are available, when any partition has an error,
 * after @max_wait_ms, or soon after *@cancelled (may be NULL) turns
 * non-zero; woken at once by any of the partitions' high watermarks. The
 * response holds at most @max_bytes in all, except that the first batch
 * found is always whole, so a consumer makes progress past a batch larger
 * than its limits. */
void         mr_cluster_fetch_partitions    (MrCluster               *cluster,
                                             gint32                   via_broker,
                                             MrFetchPartition        *parts,
                                             guint                    n_parts,
                                             gsize                    min_bytes,
                                             gsize                    max_bytes,
                                             guint                    max_wait_ms,
                                             const gint              *cancelled);
void         mr_fetch_result_clear          (MrFetchResult           *result);

/* ListOffsets: @timestamp -1 latest (the high watermark), -2 earliest, or a
 * time in ms (the first offset at or after it, -1 when none). */
MrKafkaError mr_cluster_list_offset         (MrCluster               *cluster,
                                             gint32                   via_broker,
                                             const char              *topic,
                                             gint32                   partition,
                                             gint64                   timestamp,
                                             gint64                  *offset,
                                             gint64                  *found_timestamp);

/* OffsetForLeaderEpoch (KIP-101, KIP-320): on the partition's leader, the
 * largest epoch at or below @leader_epoch that the log knows, and the
 * offset where it ends (the first offset of the next epoch, or the log end
 * for the current one). Both -1 when the log knows no such epoch. A
 * @current_leader_epoch other than -1 fences the call like a fetch:
 * FENCED_LEADER_EPOCH when older than the leader's, UNKNOWN_LEADER_EPOCH
 * when newer. */
MrKafkaError mr_cluster_offset_for_leader_epoch (MrCluster           *cluster,
                                             gint32                   via_broker,
                                             const char              *topic,
                                             gint32                   partition,
                                             gint32                   current_leader_epoch,
                                             gint32                   leader_epoch,
                                             gint32                  *end_epoch,
                                             gint64                  *end_offset);

/* InitProducerId for an idempotent producer (no transactions): a new
 * producer id, unique in this cluster across restarts, with epoch 0. */
MrKafkaError mr_cluster_init_producer_id    (MrCluster               *cluster,
                                             gint64                  *producer_id,
                                             gint16                  *producer_epoch);

/* DeleteRecords: moves the log start of every replica to @offset (-1: the
 * high watermark). */
MrKafkaError mr_cluster_delete_records      (MrCluster               *cluster,
                                             const char              *topic,
                                             gint32                   partition,
                                             gint64                   offset,
                                             gint64                  *low_watermark);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrCluster, mr_cluster_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrTopicInfo, mr_topic_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrPartitionInfo, mr_partition_info_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MrProduceResult, mr_produce_result_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MrFetchResult, mr_fetch_result_clear)

G_END_DECLS
