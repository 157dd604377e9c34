/* mr-record-copy.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Copying a range of records from one topic into another: re-publishing
 * after a bug fix, or feeding a dead-letter queue back in.
 *
 * For each source partition, the range starts at the larger of
 * @from_offset and the first offset at or after @from_time, and ends
 * before the smaller of @to_offset, the first offset at or after
 * @to_time and the high watermark read when the copy starts (so records
 * produced meanwhile, or a copy into the source itself, never make it
 * run forever). Records keep their key, value, headers and timestamp;
 * they go to the same partition index modulo the target's partition
 * count, in order, rebuilt into uncompressed batches of up to 500
 * records or 1 MiB, each produced with acks=all before the next. A
 * cancellation is looked at before each read and each batch: a copy stops
 * on a batch boundary, never inside one. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-groups.h"

#include "mr-record-batch.h"
#include "mr-record-batch-builder.h"

#define MAX_BATCH_RECORDS 500
#define MAX_BATCH_BYTES (1 << 20)

typedef struct
{
  MrCluster            *cluster;
  const char           *target;
  gint32                target_partition;
  gint64                from;
  gint64                to;
  gint64                from_time;
  gint64                to_time;
  gint64                next;            /* the next offset to read */
  gint64                copied;
  gint64                copied_before;   /* by the earlier partitions */
  GCancellable         *cancellable;
  MrCopyProgressFunc    progress;
  gpointer              user_data;
  MrRecordBatchBuilder *builder;
  GError               *error;
} CopyState;

static gboolean
set_error_if_stopped (CopyState *state)
{
  if (!g_cancellable_is_cancelled (state->cancellable))
    return FALSE;
  g_clear_error (&state->error);
  g_set_error (&state->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
               "Stopped after copying %" G_GINT64_FORMAT " records into %s",
               state->copied_before + state->copied, state->target);
  return TRUE;
}

static gboolean
flush (CopyState *state)
{
  g_autoptr(GBytes) batch = NULL;
  g_auto(MrProduceResult) result = { 0 };
  guint n;
  gsize len = 0;
  guint8 *data;

  if (state->builder == NULL)
    return TRUE;
  n = mr_record_batch_builder_get_n_records (state->builder);
  if (n > 0)
    batch = mr_record_batch_builder_finish (state->builder, &state->error);
  g_clear_pointer (&state->builder, mr_record_batch_builder_free);
  if (n == 0)
    return TRUE;
  if (batch == NULL || set_error_if_stopped (state))
    return FALSE;
  data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);
  mr_cluster_produce (state->cluster, -1, state->target,
                      state->target_partition, data, len, -1, 30000, &result);
  if (result.error != MR_KAFKA_ERROR_NONE)
    {
      g_set_error (&state->error, MR_GROUP_ERROR, MR_GROUP_ERROR_FAILED,
                   "Writing to %s-%d failed after %" G_GINT64_FORMAT
                   " records: %s", state->target, state->target_partition,
                   state->copied, result.error_message != NULL
                   ? result.error_message
                   : mr_kafka_error_to_string (result.error));
      return FALSE;
    }
  state->copied += n;
  if (state->progress != NULL)
    state->progress (state->copied_before + state->copied, state->user_data);
  return TRUE;
}

static gboolean
copy_record_cb (const MrRecordBatchHeader *batch,
                const MrRecord            *record,
                gpointer                   user_data)
{
  CopyState *state = user_data;

  if (record->offset < state->next || record->offset >= state->to)
    return TRUE;
  state->next = record->offset + 1;
  if (state->from_time >= 0 && record->timestamp < state->from_time)
    return TRUE;
  if (state->to_time >= 0 && record->timestamp >= state->to_time)
    return TRUE;
  if (state->builder == NULL)
    state->builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
  /* New offsets in the target: consecutive deltas, the rest kept. */
  mr_record_batch_builder_add (state->builder, record->timestamp,
                               record->key, record->key_len,
                               record->value, record->value_len,
                               record->headers, record->n_headers);
  if (mr_record_batch_builder_get_n_records (state->builder) >= MAX_BATCH_RECORDS ||
      mr_record_batch_builder_get_size (state->builder) >= MAX_BATCH_BYTES)
    return flush (state);
  return TRUE;
}

static gboolean
copy_partition (CopyState   *state,
                const char  *source,
                gint32       partition,
                GError     **error)
{
  gint64 start = -1, end = -1, ts = -1, t = -1;
  MrKafkaError code;

  code = mr_cluster_list_offset (state->cluster, -1, source, partition, -2,
                                 &start, &ts);
  if (code == MR_KAFKA_ERROR_NONE)
    code = mr_cluster_list_offset (state->cluster, -1, source, partition, -1,
                                   &end, &ts);
  if (code == MR_KAFKA_ERROR_NONE && state->from_time >= 0)
    {
      code = mr_cluster_list_offset (state->cluster, -1, source, partition,
                                     state->from_time, &t, &ts);
      start = MAX (start, t >= 0 ? t : end);
    }
  if (code == MR_KAFKA_ERROR_NONE && state->to_time >= 0)
    {
      code = mr_cluster_list_offset (state->cluster, -1, source, partition,
                                     state->to_time, &t, &ts);
      if (t >= 0)
        end = MIN (end, t);
    }
  if (code != MR_KAFKA_ERROR_NONE)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_FAILED,
                   "Cannot read the offsets of %s-%d: %s", source, partition,
                   mr_kafka_error_to_string (code));
      return FALSE;
    }
  state->next = MAX (start, state->from);
  state->to = state->to >= 0 ? MIN (state->to, end) : end;

  while (state->next < state->to)
    {
      g_auto(MrFetchResult) result = { 0 };
      MrBatchCursor cursor;
      MrRecordBatchHeader header;
      const guint8 *batch;
      gsize size;
      gint64 before = state->next;

      if (set_error_if_stopped (state))
        {
          g_propagate_error (error, g_steal_pointer (&state->error));
          return FALSE;
        }
      mr_cluster_fetch (state->cluster, -1, source, partition, state->next,
                        MAX_BATCH_BYTES, 0, -1, &result);
      if (result.error != MR_KAFKA_ERROR_NONE)
        {
          g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_FAILED,
                       "Reading %s-%d at %" G_GINT64_FORMAT " failed: %s",
                       source, partition, state->next,
                       mr_kafka_error_to_string (result.error));
          return FALSE;
        }
      if (result.records == NULL)
        break;
      mr_batch_cursor_init (&cursor, result.records);
      while (mr_batch_cursor_next (&cursor, &header, &batch, &size))
        {
          gint64 last = mr_record_batch_header_get_last_offset (&header);

          if (last >= state->next &&
              !mr_record_batch_foreach_record (batch, size, copy_record_cb,
                                               state, &state->error))
            break;
          if (state->error != NULL)
            break;
          /* Compaction may leave gaps: go past the whole batch. */
          state->next = MAX (state->next, last + 1);
        }
      if (state->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&state->error));
          return FALSE;
        }
      if (state->next <= before)
        break;
    }
  if (!flush (state))
    {
      g_propagate_error (error, g_steal_pointer (&state->error));
      return FALSE;
    }
  return TRUE;
}

gint64
mr_cluster_copy_records (MrCluster          *cluster,
                         const char         *source,
                         const char         *target,
                         gint64              from_offset,
                         gint64              to_offset,
                         gint64              from_time,
                         gint64              to_time,
                         GCancellable       *cancellable,
                         MrCopyProgressFunc  progress,
                         gpointer            user_data,
                         GError            **error)
{
  g_autoptr(MrTopicInfo) source_info = NULL;
  g_autoptr(MrTopicInfo) target_info = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 copied = 0;

  g_return_val_if_fail (cluster != NULL, -1);
  g_return_val_if_fail (source != NULL && target != NULL, -1);

  if ((to_offset >= 0 && from_offset > to_offset) ||
      (to_time >= 0 && from_time > to_time))
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "The range ends before it starts");
      return -1;
    }
  source_info = mr_cluster_describe_topic (cluster, source, &local_error);
  if (source_info == NULL)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_UNKNOWN_TOPIC, "%s",
                   local_error->message);
      return -1;
    }
  target_info = mr_cluster_describe_topic (cluster, target, &local_error);
  if (target_info == NULL)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_UNKNOWN_TOPIC, "%s",
                   local_error->message);
      return -1;
    }
  if (target_info->internal)
    {
      g_set_error (error, MR_GROUP_ERROR, MR_GROUP_ERROR_INVALID_ARGUMENT,
                   "“%s” is an internal topic", target);
      return -1;
    }

  for (guint p = 0; p < source_info->partitions->len; p++)
    {
      CopyState state = { 0 };

      state.cluster = cluster;
      state.target = target;
      state.target_partition = (gint32)(p % target_info->partitions->len);
      state.from = MAX (from_offset, 0);
      state.to = to_offset;
      state.from_time = from_time;
      state.to_time = to_time;
      state.copied_before = copied;
      state.cancellable = cancellable;
      state.progress = progress;
      state.user_data = user_data;
      if (!copy_partition (&state, source, (gint32)p, error))
        {
          g_clear_pointer (&state.builder, mr_record_batch_builder_free);
          return -1;
        }
      copied += state.copied;
    }
  return copied;
}
