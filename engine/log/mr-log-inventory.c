/* mr-log-inventory.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-log-inventory.h"

#include <errno.h>
#include <string.h>

#include "mr-log-config.h"
#include "mr-log-error.h"
#include "mr-partition-log.h"

static void
partition_summary_free (MrPartitionSummary *summary)
{
  g_free (summary->topic);
  g_free (summary->error_message);
  g_free (summary);
}

static void
topic_summary_free (MrTopicSummary *summary)
{
  g_free (summary->topic);
  g_ptr_array_unref (summary->partitions);
  g_free (summary);
}

void
mr_log_inventory_free (MrLogInventory *inventory)
{
  if (inventory == NULL)
    return;

  g_free (inventory->directory);
  g_ptr_array_unref (inventory->topics);
  g_free (inventory);
}

gboolean
mr_log_inventory_parse_partition_dir_name (const char  *name,
                                           char       **topic,
                                           gint32      *partition)
{
  const char *dash;
  guint64 number = 0;

  g_return_val_if_fail (name != NULL, FALSE);

  dash = strrchr (name, '-');
  if (dash == NULL || dash == name || dash[1] == '\0')
    return FALSE;

  for (const char *p = dash + 1; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  if (!g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXINT32, &number, NULL))
    return FALSE;

  if (topic != NULL)
    *topic = g_strndup (name, dash - name);
  if (partition != NULL)
    *partition = (gint32)number;
  return TRUE;
}

static gboolean
parse_broker_dir_name (const char *name,
                       gint32     *broker_id)
{
  guint64 number = 0;

  if (!g_str_has_prefix (name, "broker-"))
    return FALSE;
  if (!g_ascii_string_to_unsigned (name + strlen ("broker-"), 10, 0,
                                   G_MAXINT32, &number, NULL))
    return FALSE;

  *broker_id = (gint32)number;
  return TRUE;
}

static MrPartitionSummary *
summarize_partition (const char *path,
                     const char *topic,
                     gint32      partition,
                     gint32      broker_id)
{
  MrPartitionSummary *summary = g_new0 (MrPartitionSummary, 1);
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrLogRecoveryReport report;
  MrLogConfig config;

  summary->topic = g_strdup (topic);
  summary->partition = partition;
  summary->broker_id = broker_id;

  mr_log_config_init_defaults (&config);
  log = mr_partition_log_open (path, &config, NULL,
                               MR_LOG_OPEN_FLAGS_READ_ONLY, &error);
  if (log == NULL)
    {
      summary->error_message = g_strdup (error->message);
      return summary;
    }

  mr_partition_log_get_recovery_report (log, &report);
  summary->log_start_offset = mr_partition_log_get_log_start_offset (log);
  summary->log_end_offset = mr_partition_log_get_log_end_offset (log);
  summary->size_bytes = mr_partition_log_get_size (log);
  summary->n_segments = mr_partition_log_get_n_segments (log);
  summary->corrupt_bytes = report.truncated_bytes;

  return summary;
}

static gint
compare_partitions (gconstpointer a,
                    gconstpointer b)
{
  const MrPartitionSummary *x = *(MrPartitionSummary * const *)a;
  const MrPartitionSummary *y = *(MrPartitionSummary * const *)b;

  if (x->partition != y->partition)
    return x->partition < y->partition ? -1 : 1;
  if (x->broker_id != y->broker_id)
    return x->broker_id < y->broker_id ? -1 : 1;
  return 0;
}

static gint
compare_topics (gconstpointer a,
                gconstpointer b)
{
  const MrTopicSummary *x = *(MrTopicSummary * const *)a;
  const MrTopicSummary *y = *(MrTopicSummary * const *)b;

  return strcmp (x->topic, y->topic);
}

static void
finish_topic (MrTopicSummary *topic)
{
  gint32 current = -1;
  gint64 best = 0;

  g_ptr_array_sort (topic->partitions, compare_partitions);

  topic->n_replicas = topic->partitions->len;
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      MrPartitionSummary *partition = g_ptr_array_index (topic->partitions, i);
      gint64 records = partition->log_end_offset - partition->log_start_offset;

      topic->size_bytes += partition->size_bytes;

      if (partition->partition != current)
        {
          topic->n_records += best;
          topic->n_partitions++;
          current = partition->partition;
          best = 0;
        }
      if (partition->error_message == NULL)
        best = MAX (best, records);
    }
  topic->n_records += best;
}

/* Scans one broker-<id> directory into @topics. */
static gboolean
scan_broker (const char    *broker_path,
             gint32         broker_id,
             GHashTable    *topics,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (broker_path, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not read “%s”: %s", broker_path,
                   local_error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (broker_path, name, NULL);
      g_autofree char *topic_name = NULL;
      MrTopicSummary *topic = NULL;
      gint32 partition = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (!g_file_test (path, G_FILE_TEST_IS_DIR)
          || !mr_log_inventory_parse_partition_dir_name (name, &topic_name,
                                                         &partition))
        continue;

      topic = g_hash_table_lookup (topics, topic_name);
      if (topic == NULL)
        {
          topic = g_new0 (MrTopicSummary, 1);
          topic->topic = g_strdup (topic_name);
          topic->partitions = g_ptr_array_new_with_free_func (
            (GDestroyNotify)partition_summary_free);
          g_hash_table_insert (topics, topic->topic, topic);
        }

      g_ptr_array_add (topic->partitions,
                       summarize_partition (path, topic_name, partition,
                                            broker_id));
    }

  return TRUE;
}

MrLogInventory *
mr_log_inventory_scan (const char    *directory,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(MrLogInventory) inventory = NULL;
  g_autoptr(GHashTable) topics = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  GHashTableIter iter;
  gpointer value;
  const char *name;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  inventory = g_new0 (MrLogInventory, 1);
  inventory->directory = g_strdup (directory);
  inventory->topics = g_ptr_array_new_with_free_func (
    (GDestroyNotify)topic_summary_free);

  if (!g_file_test (directory, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&inventory);

  inventory->exists = TRUE;

  dir = g_dir_open (directory, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not read the cluster directory: %s",
                   local_error->message);
      return NULL;
    }

  /* Topics are owned by the array at the end; the table only indexes. */
  topics = g_hash_table_new (g_str_hash, g_str_equal);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);
      gint32 broker_id = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_DIR)
          || !parse_broker_dir_name (name, &broker_id))
        continue;

      inventory->n_brokers++;
      if (!scan_broker (path, broker_id, topics, cancellable, error))
        {
          g_hash_table_iter_init (&iter, topics);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            topic_summary_free (value);
          return NULL;
        }
    }

  g_hash_table_iter_init (&iter, topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrTopicSummary *topic = value;

      finish_topic (topic);
      inventory->size_bytes += topic->size_bytes;
      g_ptr_array_add (inventory->topics, topic);
    }
  g_ptr_array_sort (inventory->topics, compare_topics);

  return g_steal_pointer (&inventory);
}
