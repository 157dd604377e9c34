/* test-log-recovery.c: what opening a damaged log keeps, drops and
 * rebuilds.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mr-test-util.h"

typedef MrTestLogFixture Fixture;

static char *
segment_path (Fixture    *fixture,
              gint64      base,
              const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("%020" G_GINT64_FORMAT "%s", base,
                                           suffix);
  return g_build_filename (fixture->dir, name, NULL);
}

/* Three segments of four batches of ten records: offsets 0-119. */
static void
write_log (Fixture *fixture)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "5000",
                          "index.interval.bytes", "100", NULL);
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, 1000 + i);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 3);
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
}

static MrPartitionLog *
reopen (Fixture *fixture)
{
  return mr_test_open_log (fixture->dir, &fixture->io.io,
                           "segment.bytes", "5000",
                           "index.interval.bytes", "100", NULL);
}

/* Every record the log serves, read back and checked. */
static gint64
count_readable (MrPartitionLog *log)
{
  return mr_test_foreach_record (log,
                                 mr_partition_log_get_log_start_offset (log),
                                 1 << 20, NULL, NULL);
}

static void
test_clean_log_reopens_unchanged (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  MrLogRecoveryReport report;

  write_log (fixture);
  log = reopen (fixture);
  mr_partition_log_get_recovery_report (log, &report);
  g_assert_cmpuint (report.n_segments, ==, 3);
  g_assert_cmpint (report.n_batches, ==, 12);
  g_assert_cmpint (report.truncated_bytes, ==, 0);
  g_assert_cmpint (report.truncated_at_offset, ==, -1);
  g_assert_cmpuint (report.rebuilt_indexes, ==, 0);
  g_assert_cmpint (count_readable (log), ==, 120);
}

static void
test_torn_tail_is_truncated (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autofree char *path = NULL;
  MrLogRecoveryReport report;
  gint64 size;
  int fd;

  write_log (fixture);

  /* Half a batch at the end of the active segment, as a crash mid-write
   * leaves it. */
  path = segment_path (fixture, 80, ".log");
  batch = mr_test_build_batch (10, 100, 999, 0, MR_COMPRESSION_NONE);
  fd = open (path, O_WRONLY | O_APPEND);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, g_bytes_get_data (batch, NULL), 700), ==, 700);
  close (fd);

  g_test_expect_message ("mr-log", G_LOG_LEVEL_WARNING, "*dropping 700 bytes*"
                         "offset 120*torn batch*");
  log = reopen (fixture);
  g_test_assert_expected_messages ();

  mr_partition_log_get_recovery_report (log, &report);
  g_assert_cmpint (report.truncated_bytes, ==, 700);
  g_assert_cmpint (report.truncated_at_offset, ==, 120);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 120);
  g_assert_cmpint (count_readable (log), ==, 120);

  /* The file itself was cut, and appends continue after the last good
   * batch. */
  size = mr_partition_log_get_size (log);
  g_assert_cmpint (mr_test_append (log, 1, 10, 0, 0), ==, 120);
  g_assert_cmpint (mr_partition_log_get_size (log), >, size);
}

static void
test_flipped_byte_mid_segment (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autofree char *path = NULL;
  g_autofree char *later = NULL;
  MrLogRecoveryReport report;
  guint8 byte;
  int fd;

  write_log (fixture);

  /* One flipped bit inside the second batch of the middle segment (offsets
   * 40-79, batches of about 1.2 kB). */
  path = segment_path (fixture, 40, ".log");
  fd = open (path, O_RDWR);
  g_assert_cmpint (pread (fd, &byte, 1, 1500), ==, 1);
  byte ^= 0x04;
  g_assert_cmpint (pwrite (fd, &byte, 1, 1500), ==, 1);
  close (fd);

  g_test_expect_message ("mr-log", G_LOG_LEVEL_WARNING,
                         "*dropping*offset 50 on*CRC*");
  g_test_expect_message ("mr-log", G_LOG_LEVEL_WARNING,
                         "*Deleting segment*00000000000000000080.log*");
  log = reopen (fixture);
  g_test_assert_expected_messages ();

  mr_partition_log_get_recovery_report (log, &report);
  g_assert_cmpint (report.truncated_at_offset, ==, 50);
  g_assert_cmpuint (report.deleted_segments, ==, 1);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 50);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 2);
  /* Nothing that failed its CRC is ever served. */
  g_assert_cmpint (count_readable (log), ==, 50);

  later = segment_path (fixture, 80, ".log");
  g_assert_false (g_file_test (later, G_FILE_TEST_EXISTS));
}

static void
test_missing_or_stale_index_is_rebuilt (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autofree char *index = NULL;
  g_autofree char *timeindex = NULL;
  g_autoptr(GBytes) good_index = NULL;
  g_autoptr(GBytes) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  MrLogRecoveryReport report;
  gint64 offset = 0;

  write_log (fixture);
  index = segment_path (fixture, 0, ".index");
  timeindex = segment_path (fixture, 40, ".timeindex");
  good_index = mr_test_read_file (index);
  g_assert_cmpuint (g_bytes_get_size (good_index), >, 0);
  g_assert_cmpuint (g_bytes_get_size (good_index) % 8, ==, 0);

  /* One index missing, another full of garbage. */
  g_assert_cmpint (g_unlink (index), ==, 0);
  g_file_set_contents (timeindex, "garbage!!!", -1, &error);
  g_assert_no_error (error);

  log = reopen (fixture);
  mr_partition_log_get_recovery_report (log, &report);
  g_assert_cmpuint (report.rebuilt_indexes, ==, 2);
  g_assert_cmpint (report.truncated_bytes, ==, 0);

  rebuilt = mr_test_read_file (index);
  g_assert_true (g_bytes_equal (rebuilt, good_index));
  g_assert_cmpint (count_readable (log), ==, 120);

  mr_partition_log_offset_for_timestamp (log, 1006, &offset, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (offset, ==, 6);
}

static void
test_empty_segment_files (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  /* A new log whose only segment is empty. */
  {
    g_autoptr(MrPartitionLog) fresh = mr_test_open_log (fixture->dir,
                                                        &fixture->io.io,
                                                        NULL);
    mr_partition_log_close (fresh, &error);
    g_assert_no_error (error);
  }
  log = reopen (fixture);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 0);
  g_clear_pointer (&log, mr_partition_log_unref);

  /* An empty segment after full ones (a roll just before a crash). */
  write_log (fixture);
  path = segment_path (fixture, 120, ".log");
  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  log = reopen (fixture);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 120);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 4);
  g_assert_cmpint (count_readable (log), ==, 120);
  g_assert_cmpint (mr_test_append (log, 3, 10, 0, 0), ==, 120);
}

static void
test_leftovers_are_cleared (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cleaned = NULL;
  g_autofree char *orphan = NULL;

  write_log (fixture);
  cleaned = segment_path (fixture, 0, ".log.cleaned");
  orphan = segment_path (fixture, 500, ".index");
  g_file_set_contents (cleaned, "half a compaction", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (orphan, "", 0, &error);
  g_assert_no_error (error);

  log = reopen (fixture);
  g_assert_false (g_file_test (cleaned, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_readable (log), ==, 120);
}

static void
test_read_only_open_changes_nothing (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  MrLogRecoveryReport report;
  MrLogConfig config;
  int fd;

  write_log (fixture);
  path = segment_path (fixture, 80, ".log");
  fd = open (path, O_WRONLY | O_APPEND);
  g_assert_cmpint (write (fd, "torn", 4), ==, 4);
  close (fd);
  before = mr_test_read_file (path);

  mr_log_config_init_defaults (&config);
  g_test_expect_message ("mr-log", G_LOG_LEVEL_MESSAGE, "*would drop 4 bytes*");
  log = mr_partition_log_open (fixture->dir, &config, NULL,
                               MR_LOG_OPEN_FLAGS_READ_ONLY, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  mr_partition_log_get_recovery_report (log, &report);
  g_assert_cmpint (report.truncated_bytes, ==, 4);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 120);
  g_assert_cmpint (count_readable (log), ==, 120);

  after = mr_test_read_file (path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_damaged_start_checkpoint (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *checkpoint = NULL;

  write_log (fixture);
  checkpoint = g_build_filename (fixture->dir, "log-start-offset", NULL);
  g_file_set_contents (checkpoint, "\x01\x02 not a number", -1, &error);
  g_assert_no_error (error);

  g_test_expect_message ("mr-log", G_LOG_LEVEL_WARNING,
                         "*unreadable log start checkpoint*");
  log = reopen (fixture);
  g_test_assert_expected_messages ();
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 0);
  g_assert_cmpint (count_readable (log), ==, 120);
}

static void
test_power_loss_keeps_what_was_synced (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;

  log = reopen (fixture);
  for (guint i = 0; i < 6; i++)
    mr_test_append (log, 10, 100, i * 10, 1000 + i);
  mr_partition_log_flush (log, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), ==, 60);

  /* Written but never synced: gone with the power. */
  for (guint i = 6; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, 1000 + i);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 120);

  mr_partition_log_simulate_power_loss (log, &error);
  g_assert_no_error (error);
  g_clear_pointer (&log, mr_partition_log_unref);

  /* The segment rolled at 80 lost everything: it goes, and the log ends
   * where the synced data ends, with no hole. */
  g_test_expect_message ("mr-log", G_LOG_LEVEL_MESSAGE,
                         "*Removing empty segment*00000000000000000080.log*");
  log = reopen (fixture);
  g_test_assert_expected_messages ();
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 60);
  g_assert_cmpint (count_readable (log), ==, 60);
  g_assert_cmpint (mr_test_append (log, 1, 10, 0, 0), ==, 60);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/log-recovery/" path, Fixture, NULL, mr_test_log_fixture_setup, func, \
              mr_test_log_fixture_teardown)

  ADD ("clean-log", test_clean_log_reopens_unchanged);
  ADD ("torn-tail", test_torn_tail_is_truncated);
  ADD ("flipped-byte-mid-segment", test_flipped_byte_mid_segment);
  ADD ("missing-or-stale-index", test_missing_or_stale_index_is_rebuilt);
  ADD ("empty-segments", test_empty_segment_files);
  ADD ("leftovers", test_leftovers_are_cleared);
  ADD ("read-only-open", test_read_only_open_changes_nothing);
  ADD ("damaged-start-checkpoint", test_damaged_start_checkpoint);
  ADD ("power-loss", test_power_loss_keeps_what_was_synced);

  return g_test_run ();
}
