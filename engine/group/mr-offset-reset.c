/* mr-offset-reset.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Resetting a group's committed offsets, as kafka-consumer-groups
 * --reset-offsets does, per topic and partition:
 *
 *   to-earliest   the log start
 *   to-latest     the high watermark
 *   to-offset N   N, clamped to [log start, high watermark]
 *   to-datetime T the first offset whose timestamp is at or after T (ms
 *                 since the epoch); the high watermark when there is none
 *   by-duration D as to-datetime with T = now - D
 *   shift-by N    the committed offset + N (the log start when none is
 *                 committed), clamped
 *
 * The new offsets are computed first, for every partition, so a preview
 * (dry run) shows exactly what applying would do; applying commits them
 * all at once as a simple commit (generation -1), which the coordinator
 * refuses while the group has members. Nothing changes on any error. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-groups.h"

#include <string.h>

#include "mr-groups-private.h"

static const char * const kind_names[] = {
  "to-earliest", "to-latest", "to-offset", "to-datetime", "by-duration",
  "shift-by",
};

const char *
mr_offset_reset_kind_to_string (MrOffsetResetKind kind)
{
  g_return_val_if_fail ((guint)kind < G_N_ELEMENTS (kind_names), NULL);

  return kind_names[kind];
}

gboolean
mr_offset_reset_kind_from_string (const char        *name,
                                  MrOffsetResetKind *kind)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (kind_names[i], name) == 0)
      {
        *kind = (MrOffsetResetKind)i;
        return TRUE;
      }
  return FALSE;
}

void
mr_offset_change_free (MrOffsetChange *change)
{
  if (change == NULL)
    return;
  g_free (change->topic);
  g_free (change);
}

static gboolean
new_offset_for (MrCluster          *cluster,
                const char         *topic,
                gint32              partition,
                gint64              committed,
                MrOffsetResetKind   kind,
                gint64              value,
                gint64             *out,
                GError            **error)
{
  gint64 start = -1;
  gint64 end = -1;
  gint64 found = -1;
  gint64 ts = -1;
  MrKafkaError code;

  code = mr_cluster_list_offset (cluster, -1, topic, partition, -2, &start, &ts);
  if (code == MR_KAFKA_ERROR_NONE)
    code = mr_cluster_list_offset (cluster, -1, topic, partition, -1, &end, &ts);
  if (code != MR_KAFKA_ERROR_NONE)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_FAILED,
                   "Cannot read the offsets of %s-%d: %s", topic, partition,
                   mr_kafka_error_to_string (code));
      return FALSE;
    }

  switch (kind)
    {
    case MR_OFFSET_RESET_TO_EARLIEST:
      *out = start;
      return TRUE;
    case MR_OFFSET_RESET_TO_LATEST:
      *out = end;
      return TRUE;
    case MR_OFFSET_RESET_TO_OFFSET:
      *out = CLAMP (value, start, end);
      return TRUE;
    case MR_OFFSET_RESET_SHIFT_BY:
      *out = CLAMP ((committed >= 0 ? committed : start) + value, start, end);
      return TRUE;
    case MR_OFFSET_RESET_TO_DATETIME:
    case MR_OFFSET_RESET_BY_DURATION:
      {
        gint64 when = kind == MR_OFFSET_RESET_TO_DATETIME
          ? value : g_get_real_time () / 1000 - value;

        code = mr_cluster_list_offset (cluster, -1, topic, partition,
                                       MAX (when, 0), &found, &ts);
        if (code != MR_KAFKA_ERROR_NONE)
          {
            g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_FAILED,
                         "Cannot look up a time in %s-%d: %s", topic,
                         partition, mr_kafka_error_to_string (code));
            return FALSE;
          }
        *out = found >= 0 ? found : end;
        return TRUE;
      }
    default:
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "Unknown reset");
      return FALSE;
    }
}

GPtrArray *
mr_cluster_reset_group_offsets (MrCluster          *cluster,
                                const char         *group_id,
                                const char         *topic,
                                GArray             *partitions,
                                MrOffsetResetKind   kind,
                                gint64              value,
                                gboolean            dry_run,
                                GError            **error)
{
  MrGroupCoordinator *coordinator;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(MrGroupMetadataRecord) record = { 0 };
  MrGroupState state = MR_GROUP_STATE_DEAD;
  MrKafkaError code;

  g_return_val_if_fail (cluster != NULL, NULL);
  g_return_val_if_fail (group_id != NULL, NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  if ((guint)kind > MR_OFFSET_RESET_SHIFT_BY)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "Unknown reset");
      return NULL;
    }
  if ((kind == MR_OFFSET_RESET_TO_OFFSET && value < 0) ||
      (kind == MR_OFFSET_RESET_BY_DURATION && value < 0) ||
      (kind == MR_OFFSET_RESET_TO_DATETIME && value < 0))
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "The %s value must not be negative",
                   mr_offset_reset_kind_to_string (kind));
      return NULL;
    }

  info = mr_cluster_describe_topic (cluster, topic, &local_error);
  if (info == NULL)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_UNKNOWN_TOPIC,
                   "%s", local_error->message);
      return NULL;
    }
  for (guint i = 0; partitions != NULL && i < partitions->len; i++)
    {
      gint32 p = g_array_index (partitions, gint32, i);

      if (p < 0 || (guint)p >= info->partitions->len)
        {
          g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                       "Topic “%s” has no partition %d", topic, p);
          return NULL;
        }
    }

  coordinator = mr_cluster_get_group_coordinator (cluster);
  code = mr_group_coordinator_describe (coordinator, -1, group_id, &state,
                                        &record);
  if (mr_group_set_error (error, code, group_id))
    return NULL;
  if (record.members != NULL && record.members->len > 0)
    {
      guint n_local = 0;

      for (guint i = 0; i < record.members->len; i++)
        {
          MrGroupMemberRecord *m = g_ptr_array_index (record.members, i);

          if (mr_group_coordinator_is_local_member (coordinator, m->member_id))
            n_local++;
        }
      if (n_local == record.members->len)
        g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_ACTIVE_MEMBERS,
                     "Group “%s” has %u active members, all in-process: stop "
                     "them before resetting its offsets", group_id, n_local);
      else
        g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_ACTIVE_MEMBERS,
                     "Group “%s” has %u active members (%u in-process): stop "
                     "its consumers before resetting its offsets", group_id,
                     record.members->len, n_local);
      return NULL;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_offset_entry_free);
  if (partitions != NULL && partitions->len > 0)
    for (guint i = 0; i < partitions->len; i++)
      g_ptr_array_add (entries, mr_group_offset_entry_new (
                                  topic, g_array_index (partitions, gint32, i), -1));
  else
    for (guint p = 0; p < info->partitions->len; p++)
      g_ptr_array_add (entries, mr_group_offset_entry_new (topic, (gint32)p, -1));
  code = mr_group_coordinator_fetch_offsets (coordinator, -1, group_id,
                                             entries, NULL);
  if (mr_group_set_error (error, code, group_id))
    return NULL;

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_offset_change_free);
  for (guint i = 0; i < entries->len; i++)
    {
      MrGroupOffsetEntry *e = g_ptr_array_index (entries, i);
      MrOffsetChange *change = g_new0 (MrOffsetChange, 1);

      change->topic = g_strdup (topic);
      change->partition = e->partition;
      change->old_offset = e->offset;
      g_ptr_array_add (changes, change);
      if (!new_offset_for (cluster, topic, e->partition, e->offset, kind,
                           value, &change->new_offset, error))
        return NULL;
      e->offset = change->new_offset;
      g_free (e->metadata);
      e->metadata = g_strdup ("");
      e->leader_epoch = -1;
    }
  if (dry_run)
    return g_steal_pointer (&changes);

  code = mr_group_coordinator_commit (coordinator, -1, group_id, -1, "", NULL,
                                      entries);
  if (code == MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_ACTIVE_MEMBERS,
                   "Group “%s” has active members: stop them before "
                   "resetting its offsets", group_id);
      return NULL;
    }
  if (mr_group_set_error (error, code, group_id))
    return NULL;
  return g_steal_pointer (&changes);
}
