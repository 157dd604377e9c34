/* mr-demo-workload.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-demo-workload"

#include "config.h"

#include "mr-demo-workload.h"

#include <string.h>

#include "mr-cluster-error.h"
#include "mr-record-batch-builder.h"

/* How it works.
 *
 * The producer thread wakes every TICK_US and earns rate × elapsed records
 * of credit (never more than a tenth of a second's worth, so that a pause
 * does not end in a burst). It spends the credit in batches of at most
 * MAX_BATCH_RECORDS, partitions in turn, each sent with acks=all; an answer
 * counts its batch's records as acknowledged or failed and leaves one
 * latency sample. While more than two seconds' worth of records are in
 * flight it sends nothing, as a real producer's bounded buffer would.
 *
 * The reader thread starts at each partition's high watermark and fetches
 * what follows, partitions in turn, counting records from the batch
 * headers. A failed fetch (no leader during an election) is counted and
 * retried after a short wait.
 *
 * Produce answers come on broker threads, possibly after stop() and even
 * after free(): they hold a reference on the Counters, never on the
 * workload or the cluster. */

#define TICK_US             (10 * G_TIME_SPAN_MILLISECOND)
#define MAX_BATCH_RECORDS   1000
#define VALUE_SIZE          96
#define PRODUCE_TIMEOUT_MS  5000
#define FETCH_WAIT_MS       50
#define FETCH_MAX_BYTES     (1024 * 1024)
#define RETRY_WAIT_US       (50 * G_TIME_SPAN_MILLISECOND)
#define MAX_SAMPLES         8192

typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  /* Under lock. */
  guint64          n_sent;
  guint64          n_acknowledged;
  guint64          n_failed;
  guint64          n_read;
  guint64          n_read_errors;
  GArray          *samples;        /* MrDemoLatencySample */
} Counters;

typedef struct
{
  Counters *counters;
  guint     n_records;
  gint64    sent_us;
} ProduceOp;

struct _MrDemoWorkload
{
  MrCluster *cluster;
  char      *topic;
  Counters  *counters;

  GMutex     lock;
  GCond      cond;
  /* Under lock. */
  guint      rate;
  gboolean   running;
  GThread   *producer;
  GThread   *reader;
  gint32     n_partitions;
};

/* Counters. */

static Counters *
counters_new (void)
{
  Counters *counters = g_new0 (Counters, 1);

  g_atomic_ref_count_init (&counters->ref_count);
  g_mutex_init (&counters->lock);
  counters->samples = g_array_new (FALSE, FALSE, sizeof (MrDemoLatencySample));

  return counters;
}

static Counters *
counters_ref (Counters *counters)
{
  g_atomic_ref_count_inc (&counters->ref_count);
  return counters;
}

static void
counters_unref (Counters *counters)
{
  if (!g_atomic_ref_count_dec (&counters->ref_count))
    return;

  g_mutex_clear (&counters->lock);
  g_array_unref (counters->samples);
  g_free (counters);
}

/* @locality: a broker thread, or any thread for errors found at once. */
static void
produce_done_cb (const MrProduceResult *result,
                 gpointer               user_data)
{
  ProduceOp *op = user_data;
  Counters *counters = op->counters;
  MrDemoLatencySample sample;
  gint64 now = g_get_monotonic_time ();

  sample.time_us = now;
  sample.latency_us = (guint32) MIN (now - op->sent_us, G_MAXUINT32);
  sample.ok = result->error == MR_KAFKA_ERROR_NONE;

  g_mutex_lock (&counters->lock);
  if (sample.ok)
    counters->n_acknowledged += op->n_records;
  else
    counters->n_failed += op->n_records;
  if (counters->samples->len >= MAX_SAMPLES)
    g_array_remove_range (counters->samples, 0, MAX_SAMPLES / 2);
  g_array_append_val (counters->samples, sample);
  g_mutex_unlock (&counters->lock);

  counters_unref (counters);
  g_free (op);
}

/* The producer. */

static guint8 *
build_batch (MrRecordBatchBuilder *builder,
             guint64               first_seq,
             guint                 n_records,
             gsize                *len)
{
  g_autoptr(GBytes) bytes = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  guint8 value[VALUE_SIZE];

  memset (value, '.', sizeof value);

  for (guint i = 0; i < n_records; i++)
    {
      char key[32];
      int key_len;

      key_len = g_snprintf (key, sizeof key, "demo-%" G_GUINT64_FORMAT,
                            first_seq + i);
      /* The value says which record it is, then pads. */
      memcpy (value, key, MIN ((gsize) key_len, sizeof value));
      mr_record_batch_builder_add (builder, now_ms,
                                   (const guint8 *) key, key_len,
                                   value, sizeof value, NULL, 0);
    }

  bytes = mr_record_batch_builder_finish (builder, NULL);
  g_assert (bytes != NULL);

  return g_bytes_unref_to_data (g_steal_pointer (&bytes), len);
}

/* @locality: the workload's producer thread. */
static gpointer
producer_thread (gpointer data)
{
  MrDemoWorkload *self = data;
  gint64 last = g_get_monotonic_time ();
  double credit = 0;
  guint64 seq = 0;
  gint32 next_partition = 0;

  g_mutex_lock (&self->lock);
  while (self->running)
    {
      gint64 now;
      guint rate = self->rate;
      gint32 n_partitions = MAX (self->n_partitions, 1);
      guint64 in_flight;
      guint n;

      g_cond_wait_until (&self->cond, &self->lock,
                         g_get_monotonic_time () + TICK_US);
      if (!self->running)
        break;
      g_mutex_unlock (&self->lock);

      now = g_get_monotonic_time ();
      credit = MIN (credit + (double) (now - last) * rate / G_USEC_PER_SEC,
                    MAX (rate / 10.0, 1.0));
      last = now;

      g_mutex_lock (&self->counters->lock);
      in_flight = self->counters->n_sent
                  - self->counters->n_acknowledged
                  - self->counters->n_failed;
      g_mutex_unlock (&self->counters->lock);

      n = (guint) credit;
      if (in_flight > MAX ((guint64) rate * 2, 1000))
        n = 0;
      credit -= n;

      /* One batch per partition per tick at most, unless the rate needs
       * more: then batches of MAX_BATCH_RECORDS. */
      while (n > 0)
        {
          guint per = MIN (MAX ((n + n_partitions - 1) / n_partitions, 1),
                           MAX_BATCH_RECORDS);
          g_autoptr(MrRecordBatchBuilder) builder = NULL;
          ProduceOp *op;
          guint8 *batch;
          gsize len = 0;

          per = MIN (per, n);
          builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
          batch = build_batch (builder, seq, per, &len);
          seq += per;
          n -= per;

          op = g_new0 (ProduceOp, 1);
          op->counters = counters_ref (self->counters);
          op->n_records = per;
          op->sent_us = g_get_monotonic_time ();

          g_mutex_lock (&self->counters->lock);
          self->counters->n_sent += per;
          g_mutex_unlock (&self->counters->lock);

          mr_cluster_produce_async (self->cluster, -1, self->topic,
                                    next_partition, batch, len, -1,
                                    PRODUCE_TIMEOUT_MS, produce_done_cb, op);
          next_partition = (next_partition + 1) % n_partitions;
        }

      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

/* The reader. */

static guint64
count_records (GBytes *records,
               gint64 *next_offset)
{
  const guint8 *data;
  gsize len = 0;
  gsize pos = 0;
  guint64 n = 0;

  if (records == NULL)
    return 0;

  data = g_bytes_get_data (records, &len);
  while (pos < len)
    {
      MrRecordBatchHeader header;

      if (!mr_record_batch_header_parse (data + pos, len - pos, &header, NULL) ||
          mr_record_batch_header_get_size (&header) > len - pos)
        break;                      /* a partial batch at the end */

      if ((header.attributes & MR_RECORD_BATCH_CONTROL) == 0)
        n += (guint64) header.record_count;
      *next_offset = mr_record_batch_header_get_last_offset (&header) + 1;
      pos += mr_record_batch_header_get_size (&header);
    }

  return n;
}

static gboolean
reader_running (MrDemoWorkload *self)
{
  gboolean running;

  g_mutex_lock (&self->lock);
  running = self->running;
  g_mutex_unlock (&self->lock);

  return running;
}

static void
reader_wait (MrDemoWorkload *self)
{
  g_mutex_lock (&self->lock);
  if (self->running)
    g_cond_wait_until (&self->cond, &self->lock,
                       g_get_monotonic_time () + RETRY_WAIT_US);
  g_mutex_unlock (&self->lock);
}

/* @locality: the workload's reader thread. */
static gpointer
reader_thread (gpointer data)
{
  MrDemoWorkload *self = data;
  g_autofree gint64 *offsets = NULL;
  gint32 n_partitions;

  g_mutex_lock (&self->lock);
  n_partitions = MAX (self->n_partitions, 1);
  g_mutex_unlock (&self->lock);

  offsets = g_new (gint64, n_partitions);
  for (gint32 p = 0; p < n_partitions; p++)
    offsets[p] = -1;

  while (reader_running (self))
    {
      gboolean failed = FALSE;

      for (gint32 p = 0; p < n_partitions && reader_running (self); p++)
        {
          g_auto(MrFetchResult) result = { 0, };
          guint64 n;

          if (offsets[p] < 0 &&
              mr_cluster_list_offset (self->cluster, -1, self->topic, p, -1,
                                      &offsets[p], NULL) != MR_KAFKA_ERROR_NONE)
            {
              offsets[p] = -1;
              failed = TRUE;
              continue;
            }

          mr_cluster_fetch (self->cluster, -1, self->topic, p, offsets[p],
                            FETCH_MAX_BYTES, FETCH_WAIT_MS / n_partitions + 1,
                            -1, &result);
          if (result.error == MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE)
            {
              offsets[p] = -1;
              continue;
            }
          if (result.error != MR_KAFKA_ERROR_NONE)
            {
              g_mutex_lock (&self->counters->lock);
              self->counters->n_read_errors++;
              g_mutex_unlock (&self->counters->lock);
              failed = TRUE;
              continue;
            }

          n = count_records (result.records, &offsets[p]);
          if (n > 0)
            {
              g_mutex_lock (&self->counters->lock);
              self->counters->n_read += n;
              g_mutex_unlock (&self->counters->lock);
            }
        }

      if (failed)
        reader_wait (self);
    }

  return NULL;
}

/* Public API. */

/**
 * mr_demo_workload_new:
 * @cluster: the cluster to write to
 * @topic: the topic to write to and read from
 * @rate: records per second, 1 to MR_DEMO_WORKLOAD_MAX_RATE
 *
 * Returns: (transfer full): a stopped workload
 */
MrDemoWorkload *
mr_demo_workload_new (MrCluster  *cluster,
                      const char *topic,
                      guint       rate)
{
  MrDemoWorkload *self;

  g_return_val_if_fail (cluster != NULL, NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  self = g_new0 (MrDemoWorkload, 1);
  self->cluster = mr_cluster_ref (cluster);
  self->topic = g_strdup (topic);
  self->counters = counters_new ();
  self->rate = CLAMP (rate, 1, MR_DEMO_WORKLOAD_MAX_RATE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  return self;
}

void
mr_demo_workload_free (MrDemoWorkload *self)
{
  if (self == NULL)
    return;

  mr_demo_workload_stop (self);

  counters_unref (self->counters);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->topic);
  mr_cluster_unref (self->cluster);
  g_free (self);
}

const char *
mr_demo_workload_get_topic (MrDemoWorkload *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->topic;
}

void
mr_demo_workload_set_rate (MrDemoWorkload *self,
                           guint           rate)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->rate = CLAMP (rate, 1, MR_DEMO_WORKLOAD_MAX_RATE);
  g_mutex_unlock (&self->lock);
}

guint
mr_demo_workload_get_rate (MrDemoWorkload *self)
{
  guint rate;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  rate = self->rate;
  g_mutex_unlock (&self->lock);

  return rate;
}

gboolean
mr_demo_workload_start (MrDemoWorkload  *self,
                        GError         **error)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mr_demo_workload_is_running (self))
    return TRUE;

  info = mr_cluster_describe_topic (self->cluster, self->topic, NULL);
  if (info == NULL)
    {
      if (!mr_cluster_create_topic (self->cluster, self->topic, 3, -1, NULL,
                                    FALSE, &local_error) &&
          !g_error_matches (local_error, MR_CLUSTER_ERROR,
                            MR_CLUSTER_ERROR_TOPIC_EXISTS))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Cannot create the demo topic %s: ",
                                      self->topic);
          return FALSE;
        }
      info = mr_cluster_describe_topic (self->cluster, self->topic, error);
      if (info == NULL)
        return FALSE;
    }

  g_mutex_lock (&self->lock);
  if (!self->running)
    {
      self->running = TRUE;
      self->n_partitions = (gint32) info->partitions->len;
      self->producer = g_thread_new ("mr-demo-producer", producer_thread, self);
      self->reader = g_thread_new ("mr-demo-reader", reader_thread, self);
    }
  g_mutex_unlock (&self->lock);

  g_debug ("Demo workload on %s: %u records/s", self->topic, self->rate);

  return TRUE;
}

void
mr_demo_workload_stop (MrDemoWorkload *self)
{
  GThread *producer;
  GThread *reader;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  producer = g_steal_pointer (&self->producer);
  reader = g_steal_pointer (&self->reader);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (producer != NULL)
    g_thread_join (producer);
  if (reader != NULL)
    g_thread_join (reader);
}

gboolean
mr_demo_workload_is_running (MrDemoWorkload *self)
{
  gboolean running;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  running = self->running;
  g_mutex_unlock (&self->lock);

  return running;
}

void
mr_demo_workload_get_stats (MrDemoWorkload      *self,
                            MrDemoWorkloadStats *stats)
{
  Counters *counters;

  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  counters = self->counters;

  g_mutex_lock (&counters->lock);
  stats->n_sent = counters->n_sent;
  stats->n_acknowledged = counters->n_acknowledged;
  stats->n_failed = counters->n_failed;
  stats->n_in_flight = counters->n_sent - counters->n_acknowledged - counters->n_failed;
  stats->n_read = counters->n_read;
  stats->n_read_errors = counters->n_read_errors;
  g_mutex_unlock (&counters->lock);

  g_mutex_lock (&self->lock);
  stats->rate = self->rate;
  stats->running = self->running;
  g_mutex_unlock (&self->lock);
}

GArray *
mr_demo_workload_take_latencies (MrDemoWorkload *self)
{
  GArray *samples;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->counters->lock);
  samples = self->counters->samples;
  self->counters->samples = g_array_new (FALSE, FALSE, sizeof (MrDemoLatencySample));
  g_mutex_unlock (&self->counters->lock);

  return samples;
}
