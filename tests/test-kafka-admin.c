/* test-kafka-admin.c: the admin APIs against librdkafka's Admin API.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <librdkafka/rdkafka.h>

#include "mr-test-rdkafka.h"
#include "mr-test-util.h"

#define N_BROKERS 3
#define ADMIN_TIMEOUT_MS 15000

typedef struct
{
  MrTestKafkaCluster  kafka;
  rd_kafka_t         *rk;
  rd_kafka_queue_t   *queue;
} Fixture;

static rd_kafka_t *
new_client (Fixture *fixture)
{
  return mr_test_rdkafka_new (RD_KAFKA_PRODUCER,
                              mr_test_rdkafka_conf_new (fixture->kafka.bootstrap));
}

static void
use_two_partitions (MrClusterOptions *options)
{
  options->default_partitions = 2;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  mr_test_kafka_cluster_start (&fixture->kafka, N_BROKERS, use_two_partitions);
  fixture->rk = new_client (fixture);
  fixture->queue = rd_kafka_queue_new (fixture->rk);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->queue, rd_kafka_queue_destroy);
  g_clear_pointer (&fixture->rk, rd_kafka_destroy);
  mr_test_kafka_cluster_stop (&fixture->kafka);
}

static rd_kafka_AdminOptions_t *
admin_options (Fixture                *fixture,
               rd_kafka_admin_op_t     op,
               gboolean                validate_only)
{
  rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new (fixture->rk, op);
  char errstr[512];

  g_assert_cmpint (rd_kafka_AdminOptions_set_request_timeout (options,
                                                              ADMIN_TIMEOUT_MS,
                                                              errstr,
                                                              sizeof errstr),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  if (validate_only)
    g_assert_cmpint (rd_kafka_AdminOptions_set_validate_only (options, 1,
                                                              errstr,
                                                              sizeof errstr),
                     ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  return options;
}

/* The next result event of @type from the fixture's queue; the request as
 * a whole must have succeeded. */
static rd_kafka_event_t *
wait_result (Fixture            *fixture,
             rd_kafka_event_type_t type)
{
  rd_kafka_event_t *event;

  event = rd_kafka_queue_poll (fixture->queue, ADMIN_TIMEOUT_MS + 5000);
  g_assert_nonnull (event);
  g_assert_cmpint (rd_kafka_event_type (event), ==, type);
  if (rd_kafka_event_error (event) != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_test_message ("admin request: %s", rd_kafka_event_error_string (event));
  g_assert_cmpint (rd_kafka_event_error (event), ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  return event;
}

/* CreateTopics with one topic; returns its error code. */
static rd_kafka_resp_err_t
create_topic (Fixture    *fixture,
              const char *name,
              int         partitions,
              int         replication_factor,
              gboolean    validate_only,
              const char *config_name,
              const char *config_value)
{
  rd_kafka_NewTopic_t *topic;
  rd_kafka_AdminOptions_t *options;
  rd_kafka_event_t *event;
  const rd_kafka_CreateTopics_result_t *result;
  const rd_kafka_topic_result_t **topics;
  rd_kafka_resp_err_t code;
  char errstr[512];
  size_t n;

  topic = rd_kafka_NewTopic_new (name, partitions, replication_factor, errstr,
                                 sizeof errstr);
  g_assert_nonnull (topic);
  if (config_name != NULL)
    g_assert_cmpint (rd_kafka_NewTopic_set_config (topic, config_name,
                                                   config_value), ==,
                     RD_KAFKA_RESP_ERR_NO_ERROR);
  options = admin_options (fixture, RD_KAFKA_ADMIN_OP_CREATETOPICS,
                           validate_only);
  rd_kafka_CreateTopics (fixture->rk, &topic, 1, options, fixture->queue);
  rd_kafka_AdminOptions_destroy (options);
  rd_kafka_NewTopic_destroy (topic);

  event = wait_result (fixture, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
  result = rd_kafka_event_CreateTopics_result (event);
  topics = rd_kafka_CreateTopics_result_topics (result, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (rd_kafka_topic_result_name (topics[0]), ==, name);
  code = rd_kafka_topic_result_error (topics[0]);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      /* Every refusal comes with a message (CreateTopics v1+). */
      g_assert_nonnull (rd_kafka_topic_result_error_string (topics[0]));
      g_test_message ("create %s: %s", name,
                      rd_kafka_topic_result_error_string (topics[0]));
    }
  rd_kafka_event_destroy (event);
  return code;
}

static rd_kafka_resp_err_t
delete_topic (Fixture    *fixture,
              const char *name)
{
  rd_kafka_DeleteTopic_t *topic = rd_kafka_DeleteTopic_new (name);
  rd_kafka_AdminOptions_t *options;
  rd_kafka_event_t *event;
  const rd_kafka_topic_result_t **topics;
  rd_kafka_resp_err_t code;
  size_t n;

  options = admin_options (fixture, RD_KAFKA_ADMIN_OP_DELETETOPICS, FALSE);
  rd_kafka_DeleteTopics (fixture->rk, &topic, 1, options, fixture->queue);
  rd_kafka_AdminOptions_destroy (options);
  rd_kafka_DeleteTopic_destroy (topic);

  event = wait_result (fixture, RD_KAFKA_EVENT_DELETETOPICS_RESULT);
  topics = rd_kafka_DeleteTopics_result_topics (
    rd_kafka_event_DeleteTopics_result (event), &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (rd_kafka_topic_result_name (topics[0]), ==, name);
  code = rd_kafka_topic_result_error (topics[0]);
  rd_kafka_event_destroy (event);
  return code;
}

static rd_kafka_resp_err_t
create_partitions (Fixture    *fixture,
                   const char *name,
                   int         total)
{
  rd_kafka_NewPartitions_t *parts;
  rd_kafka_AdminOptions_t *options;
  rd_kafka_event_t *event;
  const rd_kafka_topic_result_t **topics;
  rd_kafka_resp_err_t code;
  char errstr[512];
  size_t n;

  parts = rd_kafka_NewPartitions_new (name, (size_t)total, errstr,
                                      sizeof errstr);
  g_assert_nonnull (parts);
  options = admin_options (fixture, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, FALSE);
  rd_kafka_CreatePartitions (fixture->rk, &parts, 1, options, fixture->queue);
  rd_kafka_AdminOptions_destroy (options);
  rd_kafka_NewPartitions_destroy (parts);

  event = wait_result (fixture, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT);
  topics = rd_kafka_CreatePartitions_result_topics (
    rd_kafka_event_CreatePartitions_result (event), &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (rd_kafka_topic_result_name (topics[0]), ==, name);
  code = rd_kafka_topic_result_error (topics[0]);
  rd_kafka_event_destroy (event);
  return code;
}

/* AlterConfigs on one topic with @first_name, value, ..., NULL. */
static rd_kafka_resp_err_t
alter_configs (Fixture    *fixture,
               const char *topic,
               gboolean    validate_only,
               const char *first_name,
               ...)
{
  rd_kafka_ConfigResource_t *resource;
  rd_kafka_AdminOptions_t *options;
  rd_kafka_event_t *event;
  const rd_kafka_ConfigResource_t **resources;
  rd_kafka_resp_err_t code;
  va_list args;
  size_t n;

  resource = rd_kafka_ConfigResource_new (RD_KAFKA_RESOURCE_TOPIC, topic);
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    g_assert_cmpint (rd_kafka_ConfigResource_set_config (resource, name,
                                                         va_arg (args, const char *)),
                     ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  va_end (args);
  options = admin_options (fixture, RD_KAFKA_ADMIN_OP_ALTERCONFIGS,
                           validate_only);
  rd_kafka_AlterConfigs (fixture->rk, &resource, 1, options, fixture->queue);
  rd_kafka_AdminOptions_destroy (options);
  rd_kafka_ConfigResource_destroy (resource);

  event = wait_result (fixture, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT);
  resources = rd_kafka_AlterConfigs_result_resources (
    rd_kafka_event_AlterConfigs_result (event), &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (rd_kafka_ConfigResource_name (resources[0]), ==, topic);
  code = rd_kafka_ConfigResource_error (resources[0]);
  rd_kafka_event_destroy (event);
  return code;
}

/* One described config. */
typedef struct
{
  char    *value;
  int      source;
  gboolean read_only;
  gboolean is_default;
} Described;

static void
described_free (gpointer data)
{
  Described *d = data;

  g_free (d->value);
  g_free (d);
}

/* DescribeConfigs on one resource: a table of name → Described, or NULL
 * with *@code set when the resource has an error. */
static GHashTable *
describe_configs (Fixture                   *fixture,
                  rd_kafka_ResourceType_t    type,
                  const char                *name,
                  rd_kafka_resp_err_t       *code)
{
  rd_kafka_ConfigResource_t *resource;
  rd_kafka_AdminOptions_t *options;
  rd_kafka_event_t *event;
  const rd_kafka_ConfigResource_t **resources;
  const rd_kafka_ConfigEntry_t **entries;
  GHashTable *table = NULL;
  size_t n;

  resource = rd_kafka_ConfigResource_new (type, name);
  options = admin_options (fixture, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, FALSE);
  rd_kafka_DescribeConfigs (fixture->rk, &resource, 1, options, fixture->queue);
  rd_kafka_AdminOptions_destroy (options);
  rd_kafka_ConfigResource_destroy (resource);

  event = wait_result (fixture, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
  resources = rd_kafka_DescribeConfigs_result_resources (
    rd_kafka_event_DescribeConfigs_result (event), &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (rd_kafka_ConfigResource_name (resources[0]), ==, name);
  *code = rd_kafka_ConfigResource_error (resources[0]);
  if (*code == RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     described_free);
      entries = rd_kafka_ConfigResource_configs (resources[0], &n);
      for (size_t i = 0; i < n; i++)
        {
          Described *d = g_new0 (Described, 1);

          d->value = g_strdup (rd_kafka_ConfigEntry_value (entries[i]));
          d->source = rd_kafka_ConfigEntry_source (entries[i]);
          d->read_only = rd_kafka_ConfigEntry_is_read_only (entries[i]);
          d->is_default = rd_kafka_ConfigEntry_is_default (entries[i]);
          g_assert_false (rd_kafka_ConfigEntry_is_sensitive (entries[i]));
          g_hash_table_replace (table,
                                g_strdup (rd_kafka_ConfigEntry_name (entries[i])),
                                d);
        }
    }
  rd_kafka_event_destroy (event);
  return table;
}

/* Asserts one described config's value and source. */
static void
assert_config (GHashTable *table,
               const char *name,
               const char *value,
               int         source)
{
  Described *d = g_hash_table_lookup (table, name);

  g_assert_nonnull (d);
  g_assert_cmpstr (d->value, ==, value);
  g_assert_cmpint (d->source, ==, source);
  g_assert_cmpint (d->is_default, ==,
                   source == RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
}

/* The partition count of @name from a fresh all-topics metadata request
 * (which creates nothing), or -1 when the topic is not listed. */
static int
metadata_partitions (Fixture    *fixture,
                     const char *name)
{
  const struct rd_kafka_metadata *metadata = NULL;
  int count = -1;

  g_assert_cmpint (rd_kafka_metadata (fixture->rk, 1, NULL, &metadata,
                                      ADMIN_TIMEOUT_MS), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int i = 0; i < metadata->topic_cnt; i++)
    if (strcmp (metadata->topics[i].topic, name) == 0)
      {
        g_assert_cmpint (metadata->topics[i].err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
        count = metadata->topics[i].partition_cnt;
      }
  rd_kafka_metadata_destroy (metadata);
  return count;
}

static char *
topic_override (Fixture    *fixture,
                const char *topic,
                const char *name)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = mr_cluster_describe_topic (fixture->kafka.cluster, topic, &error);
  g_assert_no_error (error);
  return info->configs != NULL
    ? g_strdup (g_hash_table_lookup (info->configs, name)) : NULL;
}

static void
test_create_topics (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *retention = NULL;
  const MrPartitionInfo *partition;

  /* Validate-only checks everything and creates nothing. */
  g_assert_cmpint (create_topic (fixture, "orders", 4, 3, TRUE, NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (metadata_partitions (fixture, "orders"), ==, -1);

  g_assert_cmpint (create_topic (fixture, "orders", 4, 3, FALSE,
                                 "retention.ms", "3600000"),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (metadata_partitions (fixture, "orders"), ==, 4);
  retention = topic_override (fixture, "orders", "retention.ms");
  g_assert_cmpstr (retention, ==, "3600000");

  /* -1 and -1: the cluster's defaults (2 partitions, factor 3). */
  g_assert_cmpint (create_topic (fixture, "defaults", -1, -1, FALSE, NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  info = mr_cluster_describe_topic (fixture->kafka.cluster, "defaults", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 2);
  partition = g_ptr_array_index (info->partitions, 0);
  g_assert_cmpuint (partition->replicas->len, ==, 3);

  /* Refusals change nothing. */
  g_assert_cmpint (create_topic (fixture, "orders", 8, 3, FALSE, NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  g_assert_cmpint (metadata_partitions (fixture, "orders"), ==, 4);
  g_assert_cmpint (create_topic (fixture, "bad/name", 1, 1, FALSE, NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);
  g_assert_cmpint (create_topic (fixture, "bad-config", 1, 1, FALSE,
                                 "retention.ms", "soon"),
                   ==, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  g_assert_cmpint (create_topic (fixture, "bad-config", 1, 1, FALSE,
                                 "no.such.config", "1"),
                   ==, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  g_assert_cmpint (create_topic (fixture, "too-many-replicas", 1, 4, FALSE,
                                 NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR);
  g_assert_cmpint (create_topic (fixture, "bad-validate", 1, 4, TRUE,
                                 NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR);
  g_assert_cmpint (metadata_partitions (fixture, "bad-config"), ==, -1);
  g_assert_cmpint (metadata_partitions (fixture, "too-many-replicas"), ==, -1);
}

static void
test_configs (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GHashTable) configs = NULL;
  g_autoptr(GHashTable) broker = NULL;
  g_autofree char *segment_default = mr_topic_config_dup_default ("segment.bytes");
  g_autofree char *retention_default = mr_topic_config_dup_default ("retention.ms");
  g_autofree char *policy = NULL;
  const Described *described;
  rd_kafka_resp_err_t code;

  g_assert_cmpint (create_topic (fixture, "events", 2, 3, FALSE,
                                 "retention.ms", "7200000"),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);

  /* Every topic config: the override set on the topic, defaults else. */
  configs = describe_configs (fixture, RD_KAFKA_RESOURCE_TOPIC, "events", &code);
  g_assert_cmpint (code, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpuint (g_hash_table_size (configs), ==,
                    g_strv_length ((char **)mr_topic_config_list_names ()));
  assert_config (configs, "retention.ms", "7200000",
                 RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  assert_config (configs, "segment.bytes", segment_default,
                 RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  assert_config (configs, "cleanup.policy", "delete",
                 RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  described = g_hash_table_lookup (configs, "retention.ms");
  g_assert_false (described->read_only);
  g_clear_pointer (&configs, g_hash_table_unref);

  /* AlterConfigs replaces the overrides: retention.ms goes back to its
   * default. */
  g_assert_cmpint (alter_configs (fixture, "events", FALSE,
                                  "cleanup.policy", "compact",
                                  "min.insync.replicas", "2", NULL),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  configs = describe_configs (fixture, RD_KAFKA_RESOURCE_TOPIC, "events", &code);
  g_assert_cmpint (code, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  assert_config (configs, "cleanup.policy", "compact",
                 RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  assert_config (configs, "min.insync.replicas", "2",
                 RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  assert_config (configs, "retention.ms", retention_default,
                 RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  g_clear_pointer (&configs, g_hash_table_unref);

  /* Validate-only and refusals change nothing. */
  g_assert_cmpint (alter_configs (fixture, "events", TRUE,
                                  "cleanup.policy", "delete", NULL),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (alter_configs (fixture, "events", FALSE,
                                  "retention.ms", "never", NULL),
                   ==, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  g_assert_cmpint (alter_configs (fixture, "events", FALSE,
                                  "no.such.config", "1", NULL),
                   ==, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  policy = topic_override (fixture, "events", "cleanup.policy");
  g_assert_cmpstr (policy, ==, "compact");
  g_assert_cmpint (alter_configs (fixture, "nowhere", FALSE,
                                  "cleanup.policy", "delete", NULL),
                   ==, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  g_assert_cmpint (metadata_partitions (fixture, "nowhere"), ==, -1);

  configs = describe_configs (fixture, RD_KAFKA_RESOURCE_TOPIC, "nowhere", &code);
  g_assert_null (configs);
  g_assert_cmpint (code, ==, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

  /* A broker: a short read-only list from the cluster's settings. */
  broker = describe_configs (fixture, RD_KAFKA_RESOURCE_BROKER, "2", &code);
  g_assert_cmpint (code, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  assert_config (broker, "num.partitions", "2",
                 RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  assert_config (broker, "default.replication.factor", "3",
                 RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  assert_config (broker, "broker.id", "2",
                 RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  assert_config (broker, "log.retention.ms", retention_default,
                 RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  g_assert_nonnull (g_hash_table_lookup (broker, "auto.create.topics.enable"));
  g_assert_nonnull (g_hash_table_lookup (broker, "min.insync.replicas"));
  described = g_hash_table_lookup (broker, "num.partitions");
  g_assert_true (described->read_only);
}

static void
test_partitions (Fixture       *fixture,
                 gconstpointer  data)
{
  g_assert_cmpint (create_topic (fixture, "grow", 2, 3, FALSE, NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (metadata_partitions (fixture, "grow"), ==, 2);

  g_assert_cmpint (create_partitions (fixture, "grow", 5),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (metadata_partitions (fixture, "grow"), ==, 5);

  /* Shrinking, or staying, is refused. */
  g_assert_cmpint (create_partitions (fixture, "grow", 3),
                   ==, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
  g_assert_cmpint (create_partitions (fixture, "grow", 5),
                   ==, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
  g_assert_cmpint (metadata_partitions (fixture, "grow"), ==, 5);
  g_assert_cmpint (create_partitions (fixture, "nowhere", 5),
                   ==, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

static void
produce (Fixture    *fixture,
         const char *topic,
         gint32      partition,
         guint       n_records)
{
  g_autoptr(GBytes) batch = mr_test_build_batch (n_records, 20, 0,
                                                 g_get_real_time () / 1000,
                                                 MR_COMPRESSION_NONE);
  g_auto(MrProduceResult) result = { 0 };
  gsize len;
  const guint8 *bytes = g_bytes_get_data (batch, &len);

  mr_cluster_produce (fixture->kafka.cluster, -1, topic, partition,
                      g_memdup2 (bytes, len), len, -1, 5000, &result);
  g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
}

static void
test_delete_records (Fixture       *fixture,
                     gconstpointer  data)
{
  rd_kafka_topic_partition_list_t *offsets;
  rd_kafka_DeleteRecords_t *records;
  rd_kafka_AdminOptions_t *options;
  rd_kafka_event_t *event;
  const rd_kafka_topic_partition_list_t *results;
  int64_t low = -1;
  int64_t high = -1;

  g_assert_cmpint (create_topic (fixture, "trim", 2, 3, FALSE, NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  produce (fixture, "trim", 0, 10);
  produce (fixture, "trim", 1, 10);

  /* Partition 1: past the high watermark. (An unknown partition never
   * reaches the broker: librdkafka refuses it locally.) */
  offsets = rd_kafka_topic_partition_list_new (2);
  rd_kafka_topic_partition_list_add (offsets, "trim", 0)->offset = 4;
  rd_kafka_topic_partition_list_add (offsets, "trim", 1)->offset = 25;
  records = rd_kafka_DeleteRecords_new (offsets);
  rd_kafka_topic_partition_list_destroy (offsets);
  options = admin_options (fixture, RD_KAFKA_ADMIN_OP_DELETERECORDS, FALSE);
  rd_kafka_DeleteRecords (fixture->rk, &records, 1, options, fixture->queue);
  rd_kafka_AdminOptions_destroy (options);
  rd_kafka_DeleteRecords_destroy (records);

  event = wait_result (fixture, RD_KAFKA_EVENT_DELETERECORDS_RESULT);
  results = rd_kafka_DeleteRecords_result_offsets (
    rd_kafka_event_DeleteRecords_result (event));
  g_assert_cmpint (results->cnt, ==, 2);
  for (int i = 0; i < results->cnt; i++)
    {
      const rd_kafka_topic_partition_t *p = &results->elems[i];

      if (p->partition == 0)
        {
          g_assert_cmpint (p->err, ==, RD_KAFKA_RESP_ERR_NO_ERROR);
          g_assert_cmpint (p->offset, ==, 4);
        }
      else
        {
          g_assert_cmpint (p->partition, ==, 1);
          g_assert_cmpint (p->err, ==, RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
        }
    }
  rd_kafka_event_destroy (event);

  /* The low watermark moved on partition 0 only. */
  g_assert_cmpint (rd_kafka_query_watermark_offsets (fixture->rk, "trim", 0,
                                                     &low, &high,
                                                     ADMIN_TIMEOUT_MS),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (low, ==, 4);
  g_assert_cmpint (high, ==, 10);
  g_assert_cmpint (rd_kafka_query_watermark_offsets (fixture->rk, "trim", 1,
                                                     &low, &high,
                                                     ADMIN_TIMEOUT_MS),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (low, ==, 0);
  g_assert_cmpint (high, ==, 10);
}

static void
test_delete_topics (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = NULL;

  g_assert_cmpint (create_topic (fixture, "doomed", 2, 3, FALSE, NULL, NULL),
                   ==, RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (metadata_partitions (fixture, "doomed"), ==, 2);

  g_assert_cmpint (delete_topic (fixture, "doomed"), ==,
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  g_assert_cmpint (metadata_partitions (fixture, "doomed"), ==, -1);
  info = mr_cluster_describe_topic (fixture->kafka.cluster, "doomed", &error);
  g_assert_null (info);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);

  g_assert_cmpint (delete_topic (fixture, "doomed"), ==,
                   RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

/* Raw requests, for the versions librdkafka does not pick. */

static GSocket *
connect_to (Fixture *fixture)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  address = g_inet_socket_address_new (
    loopback, (guint16)mr_kafka_listener_get_port (fixture->kafka.listeners[0]));
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&socket);
}

/* Reads exactly @len bytes; FALSE on end of stream. */
static gboolean
receive_all (GSocket *socket,
             guint8  *data,
             gsize    len)
{
  gsize done = 0;

  while (done < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (char *)data + done, len - done,
                                   NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR,
                                    G_IO_ERROR_CONNECTION_CLOSED))
        return FALSE;
      g_assert_no_error (error);
      if (n == 0)
        return FALSE;
      done += (gsize)n;
    }
  return TRUE;
}

/* Sends one request (header v1, or v2 when @flexible) and returns the
 * response body after the header, or NULL when the broker closed the
 * connection. */
static GBytes *
round_trip_full (GSocket    *socket,
                 gint16      api_key,
                 gint16      api_version,
                 gboolean    flexible,
                 GByteArray *body)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  MrKafkaReader reader;
  gsize position;
  guint8 size_buf[4];
  gint32 size;
  guint8 *data;

  position = mr_kafka_writer_begin_size (out);
  mr_kafka_writer_int16 (out, api_key);
  mr_kafka_writer_int16 (out, api_version);
  mr_kafka_writer_int32 (out, 77);
  mr_kafka_writer_string (out, "test");
  if (flexible)
    mr_kafka_writer_empty_tags (out);
  g_byte_array_append (out, body->data, body->len);
  mr_kafka_writer_end_size (out, position);
  g_assert_cmpint (g_socket_send (socket, (const char *)out->data, out->len,
                                  NULL, &error), ==, (gssize)out->len);
  g_assert_no_error (error);

  if (!receive_all (socket, size_buf, 4))
    return NULL;
  mr_kafka_reader_init (&reader, size_buf, 4);
  size = mr_kafka_reader_int32 (&reader);
  g_assert_cmpint (size, >=, 4);
  data = g_malloc (size);
  g_assert_true (receive_all (socket, data, size));
  mr_kafka_reader_init (&reader, data, size);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 77);
  if (flexible)
    mr_kafka_reader_skip_tags (&reader);
  g_assert_false (mr_kafka_reader_failed (&reader));
  return g_bytes_new_with_free_func (data + reader.pos, size - reader.pos,
                                     g_free, data);
}

static GBytes *
round_trip (GSocket    *socket,
            gint16      api_key,
            gint16      api_version,
            GByteArray *body)
{
  return round_trip_full (socket, api_key, api_version, FALSE, body);
}

/* CreateTopics v0/v1 body for one topic. */
static GByteArray *
create_topics_body (gint16      version,
                    const char *name,
                    gint32      partitions,
                    gboolean    with_assignment)
{
  GByteArray *body = g_byte_array_new ();

  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, name);
  mr_kafka_writer_int32 (body, partitions);
  mr_kafka_writer_int16 (body, 3);
  if (with_assignment)
    {
      mr_kafka_writer_array_count (body, 1);
      mr_kafka_writer_int32 (body, 0);
      mr_kafka_writer_array_count (body, 1);
      mr_kafka_writer_int32 (body, 1);
    }
  else
    mr_kafka_writer_array_count (body, 0);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "retention.ms");
  mr_kafka_writer_string (body, "1000");
  mr_kafka_writer_int32 (body, 5000);
  if (version >= 1)
    mr_kafka_writer_int8 (body, 0);
  return body;
}

/* IncrementalAlterConfigs v0 on one topic with (name, operation, value)
 * triples; returns the resource's error code. */
static gint16
incremental_alter (GSocket    *socket,
                   const char *topic,
                   guint       n_ops,
                   ...)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) response = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;
  MrKafkaReader reader;
  const guint8 *bytes;
  gint16 code;
  va_list args;
  gsize len;

  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_int8 (body, 2);
  mr_kafka_writer_string (body, topic);
  mr_kafka_writer_array_count (body, (gint32)n_ops);
  va_start (args, n_ops);
  for (guint i = 0; i < n_ops; i++)
    {
      const char *config = va_arg (args, const char *);
      int op = va_arg (args, int);

      mr_kafka_writer_string (body, config);
      mr_kafka_writer_int8 (body, (gint8)op);
      mr_kafka_writer_string (body, va_arg (args, const char *));
    }
  va_end (args);
  mr_kafka_writer_int8 (body, 0);

  response = round_trip (socket, 44, 0, body);
  g_assert_nonnull (response);
  bytes = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, bytes, len);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 1);
  code = mr_kafka_reader_int16 (&reader);
  message = mr_kafka_reader_nullable_string (&reader);
  g_assert_true ((code == MR_KAFKA_ERROR_NONE) == (message == NULL));
  g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, 2);
  name = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (name, ==, topic);
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
  return code;
}

static void
test_old_versions (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSocket) socket = connect_to (fixture);
  g_autoptr(GByteArray) body = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  MrKafkaReader reader;
  const guint8 *bytes;
  gsize len;

  /* CreateTopics v0: topics [{name, error}], no throttle, no message. */
  body = create_topics_body (0, "raw", 3, FALSE);
  response = round_trip (socket, 19, 0, body);
  bytes = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, bytes, len);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 1);
  name = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (name, ==, "raw");
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, MR_KAFKA_ERROR_NONE);
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
  info = mr_cluster_describe_topic (fixture->kafka.cluster, "raw", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "retention.ms"), ==,
                   "1000");
  g_clear_pointer (&body, g_byte_array_unref);
  g_clear_pointer (&response, g_bytes_unref);
  g_clear_pointer (&name, g_free);

  /* Explicit assignments are refused, with a message from v1. */
  body = create_topics_body (1, "assigned", 1, TRUE);
  response = round_trip (socket, 19, 1, body);
  bytes = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, bytes, len);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 1);
  name = mr_kafka_reader_string (&reader);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==,
                   MR_KAFKA_ERROR_INVALID_REQUEST);
  message = mr_kafka_reader_nullable_string (&reader);
  g_assert_nonnull (message);
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
  g_clear_pointer (&body, g_byte_array_unref);
  g_clear_pointer (&response, g_bytes_unref);
  g_clear_pointer (&name, g_free);

  /* DescribeConfigs v0: is_default instead of a source; two keys asked. */
  body = g_byte_array_new ();
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_int8 (body, 2);
  mr_kafka_writer_string (body, "raw");
  mr_kafka_writer_array_count (body, 2);
  mr_kafka_writer_string (body, "retention.ms");
  mr_kafka_writer_string (body, "segment.bytes");
  response = round_trip (socket, 32, 0, body);
  bytes = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, bytes, len);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 1);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, MR_KAFKA_ERROR_NONE);
  g_assert_null (mr_kafka_reader_nullable_string (&reader));
  g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, 2);
  name = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (name, ==, "raw");
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *key = mr_kafka_reader_string (&reader);
      g_autofree char *value = mr_kafka_reader_nullable_string (&reader);
      gboolean is_retention = g_strcmp0 (key, "retention.ms") == 0;

      g_assert_true (is_retention || g_strcmp0 (key, "segment.bytes") == 0);
      if (is_retention)
        g_assert_cmpstr (value, ==, "1000");
      g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, 0);   /* read_only */
      g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, !is_retention);
      g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, 0);   /* sensitive */
    }
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
  g_clear_pointer (&body, g_byte_array_unref);
  g_clear_pointer (&response, g_bytes_unref);
  g_clear_pointer (&name, g_free);

  /* AlterConfigs on a broker: read-only here. */
  body = g_byte_array_new ();
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_int8 (body, 4);
  mr_kafka_writer_string (body, "1");
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "num.partitions");
  mr_kafka_writer_string (body, "7");
  mr_kafka_writer_int8 (body, 0);
  response = round_trip (socket, 33, 0, body);
  bytes = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, bytes, len);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 1);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==,
                   MR_KAFKA_ERROR_INVALID_REQUEST);
  g_clear_pointer (&message, g_free);
  message = mr_kafka_reader_nullable_string (&reader);
  g_assert_nonnull (message);
  g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, 4);
  name = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (name, ==, "1");
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
  g_clear_pointer (&body, g_byte_array_unref);
  g_clear_pointer (&response, g_bytes_unref);
  g_clear_pointer (&name, g_free);

  /* IncrementalAlterConfigs: set and delete, then append to and subtract
   * from a list config; a bad operation changes nothing. */
  g_assert_cmpint (incremental_alter (socket, "raw", 2,
                                      "min.insync.replicas", 0, "2",
                                      "retention.ms", 1, NULL), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (incremental_alter (socket, "raw", 1,
                                      "cleanup.policy", 2, "compact"), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (incremental_alter (socket, "raw", 1,
                                      "retention.ms", 2, "5"), ==,
                   MR_KAFKA_ERROR_INVALID_CONFIG);
  g_assert_cmpint (incremental_alter (socket, "raw", 1,
                                      "segment.bytes", 0, "tiny"), ==,
                   MR_KAFKA_ERROR_INVALID_CONFIG);
  g_assert_cmpint (incremental_alter (socket, "nowhere", 1,
                                      "segment.bytes", 1, NULL), ==,
                   MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
  g_clear_pointer (&info, mr_topic_info_free);
  info = mr_cluster_describe_topic (fixture->kafka.cluster, "raw", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (info->configs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "min.insync.replicas"),
                   ==, "2");
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "cleanup.policy"),
                   ==, "delete,compact");
  g_assert_cmpint (incremental_alter (socket, "raw", 1,
                                      "cleanup.policy", 3, "delete"), ==,
                   MR_KAFKA_ERROR_NONE);
  g_clear_pointer (&info, mr_topic_info_free);
  info = mr_cluster_describe_topic (fixture->kafka.cluster, "raw", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "cleanup.policy"),
                   ==, "compact");

  /* DeleteTopics v0: no throttle; the same name twice is refused. */
  body = g_byte_array_new ();
  mr_kafka_writer_array_count (body, 2);
  mr_kafka_writer_string (body, "raw");
  mr_kafka_writer_string (body, "raw");
  mr_kafka_writer_int32 (body, 5000);
  response = round_trip (socket, 20, 0, body);
  bytes = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, bytes, len);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *topic = mr_kafka_reader_string (&reader);

      g_assert_cmpstr (topic, ==, "raw");
      g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==,
                       MR_KAFKA_ERROR_INVALID_REQUEST);
    }
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
  g_clear_pointer (&info, mr_topic_info_free);
  info = mr_cluster_describe_topic (fixture->kafka.cluster, "raw", &error);
  g_assert_no_error (error);
  g_clear_pointer (&body, g_byte_array_unref);
  g_clear_pointer (&response, g_bytes_unref);

  /* A truncated body closes the connection. */
  body = create_topics_body (1, "cut", 1, FALSE);
  g_byte_array_set_size (body, body->len - 3);
  response = round_trip (socket, 19, 1, body);
  g_assert_null (response);
  g_clear_pointer (&info, mr_topic_info_free);
  info = mr_cluster_describe_topic (fixture->kafka.cluster, "cut", &error);
  g_assert_null (info);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
}

static void
test_describe_cluster (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GSocket) socket = connect_to (fixture);
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) response = NULL;
  g_autofree char *message = NULL;
  g_autofree char *cluster_id = NULL;
  MrKafkaReader reader;
  const guint8 *bytes;
  gsize len;
  gint32 n_brokers;

  mr_kafka_writer_int8 (body, 0);
  mr_kafka_writer_empty_tags (body);
  response = round_trip_full (socket, 60, 0, TRUE, body);
  g_assert_nonnull (response);
  bytes = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, bytes, len);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, MR_KAFKA_ERROR_NONE);
  message = mr_kafka_reader_compact_string (&reader);
  g_assert_null (message);
  cluster_id = mr_kafka_reader_compact_string (&reader);
  g_assert_cmpstr (cluster_id, ==, mr_cluster_get_id (fixture->kafka.cluster));
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==,
                   mr_cluster_get_controller_id (fixture->kafka.cluster));
  n_brokers = mr_kafka_reader_compact_array_count (&reader, 8);
  g_assert_cmpint (n_brokers, ==, N_BROKERS);
  for (gint32 i = 0; i < n_brokers; i++)
    {
      g_autofree char *host = NULL;
      g_autofree char *rack = NULL;
      gint32 id = mr_kafka_reader_int32 (&reader);

      g_assert_cmpint (id, ==, i + 1);
      host = mr_kafka_reader_compact_string (&reader);
      g_assert_cmpstr (host, ==, "127.0.0.1");
      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==,
                       mr_kafka_listener_get_port (fixture->kafka.listeners[i]));
      rack = mr_kafka_reader_compact_string (&reader);
      g_assert_null (rack);
      mr_kafka_reader_skip_tags (&reader);
    }
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, G_MININT32);
  mr_kafka_reader_skip_tags (&reader);
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
  g_assert_cmpuint (mr_kafka_reader_remaining (&reader), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/kafka-admin/create-topics", Fixture, NULL,
              fixture_setup, test_create_topics, fixture_teardown);
  g_test_add ("/kafka-admin/configs", Fixture, NULL,
              fixture_setup, test_configs, fixture_teardown);
  g_test_add ("/kafka-admin/partitions", Fixture, NULL,
              fixture_setup, test_partitions, fixture_teardown);
  g_test_add ("/kafka-admin/delete-records", Fixture, NULL,
              fixture_setup, test_delete_records, fixture_teardown);
  g_test_add ("/kafka-admin/delete-topics", Fixture, NULL,
              fixture_setup, test_delete_topics, fixture_teardown);
  g_test_add ("/kafka-admin/old-versions", Fixture, NULL,
              fixture_setup, test_old_versions, fixture_teardown);
  g_test_add ("/kafka-admin/describe-cluster", Fixture, NULL,
              fixture_setup, test_describe_cluster, fixture_teardown);

  return g_test_run ();
}
