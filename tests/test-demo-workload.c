/* test-demo-workload.c: the engine pieces behind the failure lab: request
 * counts per broker, the demo workload and the seeded chaos run.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <millrace-engine.h>

#include "mr-test-util.h"

static guint64
broker_requests (MrCluster *cluster,
                 gint32     broker_id)
{
  g_autoptr(GPtrArray) brokers = mr_cluster_list_brokers (cluster);
  const MrBrokerInfo *info = g_ptr_array_index (brokers, broker_id - 1);

  g_assert_cmpint (info->id, ==, broker_id);

  return info->n_requests;
}

/* An ApiVersions v0 request, framed, and its answer read back. */
static void
send_api_versions (GSocketConnection *connection,
                   gint32             correlation_id)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;
  guint8 frame[14];
  guint8 size_bytes[4];
  g_autofree guint8 *body = NULL;
  guint32 size;

  /* size, api key 18, version 0, correlation id, client id null. */
  frame[0] = 0; frame[1] = 0; frame[2] = 0; frame[3] = 10;
  frame[4] = 0; frame[5] = 18;
  frame[6] = 0; frame[7] = 0;
  frame[8] = (guint8) (correlation_id >> 24);
  frame[9] = (guint8) (correlation_id >> 16);
  frame[10] = (guint8) (correlation_id >> 8);
  frame[11] = (guint8) correlation_id;
  frame[12] = 0xff; frame[13] = 0xff;

  g_output_stream_write_all (out, frame, sizeof frame, NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (in, size_bytes, 4, NULL, NULL, &error);
  g_assert_no_error (error);
  size = ((guint32) size_bytes[0] << 24) | ((guint32) size_bytes[1] << 16) |
         ((guint32) size_bytes[2] << 8) | size_bytes[3];
  g_assert_cmpuint (size, >=, 4);
  g_assert_cmpuint (size, <, 65536);
  body = g_malloc (size);
  g_input_stream_read_all (in, body, size, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
produce_one (MrCluster  *cluster,
             const char *topic)
{
  g_auto(MrProduceResult) result = { 0, };
  guint8 *batch;
  gsize len = 0;

  batch = g_bytes_unref_to_data (mr_test_build_batch (5, 32, 0,
                                                      g_get_real_time () / 1000,
                                                      MR_COMPRESSION_NONE),
                                 &len);
  mr_cluster_produce (cluster, -1, topic, 0, batch, len, -1, 5000, &result);
  g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
}

/* The listener counts the requests it takes; in-process produces count on
 * the leader they went to. */
static void
test_request_counts (void)
{
  MrTestKafkaCluster kafka = { 0, };
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  guint64 before;
  gint32 leader;

  mr_test_kafka_cluster_start (&kafka, 2, NULL);

  before = broker_requests (kafka.cluster, 2);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                mr_kafka_listener_get_port (kafka.listeners[1]),
                                                NULL, &error);
  g_assert_no_error (error);
  for (gint32 i = 0; i < 3; i++)
    send_api_versions (connection, i + 1);
  g_assert_cmpuint (broker_requests (kafka.cluster, 2), ==, before + 3);

  mr_cluster_create_topic (kafka.cluster, "counted", 1, 2, NULL, FALSE, &error);
  g_assert_no_error (error);
  info = mr_cluster_describe_topic (kafka.cluster, "counted", &error);
  g_assert_no_error (error);
  leader = ((MrPartitionInfo *) g_ptr_array_index (info->partitions, 0))->leader;
  g_assert_cmpint (leader, >=, 1);

  before = broker_requests (kafka.cluster, leader);
  produce_one (kafka.cluster, "counted");
  produce_one (kafka.cluster, "counted");
  g_assert_cmpuint (broker_requests (kafka.cluster, leader), ==, before + 2);

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  mr_test_kafka_cluster_stop (&kafka);
}

static MrCluster *
start_cluster (const char *dir,
               guint       n_brokers)
{
  MrClusterOptions options;
  MrCluster *cluster;

  mr_test_cluster_options_init (&options, dir, n_brokers);
  options.broker_session_timeout_ms = 400;
  cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  return cluster;
}

static void
test_workload_counts (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(MrCluster) cluster = start_cluster (dir, 3);
  g_autoptr(MrDemoWorkload) workload = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GError) error = NULL;
  MrDemoWorkloadStats stats;
  gint64 deadline;

  workload = mr_demo_workload_new (cluster, "demo", 2000);
  g_assert_cmpuint (mr_demo_workload_get_rate (workload), ==, 2000);
  g_assert_false (mr_demo_workload_is_running (workload));

  g_assert_true (mr_demo_workload_start (workload, &error));
  g_assert_no_error (error);
  g_assert_true (mr_demo_workload_is_running (workload));

  /* It made its topic. */
  info = mr_cluster_describe_topic (cluster, "demo", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 3);

  /* Records are acknowledged and read back. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  do
    {
      g_usleep (50 * 1000);
      mr_demo_workload_get_stats (workload, &stats);
    }
  while ((stats.n_acknowledged < 1000 || stats.n_read < 1000) &&
         g_get_monotonic_time () < deadline);
  g_assert_cmpuint (stats.n_acknowledged, >=, 1000);
  g_assert_cmpuint (stats.n_read, >=, 1000);
  g_assert_cmpuint (stats.n_failed, ==, 0);
  g_assert_true (stats.running);
  g_assert_cmpuint (stats.rate, ==, 2000);

  samples = mr_demo_workload_take_latencies (workload);
  g_assert_cmpuint (samples->len, >, 0);
  for (guint i = 0; i < samples->len; i++)
    g_assert_true (g_array_index (samples, MrDemoLatencySample, i).ok);

  mr_demo_workload_stop (workload);
  g_assert_false (mr_demo_workload_is_running (workload));

  /* Once the answers are in, every record sent is accounted for. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  do
    {
      g_usleep (20 * 1000);
      mr_demo_workload_get_stats (workload, &stats);
    }
  while (stats.n_in_flight > 0 && g_get_monotonic_time () < deadline);
  g_assert_cmpuint (stats.n_in_flight, ==, 0);
  g_assert_cmpuint (stats.n_sent, ==, stats.n_acknowledged + stats.n_failed);
  /* The rate held, roughly: no more than it allows. */
  g_assert_cmpuint (stats.n_sent, <=, 2000 * 12);

  g_clear_pointer (&workload, mr_demo_workload_free);
  mr_cluster_shutdown (cluster);
  mr_test_remove_tree (dir);
}

static void
test_chaos_plan_is_repeatable (void)
{
  g_autoptr(GArray) a = mr_chaos_plan (42, 3, 20000);
  g_autoptr(GArray) b = mr_chaos_plan (42, 3, 20000);
  g_autoptr(GArray) c = mr_chaos_plan (43, 3, 20000);
  gboolean differs = c->len != a->len;

  g_assert_cmpuint (a->len, >=, 8);
  g_assert_cmpuint (a->len % 2, ==, 0);
  g_assert_cmpuint (a->len, ==, b->len);

  for (guint i = 0; i < a->len; i++)
    {
      MrChaosStep *x = &g_array_index (a, MrChaosStep, i);
      MrChaosStep *y = &g_array_index (b, MrChaosStep, i);

      g_assert_cmpuint (x->index, ==, i);
      g_assert_cmpuint (x->at_ms, ==, y->at_ms);
      g_assert_cmpint (x->broker_id, ==, y->broker_id);
      g_assert_cmpint (x->action, ==, y->action);
      g_assert_cmpuint (x->parameter, ==, y->parameter);
      g_assert_false (x->done);
      g_assert_cmpint (x->broker_id, >=, 1);
      g_assert_cmpint (x->broker_id, <=, 3);
      g_assert_cmpuint (x->at_ms, <, 20000);
      if (i > 0)
        g_assert_cmpuint (x->at_ms, >, g_array_index (a, MrChaosStep, i - 1).at_ms);

      /* A fault, then its heal on the same broker. */
      if (i % 2 == 1)
        {
          MrChaosStep *fault = &g_array_index (a, MrChaosStep, i - 1);

          g_assert_cmpint (x->broker_id, ==, fault->broker_id);
          g_assert_true (x->action == MR_BROKER_ACTION_START ||
                         x->action == MR_BROKER_ACTION_RESUME ||
                         x->action == MR_BROKER_ACTION_HEAL);
        }

      if (!differs && i < c->len)
        {
          MrChaosStep *z = &g_array_index (c, MrChaosStep, i);

          differs = z->at_ms != x->at_ms || z->broker_id != x->broker_id ||
                    z->action != x->action;
        }
    }

  g_assert_true (differs);
}

/* Every broker running again, without added latency: no fault left. */
static void
assert_all_healed (MrCluster *cluster)
{
  g_autoptr(GPtrArray) brokers = mr_cluster_list_brokers (cluster);

  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      g_assert_cmpint (info->state, ==, MR_BROKER_STATE_RUNNING);
      g_assert_cmpuint (info->latency_ms, ==, 0);
    }
}

static void
test_chaos_run_applies_its_plan (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(MrCluster) cluster = start_cluster (dir, 3);
  g_autoptr(MrChaosRun) run = NULL;
  g_autoptr(GArray) steps = NULL;

  run = mr_chaos_run_new (cluster, 7, 4000);
  g_assert_cmpuint (mr_chaos_run_get_seed (run), ==, 7);
  g_assert_false (mr_chaos_run_is_finished (run));

  mr_chaos_run_start (run);
  g_assert_true (mr_chaos_run_wait (run, 30000));

  steps = mr_chaos_run_dup_steps (run);
  g_assert_cmpuint (steps->len, >=, 2);
  for (guint i = 0; i < steps->len; i++)
    {
      MrChaosStep *step = &g_array_index (steps, MrChaosStep, i);

      g_assert_true (step->done);
      g_assert_null (step->error_message);
    }

  /* Every fault healed. */
  assert_all_healed (cluster);

  g_clear_pointer (&run, mr_chaos_run_free);
  mr_cluster_shutdown (cluster);
  mr_test_remove_tree (dir);
}

/* Cancelled in the middle of a fault: the fault is healed. */
static void
test_chaos_run_cancel_heals (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(MrCluster) cluster = start_cluster (dir, 3);
  g_autoptr(MrChaosRun) run = NULL;

  run = mr_chaos_run_new (cluster, 11, 60000);
  mr_chaos_run_start (run);
  /* The first fault comes at 500 ms and holds at least 400 ms. */
  g_usleep (700 * 1000);
  mr_chaos_run_cancel (run);
  g_assert_true (mr_chaos_run_is_finished (run));

  assert_all_healed (cluster);

  g_clear_pointer (&run, mr_chaos_run_free);
  mr_cluster_shutdown (cluster);
  mr_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/demo-workload/request-counts", test_request_counts);
  g_test_add_func ("/demo-workload/counts", test_workload_counts);
  g_test_add_func ("/chaos-run/plan-is-repeatable", test_chaos_plan_is_repeatable);
  g_test_add_func ("/chaos-run/applies-its-plan", test_chaos_run_applies_its_plan);
  g_test_add_func ("/chaos-run/cancel-heals", test_chaos_run_cancel_heals);

  return g_test_run ();
}
