/* bench-kafka.c: librdkafka's producer and consumer against Millrace's
 * Kafka listeners, beside librdkafka's own mock cluster in the same run.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The workload: a librdkafka producer sends N 100-byte records (no key,
 * record i to partition i % 6) with acks=all and librdkafka's default
 * batching (linger.ms=5), timed from the first produce call to the last
 * delivery report; then a new consumer reads every partition from the
 * beginning to its high watermark (the simple consumer, as kcat does),
 * timed from the start to the last record. Millrace runs 3 brokers with a
 * listener each, RF 3, min.insync.replicas=2; the peer is
 * rd_kafka_mock_cluster_new() with 3 brokers (in memory, no replication,
 * no disk). Six partitions because the mock keeps only 5 MiB per
 * partition. After one untimed round of each, five runs each, alternating
 * which goes first; medians with min and max.
 *
 * Produce latency: 10,000 records/s, one produce call every 100 µs with
 * linger.ms=0, timed from the call to the delivery report, for both, after
 * one untimed record to every partition (the client's connections to the
 * leaders).
 * Failover stall: 20,000 records/s to a one-partition topic on Millrace;
 * a second in, the leader's broker crashes (restarted four seconds later);
 * the figure is the longest gap between two consecutive delivery reports,
 * with the cluster's default options and with fast failure detection,
 * beside the time the cluster took to elect a new leader (its
 * leader-elected event; -1 when none came within four seconds).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "mr-test-rdkafka.h"
#include "mr-test-util.h"

#define N_RUNS          5
#define N_BROKERS       3
#define N_PARTITIONS    6
#define RECORD_BYTES    100
#define LATENCY_RATE    10000
#define LATENCY_SECONDS 2
#define FAILOVER_RATE   20000
#define WARM_UP_RECORD  G_MAXSIZE

static char payload[RECORD_BYTES];

static rd_kafka_conf_t *
new_conf (const char *bootstrap)
{
  rd_kafka_conf_t *conf = mr_test_rdkafka_conf_new (NULL);

  mr_test_rdkafka_conf_set (conf, "bootstrap.servers", bootstrap);
  /* librdkafka's own traces, shown with G_MESSAGES_DEBUG=all. */
  if (g_getenv ("MILLRACE_BENCH_RDKAFKA_DEBUG") != NULL)
    mr_test_rdkafka_conf_set (conf, "debug", g_getenv ("MILLRACE_BENCH_RDKAFKA_DEBUG"));
  return conf;
}

/* Millrace: a cluster with one listener per broker. */

typedef struct
{
  char      *dir;
  MrCluster *cluster;
  GPtrArray *listeners;
  char      *bootstrap;
} Millrace;


static void
create_topic (MrCluster  *cluster,
              const char *name,
              gint32      n_partitions)
{
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (configs, (gpointer)"min.insync.replicas",
                       (gpointer)"2");
  mr_cluster_create_topic (cluster, name, n_partitions, 3, configs, FALSE,
                           &error);
  g_assert_no_error (error);
}

/* @fast: the tests' failure detection (50 ms heartbeats, 400 ms session
 * timeout) instead of the application's defaults. */
static void
millrace_start (Millrace   *millrace,
                const char *dir,
                gboolean    fast)
{
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr(GError) error = NULL;
      MrClusterOptions options;
      guint base = mr_test_free_port ();

      if (base + N_BROKERS > 65535)
        continue;
      if (fast)
        mr_test_cluster_options_init (&options, dir, N_BROKERS);
      else
        {
          mr_cluster_options_init (&options);
          g_free (options.data_dir);
          options.data_dir = g_strdup (dir);
          options.n_brokers = N_BROKERS;
        }
      options.first_port = base;
      millrace->cluster = mr_test_start_cluster (&options);
      mr_cluster_options_clear (&options);

      millrace->listeners = mr_kafka_listeners_start_all (millrace->cluster,
                                                          &error);
      if (millrace->listeners != NULL)
        {
          millrace->dir = g_strdup (dir);
          millrace->bootstrap = g_strdup_printf (
            "127.0.0.1:%u,127.0.0.1:%u,127.0.0.1:%u", base, base + 1,
            base + 2);
          create_topic (millrace->cluster, "bench", N_PARTITIONS);
          create_topic (millrace->cluster, "latency", N_PARTITIONS);
          create_topic (millrace->cluster, "failover", 1);
          return;
        }
      mr_cluster_shutdown (millrace->cluster);
      g_clear_pointer (&millrace->cluster, mr_cluster_unref);
      mr_test_remove_tree (dir);
    }
  g_error ("no free ports for the listeners");
}

static void
millrace_stop (Millrace *millrace)
{
  g_clear_pointer (&millrace->listeners, g_ptr_array_unref);
  mr_cluster_shutdown (millrace->cluster);
  g_clear_pointer (&millrace->cluster, mr_cluster_unref);
  mr_test_remove_tree (millrace->dir);
  g_clear_pointer (&millrace->dir, g_free);
  g_clear_pointer (&millrace->bootstrap, g_free);
}

/* The peer: librdkafka's mock cluster, served by a thread of @host. */

typedef struct
{
  rd_kafka_t              *host;
  rd_kafka_mock_cluster_t *mock;
  char                    *bootstrap;
} Mock;

static void
mock_start (Mock *mock)
{
  rd_kafka_conf_t *conf = mr_test_rdkafka_conf_new (NULL);

  mock->host = mr_test_rdkafka_new (RD_KAFKA_PRODUCER, conf);
  mock->mock = rd_kafka_mock_cluster_new (mock->host, N_BROKERS);
  g_assert_nonnull (mock->mock);
  g_assert_cmpint (rd_kafka_mock_topic_create (mock->mock, "bench",
                                               N_PARTITIONS, 3), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (rd_kafka_mock_topic_create (mock->mock, "latency",
                                               N_PARTITIONS, 3), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  mock->bootstrap = g_strdup (rd_kafka_mock_cluster_bootstraps (mock->mock));
}

static void
mock_stop (Mock *mock)
{
  g_clear_pointer (&mock->mock, rd_kafka_mock_cluster_destroy);
  g_clear_pointer (&mock->host, rd_kafka_destroy);
  g_clear_pointer (&mock->bootstrap, g_free);
}

/* Throughput. */

typedef struct
{
  guint n_acked;
  guint n_failed;
} Counts;

static void
count_delivery_cb (rd_kafka_t               *rk,
                   const rd_kafka_message_t *message,
                   void                     *opaque)
{
  Counts *counts = opaque;

  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    counts->n_acked++;
  else
    counts->n_failed++;
}

static void
produce_one (rd_kafka_t *producer,
             const char *topic,
             gint32      partition,
             gpointer    opaque)
{
  rd_kafka_resp_err_t err;

  for (;;)
    {
      err = rd_kafka_producev (producer,
                               RD_KAFKA_V_TOPIC (topic),
                               RD_KAFKA_V_PARTITION (partition),
                               RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_VALUE (payload, sizeof payload),
                               RD_KAFKA_V_OPAQUE (opaque),
                               RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        break;
      rd_kafka_poll (producer, 1);
    }
  g_assert_cmpint (err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
}

/* Connections and metadata first, as a long-running client has them. */
static rd_kafka_topic_t *
fetch_metadata (rd_kafka_t *rk,
                const char *topic)
{
  const struct rd_kafka_metadata *metadata = NULL;
  rd_kafka_topic_t *rkt = rd_kafka_topic_new (rk, topic, NULL);

  g_assert_cmpint (rd_kafka_metadata (rk, 0, rkt, &metadata, 10000), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_metadata_destroy (metadata);
  return rkt;
}

/* Records per second, from the first call to the last delivery report. */
static double
run_producer (const char *bootstrap,
              guint       n_records)
{
  rd_kafka_conf_t *conf = new_conf (bootstrap);
  Counts counts = { 0, };
  rd_kafka_t *producer;
  rd_kafka_topic_t *rkt;
  gint64 start;
  double elapsed;

  rd_kafka_conf_set_opaque (conf, &counts);
  rd_kafka_conf_set_dr_msg_cb (conf, count_delivery_cb);
  mr_test_rdkafka_conf_set (conf, "acks", "all");
  producer = mr_test_rdkafka_new (RD_KAFKA_PRODUCER, conf);

  rkt = fetch_metadata (producer, "bench");

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_records; i++)
    {
      produce_one (producer, "bench", (gint32)(i % N_PARTITIONS), NULL);
      if (i % 64 == 0)
        rd_kafka_poll (producer, 0);
    }
  while (counts.n_acked + counts.n_failed < n_records)
    rd_kafka_poll (producer, 10);
  elapsed = (g_get_monotonic_time () - start) / 1e6;

  g_assert_cmpuint (counts.n_failed, ==, 0);
  rd_kafka_topic_destroy (rkt);
  rd_kafka_destroy (producer);
  return n_records / elapsed;
}

/* Records per second read from the beginning of every partition to its
 * high watermark. */
static double
run_consumer (const char *bootstrap,
              guint       n_records)
{
  rd_kafka_conf_t *conf = new_conf (bootstrap);
  rd_kafka_t *consumer;
  rd_kafka_topic_t *rkt;
  rd_kafka_queue_t *queue;
  gint64 high[N_PARTITIONS];
  gint64 next[N_PARTITIONS] = { 0, };
  guint64 n_read = 0;
  gint64 start;
  double elapsed;

  consumer = mr_test_rdkafka_new (RD_KAFKA_CONSUMER, conf);
  rkt = fetch_metadata (consumer, "bench");
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    {
      gint64 low = -1;

      g_assert_cmpint (rd_kafka_query_watermark_offsets (consumer, "bench", p,
                                                         &low, &high[p],
                                                         10000), ==,
                       RD_KAFKA_RESP_ERR_NO_ERROR);
      g_assert_cmpint (low, ==, 0);
    }
  queue = rd_kafka_queue_new (consumer);

  start = g_get_monotonic_time ();
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    g_assert_cmpint (rd_kafka_consume_start_queue (rkt, p,
                                                   RD_KAFKA_OFFSET_BEGINNING,
                                                   queue), ==, 0);
  for (;;)
    {
      rd_kafka_message_t *messages[1000];
      gboolean done = TRUE;
      ssize_t n;

      for (gint32 p = 0; p < N_PARTITIONS; p++)
        if (next[p] < high[p])
          done = FALSE;
      if (done)
        break;
      /* A short wait: the call waits for a whole batch until it times
       * out, which would add its timeout to the tail of the run. */
      n = rd_kafka_consume_batch_queue (queue, 2, messages,
                                        G_N_ELEMENTS (messages));
      g_assert_cmpint (n, >=, 0);
      for (ssize_t m = 0; m < n; m++)
        {
          if (messages[m]->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            {
              next[messages[m]->partition] = messages[m]->offset + 1;
              n_read++;
            }
          else
            g_assert_cmpint (messages[m]->err, ==,
                             RD_KAFKA_RESP_ERR__PARTITION_EOF);
          rd_kafka_message_destroy (messages[m]);
        }
    }
  elapsed = (g_get_monotonic_time () - start) / 1e6;

  for (gint32 p = 0; p < N_PARTITIONS; p++)
    rd_kafka_consume_stop (rkt, p);
  rd_kafka_queue_destroy (queue);
  rd_kafka_topic_destroy (rkt);
  rd_kafka_destroy (consumer);

  g_assert_cmpuint (n_read, ==, n_records);
  return n_read / elapsed;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* Paced producing: a poller thread takes the delivery reports while the
 * calling thread produces on schedule. */

typedef struct
{
  gint64  *sent;             /* µs, by record */
  GArray  *latencies;        /* double, µs; poller thread only */
  gint64   last_report;      /* poller thread only */
  gint64   max_gap;          /* µs; poller thread only */
  gint     n_reports;        /* atomic */
  gint     n_failed;         /* atomic */
  gint     stop;             /* atomic */
  rd_kafka_t *producer;
} Paced;

static void
paced_delivery_cb (rd_kafka_t               *rk,
                   const rd_kafka_message_t *message,
                   void                     *opaque)
{
  Paced *paced = opaque;
  gint64 now = g_get_monotonic_time ();
  gsize index = GPOINTER_TO_SIZE (message->_private);

  /* The warm-up records are not timed. */
  if (index == WARM_UP_RECORD)
    return;
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      double micros = (double)(now - paced->sent[index]);

      g_array_append_val (paced->latencies, micros);
      if (paced->last_report != 0)
        paced->max_gap = MAX (paced->max_gap, now - paced->last_report);
      paced->last_report = now;
    }
  else
    g_atomic_int_inc (&paced->n_failed);
  g_atomic_int_inc (&paced->n_reports);
}

static gpointer
poller_thread (gpointer data)
{
  Paced *paced = data;

  while (!g_atomic_int_get (&paced->stop))
    rd_kafka_poll (paced->producer, 10);
  return NULL;
}

typedef struct
{
  MrCluster *cluster;
  gint32     victim;
  double     election_ms;     /* from the crash to the new leader */
} Crash;

/* Whether @events hold the failover topic's election of a live leader. */
static gboolean
find_election (GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i);

      if (mr_cluster_event_get_kind (event)
          == MR_CLUSTER_EVENT_KIND_LEADER_ELECTED &&
          g_strcmp0 (mr_cluster_event_get_topic (event), "failover") == 0 &&
          mr_cluster_event_get_leader (event) > 0)
        return TRUE;
    }
  return FALSE;
}

/* Crashes the leader of the failover topic a second into the run, notes
 * when the cluster elects another, and starts the broker again four
 * seconds after the crash. */
static gpointer
crash_thread (gpointer data)
{
  Crash *crash = data;
  MrEventStream *stream = mr_cluster_get_event_stream (crash->cluster);
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  guint64 since;
  gint64 crashed;
  gint64 now;

  g_usleep (G_USEC_PER_SEC);
  info = mr_cluster_describe_topic (crash->cluster, "failover", &error);
  g_assert_no_error (error);
  crash->victim = ((MrPartitionInfo *)g_ptr_array_index (info->partitions,
                                                         0))->leader;
  g_assert_cmpint (crash->victim, >, 0);
  since = mr_event_stream_get_last_seq (stream);
  crashed = g_get_monotonic_time ();
  mr_cluster_broker_action (crash->cluster, crash->victim,
                            MR_BROKER_ACTION_CRASH, 0, &error);
  g_assert_no_error (error);

  crash->election_ms = -1;
  while (crash->election_ms < 0 &&
         g_get_monotonic_time () < crashed + 4 * G_USEC_PER_SEC)
    {
      g_autoptr(GPtrArray) events = mr_event_stream_wait_for (stream, since,
                                                              100);

      if (events->len > 0)
        since = mr_cluster_event_get_seq (g_ptr_array_index (
                                            events, events->len - 1));
      if (find_election (events))
        crash->election_ms = (g_get_monotonic_time () - crashed) / 1e3;
    }

  now = g_get_monotonic_time ();
  if (now < crashed + 4 * G_USEC_PER_SEC)
    g_usleep (crashed + 4 * G_USEC_PER_SEC - now);
  mr_cluster_broker_action (crash->cluster, crash->victim,
                            MR_BROKER_ACTION_START, 0, &error);
  g_assert_no_error (error);
  return NULL;
}

/* Produces @rate records/s for @seconds to @n_partitions partitions of
 * @topic; with @cluster, crashes the topic's leader during the run. */
static void
run_paced (const char *bootstrap,
           const char *topic,
           gint32      n_partitions,
           guint       rate,
           guint       seconds,
           MrCluster  *cluster,
           double     *p50,
           double     *p99,
           double     *max_gap_ms,
           double     *election_ms)
{
  rd_kafka_conf_t *conf = new_conf (bootstrap);
  guint n_records = rate * seconds;
  g_autofree gint64 *sent = g_new0 (gint64, n_records);
  Paced paced = { 0, };
  Crash crash = { cluster, -1, -1 };
  GThread *poller;
  GThread *crasher = NULL;
  rd_kafka_topic_t *rkt;
  gint64 start;

  paced.sent = sent;
  paced.latencies = g_array_sized_new (FALSE, FALSE, sizeof (double),
                                       n_records);
  rd_kafka_conf_set_opaque (conf, &paced);
  rd_kafka_conf_set_dr_msg_cb (conf, paced_delivery_cb);
  mr_test_rdkafka_conf_set (conf, "acks", "all");
  mr_test_rdkafka_conf_set (conf, "linger.ms", "0");
  mr_test_rdkafka_conf_set (conf, "message.timeout.ms", "60000");
  if (cluster != NULL)
    {
      mr_test_rdkafka_conf_set (conf, "reconnect.backoff.ms", "50");
      mr_test_rdkafka_conf_set (conf, "reconnect.backoff.max.ms", "500");
    }
  paced.producer = mr_test_rdkafka_new (RD_KAFKA_PRODUCER, conf);
  rkt = fetch_metadata (paced.producer, topic);
  /* A record to every partition first, untimed: the producer connects to
   * each leader on its first record, and that connection set-up is the
   * client's start, not the broker's latency. The same for both sides. */
  for (gint32 p = 0; p < n_partitions; p++)
    produce_one (paced.producer, topic, p, GSIZE_TO_POINTER (WARM_UP_RECORD));
  g_assert_cmpint (rd_kafka_flush (paced.producer, 30000), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  poller = g_thread_new ("poller", poller_thread, &paced);
  if (cluster != NULL)
    crasher = g_thread_new ("crash", crash_thread, &crash);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_records; i++)
    {
      gint64 due = start + (gint64)i * G_USEC_PER_SEC / rate;
      gint64 now = g_get_monotonic_time ();

      if (due > now + 50)
        g_usleep (due - now);
      sent[i] = g_get_monotonic_time ();
      produce_one (paced.producer, topic, (gint32)(i % (guint)n_partitions),
                   GSIZE_TO_POINTER (i));
    }
  while ((guint)g_atomic_int_get (&paced.n_reports) < n_records)
    g_usleep (10000);
  g_atomic_int_set (&paced.stop, TRUE);
  g_thread_join (poller);
  if (crasher != NULL)
    g_thread_join (crasher);

  g_assert_cmpint (paced.n_failed, ==, 0);
  g_assert_cmpuint (paced.latencies->len, ==, n_records);
  g_array_sort (paced.latencies, compare_doubles);
  *p50 = g_array_index (paced.latencies, double, n_records / 2);
  *p99 = g_array_index (paced.latencies, double, n_records * 99 / 100);
  *max_gap_ms = paced.max_gap / 1e3;
  *election_ms = crash.election_ms;

  rd_kafka_topic_destroy (rkt);
  rd_kafka_destroy (paced.producer);
  g_array_unref (paced.latencies);
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

/* One untimed round of each: page faults, caches and the first thread
 * start-ups would otherwise fall on the first run. */
static void
warm_up_round (const char *root,
               guint       n_records)
{
  g_autofree char *dir = g_build_filename (root, "warm-up", NULL);
  Millrace millrace = { 0, };
  Mock mock = { 0, };

  millrace_start (&millrace, dir, FALSE);
  run_producer (millrace.bootstrap, n_records);
  run_consumer (millrace.bootstrap, n_records);
  millrace_stop (&millrace);
  mock_start (&mock);
  run_producer (mock.bootstrap, n_records);
  run_consumer (mock.bootstrap, n_records);
  mock_stop (&mock);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *tmpl = g_build_filename (cwd, "bench-kafka-XXXXXX", NULL);
  g_autofree char *root = g_mkdtemp (g_steal_pointer (&tmpl));
  const char *env_records = g_getenv ("MILLRACE_BENCH_RECORDS");
  guint n_records = env_records != NULL ? atoi (env_records) : 200000;
  double mr_produce[N_RUNS], mock_produce[N_RUNS], produce_ratio[N_RUNS];
  double mr_consume[N_RUNS], mock_consume[N_RUNS], consume_ratio[N_RUNS];
  double mr_p50[N_RUNS], mr_p99[N_RUNS], mock_p50[N_RUNS], mock_p99[N_RUNS];
  double stall_default[N_RUNS], stall_fast[N_RUNS];
  double election_default[N_RUNS], election_fast[N_RUNS];
  guint session_ms;
  g_autofree char *stall_label = NULL;
  MrClusterOptions defaults;

  memset (payload, 'x', sizeof payload);
  mr_cluster_options_init (&defaults);
  session_ms = defaults.broker_session_timeout_ms;
  mr_cluster_options_clear (&defaults);

  printf ("# kafka: librdkafka %s, %d brokers, %d partitions, "
          "%u records of %d bytes per run, acks=all; Millrace RF 3 with "
          "min.insync.replicas=2 and a listener per broker, against "
          "rd_kafka_mock_cluster_new (%d brokers) in the same process\n",
          rd_kafka_version_str (), N_BROKERS, N_PARTITIONS, n_records,
          RECORD_BYTES, N_BROKERS);

  /* MILLRACE_BENCH_ONLY=latency, =throughput or =failover: just that
   * figure, once, with the default options, for looking into it with the
   * traces above. */
  if (g_strcmp0 (g_getenv ("MILLRACE_BENCH_ONLY"), "latency") == 0)
    {
      g_autofree char *dir = g_build_filename (root, "latency", NULL);
      Millrace millrace = { 0, };
      Mock mock = { 0, };
      double p50, p99, unused;

      millrace_start (&millrace, dir, FALSE);
      run_paced (millrace.bootstrap, "latency", N_PARTITIONS, LATENCY_RATE,
                 LATENCY_SECONDS, NULL, &p50, &p99, &unused, &unused);
      millrace_stop (&millrace);
      printf ("produce latency, Millrace: p50 %.3f ms, p99 %.3f ms\n",
              p50 / 1e3, p99 / 1e3);
      mock_start (&mock);
      run_paced (mock.bootstrap, "latency", N_PARTITIONS, LATENCY_RATE,
                 LATENCY_SECONDS, NULL, &p50, &p99, &unused, &unused);
      mock_stop (&mock);
      printf ("produce latency, mock: p50 %.3f ms, p99 %.3f ms\n",
              p50 / 1e3, p99 / 1e3);
      mr_test_remove_tree (root);
      return 0;
    }
  if (g_strcmp0 (g_getenv ("MILLRACE_BENCH_ONLY"), "throughput") == 0)
    {
      g_autofree char *dir = g_build_filename (root, "throughput", NULL);
      Millrace millrace = { 0, };
      Mock mock = { 0, };
      double produced, consumed;

      millrace_start (&millrace, dir, FALSE);
      produced = run_producer (millrace.bootstrap, n_records);
      consumed = run_consumer (millrace.bootstrap, n_records);
      millrace_stop (&millrace);
      printf ("Millrace: producer %.0f k msgs/s, consumer %.0f k msgs/s\n",
              produced / 1e3, consumed / 1e3);
      mock_start (&mock);
      produced = run_producer (mock.bootstrap, n_records);
      consumed = run_consumer (mock.bootstrap, n_records);
      mock_stop (&mock);
      printf ("mock: producer %.0f k msgs/s, consumer %.0f k msgs/s\n",
              produced / 1e3, consumed / 1e3);
      mr_test_remove_tree (root);
      return 0;
    }
  if (g_strcmp0 (g_getenv ("MILLRACE_BENCH_ONLY"), "failover") == 0)
    {
      g_autofree char *dir = g_build_filename (root, "failover", NULL);
      Millrace millrace = { 0, };
      double stall, election, unused;

      millrace_start (&millrace, dir, FALSE);
      run_paced (millrace.bootstrap, "failover", 1, FAILOVER_RATE, 7,
                 millrace.cluster, &unused, &unused, &stall, &election);
      millrace_stop (&millrace);
      printf ("failover stall %.0f ms, election %.0f ms (session %u ms)\n",
              stall, election, session_ms);
      mr_test_remove_tree (root);
      return 0;
    }

  warm_up_round (root, n_records);
  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autofree char *name = g_strdup_printf ("run-%u", run);
      g_autofree char *dir = g_build_filename (root, name, NULL);
      g_autofree char *fast_dir = g_build_filename (root, name, "fast", NULL);
      double unused;

      for (guint side = 0; side < 2; side++)
        {
          if ((side + run) % 2 == 0)
            {
              Millrace millrace = { 0, };

              millrace_start (&millrace, dir, FALSE);
              mr_produce[run] = run_producer (millrace.bootstrap, n_records);
              mr_consume[run] = run_consumer (millrace.bootstrap, n_records);
              run_paced (millrace.bootstrap, "latency", N_PARTITIONS,
                         LATENCY_RATE, LATENCY_SECONDS, NULL, &mr_p50[run],
                         &mr_p99[run], &unused, &unused);
              run_paced (millrace.bootstrap, "failover", 1, FAILOVER_RATE, 7,
                         millrace.cluster, &unused, &unused,
                         &stall_default[run], &election_default[run]);
              millrace_stop (&millrace);
            }
          else
            {
              Mock mock = { 0, };

              mock_start (&mock);
              mock_produce[run] = run_producer (mock.bootstrap, n_records);
              mock_consume[run] = run_consumer (mock.bootstrap, n_records);
              run_paced (mock.bootstrap, "latency", N_PARTITIONS,
                         LATENCY_RATE, LATENCY_SECONDS, NULL, &mock_p50[run],
                         &mock_p99[run], &unused, &unused);
              mock_stop (&mock);
            }
        }

      {
        Millrace fast = { 0, };

        millrace_start (&fast, fast_dir, TRUE);
        run_paced (fast.bootstrap, "failover", 1, FAILOVER_RATE, 7,
                   fast.cluster, &unused, &unused, &stall_fast[run],
                   &election_fast[run]);
        millrace_stop (&fast);
      }

      produce_ratio[run] = mr_produce[run] / mock_produce[run];
      consume_ratio[run] = mr_consume[run] / mock_consume[run];
      mr_test_remove_tree (dir);
    }

  printf ("throughput (%d runs, median [min, max]):\n", N_RUNS);
  summarize ("producer, Millrace", mr_produce, "k msgs/s", 1e-3);
  summarize ("producer, mock cluster", mock_produce, "k msgs/s", 1e-3);
  summarize ("producer, Millrace / mock ratio", produce_ratio, "x", 1);
  summarize ("consumer, Millrace", mr_consume, "k msgs/s", 1e-3);
  summarize ("consumer, mock cluster", mock_consume, "k msgs/s", 1e-3);
  summarize ("consumer, Millrace / mock ratio", consume_ratio, "x", 1);
  printf ("produce latency at %d msgs/s (linger.ms=0, call to delivery "
          "report):\n", LATENCY_RATE);
  summarize ("p50, Millrace", mr_p50, "ms", 1e-3);
  summarize ("p99, Millrace", mr_p99, "ms", 1e-3);
  summarize ("p50, mock cluster", mock_p50, "ms", 1e-3);
  summarize ("p99, mock cluster", mock_p99, "ms", 1e-3);
  stall_label = g_strdup_printf ("default options (session %u ms)",
                                 session_ms);
  printf ("failover stall at %d msgs/s, leader's broker crashed (longest "
          "gap between delivery reports):\n", FAILOVER_RATE);
  summarize (stall_label, stall_default, "ms", 1);
  summarize ("fast detection (session 400 ms)", stall_fast, "ms", 1);
  printf ("  of which the cluster's election after the crash:\n");
  summarize (stall_label, election_default, "ms", 1);
  summarize ("fast detection (session 400 ms)", election_fast, "ms", 1);

  mr_test_remove_tree (root);
  return 0;
}
