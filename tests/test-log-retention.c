/* test-log-retention.c: retention by time and size deletes whole segments
 * and nothing else.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "mr-test-util.h"

typedef MrTestLogFixture Fixture;

#define HOUR ((gint64)3600 * 1000)

static void
test_retention_by_time (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrRetentionResult result;
  gint64 t0 = fixture->io.now_ms;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096",
                          "retention.ms", "86400000", NULL);

  /* Twelve batches, three per segment, each an hour newer than the last. */
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, t0 + i * HOUR);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 4);

  /* A day after the 6th batch's last record: segments 0 (batches 0-2) and
   * 1 (3-5) are past retention; segment 2 holds batch 8, which is not. */
  fixture->io.now_ms = t0 + 24 * HOUR + 5 * HOUR + 10;
  mr_partition_log_enforce_retention (log, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result.deleted_segments, ==, 2);
  g_assert_cmpint (result.deleted_bytes, >, 0);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 60);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 120);

  /* Nothing more to do at the same time. */
  mr_partition_log_enforce_retention (log, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result.deleted_segments, ==, 0);

  /* Much later everything has expired, the active segment too: it is
   * replaced by an empty one and the log keeps its end offset. */
  fixture->io.now_ms = t0 + 100 * HOUR;
  mr_partition_log_enforce_retention (log, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result.deleted_segments, ==, 2);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 1);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 120);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 120);
  g_assert_cmpint (mr_partition_log_get_size (log), ==, 0);
  g_assert_cmpint (mr_test_append (log, 1, 10, 0, fixture->io.now_ms), ==,
                   120);
}

static void
test_retention_by_size (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrRetentionResult result;
  gint64 size_after;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096",
                          "retention.bytes", "6000", NULL);
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, fixture->io.now_ms);

  mr_partition_log_enforce_retention (log, &result, &error);
  g_assert_no_error (error);
  size_after = mr_partition_log_get_size (log);

  /* Whole segments only, as in Kafka: the log keeps at least
   * retention.bytes, and less than one more segment on top. */
  g_assert_cmpuint (result.deleted_segments, ==, 2);
  g_assert_cmpint (size_after, >=, 6000);
  g_assert_cmpint (size_after, <, 6000 + 4096);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 60);
}

static void
test_compact_only_topics_keep_everything (Fixture       *fixture,
                                          gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrRetentionResult result;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096",
                          "cleanup.policy", "compact",
                          "retention.ms", "1",
                          "retention.bytes", "1", NULL);
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, 0);

  fixture->io.now_ms += 1000 * HOUR;
  mr_partition_log_enforce_retention (log, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result.deleted_segments, ==, 0);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 0);
}

static void
test_infinite_retention (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  MrRetentionResult result;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096",
                          "retention.ms", "-1", NULL);
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, 0);
  fixture->io.now_ms += 100000 * HOUR;
  mr_partition_log_enforce_retention (log, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result.deleted_segments, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/log-retention/" path, Fixture, NULL, mr_test_log_fixture_setup, func, \
              mr_test_log_fixture_teardown)

  ADD ("by-time", test_retention_by_time);
  ADD ("by-size", test_retention_by_size);
  ADD ("compact-only", test_compact_only_topics_keep_everything);
  ADD ("infinite", test_infinite_retention);

  return g_test_run ();
}
