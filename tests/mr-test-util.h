/* mr-test-util.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <millrace-engine.h>

G_BEGIN_DECLS

/* A fresh directory under the system's temporary directory; remove it with
 * mr_test_remove_tree(). */
char    *mr_test_make_tmpdir      (void) G_GNUC_WARN_UNUSED_RESULT;
void     mr_test_remove_tree      (const char     *path);

/* A batch of @n_records records: keys "key-<key_base + i>", values of
 * @value_size bytes that encode the key, timestamps @first_timestamp + i. */
GBytes  *mr_test_build_batch      (guint           n_records,
                                   gsize           value_size,
                                   guint           key_base,
                                   gint64          first_timestamp,
                                   MrCompression   codec) G_GNUC_WARN_UNUSED_RESULT;

/* An I/O table for partition logs that tests steer: a fake clock, writes
 * that fail (a full disk), and counters. The MrLogIo comes first, so a
 * pointer to it is a pointer to the whole. */
typedef struct
{
  MrLogIo  io;
  gint64   now_ms;            /* the clock; advance it by hand */
  gint64   write_budget;      /* bytes still writable; -1: no limit */
  int      write_errno;       /* errno once the budget is spent */
  int      fail_syncs;        /* fdatasync fails while non-zero */
  gint     n_syncs;           /* fdatasync calls (atomic) */
  gint     n_writes;          /* pwritev calls (atomic) */
} MrTestIo;

void     mr_test_io_init          (MrTestIo       *test_io);

/* Opens a log with defaults changed by @config_pairs ("name", "value", ...,
 * NULL). */
MrPartitionLog *mr_test_open_log  (const char     *directory,
                                   const MrLogIo  *io,
                                   ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;

/* Appends a batch built by mr_test_build_batch() with assigned offsets and
 * returns its first offset. */
gint64   mr_test_append           (MrPartitionLog *log,
                                   guint           n_records,
                                   gsize           value_size,
                                   guint           key_base,
                                   gint64          first_timestamp);

/* A temporary directory and a test I/O table, for g_test_add(). */
typedef struct
{
  char     *dir;
  MrTestIo  io;
} MrTestLogFixture;

void     mr_test_log_fixture_setup    (MrTestLogFixture *fixture,
                                       gconstpointer     data);
void     mr_test_log_fixture_teardown (MrTestLogFixture *fixture,
                                       gconstpointer     data);

/* Reads from @from to the log end as a consumer does: slices of up to
 * @max_bytes, each batch checked (CRC32C included), @func called for every
 * record at or after @from. Returns the number of records passed. */
gint64   mr_test_foreach_record   (MrPartitionLog *log,
                                   gint64          from,
                                   gsize           max_bytes,
                                   MrRecordFunc    func,
                                   gpointer        user_data);

/* Cluster options for @dir that notice failures fast (heartbeats every
 * 50 ms, session timeout 400 ms, lag limit 600 ms, fetch wait 100 ms), so
 * tests wait little. No __consumer_offsets (set offsets_topic_partitions
 * to test groups) and no initial rebalance delay. Clear with mr_cluster_options_clear(). */
void       mr_test_cluster_options_init (MrClusterOptions *options,
                                         const char       *dir,
                                         guint             n_brokers);
/* A new, started cluster. */
MrCluster *mr_test_start_cluster        (const MrClusterOptions *options) G_GNUC_WARN_UNUSED_RESULT;

/* A started cluster (fast failure detection, a fresh temporary directory)
 * with a Kafka listener on each broker, on consecutive free ports from the
 * OS. @tweak may change the options before the cluster starts. */
typedef struct
{
  char            *dir;
  MrCluster       *cluster;
  MrKafkaListener *listeners[MR_CLUSTER_MAX_BROKERS];
  guint            n_brokers;
  char            *bootstrap;    /* every broker, comma-separated */
} MrTestKafkaCluster;

typedef void (*MrTestOptionsFunc) (MrClusterOptions *options);

void       mr_test_kafka_cluster_start  (MrTestKafkaCluster *kafka,
                                         guint               n_brokers,
                                         MrTestOptionsFunc   tweak);
void       mr_test_kafka_cluster_stop   (MrTestKafkaCluster *kafka);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
guint      mr_test_free_port            (void);

/* The whole file, for byte-for-byte comparisons. */
GBytes  *mr_test_read_file        (const char     *path) G_GNUC_WARN_UNUSED_RESULT;

/* Where tests leave files for people to look at (screenshots); created on
 * demand. */
char    *mr_test_dup_artifact_path (const char    *file_name) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
