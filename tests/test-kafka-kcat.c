/* test-kafka-kcat.c: the Kafka listener against the real kcat.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "mr-test-util.h"

#define N_BROKERS 3

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

static void
create_topic (Fixture    *fixture,
              const char *name,
              gint32      partitions)
{
  g_autoptr(GError) error = NULL;

  mr_cluster_create_topic (fixture->cluster, name, partitions, 3, NULL, FALSE,
                           &error);
  g_assert_no_error (error);
}

/* Runs kcat with @argv after "-b bootstrap", feeding @input; returns its
 * standard output and asserts a zero exit. */
static char *
run_kcat (Fixture     *fixture,
          const char  *input,
          const char  *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer)"kcat");
  g_ptr_array_add (argv, (gpointer)"-b");
  g_ptr_array_add (argv, fixture->bootstrap);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer)a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *)argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL,
                                 &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) ||
      g_subprocess_get_exit_status (process) != 0)
    g_test_message ("kcat stderr: %s", err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return g_steal_pointer (&out);
}

static gboolean
have_kcat (void)
{
  g_autofree char *path = g_find_program_in_path ("kcat");

  if (path == NULL)
    g_test_skip ("kcat is not installed");
  return path != NULL;
}

static void
test_metadata (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonObject *root;
  JsonArray *brokers;
  JsonArray *topics;
  JsonObject *topic = NULL;
  JsonArray *partitions;

  if (!have_kcat ())
    return;
  create_topic (fixture, "meta", 4);
  out = run_kcat (fixture, NULL, "-L", "-J", NULL);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  brokers = json_object_get_array_member (root, "brokers");
  g_assert_cmpuint (json_array_get_length (brokers), ==, N_BROKERS);
  for (guint i = 0; i < N_BROKERS; i++)
    {
      JsonObject *broker = json_array_get_object_element (brokers, i);
      gint64 id = json_object_get_int_member (broker, "id");
      g_autofree char *expected = g_strdup_printf (
        "127.0.0.1:%u", mr_kafka_listener_get_port (fixture->listeners[id - 1]));

      g_assert_cmpstr (json_object_get_string_member (broker, "name"), ==,
                       expected);
    }
  g_assert_cmpint (json_object_get_int_member (root, "controllerid"), ==,
                   mr_cluster_get_controller_id (fixture->cluster));

  topics = json_object_get_array_member (root, "topics");
  for (guint i = 0; i < json_array_get_length (topics); i++)
    {
      JsonObject *t = json_array_get_object_element (topics, i);

      if (g_str_equal (json_object_get_string_member (t, "topic"), "meta"))
        topic = t;
    }
  g_assert_nonnull (topic);
  info = mr_cluster_describe_topic (fixture->cluster, "meta", &error);
  g_assert_no_error (error);
  partitions = json_object_get_array_member (topic, "partitions");
  g_assert_cmpuint (json_array_get_length (partitions), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *p = json_array_get_object_element (partitions, i);
      gint64 index = json_object_get_int_member (p, "partition");
      const MrPartitionInfo *pi = g_ptr_array_index (info->partitions, index);

      g_assert_cmpint (json_object_get_int_member (p, "leader"), ==, pi->leader);
      g_assert_cmpuint (json_array_get_length (
                          json_object_get_array_member (p, "replicas")), ==, 3);
      g_assert_cmpuint (json_array_get_length (
                          json_object_get_array_member (p, "isrs")), ==,
                        pi->isr->len);
    }
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *)a, *(char * const *)b);
}

/* Produces @n keyed records with extra kcat arguments, consumes them back
 * with CRC checks and compares the sorted lines. */
static void
produce_and_consume (Fixture    *fixture,
                     const char *topic,
                     guint       n,
                     const char *extra1,
                     const char *extra2)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *consumed = NULL;
  g_auto(GStrv) sent = NULL;
  g_auto(GStrv) got = NULL;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (input, "key-%u:value %u %s\n", i, i,
                            i % 7 == 0 ? "with some longer text in it" : "");
  out = run_kcat (fixture, input->str, "-P", "-K:", "-t", topic,
                  "-X", "acks=all",
                  extra1 != NULL ? extra1 : "-X",
                  extra1 != NULL ? extra2 : "linger.ms=5",
                  NULL);
  consumed = run_kcat (fixture, NULL, "-C", "-e", "-o", "beginning", "-K:",
                       "-X", "check.crcs=true", "-t", topic, NULL);

  sent = g_strsplit (input->str, "\n", -1);
  got = g_strsplit (consumed, "\n", -1);
  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length (sent));
  qsort (sent, g_strv_length (sent), sizeof (char *), compare_lines);
  qsort (got, g_strv_length (got), sizeof (char *), compare_lines);
  for (guint i = 0; sent[i] != NULL; i++)
    g_assert_cmpstr (got[i], ==, sent[i]);
}

static void
test_produce_consume (Fixture       *fixture,
                      gconstpointer  data)
{
  if (!have_kcat ())
    return;
  create_topic (fixture, "plain", 3);
  produce_and_consume (fixture, "plain", 2000, NULL, NULL);
}

static void
test_idempotent (Fixture       *fixture,
                 gconstpointer  data)
{
  if (!have_kcat ())
    return;
  create_topic (fixture, "idem", 3);
  produce_and_consume (fixture, "idem", 2000, "-X", "enable.idempotence=true");
}

/* How many batches of @topic's partition 0 are stored compressed with
 * @codec; fails on a batch with another codec (librdkafka sends a batch
 * uncompressed when compressing would not make it smaller). */
static guint
count_batches_with_codec (Fixture       *fixture,
                          const char    *topic,
                          MrCompression  codec)
{
  gint64 offset = 0;
  guint n = 0;

  for (;;)
    {
      g_auto(MrFetchResult) result = { 0, };
      gsize len;
      const guint8 *data;
      gsize pos = 0;

      mr_cluster_fetch (fixture->cluster, -1, topic, 0, offset, 1 << 20, 0, -1,
                        &result);
      g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
      if (result.records == NULL || g_bytes_get_size (result.records) == 0)
        return n;
      data = g_bytes_get_data (result.records, &len);
      while (pos < len)
        {
          MrRecordBatchHeader header;
          MrCompression found;

          if (!mr_record_batch_header_parse (data + pos, len - pos, &header, NULL) ||
              mr_record_batch_header_get_size (&header) > len - pos)
            break;
          found = mr_record_batch_header_get_compression (&header);
          g_assert_true (found == codec || found == MR_COMPRESSION_NONE);
          n += found == codec;
          offset = mr_record_batch_header_get_last_offset (&header) + 1;
          pos += mr_record_batch_header_get_size (&header);
        }
    }
}

/* Every codec librdkafka has: the broker stores the compressed batches
 * untouched (librdkafka really compressed them: it does lz4 only with a
 * broker that advertises FindCoordinator) and the consumer checks their
 * CRCs. */
static void
test_codecs (Fixture       *fixture,
             gconstpointer  data)
{
  static const struct {
    const char    *name;
    MrCompression  codec;
  } codecs[] = {
    { "gzip", MR_COMPRESSION_GZIP },
    { "snappy", MR_COMPRESSION_SNAPPY },
    { "lz4", MR_COMPRESSION_LZ4 },
    { "zstd", MR_COMPRESSION_ZSTD },
  };

  if (!have_kcat ())
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (codecs); i++)
    {
      g_autofree char *topic = g_strdup_printf ("codec-%s", codecs[i].name);

      create_topic (fixture, topic, 3);
      produce_and_consume (fixture, topic, 5000, "-z", codecs[i].name);
      g_assert_cmpuint (count_batches_with_codec (fixture, topic, codecs[i].codec), >, 0);
    }
}

static void
test_many (Fixture       *fixture,
           gconstpointer  data)
{
  if (!have_kcat ())
    return;
  create_topic (fixture, "many", 3);
  produce_and_consume (fixture, "many", 100000, NULL, NULL);
}

static void
test_headers (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *consumed = NULL;

  if (!have_kcat ())
    return;
  create_topic (fixture, "headers", 1);
  for (guint i = 0; i < 100; i++)
    {
      g_string_append_printf (input, "k%u:v%u\n", i, i);
      g_string_append_printf (expected, "k%u:v%u|h1=one,h2=two\n", i, i);
    }
  out = run_kcat (fixture, input->str, "-P", "-K:", "-t", "headers",
                  "-H", "h1=one", "-H", "h2=two", NULL);
  consumed = run_kcat (fixture, NULL, "-C", "-e", "-o", "beginning",
                       "-X", "check.crcs=true", "-t", "headers",
                       "-f", "%k:%s|%h\n", NULL);
  /* One partition: order is the produce order. */
  g_assert_cmpstr (consumed, ==, expected->str);
}

static void
test_auto_create (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_kcat ())
    return;
  /* The producer's Metadata asks for auto-creation; the first reply is
   * LEADER_NOT_AVAILABLE and kcat retries. */
  produce_and_consume (fixture, "auto-created", 50, NULL, NULL);
  info = mr_cluster_describe_topic (fixture->cluster, "auto-created", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 3);
}

static void
test_query_offsets (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *query = NULL;
  g_autofree char *far = NULL;

  if (!have_kcat ())
    return;
  create_topic (fixture, "query", 1);
  for (guint i = 0; i < 10; i++)
    g_string_append_printf (input, "k%u:v%u\n", i, i);
  out = run_kcat (fixture, input->str, "-P", "-K:", "-t", "query", NULL);
  g_clear_pointer (&out, g_free);

  /* A time long ago finds the first record; one far in the future finds
   * none (-1). */
  query = run_kcat (fixture, NULL, "-Q", "-t", "query:0:1000", NULL);
  g_assert_nonnull (strstr (query, "offset 0"));
  far = g_strdup_printf ("query:0:%" G_GINT64_FORMAT,
                         g_get_real_time () / 1000 + 3600 * 1000);
  out = run_kcat (fixture, NULL, "-Q", "-t", far, NULL);
  g_assert_nonnull (strstr (out, "offset -1"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/kafka-kcat/metadata", Fixture, NULL,
              fixture_setup, test_metadata, fixture_teardown);
  g_test_add ("/kafka-kcat/produce-consume", Fixture, NULL,
              fixture_setup, test_produce_consume, fixture_teardown);
  g_test_add ("/kafka-kcat/idempotent", Fixture, NULL,
              fixture_setup, test_idempotent, fixture_teardown);
  g_test_add ("/kafka-kcat/codecs", Fixture, NULL,
              fixture_setup, test_codecs, fixture_teardown);
  g_test_add ("/kafka-kcat/headers", Fixture, NULL,
              fixture_setup, test_headers, fixture_teardown);
  g_test_add ("/kafka-kcat/many", Fixture, NULL,
              fixture_setup, test_many, fixture_teardown);
  g_test_add ("/kafka-kcat/auto-create", Fixture, NULL,
              fixture_setup, test_auto_create, fixture_teardown);
  g_test_add ("/kafka-kcat/query-offsets", Fixture, NULL,
              fixture_setup, test_query_offsets, fixture_teardown);

  return g_test_run ();
}
