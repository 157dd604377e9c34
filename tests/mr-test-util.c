/* mr-test-util.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-test"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "mr-test-util.h"

char *
mr_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *path = g_dir_make_tmp ("millrace-test-XXXXXX", &error);

  g_assert_no_error (error);
  return path;
}

static void
remove_tree_recursive (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL)
             && info != NULL)
        remove_tree_recursive (child);
    }

  g_file_delete (file, NULL, NULL);
}

void
mr_test_remove_tree (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL)
    return;

  file = g_file_new_for_path (path);
  remove_tree_recursive (file);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

GBytes *
mr_test_build_batch (guint          n_records,
                     gsize          value_size,
                     guint          key_base,
                     gint64         first_timestamp,
                     MrCompression  codec)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *value = g_malloc (MAX (value_size, 1));
  GBytes *batch = NULL;

  builder = mr_record_batch_builder_new (codec);

  for (guint i = 0; i < n_records; i++)
    {
      char key[32];
      int key_len = g_snprintf (key, sizeof key, "key-%u", key_base + i);

      for (gsize j = 0; j < value_size; j++)
        value[j] = (guint8)('a' + (key_base + i + j) % 26);

      mr_record_batch_builder_add (builder, first_timestamp + i,
                                   (const guint8 *)key, key_len,
                                   value, value_size, NULL, 0);
    }

  batch = mr_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  return batch;
}

static gssize
test_io_pwritev (const MrLogIo      *io,
                 int                 fd,
                 const struct iovec *iov,
                 int                 iovcnt,
                 goffset             offset)
{
  MrTestIo *test_io = (MrTestIo *)io;
  gsize total = 0;

  g_atomic_int_inc (&test_io->n_writes);
  for (int i = 0; i < iovcnt; i++)
    total += iov[i].iov_len;

  if (test_io->write_budget >= 0)
    {
      if (test_io->write_budget == 0)
        {
          errno = test_io->write_errno;
          return -1;
        }
      if ((gint64)total > test_io->write_budget)
        {
          /* A partial write, as a filling disk gives. */
          struct iovec one = iov[0];

          one.iov_len = MIN (one.iov_len, (gsize)test_io->write_budget);
          test_io->write_budget -= one.iov_len;
          return pwritev (fd, &one, 1, offset);
        }
      test_io->write_budget -= total;
    }

  return pwritev (fd, iov, iovcnt, offset);
}

static gssize
test_io_pread (const MrLogIo *io,
               int            fd,
               void          *buf,
               gsize          count,
               goffset        offset)
{
  return pread (fd, buf, count, offset);
}

static int
test_io_fdatasync (const MrLogIo *io,
                   int            fd)
{
  MrTestIo *test_io = (MrTestIo *)io;

  g_atomic_int_inc (&test_io->n_syncs);
  if (test_io->fail_syncs)
    {
      errno = EIO;
      return -1;
    }
  return fdatasync (fd);
}

static int
test_io_ftruncate (const MrLogIo *io,
                   int            fd,
                   goffset        length)
{
  return ftruncate (fd, length);
}

static gint64
test_io_now_ms (const MrLogIo *io)
{
  return ((MrTestIo *)io)->now_ms;
}

void
mr_test_io_init (MrTestIo *test_io)
{
  memset (test_io, 0, sizeof *test_io);
  test_io->io.pwritev = test_io_pwritev;
  test_io->io.pread = test_io_pread;
  test_io->io.fdatasync = test_io_fdatasync;
  test_io->io.ftruncate = test_io_ftruncate;
  test_io->io.now_ms = test_io_now_ms;
  test_io->now_ms = 1700000000000;
  test_io->write_budget = -1;
  test_io->write_errno = ENOSPC;
}

MrPartitionLog *
mr_test_open_log (const char    *directory,
                  const MrLogIo *io,
                  ...)
{
  g_autoptr(GError) error = NULL;
  MrPartitionLog *log = NULL;
  MrLogConfig config;
  const char *name;
  va_list args;

  mr_log_config_init_defaults (&config);

  va_start (args, io);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      mr_log_config_set (&config, name, value, &error);
      g_assert_no_error (error);
    }
  va_end (args);

  log = mr_partition_log_open (directory, &config, io, MR_LOG_OPEN_FLAGS_NONE,
                               &error);
  g_assert_no_error (error);
  g_assert_nonnull (log);
  return log;
}

gint64
mr_test_append (MrPartitionLog *log,
                guint           n_records,
                gsize           value_size,
                guint           key_base,
                gint64          first_timestamp)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  MrAppendInfo info;
  gsize len = 0;

  data = g_bytes_unref_to_data (mr_test_build_batch (n_records, value_size,
                                                     key_base,
                                                     first_timestamp,
                                                     MR_COMPRESSION_NONE),
                                &len);
  mr_partition_log_append (log, data, len, -1, MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                           &info, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_records, ==, n_records);
  return info.first_offset;
}

void
mr_test_log_fixture_setup (MrTestLogFixture *fixture,
                           gconstpointer     data)
{
  fixture->dir = mr_test_make_tmpdir ();
  mr_test_io_init (&fixture->io);
}

void
mr_test_log_fixture_teardown (MrTestLogFixture *fixture,
                              gconstpointer     data)
{
  mr_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

typedef struct
{
  gint64       from;
  gint64       count;
  MrRecordFunc func;
  gpointer     user_data;
} ForeachRecord;

static gboolean
foreach_record_cb (const MrRecordBatchHeader *batch,
                   const MrRecord            *record,
                   gpointer                   user_data)
{
  ForeachRecord *foreach = user_data;

  /* Reads return whole batches; a consumer skips what it did not ask for. */
  if (record->offset < foreach->from)
    return TRUE;
  foreach->count++;
  return foreach->func == NULL
         || foreach->func (batch, record, foreach->user_data);
}

gint64
mr_test_foreach_record (MrPartitionLog *log,
                        gint64          from,
                        gsize           max_bytes,
                        MrRecordFunc    func,
                        gpointer        user_data)
{
  ForeachRecord foreach = { from, 0, func, user_data };
  gint64 offset = from;
  gint64 end = mr_partition_log_get_log_end_offset (log);

  while (offset < end)
    {
      g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      const guint8 *data;
      gsize len = 0;
      gsize at = 0;

      mr_partition_log_read (log, offset, max_bytes, -1, &slice, &error);
      g_assert_no_error (error);
      /* Compaction leaves gaps: the first batch may start after @offset. */
      g_assert_cmpuint (slice.length, >, 0);
      g_assert_cmpint (slice.next_offset, >, offset);

      bytes = mr_log_slice_read_bytes (&slice, &error);
      g_assert_no_error (error);
      data = g_bytes_get_data (bytes, &len);
      g_assert_cmpuint (len, ==, slice.length);

      while (at < len)
        {
          MrRecordBatchHeader header;

          mr_record_batch_validate (data + at, len - at, &header, &error);
          g_assert_no_error (error);
          mr_record_batch_foreach_record (data + at, len - at,
                                          foreach_record_cb, &foreach,
                                          &error);
          g_assert_no_error (error);
          at += mr_record_batch_header_get_size (&header);
        }
      offset = slice.next_offset;
    }

  return foreach.count;
}

void
mr_test_cluster_options_init (MrClusterOptions *options,
                              const char       *dir,
                              guint             n_brokers)
{
  mr_cluster_options_init (options);
  g_free (options->data_dir);
  options->data_dir = g_strdup (dir);
  options->n_brokers = n_brokers;
  options->broker_heartbeat_interval_ms = 50;
  options->broker_session_timeout_ms = 400;
  options->replica_lag_time_max_ms = 600;
  options->replica_fetch_wait_max_ms = 100;
  /* No offsets topic unless a test asks for one (groups tests do): most
   * tests count topics and start many clusters. */
  options->offsets_topic_partitions = 0;
  options->group_initial_rebalance_delay_ms = 0;
}

MrCluster *
mr_test_start_cluster (const MrClusterOptions *options)
{
  g_autoptr(GError) error = NULL;
  MrCluster *cluster;

  cluster = mr_cluster_new (options, &error);
  g_assert_no_error (error);
  mr_cluster_start (cluster, &error);
  g_assert_no_error (error);
  return cluster;
}

guint
mr_test_free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (
    G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

/* Listeners on @base, @base + 1, ...; FALSE (and none) when a port is
 * taken. */
static gboolean
try_listeners (MrTestKafkaCluster *kafka,
               guint               base)
{
  for (guint i = 0; i < kafka->n_brokers; i++)
    {
      g_autoptr(GError) error = NULL;

      kafka->listeners[i] = mr_kafka_listener_new (kafka->cluster, i + 1,
                                                   "127.0.0.1", base + i,
                                                   &error);
      if (kafka->listeners[i] == NULL)
        {
          for (guint j = 0; j < i; j++)
            g_clear_pointer (&kafka->listeners[j], mr_kafka_listener_free);
          return FALSE;
        }
    }
  return TRUE;
}

void
mr_test_kafka_cluster_start (MrTestKafkaCluster *kafka,
                             guint               n_brokers,
                             MrTestOptionsFunc   tweak)
{
  memset (kafka, 0, sizeof *kafka);
  kafka->n_brokers = n_brokers;

  /* The OS gives one free port; the next ones are usually free too, and
   * when they are not, try another base. */
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr(GString) bootstrap = g_string_new (NULL);
      MrClusterOptions options;
      guint base = mr_test_free_port ();

      if (base + n_brokers > 65535)
        continue;
      kafka->dir = mr_test_make_tmpdir ();
      mr_test_cluster_options_init (&options, kafka->dir, n_brokers);
      options.first_port = base;
      if (tweak != NULL)
        tweak (&options);
      kafka->cluster = mr_test_start_cluster (&options);
      mr_cluster_options_clear (&options);

      if (try_listeners (kafka, base))
        {
          for (guint i = 0; i < n_brokers; i++)
            {
              mr_kafka_listener_start (kafka->listeners[i]);
              g_string_append_printf (bootstrap, "%s127.0.0.1:%u",
                                      i > 0 ? "," : "", base + i);
            }
          kafka->bootstrap = g_string_free (g_steal_pointer (&bootstrap),
                                            FALSE);
          return;
        }

      mr_cluster_shutdown (kafka->cluster);
      g_clear_pointer (&kafka->cluster, mr_cluster_unref);
      mr_test_remove_tree (kafka->dir);
      g_clear_pointer (&kafka->dir, g_free);
    }
  g_assert_not_reached ();
}

void
mr_test_kafka_cluster_stop (MrTestKafkaCluster *kafka)
{
  for (guint i = 0; i < kafka->n_brokers; i++)
    g_clear_pointer (&kafka->listeners[i], mr_kafka_listener_free);
  mr_cluster_shutdown (kafka->cluster);
  g_clear_pointer (&kafka->cluster, mr_cluster_unref);
  mr_test_remove_tree (kafka->dir);
  g_clear_pointer (&kafka->dir, g_free);
  g_clear_pointer (&kafka->bootstrap, g_free);
}

GBytes *
mr_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

char *
mr_test_dup_artifact_path (const char *file_name)
{
  const char *dir = g_getenv ("MILLRACE_TEST_ARTIFACTS_DIR");
  g_autofree char *fallback = NULL;

  if (dir == NULL)
    dir = fallback = g_build_filename (g_get_tmp_dir (), "millrace-artifacts",
                                       NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return g_build_filename (dir, file_name, NULL);
}
