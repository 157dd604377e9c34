/* mr-groups.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The public group API on the cluster: listing and describing groups
 * with their members, assignments, committed offsets and lag, and the
 * lag samples. Resets are in mr-offset-reset.c, range copies in
 * mr-record-copy.c, in-process members in mr-group-member.c.
 *
 * ConsumerProtocolAssignment, which describe decodes for the members'
 * assignments (big-endian, as the Kafka protocol): version int16,
 * assigned_partitions ARRAY of {topic STRING, partitions ARRAY of
 * int32}, user_data BYTES (nullable); newer versions append fields we
 * do not read. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-groups.h"

#include <string.h>

#include "mr-group-member.h"
#include "mr-groups-private.h"
#include "mr-kafka-codec.h"
#include "mr-lag-sampler.h"

G_DEFINE_QUARK (mr-group-error-quark, mr_group_error)

void
mr_topic_partition_free (MrTopicPartition *tp)
{
  if (tp == NULL)
    return;
  g_free (tp->topic);
  g_free (tp);
}

static void
member_info_free (MrGroupMemberInfo *m)
{
  g_free (m->member_id);
  g_free (m->group_instance_id);
  g_free (m->client_id);
  g_free (m->client_host);
  g_clear_pointer (&m->assignment, g_ptr_array_unref);
  g_free (m);
}

static void
partition_info_free (MrGroupPartitionInfo *p)
{
  g_free (p->topic);
  g_free (p->metadata);
  g_free (p);
}

void
mr_group_info_free (MrGroupInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->group_id);
  g_free (info->protocol_type);
  g_free (info->protocol);
  g_clear_pointer (&info->members, g_ptr_array_unref);
  g_clear_pointer (&info->offsets, g_ptr_array_unref);
  g_free (info);
}

GPtrArray *
mr_consumer_assignment_decode (GBytes *assignment)
{
  g_autoptr(GPtrArray) tps = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_topic_partition_free);
  MrKafkaReader reader;
  const guint8 *data;
  gsize len = 0;
  gint32 n_topics;

  if (assignment == NULL)
    return NULL;
  data = g_bytes_get_data (assignment, &len);
  if (len == 0)
    return g_steal_pointer (&tps);
  mr_kafka_reader_init (&reader, data, len);
  (void)mr_kafka_reader_int16 (&reader);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      g_autofree char *topic = mr_kafka_reader_string (&reader);
      gint32 n = mr_kafka_reader_array_count (&reader, 4);

      for (gint32 p = 0; p < n && !mr_kafka_reader_failed (&reader); p++)
        {
          MrTopicPartition *tp = g_new0 (MrTopicPartition, 1);

          tp->topic = g_strdup (topic);
          tp->partition = mr_kafka_reader_int32 (&reader);
          g_ptr_array_add (tps, tp);
        }
    }
  if (mr_kafka_reader_failed (&reader))
    return NULL;
  return g_steal_pointer (&tps);
}

/* MrKafkaError → GError for the group API. */
gboolean
mr_group_set_error (GError      **error,
                    MrKafkaError  code,
                    const char   *group_id)
{
  switch ((gint)code)
    {
    case MR_KAFKA_ERROR_NONE:
      return FALSE;
    case MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE:
    case MR_KAFKA_ERROR_COORDINATOR_LOAD_IN_PROGRESS:
    case MR_KAFKA_ERROR_NOT_COORDINATOR:
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_UNAVAILABLE,
                   "The coordinator of group “%s” is not available now (%s)",
                   group_id, mr_kafka_error_to_string (code));
      return TRUE;
    case MR_KAFKA_ERROR_INVALID_GROUP_ID:
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a valid group id", group_id);
      return TRUE;
    case MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID:
    case MR_KAFKA_ERROR_ILLEGAL_GENERATION:
    case MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS:
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_ACTIVE_MEMBERS,
                   "Group “%s” has active members", group_id);
      return TRUE;
    default:
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_FAILED,
                   "Group “%s”: %s", group_id, mr_kafka_error_to_string (code));
      return TRUE;
    }
}

/* Asks again while a new coordinator loads. */
static MrKafkaError
describe_with_retry (MrGroupCoordinator    *coordinator,
                     const char            *group_id,
                     MrGroupState          *state,
                     MrGroupMetadataRecord *record)
{
  MrKafkaError code = MR_KAFKA_ERROR_NONE;

  for (guint attempt = 0; attempt < 50; attempt++)
    {
      code = mr_group_coordinator_describe (coordinator, -1, group_id, state,
                                            record);
      if (code != MR_KAFKA_ERROR_COORDINATOR_LOAD_IN_PROGRESS)
        break;
      mr_group_metadata_record_clear (record);
      g_usleep (20000);
    }
  return code;
}

GPtrArray *
mr_cluster_list_groups (MrCluster  *cluster,
                        GError    **error)
{
  g_return_val_if_fail (cluster != NULL, NULL);

  return mr_group_coordinator_list (mr_cluster_get_group_coordinator (cluster),
                                    -1);
}

MrGroupInfo *
mr_cluster_describe_group (MrCluster   *cluster,
                           const char  *group_id,
                           GError     **error)
{
  MrGroupCoordinator *coordinator;
  g_autoptr(MrGroupInfo) info = NULL;
  g_auto(MrGroupMetadataRecord) record = { 0 };
  g_autoptr(GPtrArray) offsets = NULL;
  MrGroupState state = MR_GROUP_STATE_DEAD;
  MrKafkaError code;
  gint32 broker = -1;

  g_return_val_if_fail (cluster != NULL, NULL);
  g_return_val_if_fail (group_id != NULL, NULL);

  coordinator = mr_cluster_get_group_coordinator (cluster);
  code = describe_with_retry (coordinator, group_id, &state, &record);
  if (mr_group_set_error (error, code, group_id))
    return NULL;
  code = mr_group_coordinator_fetch_offsets (coordinator, -1, group_id, NULL,
                                             &offsets);
  if (mr_group_set_error (error, code, group_id))
    return NULL;
  if (state == MR_GROUP_STATE_DEAD && offsets->len == 0)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_UNKNOWN_GROUP,
                   "There is no group “%s”", group_id);
      return NULL;
    }
  mr_group_coordinator_find (coordinator, group_id, &broker);

  info = g_new0 (MrGroupInfo, 1);
  info->group_id = g_strdup (group_id);
  info->state = state;
  info->protocol_type = g_strdup (record.protocol_type != NULL
                                  ? record.protocol_type : "");
  info->protocol = g_strdup (record.protocol != NULL ? record.protocol : "");
  info->generation = record.generation;
  info->coordinator = broker;
  info->members = g_ptr_array_new_with_free_func ((GDestroyNotify)member_info_free);
  info->offsets = g_ptr_array_new_with_free_func ((GDestroyNotify)partition_info_free);

  for (guint i = 0; record.members != NULL && i < record.members->len; i++)
    {
      MrGroupMemberRecord *r = g_ptr_array_index (record.members, i);
      MrGroupMemberInfo *m = g_new0 (MrGroupMemberInfo, 1);

      m->member_id = g_strdup (r->member_id);
      m->group_instance_id = g_strdup (r->group_instance_id);
      m->client_id = g_strdup (r->client_id);
      m->client_host = g_strdup (r->client_host);
      m->assignment = mr_consumer_assignment_decode (r->assignment);
      if (m->assignment == NULL)
        m->assignment = g_ptr_array_new_with_free_func (
          (GDestroyNotify)mr_topic_partition_free);
      m->in_process = mr_group_coordinator_is_local_member (coordinator,
                                                            r->member_id);
      g_ptr_array_add (info->members, m);
    }

  for (guint i = 0; i < offsets->len; i++)
    {
      MrGroupOffsetEntry *e = g_ptr_array_index (offsets, i);
      MrGroupPartitionInfo *p = g_new0 (MrGroupPartitionInfo, 1);

      p->topic = g_strdup (e->topic);
      p->partition = e->partition;
      p->committed_offset = e->offset;
      p->metadata = g_strdup (e->metadata != NULL ? e->metadata : "");
      mr_lag_measure_partition (cluster, e->topic, e->partition, e->offset,
                                &p->log_start_offset, &p->high_watermark,
                                &p->lag, &p->time_lag_ms);
      if (p->lag > 0)
        info->total_lag += p->lag;
      g_ptr_array_add (info->offsets, p);
    }

  return g_steal_pointer (&info);
}

GArray *
mr_cluster_get_group_lag_samples (MrCluster  *cluster,
                                  const char *group_id)
{
  g_return_val_if_fail (cluster != NULL, NULL);
  g_return_val_if_fail (group_id != NULL, NULL);

  return mr_lag_sampler_dup_samples (
    mr_group_coordinator_get_lag_sampler (
      mr_cluster_get_group_coordinator (cluster)),
    group_id);
}

gboolean
mr_cluster_start_group_member (MrCluster           *cluster,
                               const char          *group_id,
                               const char          *client_id,
                               const char * const  *topics,
                               char               **member_name,
                               GError             **error)
{
  MrGroupCoordinator *coordinator;
  g_autofree char *name = NULL;
  static gint counter = 0;

  g_return_val_if_fail (cluster != NULL, FALSE);

  if (group_id == NULL || group_id[0] == '\0')
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "A member needs a group id");
      return FALSE;
    }
  if (topics == NULL || topics[0] == NULL)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "A member needs at least one topic");
      return FALSE;
    }
  for (guint i = 0; topics[i] != NULL; i++)
    {
      g_autoptr(MrTopicInfo) info = NULL;
      g_autoptr(GError) local_error = NULL;

      info = mr_cluster_describe_topic (cluster, topics[i], &local_error);
      if (info == NULL)
        {
          g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_UNKNOWN_TOPIC,
                       "%s", local_error->message);
          return FALSE;
        }
    }
  coordinator = mr_cluster_get_group_coordinator (cluster);
  if (mr_group_coordinator_find (coordinator, group_id, NULL)
      == MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_UNAVAILABLE,
                   "Group “%s” has no coordinator now", group_id);
      return FALSE;
    }
  name = client_id != NULL && client_id[0] != '\0'
    ? g_strdup (client_id)
    : g_strdup_printf ("millrace-demo-%d", g_atomic_int_add (&counter, 1) + 1);
  mr_group_coordinator_add_local_member (
    coordinator, mr_group_member_new (cluster, group_id, name, topics));
  if (member_name != NULL)
    *member_name = g_steal_pointer (&name);
  return TRUE;
}

guint
mr_cluster_stop_group_members (MrCluster  *cluster,
                               const char *group_id)
{
  g_return_val_if_fail (cluster != NULL, 0);

  return mr_group_coordinator_stop_local_members (
    mr_cluster_get_group_coordinator (cluster), group_id);
}

gboolean
mr_cluster_stop_group_member (MrCluster  *cluster,
                              const char *group_id,
                              const char *client_id)
{
  g_return_val_if_fail (cluster != NULL, FALSE);
  g_return_val_if_fail (group_id != NULL, FALSE);
  g_return_val_if_fail (client_id != NULL, FALSE);

  return mr_group_coordinator_stop_local_member (
    mr_cluster_get_group_coordinator (cluster), group_id, client_id);
}
