/* bench-groups.c: rebalance time of a consumer group, Millrace's group
 * coordinator beside librdkafka's mock cluster in the same run.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* What is measured: two librdkafka consumers share a group over a topic
 * of 6 partitions with records waiting in each; a third consumer joins.
 * The rebalance time runs from the third consumer's subscribe() until
 * all three hold disjoint assignments covering every partition and each
 * has received a record from its new assignment: every member fetching
 * again. The three consumers are polled from one thread, 1 ms each in
 * turn. heartbeat.interval.ms=100 on both sides: members notice a
 * rebalance through their heartbeat, so the interval bounds both.
 *
 * Millrace: 3 brokers with Kafka listeners, group.initial.rebalance.delay
 * .ms=0 (the first join of a group is not delayed). The peer:
 * rd_kafka_mock_cluster_new() with 3 brokers. The mock's first join of a
 * group waits 3 s like Kafka's default delay; only the later rebalance is
 * timed, on both sides. Five runs each, alternating; medians with min
 * and max, and their ratio. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "mr-test-rdkafka.h"
#include "mr-test-util.h"

#define N_RUNS 5
#define N_PARTITIONS 6
#define N_RECORDS 200          /* per partition */

static rd_kafka_t *
new_consumer (const char *bootstrap,
              const char *group)
{
  rd_kafka_conf_t *conf = mr_test_rdkafka_conf_new (NULL);
  rd_kafka_topic_partition_list_t *topics;
  rd_kafka_t *consumer;
  char errstr[512];

  mr_test_rdkafka_conf_set (conf, "bootstrap.servers", bootstrap);
  mr_test_rdkafka_conf_set (conf, "group.id", group);
  mr_test_rdkafka_conf_set (conf, "auto.offset.reset", "earliest");
  mr_test_rdkafka_conf_set (conf, "enable.auto.commit", "false");
  mr_test_rdkafka_conf_set (conf, "session.timeout.ms", "6000");
  mr_test_rdkafka_conf_set (conf, "heartbeat.interval.ms", "100");
  mr_test_rdkafka_conf_set (conf, "fetch.wait.max.ms", "50");
  consumer = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (consumer == NULL)
    g_error ("rd_kafka_new: %s", errstr);
  rd_kafka_poll_set_consumer (consumer);
  topics = rd_kafka_topic_partition_list_new (1);
  rd_kafka_topic_partition_list_add (topics, "bench", RD_KAFKA_PARTITION_UA);
  g_assert_cmpint (rd_kafka_subscribe (consumer, topics), ==, 0);
  rd_kafka_topic_partition_list_destroy (topics);
  return consumer;
}

/* Polls until the members split the partitions and each has a record
 * from its current assignment. */
static void
wait_until_fetching (rd_kafka_t **consumers,
                     guint        n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  gboolean fetched[3] = { FALSE, FALSE, FALSE };
  guint bits[3] = { 0, 0, 0 };

  for (;;)
    {
      guint all = 0;
      gboolean ok = TRUE;

      for (guint i = 0; i < n; i++)
        {
          rd_kafka_message_t *m = rd_kafka_consumer_poll (consumers[i], 1);
          guint now_bits = mr_test_rdkafka_assigned (consumers[i]);

          if (now_bits != bits[i])
            {
              bits[i] = now_bits;
              fetched[i] = FALSE;
            }
          if (m != NULL)
            {
              if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                  (bits[i] & (1u << m->partition)) != 0)
                fetched[i] = TRUE;
              rd_kafka_message_destroy (m);
            }
          if (bits[i] == 0 || (bits[i] & all) != 0 || !fetched[i])
            ok = FALSE;
          all |= bits[i];
        }
      if (ok && all == (1u << N_PARTITIONS) - 1)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("the group did not settle in 60 s");
    }
}

/* Two members settle, then the third joins: its rebalance in ms. */
static double
measure_rebalance (const char *bootstrap,
                   const char *group)
{
  rd_kafka_t *consumers[3];
  gint64 start;
  double ms;

  consumers[0] = new_consumer (bootstrap, group);
  consumers[1] = new_consumer (bootstrap, group);
  wait_until_fetching (consumers, 2);

  start = g_get_monotonic_time ();
  consumers[2] = new_consumer (bootstrap, group);
  wait_until_fetching (consumers, 3);
  ms = (g_get_monotonic_time () - start) / 1000.0;

  for (guint i = 0; i < 3; i++)
    {
      rd_kafka_consumer_close (consumers[i]);
      rd_kafka_destroy (consumers[i]);
    }
  return ms;
}

static void
produce_records (const char *bootstrap)
{
  rd_kafka_conf_t *conf = mr_test_rdkafka_conf_new (NULL);
  rd_kafka_t *producer;
  char errstr[512];

  mr_test_rdkafka_conf_set (conf, "bootstrap.servers", bootstrap);
  mr_test_rdkafka_conf_set (conf, "linger.ms", "5");
  producer = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  g_assert_nonnull (producer);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    for (guint i = 0; i < N_RECORDS; i++)
      g_assert_cmpint (rd_kafka_producev (producer,
                                          RD_KAFKA_V_TOPIC ("bench"),
                                          RD_KAFKA_V_PARTITION (p),
                                          RD_KAFKA_V_VALUE ((void *)"0123456789", 10),
                                          RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                          RD_KAFKA_V_END), ==, 0);
  g_assert_cmpint (rd_kafka_flush (producer, 30000), ==, 0);
  rd_kafka_destroy (producer);
}

static void
tweak (MrClusterOptions *options)
{
  options->offsets_topic_partitions = 10;
  options->group_initial_rebalance_delay_ms = 0;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
summarize (const char *label,
           double     *values)
{
  double sorted[N_RUNS];

  memcpy (sorted, values, sizeof sorted);
  qsort (sorted, N_RUNS, sizeof (double), compare_doubles);
  printf ("  %-34s %10.1f ms  [min %.1f, max %.1f]\n", label,
          sorted[N_RUNS / 2], sorted[0], sorted[N_RUNS - 1]);
  return sorted[N_RUNS / 2];
}

int
main (int   argc,
      char *argv[])
{
  MrTestKafkaCluster millrace = { 0, };
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *host_conf;
  rd_kafka_t *host;
  rd_kafka_mock_cluster_t *mock;
  char errstr[512];
  double ours[N_RUNS], theirs[N_RUNS], ratio[N_RUNS];

  printf ("# groups: librdkafka %s; rebalance after a third member joins "
          "(%d partitions), Millrace (3 brokers, "
          "group.initial.rebalance.delay.ms=0) beside "
          "rd_kafka_mock_cluster_new (3 brokers)\n", rd_kafka_version_str (),
          N_PARTITIONS);

  mr_test_kafka_cluster_start (&millrace, 3, tweak);
  mr_cluster_create_topic (millrace.cluster, "bench", N_PARTITIONS, 3, NULL,
                           FALSE, &error);
  g_assert_no_error (error);
  produce_records (millrace.bootstrap);

  host_conf = mr_test_rdkafka_conf_new (NULL);
  host = rd_kafka_new (RD_KAFKA_PRODUCER, host_conf, errstr, sizeof errstr);
  g_assert_nonnull (host);
  mock = rd_kafka_mock_cluster_new (host, 3);
  g_assert_nonnull (mock);
  g_assert_cmpint (rd_kafka_mock_topic_create (mock, "bench", N_PARTITIONS, 1),
                   ==, 0);
  produce_records (rd_kafka_mock_cluster_bootstraps (mock));

  /* One untimed round each. */
  measure_rebalance (millrace.bootstrap, "warm-up");
  measure_rebalance (rd_kafka_mock_cluster_bootstraps (mock), "warm-up");

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autofree char *group = g_strdup_printf ("bench-%u", run);

      ours[run] = measure_rebalance (millrace.bootstrap, group);
      theirs[run] = measure_rebalance (rd_kafka_mock_cluster_bootstraps (mock),
                                       group);
      ratio[run] = ours[run] / theirs[run];
      printf ("# run %u: millrace %.1f ms, mock %.1f ms\n", run, ours[run],
              theirs[run]);
    }

  printf ("rebalance time (all members fetching again)\n");
  summarize ("millrace", ours);
  summarize ("librdkafka mock", theirs);
  {
    double sorted[N_RUNS];

    memcpy (sorted, ratio, sizeof sorted);
    qsort (sorted, N_RUNS, sizeof (double), compare_doubles);
    printf ("  %-34s %10.2f     [min %.2f, max %.2f]\n",
            "ratio millrace / mock", sorted[N_RUNS / 2], sorted[0],
            sorted[N_RUNS - 1]);
  }

  rd_kafka_mock_cluster_destroy (mock);
  rd_kafka_destroy (host);
  mr_test_kafka_cluster_stop (&millrace);
  return 0;
}
