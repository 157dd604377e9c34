/* mr-kafka-group-handlers.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The consumer group APIs. They parse, call the group coordinators
 * (engine/group/mr-group-coordinator.c) with via_broker = the listener's
 * broker, and write the response; JoinGroup, SyncGroup and OffsetCommit
 * end their request later, from the coordinator's completion, so they
 * park: the listener keeps later responses on the connection behind them.
 * Layouts, all non-flexible (STRING int16 length, ARRAY int32 count, -1
 * null; BYTES int32 length); "vN+" marks a field present from version N:
 *
 * FindCoordinator (10) v0-v2. Request: key STRING, key_type int8 (v1+; 0
 *   group, 1 transaction: we have no transaction coordinator).
 * Response: throttle_time_ms int32 (v1+), error_code int16, error_message
 *   NULLABLE_STRING (v1+), node_id int32, host STRING, port int32.
 *
 * JoinGroup (11) v0-v5. Request: group_id STRING, session_timeout_ms
 *   int32, rebalance_timeout_ms int32 (v1+; v0 uses the session timeout),
 *   member_id STRING, group_instance_id NULLABLE_STRING (v5+),
 *   protocol_type STRING, protocols ARRAY of {name STRING, metadata
 *   BYTES}. From v4 a new member (empty id) first gets MEMBER_ID_REQUIRED
 *   and its id, and joins again with it.
 * Response: throttle_time_ms int32 (v2+), error_code int16,
 *   generation_id int32, protocol_name STRING, leader STRING, member_id
 *   STRING, members ARRAY of {member_id STRING, group_instance_id
 *   NULLABLE_STRING (v5+), metadata BYTES}: the leader's only.
 *
 * SyncGroup (14) v0-v3. Request: group_id STRING, generation_id int32,
 *   member_id STRING, group_instance_id NULLABLE_STRING (v3+),
 *   assignments ARRAY of {member_id STRING, assignment BYTES}.
 * Response: throttle_time_ms int32 (v1+), error_code int16, assignment
 *   BYTES.
 *
 * Heartbeat (12) v0-v3. Request: group_id STRING, generation_id int32,
 *   member_id STRING, group_instance_id NULLABLE_STRING (v3+).
 * Response: throttle_time_ms int32 (v1+), error_code int16.
 *
 * LeaveGroup (13) v0-v3. Request: group_id STRING, then v0-v2 member_id
 *   STRING; v3 members ARRAY of {member_id STRING, group_instance_id
 *   NULLABLE_STRING}.
 * Response: throttle_time_ms int32 (v1+), error_code int16, members
 *   ARRAY (v3+) of {member_id STRING, group_instance_id NULLABLE_STRING,
 *   error_code int16}.
 *
 * OffsetCommit (8) v0-v7. Request: group_id STRING, generation_id int32
 *   (v1+), member_id STRING (v1+), group_instance_id NULLABLE_STRING
 *   (v7+), retention_time_ms int64 (v2-v4, ignored), topics ARRAY of
 *   {name STRING, partitions ARRAY of {partition_index int32,
 *   committed_offset int64, commit_timestamp int64 (v1 only),
 *   committed_leader_epoch int32 (v6+), committed_metadata
 *   NULLABLE_STRING}}. Generation -1 with an empty member id is a simple
 *   commit, for consumers outside the group's membership.
 * Response: throttle_time_ms int32 (v3+), topics ARRAY of {name STRING,
 *   partitions ARRAY of {partition_index int32, error_code int16}}.
 *
 * OffsetFetch (9) v0-v5. Request: group_id STRING, topics ARRAY (null
 *   from v2: every committed offset) of {name STRING, partition_indexes
 *   ARRAY of int32}.
 * Response: throttle_time_ms int32 (v3+), topics ARRAY of {name STRING,
 *   partitions ARRAY of {partition_index int32, committed_offset int64
 *   (-1: none), committed_leader_epoch int32 (v5+), metadata
 *   NULLABLE_STRING, error_code int16}}, error_code int16 (v2+).
 *
 * ListGroups (16) v0-v2. Request: empty. Response: throttle_time_ms int32
 *   (v1+), error_code int16, groups ARRAY of {group_id STRING,
 *   protocol_type STRING}: the groups this broker coordinates.
 *
 * DescribeGroups (15) v0-v4. Request: groups ARRAY of STRING,
 *   include_authorized_operations bool (v3+).
 * Response: throttle_time_ms int32 (v1+), groups ARRAY of {error_code
 *   int16, group_id STRING, group_state STRING, protocol_type STRING,
 *   protocol_data STRING, members ARRAY of {member_id STRING,
 *   group_instance_id NULLABLE_STRING (v4+), client_id STRING,
 *   client_host STRING, member_metadata BYTES, member_assignment BYTES},
 *   authorized_operations int32 (v3+)}. An unknown group is "Dead".
 *
 * DeleteGroups (42) v0-v1. Request: groups_names ARRAY of STRING.
 * Response: throttle_time_ms int32, results ARRAY of {group_id STRING,
 *   error_code int16}.
 *
 * OffsetDelete (47) v0. Request: group_id STRING, topics ARRAY of {name
 *   STRING, partitions ARRAY of {partition_index int32}}.
 * Response: error_code int16, throttle_time_ms int32, topics ARRAY of
 *   {name STRING, partitions ARRAY of {partition_index int32, error_code
 *   int16}}. */

#define G_LOG_DOMAIN "mr-protocol"

#include "config.h"

#include "mr-kafka-handlers.h"

#include <string.h>

#include "mr-group-coordinator.h"

/* Kafka's AclOperation bits that apply to a group: READ 3, DELETE 6,
 * DESCRIBE 8. There are no ACLs: all are allowed. */
#define GROUP_OPERATIONS_ALL ((1 << 3) | (1 << 6) | (1 << 8))

static MrGroupCoordinator *
coordinator (MrKafkaRequest *request)
{
  return mr_cluster_get_group_coordinator (request->cluster);
}

/* Reads topics ARRAY of {name STRING, partition_indexes ARRAY of int32},
 * the request body of OffsetFetch and OffsetDelete after the group id,
 * into @entries (offset -1). Returns the topic count: -1 for a null
 * array. */
static gint32
read_topic_partitions (MrKafkaReader *reader,
                       GPtrArray     *entries)
{
  gint32 n_topics = mr_kafka_reader_array_count (reader, 6);

  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (reader); t++)
    {
      g_autofree char *name = mr_kafka_reader_string (reader);
      gint32 n = mr_kafka_reader_array_count (reader, 4);

      for (gint32 p = 0; p < n && !mr_kafka_reader_failed (reader); p++)
        g_ptr_array_add (entries, mr_group_offset_entry_new (
                                    name, mr_kafka_reader_int32 (reader), -1));
    }
  return n_topics;
}

/* Writes one partition's fields of a response's topics array. */
typedef void (*WritePartitionFunc) (GByteArray               *out,
                                    const MrGroupOffsetEntry *entry,
                                    gint16                    version);

static const char *
entry_topic (GPtrArray *entries,
             guint      i)
{
  return ((MrGroupOffsetEntry *)g_ptr_array_index (entries, i))->topic;
}

/* Writes topics ARRAY of {name STRING, partitions ARRAY of {...}}, the
 * response body of OffsetCommit, OffsetFetch and OffsetDelete, from
 * @entries, in which each topic's partitions stand next to each other:
 * one topic per run of entries with the same topic, @write_partition for
 * each entry. */
static void
write_topic_partitions (GByteArray         *out,
                        GPtrArray          *entries,
                        gint16              version,
                        WritePartitionFunc  write_partition)
{
  gint32 n_topics = 0;
  guint i = 0;

  for (guint j = 0; j < entries->len; j++)
    if (j == 0 || strcmp (entry_topic (entries, j),
                          entry_topic (entries, j - 1)) != 0)
      n_topics++;
  mr_kafka_writer_array_count (out, n_topics);
  while (i < entries->len)
    {
      const char *topic = entry_topic (entries, i);
      guint end = i;

      while (end < entries->len &&
             strcmp (entry_topic (entries, end), topic) == 0)
        end++;
      mr_kafka_writer_string (out, topic);
      mr_kafka_writer_array_count (out, (gint32)(end - i));
      for (; i < end; i++)
        write_partition (out, g_ptr_array_index (entries, i), version);
    }
}

/* {partition_index int32, error_code int16}: OffsetCommit, OffsetDelete. */
static void
write_partition_error (GByteArray               *out,
                       const MrGroupOffsetEntry *entry,
                       gint16                    version)
{
  mr_kafka_writer_int32 (out, entry->partition);
  mr_kafka_writer_int16 (out, entry->error);
}

/* FindCoordinator */

/* @locality: a worker thread. */
void
mr_kafka_handle_find_coordinator (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) brokers = NULL;
  const MrBrokerInfo *found = NULL;
  gint8 key_type = 0;
  gint32 broker_id = -1;
  MrKafkaError error;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  key = mr_kafka_reader_string (&reader);
  if (version >= 1)
    key_type = mr_kafka_reader_int8 (&reader);
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  if (key_type != 0)
    error = MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  else if (key[0] == '\0')
    error = MR_KAFKA_ERROR_INVALID_GROUP_ID;
  else
    error = mr_group_coordinator_find (coordinator (request), key, &broker_id);

  brokers = mr_cluster_list_brokers (request->cluster);
  for (guint i = 0; error == MR_KAFKA_ERROR_NONE && i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      if (info->id == broker_id &&
          (info->state == MR_BROKER_STATE_RUNNING ||
           info->id == request->broker_id))
        found = info;
    }
  if (error == MR_KAFKA_ERROR_NONE && found == NULL)
    error = MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;

  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_int16 (out, error);
  if (version >= 1)
    mr_kafka_writer_string (out, error == MR_KAFKA_ERROR_NONE
                                 ? NULL : mr_kafka_error_to_string (error));
  mr_kafka_writer_int32 (out, found != NULL ? found->id : -1);
  mr_kafka_writer_string (out, found != NULL
                               ? (found->host != NULL ? found->host : "127.0.0.1")
                               : "");
  mr_kafka_writer_int32 (out, found == NULL ? -1
                              : (gint32)(found->id == request->broker_id
                                         ? request->port : found->port));
  mr_kafka_request_respond (request);
}

/* JoinGroup */

static void
join_done_cb (const MrGroupResponse *response,
              gpointer               user_data)
{
  MrKafkaRequest *request = user_data;
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  guint n = response->error == MR_KAFKA_ERROR_NONE && response->members != NULL
            ? response->members->len : 0;

  if (version >= 2)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_int16 (out, response->error);
  mr_kafka_writer_int32 (out, response->generation);
  mr_kafka_writer_string (out, response->protocol_name != NULL
                               ? response->protocol_name : "");
  mr_kafka_writer_string (out, response->leader_id != NULL
                               ? response->leader_id : "");
  mr_kafka_writer_string (out, response->member_id != NULL
                               ? response->member_id : "");
  mr_kafka_writer_array_count (out, (gint32)n);
  for (guint i = 0; i < n; i++)
    {
      MrGroupMemberData *m = g_ptr_array_index (response->members, i);

      mr_kafka_writer_string (out, m->member_id);
      if (version >= 5)
        mr_kafka_writer_string (out, m->group_instance_id);
      mr_kafka_writer_gbytes (out, m->metadata);
    }
  mr_kafka_request_respond (request);
}

/* @locality: a worker thread; the response comes from the coordinator. */
void
mr_kafka_handle_join_group (MrKafkaRequest *request)
{
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *group_id = NULL;
  g_autofree char *member_id = NULL;
  g_autofree char *instance_id = NULL;
  g_autofree char *protocol_type = NULL;
  g_autoptr(GPtrArray) protocols = NULL;
  MrGroupJoinRequest join = { 0 };
  gint32 session_timeout;
  gint32 rebalance_timeout;
  gint32 n;

  protocols = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_protocol_free);
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  group_id = mr_kafka_reader_string (&reader);
  session_timeout = mr_kafka_reader_int32 (&reader);
  rebalance_timeout = version >= 1 ? mr_kafka_reader_int32 (&reader)
                                   : session_timeout;
  member_id = mr_kafka_reader_string (&reader);
  if (version >= 5)
    instance_id = mr_kafka_reader_nullable_string (&reader);
  protocol_type = mr_kafka_reader_string (&reader);
  n = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 i = 0; i < n && !mr_kafka_reader_failed (&reader); i++)
    {
      MrGroupProtocol *p = g_new0 (MrGroupProtocol, 1);

      p->name = mr_kafka_reader_string (&reader);
      p->metadata = mr_kafka_reader_dup_bytes (&reader);
      g_ptr_array_add (protocols, p);
    }
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  join.member_id = member_id;
  join.group_instance_id = instance_id;
  join.client_id = request->client_id;
  join.client_host = request->client_host;
  join.session_timeout_ms = session_timeout;
  join.rebalance_timeout_ms = rebalance_timeout;
  join.protocol_type = protocol_type;
  join.protocols = protocols;
  join.require_known_member_id = version >= 4;
  mr_group_coordinator_join (coordinator (request), request->broker_id,
                             group_id, &join, join_done_cb, request);
}

/* SyncGroup */

static void
sync_done_cb (const MrGroupResponse *response,
              gpointer               user_data)
{
  MrKafkaRequest *request = user_data;
  GByteArray *out = request->response;

  if (request->api_version >= 1)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_int16 (out, response->error);
  mr_kafka_writer_gbytes (out, response->error == MR_KAFKA_ERROR_NONE
                               ? response->assignment : NULL);
  mr_kafka_request_respond (request);
}

/* @locality: a worker thread; the response comes from the coordinator. */
void
mr_kafka_handle_sync_group (MrKafkaRequest *request)
{
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *group_id = NULL;
  g_autofree char *member_id = NULL;
  g_autofree char *instance_id = NULL;
  g_autoptr(GPtrArray) assignments = NULL;
  gint32 generation;
  gint32 n;

  assignments = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_member_data_free);
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  group_id = mr_kafka_reader_string (&reader);
  generation = mr_kafka_reader_int32 (&reader);
  member_id = mr_kafka_reader_string (&reader);
  if (version >= 3)
    instance_id = mr_kafka_reader_nullable_string (&reader);
  n = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 i = 0; i < n && !mr_kafka_reader_failed (&reader); i++)
    {
      MrGroupMemberData *d = g_new0 (MrGroupMemberData, 1);

      d->member_id = mr_kafka_reader_string (&reader);
      d->metadata = mr_kafka_reader_dup_bytes (&reader);
      g_ptr_array_add (assignments, d);
    }
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  mr_group_coordinator_sync (coordinator (request), request->broker_id,
                             group_id, generation, member_id, instance_id,
                             assignments, sync_done_cb, request);
}

/* Heartbeat */

/* @locality: a worker thread. */
void
mr_kafka_handle_heartbeat (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *group_id = NULL;
  g_autofree char *member_id = NULL;
  g_autofree char *instance_id = NULL;
  gint32 generation;
  MrKafkaError error;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  group_id = mr_kafka_reader_string (&reader);
  generation = mr_kafka_reader_int32 (&reader);
  member_id = mr_kafka_reader_string (&reader);
  if (version >= 3)
    instance_id = mr_kafka_reader_nullable_string (&reader);
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  error = mr_group_coordinator_heartbeat (coordinator (request),
                                          request->broker_id, group_id,
                                          generation, member_id, instance_id);
  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_int16 (out, error);
  mr_kafka_request_respond (request);
}

/* LeaveGroup */

/* @locality: a worker thread. */
void
mr_kafka_handle_leave_group (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *group_id = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GArray) errors = g_array_new (FALSE, TRUE, sizeof (MrKafkaError));
  MrKafkaError error = MR_KAFKA_ERROR_NONE;

  members = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_member_data_free);
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  group_id = mr_kafka_reader_string (&reader);
  if (version >= 3)
    {
      gint32 n = mr_kafka_reader_array_count (&reader, 4);

      for (gint32 i = 0; i < n && !mr_kafka_reader_failed (&reader); i++)
        {
          MrGroupMemberData *d = g_new0 (MrGroupMemberData, 1);

          d->member_id = mr_kafka_reader_string (&reader);
          d->group_instance_id = mr_kafka_reader_nullable_string (&reader);
          g_ptr_array_add (members, d);
        }
    }
  else
    {
      MrGroupMemberData *d = g_new0 (MrGroupMemberData, 1);

      d->member_id = mr_kafka_reader_string (&reader);
      g_ptr_array_add (members, d);
    }
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  for (guint i = 0; i < members->len && error == MR_KAFKA_ERROR_NONE; i++)
    {
      MrGroupMemberData *d = g_ptr_array_index (members, i);
      MrKafkaError member_error = MR_KAFKA_ERROR_NONE;

      error = mr_group_coordinator_leave (coordinator (request),
                                          request->broker_id, group_id,
                                          d->member_id, d->group_instance_id,
                                          &member_error);
      g_array_append_val (errors, member_error);
    }

  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);
  if (version < 3 && error == MR_KAFKA_ERROR_NONE && errors->len > 0)
    error = g_array_index (errors, MrKafkaError, 0);
  mr_kafka_writer_int16 (out, error);
  if (version >= 3)
    {
      guint n = error == MR_KAFKA_ERROR_NONE ? members->len : 0;

      mr_kafka_writer_array_count (out, (gint32)n);
      for (guint i = 0; i < n; i++)
        {
          MrGroupMemberData *d = g_ptr_array_index (members, i);

          mr_kafka_writer_string (out, d->member_id);
          mr_kafka_writer_string (out, d->group_instance_id);
          mr_kafka_writer_int16 (out, g_array_index (errors, MrKafkaError, i));
        }
    }
  mr_kafka_request_respond (request);
}

/* OffsetCommit */

typedef struct
{
  MrKafkaRequest *request;
  GPtrArray      *entries;        /* MrGroupOffsetEntry, in request order */
} CommitCall;

/* Writes topics[partitions] from entries grouped by topic in request
 * order, with @error for every partition. */
static void
commit_done_cb (MrKafkaError error,
                gpointer     user_data)
{
  CommitCall *call = user_data;
  MrKafkaRequest *request = call->request;
  GByteArray *out = request->response;
  GPtrArray *entries = call->entries;

  for (guint i = 0; i < entries->len; i++)
    ((MrGroupOffsetEntry *)g_ptr_array_index (entries, i))->error = error;
  if (request->api_version >= 3)
    mr_kafka_writer_int32 (out, 0);
  write_topic_partitions (out, entries, request->api_version,
                          write_partition_error);
  g_ptr_array_unref (call->entries);
  g_free (call);
  mr_kafka_request_respond (request);
}

/* @locality: a worker thread; the response comes once the commit is
 * replicated. */
void
mr_kafka_handle_offset_commit (MrKafkaRequest *request)
{
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *group_id = NULL;
  g_autofree char *member_id = NULL;
  g_autofree char *instance_id = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  CommitCall *call;
  gint32 generation = -1;
  gint32 n_topics;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_offset_entry_free);
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  group_id = mr_kafka_reader_string (&reader);
  if (version >= 1)
    {
      generation = mr_kafka_reader_int32 (&reader);
      member_id = mr_kafka_reader_string (&reader);
    }
  if (version >= 7)
    instance_id = mr_kafka_reader_nullable_string (&reader);
  if (version >= 2 && version <= 4)
    (void)mr_kafka_reader_int64 (&reader);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n = mr_kafka_reader_array_count (&reader, 14);

      for (gint32 p = 0; p < n && !mr_kafka_reader_failed (&reader); p++)
        {
          gint32 partition = mr_kafka_reader_int32 (&reader);
          gint64 offset = mr_kafka_reader_int64 (&reader);
          MrGroupOffsetEntry *e;

          e = mr_group_offset_entry_new (name, partition, offset);
          if (version == 1)
            (void)mr_kafka_reader_int64 (&reader);
          if (version >= 6)
            e->leader_epoch = mr_kafka_reader_int32 (&reader);
          e->metadata = mr_kafka_reader_nullable_string (&reader);
          g_ptr_array_add (entries, e);
        }
    }
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  call = g_new0 (CommitCall, 1);
  call->request = request;
  call->entries = g_ptr_array_ref (entries);
  mr_group_coordinator_commit_async (coordinator (request), request->broker_id,
                                     group_id, generation,
                                     member_id != NULL ? member_id : "",
                                     instance_id, entries, commit_done_cb,
                                     call);
}

/* OffsetFetch */

/* {partition_index int32, committed_offset int64, committed_leader_epoch
 * int32 (v5+), metadata NULLABLE_STRING, error_code int16}. */
static void
write_fetched_partition (GByteArray               *out,
                         const MrGroupOffsetEntry *entry,
                         gint16                    version)
{
  mr_kafka_writer_int32 (out, entry->partition);
  mr_kafka_writer_int64 (out, entry->offset);
  if (version >= 5)
    mr_kafka_writer_int32 (out, entry->leader_epoch);
  mr_kafka_writer_string (out, entry->metadata != NULL ? entry->metadata : "");
  mr_kafka_writer_int16 (out, entry->error);
}

/* @locality: a worker thread. */
void
mr_kafka_handle_offset_fetch (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autofree char *group_id = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) all = NULL;
  GPtrArray *shown;
  MrKafkaError error;
  gint32 n_topics;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_offset_entry_free);
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  group_id = mr_kafka_reader_string (&reader);
  n_topics = read_topic_partitions (&reader, entries);
  if (mr_kafka_reader_failed (&reader) || (n_topics < 0 && version < 2))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  error = mr_group_coordinator_fetch_offsets (coordinator (request),
                                              request->broker_id, group_id,
                                              n_topics < 0 ? NULL : entries,
                                              &all);
  shown = n_topics < 0 ? all : entries;
  if (error != MR_KAFKA_ERROR_NONE)
    for (guint j = 0; j < shown->len; j++)
      {
        MrGroupOffsetEntry *e = g_ptr_array_index (shown, j);

        e->offset = -1;
        e->leader_epoch = -1;
        e->error = error;
      }

  if (version >= 3)
    mr_kafka_writer_int32 (out, 0);
  write_topic_partitions (out, shown, version, write_fetched_partition);
  if (version >= 2)
    mr_kafka_writer_int16 (out, error);
  mr_kafka_request_respond (request);
}

/* ListGroups */

/* @locality: a worker thread. */
void
mr_kafka_handle_list_groups (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  g_autoptr(GPtrArray) groups = NULL;

  groups = mr_group_coordinator_list (coordinator (request),
                                      request->broker_id);
  if (request->api_version >= 1)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_int16 (out, MR_KAFKA_ERROR_NONE);
  mr_kafka_writer_array_count (out, (gint32)groups->len);
  for (guint i = 0; i < groups->len; i++)
    {
      MrGroupListing *listing = g_ptr_array_index (groups, i);

      mr_kafka_writer_string (out, listing->group_id);
      mr_kafka_writer_string (out, listing->protocol_type);
    }
  mr_kafka_request_respond (request);
}

/* DescribeGroups */

/* @locality: a worker thread. */
void
mr_kafka_handle_describe_groups (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean include_operations = FALSE;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  (void)mr_kafka_reader_strings (&reader, names);
  if (version >= 3)
    include_operations = mr_kafka_reader_int8 (&reader) != 0;
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)names->len);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_auto(MrGroupMetadataRecord) record = { 0 };
      MrGroupState state = MR_GROUP_STATE_DEAD;
      MrKafkaError error;
      guint n_members;

      error = mr_group_coordinator_describe (coordinator (request),
                                             request->broker_id, name,
                                             &state, &record);
      n_members = error == MR_KAFKA_ERROR_NONE && record.members != NULL
                  ? record.members->len : 0;
      mr_kafka_writer_int16 (out, error);
      mr_kafka_writer_string (out, name);
      mr_kafka_writer_string (out, error == MR_KAFKA_ERROR_NONE
                                   ? mr_group_state_to_string (state) : "");
      mr_kafka_writer_string (out, record.protocol_type != NULL
                                   ? record.protocol_type : "");
      mr_kafka_writer_string (out, record.protocol != NULL
                                   ? record.protocol : "");
      mr_kafka_writer_array_count (out, (gint32)n_members);
      for (guint m = 0; m < n_members; m++)
        {
          MrGroupMemberRecord *r = g_ptr_array_index (record.members, m);

          mr_kafka_writer_string (out, r->member_id);
          if (version >= 4)
            mr_kafka_writer_string (out, r->group_instance_id);
          mr_kafka_writer_string (out, r->client_id);
          mr_kafka_writer_string (out, r->client_host);
          mr_kafka_writer_gbytes (out, r->subscription);
          mr_kafka_writer_gbytes (out, r->assignment);
        }
      if (version >= 3)
        mr_kafka_writer_int32 (out, include_operations ? GROUP_OPERATIONS_ALL
                                                       : G_MININT32);
    }
  mr_kafka_request_respond (request);
}

/* DeleteGroups */

/* @locality: a worker thread (waits for the tombstones' replication). */
void
mr_kafka_handle_delete_groups (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  (void)mr_kafka_reader_strings (&reader, names);
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)names->len);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      mr_kafka_writer_string (out, name);
      mr_kafka_writer_int16 (out, mr_group_coordinator_delete_group (
                                    coordinator (request), request->broker_id,
                                    name));
    }
  mr_kafka_request_respond (request);
}

/* OffsetDelete */

/* @locality: a worker thread (waits for the tombstones' replication). */
void
mr_kafka_handle_offset_delete (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  g_autofree char *group_id = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  MrKafkaError error;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_offset_entry_free);
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  group_id = mr_kafka_reader_string (&reader);
  (void)read_topic_partitions (&reader, entries);
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  error = mr_group_coordinator_delete_offsets (coordinator (request),
                                               request->broker_id, group_id,
                                               entries);
  mr_kafka_writer_int16 (out, error);
  mr_kafka_writer_int32 (out, 0);
  if (error != MR_KAFKA_ERROR_NONE)
    {
      mr_kafka_writer_array_count (out, 0);
      mr_kafka_request_respond (request);
      return;
    }
  write_topic_partitions (out, entries, 0, write_partition_error);
  mr_kafka_request_respond (request);
}
