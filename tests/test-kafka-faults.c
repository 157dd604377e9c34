/* test-kafka-faults.c: a real librdkafka producer and consumer against the
 * Kafka listeners while brokers fail.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A producer sends N keyed records, paced over a few seconds, to a topic
 * with 3 partitions, RF 3 and min.insync.replicas=2, while a fault thread
 * stops, crashes, pauses and isolates the leader of one partition after
 * another through mr_cluster_broker_action(), one broker at a time, each
 * healed (and the ISR whole again) before the next. Record i goes to
 * partition i % 3 with key "key-<i>" and value "<i>", so the values of a
 * partition must increase in offset order. A consumer then reads every
 * partition from the beginning with CRC checks.
 *
 * With enable.idempotence=true and acks=all: no acknowledged record may be
 * missing, none may appear twice, and each partition keeps the produce
 * order. With acks=1 and no idempotence, acknowledged records may be lost,
 * but only when the cluster's event stream reported a truncation or an
 * unclean election: loss is reported, never silent.
 *
 * The consumer uses librdkafka's simple consumer (consume_start on every
 * partition from the beginning) rather than assign(): assign() needs a
 * group.id, and the group APIs are not advertised yet.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "mr-test-rdkafka.h"
#include "mr-test-util.h"

#define N_BROKERS    3
#define N_PARTITIONS 3
#define N_RECORDS    20000
#define PRODUCE_MS   9000

typedef MrTestKafkaCluster Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  mr_test_kafka_cluster_start (fixture, N_BROKERS, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  mr_test_kafka_cluster_stop (fixture);
}

static rd_kafka_conf_t *
new_conf (Fixture *fixture)
{
  rd_kafka_conf_t *conf = mr_test_rdkafka_conf_new (NULL);

  mr_test_rdkafka_conf_set (conf, "bootstrap.servers", fixture->bootstrap);
  mr_test_rdkafka_conf_set (conf, "reconnect.backoff.ms", "50");
  mr_test_rdkafka_conf_set (conf, "reconnect.backoff.max.ms", "500");
  mr_test_rdkafka_conf_set (conf, "socket.timeout.ms", "10000");
  mr_test_rdkafka_conf_set (conf, "topic.metadata.refresh.interval.ms", "1000");
  return conf;
}

static void
create_topic (Fixture    *fixture,
              const char *name)
{
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (configs, (gpointer)"min.insync.replicas",
                       (gpointer)"2");
  mr_cluster_create_topic (fixture->cluster, name, N_PARTITIONS, 3, configs,
                           FALSE, &error);
  g_assert_no_error (error);
}

/* Waits until every partition of @topic has a leader and a whole ISR. */
static void
wait_for_full_isr (Fixture    *fixture,
                   const char *topic)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_autoptr(MrTopicInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      gboolean whole = TRUE;

      info = mr_cluster_describe_topic (fixture->cluster, topic, &error);
      g_assert_no_error (error);
      for (guint p = 0; p < info->partitions->len; p++)
        {
          const MrPartitionInfo *pi = g_ptr_array_index (info->partitions, p);

          if (pi->leader < 0 || pi->isr->len != N_BROKERS)
            whole = FALSE;
        }
      if (whole)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

static gint32
leader_of (Fixture    *fixture,
           const char *topic,
           gint32      partition)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const MrPartitionInfo *pi;

  info = mr_cluster_describe_topic (fixture->cluster, topic, &error);
  g_assert_no_error (error);
  pi = g_ptr_array_index (info->partitions, partition);
  return pi->leader;
}

typedef struct
{
  Fixture    *fixture;
  const char *topic;
  guint       n_faults;
} Faults;

static void
broker_action (Fixture        *fixture,
               gint32          broker_id,
               MrBrokerAction  action)
{
  g_autoptr(GError) error = NULL;

  g_debug ("fault: broker %d %s", broker_id,
           mr_broker_action_to_string (action));
  mr_cluster_broker_action (fixture->cluster, broker_id, action, 0, &error);
  g_assert_no_error (error);
}

/* Each fault hits the current leader of the next partition, lasts about a
 * second (longer than the session timeout, so leadership moves), and is
 * healed before the next one starts. */
static gpointer
fault_thread (gpointer data)
{
  static const struct
  {
    MrBrokerAction fault;
    MrBrokerAction heal;
  } schedule[] = {
    { MR_BROKER_ACTION_STOP,    MR_BROKER_ACTION_START },
    { MR_BROKER_ACTION_CRASH,   MR_BROKER_ACTION_START },
    { MR_BROKER_ACTION_PAUSE,   MR_BROKER_ACTION_RESUME },
    { MR_BROKER_ACTION_ISOLATE, MR_BROKER_ACTION_HEAL },
  };
  Faults *faults = data;
  Fixture *fixture = faults->fixture;

  g_usleep (800 * G_TIME_SPAN_MILLISECOND);
  for (gsize i = 0; i < G_N_ELEMENTS (schedule); i++)
    {
      gint32 victim = leader_of (fixture, faults->topic,
                                 (gint32)(i % N_PARTITIONS));

      g_assert_cmpint (victim, >, 0);
      broker_action (fixture, victim, schedule[i].fault);
      g_usleep (1000 * G_TIME_SPAN_MILLISECOND);
      broker_action (fixture, victim, schedule[i].heal);
      wait_for_full_isr (fixture, faults->topic);
      faults->n_faults++;
      g_usleep (300 * G_TIME_SPAN_MILLISECOND);
    }
  return NULL;
}

typedef enum
{
  RECORD_PENDING,
  RECORD_ACKED,
  RECORD_FAILED,
} RecordState;

typedef struct
{
  guint8 state[N_RECORDS];        /* RecordState */
  guint  n_acked;
  guint  n_failed;
} Delivery;

/* Runs on the producing thread, from rd_kafka_poll() and flush(). */
static void
delivery_cb (rd_kafka_t                *rk,
             const rd_kafka_message_t  *message,
             void                      *opaque)
{
  Delivery *delivery = opaque;
  gsize index = GPOINTER_TO_SIZE (message->_private);

  g_assert_cmpuint (index, <, N_RECORDS);
  g_assert_cmpint (delivery->state[index], ==, RECORD_PENDING);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      delivery->state[index] = RECORD_ACKED;
      delivery->n_acked++;
    }
  else
    {
      g_debug ("record %" G_GSIZE_FORMAT " failed: %s", index,
               rd_kafka_err2str (message->err));
      delivery->state[index] = RECORD_FAILED;
      delivery->n_failed++;
    }
}

/* Produces the N records paced over PRODUCE_MS while the fault thread
 * runs, then waits for every delivery report. */
static void
produce_with_faults (Fixture    *fixture,
                     const char *topic,
                     gboolean    idempotent,
                     Delivery   *delivery)
{
  rd_kafka_conf_t *conf = new_conf (fixture);
  rd_kafka_t *producer;
  Faults faults = { fixture, topic, 0 };
  GThread *thread;
  gint64 start;
  char errstr[512];

  rd_kafka_conf_set_opaque (conf, delivery);
  rd_kafka_conf_set_dr_msg_cb (conf, delivery_cb);
  mr_test_rdkafka_conf_set (conf, "client.id", idempotent ? "faults-idempotent"
                                          : "faults-acks1");
  mr_test_rdkafka_conf_set (conf, "enable.idempotence", idempotent ? "true" : "false");
  mr_test_rdkafka_conf_set (conf, "acks", idempotent ? "all" : "1");
  mr_test_rdkafka_conf_set (conf, "message.timeout.ms", "45000");
  mr_test_rdkafka_conf_set (conf, "linger.ms", "2");
  mr_test_rdkafka_conf_set (conf, "retry.backoff.ms", "50");
  producer = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (producer == NULL)
    g_error ("rd_kafka_new: %s", errstr);

  thread = g_thread_new ("faults", fault_thread, &faults);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_RECORDS; i++)
    {
      gint64 due = start + (gint64)i * PRODUCE_MS * 1000 / N_RECORDS;
      char key[32];
      char value[32];
      int key_len = g_snprintf (key, sizeof key, "key-%06u", i);
      int value_len = g_snprintf (value, sizeof value, "%u", i);
      rd_kafka_resp_err_t err;

      while (g_get_monotonic_time () < due)
        rd_kafka_poll (producer, 1);
      do
        {
          err = rd_kafka_producev (producer,
                                   RD_KAFKA_V_TOPIC (topic),
                                   RD_KAFKA_V_PARTITION ((gint32)(i % N_PARTITIONS)),
                                   RD_KAFKA_V_MSGFLAGS (RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_KEY (key, (gsize)key_len),
                                   RD_KAFKA_V_VALUE (value, (gsize)value_len),
                                   RD_KAFKA_V_OPAQUE (GSIZE_TO_POINTER (i)),
                                   RD_KAFKA_V_END);
          if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll (producer, 10);
        }
      while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
      g_assert_cmpint (err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
      rd_kafka_poll (producer, 0);
    }

  g_thread_join (thread);
  g_assert_cmpuint (faults.n_faults, ==, 4);
  while (rd_kafka_outq_len (producer) > 0)
    rd_kafka_poll (producer, 100);
  g_assert_cmpuint (delivery->n_acked + delivery->n_failed, ==, N_RECORDS);
  g_assert_cmpint (rd_kafka_fatal_error (producer, errstr, sizeof errstr), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy (producer);
}

typedef struct
{
  guint n_read;
  guint n_missing;          /* acknowledged, never read */
  guint n_duplicates;
  guint n_out_of_order;
} Readback;

/* Reads every partition from the beginning to its high watermark and
 * compares with what was acknowledged. */
static void
read_back (Fixture        *fixture,
           const char     *topic,
           const Delivery *delivery,
           Readback       *readback)
{
  rd_kafka_conf_t *conf = new_conf (fixture);
  g_autofree guint8 *seen = g_new0 (guint8, N_RECORDS);
  rd_kafka_t *consumer;
  rd_kafka_topic_t *rkt;
  rd_kafka_queue_t *queue;
  gint64 high[N_PARTITIONS];
  gint64 next[N_PARTITIONS];
  gint64 last_value[N_PARTITIONS];
  gint64 deadline;
  char errstr[512];

  mr_test_rdkafka_conf_set (conf, "client.id", "faults-reader");
  mr_test_rdkafka_conf_set (conf, "check.crcs", "true");
  mr_test_rdkafka_conf_set (conf, "fetch.wait.max.ms", "100");
  consumer = rd_kafka_new (RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (consumer == NULL)
    g_error ("rd_kafka_new: %s", errstr);

  for (gint32 p = 0; p < N_PARTITIONS; p++)
    {
      gint64 low = -1;

      g_assert_cmpint (rd_kafka_query_watermark_offsets (consumer, topic, p,
                                                         &low, &high[p],
                                                         10000), ==,
                       RD_KAFKA_RESP_ERR_NO_ERROR);
      g_assert_cmpint (low, ==, 0);
      next[p] = 0;
      last_value[p] = -1;
    }

  rkt = rd_kafka_topic_new (consumer, topic, NULL);
  queue = rd_kafka_queue_new (consumer);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    g_assert_cmpint (rd_kafka_consume_start_queue (rkt, p,
                                                   RD_KAFKA_OFFSET_BEGINNING,
                                                   queue), ==, 0);

  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
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
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);

      n = rd_kafka_consume_batch_queue (queue, 200, messages,
                                        G_N_ELEMENTS (messages));
      g_assert_cmpint (n, >=, 0);
      for (ssize_t m = 0; m < n; m++)
        {
          rd_kafka_message_t *message = messages[m];
          g_autofree char *value = NULL;
          g_autofree char *key = NULL;
          g_autofree char *expected_key = NULL;
          guint64 index;
          gint32 p = message->partition;

          if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR)
            {
              /* End-of-partition events; a CRC error fails here. */
              g_assert_cmpint (message->err, ==,
                               RD_KAFKA_RESP_ERR__PARTITION_EOF);
              rd_kafka_message_destroy (message);
              continue;
            }

          g_assert_cmpint (p, >=, 0);
          g_assert_cmpint (p, <, N_PARTITIONS);
          g_assert_cmpint (message->offset, >=, next[p]);
          next[p] = message->offset + 1;
          value = g_strndup (message->payload, message->len);
          key = g_strndup (message->key, message->key_len);
          index = g_ascii_strtoull (value, NULL, 10);
          g_assert_cmpuint (index, <, N_RECORDS);
          expected_key = g_strdup_printf ("key-%06u", (guint)index);
          g_assert_cmpstr (key, ==, expected_key);
          g_assert_cmpuint (index % N_PARTITIONS, ==, (guint)p);

          readback->n_read++;
          if (seen[index])
            readback->n_duplicates++;
          seen[index] = TRUE;
          if ((gint64)index <= last_value[p])
            readback->n_out_of_order++;
          last_value[p] = MAX (last_value[p], (gint64)index);
          rd_kafka_message_destroy (message);
        }
    }

  for (gint32 p = 0; p < N_PARTITIONS; p++)
    rd_kafka_consume_stop (rkt, p);
  rd_kafka_queue_destroy (queue);
  rd_kafka_topic_destroy (rkt);
  rd_kafka_destroy (consumer);

  for (guint i = 0; i < N_RECORDS; i++)
    if (delivery->state[i] == RECORD_ACKED && !seen[i])
      readback->n_missing++;
}

typedef struct
{
  guint n_truncations;
  guint n_unclean;
  guint n_elections;
} EventCounts;

static void
count_events (Fixture     *fixture,
              guint64      since,
              EventCounts *counts)
{
  MrEventStream *stream = mr_cluster_get_event_stream (fixture->cluster);
  g_autoptr(GPtrArray) events = mr_event_stream_dup_history (stream, since);

  /* The history must still hold every event of the run. */
  g_assert_cmpuint (mr_event_stream_get_first_seq (stream), <=, since + 1);
  for (guint i = 0; i < events->len; i++)
    {
      MrClusterEventKind kind = mr_cluster_event_get_kind (
        g_ptr_array_index (events, i));

      if (kind == MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED)
        counts->n_truncations++;
      else if (kind == MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED)
        counts->n_unclean++;
      else if (kind == MR_CLUSTER_EVENT_KIND_LEADER_ELECTED)
        counts->n_elections++;
    }
}

static void
test_idempotent_acks_all (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree Delivery *delivery = g_new0 (Delivery, 1);
  Readback readback = { 0, };
  EventCounts counts = { 0, };
  guint64 since;

  create_topic (fixture, "faults-idempotent");
  wait_for_full_isr (fixture, "faults-idempotent");
  since = mr_event_stream_get_last_seq (
    mr_cluster_get_event_stream (fixture->cluster));

  produce_with_faults (fixture, "faults-idempotent", TRUE, delivery);
  read_back (fixture, "faults-idempotent", delivery, &readback);
  count_events (fixture, since, &counts);

  g_test_message ("idempotent, acks=all: %u acknowledged, %u failed, "
                  "%u read, %u missing, %u duplicates, %u out of order, "
                  "%u leader elections, %u truncations",
                  delivery->n_acked, delivery->n_failed, readback.n_read,
                  readback.n_missing, readback.n_duplicates,
                  readback.n_out_of_order, counts.n_elections,
                  counts.n_truncations);
  /* One faulty broker at a time never keeps a record from delivery. */
  g_assert_cmpuint (delivery->n_acked, ==, N_RECORDS);
  g_assert_cmpuint (readback.n_missing, ==, 0);
  g_assert_cmpuint (readback.n_duplicates, ==, 0);
  g_assert_cmpuint (readback.n_out_of_order, ==, 0);
  /* The faults moved leadership. */
  g_assert_cmpuint (counts.n_elections, >, 0);
}

static void
test_acks_one (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree Delivery *delivery = g_new0 (Delivery, 1);
  Readback readback = { 0, };
  EventCounts counts = { 0, };
  guint64 since;

  create_topic (fixture, "faults-acks1");
  wait_for_full_isr (fixture, "faults-acks1");
  since = mr_event_stream_get_last_seq (
    mr_cluster_get_event_stream (fixture->cluster));

  produce_with_faults (fixture, "faults-acks1", FALSE, delivery);
  read_back (fixture, "faults-acks1", delivery, &readback);
  count_events (fixture, since, &counts);

  g_test_message ("acks=1, not idempotent: %u acknowledged, %u failed, "
                  "%u read, %u acknowledged but missing, %u duplicates, "
                  "%u out of order, %u leader elections, %u truncations, "
                  "%u unclean elections",
                  delivery->n_acked, delivery->n_failed, readback.n_read,
                  readback.n_missing, readback.n_duplicates,
                  readback.n_out_of_order, counts.n_elections,
                  counts.n_truncations, counts.n_unclean);
  g_assert_cmpuint (delivery->n_acked, >, 0);
  if (readback.n_missing > 0)
    g_assert_cmpuint (counts.n_truncations + counts.n_unclean, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/kafka-faults/idempotent-acks-all", Fixture, NULL,
              fixture_setup, test_idempotent_acks_all, fixture_teardown);
  g_test_add ("/kafka-faults/acks-1", Fixture, NULL,
              fixture_setup, test_acks_one, fixture_teardown);

  return g_test_run ();
}
