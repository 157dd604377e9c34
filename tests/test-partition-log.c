/* test-partition-log.c: appends, reads, rolls, truncation, flushes and
 * failing writes of one partition log.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mr-test-util.h"

typedef MrTestLogFixture Fixture;

typedef struct
{
  GArray *offsets;
  GArray *timestamps;
  GPtrArray *keys;
} Collected;

static gboolean
collect_cb (const MrRecordBatchHeader *batch,
            const MrRecord            *record,
            gpointer                   user_data)
{
  Collected *collected = user_data;

  g_array_append_val (collected->offsets, record->offset);
  g_array_append_val (collected->timestamps, record->timestamp);
  g_ptr_array_add (collected->keys, g_strndup ((const char *)record->key,
                                               record->key_len));
  return TRUE;
}

static void
collected_init (Collected *collected)
{
  collected->offsets = g_array_new (FALSE, FALSE, sizeof (gint64));
  collected->timestamps = g_array_new (FALSE, FALSE, sizeof (gint64));
  collected->keys = g_ptr_array_new_with_free_func (g_free);
}

static void
collected_clear (Collected *collected)
{
  g_array_unref (collected->offsets);
  g_array_unref (collected->timestamps);
  g_ptr_array_unref (collected->keys);
}

static void
read_all (MrPartitionLog *log,
          gint64          from,
          gsize           max_bytes,
          Collected      *collected)
{
  mr_test_foreach_record (log, from, max_bytes, collect_cb, collected);
}

static void
test_append_assigns_offsets_and_reads_back (Fixture       *fixture,
                                            gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  Collected collected;

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 0);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 0);

  g_assert_cmpint (mr_test_append (log, 10, 100, 0, 1000), ==, 0);
  g_assert_cmpint (mr_test_append (log, 5, 100, 10, 2000), ==, 10);
  g_assert_cmpint (mr_test_append (log, 1, 100, 15, 3000), ==, 15);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 16);

  collected_init (&collected);
  read_all (log, 0, 1 << 20, &collected);
  g_assert_cmpuint (collected.offsets->len, ==, 16);
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *key = g_strdup_printf ("key-%u", i);

      g_assert_cmpint (g_array_index (collected.offsets, gint64, i), ==, i);
      g_assert_cmpstr (g_ptr_array_index (collected.keys, i), ==, key);
    }
  collected_clear (&collected);

  /* Reopening finds the same log. */
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
  g_clear_pointer (&log, mr_partition_log_unref);

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 16);
  g_assert_cmpint (mr_test_append (log, 4, 100, 16, 4000), ==, 16);
  collected_init (&collected);
  read_all (log, 7, 1 << 20, &collected);
  g_assert_cmpuint (collected.offsets->len, ==, 13);
  g_assert_cmpint (g_array_index (collected.offsets, gint64, 0), ==, 7);
  collected_clear (&collected);
}

static void
test_append_stores_batches_verbatim (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *expected = NULL;
  g_autofree guint8 *bytes = NULL;
  gsize len = 0;

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  mr_test_append (log, 3, 10, 0, 1000);

  batch = mr_test_build_batch (7, 50, 3, 2000, MR_COMPRESSION_NONE);
  len = g_bytes_get_size (batch);
  bytes = g_memdup2 (g_bytes_get_data (batch, NULL), len);
  mr_partition_log_append (log, bytes, len, 42, MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                           NULL, &error);
  g_assert_no_error (error);

  /* On disk: the same bytes with the base offset and leader epoch that the
   * log assigned, and a CRC that still matches. */
  expected = g_memdup2 (g_bytes_get_data (batch, NULL), len);
  mr_record_batch_set_base_offset (expected, 3);
  mr_record_batch_set_leader_epoch (expected, 42);

  path = g_build_filename (fixture->dir, "00000000000000000000.log", NULL);
  file = mr_test_read_file (path);
  g_assert_cmpuint (g_bytes_get_size (file), >, len);
  g_assert_cmpmem ((const guint8 *)g_bytes_get_data (file, NULL)
                     + g_bytes_get_size (file) - len, len, expected, len);
  mr_record_batch_validate (expected, len, NULL, &error);
  g_assert_no_error (error);
}

static void
test_append_several_batches_at_once (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GByteArray) request = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  MrAppendInfo info;
  Collected collected;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) batch = mr_test_build_batch (4, 20, i * 4, 100 * i,
                                                     MR_COMPRESSION_NONE);

      g_byte_array_append (request, g_bytes_get_data (batch, NULL),
                           g_bytes_get_size (batch));
    }

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  mr_partition_log_append (log, request->data, request->len, 1,
                           MR_APPEND_FLAGS_ASSIGN_OFFSETS, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.first_offset, ==, 0);
  g_assert_cmpint (info.last_offset, ==, 11);
  g_assert_cmpuint (info.n_batches, ==, 3);
  g_assert_cmpuint (info.n_records, ==, 12);
  g_assert_cmpint (info.max_timestamp, ==, 203);

  collected_init (&collected);
  read_all (log, 0, 1, &collected);
  g_assert_cmpuint (collected.offsets->len, ==, 12);
  g_assert_cmpint (g_array_index (collected.offsets, gint64, 11), ==, 11);
  collected_clear (&collected);
}

static void
test_bad_batches_change_nothing (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bad = NULL;
  gint64 size_before;
  gsize len = 0;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "max.message.bytes", "2000", NULL);
  mr_test_append (log, 5, 10, 0, 1000);
  size_before = mr_partition_log_get_size (log);

  good = mr_test_build_batch (5, 10, 5, 1000, MR_COMPRESSION_NONE);
  len = g_bytes_get_size (good);
  bad = g_memdup2 (g_bytes_get_data (good, NULL), len);

  /* A flipped bit in the records fails the CRC32C. */
  bad[len - 3] ^= 0x10;
  g_assert_false (mr_partition_log_append (log, bad, len, -1,
                                           MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                                           NULL, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
  g_clear_error (&error);
  bad[len - 3] ^= 0x10;

  /* A good batch followed by half a batch: all or nothing. */
  {
    g_autoptr(GByteArray) request = g_byte_array_new ();

    g_byte_array_append (request, bad, len);
    g_byte_array_append (request, bad, len / 2);
    g_assert_false (mr_partition_log_append (log, request->data, request->len,
                                             -1, MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                                             NULL, &error));
    g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
    g_clear_error (&error);
  }

  /* Magic 1. */
  bad[16] = 1;
  g_assert_false (mr_partition_log_append (log, bad, len, -1,
                                           MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                                           NULL, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_UNSUPPORTED_MAGIC);
  g_clear_error (&error);

  /* Too large for max.message.bytes. */
  {
    g_autoptr(GBytes) large = mr_test_build_batch (30, 100, 0, 0,
                                                   MR_COMPRESSION_NONE);
    gsize large_len = 0;
    g_autofree guint8 *large_data = g_bytes_unref_to_data (
      g_steal_pointer (&large), &large_len);

    g_assert_false (mr_partition_log_append (log, large_data, large_len, -1,
                                             MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                                             NULL, &error));
    g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_BATCH_TOO_LARGE);
    g_clear_error (&error);
  }

  /* Nothing at all. */
  g_assert_false (mr_partition_log_append (log, bad, 0, -1,
                                           MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                                           NULL, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 5);
  g_assert_cmpint (mr_partition_log_get_size (log), ==, size_before);
}

static void
test_read_bounds (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  for (guint i = 0; i < 10; i++)
    mr_test_append (log, 10, 100, i * 10, 1000 + i);

  /* At the log end: an empty slice, not an error. */
  g_assert_true (mr_partition_log_read (log, 100, 1 << 20, -1, &slice,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (slice.length, ==, 0);
  mr_log_slice_clear (&slice);

  g_assert_false (mr_partition_log_read (log, 101, 1 << 20, -1, &slice,
                                         &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_clear_error (&error);

  /* A small max_bytes still gives one whole batch. */
  mr_partition_log_read (log, 15, 1, -1, &slice, &error);
  g_assert_no_error (error);
  g_assert_cmpint (slice.first_offset, ==, 10);
  g_assert_cmpint (slice.next_offset, ==, 20);
  mr_log_slice_clear (&slice);

  /* The high watermark bounds what is served. */
  mr_partition_log_read (log, 0, 1 << 20, 40, &slice, &error);
  g_assert_no_error (error);
  g_assert_cmpint (slice.next_offset, ==, 40);
  mr_log_slice_clear (&slice);

  mr_partition_log_read (log, 40, 1 << 20, 40, &slice, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slice.length, ==, 0);
}

static void
test_roll_by_size_and_time (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  Collected collected;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096",
                          "segment.ms", "60000", NULL);

  /* ~1.2 kB per batch: three fit in a 4 kB segment. */
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, fixture->io.now_ms);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 4);

  /* An hour later, the next append starts a new segment. */
  fixture->io.now_ms += 3600 * 1000;
  mr_test_append (log, 1, 100, 120, fixture->io.now_ms);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 5);

  /* tick() rolls an idle segment that got old. */
  fixture->io.now_ms += 3600 * 1000;
  mr_partition_log_tick (log, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 6);

  collected_init (&collected);
  read_all (log, 0, 1 << 20, &collected);
  g_assert_cmpuint (collected.offsets->len, ==, 121);
  for (guint i = 0; i < 121; i++)
    g_assert_cmpint (g_array_index (collected.offsets, gint64, i), ==, i);
  collected_clear (&collected);

  /* The segment files carry Kafka's names. */
  {
    g_autofree char *path = g_build_filename (fixture->dir,
                                              "00000000000000000030.log",
                                              NULL);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

static void
test_read_every_offset_through_index (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "index.interval.bytes", "256",
                          "segment.bytes", "65536", NULL);
  for (guint i = 0; i < 500; i++)
    mr_test_append (log, 1 + i % 3, 40, i, 1000 + i);

  for (gint64 offset = 0; offset < mr_partition_log_get_log_end_offset (log);
       offset++)
    {
      g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;

      mr_partition_log_read (log, offset, 1, -1, &slice, &error);
      g_assert_no_error (error);
      g_assert_cmpint (slice.first_offset, <=, offset);
      g_assert_cmpint (slice.next_offset, >, offset);
      g_assert_cmpint (slice.next_offset - slice.first_offset, <=, 3);
    }
}

static void
test_offset_for_timestamp (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 offset = 0;
  gint64 found = 0;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "8192",
                          "index.interval.bytes", "512", NULL);

  /* Batch i holds 10 records stamped 10000 + 100 * i + j. */
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GBytes) batch = mr_test_build_batch (
        10, 50, i * 10, 10000 + 100 * i,
        i % 2 ? MR_COMPRESSION_LZ4 : MR_COMPRESSION_NONE);
      gsize len = 0;
      g_autofree guint8 *bytes = g_bytes_unref_to_data (
        g_steal_pointer (&batch), &len);

      mr_partition_log_append (log, bytes, len, -1,
                               MR_APPEND_FLAGS_ASSIGN_OFFSETS, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), >, 2);

  mr_partition_log_offset_for_timestamp (log, 0, &offset, &found, &error);
  g_assert_no_error (error);
  g_assert_cmpint (offset, ==, 0);
  g_assert_cmpint (found, ==, 10000);

  /* Inside a compressed batch: the exact record. */
  mr_partition_log_offset_for_timestamp (log, 12305, &offset, &found, &error);
  g_assert_no_error (error);
  g_assert_cmpint (offset, ==, 235);
  g_assert_cmpint (found, ==, 12305);

  /* Between batches: the first record after. */
  mr_partition_log_offset_for_timestamp (log, 12350, &offset, &found, &error);
  g_assert_no_error (error);
  g_assert_cmpint (offset, ==, 240);
  g_assert_cmpint (found, ==, 12400);

  /* After everything. */
  mr_partition_log_offset_for_timestamp (log, 99999, &offset, &found, &error);
  g_assert_no_error (error);
  g_assert_cmpint (offset, ==, -1);
  g_assert_cmpint (found, ==, -1);
}

static void
test_truncate_to (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end = 0;
  Collected collected;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096", NULL);
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, 1000 + i);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 4);

  /* Mid-batch: the whole batch holding 55 goes. */
  mr_partition_log_truncate_to (log, 55, &end, &error);
  g_assert_no_error (error);
  g_assert_cmpint (end, ==, 50);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 50);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 2);

  /* New appends continue from there, and survive a reopen. */
  g_assert_cmpint (mr_test_append (log, 5, 100, 500, 5000), ==, 50);
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
  g_clear_pointer (&log, mr_partition_log_unref);

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096", NULL);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 55);
  collected_init (&collected);
  read_all (log, 0, 1 << 20, &collected);
  g_assert_cmpuint (collected.offsets->len, ==, 55);
  g_assert_cmpstr (g_ptr_array_index (collected.keys, 50), ==, "key-500");
  collected_clear (&collected);

  /* Beyond the end: nothing changes. */
  mr_partition_log_truncate_to (log, 1000, &end, &error);
  g_assert_no_error (error);
  g_assert_cmpint (end, ==, 55);

  /* Restart elsewhere, as a follower of a log that starts later. */
  mr_partition_log_truncate_fully_and_start_at (log, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 1000);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 1000);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 1);
  g_assert_cmpint (mr_test_append (log, 1, 10, 0, 0), ==, 1000);
}

/* Reads at the end of the log come from the bytes the log keeps in
 * memory: they must be the file's bytes, also after a truncation and new,
 * different appends at the same place, and after more than the kept
 * amount went by. */
static void
assert_slice_matches_file (MrPartitionLog *log,
                           const char     *path,
                           gint64          from)
{
  g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (mr_partition_log_read (log, from, 1 << 20, -1, &slice,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (slice.length, >, 0);
  read = mr_log_slice_read_bytes (&slice, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (slice.position + slice.length, <=, len);
  g_assert_cmpmem (g_bytes_get_data (read, NULL), g_bytes_get_size (read),
                   contents + slice.position, slice.length);
}

static void
test_tail_reads_match_the_file (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir,
                                            "00000000000000000000.log", NULL);
  gint64 end = 0;
  Collected collected;

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  for (guint i = 0; i < 20; i++)
    mr_test_append (log, 5, 100, i * 5, 1000 + i);
  assert_slice_matches_file (log, path, 0);
  assert_slice_matches_file (log, path, 97);

  /* Cut into the middle, then append other records where the old ones
   * were: a read there finds the new ones. */
  mr_partition_log_truncate_to (log, 52, &end, &error);
  g_assert_no_error (error);
  g_assert_cmpint (end, ==, 50);
  g_assert_cmpint (mr_test_append (log, 5, 100, 900, 9000), ==, 50);
  assert_slice_matches_file (log, path, 50);
  collected_init (&collected);
  read_all (log, 48, 1 << 20, &collected);
  g_assert_cmpuint (collected.offsets->len, ==, 7);
  g_assert_cmpstr (g_ptr_array_index (collected.keys, 2), ==, "key-900");
  collected_clear (&collected);

  /* Far more than the log keeps in memory: reads anywhere still match. */
  for (guint i = 0; i < 400; i++)
    mr_test_append (log, 4, 100, 1000 + i * 4, 20000 + i);
  assert_slice_matches_file (log, path, 0);
  assert_slice_matches_file (log, path, 60);
  assert_slice_matches_file (log, path, mr_partition_log_get_log_end_offset (log) - 3);

  /* A big append is not kept; the small ones after it are again. */
  end = mr_test_append (log, 300, 100, 5000, 30000);
  assert_slice_matches_file (log, path, end);
  mr_test_append (log, 2, 100, 6000, 40000);
  assert_slice_matches_file (log, path, end);
  assert_slice_matches_file (log, path, end + 300);
}

static void
test_delete_records_before (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096", NULL);
  for (guint i = 0; i < 12; i++)
    mr_test_append (log, 10, 100, i * 10, 1000 + i);

  mr_partition_log_delete_records_before (log, 200, &error);
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_clear_error (&error);

  mr_partition_log_delete_records_before (log, 45, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 45);
  /* Segments 0-29 went; the one holding 45 stays. */
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 3);

  g_assert_false (mr_partition_log_read (log, 44, 100, -1, &slice, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_clear_error (&error);

  /* The start survives a restart. */
  mr_partition_log_close (log, &error);
  g_clear_pointer (&log, mr_partition_log_unref);
  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "4096", NULL);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 45);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 120);

  /* Everything. */
  mr_partition_log_delete_records_before (log, 120, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_partition_log_get_log_start_offset (log), ==, 120);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), ==, 1);
  g_assert_cmpint (mr_test_append (log, 1, 10, 0, 0), ==, 120);
}

static void
test_follower_append_keeps_offsets (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(MrPartitionLog) leader = NULL;
  g_autoptr(MrPartitionLog) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *leader_dir = g_build_filename (fixture->dir, "l", NULL);
  g_autofree char *follower_dir = g_build_filename (fixture->dir, "f", NULL);
  gint64 offset = 0;

  leader = mr_test_open_log (leader_dir, &fixture->io.io, NULL);
  follower = mr_test_open_log (follower_dir, &fixture->io.io, NULL);
  for (guint i = 0; i < 20; i++)
    mr_test_append (leader, 7, 60, i * 7, 1000 + i);

  /* Copy the leader slice by slice, as replication will. */
  while (offset < mr_partition_log_get_log_end_offset (leader))
    {
      g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
      g_autofree guint8 *bytes = NULL;
      gsize len = 0;

      mr_partition_log_read (leader, offset, 500, -1, &slice, &error);
      g_assert_no_error (error);
      bytes = g_bytes_unref_to_data (mr_log_slice_read_bytes (&slice, &error),
                                     &len);
      g_assert_no_error (error);
      mr_partition_log_append (follower, bytes, len, -1,
                               MR_APPEND_FLAGS_TRUSTED, NULL, &error);
      g_assert_no_error (error);
      offset = slice.next_offset;
    }

  g_assert_cmpint (mr_partition_log_get_log_end_offset (follower), ==, 140);
  {
    g_autofree char *a = g_build_filename (leader_dir,
                                           "00000000000000000000.log", NULL);
    g_autofree char *b = g_build_filename (follower_dir,
                                           "00000000000000000000.log", NULL);
    g_autoptr(GBytes) x = mr_test_read_file (a);
    g_autoptr(GBytes) y = mr_test_read_file (b);

    g_assert_true (g_bytes_equal (x, y));
  }

  /* A batch below the log end is refused. */
  {
    g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
    g_autofree guint8 *bytes = NULL;
    gsize len = 0;

    mr_partition_log_read (leader, 0, 1, -1, &slice, &error);
    bytes = g_bytes_unref_to_data (mr_log_slice_read_bytes (&slice, &error),
                                   &len);
    g_assert_no_error (error);
    g_assert_false (mr_partition_log_append (follower, bytes, len, -1,
                                             MR_APPEND_FLAGS_NONE, NULL,
                                             &error));
    g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_log_append_time (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  Collected collected;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "message.timestamp.type", "LogAppendTime", NULL);
  fixture->io.now_ms = 1234567890000;
  mr_test_append (log, 3, 10, 0, 5);

  collected_init (&collected);
  read_all (log, 0, 1 << 20, &collected);
  g_assert_cmpuint (collected.timestamps->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (g_array_index (collected.timestamps, gint64, i), ==,
                     1234567890000);
  collected_clear (&collected);
}

static void
test_full_disk_changes_nothing (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *bytes = NULL;
  gint64 size_before;
  gsize len = 0;
  Collected collected;

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  mr_test_append (log, 10, 100, 0, 1000);
  size_before = mr_partition_log_get_size (log);

  /* The disk fills up half way through the next batch. */
  bytes = g_bytes_unref_to_data (mr_test_build_batch (10, 100, 10, 2000,
                                                      MR_COMPRESSION_NONE),
                                 &len);
  fixture->io.write_budget = 300;
  g_assert_false (mr_partition_log_append (log, bytes, len, -1,
                                           MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                                           NULL, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
  g_clear_error (&error);

  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 10);
  g_assert_cmpint (mr_partition_log_get_size (log), ==, size_before);
  path = g_build_filename (fixture->dir, "00000000000000000000.log", NULL);
  {
    g_autoptr(GBytes) file = mr_test_read_file (path);
    g_assert_cmpint (g_bytes_get_size (file), ==, size_before);
  }

  /* Space again: the same append succeeds at the same offset. */
  fixture->io.write_budget = -1;
  g_assert_cmpint (mr_test_append (log, 10, 100, 10, 2000), ==, 10);

  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
  g_clear_pointer (&log, mr_partition_log_unref);
  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  {
    MrLogRecoveryReport report;

    mr_partition_log_get_recovery_report (log, &report);
    g_assert_cmpint (report.truncated_bytes, ==, 0);
  }
  collected_init (&collected);
  read_all (log, 0, 1 << 20, &collected);
  g_assert_cmpuint (collected.offsets->len, ==, 20);
  collected_clear (&collected);
}

static void
test_flush_policies (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint syncs;

  /* Default: page cache only. */
  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  syncs = g_atomic_int_get (&fixture->io.n_syncs);
  for (guint i = 0; i < 20; i++)
    mr_test_append (log, 10, 10, 0, 0);
  g_assert_cmpint (g_atomic_int_get (&fixture->io.n_syncs), ==, syncs);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), <, 200);

  mr_partition_log_flush (log, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), ==, 200);
  g_clear_pointer (&log, mr_partition_log_unref);

  /* flush.messages=25: a sync every third batch of 10. */
  mr_test_remove_tree (fixture->dir);
  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "flush.messages", "25", NULL);
  syncs = g_atomic_int_get (&fixture->io.n_syncs);
  for (guint i = 0; i < 9; i++)
    mr_test_append (log, 10, 10, 0, 0);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), ==, 90);
  /* Three segment syncs, plus one of the directory for the new segment. */
  g_assert_cmpint (g_atomic_int_get (&fixture->io.n_syncs) - syncs, ==, 4);
  g_clear_pointer (&log, mr_partition_log_unref);

  /* flush.ms: tick() syncs once enough time has passed. */
  mr_test_remove_tree (fixture->dir);
  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "flush.ms", "1000", NULL);
  mr_test_append (log, 10, 10, 0, 0);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), ==, 0);
  fixture->io.now_ms += 1500;
  mr_partition_log_tick (log, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), ==, 10);

  /* A failing sync is an error, and nothing claims to be flushed. */
  fixture->io.fail_syncs = 1;
  mr_test_append (log, 10, 10, 0, 0);
  g_assert_false (mr_partition_log_flush (log, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), ==, 10);
  fixture->io.fail_syncs = 0;
}

typedef struct
{
  MrPartitionLog *log;
  guint           n_appends;
} Appender;

static gpointer
append_thread (gpointer data)
{
  Appender *appender = data;

  for (guint i = 0; i < appender->n_appends; i++)
    mr_test_append (appender->log, 2, 10, i, i);
  return NULL;
}

static void
test_group_commit (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  Appender appender;
  GThread *threads[4];
  gint syncs;

  /* flush.messages=1 with four appenders: each append waits for a sync
   * that covers it, and syncs are shared. */
  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "flush.messages", "1", NULL);
  syncs = g_atomic_int_get (&fixture->io.n_syncs);
  appender.log = log;
  appender.n_appends = 200;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("appender", append_thread, &appender);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (mr_partition_log_get_log_end_offset (log), ==, 1600);
  g_assert_cmpint (mr_partition_log_get_flushed_offset (log), ==, 1600);
  g_assert_cmpint (g_atomic_int_get (&fixture->io.n_syncs) - syncs, <=, 801);
  g_test_message ("%d syncs for 800 appends",
                  g_atomic_int_get (&fixture->io.n_syncs) - syncs);
}

typedef struct
{
  MrPartitionLog *log;
  volatile gint   stop;
  gint64          records_read;
} Reader;

static gpointer
read_thread (gpointer data)
{
  Reader *reader = data;
  gint64 offset = 0;

  while (!g_atomic_int_get (&reader->stop)
         || offset < mr_partition_log_get_log_end_offset (reader->log))
    {
      g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      mr_partition_log_read (reader->log, offset, 65536, -1, &slice, &error);
      g_assert_no_error (error);
      if (slice.length == 0)
        {
          g_thread_yield ();
          continue;
        }
      bytes = mr_log_slice_read_bytes (&slice, &error);
      g_assert_no_error (error);
      for (gsize at = 0; at < g_bytes_get_size (bytes);)
        {
          MrRecordBatchHeader header;

          mr_record_batch_validate ((const guint8 *)g_bytes_get_data (bytes,
                                                                      NULL)
                                      + at,
                                    g_bytes_get_size (bytes) - at, &header,
                                    &error);
          g_assert_no_error (error);
          g_assert_cmpint (header.base_offset, ==, offset);
          offset = mr_record_batch_header_get_last_offset (&header) + 1;
          reader->records_read += header.record_count;
          at += mr_record_batch_header_get_size (&header);
        }
    }
  return NULL;
}

static void
test_readers_during_appends (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  Reader reader = { 0, };
  GThread *thread;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "100000", NULL);
  reader.log = log;
  thread = g_thread_new ("reader", read_thread, &reader);
  for (guint i = 0; i < 2000; i++)
    mr_test_append (log, 5, 50, i * 5, i);
  g_atomic_int_set (&reader.stop, 1);
  g_thread_join (thread);

  g_assert_cmpint (reader.records_read, ==, 10000);
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), >, 5);
}

static void
test_closed_and_read_only (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(MrPartitionLog) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
  MrLogConfig config;

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  mr_test_append (log, 3, 10, 0, 0);
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
  g_assert_false (mr_partition_log_read (log, 0, 100, -1, &slice, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CLOSED);
  g_clear_error (&error);

  mr_log_config_init_defaults (&config);
  reader = mr_partition_log_open (fixture->dir, &config, NULL,
                                  MR_LOG_OPEN_FLAGS_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_partition_log_get_log_end_offset (reader), ==, 3);
  g_assert_false (mr_partition_log_truncate_to (reader, 0, NULL, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_READ_ONLY);
}

static void
test_delete_removes_directory (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fixture->dir, "orders-0", NULL);

  log = mr_test_open_log (dir, &fixture->io.io, "segment.bytes", "1000",
                          NULL);
  for (guint i = 0; i < 5; i++)
    mr_test_append (log, 10, 100, 0, 0);
  mr_partition_log_delete (log, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/partition-log/" path, Fixture, NULL, mr_test_log_fixture_setup, func, \
              mr_test_log_fixture_teardown)

  ADD ("append-assigns-offsets", test_append_assigns_offsets_and_reads_back);
  ADD ("append-stores-batches-verbatim", test_append_stores_batches_verbatim);
  ADD ("append-several-batches", test_append_several_batches_at_once);
  ADD ("bad-batches-change-nothing", test_bad_batches_change_nothing);
  ADD ("read-bounds", test_read_bounds);
  ADD ("roll-by-size-and-time", test_roll_by_size_and_time);
  ADD ("read-every-offset", test_read_every_offset_through_index);
  ADD ("offset-for-timestamp", test_offset_for_timestamp);
  ADD ("truncate-to", test_truncate_to);
  ADD ("tail-reads-match-the-file", test_tail_reads_match_the_file);
  ADD ("delete-records-before", test_delete_records_before);
  ADD ("follower-append", test_follower_append_keeps_offsets);
  ADD ("log-append-time", test_log_append_time);
  ADD ("full-disk", test_full_disk_changes_nothing);
  ADD ("flush-policies", test_flush_policies);
  ADD ("group-commit", test_group_commit);
  ADD ("readers-during-appends", test_readers_during_appends);
  ADD ("closed-and-read-only", test_closed_and_read_only);
  ADD ("delete", test_delete_removes_directory);

  return g_test_run ();
}
