/* bench-cluster.c: the in-process cluster under acks=all, beside bare log
 * appends of the same bytes in the same run.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * 3 brokers, replication factor 3, acks=all, min.insync.replicas=2, six
 * partitions, 100-byte records in 16 KiB batches. Throughput: producers
 * keep up to MAX_IN_FLIGHT batches in flight per partition, as a client
 * pipelines. Commit latency: one 10-record batch every millisecond
 * (10,000 records/s), spread over the partitions, timed from the call to
 * the acknowledgement. The peer: the same batches appended to six bare
 * partition logs, no replication. Five runs each, alternating; medians with
 * min and max.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mr-test-util.h"

#define N_RUNS          5
#define N_PARTITIONS    6
#define MAX_IN_FLIGHT   8
#define RECORD_BYTES    100
#define BATCH_BYTES     (16 * 1024)

typedef struct
{
  guint8 *bytes;
  gsize   len;
  guint   n_records;
} Batch;

static Batch template_batch;

static void
make_template (void)
{
  guint records = 100;

  for (;; records++)
    {
      g_autoptr(GBytes) probe = mr_test_build_batch (records + 1, RECORD_BYTES,
                                                     1000000, 0,
                                                     MR_COMPRESSION_NONE);
      if (g_bytes_get_size (probe) > BATCH_BYTES)
        break;
    }
  template_batch.bytes = g_bytes_unref_to_data (
    mr_test_build_batch (records, RECORD_BYTES, 1000000,
                         g_get_real_time () / 1000, MR_COMPRESSION_NONE),
    &template_batch.len);
  template_batch.n_records = records;
}

static MrCluster *
start_cluster (const char *dir)
{
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  MrClusterOptions options;
  MrCluster *cluster;

  mr_cluster_options_init (&options);
  g_free (options.data_dir);
  options.data_dir = g_strdup (dir);
  options.n_brokers = 3;
  cluster = mr_cluster_new (&options, &error);
  g_assert_no_error (error);
  mr_cluster_options_clear (&options);
  mr_cluster_start (cluster, &error);
  g_assert_no_error (error);

  g_hash_table_insert (configs, (gpointer)"min.insync.replicas",
                       (gpointer)"2");
  mr_cluster_create_topic (cluster, "bench", N_PARTITIONS, 3, configs, FALSE,
                           &error);
  g_assert_no_error (error);
  return cluster;
}

typedef struct
{
  GMutex   lock;
  GCond    cond;
  guint    in_flight[N_PARTITIONS];
  guint64  acked_records;
  guint64  failures;
} Throughput;

typedef struct
{
  Throughput *state;
  gint32      partition;
  guint       n_records;
} ThroughputOp;

static void
throughput_done_cb (const MrProduceResult *result,
                    gpointer               user_data)
{
  ThroughputOp *op = user_data;
  Throughput *state = op->state;

  g_mutex_lock (&state->lock);
  state->in_flight[op->partition]--;
  if (result->error == MR_KAFKA_ERROR_NONE)
    state->acked_records += op->n_records;
  else
    state->failures++;
  g_cond_broadcast (&state->cond);
  g_mutex_unlock (&state->lock);
  g_free (op);
}

/* Records per second acknowledged with acks=all. */
static double
run_cluster_throughput (MrCluster *cluster,
                        guint      n_batches)
{
  Throughput state = { 0, };
  gint64 start;
  double elapsed;

  g_mutex_init (&state.lock);
  g_cond_init (&state.cond);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_batches; i++)
    {
      gint32 partition = (gint32)(i % N_PARTITIONS);
      ThroughputOp *op = g_new0 (ThroughputOp, 1);

      g_mutex_lock (&state.lock);
      while (state.in_flight[partition] >= MAX_IN_FLIGHT)
        g_cond_wait (&state.cond, &state.lock);
      state.in_flight[partition]++;
      g_mutex_unlock (&state.lock);

      op->state = &state;
      op->partition = partition;
      op->n_records = template_batch.n_records;
      mr_cluster_produce_async (cluster, -1, "bench", partition,
                                g_memdup2 (template_batch.bytes,
                                           template_batch.len),
                                template_batch.len, -1, 30000,
                                throughput_done_cb, op);
    }

  g_mutex_lock (&state.lock);
  for (guint p = 0; p < N_PARTITIONS; p++)
    while (state.in_flight[p] > 0)
      g_cond_wait (&state.cond, &state.lock);
  g_mutex_unlock (&state.lock);
  elapsed = (g_get_monotonic_time () - start) / 1e6;

  g_assert_cmpuint (state.failures, ==, 0);
  g_mutex_clear (&state.lock);
  g_cond_clear (&state.cond);
  return state.acked_records / elapsed;
}

/* The peer: the same batches appended to six bare logs. */
static double
run_bare_appends (const char *dir,
                  guint       n_batches)
{
  MrPartitionLog *logs[N_PARTITIONS];
  g_autofree guint8 *copy = g_memdup2 (template_batch.bytes,
                                       template_batch.len);
  gint64 start;
  double elapsed;

  for (guint p = 0; p < N_PARTITIONS; p++)
    {
      g_autofree char *name = g_strdup_printf ("bare-%u", p);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      logs[p] = mr_test_open_log (path, NULL, NULL);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_batches; i++)
    {
      g_autoptr(GError) error = NULL;

      /* The cluster copies each request too (the network buffer). */
      memcpy (copy, template_batch.bytes, template_batch.len);
      if (!mr_partition_log_append (logs[i % N_PARTITIONS], copy,
                                    template_batch.len, 0,
                                    MR_APPEND_FLAGS_ASSIGN_OFFSETS, NULL,
                                    &error))
        g_error ("append: %s", error->message);
    }
  elapsed = (g_get_monotonic_time () - start) / 1e6;

  for (guint p = 0; p < N_PARTITIONS; p++)
    mr_partition_log_unref (logs[p]);

  return (double)n_batches * template_batch.n_records / elapsed;
}

typedef struct
{
  GMutex   lock;
  GCond    cond;
  guint    pending;
  GArray  *latencies;      /* double, µs */
} Latency;

typedef struct
{
  Latency *state;
  gint64   sent;
} LatencyOp;

static void
latency_done_cb (const MrProduceResult *result,
                 gpointer               user_data)
{
  LatencyOp *op = user_data;
  double micros = (double)(g_get_monotonic_time () - op->sent);

  g_assert_cmpint (result->error, ==, MR_KAFKA_ERROR_NONE);
  g_mutex_lock (&op->state->lock);
  g_array_append_val (op->state->latencies, micros);
  op->state->pending--;
  g_cond_broadcast (&op->state->cond);
  g_mutex_unlock (&op->state->lock);
  g_free (op);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* p50 and p99 commit latency at 10,000 records/s. */
static void
run_latency (MrCluster *cluster,
             guint      seconds,
             double    *p50,
             double    *p99)
{
  g_autofree guint8 *small = NULL;
  gsize small_len = 0;
  Latency state = { 0, };
  gint64 start = g_get_monotonic_time ();
  guint n = seconds * 1000;

  small = g_bytes_unref_to_data (mr_test_build_batch (10, RECORD_BYTES, 0,
                                                      g_get_real_time () / 1000,
                                                      MR_COMPRESSION_NONE),
                                 &small_len);
  g_mutex_init (&state.lock);
  g_cond_init (&state.cond);
  state.latencies = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < n; i++)
    {
      gint64 due = start + (gint64)i * 1000;
      LatencyOp *op = g_new0 (LatencyOp, 1);
      gint64 now = g_get_monotonic_time ();

      if (due > now)
        g_usleep (due - now);

      op->state = &state;
      op->sent = g_get_monotonic_time ();
      g_mutex_lock (&state.lock);
      state.pending++;
      g_mutex_unlock (&state.lock);
      mr_cluster_produce_async (cluster, -1, "bench",
                                (gint32)(i % N_PARTITIONS),
                                g_memdup2 (small, small_len), small_len, -1,
                                30000, latency_done_cb, op);
    }

  g_mutex_lock (&state.lock);
  while (state.pending > 0)
    g_cond_wait (&state.cond, &state.lock);
  g_mutex_unlock (&state.lock);

  g_array_sort (state.latencies, compare_doubles);
  *p50 = g_array_index (state.latencies, double, state.latencies->len / 2);
  *p99 = g_array_index (state.latencies, double,
                        state.latencies->len * 99 / 100);

  g_array_unref (state.latencies);
  g_mutex_clear (&state.lock);
  g_cond_clear (&state.cond);
}

static void
summarize (const char *label,
           double     *values,
           const char *unit,
           double      scale)
{
  double sorted[N_RUNS];

  memcpy (sorted, values, sizeof sorted);
  qsort (sorted, N_RUNS, sizeof (double), compare_doubles);
  printf ("  %-34s %10.3f %s  [min %.3f, max %.3f]\n", label,
          sorted[N_RUNS / 2] * scale, unit, sorted[0] * scale,
          sorted[N_RUNS - 1] * scale);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *tmpl = g_build_filename (cwd, "bench-cluster-XXXXXX",
                                            NULL);
  g_autofree char *root = g_mkdtemp (g_steal_pointer (&tmpl));
  const char *env_batches = g_getenv ("MILLRACE_BENCH_BATCHES");
  guint n_batches = env_batches != NULL ? atoi (env_batches) : 12000;
  double cluster_rate[N_RUNS], bare_rate[N_RUNS], ratio[N_RUNS];
  double p50[N_RUNS], p99[N_RUNS];

  make_template ();
  printf ("# cluster: 3 brokers, RF 3, acks=all, min.insync.replicas=2, "
          "%d partitions, %u batches of %" G_GSIZE_FORMAT " bytes (%u "
          "records of %d bytes) per run, up to %d in flight per partition\n",
          N_PARTITIONS, n_batches, template_batch.len,
          template_batch.n_records, RECORD_BYTES, MAX_IN_FLIGHT);

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autofree char *name = g_strdup_printf ("run-%u", run);
      g_autofree char *dir = g_build_filename (root, name, NULL);
      g_autofree char *cluster_dir = g_build_filename (dir, "cluster", NULL);
      MrCluster *cluster = NULL;

      if (run % 2 == 1)
        bare_rate[run] = run_bare_appends (dir, n_batches);
      cluster = start_cluster (cluster_dir);
      cluster_rate[run] = run_cluster_throughput (cluster, n_batches);
      run_latency (cluster, 2, &p50[run], &p99[run]);
      mr_cluster_unref (cluster);
      if (run % 2 == 0)
        bare_rate[run] = run_bare_appends (dir, n_batches);
      ratio[run] = cluster_rate[run] / bare_rate[run];

      mr_test_remove_tree (dir);
    }

  printf ("throughput (%d runs, median [min, max]):\n", N_RUNS);
  summarize ("cluster, acks=all", cluster_rate, "M records/s", 1e-6);
  summarize ("bare log appends, same bytes", bare_rate, "M records/s", 1e-6);
  summarize ("cluster / bare ratio", ratio, "x", 1);
  printf ("commit latency at 10,000 records/s (10-record batches):\n");
  summarize ("p50", p50, "ms", 1e-3);
  summarize ("p99", p99, "ms", 1e-3);

  mr_test_remove_tree (root);
  g_free (template_batch.bytes);
  return 0;
}
