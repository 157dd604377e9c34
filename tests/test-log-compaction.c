/* test-log-compaction.c: cleanup.policy=compact keeps the latest record per
 * key, in the background, without stopping appends.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "mr-test-util.h"

typedef MrTestLogFixture Fixture;

/* Appends one record per key; a NULL value makes a tombstone. */
static gint64
append_record (MrPartitionLog *log,
               MrCompression   codec,
               const char     *key,
               const char     *value,
               gint64          timestamp)
{
  g_autoptr(MrRecordBatchBuilder) builder = mr_record_batch_builder_new (codec);
  g_autofree guint8 *batch = NULL;
  g_autoptr(GError) error = NULL;
  MrAppendInfo info;
  gsize len = 0;

  mr_record_batch_builder_add (builder, timestamp, (const guint8 *)key,
                               strlen (key), (const guint8 *)value,
                               value != NULL ? (gssize)strlen (value) : -1,
                               NULL, 0);
  batch = g_bytes_unref_to_data (mr_record_batch_builder_finish (builder,
                                                                 &error),
                                 &len);
  g_assert_no_error (error);
  mr_partition_log_append (log, batch, len, 3,
                           MR_APPEND_FLAGS_ASSIGN_OFFSETS, &info, &error);
  g_assert_no_error (error);
  return info.first_offset;
}

typedef struct
{
  GHashTable *values;     /* key → "offset:value" of every record seen */
  GString    *order;
  gint64      last_offset;
  guint       n_records;
  guint       n_tombstones;
  MrCompression codec;
  gboolean    mixed_codecs;
} Snapshot;

static gboolean
snapshot_cb (const MrRecordBatchHeader *batch,
             const MrRecord            *record,
             gpointer                   user_data)
{
  Snapshot *snapshot = user_data;
  g_autofree char *key = g_strndup ((const char *)record->key,
                                    record->key_len);

  /* The leader epoch survives cleaning; offsets only ever increase, gaps or
   * not. */
  g_assert_cmpint (batch->partition_leader_epoch, ==, 3);
  g_assert_cmpint (record->offset, >, snapshot->last_offset);
  snapshot->last_offset = record->offset;
  snapshot->n_records++;
  if (record->value_len < 0)
    snapshot->n_tombstones++;
  if (mr_record_batch_header_get_compression (batch) != snapshot->codec)
    snapshot->mixed_codecs = TRUE;

  g_hash_table_replace (snapshot->values, g_strdup (key),
                        g_strdup_printf ("%" G_GINT64_FORMAT ":%.*s",
                                         record->offset,
                                         (int)MAX (record->value_len, 0),
                                         record->value_len < 0
                                           ? "" : (const char *)record->value));
  g_string_append_printf (snapshot->order, "%s,", key);
  return TRUE;
}

static void
take_snapshot (MrPartitionLog *log,
               MrCompression   codec,
               Snapshot       *snapshot)
{
  gint64 offset = mr_partition_log_get_log_start_offset (log);

  snapshot->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            g_free);
  snapshot->order = g_string_new (NULL);
  snapshot->last_offset = -1;
  snapshot->n_records = 0;
  snapshot->n_tombstones = 0;
  snapshot->codec = codec;
  snapshot->mixed_codecs = FALSE;

  mr_test_foreach_record (log, offset, 1 << 20, snapshot_cb, snapshot);
}

static void
snapshot_clear (Snapshot *snapshot)
{
  g_hash_table_unref (snapshot->values);
  g_string_free (snapshot->order, TRUE);
}

static void
test_latest_value_per_key (Fixture       *fixture,
                           gconstpointer  data)
{
  MrCompression codec = GPOINTER_TO_INT (data);
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrCompactionStats stats;
  Snapshot before;
  Snapshot after;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "cleanup.policy", "compact",
                          "segment.bytes", "1024", NULL);

  /* Ten keys, each written ten times, plus records without a key... */
  for (guint round = 0; round < 10; round++)
    for (guint k = 0; k < 10; k++)
      {
        g_autofree char *key = g_strdup_printf ("user-%u", k);
        g_autofree char *value = g_strdup_printf ("v%u", round);

        append_record (log, codec, key, value, fixture->io.now_ms);
      }
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 100);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), >, 4);

  take_snapshot (log, codec, &before);
  g_assert_cmpuint (before.n_records, ==, 100);

  mr_partition_log_compact (log, -1, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.cleaned_segments, ==,
                    mr_partition_log_get_n_segments (log) - 1);
  g_assert_cmpint (stats.records_after, <, stats.records_before);

  /* Readers see the same latest value for every key, at the same offset,
   * with fewer records, in the same codec. */
  take_snapshot (log, codec, &after);
  g_assert_cmpuint (after.n_records, <, 100);
  g_assert_cmpuint (g_hash_table_size (after.values), ==, 10);
  g_assert_false (after.mixed_codecs);
  for (guint k = 0; k < 10; k++)
    {
      g_autofree char *key = g_strdup_printf ("user-%u", k);

      g_assert_cmpstr (g_hash_table_lookup (after.values, key), ==,
                       g_hash_table_lookup (before.values, key));
    }

  /* The log end does not move, and appends continue after it. */
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 100);
  g_assert_cmpint (append_record (log, codec, "user-0", "new",
                                  fixture->io.now_ms), ==, 100);

  /* Reopening finds the compacted log consistent. */
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
  g_clear_pointer (&log, mr_partition_log_unref);
  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "cleanup.policy", "compact",
                          "segment.bytes", "1024", NULL);
  {
    MrLogRecoveryReport report;
    Snapshot reopened;

    mr_partition_log_get_recovery_report (log, &report);
    g_assert_cmpint (report.truncated_bytes, ==, 0);
    take_snapshot (log, codec, &reopened);
    g_assert_cmpuint (reopened.n_records, ==, after.n_records + 1);
    snapshot_clear (&reopened);
  }

  snapshot_clear (&before);
  snapshot_clear (&after);
}

static void
test_tombstones_expire (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrCompactionStats stats;
  Snapshot snapshot;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "cleanup.policy", "compact",
                          "delete.retention.ms", "60000",
                          "segment.bytes", "300", NULL);
  append_record (log, MR_COMPRESSION_NONE, "a", "1", fixture->io.now_ms);
  append_record (log, MR_COMPRESSION_NONE, "b", "1", fixture->io.now_ms);
  append_record (log, MR_COMPRESSION_NONE, "a", NULL, fixture->io.now_ms);
  append_record (log, MR_COMPRESSION_NONE, "c", "1", fixture->io.now_ms);
  for (guint i = 0; i < 6; i++)
    append_record (log, MR_COMPRESSION_NONE, "filler", "x",
                   fixture->io.now_ms);

  /* Young tombstone: the old value of "a" goes, the tombstone stays. */
  mr_partition_log_compact (log, -1, &stats, &error);
  g_assert_no_error (error);
  take_snapshot (log, MR_COMPRESSION_NONE, &snapshot);
  g_assert_cmpstr (g_hash_table_lookup (snapshot.values, "a"), ==, "2:");
  g_assert_cmpuint (snapshot.n_tombstones, ==, 1);
  g_assert_cmpint (stats.tombstones_removed, ==, 0);
  snapshot_clear (&snapshot);

  /* A minute later it is gone; "b" and "c" stay. */
  fixture->io.now_ms += 60001;
  mr_partition_log_compact (log, -1, &stats, &error);
  g_assert_no_error (error);
  take_snapshot (log, MR_COMPRESSION_NONE, &snapshot);
  g_assert_null (g_hash_table_lookup (snapshot.values, "a"));
  g_assert_cmpstr (g_hash_table_lookup (snapshot.values, "b"), ==, "1:1");
  g_assert_cmpstr (g_hash_table_lookup (snapshot.values, "c"), ==, "3:1");
  g_assert_cmpuint (snapshot.n_tombstones, ==, 0);
  g_assert_cmpint (stats.tombstones_removed, ==, 1);
  snapshot_clear (&snapshot);
}

static void
test_delete_policy_is_not_compacted (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrCompactionStats stats;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "300", NULL);
  for (guint i = 0; i < 10; i++)
    append_record (log, MR_COMPRESSION_NONE, "same", "x", 0);
  mr_partition_log_compact (log, -1, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.cleaned_segments, ==, 0);
  g_assert_cmpint (stats.records_before, ==, 0);
}

/* A write hook that holds compaction's output until the test says so. */
typedef struct
{
  MrTestIo  base;
  GMutex    lock;
  GCond     cond;
  gboolean  compaction_waiting;
  gboolean  released;
} GateIo;

static gboolean
fd_is_compaction_output (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL && g_str_has_suffix (target, ".cleaned");
}

static gssize
gate_pwritev (const MrLogIo      *io,
              int                 fd,
              const struct iovec *iov,
              int                 iovcnt,
              goffset             offset)
{
  GateIo *gate = (GateIo *)io;

  if (fd_is_compaction_output (fd))
    {
      g_mutex_lock (&gate->lock);
      gate->compaction_waiting = TRUE;
      g_cond_broadcast (&gate->cond);
      while (!gate->released)
        g_cond_wait (&gate->cond, &gate->lock);
      g_mutex_unlock (&gate->lock);
    }

  return pwritev (fd, iov, iovcnt, offset);
}

static gpointer
compact_thread (gpointer data)
{
  MrPartitionLog *log = data;
  g_autoptr(GError) error = NULL;
  MrCompactionStats stats;

  mr_partition_log_compact (log, -1, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.cleaned_segments, >, 0);
  return NULL;
}

static void
test_appends_continue_during_compaction (Fixture       *fixture,
                                         gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  GateIo gate;
  GThread *thread;
  Snapshot snapshot;

  gate.base = fixture->io;
  gate.base.io.pwritev = gate_pwritev;
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  gate.compaction_waiting = FALSE;
  gate.released = FALSE;

  log = mr_test_open_log (fixture->dir, &gate.base.io,
                          "cleanup.policy", "compact",
                          "segment.bytes", "1024", NULL);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i % 7);
      append_record (log, MR_COMPRESSION_NONE, key, "old", 0);
    }

  thread = g_thread_new ("compaction", compact_thread, log);

  /* Wait until compaction is in the middle of writing its output... */
  g_mutex_lock (&gate.lock);
  while (!gate.compaction_waiting)
    g_cond_wait (&gate.cond, &gate.lock);
  g_mutex_unlock (&gate.lock);

  /* ...and append, read and roll meanwhile: none of it waits for it. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i % 7);
      append_record (log, MR_COMPRESSION_NONE, key, "new", 0);
    }
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 300);

  g_mutex_lock (&gate.lock);
  gate.released = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  g_thread_join (thread);

  take_snapshot (log, MR_COMPRESSION_NONE, &snapshot);
  g_assert_cmpuint (g_hash_table_size (snapshot.values), ==, 7);
  for (guint k = 0; k < 7; k++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", k);
      const char *value = g_hash_table_lookup (snapshot.values, key);

      g_assert_true (g_str_has_suffix (value, ":new"));
    }
  g_assert_cmpint (snapshot.last_offset, ==, 299);
  snapshot_clear (&snapshot);

  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

static void
test_background_cleaner (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(MrLogCleaner) cleaner = NULL;
  MrLogCleanerStats stats = { 0, };
  gint64 deadline;
  Snapshot snapshot;

  log = mr_test_open_log (fixture->dir, NULL,
                          "cleanup.policy", "compact",
                          "segment.bytes", "1024", NULL);
  cleaner = mr_log_cleaner_new (20);
  mr_log_cleaner_add (cleaner, log);

  /* Overwrites that close segments: the cleaner notices on its own. */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i % 5);
      g_autofree char *value = g_strdup_printf ("v%u", i);

      append_record (log, MR_COMPRESSION_NONE, key, value, 0);
    }

  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline)
    {
      mr_log_cleaner_get_stats (cleaner, &stats);
      if (stats.cleaned_segments > 0 && stats.records_removed > 0)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_cmpuint (stats.cleaned_segments, >, 0);
  g_assert_cmpuint (stats.records_removed, >, 0);
  g_assert_cmpuint (stats.failures, ==, 0);

  take_snapshot (log, MR_COMPRESSION_NONE, &snapshot);
  g_assert_cmpuint (snapshot.n_records, <, 300);
  g_assert_cmpstr (g_hash_table_lookup (snapshot.values, "k4"), ==,
                   "299:v299");
  snapshot_clear (&snapshot);

  /* Removing the log and freeing the cleaner stop everything. */
  mr_log_cleaner_remove (cleaner, log);
  g_clear_pointer (&cleaner, mr_log_cleaner_free);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (MrCompression codec = MR_COMPRESSION_NONE;
       codec <= MR_COMPRESSION_LAST; codec++)
    {
      g_autofree char *path = g_strdup_printf (
        "/log-compaction/latest-value-per-key/%s",
        mr_compression_to_string (codec));

      g_test_add (path, Fixture, GINT_TO_POINTER (codec),
                  mr_test_log_fixture_setup,
                  test_latest_value_per_key,
                  mr_test_log_fixture_teardown);
    }

  g_test_add ("/log-compaction/tombstones-expire", Fixture, NULL,
              mr_test_log_fixture_setup, test_tombstones_expire,
              mr_test_log_fixture_teardown);
  g_test_add ("/log-compaction/delete-policy", Fixture, NULL,
              mr_test_log_fixture_setup, test_delete_policy_is_not_compacted,
              mr_test_log_fixture_teardown);
  g_test_add ("/log-compaction/background-cleaner", Fixture, NULL,
              mr_test_log_fixture_setup, test_background_cleaner,
              mr_test_log_fixture_teardown);
  g_test_add ("/log-compaction/appends-continue", Fixture, NULL,
              mr_test_log_fixture_setup, test_appends_continue_during_compaction,
              mr_test_log_fixture_teardown);

  return g_test_run ();
}
