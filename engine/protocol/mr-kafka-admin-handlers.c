/* mr-kafka-admin-handlers.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The Kafka admin API handlers: topics, partitions, configs and records.
 *
 * Kafka sends most of these to the controller. The cluster API is
 * cluster-wide, so every broker answers them: clients accept that. As in
 * mr-kafka-handlers.c, every handler parses its whole request with the
 * bounded reader before it changes anything (one "malformed" exit closes
 * the connection), then calls the cluster API and writes the response.
 * Per-resource failures are wire codes from mr_cluster_error_kafka_code_for()
 * with the GError's message where the version has an error_message.
 *
 * Layouts, all big-endian, STRING = int16 length, ARRAY = int32 count (-1
 * null); "vN+" marks a field present from version N:
 *
 * CreateTopics (19) v0-v4. Request: topics ARRAY of {name STRING,
 *   num_partitions int32 (-1: the cluster's default), replication_factor
 *   int16 (-1: the default), assignments ARRAY of {partition_index int32,
 *   broker_ids ARRAY int32}, configs ARRAY of {name STRING, value
 *   NULLABLE_STRING}}, timeout_ms int32, validate_only bool (v1+).
 * Response: throttle_time_ms int32 (v2+), topics ARRAY of {name STRING,
 *   error_code int16, error_message NULLABLE_STRING (v1+)}.
 *   Explicit assignments are refused with INVALID_REQUEST: the cluster
 *   places replicas itself. A name given twice is INVALID_REQUEST.
 *
 * DeleteTopics (20) v0-v1. Request: topic_names ARRAY of STRING,
 *   timeout_ms int32. Response: throttle_time_ms int32 (v1+), responses
 *   ARRAY of {name STRING, error_code int16}.
 *
 * DeleteRecords (21) v0-v1. Request: topics ARRAY of {name STRING,
 *   partitions ARRAY of {partition_index int32, offset int64 (-1: the high
 *   watermark)}}, timeout_ms int32. Response: throttle_time_ms int32,
 *   topics ARRAY of {name STRING, partitions ARRAY of {partition_index
 *   int32, low_watermark int64, error_code int16}}.
 *
 * DescribeConfigs (32) v0-v2. Request: resources ARRAY of {resource_type
 *   int8 (2 topic, 4 broker), resource_name STRING, configuration_keys
 *   ARRAY of STRING (null: all)}, include_synonyms bool (v1+).
 * Response: throttle_time_ms int32, results ARRAY of {error_code int16,
 *   error_message NULLABLE_STRING, resource_type int8, resource_name
 *   STRING, configs ARRAY of {name STRING, value NULLABLE_STRING, read_only
 *   bool, is_default bool (v0 only), config_source int8 (v1+),
 *   is_sensitive bool, synonyms ARRAY (v1+, always empty)}}.
 *   A topic lists every topic config: the ones set on it with
 *   DYNAMIC_TOPIC_CONFIG (1), the others with DEFAULT_CONFIG (5). A broker
 *   (name: a broker id, or empty for the cluster default) lists a short,
 *   read-only set of broker configs that follow from the cluster options.
 *
 * AlterConfigs (33) v0-v1. Request: resources ARRAY of {resource_type
 *   int8, resource_name STRING, configs ARRAY of {name STRING, value
 *   NULLABLE_STRING}}, validate_only bool. Response: throttle_time_ms
 *   int32, responses ARRAY of {error_code int16, error_message
 *   NULLABLE_STRING, resource_type int8, resource_name STRING}.
 *   A topic's given configs replace all of its overrides. Broker configs
 *   are read-only here (INVALID_REQUEST).
 *
 * IncrementalAlterConfigs (44) v0 (v1 is flexible). Request: resources
 *   ARRAY of {resource_type int8, resource_name STRING, configs ARRAY of
 *   {name STRING, config_operation int8 (0 set, 1 delete, 2 append, 3
 *   subtract), value NULLABLE_STRING}}, validate_only bool. Response: as
 *   AlterConfigs. Append and subtract work on list configs only
 *   (INVALID_CONFIG otherwise), against the topic's current value. The
 *   change is read, modified and written back through the cluster API,
 *   so two clients changing one topic at the same moment may lose one
 *   change.
 *
 * CreatePartitions (37) v0-v1. Request: topics ARRAY of {name STRING,
 *   count int32 (the new total), assignments ARRAY of {broker_ids ARRAY
 *   int32} (null or empty: the cluster places them)}, timeout_ms int32,
 *   validate_only bool. Response: throttle_time_ms int32, results ARRAY of
 *   {name STRING, error_code int16, error_message NULLABLE_STRING}.
 *   Explicit assignments are refused with INVALID_REQUEST. */

#define G_LOG_DOMAIN "mr-protocol"

#include "config.h"

#include "mr-kafka-handlers.h"

#include <string.h>

#include "mr-cluster-error.h"
#include "mr-kafka-error.h"
#include "mr-topic-rules.h"

#define RESOURCE_TYPE_TOPIC  2
#define RESOURCE_TYPE_BROKER 4

/* One topic or resource of a request with its outcome. */
typedef struct
{
  char         *name;
  gint8         resource_type;
  gint32        count;            /* partitions */
  gint16        replication_factor;
  GHashTable   *configs;          /* name → value */
  GPtrArray    *keys;             /* DescribeConfigs: NULL for all */
  MrKafkaError  error;
  char         *message;
} AdminItem;

static void
admin_item_clear (gpointer data)
{
  AdminItem *item = data;

  g_free (item->name);
  g_clear_pointer (&item->configs, g_hash_table_unref);
  g_clear_pointer (&item->keys, g_ptr_array_unref);
  g_free (item->message);
}

static GArray *
admin_items_new (void)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (AdminItem));

  g_array_set_clear_func (items, admin_item_clear);
  return items;
}

static void
admin_item_fail (AdminItem    *item,
                 MrKafkaError  code,
                 const char   *format,
                 ...) G_GNUC_PRINTF (3, 4);

static void
admin_item_fail (AdminItem    *item,
                 MrKafkaError  code,
                 const char   *format,
                 ...)
{
  va_list args;

  if (item->error != MR_KAFKA_ERROR_NONE)
    return;
  item->error = code;
  va_start (args, format);
  item->message = g_strdup_vprintf (format, args);
  va_end (args);
}

static void
admin_item_fail_with (AdminItem    *item,
                      const GError *error)
{
  admin_item_fail (item, mr_cluster_error_kafka_code_for (error), "%s",
                   error->message);
}

/* Fails every item whose resource another item names too: Kafka refuses
 * a resource named twice in one request. */
static void
admin_items_fail_duplicates (GArray *items)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);

  /* Keys are "type/name"; @counts borrows them from @keys. */
  for (guint i = 0; i < items->len; i++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, i);
      char *key = g_strdup_printf ("%d/%s", item->resource_type, item->name);
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

      g_ptr_array_add (keys, key);
      g_hash_table_insert (counts, key, GUINT_TO_POINTER (count + 1));
    }
  for (guint i = 0; i < items->len; i++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, i);

      if (GPOINTER_TO_UINT (g_hash_table_lookup (counts,
                                                 g_ptr_array_index (keys, i))) > 1)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "“%s” is named more than once in the request",
                         item->name);
    }
}

/* Reads configs ARRAY of {name STRING, value NULLABLE_STRING} into
 * @item's table; a null value or a name given twice fails @item. */
static void
read_configs (MrKafkaReader *reader,
              AdminItem     *item)
{
  gint32 n = mr_kafka_reader_array_count (reader, 4);

  item->configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         g_free);
  for (gint32 i = 0; i < n && !mr_kafka_reader_failed (reader); i++)
    {
      g_autofree char *name = mr_kafka_reader_string (reader);
      g_autofree char *value = mr_kafka_reader_nullable_string (reader);

      if (name == NULL)
        continue;
      if (value == NULL)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Null value not supported for config “%s”", name);
      else if (g_hash_table_contains (item->configs, name))
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Config “%s” is given more than once", name);
      else
        g_hash_table_replace (item->configs, g_steal_pointer (&name),
                              g_steal_pointer (&value));
    }
}

/* Reads an ARRAY of int32 and drops it. */
static void
skip_int32_array (MrKafkaReader *reader)
{
  gint32 n = mr_kafka_reader_array_count (reader, 4);

  for (gint32 i = 0; i < n; i++)
    (void)mr_kafka_reader_int32 (reader);
}

/* The message for the wire: the one set on @item, or none. */
static const char *
admin_item_message (const AdminItem *item)
{
  return item->error != MR_KAFKA_ERROR_NONE ? item->message : NULL;
}

/* CreateTopics */

/* @locality: a worker thread (creation waits for leaders). */
void
mr_kafka_handle_create_topics (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autoptr(GArray) items = admin_items_new ();
  gboolean validate_only = FALSE;
  gint32 n_topics;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_topics = mr_kafka_reader_array_count (&reader, 16);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      AdminItem item = { 0 };
      gint32 n_assignments;

      item.name = mr_kafka_reader_string (&reader);
      item.count = mr_kafka_reader_int32 (&reader);
      item.replication_factor = mr_kafka_reader_int16 (&reader);
      n_assignments = mr_kafka_reader_array_count (&reader, 8);
      for (gint32 a = 0; a < n_assignments && !mr_kafka_reader_failed (&reader); a++)
        {
          (void)mr_kafka_reader_int32 (&reader);
          skip_int32_array (&reader);
        }
      read_configs (&reader, &item);
      if (n_assignments > 0)
        admin_item_fail (&item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Explicit replica assignments are not supported: "
                         "give a partition count and a replication factor");
      g_array_append_val (items, item);
    }
  (void)mr_kafka_reader_int32 (&reader);           /* timeout_ms */
  if (version >= 1)
    validate_only = mr_kafka_reader_int8 (&reader) != 0;
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  admin_items_fail_duplicates (items);
  for (guint i = 0; i < items->len; i++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, i);
      g_autoptr(GError) error = NULL;

      if (item->error != MR_KAFKA_ERROR_NONE)
        continue;
      if (item->count == 0 || item->count < -1)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_PARTITIONS,
                         "Number of partitions must be larger than 0, or -1 "
                         "for the cluster's default");
      else if (item->replication_factor == 0 || item->replication_factor < -1)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REPLICATION_FACTOR,
                         "Replication factor must be larger than 0, or -1 "
                         "for the cluster's default");
      else if (!mr_cluster_create_topic (request->cluster, item->name,
                                         item->count, item->replication_factor,
                                         item->configs, validate_only, &error))
        admin_item_fail_with (item, error);
    }

  if (version >= 2)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const AdminItem *item = &g_array_index (items, AdminItem, i);

      mr_kafka_writer_string (out, item->name);
      mr_kafka_writer_int16 (out, item->error);
      if (version >= 1)
        mr_kafka_writer_string (out, admin_item_message (item));
    }
  mr_kafka_request_respond (request);
}

/* DeleteTopics */

/* @locality: a worker thread. */
void
mr_kafka_handle_delete_topics (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autoptr(GArray) items = admin_items_new ();
  gint32 n_topics;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_topics = mr_kafka_reader_array_count (&reader, 2);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      AdminItem item = { 0 };

      item.name = mr_kafka_reader_string (&reader);
      g_array_append_val (items, item);
    }
  (void)mr_kafka_reader_int32 (&reader);           /* timeout_ms */
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  admin_items_fail_duplicates (items);
  for (guint i = 0; i < items->len; i++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, i);
      g_autoptr(GError) error = NULL;

      if (item->error == MR_KAFKA_ERROR_NONE &&
          !mr_cluster_delete_topic (request->cluster, item->name, &error))
        admin_item_fail_with (item, error);
    }

  if (version >= 1)
    mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const AdminItem *item = &g_array_index (items, AdminItem, i);

      mr_kafka_writer_string (out, item->name);
      mr_kafka_writer_int16 (out, item->error);
    }
  mr_kafka_request_respond (request);
}

/* CreatePartitions */

/* @locality: a worker thread (new partitions wait for leaders). */
void
mr_kafka_handle_create_partitions (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  g_autoptr(GArray) items = admin_items_new ();
  gboolean validate_only;
  gint32 n_topics;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_topics = mr_kafka_reader_array_count (&reader, 10);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      AdminItem item = { 0 };
      gint32 n_assignments;

      item.name = mr_kafka_reader_string (&reader);
      item.count = mr_kafka_reader_int32 (&reader);
      n_assignments = mr_kafka_reader_array_count (&reader, 4);
      for (gint32 a = 0; a < n_assignments && !mr_kafka_reader_failed (&reader); a++)
        skip_int32_array (&reader);
      if (n_assignments > 0)
        admin_item_fail (&item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Explicit replica assignments are not supported: "
                         "give only the new partition count");
      g_array_append_val (items, item);
    }
  (void)mr_kafka_reader_int32 (&reader);           /* timeout_ms */
  validate_only = mr_kafka_reader_int8 (&reader) != 0;
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  admin_items_fail_duplicates (items);
  for (guint i = 0; i < items->len; i++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, i);
      g_autoptr(GError) error = NULL;

      if (item->error == MR_KAFKA_ERROR_NONE &&
          !mr_cluster_create_partitions (request->cluster, item->name,
                                         item->count, validate_only, &error))
        admin_item_fail_with (item, error);
    }

  mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const AdminItem *item = &g_array_index (items, AdminItem, i);

      mr_kafka_writer_string (out, item->name);
      mr_kafka_writer_int16 (out, item->error);
      mr_kafka_writer_string (out, admin_item_message (item));
    }
  mr_kafka_request_respond (request);
}

/* DescribeConfigs */

/* A broker config row. */
typedef struct
{
  const char     *name;
  char           *value;
  MrConfigSource  source;
} BrokerConfig;

static gboolean
config_key_wanted (GPtrArray  *keys,
                   const char *name)
{
  if (keys == NULL)
    return TRUE;
  for (guint i = 0; i < keys->len; i++)
    if (strcmp (g_ptr_array_index (keys, i), name) == 0)
      return TRUE;
  return FALSE;
}

static void
write_config (GByteArray     *out,
              gint16          version,
              const char     *name,
              const char     *value,
              gboolean        read_only,
              MrConfigSource  source)
{
  mr_kafka_writer_string (out, name);
  mr_kafka_writer_string (out, value);
  mr_kafka_writer_int8 (out, read_only ? 1 : 0);
  if (version == 0)
    mr_kafka_writer_int8 (out, source == MR_CONFIG_SOURCE_DEFAULT_CONFIG ? 1 : 0);
  else
    mr_kafka_writer_int8 (out, (gint8)source);
  mr_kafka_writer_int8 (out, 0);                    /* is_sensitive */
  if (version >= 1)
    mr_kafka_writer_array_count (out, 0);           /* synonyms */
}

static void
add_broker_config (GArray         *rows,
                   const char     *name,
                   char           *value,
                   MrConfigSource  source)
{
  BrokerConfig row = { name, value, source };

  g_array_append_val (rows, row);
}

/* The broker configs that follow from the cluster options, or NULL with
 * @item failed for a name that is neither a broker id nor empty. */
static GArray *
describe_broker (MrKafkaRequest *request,
                 AdminItem      *item)
{
  GArray *rows;
  MrClusterOptions options;
  gint32 broker_id = request->broker_id;
  gint32 replication_factor;
  char *end = NULL;

  if (item->name[0] != '\0')
    {
      gint64 id = g_ascii_strtoll (item->name, &end, 10);

      if (end == item->name || *end != '\0' || id < 1 ||
          id > (gint64)mr_cluster_get_n_brokers (request->cluster))
        {
          admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                           "No broker with id “%s”", item->name);
          return NULL;
        }
      broker_id = (gint32)id;
    }

  mr_cluster_get_options (request->cluster, &options);
  /* As the cluster applies it: capped by the number of brokers. */
  replication_factor = options.default_replication_factor > 0
    ? options.default_replication_factor : 3;
  replication_factor = (gint32)MIN ((guint)replication_factor,
                                    options.n_brokers);

  rows = g_array_new (FALSE, TRUE, sizeof (BrokerConfig));
  add_broker_config (rows, "auto.create.topics.enable",
                     g_strdup (options.auto_create_topics ? "true" : "false"),
                     MR_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  add_broker_config (rows, "broker.id", g_strdup_printf ("%d", broker_id),
                     MR_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  add_broker_config (rows, "default.replication.factor",
                     g_strdup_printf ("%d", replication_factor),
                     MR_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  add_broker_config (rows, "log.retention.ms",
                     mr_topic_config_dup_default ("retention.ms"),
                     MR_CONFIG_SOURCE_DEFAULT_CONFIG);
  add_broker_config (rows, "log.segment.bytes",
                     mr_topic_config_dup_default ("segment.bytes"),
                     MR_CONFIG_SOURCE_DEFAULT_CONFIG);
  add_broker_config (rows, "min.insync.replicas",
                     mr_topic_config_dup_default ("min.insync.replicas"),
                     MR_CONFIG_SOURCE_DEFAULT_CONFIG);
  add_broker_config (rows, "num.partitions",
                     g_strdup_printf ("%d", options.default_partitions),
                     MR_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  add_broker_config (rows, "replica.lag.time.max.ms",
                     g_strdup_printf ("%u", options.replica_lag_time_max_ms),
                     MR_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  mr_cluster_options_clear (&options);
  return rows;
}

static void
write_broker_configs (MrKafkaRequest *request,
                      AdminItem      *item,
                      GArray         *rows)
{
  GByteArray *out = request->response;
  gint32 n = 0;

  for (guint i = 0; i < rows->len; i++)
    if (config_key_wanted (item->keys, g_array_index (rows, BrokerConfig, i).name))
      n++;
  mr_kafka_writer_array_count (out, n);
  for (guint i = 0; i < rows->len; i++)
    {
      BrokerConfig *row = &g_array_index (rows, BrokerConfig, i);

      if (config_key_wanted (item->keys, row->name))
        write_config (out, request->api_version, row->name, row->value, TRUE,
                      row->source);
      g_free (row->value);
    }
}

/* Every config of the topic @info, with its source; NULL with @item
 * failed when its stored overrides no longer apply. */
static GPtrArray *
describe_topic_configs (AdminItem   *item,
                        MrTopicInfo *info)
{
  g_autoptr(GError) error = NULL;
  MrTopicConfig config;

  mr_topic_config_init_defaults (&config);
  if (info->configs != NULL &&
      !mr_topic_config_apply (&config, info->configs, &error))
    {
      admin_item_fail_with (item, error);
      return NULL;
    }
  return mr_topic_config_describe (&config, info->configs);
}

static GPtrArray *
describe_topic (MrKafkaRequest *request,
                AdminItem      *item)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = mr_cluster_describe_topic (request->cluster, item->name, &error);
  if (info == NULL)
    {
      admin_item_fail_with (item, error);
      return NULL;
    }
  return describe_topic_configs (item, info);
}

static void
write_topic_configs (MrKafkaRequest *request,
                     AdminItem      *item,
                     GPtrArray      *entries)
{
  GByteArray *out = request->response;
  gint32 n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      const MrTopicConfigEntry *entry = g_ptr_array_index (entries, i);

      if (config_key_wanted (item->keys, entry->name))
        n++;
    }
  mr_kafka_writer_array_count (out, n);
  for (guint i = 0; i < entries->len; i++)
    {
      const MrTopicConfigEntry *entry = g_ptr_array_index (entries, i);

      if (config_key_wanted (item->keys, entry->name))
        write_config (out, request->api_version, entry->name, entry->value,
                      entry->read_only, entry->source);
    }
}

/* @locality: a worker thread. */
void
mr_kafka_handle_describe_configs (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  gint16 version = request->api_version;
  MrKafkaReader reader;
  g_autoptr(GArray) items = admin_items_new ();
  gint32 n_resources;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_resources = mr_kafka_reader_array_count (&reader, 7);
  for (gint32 r = 0; r < n_resources && !mr_kafka_reader_failed (&reader); r++)
    {
      AdminItem item = { 0 };
      gint32 n_keys;

      item.resource_type = mr_kafka_reader_int8 (&reader);
      item.name = mr_kafka_reader_string (&reader);
      n_keys = mr_kafka_reader_array_count (&reader, 2);
      if (n_keys >= 0)
        item.keys = g_ptr_array_new_with_free_func (g_free);
      for (gint32 k = 0; k < n_keys && !mr_kafka_reader_failed (&reader); k++)
        {
          char *key = mr_kafka_reader_string (&reader);

          if (key != NULL)
            g_ptr_array_add (item.keys, key);
        }
      g_array_append_val (items, item);
    }
  if (version >= 1)
    (void)mr_kafka_reader_int8 (&reader);          /* include_synonyms */
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)items->len);
  for (guint i = 0; i < items->len; i++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, i);
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GArray) rows = NULL;

      if (item->resource_type == RESOURCE_TYPE_TOPIC)
        entries = describe_topic (request, item);
      else if (item->resource_type == RESOURCE_TYPE_BROKER)
        rows = describe_broker (request, item);
      else
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Unsupported resource type %d", item->resource_type);

      mr_kafka_writer_int16 (out, item->error);
      mr_kafka_writer_string (out, admin_item_message (item));
      mr_kafka_writer_int8 (out, item->resource_type);
      mr_kafka_writer_string (out, item->name);
      if (entries != NULL)
        write_topic_configs (request, item, entries);
      else if (rows != NULL)
        write_broker_configs (request, item, rows);
      else
        mr_kafka_writer_array_count (out, 0);
    }
  mr_kafka_request_respond (request);
}

/* AlterConfigs */

/* @locality: a worker thread. */
void
mr_kafka_handle_alter_configs (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  g_autoptr(GArray) items = admin_items_new ();
  gboolean validate_only;
  gint32 n_resources;

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_resources = mr_kafka_reader_array_count (&reader, 7);
  for (gint32 r = 0; r < n_resources && !mr_kafka_reader_failed (&reader); r++)
    {
      AdminItem item = { 0 };

      item.resource_type = mr_kafka_reader_int8 (&reader);
      item.name = mr_kafka_reader_string (&reader);
      read_configs (&reader, &item);
      g_array_append_val (items, item);
    }
  validate_only = mr_kafka_reader_int8 (&reader) != 0;
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  admin_items_fail_duplicates (items);
  for (guint i = 0; i < items->len; i++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, i);
      g_autoptr(GError) error = NULL;

      if (item->error != MR_KAFKA_ERROR_NONE)
        continue;
      if (item->resource_type == RESOURCE_TYPE_BROKER)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Broker configs are read-only: they come from the "
                         "cluster's settings");
      else if (item->resource_type != RESOURCE_TYPE_TOPIC)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Unsupported resource type %d", item->resource_type);
      else if (!mr_cluster_alter_topic_configs (request->cluster, item->name,
                                                item->configs, validate_only,
                                                &error))
        admin_item_fail_with (item, error);
    }

  mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const AdminItem *item = &g_array_index (items, AdminItem, i);

      mr_kafka_writer_int16 (out, item->error);
      mr_kafka_writer_string (out, admin_item_message (item));
      mr_kafka_writer_int8 (out, item->resource_type);
      mr_kafka_writer_string (out, item->name);
    }
  mr_kafka_request_respond (request);
}

/* IncrementalAlterConfigs */

#define CONFIG_OP_SET      0
#define CONFIG_OP_DELETE   1
#define CONFIG_OP_APPEND   2
#define CONFIG_OP_SUBTRACT 3

/* The list @current with @value's items appended (those not there yet) or
 * subtracted. */
static char *
edit_list (const char *current,
           const char *value,
           gboolean    append)
{
  g_auto(GStrv) have = g_strsplit (current != NULL ? current : "", ",", -1);
  g_auto(GStrv) items = g_strsplit (value, ",", -1);
  g_autoptr(GPtrArray) result = g_ptr_array_new_null_terminated (0, NULL, TRUE);

  for (guint i = 0; have[i] != NULL; i++)
    {
      g_strstrip (have[i]);
      if (have[i][0] != '\0' &&
          (append || !g_strv_contains ((const char * const *)items, have[i])))
        g_ptr_array_add (result, have[i]);
    }
  for (guint i = 0; append && items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] != '\0' &&
          !g_strv_contains ((const char * const *)have, items[i]))
        g_ptr_array_add (result, items[i]);
    }
  return g_strjoinv (",", (char **)result->pdata);
}

/* Applies one operation to @overrides, the topic's overrides, given the
 * topic's current configs @entries; fails @item on a bad operation. */
static void
apply_config_op (AdminItem  *item,
                 GHashTable *overrides,
                 GPtrArray  *entries,
                 const char *name,
                 gint8       op,
                 const char *value)
{
  const MrTopicConfigEntry *entry = NULL;

  for (guint i = 0; i < entries->len; i++)
    if (strcmp (((MrTopicConfigEntry *)g_ptr_array_index (entries, i))->name,
                name) == 0)
      entry = g_ptr_array_index (entries, i);

  if (op < CONFIG_OP_SET || op > CONFIG_OP_SUBTRACT)
    admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                     "Unknown config operation %d for “%s”", op, name);
  else if (entry == NULL)
    admin_item_fail (item, MR_KAFKA_ERROR_INVALID_CONFIG,
                     "Unknown topic config “%s”", name);
  else if (op == CONFIG_OP_DELETE)
    g_hash_table_remove (overrides, name);
  else if (value == NULL)
    admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                     "Null value not supported for config “%s”", name);
  else if (op == CONFIG_OP_SET)
    g_hash_table_replace (overrides, g_strdup (name), g_strdup (value));
  else if (entry->type != MR_CONFIG_TYPE_LIST)
    admin_item_fail (item, MR_KAFKA_ERROR_INVALID_CONFIG,
                     "Config “%s” is not a list: it takes no append or "
                     "subtract", name);
  else
    g_hash_table_replace (overrides, g_strdup (name),
                          edit_list (entry->value, value,
                                     op == CONFIG_OP_APPEND));
}

/* @locality: a worker thread. */
void
mr_kafka_handle_incremental_alter_configs (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  g_autoptr(GArray) items = admin_items_new ();
  gboolean validate_only;
  gint32 n_resources;

  /* First pass: the shape of the request and the resources' names. */
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_resources = mr_kafka_reader_array_count (&reader, 7);
  for (gint32 r = 0; r < n_resources && !mr_kafka_reader_failed (&reader); r++)
    {
      AdminItem item = { 0 };
      gint32 n_configs;

      item.resource_type = mr_kafka_reader_int8 (&reader);
      item.name = mr_kafka_reader_string (&reader);
      item.configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
      n_configs = mr_kafka_reader_array_count (&reader, 5);
      for (gint32 c = 0; c < n_configs && !mr_kafka_reader_failed (&reader); c++)
        {
          char *name = mr_kafka_reader_string (&reader);

          (void)mr_kafka_reader_int8 (&reader);
          g_free (mr_kafka_reader_nullable_string (&reader));
          if (name == NULL)
            continue;
          if (g_hash_table_contains (item.configs, name))
            admin_item_fail (&item, MR_KAFKA_ERROR_INVALID_REQUEST,
                             "Config “%s” is given more than once", name);
          g_hash_table_add (item.configs, name);
        }
      g_array_append_val (items, item);
    }
  validate_only = mr_kafka_reader_int8 (&reader) != 0;
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }
  admin_items_fail_duplicates (items);

  /* Second pass: each resource's operations on its current overrides. */
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_resources = mr_kafka_reader_array_count (&reader, 7);
  for (gint32 r = 0; r < n_resources; r++)
    {
      AdminItem *item = &g_array_index (items, AdminItem, r);
      g_autoptr(MrTopicInfo) info = NULL;
      g_autoptr(GHashTable) overrides = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;
      gint32 n_configs;

      (void)mr_kafka_reader_int8 (&reader);
      g_free (mr_kafka_reader_string (&reader));
      if (item->resource_type == RESOURCE_TYPE_BROKER)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Broker configs are read-only: they come from the "
                         "cluster's settings");
      else if (item->resource_type != RESOURCE_TYPE_TOPIC)
        admin_item_fail (item, MR_KAFKA_ERROR_INVALID_REQUEST,
                         "Unsupported resource type %d", item->resource_type);
      else if (item->error == MR_KAFKA_ERROR_NONE)
        {
          info = mr_cluster_describe_topic (request->cluster, item->name,
                                            &error);
          if (info == NULL)
            admin_item_fail_with (item, error);
          else
            entries = describe_topic_configs (item, info);
        }
      if (entries != NULL)
        {
          GHashTableIter iter;
          gpointer key;
          gpointer value;

          overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             g_free);
          if (info->configs != NULL)
            {
              g_hash_table_iter_init (&iter, info->configs);
              while (g_hash_table_iter_next (&iter, &key, &value))
                g_hash_table_replace (overrides, g_strdup (key),
                                      g_strdup (value));
            }
        }

      n_configs = mr_kafka_reader_array_count (&reader, 5);
      for (gint32 c = 0; c < n_configs; c++)
        {
          g_autofree char *name = mr_kafka_reader_string (&reader);
          gint8 op = mr_kafka_reader_int8 (&reader);
          g_autofree char *value = mr_kafka_reader_nullable_string (&reader);

          if (overrides != NULL && item->error == MR_KAFKA_ERROR_NONE)
            apply_config_op (item, overrides, entries, name, op, value);
        }

      if (overrides != NULL && item->error == MR_KAFKA_ERROR_NONE &&
          !mr_cluster_alter_topic_configs (request->cluster, item->name,
                                           overrides, validate_only, &error))
        admin_item_fail_with (item, error);
    }

  mr_kafka_writer_int32 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const AdminItem *item = &g_array_index (items, AdminItem, i);

      mr_kafka_writer_int16 (out, item->error);
      mr_kafka_writer_string (out, admin_item_message (item));
      mr_kafka_writer_int8 (out, item->resource_type);
      mr_kafka_writer_string (out, item->name);
    }
  mr_kafka_request_respond (request);
}

/* DeleteRecords */

/* @locality: a worker thread. */
void
mr_kafka_handle_delete_records (MrKafkaRequest *request)
{
  GByteArray *out = request->response;
  MrKafkaReader reader;
  gint32 n_topics;

  /* Validate the whole request first: the response is written as we go. */
  mr_kafka_reader_init (&reader, request->body, request->body_len);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 t = 0; t < n_topics && !mr_kafka_reader_failed (&reader); t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n = mr_kafka_reader_array_count (&reader, 12);

      for (gint32 p = 0; p < n && !mr_kafka_reader_failed (&reader); p++)
        {
          (void)mr_kafka_reader_int32 (&reader);
          (void)mr_kafka_reader_int64 (&reader);
        }
    }
  (void)mr_kafka_reader_int32 (&reader);           /* timeout_ms */
  if (mr_kafka_reader_failed (&reader))
    {
      mr_kafka_request_fail_malformed (request, &reader);
      return;
    }

  mr_kafka_reader_init (&reader, request->body, request->body_len);
  mr_kafka_writer_int32 (out, 0);
  n_topics = mr_kafka_reader_array_count (&reader, 6);
  mr_kafka_writer_array_count (out, MAX (n_topics, 0));
  for (gint32 t = 0; t < n_topics; t++)
    {
      g_autofree char *name = mr_kafka_reader_string (&reader);
      gint32 n = mr_kafka_reader_array_count (&reader, 12);

      mr_kafka_writer_string (out, name);
      mr_kafka_writer_array_count (out, MAX (n, 0));
      for (gint32 p = 0; p < n; p++)
        {
          gint32 partition = mr_kafka_reader_int32 (&reader);
          gint64 offset = mr_kafka_reader_int64 (&reader);
          gint64 low_watermark = -1;
          MrKafkaError code;

          if (offset < -1)
            code = MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE;
          else
            code = mr_cluster_delete_records (request->cluster, name,
                                              partition, offset,
                                              &low_watermark);
          mr_kafka_writer_int32 (out, partition);
          mr_kafka_writer_int64 (out, code == MR_KAFKA_ERROR_NONE
                                      ? low_watermark : -1);
          mr_kafka_writer_int16 (out, code);
        }
    }
  mr_kafka_request_respond (request);
}
