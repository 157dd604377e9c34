/* mr-kafka-handlers.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The Kafka API handlers and their table.
 *
 * Every handler parses its request body with the bounded reader (one
 * "malformed" exit closes the connection), calls the cluster API with
 * via_broker = the listener's broker, writes the response body and ends
 * the request. They keep no state of their own. Layouts, all big-endian,
 * STRING = int16 length, ARRAY = int32 count (-1 null), BYTES/RECORDS =
 * int32 length (-1 null); "vN+" marks a field present from version N:
 *
 * ApiVersions (18) v0-v3. Request v3 (flexible, header v2):
 *   client_software_name COMPACT_STRING, client_software_version
 *   COMPACT_STRING, tags. v0-v2 have an empty body.
 * Response (header v0 always): error_code int16,
 *   api_keys ARRAY (COMPACT_ARRAY in v3) of {api_key int16, min int16,
 *   max int16, tags in v3}, throttle_time_ms int32 (v1+), tags (v3).
 *   For an unsupported version: the v0 body, error 35, and only the
 *   ApiVersions entry.
 *
 * Metadata (3) v0-v6. Request: topics ARRAY of {name STRING} (v0: empty
 *   means all; v1+: null means all, empty means none),
 *   allow_auto_topic_creation bool (v4+; before v4 always allowed).
 * Response: throttle_time_ms (v3+), brokers ARRAY of {node_id int32,
 *   host STRING, port int32, rack NULLABLE_STRING (v1+)}, cluster_id
 *   NULLABLE_STRING (v2+), controller_id int32 (v1+), topics ARRAY of
 *   {error_code int16, name STRING, is_internal bool (v1+), partitions
 *   ARRAY of {error_code int16, partition_index int32, leader_id int32,
 *   replica_nodes ARRAY int32, isr_nodes ARRAY int32, offline_replicas
 *   ARRAY int32 (v5+)}}. A topic created by this request answers
 *   LEADER_NOT_AVAILABLE with no partitions; a partition with no leader
 *   answers LEADER_NOT_AVAILABLE.
 *
 * Produce (0) v0-v7. Request: transactional_id NULLABLE_STRING (v3+),
 *   acks int16, timeout_ms int32, topics ARRAY of {name STRING, partitions
 *   ARRAY of {index int32, records RECORDS}}. Only magic-2 batches are
 *   taken (byte 16 of each record set); anything else answers
 *   UNSUPPORTED_FOR_MESSAGE_FORMAT. acks=0: no response at all.
 * Response: topics ARRAY of {name STRING, partitions ARRAY of {index int32,
 *   error_code int16, base_offset int64, log_append_time_ms int64 (v2+),
 *   log_start_offset int64 (v5+)}}, throttle_time_ms int32 (v1+).
 *
 * Fetch (1) v0-v11. Request: replica_id int32, max_wait_ms int32,
 *   min_bytes int32, max_bytes int32 (v3+), isolation_level int8 (v4+),
 *   session_id int32 and session_epoch int32 (v7+), topics ARRAY of {topic
 *   STRING, partitions ARRAY of {partition int32, current_leader_epoch
 *   int32 (v9+), fetch_offset int64, log_start_offset int64 (v5+),
 *   partition_max_bytes int32}}, forgotten_topics ARRAY of {topic STRING,
 *   partitions ARRAY int32} (v7+), rack_id STRING (v11).
 * Response: throttle_time_ms (v1+), error_code int16 and session_id int32
 *   (v7+, always 0: no fetch sessions), topics ARRAY of {topic STRING,
 *   partitions ARRAY of {partition_index int32, error_code int16,
 *   high_watermark int64, last_stable_offset int64 (v4+, = HW),
 *   log_start_offset int64 (v5+), aborted_transactions ARRAY (v4+, null),
 *   preferred_read_replica int32 (v11, -1), records RECORDS}}.
 *   The long poll waits up to max_wait_ms until min_bytes are available.
 *
 * ListOffsets (2) v0-v3. Request: replica_id int32, isolation_level int8
 *   (v2+), topics ARRAY of {name STRING, partitions ARRAY of {index int32,
 *   timestamp int64 (-1 latest, -2 earliest), max_num_offsets int32
 *   (v0 only)}}.
 * Response: throttle_time_ms (v2+), topics ARRAY of {name STRING,
 *   partitions ARRAY of {index int32, error_code int16, old_style_offsets
 *   ARRAY int64 (v0 only), timestamp int64 and offset int64 (v1+)}}.
 *
 * OffsetForLeaderEpoch (23) v0-v3. Request: replica_id int32 (v3+; -1 for
 *   consumers), topics ARRAY of {topic STRING, partitions ARRAY of
 *   {partition int32, current_leader_epoch int32 (v2+, -1: unchecked),
 *   leader_epoch int32}}.
 * Response: throttle_time_ms int32 (v2+), topics ARRAY of {topic STRING,
 *   partitions ARRAY of {error_code int16, partition int32, leader_epoch
 *   int32 (v1+), end_offset int64}}: the largest epoch at or below the one
 *   asked that the leader's log knows, and where it ends; -1 and -1 when
 *   none. A consumer uses it to detect that the log it read was truncated
 *   under it (KIP-320), a follower to find where to truncate (KIP-101).
 *
 * InitProducerId (22) v0-v1. Request: transactional_id NULLABLE_STRING,
 *   transaction_timeout_ms int32. Response: throttle_time_ms int32,
 *   error_code int16, producer_id int64, producer_epoch int16.
 *
 * DescribeCluster (60) v0, flexible (header v2, compact forms, tags).
 *   Request: include_cluster_authorized_operations bool, tags.
 * Response: throttle_time_ms int32, error_code int16, error_message
 *   COMPACT_NULLABLE_STRING, cluster_id COMPACT_STRING, controller_id
 *   int32, brokers COMPACT_ARRAY of {broker_id int32, host COMPACT_STRING,
 *   port int32, rack COMPACT_NULLABLE_STRING, tags},
 *   cluster_authorized_operations int32, tags. The brokers are those of
 *   Metadata.
 *
 * The consumer group APIs (FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, ListGroups,
 * DescribeGroups, DeleteGroups, OffsetDelete) are in
 * mr-kafka-group-handlers.c, with their layouts.
 *
 * The admin APIs (CreateTopics, DeleteTopics, DeleteRecords,
 * DescribeConfigs, AlterConfigs, CreatePartitions and
 * IncrementalAlterConfigs) are in mr-kafka-admin-handlers.c, with their
 * layouts. */

#define G_LOG_DOMAIN "mr-protocol"

#include "config.h"

#include "mr-kafka-handlers.h"

#include <string.h>

#include "mr-cluster-error.h"
#include "mr-kafka-error.h"

#define API_PRODUCE                   0
#define API_FETCH                     1
#define API_LIST_OFFSETS              2
#define API_METADATA                  3
#define API_OFFSET_COMMIT             8
#define API_OFFSET_FETCH              9
#define API_FIND_COORDINATOR          10
#define API_JOIN_GROUP                11
#define API_HEARTBEAT                 12
#define API_LEAVE_GROUP               13
#define API_SYNC_GROUP                14
#define API_DESCRIBE_GROUPS           15
#define API_LIST_GROUPS               16
#define API_CREATE_TOPICS             19
#define API_DELETE_TOPICS             20
#define API_DELETE_RECORDS            21
#define API_INIT_PRODUCER_ID          22
#define API_OFFSET_FOR_LEADER_EPOCH   23
#define API_DESCRIBE_CONFIGS          32
#define API_ALTER_CONFIGS             33
#define API_CREATE_PARTITIONS         37
#define API_DELETE_GROUPS             42
#define API_INCREMENTAL_ALTER_CONFIGS 44
#define API_OFFSET_DELETE             47
#define API_DESCRIBE_CLUSTER          60

/* DescribeCluster's authorized operations, one bit per Kafka AclOperation
 * that applies to the cluster: CREATE 5, ALTER 7, DESCRIBE 8,
 * CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11,
 * IDEMPOTENT_WRITE 12. There are no ACLs: all are allowed. */
#define CLUSTER_OPERATIONS_ALL \
  ((1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12))

static void handle_api_versions     (MrKafkaRequest *request);
static void handle_metadata         (MrKafkaRequest *request);
static void handle_produce          (MrKafkaRequest *request);
static void handle_fetch            (MrKafkaRequest *request);
static void handle_list_offsets     (MrKafkaRequest *request);
static void handle_init_producer_id (MrKafkaRequest *request);
static void handle_offset_for_leader_epoch (MrKafkaRequest *request);
static void handle_describe_cluster (MrKafkaRequest *request);

/* {api_key, min, max, flexible_from, threading, handler}. Every min is 0
 * (librdkafka turns features off otherwise); every max below the first
 * flexible version except ApiVersions and DescribeCluster, which is
 * flexible from v0. */
static const MrKafkaHandler handlers[] = {
  { API_PRODUCE,                   0,  7,  9, MR_KAFKA_HANDLER_LOCAL_WRITE, handle_produce },
  { API_FETCH,                     0, 11, 12, MR_KAFKA_HANDLER_WORKER, handle_fetch },
  { API_LIST_OFFSETS,              0,  3,  6, MR_KAFKA_HANDLER_WORKER, handle_list_offsets },
  { API_METADATA,                  0,  6,  9, MR_KAFKA_HANDLER_WORKER, handle_metadata },
  { MR_KAFKA_API_VERSIONS,         0,  3,  3, MR_KAFKA_HANDLER_INLINE, handle_api_versions },
  { API_INIT_PRODUCER_ID,          0,  1,  2, MR_KAFKA_HANDLER_WORKER, handle_init_producer_id },
  { API_OFFSET_FOR_LEADER_EPOCH,   0,  3,  4, MR_KAFKA_HANDLER_WORKER, handle_offset_for_leader_epoch },
  { API_CREATE_TOPICS,             0,  4,  5, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_create_topics },
  { API_DELETE_TOPICS,             0,  1,  4, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_delete_topics },
  { API_DELETE_RECORDS,            0,  1,  2, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_delete_records },
  { API_DESCRIBE_CONFIGS,          0,  2,  4, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_describe_configs },
  { API_ALTER_CONFIGS,             0,  1,  2, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_alter_configs },
  { API_CREATE_PARTITIONS,         0,  1,  2, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_create_partitions },
  { API_INCREMENTAL_ALTER_CONFIGS, 0,  0,  1, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_incremental_alter_configs },
  { API_DESCRIBE_CLUSTER,          0,  0,  0, MR_KAFKA_HANDLER_WORKER, handle_describe_cluster },
  { API_FIND_COORDINATOR,          0,  2,  3, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_find_coordinator },
  { API_JOIN_GROUP,                0,  5,  6, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_join_group },
  { API_SYNC_GROUP,                0,  3,  4, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_sync_group },
  { API_HEARTBEAT,                 0,  3,  4, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_heartbeat },
  { API_LEAVE_GROUP,               0,  3,  4, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_leave_group },
  { API_OFFSET_COMMIT,             0,  7,  8, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_offset_commit },
  { API_OFFSET_FETCH,              0,  5,  6, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_offset_fetch },
  { API_LIST_GROUPS,               0,  2,  3, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_list_groups },
  { API_DESCRIBE_GROUPS,           0,  4,  5, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_describe_groups },
  { API_DELETE_GROUPS,             0,  1,  2, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_delete_groups },
  { API_OFFSET_DELETE,             0,  0, 99, MR_KAFKA_HANDLER_WORKER, mr_kafka_handle_offset_delete },
};

const MrKafkaHandler *
mr_kafka_handler_lookup (gint16 api_key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (handlers[i].api_key == api_key)
      return &handlers[i];
  return NULL;
}

void
mr_kafka_request_fail_malformed (MrKafkaRequest *request,
                                 MrKafkaReader  *reader)
{
  g_autoptr(GError) error = NULL;

  mr_kafka_reader_finish (reader, &error);
  mr_kafka_request_fail (request, error != NULL ? error->message : "malformed");
}

/* ApiVersions */

void
mr_kafka_write_api_versions_fallback (GByteArray *out)
{
  const MrKafkaHandler *self = mr_kafka_handler_lookup (MR_KAFKA_API_VERSIONS);

  mr_kafka_writer_int16 (out, MR_KAFKA_ERROR_UNSUPPORTED_VERSION);
  mr_kafka_writer_array_count (out, 1);
  mr_kafka_writer_int16 (out, self->api_key);
  mr_kafka_writer_int16 (out, self->min_version);
  mr_kafka_writer_int16 (out, self->max_version);
}

/* @locality: the listener's I/O thread. */
static void
handle_api_versions (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;

  /* The v3 body (client software name and version) is informational: a
   * body that does not parse still gets the table, as Kafka does. */
  mr_kafka_writer_int16 (out, MR_KAFKA_ERROR_NONE);
  if (version >= 3)
    mr_kafka_writer_compact_array_count (out, G_N_ELEMENTS (handlers));
  else
    mr_kafka_writer_array_count (out, G_N_ELEMENTS (handlers));
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      mr_kafka_writer_int16 (out, handlers[i].api_key);
      mr_kafka_writer_int16 (out, handlers[i].min_version);
      mr_kafka_writer_int16 (out, handlers[i].max_version);
      if (version >= 3)
        mr_kafka_writer_empty_tags (out);
    }
  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);
  if (version >= 3)
    mr_kafka_writer_empty_tags (out);
  mr_kafka_request_respond (request);
}

/* Metadata */

static void
write_int32_array (GByteArray   *out,
                   const GArray *ids)
{
  mr_kafka_writer_array_count (out, ids != NULL ? (gint32)ids->len : 0);
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    mr_kafka_writer_int32 (out, g_array_index (ids, gint32, i));
}

/* A partition whose leader is not among the brokers listed (its broker
 * stopped, crashed or was cut off, and the controller has not moved the
 * leadership yet) is reported the way Kafka's metadata cache does: leader
 * -1 with LEADER_NOT_AVAILABLE. Clients then keep asking for metadata at
 * their fast interval instead of waiting on a broker that refuses them. */
static void
write_topic_metadata (MrKafkaRequest    *request,
                      const MrTopicInfo *topic,
                      const GArray      *listed)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;

  mr_kafka_writer_int16 (out, MR_KAFKA_ERROR_NONE);
  mr_kafka_writer_string (out, topic->name);
  if (version >= 1)
    mr_kafka_writer_int8 (out, topic->internal ? 1 : 0);
  mr_kafka_writer_array_count (out, (gint32)topic->partitions->len);
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (topic->partitions, i);
      gint32 leader = p->leader;
      gboolean leader_listed = FALSE;

      for (guint j = 0; j < listed->len && !leader_listed; j++)
        leader_listed = g_array_index (listed, gint32, j) == leader;
      if (!leader_listed)
        leader = -1;

      mr_kafka_writer_int16 (out, leader < 0
                                  ? MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE
                                  : MR_KAFKA_ERROR_NONE);
      mr_kafka_writer_int32 (out, p->partition);
      mr_kafka_writer_int32 (out, leader);
      write_int32_array (out, p->replicas);
      write_int32_array (out, p->isr);
      if (version >= 5)
        {
          g_autoptr(GArray) offline = g_array_new (FALSE, FALSE, sizeof (gint32));

          for (guint j = 0; p->replica_states != NULL && j < p->replica_states->len; j++)
            {
              const MrReplicaInfo *r = &g_array_index (p->replica_states,
                                                       MrReplicaInfo, j);

              if (!r->online)
                g_array_append_val (offline, r->broker_id);
            }
          write_int32_array (out, offline);
        }
    }
}

static void
write_topic_error (MrKafkaRequest *request,
                   const char     *name,
                   MrKafkaError    code)
{
  GByteArray *out = request->response;

  mr_kafka_writer_int16 (out, code);
  mr_kafka_writer_string (out, name);
  if (request->api_version >= 1)
    mr_kafka_writer_int8 (out, 0);
  mr_kafka_writer_array_count (out, 0);
}

/* Metadata and DescribeCluster list the brokers that serve clients: the
 * running and paused ones, and always the one answering. */
static gboolean
broker_is_listed (MrKafkaRequest     *request,
                  const MrBrokerInfo *info)
{
  return info->state == MR_BROKER_STATE_RUNNING ||
         info->state == MR_BROKER_STATE_PAUSED ||
         info->id == request->broker_id;
}

static const char *
broker_host (const MrBrokerInfo *info)
{
  return info->host != NULL ? info->host : "127.0.0.1";
}

/* This listener's real port for itself. */
static gint32
broker_port (MrKafkaRequest     *request,
             const MrBrokerInfo *info)
{
  return (gint32)(info->id == request->broker_id ? request->port : info->port);
}

/* A real broker id: this one while no controller is known. */
static gint32
controller_id_for (MrKafkaRequest *request)
{
  gint32 controller_id = mr_cluster_get_controller_id (request->cluster);

  return controller_id >= 0 ? controller_id : request->broker_id;
}

/* @locality: a worker thread (auto-creation blocks). */
static void
handle_metadata (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) brokers = NULL;
  g_autoptr(GArray) listed = g_array_new (FALSE, FALSE, sizeof (gint32));
  MrClusterOptions options;
  gboolean all_topics = FALSE;
  gboolean allow_auto_create = TRUE;
  gint32 n_topics;
  gint32 controller_id;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_topics = mr_kafka_reader_strings (&reader, names);
  if (version >= 4)
    allow_auto_create = mr_kafka_reader_int8 (&reader) != 0;
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }
  all_topics = n_topics < 0 || (version == 0 && n_topics == 0);

  if (version >= 3)
    mr_kafka_writer_int32 (out, 0);

  /* Brokers: the live ones, with this listener's real port for itself. */
  brokers = mr_cluster_list_brokers (request->cluster);
  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      if (broker_is_listed (request, info))
        g_array_append_val (listed, info->id);
    }
  mr_kafka_writer_array_count (out, (gint32)listed->len);
  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      if (!broker_is_listed (request, info))
        continue;
      mr_kafka_writer_int32 (out, info->id);
      mr_kafka_writer_string (out, broker_host (info));
      mr_kafka_writer_int32 (out, broker_port (request, info));
      if (version >= 1)
        mr_kafka_writer_string (out, NULL);
    }
  if (version >= 2)
    mr_kafka_writer_string (out, mr_cluster_get_id (request->cluster));
  controller_id = controller_id_for (request);
  if (version >= 1)
    mr_kafka_writer_int32 (out, controller_id);

  if (all_topics)
    {
      g_autoptr(GPtrArray) topics = mr_cluster_list_topics (request->cluster);

      for (guint i = 0; i < topics->len; i++)
        {
          const MrTopicInfo *info = g_ptr_array_index (topics, i);

          g_ptr_array_add (names, g_strdup (info->name));
        }
    }

  mr_cluster_get_options (request->cluster, &options);
  mr_kafka_writer_array_count (out, (gint32)names->len);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrTopicInfo) topic = NULL;

      topic = mr_cluster_describe_topic (request->cluster, name, &error);
      if (topic != NULL)
        {
          write_topic_metadata (request, topic, listed);
          continue;
        }
      if (!all_topics && allow_auto_create && options.auto_create_topics &&
          g_error_matches (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC))
        {
          g_clear_error (&error);
          if (mr_cluster_create_topic (request->cluster, name, -1, -1, NULL,
                                       FALSE, &error) ||
              g_error_matches (error, MR_CLUSTER_ERROR,
                               MR_CLUSTER_ERROR_TOPIC_EXISTS))
            {
              write_topic_error (request, name,
                                 MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE);
              continue;
            }
        }
      write_topic_error (request, name, mr_cluster_error_kafka_code_for (error));
    }
  mr_cluster_options_clear (&options);
  mr_kafka_request_respond (request);
}

/* DescribeCluster */

/* @locality: a worker thread. */
static void
handle_describe_cluster (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  g_autoptr(GPtrArray) brokers = NULL;
  gboolean include_operations;
  gint32 n_live = 0;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  include_operations = mr_kafka_reader_int8 (&reader) != 0;
  mr_kafka_reader_skip_tags (&reader);
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_int16 (out, MR_KAFKA_ERROR_NONE);
  mr_kafka_writer_compact_string (out, NULL);
  mr_kafka_writer_compact_string (out, mr_cluster_get_id (request->cluster));
  mr_kafka_writer_int32 (out, controller_id_for (request));
  brokers = mr_cluster_list_brokers (request->cluster);
  for (guint i = 0; i < brokers->len; i++)
    if (broker_is_listed (request, g_ptr_array_index (brokers, i)))
      n_live++;
  mr_kafka_writer_compact_array_count (out, n_live);
  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      if (!broker_is_listed (request, info))
        continue;
      mr_kafka_writer_int32 (out, info->id);
      mr_kafka_writer_compact_string (out, broker_host (info));
      mr_kafka_writer_int32 (out, broker_port (request, info));
      mr_kafka_writer_compact_string (out, NULL);
      mr_kafka_writer_empty_tags (out);
    }
  /* Without a request for them, Kafka sends INT32_MIN. */
  mr_kafka_writer_int32 (out, include_operations ? CLUSTER_OPERATIONS_ALL
                                                 : G_MININT32);
  mr_kafka_writer_empty_tags (out);
  mr_kafka_request_respond (request);
}

/* Produce */

typedef struct
{
  char        *topic;
  gint32       partition;
  MrKafkaError error;
  gint64       base_offset;
  gint64       log_append_time;
  gint64       log_start_offset;
} ProducePart;

typedef struct
{
  MrKafkaRequest *request;
  gint16          acks;
  GArray         *parts;         /* ProducePart */
  gint            remaining;     /* atomic */
} ProduceCall;

typedef struct
{
  ProduceCall *call;
  guint        index;
} ProduceRef;

static void
produce_part_clear (gpointer data)
{
  ProducePart *part = data;

  g_free (part->topic);
}

/* Writes the response once every partition has its outcome.
 * @locality: any thread. */
static void
produce_call_unref (ProduceCall *call)
{
  MrKafkaRequest *request = call->request;
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  guint i = 0;
  gint32 n_topics = 0;

  if (!g_atomic_int_dec_and_test (&call->remaining))
    return;

  if (call->acks == 0)
    {
      g_array_unref (call->parts);
      g_free (call);
      mr_kafka_request_drop (request);
      return;
    }

  /* Parts are grouped by topic in request order. */
  for (guint j = 0; j < call->parts->len; j++)
    if (j == 0 || strcmp (g_array_index (call->parts, ProducePart, j).topic,
                          g_array_index (call->parts, ProducePart, j - 1).topic) != 0)
      n_topics++;
  mr_kafka_writer_array_count (out, n_topics);
  while (i < call->parts->len)
    {
      const char *topic = g_array_index (call->parts, ProducePart, i).topic;
      guint end = i;

      while (end < call->parts->len &&
             strcmp (g_array_index (call->parts, ProducePart, end).topic, topic) == 0)
        end++;
      mr_kafka_writer_string (out, topic);
      mr_kafka_writer_array_count (out, (gint32)(end - i));
      for (; i < end; i++)
        {
          const ProducePart *part = &g_array_index (call->parts, ProducePart, i);

          mr_kafka_writer_int32 (out, part->partition);
          mr_kafka_writer_int16 (out, part->error);
          mr_kafka_writer_int64 (out, part->error == MR_KAFKA_ERROR_NONE
                                      ? part->base_offset : -1);
          if (version >= 2)
            mr_kafka_writer_int64 (out, part->log_append_time);
          if (version >= 5)
            mr_kafka_writer_int64 (out, part->log_start_offset);
        }
    }
  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);

  g_array_unref (call->parts);
  g_free (call);
  mr_kafka_request_respond (request);
}

/* @locality: any thread (the cluster's completion). */
static void
on_produced (const MrProduceResult *result,
             gpointer               user_data)
{
  ProduceRef *ref = user_data;
  ProducePart *part = &g_array_index (ref->call->parts, ProducePart, ref->index);

  part->error = result->error;
  part->base_offset = result->base_offset;
  part->log_append_time = result->log_append_time;
  part->log_start_offset = result->log_start_offset;
  produce_call_unref (ref->call);
  g_free (ref);
}

/* @locality: a worker thread; the listener runs one connection's
 * requests in order, so pipelined produces reach the log in order. */
static void
handle_produce (MrKafkaRequest *request)
{
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *transactional_id = NULL;
  ProduceCall *call;
  gint16 acks;
  gint32 timeout_ms;
  gint32 n_topics;
  guint n_parts;

  call = g_new0 (ProduceCall, 1);
  call->request = request;
  call->parts = g_array_new (FALSE, TRUE, sizeof (ProducePart));
  g_array_set_clear_func (call->parts, produce_part_clear);

  /* First pass: parse everything; nothing reaches the cluster unless the
   * whole request is well formed. */
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  if (version >= 3)
    transactional_id = mr_kafka_reader_nullable_string (&reader);
  acks = mr_kafka_reader_int16 (&reader);
  timeout_ms = mr_kafka_reader_int32 (&reader);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n_partitions = mr_kafka_reader_array_count (&reader, 8);

      for (gint32 p = 0; p < n_partitions && !mr_kafka_reader_failed (&reader); p++)
        {
          ProducePart part = { 0 };
          gsize len;

          part.topic = g_strdup (name);
          part.partition = mr_kafka_reader_int32 (&reader);
          (void)mr_kafka_reader_bytes (&reader, &len);
          part.error = MR_KAFKA_ERROR_NONE;
          part.base_offset = -1;
          part.log_append_time = -1;
          part.log_start_offset = -1;
          g_array_append_val (call->parts, part);
        }
    }
  if (mr_kafka_reader_failed (&reader) ||
      mr_kafka_reader_remaining (&reader) != 0)
    {
      g_array_unref (call->parts);
      g_free (call);
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  call->acks = acks;
  n_parts = call->parts->len;
  g_atomic_int_set (&call->remaining, (gint)n_parts + 1);

  /* Second pass: hand each record set to the cluster. */
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  if (version >= 3)
    g_free (mr_kafka_reader_nullable_string (&reader));
  (void)mr_kafka_reader_int16 (&reader);
  (void)mr_kafka_reader_int32 (&reader);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0, k = 0; t < n_topics; t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n_partitions = mr_kafka_reader_array_count (&reader, 8);

      for (gint32 p = 0; p < n_partitions; p++, k++)
        {
          ProducePart *part = &g_array_index (call->parts, ProducePart, k);
          const guint8 *records;
          gsize len;
          ProduceRef *ref;

          (void)mr_kafka_reader_int32 (&reader);
          records = mr_kafka_reader_bytes (&reader, &len);

          if (transactional_id != NULL)
            part->error = MR_KAFKA_ERROR_UNSUPPORTED_VERSION;
          else if (acks != 0 && acks != 1 && acks != -1)
            part->error = MR_KAFKA_ERROR_INVALID_REQUIRED_ACKS;
          else if (records == NULL || len < 61)
            part->error = MR_KAFKA_ERROR_CORRUPT_MESSAGE;
          else if (records[16] != 2)
            part->error = MR_KAFKA_ERROR_UNSUPPORTED_FOR_MESSAGE_FORMAT;
          if (part->error != MR_KAFKA_ERROR_NONE)
            {
              produce_call_unref (call);
              continue;
            }

          ref = g_new0 (ProduceRef, 1);
          ref->call = call;
          ref->index = (guint)k;
          mr_cluster_produce_async (request->cluster, request->broker_id,
                                    name, part->partition,
                                    g_memdup2 (records, len), len, acks,
                                    (guint)MAX (timeout_ms, 0),
                                    on_produced, ref);
        }
    }
  produce_call_unref (call);
}

/* Fetch */

static void
fetch_part_clear (gpointer data)
{
  MrFetchPartition *part = data;

  g_free ((char *)part->topic);
  mr_fetch_result_clear (&part->result);
}

/* @locality: a worker thread: the long poll blocks. */
static void
handle_fetch (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autoptr(GArray) parts = g_array_new (FALSE, TRUE,
                                         sizeof (MrFetchPartition));
  gint32 max_wait_ms;
  gint32 min_bytes;
  gint32 max_bytes = G_MAXINT32;
  gint32 n_topics;
  guint i;

  g_array_set_clear_func (parts, fetch_part_clear);

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  (void)mr_kafka_reader_int32 (&reader);           /* replica_id */
  max_wait_ms = mr_kafka_reader_int32 (&reader);
  min_bytes = mr_kafka_reader_int32 (&reader);
  if (version >= 3)
    max_bytes = mr_kafka_reader_int32 (&reader);
  if (version >= 4)
    (void)mr_kafka_reader_int8 (&reader);          /* isolation_level */
  if (version >= 7)
    {
      (void)mr_kafka_reader_int32 (&reader);       /* session_id */
      (void)mr_kafka_reader_int32 (&reader);       /* session_epoch */
    }
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n_partitions = mr_kafka_reader_array_count (&reader, 16);

      for (gint32 p = 0; p < n_partitions && !mr_kafka_reader_failed (&reader); p++)
        {
          MrFetchPartition part = { 0 };
          gint32 partition_max_bytes;

          part.topic = g_strdup (name != NULL ? name : "");
          part.partition = mr_kafka_reader_int32 (&reader);
          part.current_leader_epoch = version >= 9
            ? mr_kafka_reader_int32 (&reader) : -1;
          part.offset = mr_kafka_reader_int64 (&reader);
          if (version >= 5)
            (void)mr_kafka_reader_int64 (&reader);   /* log_start_offset */
          partition_max_bytes = mr_kafka_reader_int32 (&reader);
          part.max_bytes = (gsize)MAX (partition_max_bytes, 1);
          g_array_append_val (parts, part);
        }
    }
  if (version >= 7)
    {
      gint32 n_forgotten = mr_kafka_reader_array_count (&reader, 6);

      for (gint32 t = 0; t < n_forgotten && !mr_kafka_reader_failed (&reader); t++)
        {
          g_autofree char *name = mr_kafka_reader_string (&reader);
          gint32 n = mr_kafka_reader_array_count (&reader, 4);

          for (gint32 p = 0; p < n; p++)
            (void)mr_kafka_reader_int32 (&reader);
        }
    }
  if (version >= 11)
    g_free (mr_kafka_reader_string (&reader));     /* rack_id */
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  /* The long poll, over all the partitions at once; a stopping listener
   * ends it. */
  mr_cluster_fetch_partitions (request->cluster, request->broker_id,
                               (MrFetchPartition *)parts->data, parts->len,
                               (gsize)MAX (min_bytes, 1),
                               (gsize)MAX (max_bytes, 1),
                               (guint)MAX (max_wait_ms, 0),
                               request->stopping);

  /* Room for every partition's records at once: growing by doubling would
   * copy megabytes of them again on each step. */
  {
    guint len = out->len;
    gsize records = 0;

    for (i = 0; i < parts->len; i++)
      {
        GBytes *bytes = g_array_index (parts, MrFetchPartition, i).result.records;

        records += bytes != NULL ? g_bytes_get_size (bytes) : 0;
      }
    g_byte_array_set_size (out, len + (guint)records + 1024 + 64 * parts->len);
    g_byte_array_set_size (out, len);
  }

  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);
  if (version >= 7)
    {
      mr_kafka_writer_int16 (out, MR_KAFKA_ERROR_NONE);
      mr_kafka_writer_int32 (out, 0);
    }
  {
    gint32 n_out_topics = 0;

    for (i = 0; i < parts->len; i++)
      if (i == 0 || strcmp (g_array_index (parts, MrFetchPartition, i).topic,
                            g_array_index (parts, MrFetchPartition, i - 1).topic) != 0)
        n_out_topics++;
    mr_kafka_writer_array_count (out, n_out_topics);
  }
  i = 0;
  while (i < parts->len)
    {
      const char *topic = g_array_index (parts, MrFetchPartition, i).topic;
      guint end = i;

      while (end < parts->len &&
             strcmp (g_array_index (parts, MrFetchPartition, end).topic, topic) == 0)
        end++;
      mr_kafka_writer_string (out, topic);
      mr_kafka_writer_array_count (out, (gint32)(end - i));
      for (; i < end; i++)
        {
          const MrFetchPartition *part = &g_array_index (parts, MrFetchPartition, i);
          const MrFetchResult *r = &part->result;
          gboolean ok = r->error == MR_KAFKA_ERROR_NONE;

          mr_kafka_writer_int32 (out, part->partition);
          mr_kafka_writer_int16 (out, r->error);
          mr_kafka_writer_int64 (out, ok ? r->high_watermark : -1);
          if (version >= 4)
            mr_kafka_writer_int64 (out, ok ? r->high_watermark : -1);
          if (version >= 5)
            mr_kafka_writer_int64 (out, ok ? r->log_start_offset : -1);
          if (version >= 4)
            mr_kafka_writer_array_count (out, -1);
          if (version >= 11)
            mr_kafka_writer_int32 (out, -1);
          if (ok && r->records != NULL)
            {
              gsize len;
              const guint8 *data = g_bytes_get_data (r->records, &len);

              mr_kafka_writer_bytes (out, data != NULL ? data : (const guint8 *)"", len);
            }
          else
            mr_kafka_writer_bytes (out, (const guint8 *)"", 0);
        }
    }
  mr_kafka_request_respond (request);
}

/* OffsetForLeaderEpoch */

/* @locality: a worker thread. */
static void
handle_offset_for_leader_epoch (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  gint32 n_topics;

  /* Validate the whole request first: the response is written as we go. */
  for (guint pass = 0; pass < 2; pass++)
    {
      mr_kafka_reader_init (&reader, request->body, request->body_len);
      if (version >= 3)
        (void)mr_kafka_reader_int32 (&reader);       /* replica_id */
      if (pass == 1 && version >= 2)
        mr_kafka_writer_int32 (out, 0);              /* throttle_time_ms */
      n_topics = mr_kafka_reader_array_count (&reader, 6);
      if (pass == 1)
        mr_kafka_writer_array_count (out, MAX (n_topics, 0));
      for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
        {
          g_autofree char *name = mr_kafka_reader_string (&reader);
          gint32 n = mr_kafka_reader_array_count (&reader, 8);

          if (pass == 1)
            {
              mr_kafka_writer_string (out, name);
              mr_kafka_writer_array_count (out, MAX (n, 0));
            }
          for (gint32 p = 0; p < n && !mr_kafka_reader_failed (&reader); p++)
            {
              gint32 partition = mr_kafka_reader_int32 (&reader);
              gint32 current_epoch = version >= 2
                ? mr_kafka_reader_int32 (&reader) : -1;
              gint32 leader_epoch = mr_kafka_reader_int32 (&reader);
              gint32 end_epoch = -1;
              gint64 end_offset = -1;
              MrKafkaError code;

              if (pass == 0)
                continue;
              code = mr_cluster_offset_for_leader_epoch (
                request->cluster, request->broker_id, name, partition,
                current_epoch, leader_epoch, &end_epoch, &end_offset);
              mr_kafka_writer_int16 (out, code);
              mr_kafka_writer_int32 (out, partition);
              if (version >= 1)
                mr_kafka_writer_int32 (out, code == MR_KAFKA_ERROR_NONE
                                              ? end_epoch : -1);
              mr_kafka_writer_int64 (out, code == MR_KAFKA_ERROR_NONE
                                            ? end_offset : -1);
            }
        }
      if (pass == 0 && mr_kafka_reader_failed (&reader))
        {
          mr_kafka_request_fail_malformed (request, &reader);
          return;
        }
    }
  mr_kafka_request_respond (request);
}

/* ListOffsets */

/* @locality: a worker thread. */
static void
handle_list_offsets (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  gint32 n_topics;

  /* Validate the whole request first: the response is written as we go. */
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  (void)mr_kafka_reader_int32 (&reader);
  if (version >= 2)
    (void)mr_kafka_reader_int8 (&reader);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n = mr_kafka_reader_array_count (&reader, 12);

      for (gint32 p = 0; p < n && !mr_kafka_reader_failed (&reader); p++)
        {
          (void)mr_kafka_reader_int32 (&reader);
          (void)mr_kafka_reader_int64 (&reader);
          if (version == 0)
            (void)mr_kafka_reader_int32 (&reader);
        }
    }
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  (void)mr_kafka_reader_int32 (&reader);
  if (version >= 2)
    {
      (void)mr_kafka_reader_int8 (&reader);
      mr_kafka_writer_int32 (out, 0);
    }
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  mr_kafka_writer_array_count (out, MAX (n_topics, 0));
  for (gint32 t = 0; t < n_topics; t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n = mr_kafka_reader_array_count (&reader, 12);

      mr_kafka_writer_string (out, name);
      mr_kafka_writer_array_count (out, MAX (n, 0));
      for (gint32 p = 0; p < n; p++)
        {
          gint32 partition = mr_kafka_reader_int32 (&reader);
          gint64 timestamp = mr_kafka_reader_int64 (&reader);
          gint64 offset = -1;
          gint64 found = -1;
          MrKafkaError code;

          if (version == 0)
            (void)mr_kafka_reader_int32 (&reader);
          code = mr_cluster_list_offset (request->cluster, request->broker_id,
                                         name, partition, timestamp,
                                         &offset, &found);
          mr_kafka_writer_int32 (out, partition);
          mr_kafka_writer_int16 (out, code);
          if (version == 0)
            {
              if (code == MR_KAFKA_ERROR_NONE && offset >= 0)
                {
                  mr_kafka_writer_array_count (out, 1);
                  mr_kafka_writer_int64 (out, offset);
                }
              else
                mr_kafka_writer_array_count (out, 0);
            }
          else
            {
              mr_kafka_writer_int64 (out, code == MR_KAFKA_ERROR_NONE ? found : -1);
              mr_kafka_writer_int64 (out, code == MR_KAFKA_ERROR_NONE ? offset : -1);
            }
        }
    }
  mr_kafka_request_respond (request);
}

/* InitProducerId */

/* @locality: a worker thread. */
static void
handle_init_producer_id (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  g_autofree char *transactional_id = NULL;
  gint64 producer_id = -1;
  gint16 producer_epoch = -1;
  MrKafkaError code;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  transactional_id = mr_kafka_reader_nullable_string (&reader);
  (void)mr_kafka_reader_int32 (&reader);
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  /* Transactions are not implemented: a transactional producer is told
   * so rather than handed an id it cannot use. */
  if (transactional_id != NULL)
    code = MR_KAFKA_ERROR_UNSUPPORTED_VERSION;
  else
    code = mr_cluster_init_producer_id (request->cluster, &producer_id,
                                        &producer_epoch);
  mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_int16 (out, code);
  mr_kafka_writer_int64 (out, code == MR_KAFKA_ERROR_NONE ? producer_id : -1);
  mr_kafka_writer_int16 (out, code == MR_KAFKA_ERROR_NONE ? producer_epoch : -1);
  mr_kafka_request_respond (request);
}
