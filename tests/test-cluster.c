/* test-cluster.c: brokers as threads, replication, failover and faults,
 * each checked with counts of acknowledged records.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

typedef struct
{
  char      *dir;
  MrCluster *cluster;
} Fixture;

static MrCluster *
open_cluster (const char *dir,
              guint       n_brokers)
{
  MrClusterOptions options;
  MrCluster *cluster;

  mr_test_cluster_options_init (&options, dir, n_brokers);
  cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);
  return cluster;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->dir = mr_test_make_tmpdir ();
  fixture->cluster = open_cluster (fixture->dir, 3);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->cluster, mr_cluster_unref);
  mr_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
create_topic (MrCluster  *cluster,
              const char *name,
              gint32      partitions,
              const char *min_insync)
{
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  if (min_insync != NULL)
    g_hash_table_insert (configs, (gpointer)"min.insync.replicas",
                         (gpointer)min_insync);
  mr_cluster_create_topic (cluster, name, partitions, 3, configs, FALSE,
                           &error);
  g_assert_no_error (error);
}

/* Produces one batch of @n records keyed "key-<first + i>"; returns the
 * error code and the base offset. */
static MrKafkaError
produce (MrCluster  *cluster,
         gint32      via_broker,
         const char *topic,
         gint32      partition,
         guint       first,
         guint       n,
         gint16      acks,
         gint64     *base_offset)
{
  g_auto(MrProduceResult) result = { 0, };
  gsize len = 0;
  guint8 *batch = g_bytes_unref_to_data (
    mr_test_build_batch (n, 20, first, g_get_real_time () / 1000,
                         MR_COMPRESSION_NONE),
    &len);

  mr_cluster_produce (cluster, via_broker, topic, partition, batch, len,
                      acks, 2000, &result);
  if (base_offset != NULL)
    *base_offset = result.base_offset;
  return result.error;
}

typedef struct
{
  GHashTable *keys;        /* "key-N" → offset, as a consumer reads them */
  gint64      last_offset;
} ReadBack;

static gboolean
read_back_cb (const MrRecordBatchHeader *batch,
              const MrRecord            *record,
              gpointer                   user_data)
{
  ReadBack *read = user_data;
  char *key = g_strndup ((const char *)record->key, record->key_len);

  /* Offsets a consumer sees only go up, and no key appears twice. */
  g_assert_cmpint (record->offset, >, read->last_offset);
  read->last_offset = record->offset;
  g_assert_false (g_hash_table_contains (read->keys, key));
  g_hash_table_insert (read->keys, key, GINT_TO_POINTER (1));
  return TRUE;
}

/* Everything a consumer reads from the partition's leader, up to the high
 * watermark. */
static GHashTable *
consume_all (MrCluster  *cluster,
             const char *topic,
             gint32      partition)
{
  ReadBack read = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           NULL), -1 };
  gint64 offset = 0;
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_auto(MrFetchResult) result = { 0, };
      gsize at = 0;
      gsize len = 0;
      const guint8 *data;

      mr_cluster_fetch (cluster, -1, topic, partition, offset, 1 << 20, 0, -1,
                        &result);
      if (result.error != MR_KAFKA_ERROR_NONE)
        {
          /* A leader change under way: retry, as a client does. */
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (20 * 1000);
          continue;
        }
      if (result.records == NULL)
        break;

      data = g_bytes_get_data (result.records, &len);
      while (at < len)
        {
          g_autoptr(GError) error = NULL;
          MrRecordBatchHeader header;

          mr_record_batch_validate (data + at, len - at, &header, &error);
          g_assert_no_error (error);
          mr_record_batch_foreach_record (data + at, len - at, read_back_cb,
                                          &read, &error);
          g_assert_no_error (error);
          at += mr_record_batch_header_get_size (&header);
          offset = mr_record_batch_header_get_last_offset (&header) + 1;
        }
    }

  return read.keys;
}

/* Elections of @leader for @topic since event @since. */
static guint
count_leader_events (MrCluster  *cluster,
                     const char *topic,
                     gint32      leader,
                     guint64     since)
{
  g_autoptr(GPtrArray) events = mr_event_stream_dup_history (
    mr_cluster_get_event_stream (cluster), since);
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i);

      if (mr_cluster_event_get_kind (event) == MR_CLUSTER_EVENT_KIND_LEADER_ELECTED &&
          g_strcmp0 (mr_cluster_event_get_topic (event), topic) == 0 &&
          mr_cluster_event_get_leader (event) == leader)
        n++;
    }
  return n;
}

static gint32
leader_of (MrCluster  *cluster,
           const char *topic,
           gint32      partition)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = mr_cluster_describe_topic (cluster, topic, &error);
  g_assert_no_error (error);
  return ((MrPartitionInfo *)g_ptr_array_index (info->partitions,
                                                partition))->leader;
}

/* Waits until every replica of the partition has the leader's log end
 * offset and the ISR is whole again. */
static void
wait_converged (MrCluster  *cluster,
                const char *topic,
                gint32      partition)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_autoptr(MrTopicInfo) info = NULL;
      MrPartitionInfo *p;
      gboolean same = TRUE;
      gint64 end = -1;
      gint64 size = -1;

      info = mr_cluster_describe_topic (cluster, topic, NULL);
      p = g_ptr_array_index (info->partitions, partition);
      for (guint i = 0; i < p->replica_states->len; i++)
        {
          MrReplicaInfo *r = &g_array_index (p->replica_states, MrReplicaInfo,
                                             i);

          if (!r->online)
            same = FALSE;
          else if (end < 0)
            {
              end = r->log_end_offset;
              size = r->size_bytes;
            }
          else if (r->log_end_offset != end || r->size_bytes != size)
            same = FALSE;
        }
      /* Converged: the same records, so the same bytes on every replica. */
      if (same && p->isr->len == p->replicas->len
          && p->high_watermark == end)
        {
          g_assert_true (end == 0 || size > 0);
          return;
        }

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* Replicas converge byte for byte: every broker's segment files for the
 * partition are identical. */
static void
assert_replicas_identical (const char *dir,
                           const char *topic,
                           gint32      partition)
{
  g_autoptr(GBytes) reference = NULL;

  for (guint broker = 1; broker <= 3; broker++)
    {
      g_autofree char *name = g_strdup_printf ("broker-%u/%s-%d/"
                                               "00000000000000000000.log",
                                               broker, topic, partition);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GBytes) bytes = mr_test_read_file (path);

      if (reference == NULL)
        reference = g_bytes_ref (bytes);
      else
        g_assert_true (g_bytes_equal (reference, bytes));
    }
}

static void
test_replicated_produce_and_consume (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GPtrArray) brokers = NULL;
  guint acked[3] = { 0, 0, 0 };

  g_assert_cmpint (mr_cluster_get_controller_id (fixture->cluster), ==, 1);
  brokers = mr_cluster_list_brokers (fixture->cluster);
  g_assert_cmpuint (brokers->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      g_assert_cmpint (info->id, ==, (gint32)i + 1);
      g_assert_cmpuint (info->port, ==, 9092 + i);
      g_assert_cmpint (info->state, ==, MR_BROKER_STATE_RUNNING);
    }

  create_topic (fixture->cluster, "orders", 3, "2");
  for (guint i = 0; i < 100; i++)
    {
      g_assert_cmpint (produce (fixture->cluster, -1, "orders", i % 3,
                                i * 10, 10, -1, NULL),
                       ==, MR_KAFKA_ERROR_NONE);
      acked[i % 3] += 10;
    }

  for (gint32 p = 0; p < 3; p++)
    wait_converged (fixture->cluster, "orders", p);

  for (gint32 p = 0; p < 3; p++)
    {
      g_autoptr(GHashTable) part = consume_all (fixture->cluster, "orders", p);

      g_assert_cmpuint (g_hash_table_size (part), ==, acked[p]);
      assert_replicas_identical (fixture->dir, "orders", p);
    }
}

static void
test_leader_crash_loses_no_acknowledged_record (Fixture       *fixture,
                                                gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  guint acked = 0;
  guint failed = 0;
  gint32 leader;
  guint first = 0;

  create_topic (fixture->cluster, "payments", 1, "2");
  leader = leader_of (fixture->cluster, "payments", 0);

  for (guint round = 0; round < 60; round++)
    {
      MrKafkaError code;

      if (round == 20)
        {
          g_autoptr(GError) error = NULL;

          mr_cluster_broker_action (fixture->cluster, leader,
                                    MR_BROKER_ACTION_CRASH, 0, &error);
          g_assert_no_error (error);
        }
      if (round == 45)
        {
          g_autoptr(GError) error = NULL;

          mr_cluster_broker_action (fixture->cluster, leader,
                                    MR_BROKER_ACTION_START, 0, &error);
          g_assert_no_error (error);
        }

      code = produce (fixture->cluster, -1, "payments", 0, first, 10, -1,
                      NULL);
      if (code == MR_KAFKA_ERROR_NONE)
        acked += 10;
      else
        failed++;
      /* A client retries unacknowledged records under new keys; the
       * checker only counts what was acknowledged. */
      first += 10;
      if (code != MR_KAFKA_ERROR_NONE)
        g_usleep (50 * 1000);
    }

  g_assert_cmpint (leader_of (fixture->cluster, "payments", 0), !=, -1);
  wait_converged (fixture->cluster, "payments", 0);

  keys = consume_all (fixture->cluster, "payments", 0);
  g_test_message ("%u records acknowledged, %u produce calls failed, %u "
                  "records read back", acked, failed,
                  g_hash_table_size (keys));
  /* Every acknowledged record is there; unacknowledged ones may be too. */
  g_assert_cmpuint (g_hash_table_size (keys), >=, acked);
  g_assert_cmpuint (acked, >=, 400);
  assert_replicas_identical (fixture->dir, "payments", 0);
}

static void
test_faults_and_transitions (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) brokers = NULL;

  mr_cluster_broker_action (fixture->cluster, 7, MR_BROKER_ACTION_STOP, 0,
                            &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_BROKER);
  g_clear_error (&error);

  mr_cluster_broker_action (fixture->cluster, 2, MR_BROKER_ACTION_RESUME, 0,
                            &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_STATE);
  g_clear_error (&error);

  mr_cluster_broker_action (fixture->cluster, 2, MR_BROKER_ACTION_PAUSE, 0,
                            &error);
  g_assert_no_error (error);
  mr_cluster_broker_action (fixture->cluster, 3, MR_BROKER_ACTION_ISOLATE, 0,
                            &error);
  g_assert_no_error (error);
  mr_cluster_broker_action (fixture->cluster, 1, MR_BROKER_ACTION_SLOW, 5,
                            &error);
  g_assert_no_error (error);

  brokers = mr_cluster_list_brokers (fixture->cluster);
  g_assert_cmpint (((MrBrokerInfo *)g_ptr_array_index (brokers, 1))->state, ==,
                   MR_BROKER_STATE_PAUSED);
  g_assert_cmpint (((MrBrokerInfo *)g_ptr_array_index (brokers, 2))->state, ==,
                   MR_BROKER_STATE_ISOLATED);
  g_assert_cmpuint (((MrBrokerInfo *)g_ptr_array_index (brokers, 0))
                      ->latency_ms, ==, 5);

  mr_cluster_broker_action (fixture->cluster, 2, MR_BROKER_ACTION_RESUME, 0,
                            &error);
  g_assert_no_error (error);
  mr_cluster_broker_action (fixture->cluster, 3, MR_BROKER_ACTION_HEAL, 0,
                            &error);
  g_assert_no_error (error);
  mr_cluster_broker_action (fixture->cluster, 1, MR_BROKER_ACTION_HEAL, 0,
                            &error);
  g_assert_no_error (error);

  mr_cluster_broker_action (fixture->cluster, 3, MR_BROKER_ACTION_STOP, 0,
                            &error);
  g_assert_no_error (error);
  mr_cluster_broker_action (fixture->cluster, 3, MR_BROKER_ACTION_STOP, 0,
                            &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_STATE);
  g_clear_error (&error);
  mr_cluster_broker_action (fixture->cluster, 3, MR_BROKER_ACTION_START, 0,
                            &error);
  g_assert_no_error (error);
}

static void
test_clean_stop_moves_leadership_first (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint32 leader;
  gint32 next;

  create_topic (fixture->cluster, "audit", 1, "2");
  leader = leader_of (fixture->cluster, "audit", 0);
  g_assert_cmpint (produce (fixture->cluster, -1, "audit", 0, 0, 5, -1, NULL),
                   ==, MR_KAFKA_ERROR_NONE);

  mr_cluster_broker_action (fixture->cluster, leader, MR_BROKER_ACTION_STOP,
                            0, &error);
  g_assert_no_error (error);

  /* The next produce needs no retry: leadership moved before the stop. */
  next = leader_of (fixture->cluster, "audit", 0);
  g_assert_cmpint (next, !=, leader);
  g_assert_cmpint (next, >, 0);
  g_assert_cmpint (produce (fixture->cluster, -1, "audit", 0, 5, 5, -1, NULL),
                   ==, MR_KAFKA_ERROR_NONE);

  /* With two of three brokers gone, acks=all is refused before the append
   * (min.insync.replicas=2), and acks=1 still works. */
  mr_cluster_broker_action (fixture->cluster, next, MR_BROKER_ACTION_STOP, 0,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpint (produce (fixture->cluster, -1, "audit", 0, 10, 5, -1,
                            NULL),
                   ==, MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS);
  g_assert_cmpint (produce (fixture->cluster, -1, "audit", 0, 10, 5, 1, NULL),
                   ==, MR_KAFKA_ERROR_NONE);
}

static gint32
wait_new_leader (MrCluster  *cluster,
                 const char *topic,
                 gint32      old_leader)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  /* Elected by the controller, and leading on its broker: describe shows a
   * high watermark only when the leader's replica knows it leads. */
  for (;;)
    {
      g_autoptr(MrTopicInfo) info = mr_cluster_describe_topic (cluster, topic,
                                                               NULL);
      MrPartitionInfo *p = g_ptr_array_index (info->partitions, 0);

      if (p->leader > 0 && p->leader != old_leader && p->high_watermark >= 0)
        return p->leader;
      if (g_get_monotonic_time () >= deadline)
        {
          g_autoptr(GPtrArray) events = mr_event_stream_dup_history (
            mr_cluster_get_event_stream (cluster), 0);

          for (guint i = 0; i < events->len; i++)
            {
              g_autofree char *line = mr_cluster_event_dup_summary (
                g_ptr_array_index (events, i));
              g_test_message ("event: %s", line);
            }
          g_test_message ("leader %d, ISR size %u, high watermark %"
                          G_GINT64_FORMAT, p->leader, p->isr->len,
                          p->high_watermark);
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

/* The REPLICA_TRUNCATED events of @broker_id so far. */
static guint
count_truncations (MrCluster *cluster,
                   gint32     broker_id,
                   gint64    *from,
                   gint64    *to)
{
  g_autoptr(GPtrArray) events = NULL;
  guint n = 0;

  events = mr_event_stream_dup_history (mr_cluster_get_event_stream (cluster),
                                        0);
  for (guint i = 0; i < events->len; i++)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i);

      if (mr_cluster_event_get_kind (event)
          == MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED
          && mr_cluster_event_get_broker_id (event) == broker_id)
        {
          *from = mr_cluster_event_get_from_offset (event);
          *to = mr_cluster_event_get_to_offset (event);
          n++;
        }
    }
  return n;
}

/* Reliability scenarios 2 and 7: an isolated leader keeps accepting acks=1
 * writes (a zombie), which are lost when it rejoins, and the loss is
 * reported; acks=all writes are never lost. */
static void
test_zombie_leader_acks1_loss_is_reported (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  gint32 zombie;
  gint32 leader;
  gint64 from = -1;
  gint64 to = -1;
  gint64 zombie_offset = -1;

  create_topic (fixture->cluster, "ledger", 1, "2");
  zombie = leader_of (fixture->cluster, "ledger", 0);
  g_assert_cmpint (produce (fixture->cluster, -1, "ledger", 0, 0, 10, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  mr_cluster_broker_action (fixture->cluster, zombie,
                            MR_BROKER_ACTION_ISOLATE, 0, &error);
  g_assert_no_error (error);

  /* Clients that still talk to it: acks=1 is acknowledged, acks=all cannot
   * be, since no follower reaches it. */
  g_assert_cmpint (produce (fixture->cluster, zombie, "ledger", 0, 1000, 5, 1,
                            &zombie_offset), ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (zombie_offset, ==, 10);
  g_assert_cmpint (produce (fixture->cluster, zombie, "ledger", 0, 2000, 5,
                            -1, NULL), !=, MR_KAFKA_ERROR_NONE);

  leader = wait_new_leader (fixture->cluster, "ledger", zombie);
  g_assert_cmpint (produce (fixture->cluster, -1, "ledger", 0, 10, 10, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  mr_cluster_broker_action (fixture->cluster, zombie, MR_BROKER_ACTION_HEAL,
                            0, &error);
  g_assert_no_error (error);
  wait_converged (fixture->cluster, "ledger", 0);

  /* The zombie cut what only it had, and said so with the offsets. */
  g_assert_cmpuint (count_truncations (fixture->cluster, zombie, &from, &to),
                    >=, 1);
  g_assert_cmpint (to, ==, 10);
  g_assert_cmpint (from, >=, 15);

  keys = consume_all (fixture->cluster, "ledger", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 20);
  g_assert_true (g_hash_table_contains (keys, "key-0"));
  g_assert_true (g_hash_table_contains (keys, "key-19"));
  g_assert_false (g_hash_table_contains (keys, "key-1000"));
  assert_replicas_identical (fixture->dir, "ledger", 0);
  (void)leader;
}

/* Scenario 7 with a pause: a leader frozen past the session timeout loses
 * its leadership; when it wakes up it cannot commit anything under its old
 * epoch, and rejoins as a follower. */
static void
test_paused_leader_is_fenced (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  gint32 paused;

  create_topic (fixture->cluster, "clicks", 1, "2");
  paused = leader_of (fixture->cluster, "clicks", 0);
  g_assert_cmpint (produce (fixture->cluster, -1, "clicks", 0, 0, 10, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  mr_cluster_broker_action (fixture->cluster, paused, MR_BROKER_ACTION_PAUSE,
                            0, &error);
  g_assert_no_error (error);
  wait_new_leader (fixture->cluster, "clicks", paused);
  g_assert_cmpint (produce (fixture->cluster, -1, "clicks", 0, 10, 10, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  mr_cluster_broker_action (fixture->cluster, paused, MR_BROKER_ACTION_RESUME,
                            0, &error);
  g_assert_no_error (error);

  /* Whatever it says, an acks=all write through the old leader is never
   * acknowledged under its old epoch. */
  g_assert_cmpint (produce (fixture->cluster, paused, "clicks", 0, 3000, 5,
                            -1, NULL), !=, MR_KAFKA_ERROR_NONE);

  wait_converged (fixture->cluster, "clicks", 0);
  keys = consume_all (fixture->cluster, "clicks", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 20);
  g_assert_false (g_hash_table_contains (keys, "key-3000"));
  assert_replicas_identical (fixture->dir, "clicks", 0);
}

static MrKafkaError
produce_idempotent (MrCluster *cluster,
                    gint32     sequence,
                    gint64    *base_offset)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MrProduceResult) result = { 0, };
  char key[32];
  gsize len = 0;
  guint8 *batch;

  builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
  mr_record_batch_builder_set_producer (builder, 4242, 0, sequence);
  for (guint i = 0; i < 3; i++)
    {
      int key_len = g_snprintf (key, sizeof key, "seq-%d-%u", sequence, i);

      mr_record_batch_builder_add (builder, g_get_real_time () / 1000,
                                   (const guint8 *)key, key_len,
                                   (const guint8 *)"v", 1, NULL, 0);
    }
  batch = g_bytes_unref_to_data (mr_record_batch_builder_finish (builder,
                                                                 &error),
                                 &len);
  g_assert_no_error (error);

  mr_cluster_produce (cluster, -1, "idem", 0, batch, len, -1, 2000, &result);
  *base_offset = result.base_offset;
  return result.error;
}

/* Scenario 9: a retried batch is recognised after a leader change (the new
 * leader rebuilt the producer's window from its log). */
static void
test_idempotent_retry_after_leader_change (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  gint64 offsets[5];
  gint64 offset = -1;
  gint32 leader;

  create_topic (fixture->cluster, "idem", 1, "2");
  for (gint32 seq = 0; seq < 5; seq++)
    g_assert_cmpint (produce_idempotent (fixture->cluster, seq * 3,
                                         &offsets[seq]),
                     ==, MR_KAFKA_ERROR_NONE);

  leader = leader_of (fixture->cluster, "idem", 0);
  mr_cluster_broker_action (fixture->cluster, leader, MR_BROKER_ACTION_CRASH,
                            0, &error);
  g_assert_no_error (error);
  wait_new_leader (fixture->cluster, "idem", leader);

  /* Retries of each of the last five batches: the original offsets, no
   * new records. */
  for (gint32 seq = 0; seq < 5; seq++)
    {
      g_assert_cmpint (produce_idempotent (fixture->cluster, seq * 3,
                                           &offset),
                       ==, MR_KAFKA_ERROR_NONE);
      g_assert_cmpint (offset, ==, offsets[seq]);
    }

  /* The next sequence goes on; a gap does not. */
  g_assert_cmpint (produce_idempotent (fixture->cluster, 15, &offset), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (offset, ==, 15);
  g_assert_cmpint (produce_idempotent (fixture->cluster, 30, &offset), ==,
                   MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER);

  keys = consume_all (fixture->cluster, "idem", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 18);
}

static void
action (MrCluster      *cluster,
        gint32          broker,
        MrBrokerAction  what)
{
  g_autoptr(GError) error = NULL;

  mr_cluster_broker_action (cluster, broker, what, 0, &error);
  g_assert_no_error (error);
}

static void
wait_isr_size (MrCluster  *cluster,
               const char *topic,
               guint       size)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_autoptr(MrTopicInfo) info = mr_cluster_describe_topic (cluster, topic,
                                                               NULL);
      MrPartitionInfo *p = g_ptr_array_index (info->partitions, 0);

      if (p->isr->len == size && p->high_watermark >= 0)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

static guint
count_events (MrCluster          *cluster,
              MrClusterEventKind  kind)
{
  g_autoptr(GPtrArray) events = NULL;
  guint n = 0;

  events = mr_event_stream_dup_history (mr_cluster_get_event_stream (cluster),
                                        0);
  for (guint i = 0; i < events->len; i++)
    if (mr_cluster_event_get_kind (g_ptr_array_index (events, i)) == kind)
      n++;
  return n;
}

/* Scenario 3: the ISR shrinks to the leader alone, then the leader dies.
 * min.insync.replicas=2 refuses acks=all writes meanwhile; with unclean
 * election off, the partition goes offline instead of losing what only the
 * leader had, and comes back with that leader. */
static void
test_last_isr_member_dies_partition_goes_offline (Fixture       *fixture,
                                                  gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  gint32 leader;
  gint32 followers[2];
  guint n = 0;

  create_topic (fixture->cluster, "strict", 1, "2");
  create_topic (fixture->cluster, "lenient", 1, "1");
  /* Whichever broker "strict" started on, once the other two brokers are
   * paused it is led by the one left, alone in its ISR. */
  leader = leader_of (fixture->cluster, "lenient", 0);
  for (gint32 id = 1; id <= 3; id++)
    if (id != leader)
      followers[n++] = id;

  for (guint i = 0; i < 2; i++)
    action (fixture->cluster, followers[i], MR_BROKER_ACTION_PAUSE);
  wait_isr_size (fixture->cluster, "lenient", 1);
  wait_isr_size (fixture->cluster, "strict", 1);

  /* Refused before the append, or (while the leader is still learning of
   * the smaller ISR) after it: either way never acknowledged. */
  {
    MrKafkaError code = produce (fixture->cluster, -1, "strict", 0, 0, 5, -1,
                                 NULL);

    g_assert_true (code == MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS
                   || code == MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  }
  g_assert_cmpint (produce (fixture->cluster, -1, "lenient", 0, 0, 5, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  action (fixture->cluster, leader, MR_BROKER_ACTION_CRASH);
  for (guint i = 0; i < 2; i++)
    action (fixture->cluster, followers[i], MR_BROKER_ACTION_RESUME);

  /* Long past the session timeout: still no leader, and no data lost. */
  g_usleep (1500 * 1000);
  g_assert_cmpint (leader_of (fixture->cluster, "lenient", 0), ==, -1);
  g_assert_cmpint (produce (fixture->cluster, -1, "lenient", 0, 5, 5, -1,
                            NULL), ==, MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE);

  action (fixture->cluster, leader, MR_BROKER_ACTION_START);
  wait_converged (fixture->cluster, "lenient", 0);
  g_assert_cmpint (leader_of (fixture->cluster, "lenient", 0), ==, leader);
  keys = consume_all (fixture->cluster, "lenient", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 5);
}

/* Scenario 4: with unclean.leader.election.enable, an out-of-sync replica
 * takes over; what only the old leader had is lost, and both the election
 * and the old leader's truncation are reported. */
static void
test_unclean_election_loss_is_reported (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  gint32 leader;
  gint32 followers[2];
  gint64 from = -1;
  gint64 to = -1;
  guint n = 0;

  g_hash_table_insert (configs, (gpointer)"unclean.leader.election.enable",
                       (gpointer)"true");
  mr_cluster_create_topic (fixture->cluster, "risky", 1, 3, configs, FALSE,
                           &error);
  g_assert_no_error (error);
  leader = leader_of (fixture->cluster, "risky", 0);
  for (gint32 id = 1; id <= 3; id++)
    if (id != leader)
      followers[n++] = id;

  g_assert_cmpint (produce (fixture->cluster, -1, "risky", 0, 0, 10, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);
  wait_converged (fixture->cluster, "risky", 0);

  for (guint i = 0; i < 2; i++)
    action (fixture->cluster, followers[i], MR_BROKER_ACTION_PAUSE);
  wait_isr_size (fixture->cluster, "risky", 1);
  g_assert_cmpint (produce (fixture->cluster, -1, "risky", 0, 100, 5, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  action (fixture->cluster, leader, MR_BROKER_ACTION_CRASH);
  for (guint i = 0; i < 2; i++)
    action (fixture->cluster, followers[i], MR_BROKER_ACTION_RESUME);
  wait_new_leader (fixture->cluster, "risky", leader);
  g_assert_cmpuint (count_events (fixture->cluster,
                                  MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED),
                    ==, 1);
  {
    g_autoptr(GPtrArray) events = mr_event_stream_dup_history (
      mr_cluster_get_event_stream (fixture->cluster), 0);

    for (guint i = 0; i < events->len; i++)
      if (mr_cluster_event_get_kind (g_ptr_array_index (events, i))
          == MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED)
        g_assert_nonnull (strstr (mr_cluster_event_get_reason (
                                    g_ptr_array_index (events, i)),
                                  "from offset 10 on is lost"));
  }

  action (fixture->cluster, leader, MR_BROKER_ACTION_START);
  wait_converged (fixture->cluster, "risky", 0);
  g_assert_cmpuint (count_truncations (fixture->cluster, leader, &from, &to),
                    >=, 1);
  g_assert_cmpint (to, ==, 10);
  g_assert_cmpint (from, ==, 15);

  /* The five records written while the ISR was the old leader alone. */
  keys = consume_all (fixture->cluster, "risky", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 10);
  g_assert_false (g_hash_table_contains (keys, "key-100"));
  assert_replicas_identical (fixture->dir, "risky", 0);
}

/* Scenario 6: two leader failures within a fetch interval leave diverging
 * logs; the replicas still converge byte for byte and nothing acknowledged
 * is lost. */
static void
test_rapid_double_failover_converges (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  GHashTable *acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             NULL);
  gint32 first;
  gint32 second;
  guint next = 0;

  create_topic (fixture->cluster, "flaky", 1, "2");
  for (guint round = 0; round < 3; round++)
    {
      /* Each round starts from a whole ISR: two leaders fail in quick
       * succession, the restarted first one still catching up. */
      wait_converged (fixture->cluster, "flaky", 0);
      for (guint i = 0; i < 10; i++, next += 5)
        if (produce (fixture->cluster, -1, "flaky", 0, next, 5, -1, NULL)
            == MR_KAFKA_ERROR_NONE)
          for (guint k = 0; k < 5; k++)
            g_hash_table_add (acked, g_strdup_printf ("key-%u", next + k));

      first = leader_of (fixture->cluster, "flaky", 0);
      action (fixture->cluster, first, MR_BROKER_ACTION_CRASH);
      second = wait_new_leader (fixture->cluster, "flaky", first);
      action (fixture->cluster, first, MR_BROKER_ACTION_START);
      /* Writes that only the second leader may hold when it fails. */
      for (guint i = 0; i < 3; i++, next += 5)
        produce (fixture->cluster, second, "flaky", 0, next, 5, 1, NULL);
      action (fixture->cluster, second, MR_BROKER_ACTION_CRASH);
      wait_new_leader (fixture->cluster, "flaky", second);
      action (fixture->cluster, second, MR_BROKER_ACTION_START);
    }

  wait_converged (fixture->cluster, "flaky", 0);
  keys = consume_all (fixture->cluster, "flaky", 0);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, acked);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_assert_true (g_hash_table_contains (keys, key));
  }
  g_test_message ("%u acknowledged with acks=all, all read back, %u in the "
                  "log", g_hash_table_size (acked), g_hash_table_size (keys));
  assert_replicas_identical (fixture->dir, "flaky", 0);
  g_hash_table_unref (acked);
}

/* Scenario 11: every broker loses its power, one after the other. With
 * flush.messages=1 every acknowledged record had reached the disk of each
 * replica that acknowledged it, so none is lost. */
static void
test_power_loss_with_fsync_on_commit (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  MrClusterOptions options;
  MrCluster *cluster;

  mr_test_cluster_options_init (&options, dir, 3);
  options.simulate_power_loss = TRUE;
  cluster = mr_test_start_cluster (&options);

  g_hash_table_insert (configs, (gpointer)"min.insync.replicas",
                       (gpointer)"2");
  g_hash_table_insert (configs, (gpointer)"flush.messages", (gpointer)"1");
  mr_cluster_create_topic (cluster, "durable", 1, 3, configs, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 20; i++)
    g_assert_cmpint (produce (cluster, -1, "durable", 0, i * 5, 5, -1, NULL),
                     ==, MR_KAFKA_ERROR_NONE);

  for (gint32 id = 1; id <= 3; id++)
    action (cluster, id, MR_BROKER_ACTION_CRASH);
  for (gint32 id = 1; id <= 3; id++)
    action (cluster, id, MR_BROKER_ACTION_START);

  wait_converged (cluster, "durable", 0);
  keys = consume_all (cluster, "durable", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 100);

  mr_cluster_unref (cluster);
  mr_cluster_options_clear (&options);
  mr_test_remove_tree (dir);
}

typedef struct
{
  GMutex       lock;
  GCond        cond;
  gboolean     done;
  MrKafkaError error;
} Waiting;

static void
waiting_done_cb (const MrProduceResult *result,
                 gpointer               user_data)
{
  Waiting *waiting = user_data;

  g_mutex_lock (&waiting->lock);
  waiting->error = result->error;
  waiting->done = TRUE;
  g_cond_signal (&waiting->cond);
  g_mutex_unlock (&waiting->lock);
}

/* An acks=all produce that is waiting when the ISR falls below
 * min.insync.replicas gets NOT_ENOUGH_REPLICAS_AFTER_APPEND: the record is
 * in the leader's log, and the answer says it may not be committed. */
static void
test_not_enough_replicas_after_append (Fixture       *fixture,
                                       gconstpointer  data)
{
  Waiting waiting = { 0, };
  gint32 leader;
  gsize len = 0;
  guint8 *batch;

  create_topic (fixture->cluster, "tight", 1, "3");
  leader = leader_of (fixture->cluster, "tight", 0);
  g_assert_cmpint (produce (fixture->cluster, -1, "tight", 0, 0, 5, -1, NULL),
                   ==, MR_KAFKA_ERROR_NONE);

  /* One follower freezes: the ISR is still 3 when the write arrives, so
   * it is appended, then waits for a replica that does not come. */
  for (gint32 id = 1; id <= 3; id++)
    if (id != leader)
      {
        action (fixture->cluster, id, MR_BROKER_ACTION_PAUSE);
        break;
      }

  g_mutex_init (&waiting.lock);
  g_cond_init (&waiting.cond);
  batch = g_bytes_unref_to_data (mr_test_build_batch (5, 20, 5, 0,
                                                      MR_COMPRESSION_NONE),
                                 &len);
  mr_cluster_produce_async (fixture->cluster, -1, "tight", 0, batch, len, -1,
                            30000, waiting_done_cb, &waiting);

  g_mutex_lock (&waiting.lock);
  while (!waiting.done)
    g_cond_wait (&waiting.cond, &waiting.lock);
  g_mutex_unlock (&waiting.lock);
  g_assert_cmpint (waiting.error, ==,
                   MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);

  /* And new writes are refused before the append. */
  g_assert_cmpint (produce (fixture->cluster, -1, "tight", 0, 10, 5, -1,
                            NULL), ==, MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS);

  for (gint32 id = 1; id <= 3; id++)
    if (id != leader)
      {
        action (fixture->cluster, id, MR_BROKER_ACTION_RESUME);
        break;
      }
  g_mutex_clear (&waiting.lock);
  g_cond_clear (&waiting.cond);
}

/* Topic administration through the cluster API: bad input changes
 * nothing, good input is visible at once and survives. */
static void
test_topic_administration (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) bad = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) topics = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *replica_dir = NULL;
  guint leaders[4] = { 0, };

  /* Kafka's name rules and config validation. */
  mr_cluster_create_topic (fixture->cluster, "no/slashes", 1, 1, NULL, FALSE,
                           &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC);
  g_clear_error (&error);
  g_hash_table_insert (bad, (gpointer)"retention.ms", (gpointer)"soon");
  mr_cluster_create_topic (fixture->cluster, "orders", 1, 1, bad, FALSE,
                           &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  mr_cluster_create_topic (fixture->cluster, "orders", 1, 4, NULL, FALSE,
                           &error);
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR);
  g_clear_error (&error);
  mr_cluster_create_topic (fixture->cluster, "orders", 6, 3, NULL, TRUE,
                           &error);
  g_assert_no_error (error);
  topics = mr_cluster_list_topics (fixture->cluster);
  g_assert_cmpuint (topics->len, ==, 0);
  g_clear_pointer (&topics, g_ptr_array_unref);

  /* Six partitions over three brokers: two leaders each. */
  g_hash_table_insert (configs, (gpointer)"cleanup.policy",
                       (gpointer)"compact");
  mr_cluster_create_topic (fixture->cluster, "orders", 6, 3, configs, FALSE,
                           &error);
  g_assert_no_error (error);
  mr_cluster_create_topic (fixture->cluster, "orders", 6, 3, NULL, FALSE,
                           &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_TOPIC_EXISTS);
  g_clear_error (&error);

  info = mr_cluster_describe_topic (fixture->cluster, "orders", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 6);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "cleanup.policy"), ==,
                   "compact");
  for (guint p = 0; p < 6; p++)
    {
      MrPartitionInfo *partition = g_ptr_array_index (info->partitions, p);

      g_assert_cmpuint (partition->replicas->len, ==, 3);
      g_assert_cmpuint (partition->isr->len, ==, 3);
      leaders[partition->leader]++;
    }
  g_assert_cmpuint (leaders[1], ==, 2);
  g_assert_cmpuint (leaders[2], ==, 2);
  g_assert_cmpuint (leaders[3], ==, 2);
  g_clear_pointer (&info, mr_topic_info_free);

  /* Configs change; partitions only grow. */
  g_hash_table_insert (configs, (gpointer)"retention.ms", (gpointer)"60000");
  mr_cluster_alter_topic_configs (fixture->cluster, "orders", configs, FALSE,
                                  &error);
  g_assert_no_error (error);
  mr_cluster_alter_topic_configs (fixture->cluster, "orders", bad, FALSE,
                                  &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  mr_cluster_create_partitions (fixture->cluster, "orders", 4, FALSE, &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_PARTITIONS);
  g_clear_error (&error);
  mr_cluster_create_partitions (fixture->cluster, "orders", 9, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (produce (fixture->cluster, -1, "orders", 8, 0, 3, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  info = mr_cluster_describe_topic (fixture->cluster, "orders", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 9);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "retention.ms"), ==,
                   "60000");
  g_clear_pointer (&info, mr_topic_info_free);

  /* Auto-creation on produce, with the defaults. */
  g_assert_cmpint (produce (fixture->cluster, -1, "auto-made", 2, 0, 1, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);
  info = mr_cluster_describe_topic (fixture->cluster, "auto-made", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 3);
  g_clear_pointer (&info, mr_topic_info_free);

  /* Deletion removes the replicas' directories. */
  replica_dir = g_build_filename (fixture->dir, "broker-1", "orders-0", NULL);
  g_assert_true (g_file_test (replica_dir, G_FILE_TEST_IS_DIR));
  mr_cluster_delete_topic (fixture->cluster, "orders", &error);
  g_assert_no_error (error);
  mr_cluster_delete_topic (fixture->cluster, "orders", &error);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
  g_clear_error (&error);
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

    while (g_file_test (replica_dir, G_FILE_TEST_EXISTS))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (10 * 1000);
      }
  }
  g_assert_cmpint (produce (fixture->cluster, -1, "orders", 0, 0, 1, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);
}

/* After a failover and the old leader's return, the preferred replica
 * leads again, so leaders stay balanced. */
static void
test_preferred_leader_restored (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(MrTopicInfo) info = NULL;
  gint32 preferred;
  gint64 deadline;
  guint64 since;

  create_topic (fixture->cluster, "balanced", 1, "2");
  info = mr_cluster_describe_topic (fixture->cluster, "balanced", NULL);
  preferred = g_array_index (((MrPartitionInfo *)g_ptr_array_index (
    info->partitions, 0))->replicas, gint32, 0);
  g_assert_cmpint (leader_of (fixture->cluster, "balanced", 0), ==, preferred);

  action (fixture->cluster, preferred, MR_BROKER_ACTION_CRASH);
  wait_new_leader (fixture->cluster, "balanced", preferred);
  g_assert_cmpint (produce (fixture->cluster, -1, "balanced", 0, 0, 5, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);
  since = mr_event_stream_get_last_seq (mr_cluster_get_event_stream (fixture->cluster));
  action (fixture->cluster, preferred, MR_BROKER_ACTION_START);

  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (leader_of (fixture->cluster, "balanced", 0) != preferred)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
  /* Normally the controller gives the leadership back; on a machine so
   * loaded that the interim leader misses its heartbeats, an election may
   * pick the preferred replica first. Either way an event says so. */
  g_assert_cmpuint (count_events (fixture->cluster,
                                  MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED) +
                    count_leader_events (fixture->cluster, "balanced", preferred, since),
                    >=, 1);
}

typedef struct
{
  MrCluster     *cluster;
  MrFetchResult  result;
} LongPoll;

static gpointer
long_poll_thread (gpointer data)
{
  LongPoll *poll = data;

  /* Waits for data at the log end: the produce below wakes it. */
  mr_cluster_fetch (poll->cluster, -1, "offsets", 0, 10, 1 << 20, 20000, -1,
                    &poll->result);
  return NULL;
}

/* ListOffsets, a long-poll fetch woken by the high watermark, and
 * DeleteRecords on every replica. */
static void
test_offsets_long_poll_and_delete_records (Fixture       *fixture,
                                           gconstpointer  data)
{
  LongPoll poll = { fixture->cluster, { 0, } };
  gint64 offset = -1;
  gint64 found = -1;
  gint64 low = -1;
  gint64 t0 = g_get_real_time () / 1000;
  GThread *thread;

  create_topic (fixture->cluster, "offsets", 1, "2");
  g_assert_cmpint (produce (fixture->cluster, -1, "offsets", 0, 0, 10, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);

  g_assert_cmpint (mr_cluster_list_offset (fixture->cluster, -1, "offsets", 0,
                                           -2, &offset, NULL), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (offset, ==, 0);
  g_assert_cmpint (mr_cluster_list_offset (fixture->cluster, -1, "offsets", 0,
                                           -1, &offset, NULL), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (offset, ==, 10);
  g_assert_cmpint (mr_cluster_list_offset (fixture->cluster, -1, "offsets", 0,
                                           t0 - 1000, &offset, &found), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (offset, ==, 0);
  g_assert_cmpint (found, >=, t0 - 1000);
  g_assert_cmpint (mr_cluster_list_offset (fixture->cluster, -1, "offsets", 0,
                                           t0 + 3600000, &offset, &found), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (offset, ==, -1);

  thread = g_thread_new ("long-poll", long_poll_thread, &poll);
  g_usleep (100 * 1000);
  g_assert_cmpint (produce (fixture->cluster, -1, "offsets", 0, 10, 5, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);
  g_thread_join (thread);
  g_assert_cmpint (poll.result.error, ==, MR_KAFKA_ERROR_NONE);
  g_assert_nonnull (poll.result.records);
  g_assert_cmpint (poll.result.high_watermark, ==, 15);
  mr_fetch_result_clear (&poll.result);

  wait_converged (fixture->cluster, "offsets", 0);
  g_assert_cmpint (mr_cluster_delete_records (fixture->cluster, "offsets", 0,
                                              12, &low), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (low, ==, 12);
  g_assert_cmpint (mr_cluster_delete_records (fixture->cluster, "offsets", 0,
                                              99, &low), ==,
                   MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE);
  g_assert_cmpint (mr_cluster_list_offset (fixture->cluster, -1, "offsets", 0,
                                           -2, &offset, NULL), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (offset, ==, 12);
  {
    g_autoptr(MrTopicInfo) info = mr_cluster_describe_topic (fixture->cluster,
                                                             "offsets", NULL);
    MrPartitionInfo *p = g_ptr_array_index (info->partitions, 0);

    for (guint r = 0; r < p->replica_states->len; r++)
      g_assert_cmpint (g_array_index (p->replica_states, MrReplicaInfo, r)
                         .log_start_offset, ==, 12);
  }
}

/* Scenario 1: the leader dies after appending, before its followers
 * fetched. The write was never acknowledged, so nothing acknowledged is
 * lost; the idempotent retry lands exactly once. */
static void
test_leader_dies_before_replication (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  gint64 offset = -1;
  gint32 leader;

  create_topic (fixture->cluster, "idem", 1, "2");
  g_assert_cmpint (produce_idempotent (fixture->cluster, 0, &offset), ==,
                   MR_KAFKA_ERROR_NONE);
  wait_converged (fixture->cluster, "idem", 0);
  leader = leader_of (fixture->cluster, "idem", 0);

  /* Followers too slow to fetch before the crash. */
  for (gint32 id = 1; id <= 3; id++)
    if (id != leader)
      {
        mr_cluster_broker_action (fixture->cluster, id, MR_BROKER_ACTION_SLOW,
                                  300, &error);
        g_assert_no_error (error);
      }

  {
    Waiting waiting = { 0, };
    g_autoptr(MrRecordBatchBuilder) builder = NULL;
    gsize len = 0;
    guint8 *batch;

    builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
    mr_record_batch_builder_set_producer (builder, 4242, 0, 3);
    for (guint i = 0; i < 3; i++)
      {
        char key[32];
        int key_len = g_snprintf (key, sizeof key, "seq-3-%u", i);

        mr_record_batch_builder_add (builder, 0, (const guint8 *)key, key_len,
                                     (const guint8 *)"v", 1, NULL, 0);
      }
    batch = g_bytes_unref_to_data (mr_record_batch_builder_finish (builder,
                                                                   &error),
                                   &len);
    g_mutex_init (&waiting.lock);
    g_cond_init (&waiting.cond);
    mr_cluster_produce_async (fixture->cluster, -1, "idem", 0, batch, len, -1,
                              10000, waiting_done_cb, &waiting);
    action (fixture->cluster, leader, MR_BROKER_ACTION_CRASH);
    g_mutex_lock (&waiting.lock);
    while (!waiting.done)
      g_cond_wait (&waiting.cond, &waiting.lock);
    g_mutex_unlock (&waiting.lock);
    g_assert_cmpint (waiting.error, !=, MR_KAFKA_ERROR_NONE);
    g_mutex_clear (&waiting.lock);
    g_cond_clear (&waiting.cond);
  }

  for (gint32 id = 1; id <= 3; id++)
    if (id != leader)
      action (fixture->cluster, id, MR_BROKER_ACTION_HEAL);
  wait_new_leader (fixture->cluster, "idem", leader);

  /* The client retries the same batch: it lands once. */
  g_assert_cmpint (produce_idempotent (fixture->cluster, 3, &offset), ==,
                   MR_KAFKA_ERROR_NONE);
  action (fixture->cluster, leader, MR_BROKER_ACTION_START);
  wait_converged (fixture->cluster, "idem", 0);
  keys = consume_all (fixture->cluster, "idem", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 6);
  assert_replicas_identical (fixture->dir, "idem", 0);
}

/* Scenario 5 (KIP-101): a follower restarts and, still in the ISR, becomes
 * leader at once. It truncates by leader epoch, not to a stale high
 * watermark, so no acknowledged record is lost. */
static void
test_restarted_follower_becomes_leader (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  gint32 leader;
  gint32 follower = -1;

  create_topic (fixture->cluster, "kip101", 1, "2");
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (produce (fixture->cluster, -1, "kip101", 0, i * 5, 5, -1,
                              NULL), ==, MR_KAFKA_ERROR_NONE);
  leader = leader_of (fixture->cluster, "kip101", 0);
  for (gint32 id = 1; id <= 3 && follower < 0; id++)
    if (id != leader)
      follower = id;

  /* Faster than the session timeout: the controller never sees it go. */
  action (fixture->cluster, follower, MR_BROKER_ACTION_CRASH);
  action (fixture->cluster, follower, MR_BROKER_ACTION_START);
  action (fixture->cluster, leader, MR_BROKER_ACTION_CRASH);
  wait_new_leader (fixture->cluster, "kip101", leader);

  g_assert_cmpint (produce (fixture->cluster, -1, "kip101", 0, 50, 5, -1,
                            NULL), ==, MR_KAFKA_ERROR_NONE);
  action (fixture->cluster, leader, MR_BROKER_ACTION_START);
  wait_converged (fixture->cluster, "kip101", 0);
  keys = consume_all (fixture->cluster, "kip101", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 55);
  assert_replicas_identical (fixture->dir, "kip101", 0);
}

/* A follower that stays alive but falls behind for longer than
 * replica.lag.time.max.ms leaves the ISR through the leader's lag check;
 * it rejoins once caught up. A long session timeout keeps the controller
 * from removing it for slow heartbeats instead. */
static void
test_lagging_follower_leaves_and_rejoins_isr (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  MrClusterOptions options;
  MrCluster *cluster;
  gboolean by_lag = FALSE;
  gint32 leader;
  gint32 follower = -1;

  mr_test_cluster_options_init (&options, dir, 3);
  options.broker_session_timeout_ms = 10000;
  cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  mr_cluster_create_topic (cluster, "lag", 1, 3, configs, FALSE, &error);
  g_assert_no_error (error);
  leader = leader_of (cluster, "lag", 0);
  for (gint32 id = 1; id <= 3 && follower < 0; id++)
    if (id != leader)
      follower = id;

  /* Every fetch now takes 250 ms while records arrive every 20 ms: it never
   * catches up with the leader's end. */
  mr_cluster_broker_action (cluster, follower, MR_BROKER_ACTION_SLOW, 250,
                            &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 75; i++)
    {
      g_assert_cmpint (produce (cluster, -1, "lag", 0, i * 5, 5, 1, NULL),
                       ==, MR_KAFKA_ERROR_NONE);
      g_usleep (20 * 1000);
    }
  wait_isr_size (cluster, "lag", 2);

  events = mr_event_stream_dup_history (mr_cluster_get_event_stream (cluster),
                                        0);
  for (guint i = 0; i < events->len; i++)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i);

      if (mr_cluster_event_get_kind (event) == MR_CLUSTER_EVENT_KIND_ISR_SHRUNK
          && strstr (mr_cluster_event_get_reason (event),
                     "replica.lag.time.max.ms") != NULL)
        by_lag = TRUE;
    }
  g_assert_true (by_lag);

  action (cluster, follower, MR_BROKER_ACTION_HEAL);
  wait_converged (cluster, "lag", 0);
  /* The ISR grows at the leader's next ISR check after the catch-up. */
  wait_isr_size (cluster, "lag", 3);
  g_assert_cmpuint (count_events (cluster, MR_CLUSTER_EVENT_KIND_ISR_EXPANDED),
                    >=, 1);

  mr_cluster_unref (cluster);
  mr_test_remove_tree (dir);
}

static void
test_cluster_reopens_with_its_data (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GHashTable) keys = NULL;
  MrCluster *cluster = open_cluster (dir, 3);
  g_autofree char *cluster_id = g_strdup (mr_cluster_get_id (cluster));
  gint64 producer_id = -1;
  gint16 epoch = -1;

  create_topic (cluster, "events", 2, NULL);
  for (guint i = 0; i < 20; i++)
    g_assert_cmpint (produce (cluster, -1, "events", i % 2, i * 5, 5, -1,
                              NULL),
                     ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (mr_cluster_init_producer_id (cluster, &producer_id,
                                                &epoch), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (producer_id, ==, 1000);
  g_assert_cmpint (epoch, ==, 0);
  mr_cluster_unref (cluster);

  cluster = open_cluster (dir, 3);
  g_assert_cmpstr (mr_cluster_get_id (cluster), ==, cluster_id);
  /* Producer ids are never handed out twice, even after a restart. */
  g_assert_cmpint (mr_cluster_init_producer_id (cluster, &producer_id,
                                                &epoch), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (producer_id, ==, 1001);
  keys = consume_all (cluster, "events", 0);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 50);
  g_clear_pointer (&keys, g_hash_table_unref);
  keys = consume_all (cluster, "events", 1);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 50);
  mr_cluster_unref (cluster);

  mr_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cluster/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("replicated-produce-and-consume", test_replicated_produce_and_consume);
  ADD ("leader-crash-loses-no-acked-record",
       test_leader_crash_loses_no_acknowledged_record);
  ADD ("faults-and-transitions", test_faults_and_transitions);
  ADD ("clean-stop-moves-leadership-first",
       test_clean_stop_moves_leadership_first);
  ADD ("zombie-leader-acks1-loss-is-reported",
       test_zombie_leader_acks1_loss_is_reported);
  ADD ("paused-leader-is-fenced", test_paused_leader_is_fenced);
  ADD ("idempotent-retry-after-leader-change",
       test_idempotent_retry_after_leader_change);
  ADD ("last-isr-member-dies-partition-goes-offline",
       test_last_isr_member_dies_partition_goes_offline);
  ADD ("unclean-election-loss-is-reported",
       test_unclean_election_loss_is_reported);
  ADD ("rapid-double-failover-converges",
       test_rapid_double_failover_converges);
  ADD ("not-enough-replicas-after-append",
       test_not_enough_replicas_after_append);
  ADD ("topic-administration", test_topic_administration);
  ADD ("preferred-leader-restored", test_preferred_leader_restored);
  ADD ("leader-dies-before-replication",
       test_leader_dies_before_replication);
  ADD ("restarted-follower-becomes-leader",
       test_restarted_follower_becomes_leader);
  g_test_add_func ("/cluster/lagging-follower-leaves-and-rejoins-isr",
                   test_lagging_follower_leaves_and_rejoins_isr);
  ADD ("offsets-long-poll-and-delete-records",
       test_offsets_long_poll_and_delete_records);
  g_test_add_func ("/cluster/power-loss-with-fsync-on-commit",
                   test_power_loss_with_fsync_on_commit);
  g_test_add_func ("/cluster/reopens-with-its-data",
                   test_cluster_reopens_with_its_data);

  return g_test_run ();
}
