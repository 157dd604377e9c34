/* test-log-inventory.c: what a cluster directory holds, found without
 * changing it.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "mr-test-util.h"

static void
make_replica (const char *root,
              gint32      broker,
              const char *topic,
              gint32      partition,
              guint       n_batches)
{
  g_autofree char *name = g_strdup_printf ("broker-%d/%s-%d", broker, topic,
                                           partition);
  g_autofree char *dir = g_build_filename (root, name, NULL);
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;

  log = mr_test_open_log (dir, NULL, NULL);
  for (guint i = 0; i < n_batches; i++)
    mr_test_append (log, 10, 50, i * 10, 1000);
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
}

static void
test_scan_cluster_directory (void)
{
  g_autofree char *root = mr_test_make_tmpdir ();
  g_autoptr(MrLogInventory) inventory = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stray = NULL;
  MrTopicSummary *topic;
  MrPartitionSummary *partition;

  /* "my-events" has a dash in its name; broker 3 lags on partition 1. */
  for (gint32 broker = 1; broker <= 3; broker++)
    for (gint32 p = 0; p < 2; p++)
      make_replica (root, broker, "my-events", p,
                    broker == 3 && p == 1 ? 2 : 5);
  make_replica (root, 2, "audit", 0, 1);

  /* Things that are not logs are ignored. */
  stray = g_build_filename (root, "broker-1", "notes.txt", NULL);
  g_file_set_contents (stray, "hello", -1, &error);
  g_assert_no_error (error);
  {
    g_autofree char *other = g_build_filename (root, "cache", NULL);
    g_mkdir (other, 0755);
  }

  inventory = mr_log_inventory_scan (root, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (inventory->exists);
  g_assert_cmpuint (inventory->n_brokers, ==, 3);
  g_assert_cmpuint (inventory->topics->len, ==, 2);

  topic = g_ptr_array_index (inventory->topics, 0);
  g_assert_cmpstr (topic->topic, ==, "audit");
  g_assert_cmpuint (topic->n_partitions, ==, 1);
  g_assert_cmpint (topic->n_records, ==, 10);

  topic = g_ptr_array_index (inventory->topics, 1);
  g_assert_cmpstr (topic->topic, ==, "my-events");
  g_assert_cmpuint (topic->n_partitions, ==, 2);
  g_assert_cmpuint (topic->n_replicas, ==, 6);
  /* The most complete replica of each partition counts. */
  g_assert_cmpint (topic->n_records, ==, 100);

  partition = g_ptr_array_index (topic->partitions, 5);
  g_assert_cmpint (partition->partition, ==, 1);
  g_assert_cmpint (partition->broker_id, ==, 3);
  g_assert_cmpint (partition->log_end_offset, ==, 20);
  g_assert_cmpuint (partition->n_segments, ==, 1);
  g_assert_cmpint (partition->size_bytes, >, 0);
  g_assert_cmpint (partition->corrupt_bytes, ==, 0);
  g_assert_null (partition->error_message);

  g_assert_cmpint (inventory->size_bytes, ==,
                   ((MrTopicSummary *)g_ptr_array_index (inventory->topics,
                                                         0))->size_bytes
                   + topic->size_bytes);

  mr_test_remove_tree (root);
}

static void
test_corrupt_replica_is_reported_not_repaired (void)
{
  g_autofree char *root = mr_test_make_tmpdir ();
  g_autoptr(MrLogInventory) inventory = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *segment = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  MrPartitionSummary *partition;
  int fd;

  make_replica (root, 1, "orders", 0, 3);
  segment = g_build_filename (root, "broker-1", "orders-0",
                              "00000000000000000000.log", NULL);
  fd = open (segment, O_WRONLY | O_APPEND);
  g_assert_cmpint (write (fd, "0123456789", 10), ==, 10);
  close (fd);
  before = mr_test_read_file (segment);

  g_test_expect_message ("mr-log", G_LOG_LEVEL_MESSAGE, "*would drop 10*");
  inventory = mr_log_inventory_scan (root, NULL, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  partition = g_ptr_array_index (
    ((MrTopicSummary *)g_ptr_array_index (inventory->topics, 0))->partitions,
    0);
  g_assert_cmpint (partition->corrupt_bytes, ==, 10);
  g_assert_cmpint (partition->log_end_offset, ==, 30);

  after = mr_test_read_file (segment);
  g_assert_true (g_bytes_equal (before, after));

  mr_test_remove_tree (root);
}

static void
test_missing_directory (void)
{
  g_autofree char *root = mr_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (root, "nope", NULL);
  g_autoptr(MrLogInventory) inventory = NULL;
  g_autoptr(GError) error = NULL;

  inventory = mr_log_inventory_scan (missing, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (inventory->exists);
  g_assert_cmpuint (inventory->topics->len, ==, 0);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  mr_test_remove_tree (root);
}

static void
test_cancelled_scan (void)
{
  g_autofree char *root = mr_test_make_tmpdir ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MrLogInventory) inventory = NULL;
  g_autoptr(GError) error = NULL;

  make_replica (root, 1, "orders", 0, 1);
  g_cancellable_cancel (cancellable);
  inventory = mr_log_inventory_scan (root, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (inventory);

  mr_test_remove_tree (root);
}

static void
test_partition_dir_names (void)
{
  g_autofree char *topic = NULL;
  gint32 partition = -1;

  g_assert_true (mr_log_inventory_parse_partition_dir_name ("a-b-c-12",
                                                            &topic,
                                                            &partition));
  g_assert_cmpstr (topic, ==, "a-b-c");
  g_assert_cmpint (partition, ==, 12);

  g_assert_false (mr_log_inventory_parse_partition_dir_name ("orders", NULL,
                                                             NULL));
  g_assert_false (mr_log_inventory_parse_partition_dir_name ("-3", NULL,
                                                             NULL));
  g_assert_false (mr_log_inventory_parse_partition_dir_name ("orders-", NULL,
                                                             NULL));
  g_assert_false (mr_log_inventory_parse_partition_dir_name ("orders-1x",
                                                             NULL, NULL));
  g_assert_false (mr_log_inventory_parse_partition_dir_name (
    "orders-99999999999", NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log-inventory/scan", test_scan_cluster_directory);
  g_test_add_func ("/log-inventory/corrupt-replica",
                   test_corrupt_replica_is_reported_not_repaired);
  g_test_add_func ("/log-inventory/missing-directory", test_missing_directory);
  g_test_add_func ("/log-inventory/cancelled", test_cancelled_scan);
  g_test_add_func ("/log-inventory/partition-dir-names",
                   test_partition_dir_names);

  return g_test_run ();
}
