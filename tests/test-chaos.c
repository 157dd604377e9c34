/* test-chaos.c: producers and a reader run while a seeded scheduler stops,
 * crashes, pauses, isolates, slows and restarts brokers; a checker then
 * verifies, with counts, that no acknowledged write was lost, that
 * idempotent retries left no duplicate, that no offset ever held two
 * values and that reads were monotonic.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Reproducible from its seed: MILLRACE_CHAOS_SEED=<n> reruns a run (the
 * seed is printed), MILLRACE_CHAOS_SECONDS sets its length (default 6;
 * the soak benchmark runs it for longer). One broker at a time is faulty,
 * the scope of Kafka's promise with acks=all and min.insync.replicas=2.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mr-test-util.h"

#define N_PARTITIONS 3
#define N_PRODUCERS  2

typedef struct
{
  MrCluster  *cluster;
  gint        stop;

  GMutex      lock;
  GHashTable *acked;            /* key → GINT_TO_POINTER (partition + 1) */
  GHashTable *attempted;        /* every key ever sent */
  GHashTable *read_values[N_PARTITIONS]; /* offset → key, as read */
  guint64     n_acked;
  guint64     n_failed_attempts;
  guint64     n_reads;
} Chaos;

typedef struct
{
  Chaos  *chaos;
  guint   id;
} Producer;

static guint8 *
build_batch (gint64   producer_id,
             gint32   sequence,
             guint    producer,
             gint32   partition,
             gsize   *len)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *bytes;

  builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
  mr_record_batch_builder_set_producer (builder, producer_id, 0, sequence);
  for (guint i = 0; i < 5; i++)
    {
      char key[64];
      int key_len = g_snprintf (key, sizeof key, "p%u-%d-%d", producer,
                                partition, sequence + (gint32)i);

      mr_record_batch_builder_add (builder, g_get_real_time () / 1000,
                                   (const guint8 *)key, key_len,
                                   (const guint8 *)key, key_len, NULL, 0);
    }
  bytes = g_bytes_unref_to_data (mr_record_batch_builder_finish (builder,
                                                                 &error),
                                 len);
  g_assert_no_error (error);
  return bytes;
}

static gpointer
producer_thread (gpointer data)
{
  Producer *producer = data;
  Chaos *chaos = producer->chaos;
  gint32 sequences[N_PARTITIONS] = { 0, };
  guint round = 0;

  while (!g_atomic_int_get (&chaos->stop))
    {
      gint32 partition = (gint32)(round++ % N_PARTITIONS);
      gint64 producer_id = 1000 + producer->id;
      gboolean acked = FALSE;

      /* An idempotent producer retries the same batch, same sequence,
       * until it is acknowledged: never a new sequence before that. */
      for (guint attempt = 0; !acked && !g_atomic_int_get (&chaos->stop);
           attempt++)
        {
          g_auto(MrProduceResult) result = { 0, };
          gsize len = 0;
          guint8 *batch = build_batch (producer_id, sequences[partition],
                                       producer->id, partition, &len);

          g_mutex_lock (&chaos->lock);
          for (guint i = 0; i < 5; i++)
            g_hash_table_add (chaos->attempted,
                              g_strdup_printf ("p%u-%d-%d", producer->id,
                                               partition,
                                               sequences[partition] + (gint32)i));
          g_mutex_unlock (&chaos->lock);

          mr_cluster_produce (chaos->cluster, -1, "chaos", partition, batch,
                              len, -1, 1000, &result);
          if (result.error == MR_KAFKA_ERROR_NONE)
            {
              g_mutex_lock (&chaos->lock);
              for (guint i = 0; i < 5; i++)
                g_hash_table_insert (chaos->acked,
                                     g_strdup_printf ("p%u-%d-%d",
                                                      producer->id, partition,
                                                      sequences[partition]
                                                      + (gint32)i),
                                     GINT_TO_POINTER (partition + 1));
              chaos->n_acked += 5;
              g_mutex_unlock (&chaos->lock);
              sequences[partition] += 5;
              acked = TRUE;
            }
          else
            {
              g_mutex_lock (&chaos->lock);
              chaos->n_failed_attempts++;
              g_mutex_unlock (&chaos->lock);
              g_usleep (20 * 1000);
            }
        }
    }

  return NULL;
}

typedef struct
{
  Chaos   *chaos;
  gint32   partition;
  gint64   last_offset;
} ReadState;

static gboolean
reader_record_cb (const MrRecordBatchHeader *batch,
                  const MrRecord            *record,
                  gpointer                   user_data)
{
  ReadState *state = user_data;
  Chaos *chaos = state->chaos;
  GHashTable *values = chaos->read_values[state->partition];
  g_autofree char *key = g_strndup ((const char *)record->key,
                                    record->key_len);
  const char *before;

  if (record->offset <= state->last_offset)
    return TRUE;            /* the part of a batch already read */

  /* Monotonic reads; one value per offset, whatever happened since. */
  g_assert_cmpint (record->offset, >, state->last_offset);
  state->last_offset = record->offset;

  g_mutex_lock (&chaos->lock);
  before = g_hash_table_lookup (values, GINT_TO_POINTER (record->offset + 1));
  if (before != NULL)
    g_assert_cmpstr (before, ==, key);
  else
    g_hash_table_insert (values, GINT_TO_POINTER (record->offset + 1),
                         g_steal_pointer (&key));
  chaos->n_reads++;
  g_mutex_unlock (&chaos->lock);
  return TRUE;
}

/* Returns the fetch's error: a leader change under way gives a transient
 * one, which a client retries. */
static MrKafkaError
read_into (Chaos     *chaos,
           ReadState *state,
           guint      max_wait_ms)
{
  g_auto(MrFetchResult) result = { 0, };
  const guint8 *data;
  gsize len = 0;
  gsize at = 0;

  mr_cluster_fetch (chaos->cluster, -1, "chaos", state->partition,
                    state->last_offset + 1, 1 << 20, max_wait_ms, -1,
                    &result);
  if (result.error != MR_KAFKA_ERROR_NONE || result.records == NULL)
    return result.error;

  data = g_bytes_get_data (result.records, &len);
  while (at < len)
    {
      g_autoptr(GError) error = NULL;
      MrRecordBatchHeader header;

      mr_record_batch_validate (data + at, len - at, &header, &error);
      g_assert_no_error (error);
      mr_record_batch_foreach_record (data + at, len - at, reader_record_cb,
                                      state, &error);
      g_assert_no_error (error);
      at += mr_record_batch_header_get_size (&header);
    }
  return MR_KAFKA_ERROR_NONE;
}

static gpointer
reader_thread (gpointer data)
{
  Chaos *chaos = data;
  ReadState states[N_PARTITIONS];

  for (gint32 p = 0; p < N_PARTITIONS; p++)
    states[p] = (ReadState){ chaos, p, -1 };

  while (!g_atomic_int_get (&chaos->stop))
    for (gint32 p = 0; p < N_PARTITIONS; p++)
      (void)read_into (chaos, &states[p], 50);

  return NULL;
}

static const MrBrokerAction faults[] = {
  MR_BROKER_ACTION_STOP,
  MR_BROKER_ACTION_CRASH,
  MR_BROKER_ACTION_PAUSE,
  MR_BROKER_ACTION_ISOLATE,
  MR_BROKER_ACTION_SLOW,
};

static void
wait_all_converged (MrCluster *cluster)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_autoptr(MrTopicInfo) info = mr_cluster_describe_topic (cluster,
                                                               "chaos", NULL);
      gboolean converged = TRUE;

      for (guint p = 0; p < info->partitions->len && converged; p++)
        {
          MrPartitionInfo *part = g_ptr_array_index (info->partitions, p);

          converged = part->isr->len == 3 && part->high_watermark >= 0;
          for (guint r = 0; r < part->replica_states->len && converged; r++)
            {
              MrReplicaInfo *replica = &g_array_index (part->replica_states,
                                                       MrReplicaInfo, r);

              converged = replica->online
                          && replica->log_end_offset == part->high_watermark;
            }
        }
      if (converged)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static void
test_chaos (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  const char *env_seed = g_getenv ("MILLRACE_CHAOS_SEED");
  const char *env_seconds = g_getenv ("MILLRACE_CHAOS_SECONDS");
  guint32 seed = env_seed != NULL ? (guint32)strtoul (env_seed, NULL, 10)
                                  : g_test_rand_int ();
  guint seconds = env_seconds != NULL ? (guint)atoi (env_seconds) : 6;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Producer producers[N_PRODUCERS];
  GThread *threads[N_PRODUCERS + 1];
  MrClusterOptions options;
  Chaos chaos = { 0, };
  gint64 end;
  guint n_faults = 0;
  guint64 n_final = 0;

  g_test_message ("chaos seed %u for %u s (rerun with MILLRACE_CHAOS_SEED=%u)",
                  seed, seconds, seed);

  mr_test_cluster_options_init (&options, dir, 3);
  chaos.cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  g_hash_table_insert (configs, (gpointer)"min.insync.replicas",
                       (gpointer)"2");
  mr_cluster_create_topic (chaos.cluster, "chaos", N_PARTITIONS, 3, configs,
                           FALSE, &error);
  g_assert_no_error (error);

  g_mutex_init (&chaos.lock);
  chaos.acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  chaos.attempted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           NULL);
  for (guint p = 0; p < N_PARTITIONS; p++)
    chaos.read_values[p] = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      producers[i] = (Producer){ &chaos, i };
      threads[i] = g_thread_new ("producer", producer_thread, &producers[i]);
    }
  threads[N_PRODUCERS] = g_thread_new ("reader", reader_thread, &chaos);

  /* The scheduler: one fault at a time, healed before the next. */
  end = g_get_monotonic_time () + (gint64)seconds * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < end)
    {
      gint32 broker = g_rand_int_range (rand, 1, 4);
      MrBrokerAction fault = faults[g_rand_int_range (rand, 0,
                                                      G_N_ELEMENTS (faults))];
      guint hold_ms = g_rand_int_range (rand, 100, 900);

      mr_cluster_broker_action (chaos.cluster, broker, fault,
                                g_rand_int_range (rand, 1, 20), &error);
      g_assert_no_error (error);
      n_faults++;
      g_usleep (hold_ms * 1000);
      mr_cluster_broker_action (chaos.cluster, broker, mr_broker_action_get_healing (fault), 0,
                                &error);
      g_assert_no_error (error);
      g_usleep (g_rand_int_range (rand, 100, 500) * 1000);
    }

  /* Settle: every replica back and in sync, then stop the clients. */
  wait_all_converged (chaos.cluster);
  g_atomic_int_set (&chaos.stop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  wait_all_converged (chaos.cluster);

  /* The checker. */
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    {
      ReadState state = { &chaos, p, -1 };
      g_autoptr(GHashTable) final_keys = g_hash_table_new (g_str_hash,
                                                           g_str_equal);
      GHashTableIter iter;
      gpointer key;
      gpointer value;

      /* Re-read everything: each offset must give what was read live. A
       * preferred leader may be taking over right now: retry what fails, as
       * a client does, and stop only at the end of the log. */
      g_hash_table_remove_all (chaos.read_values[p]);
      {
        gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

        for (;;)
          {
            gint64 before = state.last_offset;
            MrKafkaError code = read_into (&chaos, &state, 0);

            if (code != MR_KAFKA_ERROR_NONE)
              {
                g_assert_cmpint (g_get_monotonic_time (), <, deadline);
                g_usleep (20 * 1000);
                continue;
              }
            if (state.last_offset == before)
              break;
          }
      }

      g_hash_table_iter_init (&iter, chaos.read_values[p]);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          /* No duplicate: each key once in the partition. */
          g_assert_false (g_hash_table_contains (final_keys, value));
          g_hash_table_add (final_keys, value);
          /* Nothing that was never sent. */
          g_assert_true (g_hash_table_contains (chaos.attempted, value));
          n_final++;
        }

      /* No lost acknowledged write: counted, named, then asserted. */
      {
        guint missing = 0;

        g_hash_table_iter_init (&iter, chaos.acked);
        while (g_hash_table_iter_next (&iter, &key, &value))
          if (GPOINTER_TO_INT (value) == p + 1
              && !g_hash_table_contains (final_keys, key))
            {
              if (missing++ < 5)
                g_test_message ("partition %d: acknowledged %s is missing "
                                "(log read up to offset %" G_GINT64_FORMAT
                                ")", p, (const char *)key,
                                state.last_offset);
            }
        g_assert_cmpuint (missing, ==, 0);
      }
    }

  g_test_message ("%u faults; %" G_GUINT64_FORMAT " records acknowledged, %"
                  G_GUINT64_FORMAT " failed attempts retried, %"
                  G_GUINT64_FORMAT " records in the log, 0 lost, 0 duplicated",
                  n_faults, chaos.n_acked, chaos.n_failed_attempts, n_final);
  g_assert_cmpuint (chaos.n_acked, >, 0);
  g_assert_cmpuint (n_final, >=, chaos.n_acked);

  mr_cluster_unref (chaos.cluster);
  g_hash_table_unref (chaos.acked);
  g_hash_table_unref (chaos.attempted);
  for (guint p = 0; p < N_PARTITIONS; p++)
    g_hash_table_unref (chaos.read_values[p]);
  g_mutex_clear (&chaos.lock);
  mr_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chaos/no-acknowledged-write-lost", test_chaos);

  return g_test_run ();
}
