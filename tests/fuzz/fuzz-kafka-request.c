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
 * partitions.
 *
 * What counts as a bug: any crash, sanitizer report or GLib critical
 * (a g_return_if_fail() tripped by input), a response frame whose Size
 * does not match its length, or a correlation id that does not echo the
 * request's. The temporary directory is removed at exit. */

#define G_LOG_DOMAIN "mr-fuzz"

#include "config.h"

#include <stdlib.h>
#include <string.h>

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
      data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);
      mr_cluster_produce (cluster, -1, SEED_TOPIC, p, data, len, -1, 5000,
                          &result);
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

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) response = NULL;
  const guint8 *out;
  gsize out_len;

  if (size > MR_KAFKA_MAX_REQUEST_SIZE)
    return 0;
  response = mr_kafka_listener_run_frame (listener, data, size, 0);
  if (response != NULL)
    {
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
  reset_if_drifted ();
  return 0;
}
