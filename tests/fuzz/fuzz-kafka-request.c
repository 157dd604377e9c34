/* fuzz-kafka-request.c: the Kafka request decoder under libFuzzer.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The input is one request frame as a client sends it, without its int32
 * Size prefix: the request header (api_key, api_version, correlation_id,
 * client_id, tags when flexible) and the body. It goes through
 * mr_kafka_listener_run_frame(), which is the listener's own code without
 * a socket: the header parse, the version check against the handler
 * table, then the API's handler, which parses the body with the bounded
 * reader (mr-kafka-codec) and calls the cluster. Record sets inside
 * Produce requests reach the log's batch validation that way.
 *
 * The cluster is real: one broker, started once in a temporary directory
 * (LLVMFuzzerInitialize), with topic "fuzz" (3 partitions, a few records
 * in each) so that Fetch, ListOffsets and DeleteRecords find data. Inputs
 * change it (CreateTopics, auto-creation, DeleteTopics, configs); so that
 * state does not pile up over millions of runs, the cluster is brought
 * back to that starting point whenever it drifts too far (more than
 * MAX_EXTRA_TOPICS topics, or "fuzz" gone or resized). A long poll is cut
 * short at once (patience 0), so a Fetch costs one pass over its
 * partitions. A mutated Produce frame almost never keeps its batches'
 * CRC-32C, so a Produce that parses is run a second time with the CRC of
 * every whole batch recomputed: that takes the fuzzer past the log's
 * validation into the append, the producer state and the decompressors.
 *
 * What counts as a bug: any crash, sanitizer report or GLib critical
 * (a g_return_if_fail() tripped by input), a response frame whose Size
 * does not match its length, or a correlation id that does not echo the
 * request's. The temporary directory is removed at exit. */

#define G_LOG_DOMAIN "mr-fuzz"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "millrace-engine.h"

#include "fuzz-target.h"

#define SEED_TOPIC        "fuzz"
#define SEED_PARTITIONS   3
#define MAX_EXTRA_TOPICS  16

static MrCluster       *cluster;
static MrKafkaListener *listener;
static char            *cluster_dir;

static void
produce_seed_records (void)
{
  for (gint32 p = 0; p < SEED_PARTITIONS; p++)
    {
      g_autoptr(MrRecordBatchBuilder) builder = NULL;
      g_autoptr(GBytes) batch = NULL;
      g_autoptr(GError) error = NULL;
      MrProduceResult result = { 0 };
      gsize len;
      guint8 *data;

      builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
      for (guint i = 0; i < 4; i++)
        {
          g_autofree char *key = g_strdup_printf ("key-%u", i);
          g_autofree char *value = g_strdup_printf ("value %d/%u", p, i);

          mr_record_batch_builder_add (builder, 1700000000000 + i,
                                       (const guint8 *)key, (gssize)strlen (key),
                                       (const guint8 *)value, (gssize)strlen (value),
                                       NULL, 0);
        }
      batch = mr_record_batch_builder_finish (builder, &error);
      g_assert_no_error (error);

      /* A topic created again just after its deletion (an input deleted
       * it) may take a moment to get its leaders, as in Kafka. */
      for (guint attempt = 0; attempt < 250; attempt++)
        {
          data = g_memdup2 (g_bytes_get_data (batch, NULL),
                            g_bytes_get_size (batch));
          len = g_bytes_get_size (batch);
          mr_produce_result_clear (&result);
          memset (&result, 0, sizeof result);
          mr_cluster_produce (cluster, -1, SEED_TOPIC, p, data, len, -1, 5000,
                              &result);
          if (result.error != MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE &&
              result.error != MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER &&
              result.error != MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION)
            break;
          g_usleep (20000);
        }
      g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
      mr_produce_result_clear (&result);
    }
}

static void
create_seed_topic (void)
{
  g_autoptr(GError) error = NULL;

  mr_cluster_create_topic (cluster, SEED_TOPIC, SEED_PARTITIONS, 1, NULL,
                           FALSE, &error);
  g_assert_no_error (error);
  produce_seed_records ();
}

/* Brings the cluster back to its starting point when inputs have moved
 * it too far from it. */
static void
reset_if_drifted (void)
{
  g_autoptr(GPtrArray) topics = mr_cluster_list_topics (cluster);
  gboolean seed_ok = FALSE;

  for (guint i = 0; i < topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (topics, i);

      if (g_strcmp0 (info->name, SEED_TOPIC) == 0)
        seed_ok = info->partitions->len == SEED_PARTITIONS;
    }
  if (seed_ok && topics->len <= 1 + MAX_EXTRA_TOPICS)
    return;

  for (guint i = 0; i < topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (topics, i);
      g_autoptr(GError) error = NULL;

      if (seed_ok && g_strcmp0 (info->name, SEED_TOPIC) == 0)
        continue;
      if (!mr_cluster_delete_topic (cluster, info->name, &error))
        g_printerr ("fuzz: cannot delete topic %s: %s\n", info->name,
                    error->message);
    }
  if (!seed_ok)
    create_seed_topic ();
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
cleanup (void)
{
  g_clear_pointer (&listener, mr_kafka_listener_free);
  if (cluster != NULL)
    {
      mr_cluster_shutdown (cluster);
      g_clear_pointer (&cluster, mr_cluster_unref);
    }
  if (cluster_dir != NULL)
    remove_tree (cluster_dir);
  g_clear_pointer (&cluster_dir, g_free);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  MrClusterOptions options;

  /* GLib's slice allocator gives every thread a magazine cache (one
   * g_malloc0 of 2032 bytes, freed when the thread exits) that
   * LeakSanitizer reports as a leak when libFuzzer checks while a worker
   * thread is exiting. G_SLICE=always-malloc turns the caches off, but
   * GLib reads it as it loads: restart with it set. */
  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") != 0 &&
      argv != NULL && *argv != NULL)
    {
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      execv ("/proc/self/exe", *argv);
      g_printerr ("fuzz: cannot restart with G_SLICE=always-malloc: %s\n",
                  g_strerror (errno));
    }

  /* Input must never trip a g_return_if_fail(). */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);

  cluster_dir = g_dir_make_tmp ("millrace-fuzz-XXXXXX", &error);
  g_assert_no_error (error);

  mr_cluster_options_init (&options);
  g_free (options.data_dir);
  options.data_dir = g_build_filename (cluster_dir, "cluster", NULL);
  options.n_brokers = 1;
  options.first_port = 0;
  options.broker_heartbeat_interval_ms = 50;
  options.broker_session_timeout_ms = 400;
  cluster = mr_cluster_new (&options, &error);
  g_assert_no_error (error);
  mr_cluster_options_clear (&options);
  mr_cluster_start (cluster, &error);
  g_assert_no_error (error);

  listener = mr_kafka_listener_new (cluster, 1, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  create_seed_topic ();
  atexit (cleanup);
  return 0;
}

static gint32
read_be32 (const guint8 *p)
{
  return (gint32)(((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
                  ((guint32)p[2] << 8) | p[3]);
}

/* Recomputes the CRC of every whole batch of a record set. */
static void
fix_batch_crcs (guint8 *set,
                gsize   len)
{
  gsize at = 0;

  while (len - at >= MR_RECORD_BATCH_HEADER_SIZE)
    {
      gint32 batch_length = read_be32 (set + at + MR_RECORD_BATCH_OFFSET_LENGTH);
      gsize batch_size;
      guint32 crc;

      if (batch_length < MR_RECORD_BATCH_HEADER_SIZE - MR_RECORD_BATCH_LOG_OVERHEAD)
        return;
      batch_size = (gsize)batch_length + MR_RECORD_BATCH_LOG_OVERHEAD;
      if (batch_size > len - at)
        return;
      crc = mr_crc32c (0, set + at + MR_RECORD_BATCH_OFFSET_ATTRIBUTES,
                       batch_size - MR_RECORD_BATCH_OFFSET_ATTRIBUTES);
      set[at + MR_RECORD_BATCH_OFFSET_CRC] = (guint8)(crc >> 24);
      set[at + MR_RECORD_BATCH_OFFSET_CRC + 1] = (guint8)(crc >> 16);
      set[at + MR_RECORD_BATCH_OFFSET_CRC + 2] = (guint8)(crc >> 8);
      set[at + MR_RECORD_BATCH_OFFSET_CRC + 3] = (guint8)crc;
      at += batch_size;
    }
}

/* A copy of a Produce frame (v0-v8, header v1) with the CRCs of its
 * batches recomputed, or NULL when @data is not a Produce that parses or
 * when nothing changed. */
static guint8 *
produce_with_fixed_crcs (const guint8 *data,
                         gsize         size)
{
  g_autofree guint8 *copy = NULL;
  MrKafkaReader reader;
  gint16 api_key;
  gint16 version;
  gint32 n_topics;

  mr_kafka_reader_init (&reader, data, size);
  api_key = mr_kafka_reader_int16 (&reader);
  version = mr_kafka_reader_int16 (&reader);
  (void)mr_kafka_reader_int32 (&reader);
  g_free (mr_kafka_reader_nullable_string (&reader));
  if (mr_kafka_reader_failed (&reader) || api_key != 0 || version < 0 ||
      version > 8)
    return NULL;

  copy = g_memdup2 (data, size);
  if (version >= 3)
    g_free (mr_kafka_reader_nullable_string (&reader));
  (void)mr_kafka_reader_int16 (&reader);
  (void)mr_kafka_reader_int32 (&reader);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      gint32 n_partitions;

      g_free (mr_kafka_reader_string (&reader));
      n_partitions = mr_kafka_reader_array_count (&reader, 8);
      for (gint32 p = 0; p < n_partitions && !mr_kafka_reader_failed (&reader); p++)
        {
          const guint8 *records;
          gsize len = 0;

          (void)mr_kafka_reader_int32 (&reader);
          records = mr_kafka_reader_bytes (&reader, &len);
          if (records != NULL)
            fix_batch_crcs (copy + (records - data), len);
        }
    }
  if (mr_kafka_reader_failed (&reader) || memcmp (copy, data, size) == 0)
    return NULL;
  return g_steal_pointer (&copy);
}

static void
run_frame (const guint8 *data,
           gsize         size)
{
  g_autoptr(GBytes) response = NULL;
  const guint8 *out;
  gsize out_len;

  response = mr_kafka_listener_run_frame (listener, data, size, 0);
  if (response == NULL)
    return;
  out = g_bytes_get_data (response, &out_len);
  /* Nothing (acks=0), or one frame: Size, then the correlation id. */
  if (out_len > 0)
    {
      g_assert_cmpuint (out_len, >=, 8);
      g_assert_cmpint (read_be32 (out), ==, (gint32)(out_len - 4));
      g_assert (size >= 8);
      g_assert_cmpint (read_be32 (out + 4), ==, read_be32 (data + 4));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree guint8 *fixed = NULL;

  if (size > MR_KAFKA_MAX_REQUEST_SIZE)
    return 0;
  run_frame (data, size);
  fixed = produce_with_fixed_crcs (data, size);
  if (fixed != NULL)
    run_frame (fixed, size);
  reset_if_drifted ();
  return 0;
}
