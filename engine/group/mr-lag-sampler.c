/* mr-lag-sampler.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Lag samples. Lag per partition is the high watermark minus the
 * committed offset (with no commit: the whole readable log, from the log
 * start); time lag is the age, now minus the record timestamp, of the
 * first record at or after the committed offset, 0 when caught up. A
 * group's sample sums the lag and keeps the largest time lag over its
 * committed partitions. Each group keeps the last
 * MR_LAG_SAMPLER_CAPACITY samples in a ring (ten minutes at one a
 * second), so a plot of the last minutes is always at hand.
 *
 * @locks lock protects rings. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-lag-sampler.h"

#include "mr-groups.h"
#include "mr-record-batch.h"

typedef struct
{
  MrLagSample samples[MR_LAG_SAMPLER_CAPACITY];
  guint       head;               /* next slot to write */
  guint       count;
} Ring;

struct _MrLagSampler
{
  GMutex      lock;
  GHashTable *rings;              /* group id → Ring */
};

MrLagSampler *
mr_lag_sampler_new (void)
{
  MrLagSampler *sampler = g_new0 (MrLagSampler, 1);

  g_mutex_init (&sampler->lock);
  sampler->rings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          g_free);
  return sampler;
}

void
mr_lag_sampler_free (MrLagSampler *sampler)
{
  if (sampler == NULL)
    return;
  g_hash_table_unref (sampler->rings);
  g_mutex_clear (&sampler->lock);
  g_free (sampler);
}

void
mr_lag_sampler_add (MrLagSampler *sampler,
                    const char   *group_id,
                    gint64        time_ms,
                    gint64        lag,
                    gint64        time_lag_ms)
{
  Ring *ring;

  g_mutex_lock (&sampler->lock);
  ring = g_hash_table_lookup (sampler->rings, group_id);
  if (ring == NULL)
    {
      ring = g_new0 (Ring, 1);
      g_hash_table_insert (sampler->rings, g_strdup (group_id), ring);
    }
  ring->samples[ring->head].time_ms = time_ms;
  ring->samples[ring->head].lag = lag;
  ring->samples[ring->head].time_lag_ms = time_lag_ms;
  ring->head = (ring->head + 1) % MR_LAG_SAMPLER_CAPACITY;
  ring->count = MIN (ring->count + 1, MR_LAG_SAMPLER_CAPACITY);
  g_mutex_unlock (&sampler->lock);
}

void
mr_lag_sampler_retain (MrLagSampler *sampler,
                       GPtrArray    *group_ids)
{
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&sampler->lock);
  g_hash_table_iter_init (&iter, sampler->rings);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gboolean keep = FALSE;

      for (guint i = 0; i < group_ids->len && !keep; i++)
        keep = g_str_equal (g_ptr_array_index (group_ids, i), key);
      if (!keep)
        g_hash_table_iter_remove (&iter);
    }
  g_mutex_unlock (&sampler->lock);
}

GArray *
mr_lag_sampler_dup_samples (MrLagSampler *sampler,
                            const char   *group_id)
{
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (MrLagSample));
  Ring *ring;

  g_mutex_lock (&sampler->lock);
  ring = g_hash_table_lookup (sampler->rings, group_id);
  for (guint i = 0; ring != NULL && i < ring->count; i++)
    {
      guint index = (ring->head + MR_LAG_SAMPLER_CAPACITY - ring->count + i)
                    % MR_LAG_SAMPLER_CAPACITY;

      g_array_append_val (samples, ring->samples[index]);
    }
  g_mutex_unlock (&sampler->lock);
  return samples;
}

typedef struct
{
  gint64 offset;
  gint64 timestamp;
} FirstRecord;

static gboolean
first_record_cb (const MrRecordBatchHeader *batch,
                 const MrRecord            *record,
                 gpointer                   user_data)
{
  FirstRecord *first = user_data;

  if (record->offset < first->offset)
    return TRUE;
  first->timestamp = record->timestamp;
  return FALSE;
}

void
mr_lag_measure_partition (MrCluster  *cluster,
                          const char *topic,
                          gint32      partition,
                          gint64      committed,
                          gint64     *log_start_offset,
                          gint64     *high_watermark,
                          gint64     *lag,
                          gint64     *time_lag_ms)
{
  g_auto(MrFetchResult) result = { 0 };
  FirstRecord first = { 0, -1 };
  gint64 start = -1;
  gint64 end = -1;
  gint64 ts = -1;
  gint64 from;
  MrBatchCursor cursor;
  MrRecordBatchHeader header;
  const guint8 *batch;
  gsize size;

  *log_start_offset = -1;
  *high_watermark = -1;
  *lag = -1;
  *time_lag_ms = -1;
  if (mr_cluster_list_offset (cluster, -1, topic, partition, -2, &start,
                              &ts) != MR_KAFKA_ERROR_NONE ||
      mr_cluster_list_offset (cluster, -1, topic, partition, -1, &end,
                              &ts) != MR_KAFKA_ERROR_NONE)
    return;
  *log_start_offset = start;
  *high_watermark = end;
  from = committed >= 0 ? MAX (committed, start) : start;
  *lag = MAX (end - from, 0);
  if (*lag == 0)
    {
      *time_lag_ms = 0;
      return;
    }

  mr_cluster_fetch (cluster, -1, topic, partition, from, 64 * 1024, 0, -1,
                    &result);
  if (result.error != MR_KAFKA_ERROR_NONE || result.records == NULL)
    return;
  first.offset = from;
  mr_batch_cursor_init (&cursor, result.records);
  while (first.timestamp < 0
         && mr_batch_cursor_next (&cursor, &header, &batch, &size))
    if (mr_record_batch_header_get_last_offset (&header) >= from)
      mr_record_batch_foreach_record (batch, size, first_record_cb, &first,
                                      NULL);
  if (first.timestamp >= 0)
    *time_lag_ms = MAX (g_get_real_time () / 1000 - first.timestamp, 0);
}
