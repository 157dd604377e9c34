/* test-kafka-groups.c: consumer groups against librdkafka and kcat -G.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "mr-test-rdkafka.h"
#include "mr-test-util.h"

#define N_BROKERS 3
#define N_PARTITIONS 6

typedef MrTestKafkaCluster Fixture;

static void
groups_options (MrClusterOptions *options)
{
  options->offsets_topic_partitions = 4;
  options->offsets_topic_replication_factor = 3;
  options->group_initial_rebalance_delay_ms = 0;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  mr_test_kafka_cluster_start (fixture, N_BROKERS, groups_options);
  mr_cluster_create_topic (fixture->cluster, "orders", N_PARTITIONS, 3, NULL,
                           FALSE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  mr_test_kafka_cluster_stop (fixture);
}

static rd_kafka_t *
new_consumer (Fixture    *fixture,
              const char *group,
              gboolean    subscribe)
{
  rd_kafka_conf_t *conf = mr_test_rdkafka_conf_new (NULL);
  rd_kafka_topic_partition_list_t *topics;
  rd_kafka_t *consumer;
  char errstr[512];

  mr_test_rdkafka_conf_set (conf, "bootstrap.servers", fixture->bootstrap);
  mr_test_rdkafka_conf_set (conf, "group.id", group);
  mr_test_rdkafka_conf_set (conf, "auto.offset.reset", "earliest");
  mr_test_rdkafka_conf_set (conf, "enable.auto.commit", "false");
  mr_test_rdkafka_conf_set (conf, "session.timeout.ms", "2000");
  mr_test_rdkafka_conf_set (conf, "heartbeat.interval.ms", "100");
  mr_test_rdkafka_conf_set (conf, "reconnect.backoff.ms", "50");
  mr_test_rdkafka_conf_set (conf, "reconnect.backoff.max.ms", "200");
  mr_test_rdkafka_conf_set (conf, "retry.backoff.ms", "50");
  mr_test_rdkafka_conf_set (conf, "topic.metadata.refresh.interval.ms", "1000");
  mr_test_rdkafka_conf_set (conf, "fetch.wait.max.ms", "100");
  mr_test_rdkafka_conf_set (conf, "check.crcs", "true");
  consumer = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (consumer == NULL)
    g_error ("rd_kafka_new: %s", errstr);
  rd_kafka_poll_set_consumer (consumer);
  if (subscribe)
    {
      topics = rd_kafka_topic_partition_list_new (1);
      rd_kafka_topic_partition_list_add (topics, "orders",
                                         RD_KAFKA_PARTITION_UA);
      g_assert_cmpint (rd_kafka_subscribe (consumer, topics), ==,
                       RD_KAFKA_RESP_ERR_NO_ERROR);
      rd_kafka_topic_partition_list_destroy (topics);
    }
  return consumer;
}

static void
close_consumer (rd_kafka_t *consumer)
{
  rd_kafka_consumer_close (consumer);
  rd_kafka_destroy (consumer);
}

/* Records "<partition>:<i>" into every partition, @n per partition. */
static void
produce (Fixture *fixture,
         guint    n,
         guint    key_base)
{
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    {
      g_autoptr(GBytes) batch = mr_test_build_batch (n, 16, key_base,
                                                     g_get_real_time () / 1000,
                                                     MR_COMPRESSION_NONE);
      gint64 deadline = g_get_monotonic_time () + 15 * G_TIME_SPAN_SECOND;

      /* As a client does: retry while a crashed leader is being replaced. */
      for (;;)
        {
          g_auto(MrProduceResult) result = { 0 };
          gsize len;
          guint8 *data = g_bytes_unref_to_data (g_bytes_ref (batch), &len);

          mr_cluster_produce (fixture->cluster, -1, "orders", p, data, len, -1,
                              5000, &result);
          if (result.error == MR_KAFKA_ERROR_NONE)
            break;
          g_assert_true (mr_kafka_error_is_retriable (result.error));
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (50 * 1000);
        }
    }
}

/* One poll of @consumer, whatever it brings: it keeps the member's
 * heartbeats and rebalance callbacks going. */
static void
poll_and_drop (rd_kafka_t *consumer)
{
  rd_kafka_message_t *m = rd_kafka_consumer_poll (consumer, 50);

  if (m != NULL)
    rd_kafka_message_destroy (m);
}

/* Polls every consumer until their assignments are disjoint, non-empty
 * and cover every partition; returns the time it took, in ms. */
static gint64
wait_for_split (rd_kafka_t **consumers,
                guint        n)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + 30 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      guint all = 0;
      gboolean ok = TRUE;

      for (guint i = 0; i < n; i++)
        {
          rd_kafka_message_t *m = rd_kafka_consumer_poll (consumers[i], 20);
          guint bits;

          if (m != NULL)
            rd_kafka_message_destroy (m);
          bits = mr_test_rdkafka_assigned (consumers[i]);
          if (bits == 0 || (bits & all) != 0)
            ok = FALSE;
          all |= bits;
        }
      if (ok && all == (1u << N_PARTITIONS) - 1)
        return (g_get_monotonic_time () - start) / 1000;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

/* Consumes until @expected records arrived and a quiet second passed;
 * returns the count and commits synchronously. */
static guint
consume_all (rd_kafka_t *consumer,
             guint       expected)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  gint64 quiet_until = 0;
  guint n = 0;

  while (g_get_monotonic_time () < deadline)
    {
      rd_kafka_message_t *m = rd_kafka_consumer_poll (consumer, 50);

      if (m != NULL)
        {
          if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            n++;
          rd_kafka_message_destroy (m);
        }
      if (n >= expected)
        {
          if (quiet_until == 0)
            quiet_until = g_get_monotonic_time () + 500 * G_TIME_SPAN_MILLISECOND;
          if (g_get_monotonic_time () >= quiet_until)
            break;
        }
    }
  g_assert_cmpint (rd_kafka_commit (consumer, NULL, FALSE), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  return n;
}

static void
test_split_and_leave (Fixture       *fixture,
                      gconstpointer  data)
{
  rd_kafka_t *consumers[3];
  gint64 ms;

  consumers[0] = new_consumer (fixture, "split", TRUE);
  consumers[1] = new_consumer (fixture, "split", TRUE);
  ms = wait_for_split (consumers, 2);
  g_test_message ("two members split %d partitions in %" G_GINT64_FORMAT " ms",
                  N_PARTITIONS, ms);
  g_assert_cmpuint (__builtin_popcount (mr_test_rdkafka_assigned (consumers[0])), ==, 3);

  consumers[2] = new_consumer (fixture, "split", TRUE);
  ms = wait_for_split (consumers, 3);
  g_test_message ("three members split in %" G_GINT64_FORMAT " ms", ms);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (__builtin_popcount (mr_test_rdkafka_assigned (consumers[i])), ==, 2);

  /* A member leaving: the other two take its partitions. */
  close_consumer (consumers[1]);
  consumers[1] = consumers[2];
  ms = wait_for_split (consumers, 2);
  g_test_message ("after a leave, two members split in %" G_GINT64_FORMAT " ms",
                  ms);

  close_consumer (consumers[0]);
  close_consumer (consumers[1]);

  /* The timeline has the rebalances, generation after generation, up to
   * three members and the group emptying at the end. */
  {
    g_autoptr(GPtrArray) history = mr_event_stream_dup_history (
      mr_cluster_get_event_stream (fixture->cluster), 0);
    gint32 last_generation = 0;
    gint32 most = 0;
    gint32 last_members = -1;

    for (guint i = 0; i < history->len; i++)
      {
        MrClusterEvent *event = g_ptr_array_index (history, i);

        if (mr_cluster_event_get_kind (event) != MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED)
          continue;
        g_assert_cmpstr (mr_cluster_event_get_group_id (event), ==, "split");
        g_assert_cmpint (mr_cluster_event_get_generation (event), >,
                         last_generation);
        last_generation = mr_cluster_event_get_generation (event);
        last_members = mr_cluster_event_get_n_members (event);
        most = MAX (most, last_members);
        if (last_members > 0)
          g_assert_cmpstr (mr_cluster_event_get_protocol (event), ==, "range");
      }
    g_assert_cmpint (most, ==, 3);
    g_assert_cmpint (last_members, ==, 0);
  }
}

static void
test_resume_from_commit (Fixture       *fixture,
                         gconstpointer  data)
{
  rd_kafka_t *consumer;

  produce (fixture, 10, 0);
  consumer = new_consumer (fixture, "resume", TRUE);
  g_assert_cmpuint (consume_all (consumer, 10 * N_PARTITIONS), ==,
                    10 * N_PARTITIONS);
  close_consumer (consumer);

  /* A restart reads only what came after the commit. */
  produce (fixture, 5, 100);
  consumer = new_consumer (fixture, "resume", TRUE);
  g_assert_cmpuint (consume_all (consumer, 5 * N_PARTITIONS), ==,
                    5 * N_PARTITIONS);
  close_consumer (consumer);
}

/* The committed offsets of @group for every partition, through a fresh
 * consumer (OffsetFetch to whichever broker coordinates now). */
static void
committed (Fixture    *fixture,
           const char *group,
           gint64     *offsets)
{
  rd_kafka_t *consumer = new_consumer (fixture, group, FALSE);
  rd_kafka_topic_partition_list_t *list;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

  list = rd_kafka_topic_partition_list_new (N_PARTITIONS);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    rd_kafka_topic_partition_list_add (list, "orders", p);
  for (guint attempt = 0; attempt < 50; attempt++)
    {
      err = rd_kafka_committed (consumer, list, 5000);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        break;
      g_usleep (100000);
    }
  g_assert_cmpint (err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int i = 0; i < list->cnt; i++)
    offsets[list->elems[i].partition] = list->elems[i].offset;
  rd_kafka_topic_partition_list_destroy (list);
  close_consumer (consumer);
}

static void
test_commits_survive_coordinator_crash (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  MrGroupCoordinator *groups = mr_cluster_get_group_coordinator (fixture->cluster);
  gint64 before[N_PARTITIONS];
  gint64 after[N_PARTITIONS];
  rd_kafka_t *consumer;
  gint32 coordinator = -1;
  gint32 next = -1;

  produce (fixture, 7, 0);
  consumer = new_consumer (fixture, "survivor", TRUE);
  g_assert_cmpuint (consume_all (consumer, 7 * N_PARTITIONS), ==,
                    7 * N_PARTITIONS);
  close_consumer (consumer);
  committed (fixture, "survivor", before);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    g_assert_cmpint (before[p], ==, 7);

  g_assert_cmpint (mr_group_coordinator_find (groups, "survivor", &coordinator),
                   ==, MR_KAFKA_ERROR_NONE);
  mr_cluster_broker_action (fixture->cluster, coordinator,
                            MR_BROKER_ACTION_CRASH, 0, &error);
  g_assert_no_error (error);

  /* Another broker takes the offsets partition and serves the commits. */
  for (guint i = 0; i < 200; i++)
    {
      if (mr_group_coordinator_find (groups, "survivor", &next) ==
          MR_KAFKA_ERROR_NONE && next != coordinator)
        break;
      g_usleep (50000);
    }
  g_assert_cmpint (next, !=, coordinator);
  g_test_message ("coordinator moved from broker %d to %d", coordinator, next);
  committed (fixture, "survivor", after);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    g_assert_cmpint (after[p], ==, before[p]);

  /* And the group goes on: a consumer resumes where the commits say. */
  produce (fixture, 3, 100);
  consumer = new_consumer (fixture, "survivor", TRUE);
  g_assert_cmpuint (consume_all (consumer, 3 * N_PARTITIONS), ==,
                    3 * N_PARTITIONS);
  close_consumer (consumer);
}

/* A live consumer keeps its membership through the coordinator's crash:
 * the new coordinator loads the Stable group, no rebalance happens and
 * the consumer goes on reading. */
static void
test_group_survives_coordinator_crash (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrGroupInfo) before = NULL;
  g_autoptr(MrGroupInfo) after = NULL;
  MrGroupCoordinator *groups = mr_cluster_get_group_coordinator (fixture->cluster);
  rd_kafka_t *consumer;
  gint32 coordinator = -1;
  gint32 next = -1;
  gint64 deadline;

  consumer = new_consumer (fixture, "steady", TRUE);
  wait_for_split (&consumer, 1);
  /* The group's record is replicated once the assignment is in. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  do
    {
      poll_and_drop (consumer);
      g_clear_pointer (&before, mr_group_info_free);
      before = mr_cluster_describe_group (fixture->cluster, "steady", NULL);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (before == NULL || before->state != MR_GROUP_STATE_STABLE);
  g_usleep (300000);

  g_assert_cmpint (mr_group_coordinator_find (groups, "steady", &coordinator),
                   ==, MR_KAFKA_ERROR_NONE);
  mr_cluster_broker_action (fixture->cluster, coordinator,
                            MR_BROKER_ACTION_CRASH, 0, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (mr_group_coordinator_find (groups, "steady", &next) !=
         MR_KAFKA_ERROR_NONE || next == coordinator)
    {
      poll_and_drop (consumer);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }

  /* The consumer finds the new coordinator and heartbeats there; then it
   * reads what is produced now. */
  produce (fixture, 2, 100);
  g_assert_cmpuint (consume_all (consumer, 2 * N_PARTITIONS), ==,
                    2 * N_PARTITIONS);
  after = mr_cluster_describe_group (fixture->cluster, "steady", &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->state, ==, MR_GROUP_STATE_STABLE);
  g_assert_cmpint (after->generation, ==, before->generation);
  g_assert_cmpint (after->coordinator, ==, next);
  g_assert_cmpuint (after->members->len, ==, 1);
  g_assert_cmpstr (((MrGroupMemberInfo *)g_ptr_array_index (after->members, 0))->member_id,
                   ==,
                   ((MrGroupMemberInfo *)g_ptr_array_index (before->members, 0))->member_id);
  g_assert_cmpuint (((MrGroupMemberInfo *)g_ptr_array_index (after->members, 0))->assignment->len,
                    ==, N_PARTITIONS);
  close_consumer (consumer);
}

typedef struct
{
  gint     n_records;       /* atomic */
  gint     n_refused;       /* atomic */
  gint64   from;
} Sink;

static gboolean
sink_count_cb (const MrRecordBatchHeader *batch,
               const MrRecord            *record,
               gpointer                   user_data)
{
  Sink *sink = user_data;

  if (record->offset >= sink->from)
    g_atomic_int_inc (&sink->n_records);
  return TRUE;
}

/* The sink refuses its very first delivery: the member reads it again. */
static gboolean
sink_records_cb (const char *topic,
                 gint32      partition,
                 gint64      position,
                 GBytes     *batches,
                 gpointer    user_data)
{
  Sink *sink = user_data;
  const guint8 *data;
  gsize len, pos = 0;

  if (g_atomic_int_compare_and_exchange (&sink->n_refused, 0, 1))
    return FALSE;
  data = g_bytes_get_data (batches, &len);
  sink->from = position;
  while (pos < len)
    {
      MrRecordBatchHeader header;

      g_assert_true (mr_record_batch_header_parse (data + pos, len - pos,
                                                   &header, NULL));
      mr_record_batch_foreach_record (data + pos,
                                      mr_record_batch_header_get_size (&header),
                                      sink_count_cb, sink, NULL);
      pos += mr_record_batch_header_get_size (&header);
    }
  return TRUE;
}

/* A sink-style in-process member: every record once, commits after. */
static void
test_in_process_sink (Fixture       *fixture,
                      gconstpointer  data)
{
  const char * const topics[] = { "orders", NULL };
  Sink sink = { 0 };
  MrGroupMember *member;
  gint64 deadline;

  produce (fixture, 5, 0);
  member = mr_group_member_new_full (fixture->cluster, "sink", "sink-1",
                                     topics, sink_records_cb, &sink);
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  for (;;)
    {
      g_autoptr(MrGroupInfo) info = NULL;
      gboolean committed = TRUE;

      info = mr_cluster_describe_group (fixture->cluster, "sink", NULL);
      for (guint i = 0; info != NULL && i < info->offsets->len; i++)
        committed &= ((MrGroupPartitionInfo *)g_ptr_array_index (info->offsets, i))->committed_offset == 5;
      if (info != NULL && info->offsets->len == N_PARTITIONS && committed &&
          g_atomic_int_get (&sink.n_records) == 5 * N_PARTITIONS)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  g_assert_cmpint (g_atomic_int_get (&sink.n_refused), ==, 1);
  mr_group_member_free (member);
  g_assert_cmpint (g_atomic_int_get (&sink.n_records), ==, 5 * N_PARTITIONS);
}

static gboolean
have_kcat (void)
{
  g_autofree char *path = g_find_program_in_path ("kcat");

  if (path == NULL)
    g_test_skip ("kcat is not installed");
  return path != NULL;
}

static GSubprocess *
spawn_kcat_member (Fixture    *fixture,
                   const char *group,
                   gboolean    exit_at_end)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "kcat", "-b", fixture->bootstrap, "-G", group,
                              "-X", "auto.offset.reset=earliest",
                              "-X", "session.timeout.ms=1500",
                              "-X", "heartbeat.interval.ms=100",
                              "-X", "fetch.wait.max.ms=100",
                              "-f", "%p:%o\\n", "-q",
                              exit_at_end ? "-e" : "-u",
                              "orders", NULL);
  g_assert_no_error (error);
  return process;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

/* kcat -G: consumes everything, commits on exit, and a second run resumes
 * from the commits. */
static void
test_kcat_resume (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;

  if (!have_kcat ())
    return;
  produce (fixture, 4, 0);
  first = spawn_kcat_member (fixture, "kcat-group", TRUE);
  g_subprocess_communicate_utf8 (first, NULL, NULL, &out1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lines (out1), ==, 4 * N_PARTITIONS);

  produce (fixture, 2, 100);
  second = spawn_kcat_member (fixture, "kcat-group", TRUE);
  g_subprocess_communicate_utf8 (second, NULL, NULL, &out2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lines (out2), ==, 2 * N_PARTITIONS);
}

/* A reset while nobody consumes: the next kcat -G run replays from the
 * new offsets. */
static void
test_kcat_reset (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GSubprocess) third = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GArray) partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  gint32 one = 1;

  if (!have_kcat ())
    return;
  produce (fixture, 5, 0);
  first = spawn_kcat_member (fixture, "replayed", TRUE);
  g_subprocess_communicate_utf8 (first, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lines (out), ==, 5 * N_PARTITIONS);

  changes = mr_cluster_reset_group_offsets (fixture->cluster, "replayed",
                                            "orders", NULL,
                                            MR_OFFSET_RESET_TO_EARLIEST, 0,
                                            FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, N_PARTITIONS);
  second = spawn_kcat_member (fixture, "replayed", TRUE);
  g_subprocess_communicate_utf8 (second, NULL, NULL, &out2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lines (out2), ==, 5 * N_PARTITIONS);

  /* shift-by -2 on partition 1 only: two records again. */
  g_clear_pointer (&changes, g_ptr_array_unref);
  g_array_append_val (partitions, one);
  changes = mr_cluster_reset_group_offsets (fixture->cluster, "replayed",
                                            "orders", partitions,
                                            MR_OFFSET_RESET_SHIFT_BY, -2,
                                            FALSE, &error);
  g_assert_no_error (error);
  third = spawn_kcat_member (fixture, "replayed", TRUE);
  g_subprocess_communicate_utf8 (third, NULL, NULL, &out3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out3, ==, "1:3\n1:4\n");
}

/* An in-process member and a librdkafka member share a group: the
 * partitions split between them, and stopping the in-process one gives
 * the other everything. */
static void
test_in_process_member (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const topics[] = { "orders", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  rd_kafka_t *consumer;
  gint64 deadline;
  guint bits = 0;

  g_assert_true (mr_cluster_start_group_member (fixture->cluster, "mixed",
                                                "demo", topics, &name,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "demo");
  consumer = new_consumer (fixture, "mixed", TRUE);
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  for (;;)
    {
      g_autoptr(MrGroupInfo) info = NULL;

      poll_and_drop (consumer);
      bits = mr_test_rdkafka_assigned (consumer);
      info = mr_cluster_describe_group (fixture->cluster, "mixed", NULL);
      if (info != NULL && info->state == MR_GROUP_STATE_STABLE &&
          info->members->len == 2 && bits != 0 &&
          __builtin_popcount (bits) == N_PARTITIONS / 2)
        {
          /* The librdkafka member's host is its socket's peer address. */
          for (guint i = 0; i < info->members->len; i++)
            {
              MrGroupMemberInfo *member = g_ptr_array_index (info->members, i);

              if (!member->in_process)
                g_assert_cmpstr (member->client_host, ==, "/127.0.0.1");
            }
          break;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }

  g_assert_cmpuint (mr_cluster_stop_group_members (fixture->cluster, "mixed"),
                    ==, 1);
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (mr_test_rdkafka_assigned (consumer) != (1u << N_PARTITIONS) - 1)
    {
      poll_and_drop (consumer);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  close_consumer (consumer);
}

/* A kcat member stopped with SIGSTOP stops heartbeating: its session
 * expires and the librdkafka member takes every partition. */
static void
test_session_timeout_evicts (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GSubprocess) member = NULL;
  rd_kafka_t *consumer;
  gint64 deadline;
  guint bits = 0;

  if (!have_kcat ())
    return;
  consumer = new_consumer (fixture, "evict", TRUE);
  member = spawn_kcat_member (fixture, "evict", FALSE);

  /* Both members share the partitions... */
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  do
    {
      poll_and_drop (consumer);
      bits = mr_test_rdkafka_assigned (consumer);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (bits == 0 || bits == (1u << N_PARTITIONS) - 1);

  /* kcat and librdkafka split the six partitions three and three. */
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  for (;;)
    {
      g_autoptr(MrGroupInfo) info = NULL;
      guint all = 0;
      gboolean disjoint = TRUE;

      poll_and_drop (consumer);
      info = mr_cluster_describe_group (fixture->cluster, "evict", NULL);
      for (guint i = 0; info != NULL && i < info->members->len; i++)
        {
          MrGroupMemberInfo *info_member = g_ptr_array_index (info->members, i);
          guint member_bits = 0;

          for (guint j = 0; j < info_member->assignment->len; j++)
            member_bits |= 1u << ((MrTopicPartition *)g_ptr_array_index (info_member->assignment, j))->partition;
          disjoint &= (member_bits & all) == 0 &&
                      __builtin_popcount (member_bits) == N_PARTITIONS / 2;
          all |= member_bits;
        }
      if (info != NULL && info->state == MR_GROUP_STATE_STABLE &&
          info->members->len == 2 && disjoint &&
          all == (1u << N_PARTITIONS) - 1 &&
          __builtin_popcount (mr_test_rdkafka_assigned (consumer)) == N_PARTITIONS / 2)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }

  /* ...until the kcat one pauses past its session timeout. */
  g_subprocess_send_signal (member, SIGSTOP);
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (mr_test_rdkafka_assigned (consumer) != (1u << N_PARTITIONS) - 1)
    {
      poll_and_drop (consumer);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  g_subprocess_force_exit (member);
  g_subprocess_send_signal (member, SIGCONT);
  g_subprocess_wait (member, NULL, NULL);
  close_consumer (consumer);
}

/* __consumer_offsets is internal and cannot be created or deleted. */
static void
test_internal_topic (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = NULL;

  info = mr_cluster_describe_topic (fixture->cluster, MR_GROUP_OFFSETS_TOPIC,
                                    &error);
  g_assert_no_error (error);
  g_assert_true (info->internal);
  g_assert_cmpuint (info->partitions->len, ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "cleanup.policy"), ==,
                   "compact");

  g_assert_false (mr_cluster_delete_topic (fixture->cluster,
                                           MR_GROUP_OFFSETS_TOPIC, &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC);
  g_clear_error (&error);
  g_assert_false (mr_cluster_create_topic (fixture->cluster,
                                           MR_GROUP_OFFSETS_TOPIC, 1, 1, NULL,
                                           FALSE, &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC);
  g_clear_error (&error);
  g_assert_false (mr_cluster_create_partitions (fixture->cluster,
                                                MR_GROUP_OFFSETS_TOPIC, 8,
                                                FALSE, &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC);
}

/* Commits live in the log: a cluster reopened from its directory serves
 * them, even with options that would not create an offsets topic. */
static void
test_offsets_survive_restart (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) fetched = NULL;
  MrClusterOptions options;
  MrCluster *cluster;
  MrGroupCoordinator *groups;

  mr_test_cluster_options_init (&options, dir, 3);
  options.offsets_topic_partitions = 5;
  cluster = mr_test_start_cluster (&options);
  mr_cluster_create_topic (cluster, "orders", N_PARTITIONS, 3, NULL, FALSE,
                           &error);
  g_assert_no_error (error);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_offset_entry_free);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    g_ptr_array_add (entries, mr_group_offset_entry_new ("orders", p, 100 + p));
  groups = mr_cluster_get_group_coordinator (cluster);
  g_assert_cmpint (mr_group_coordinator_commit (groups, -1, "durable", -1, "",
                                                NULL, entries),
                   ==, MR_KAFKA_ERROR_NONE);
  mr_cluster_shutdown (cluster);
  mr_cluster_unref (cluster);

  options.offsets_topic_partitions = 0;
  cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);
  groups = mr_cluster_get_group_coordinator (cluster);
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_clear_pointer (&fetched, g_ptr_array_unref);
      if (mr_group_coordinator_fetch_offsets (groups, -1, "durable", NULL,
                                              &fetched)
          == MR_KAFKA_ERROR_NONE)
        break;
      g_usleep (20000);
    }
  g_assert_cmpuint (fetched->len, ==, N_PARTITIONS);
  for (guint i = 0; i < fetched->len; i++)
    {
      MrGroupOffsetEntry *e = g_ptr_array_index (fetched, i);

      g_assert_cmpint (e->offset, ==, 100 + e->partition);
    }
  mr_cluster_shutdown (cluster);
  mr_cluster_unref (cluster);
  mr_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/kafka-groups/" name, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("internal-topic", test_internal_topic);
  g_test_add_func ("/kafka-groups/offsets-survive-restart",
                   test_offsets_survive_restart);
  ADD ("split-and-leave", test_split_and_leave);
  ADD ("resume-from-commit", test_resume_from_commit);
  ADD ("commits-survive-coordinator-crash",
       test_commits_survive_coordinator_crash);
  ADD ("group-survives-coordinator-crash",
       test_group_survives_coordinator_crash);
  ADD ("kcat-resume", test_kcat_resume);
  ADD ("kcat-reset", test_kcat_reset);
  ADD ("in-process-member", test_in_process_member);
  ADD ("in-process-sink", test_in_process_sink);
  ADD ("session-timeout-evicts", test_session_timeout_evicts);
#undef ADD

  return g_test_run ();
}
