/* test-leader-epoch-cache.c: the leader-epoch checkpoint of one partition
 * replica, OffsetsForLeaderEpoch, and the follower truncation of KIP-101
 * and KIP-279 on simulated replicas.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "mr-test-util.h"

typedef MrTestLogFixture Fixture;

#define UNDEFINED        MR_LEADER_EPOCH_UNDEFINED
#define UNDEFINED_OFFSET MR_LEADER_EPOCH_OFFSET_UNDEFINED

static char *
checkpoint_path (const char *dir)
{
  return g_build_filename (dir, MR_LEADER_EPOCH_CHECKPOINT_FILE_NAME, NULL);
}

static char *
read_checkpoint (const char *dir)
{
  g_autofree char *path = checkpoint_path (dir);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
write_checkpoint (const char *dir,
                  const char *contents)
{
  g_autofree char *path = checkpoint_path (dir);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* @expected: "epoch:start epoch:start ...", or "" for none. */
static void
assert_entries (MrLeaderEpochCache *cache,
                const char         *expected)
{
  g_autoptr(GString) actual = g_string_new (NULL);
  const MrLeaderEpochEntry *entries = NULL;
  guint n_entries = 0;

  entries = mr_leader_epoch_cache_get_entries (cache, &n_entries);
  for (guint i = 0; i < n_entries; i++)
    g_string_append_printf (actual, "%s%d:%" G_GINT64_FORMAT,
                            i > 0 ? " " : "", entries[i].epoch,
                            entries[i].start_offset);
  g_assert_cmpstr (actual->str, ==, expected);
}

static void
assign (MrLeaderEpochCache *cache,
        gint32              epoch,
        gint64              start_offset)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_leader_epoch_cache_assign (cache, epoch, start_offset,
                                               &error));
  g_assert_no_error (error);
}

static void
truncate_from_end (MrLeaderEpochCache *cache,
                   gint64              end_offset)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_leader_epoch_cache_truncate_from_end (cache, end_offset,
                                                          &error));
  g_assert_no_error (error);
}

static MrLeaderEpochCache *
open_cache (const char *dir)
{
  g_autoptr(GError) error = NULL;
  MrLeaderEpochCache *cache = NULL;

  cache = mr_leader_epoch_cache_open (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cache);
  return cache;
}

static void
test_checkpoint_format (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MrLeaderEpochCache) cache = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = checkpoint_path (fixture->dir);
  g_autofree char *contents = NULL;

  /* No file: an empty cache, and no file written until something changes. */
  cache = open_cache (fixture->dir);
  assert_entries (cache, "");
  g_assert_cmpint (mr_leader_epoch_cache_get_latest_epoch (cache), ==,
                   UNDEFINED);
  g_assert_cmpstr (mr_leader_epoch_cache_get_path (cache), ==, path);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  assign (cache, 0, 0);
  assign (cache, 1, 5);
  assign (cache, 3, 12);
  contents = read_checkpoint (fixture->dir);
  g_assert_cmpstr (contents, ==, "0\n3\n0 0\n1 5\n3 12\n");
  g_clear_pointer (&contents, g_free);

  /* Reopening finds the same entries. */
  g_clear_pointer (&cache, mr_leader_epoch_cache_free);
  cache = open_cache (fixture->dir);
  assert_entries (cache, "0:0 1:5 3:12");
  g_assert_cmpint (mr_leader_epoch_cache_get_latest_epoch (cache), ==, 3);

  /* Large values are written in full. */
  assign (cache, G_MAXINT32, G_MAXINT64);
  contents = read_checkpoint (fixture->dir);
  g_assert_cmpstr (contents, ==,
                   "0\n4\n0 0\n1 5\n3 12\n2147483647 9223372036854775807\n");
  g_clear_pointer (&contents, g_free);

  /* A change that changes nothing does not write: the file, removed
   * behind the cache's back, does not come back. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  assign (cache, G_MAXINT32, G_MAXINT64);
  mr_leader_epoch_cache_truncate_from_start (cache, 0, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A real change writes it again. */
  truncate_from_end (cache, G_MAXINT64);
  contents = read_checkpoint (fixture->dir);
  g_assert_cmpstr (contents, ==, "0\n3\n0 0\n1 5\n3 12\n");
  g_clear_pointer (&contents, g_free);

  mr_leader_epoch_cache_clear (cache, &error);
  g_assert_no_error (error);
  contents = read_checkpoint (fixture->dir);
  g_assert_cmpstr (contents, ==, "0\n0\n");
  g_clear_pointer (&cache, mr_leader_epoch_cache_free);

  cache = open_cache (fixture->dir);
  assert_entries (cache, "");

  /* A memory-only cache has no file. */
  g_clear_pointer (&cache, mr_leader_epoch_cache_free);
  cache = mr_leader_epoch_cache_new ();
  assign (cache, 2, 9);
  g_assert_null (mr_leader_epoch_cache_get_path (cache));
  assert_entries (cache, "2:9");
}

typedef struct
{
  const char *contents;
  const char *entries;     /* NULL: malformed */
  guint       line;        /* the line the error names */
} ReadCase;

static const ReadCase read_cases[] = {
  { "", "", 0 },
  { "0\n0\n", "", 0 },
  { "0\n1\n3 7\n", "3:7", 0 },
  { "0\n1\n3 7", "3:7", 0 },
  { "0\r\n1\r\n3 7\r\n", "3:7", 0 },
  { "0\n2\n3  7\n4\t9\n", "3:7 4:9", 0 },

  { "\n", NULL, 1 },
  { "x\n0\n", NULL, 1 },
  { "1\n0\n", NULL, 1 },
  { "0\n", NULL, 2 },
  { "0\n-1\n", NULL, 2 },
  { "0\ntwo\n", NULL, 2 },
  { "0\n2\n0 0\n", NULL, 4 },
  { "0\n1\n0 0\n1 5\n", NULL, 4 },
  { "0\n0\n\n", NULL, 3 },
  { "0\n1\n0\n", NULL, 3 },
  { "0\n1\n0 0 0\n", NULL, 3 },
  { "0\n1\n-1 0\n", NULL, 3 },
  { "0\n1\n0 -5\n", NULL, 3 },
  { "0\n1\n2147483648 0\n", NULL, 3 },
  { "0\n1\n0 9223372036854775808\n", NULL, 3 },
  { "0\n1\n0 x\n", NULL, 3 },
  { "0\n3\n0 0\n1 5\n1 9\n", NULL, 5 },
  { "0\n3\n0 0\n2 5\n1 9\n", NULL, 5 },
  { "0\n2\n0 5\n1 5\n", NULL, 4 },
  { "0\n2\n0 5\n1 4\n", NULL, 4 },
};

static void
test_checkpoint_read (Fixture       *fixture,
                      gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (read_cases); i++)
    {
      const ReadCase *read_case = &read_cases[i];
      g_autoptr(MrLeaderEpochCache) cache = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: “%s”", i, read_case->contents);
      write_checkpoint (fixture->dir, read_case->contents);
      cache = mr_leader_epoch_cache_open (fixture->dir, &error);

      if (read_case->entries != NULL)
        {
          g_assert_no_error (error);
          assert_entries (cache, read_case->entries);
        }
      else
        {
          g_autofree char *line = g_strdup_printf ("line %u:",
                                                   read_case->line);

          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
          g_assert_null (cache);
          g_assert_nonnull (strstr (error->message, line));
        }
    }
}

static void
test_checkpoint_io_errors (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(MrLeaderEpochCache) cache = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = checkpoint_path (fixture->dir);
  g_autofree char *gone = g_build_filename (fixture->dir, "gone", NULL);

  /* A checkpoint that cannot be read. */
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  cache = mr_leader_epoch_cache_open (fixture->dir, &error);
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO);
  g_assert_null (cache);
  g_clear_error (&error);
  g_assert_cmpint (g_rmdir (path), ==, 0);

  /* A checkpoint that cannot be written: nothing changes. */
  g_assert_cmpint (g_mkdir (gone, 0755), ==, 0);
  cache = open_cache (gone);
  assign (cache, 1, 0);
  g_assert_cmpint (g_unlink (mr_leader_epoch_cache_get_path (cache)), ==, 0);
  g_assert_cmpint (g_rmdir (gone), ==, 0);

  g_assert_false (mr_leader_epoch_cache_assign (cache, 2, 10, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (mr_leader_epoch_cache_truncate_from_end (cache, 0, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO);
  g_clear_error (&error);
  assert_entries (cache, "1:0");
}

typedef struct
{
  gint32      epoch;
  gint64      start_offset;
  const char *after;
} AssignCase;

/* Kafka's rules, applied one after the other to the same cache. */
static const AssignCase assign_cases[] = {
  { 1, 0, "1:0" },
  { 1, 4, "1:0" },            /* same epoch, later start: kept as it is */
  { 2, 10, "1:0 2:10" },
  { 2, 12, "1:0 2:10" },
  { 2, 8, "1:0 2:8" },        /* same epoch, earlier start: moved back */
  { 5, 20, "1:0 2:8 5:20" },
  { 6, 20, "1:0 2:8 6:20" },  /* same start, newer epoch: replaces it */
  { 7, 15, "1:0 2:8 7:15" },  /* earlier start: later entries go */
  { 3, 30, "1:0 2:8 3:30" },  /* older epoch: newer entries go */
  { 9, 0, "9:0" },
  { 10, 1, "9:0 10:1" },
};

static void
test_assign (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(MrLeaderEpochCache) cache = NULL;

  cache = open_cache (fixture->dir);
  for (guint i = 0; i < G_N_ELEMENTS (assign_cases); i++)
    {
      g_autoptr(MrLeaderEpochCache) reopened = NULL;

      g_test_message ("assign %d at %" G_GINT64_FORMAT,
                      assign_cases[i].epoch, assign_cases[i].start_offset);
      assign (cache, assign_cases[i].epoch, assign_cases[i].start_offset);
      assert_entries (cache, assign_cases[i].after);

      reopened = open_cache (fixture->dir);
      assert_entries (reopened, assign_cases[i].after);
    }
}

typedef struct
{
  gint32 requested;
  gint32 epoch;
  gint64 end_offset;
} EndOffsetCase;

static void
test_end_offset_for_epoch (void)
{
  /* Epochs 1, 2, 4 and 7 starting at 0, 10, 20 and 30; log end 42. */
  static const EndOffsetCase cases[] = {
    { UNDEFINED, UNDEFINED, UNDEFINED_OFFSET },
    { 7, 7, 42 },     /* the latest epoch ends at the log end */
    { 4, 4, 30 },     /* a known epoch ends where the next one starts */
    { 1, 1, 10 },
    { 2, 2, 20 },
    { 3, 2, 20 },     /* unknown: the largest epoch below it, and where
                       * the next known one starts */
    { 5, 4, 30 },
    { 6, 4, 30 },
    { 0, 0, 0 },      /* older than every entry: itself, first start */
    { 8, UNDEFINED, UNDEFINED_OFFSET },
  };
  g_autoptr(MrLeaderEpochCache) cache = mr_leader_epoch_cache_new ();
  gint32 epoch = 0;
  gint64 end_offset = 0;

  mr_leader_epoch_cache_end_offset_for_epoch (cache, 3, 42, &epoch,
                                              &end_offset);
  g_assert_cmpint (epoch, ==, UNDEFINED);
  g_assert_cmpint (end_offset, ==, UNDEFINED_OFFSET);

  assign (cache, 1, 0);
  assign (cache, 2, 10);
  assign (cache, 4, 20);
  assign (cache, 7, 30);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("requested epoch %d", cases[i].requested);
      mr_leader_epoch_cache_end_offset_for_epoch (cache, cases[i].requested,
                                                  42, &epoch, &end_offset);
      g_assert_cmpint (epoch, ==, cases[i].epoch);
      g_assert_cmpint (end_offset, ==, cases[i].end_offset);
    }
}

typedef struct
{
  gboolean    from_start;
  gint64      offset;
  const char *after;
} TruncateCase;

static void
test_truncate (Fixture       *fixture,
               gconstpointer  data)
{
  static const TruncateCase cases[] = {
    { FALSE, 40, "1:0 2:10 4:20 7:30" },
    { FALSE, 30, "1:0 2:10 4:20" },
    { FALSE, 25, "1:0 2:10 4:20" },
    { FALSE, 20, "1:0 2:10" },
    { FALSE, 0, "" },
    { TRUE, 0, "1:0 2:10 4:20 7:30" },
    { TRUE, 5, "1:5 2:10 4:20 7:30" },
    { TRUE, 10, "2:10 4:20 7:30" },
    { TRUE, 15, "2:15 4:20 7:30" },
    { TRUE, 29, "4:29 7:30" },
    { TRUE, 100, "7:100" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrLeaderEpochCache) cache = NULL;
      g_autoptr(MrLeaderEpochCache) reopened = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("truncate from %s at %" G_GINT64_FORMAT,
                      cases[i].from_start ? "start" : "end", cases[i].offset);
      write_checkpoint (fixture->dir, "0\n4\n1 0\n2 10\n4 20\n7 30\n");
      cache = open_cache (fixture->dir);
      if (cases[i].from_start)
        mr_leader_epoch_cache_truncate_from_start (cache, cases[i].offset,
                                                   &error);
      else
        mr_leader_epoch_cache_truncate_from_end (cache, cases[i].offset,
                                                 &error);
      g_assert_no_error (error);
      assert_entries (cache, cases[i].after);

      reopened = open_cache (fixture->dir);
      assert_entries (reopened, cases[i].after);
    }
}

static void
append_with_epoch (MrPartitionLog *log,
                   guint           n_records,
                   gint32          leader_epoch)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gsize len = 0;

  data = g_bytes_unref_to_data (mr_test_build_batch (n_records, 10, 0, 1000,
                                                     MR_COMPRESSION_NONE),
                                &len);
  mr_partition_log_append (log, data, len, leader_epoch,
                           MR_APPEND_FLAGS_ASSIGN_OFFSETS, NULL, &error);
  g_assert_no_error (error);
}

static void
test_rebuild_from_log (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(MrLeaderEpochCache) cache = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  log = mr_test_open_log (fixture->dir, &fixture->io.io, NULL);
  append_with_epoch (log, 3, 0);          /* 0-2 */
  append_with_epoch (log, 2, 0);          /* 3-4 */
  append_with_epoch (log, 4, -1);         /* 5-8, no epoch */
  append_with_epoch (log, 1, 2);          /* 9 */
  append_with_epoch (log, 2, 2);          /* 10-11 */
  append_with_epoch (log, 2, 5);          /* 12-13 */

  /* A malformed checkpoint: the caller chooses to rebuild it. */
  write_checkpoint (fixture->dir, "0\n9\n");
  g_assert_null (mr_leader_epoch_cache_open (fixture->dir, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  cache = mr_leader_epoch_cache_new ();
  mr_leader_epoch_cache_rebuild (cache, log, &error);
  g_assert_no_error (error);
  assert_entries (cache, "0:0 2:9 5:12");
  g_clear_pointer (&cache, mr_leader_epoch_cache_free);

  /* With the log start moved inside the first batch. */
  mr_partition_log_delete_records_before (log, 1, &error);
  g_assert_no_error (error);

  write_checkpoint (fixture->dir, "");
  cache = open_cache (fixture->dir);
  mr_leader_epoch_cache_rebuild (cache, log, &error);
  g_assert_no_error (error);
  assert_entries (cache, "0:1 2:9 5:12");
  contents = read_checkpoint (fixture->dir);
  g_assert_cmpstr (contents, ==, "0\n3\n0 1\n2 9\n5 12\n");
}

/* Simulated replicas
 * ==================
 *
 * A replica is its epoch cache and its log, the log reduced to one record
 * per offset: the epoch of the leader that wrote it and an id unique to
 * the write. Two logs hold the same data when their records are equal. */

typedef struct
{
  gint32 epoch;
  guint  id;
} SimRecord;

typedef struct
{
  const char         *name;
  MrLeaderEpochCache *cache;
  GArray             *log;
  gint64              high_watermark;
} Replica;

static guint next_record_id = 1;

static void
replica_init (Replica    *replica,
              const char *name,
              const char *dir)
{
  replica->name = name;
  if (dir != NULL)
    replica->cache = open_cache (dir);
  else
    replica->cache = mr_leader_epoch_cache_new ();
  replica->log = g_array_new (FALSE, FALSE, sizeof (SimRecord));
  replica->high_watermark = 0;
}

static void
replica_clear (Replica *replica)
{
  g_clear_pointer (&replica->cache, mr_leader_epoch_cache_free);
  g_clear_pointer (&replica->log, g_array_unref);
}

static gint64
replica_log_end (Replica *replica)
{
  return replica->log->len;
}

/* Appends as the leader of @epoch. As in Kafka, a leader records its
 * epoch as starting at its log end when it is elected, before any append;
 * followers learn the epoch from its first record. */
static void
replica_lead (Replica *replica,
              gint32   epoch,
              guint    n_records)
{
  assign (replica->cache, epoch, replica_log_end (replica));
  for (guint i = 0; i < n_records; i++)
    {
      SimRecord record = { epoch, next_record_id++ };

      g_array_append_val (replica->log, record);
    }
}

/* Copies the leader's records up to @up_to, as a follower's fetch does. */
static void
replica_fetch (Replica *follower,
               Replica *leader,
               gint64   up_to)
{
  for (gint64 offset = replica_log_end (follower); offset < up_to; offset++)
    {
      SimRecord record = g_array_index (leader->log, SimRecord, offset);

      assign (follower->cache, record.epoch, offset);
      g_array_append_val (follower->log, record);
    }
}

static void
replica_truncate (Replica *replica,
                  gint64   offset)
{
  g_assert_cmpint (offset, >=, 0);
  g_assert_cmpint (offset, <=, replica_log_end (replica));
  g_array_set_size (replica->log, offset);
  truncate_from_end (replica->cache, offset);
}

/* The follower's truncation loop (see mr-leader-epoch-cache.c), then a
 * fetch to the leader's end. Returns the number of OffsetsForLeaderEpoch
 * round trips. */
static guint
replica_follow (Replica *follower,
                Replica *leader)
{
  guint rounds = 0;

  for (;;)
    {
      gint32 latest = mr_leader_epoch_cache_get_latest_epoch (follower->cache);
      gint32 leader_epoch = UNDEFINED;
      gint64 leader_end = UNDEFINED_OFFSET;
      gint64 log_end = replica_log_end (follower);
      gint64 truncate_to;
      gboolean completed = FALSE;

      if (latest == UNDEFINED)
        {
          replica_truncate (follower, MIN (follower->high_watermark, log_end));
          break;
        }

      rounds++;
      g_assert_cmpuint (rounds, <=, 10);
      mr_leader_epoch_cache_end_offset_for_epoch (leader->cache, latest,
                                                  replica_log_end (leader),
                                                  &leader_epoch, &leader_end);
      truncate_to =
        mr_leader_epoch_cache_follower_truncation_offset (follower->cache,
                                                          leader_epoch,
                                                          leader_end,
                                                          log_end,
                                                          &completed);
      if (truncate_to == UNDEFINED_OFFSET)
        truncate_to = MIN (follower->high_watermark, log_end);

      g_test_message ("%s asks %s for epoch %d: (%d, %" G_GINT64_FORMAT
                      "), truncates to %" G_GINT64_FORMAT "%s",
                      follower->name, leader->name, latest, leader_epoch,
                      leader_end, truncate_to,
                      completed ? "" : ", asks again");
      replica_truncate (follower, truncate_to);
      if (completed)
        break;
    }

  replica_fetch (follower, leader, replica_log_end (leader));
  return rounds;
}

/* The same records, and the same history, except that a leader knows its
 * own epoch before it has written anything in it. */
static void
assert_converged (Replica *follower,
                  Replica *leader)
{
  const MrLeaderEpochEntry *follower_entries = NULL;
  const MrLeaderEpochEntry *leader_entries = NULL;
  guint n_follower = 0;
  guint n_leader = 0;

  g_assert_cmpmem (follower->log->data,
                   follower->log->len * sizeof (SimRecord),
                   leader->log->data, leader->log->len * sizeof (SimRecord));

  follower_entries = mr_leader_epoch_cache_get_entries (follower->cache,
                                                        &n_follower);
  leader_entries = mr_leader_epoch_cache_get_entries (leader->cache,
                                                      &n_leader);
  if (n_leader > 0
      && leader_entries[n_leader - 1].start_offset == replica_log_end (leader))
    n_leader--;
  g_assert_cmpuint (n_follower, ==, n_leader);
  for (guint i = 0; i < n_leader; i++)
    {
      g_assert_cmpint (follower_entries[i].epoch, ==, leader_entries[i].epoch);
      g_assert_cmpint (follower_entries[i].start_offset, ==,
                       leader_entries[i].start_offset);
    }
}

/* KIP-101, scenario 1: a follower restarts and, before KIP-101, truncated
 * its log to its own high watermark, which lags the leader's by one fetch.
 * If the leader then died, the follower became leader without a record
 * that had been acknowledged. The follower's cache goes through its
 * checkpoint file across the restart. */
static void
test_kip101_restart_keeps_acked_records (void)
{
  g_autofree char *dir_a = mr_test_make_tmpdir ();
  g_autofree char *dir_b = mr_test_make_tmpdir ();
  Replica a, b;
  gint32 epoch = 0;
  gint64 end_offset = 0;
  gint64 truncate_to;
  gboolean completed = FALSE;

  replica_init (&a, "A", dir_a);
  replica_init (&b, "B", dir_b);

  /* Epoch 0: A leads and writes m0 and m1; B fetches both. A's high
   * watermark moves to 2 and m1 is acknowledged; B would learn that in its
   * next fetch, so its own high watermark is still 1. */
  replica_lead (&a, 0, 2);
  replica_fetch (&b, &a, 2);
  a.high_watermark = 2;
  b.high_watermark = 1;

  /* B restarts: its cache comes back from the checkpoint. */
  g_clear_pointer (&b.cache, mr_leader_epoch_cache_free);
  b.cache = open_cache (dir_b);
  g_assert_cmpint (mr_leader_epoch_cache_get_latest_epoch (b.cache), ==, 0);

  /* B asks A where epoch 0 ends, instead of truncating to 1. */
  mr_leader_epoch_cache_end_offset_for_epoch (a.cache, 0,
                                              replica_log_end (&a), &epoch,
                                              &end_offset);
  g_assert_cmpint (epoch, ==, 0);
  g_assert_cmpint (end_offset, ==, 2);
  truncate_to = mr_leader_epoch_cache_follower_truncation_offset (
    b.cache, epoch, end_offset, replica_log_end (&b), &completed);
  g_assert_true (completed);
  g_assert_cmpint (truncate_to, ==, 2);
  g_assert_cmpint (truncate_to, >, b.high_watermark);
  replica_truncate (&b, truncate_to);

  /* A dies at once; B leads epoch 1 with m1 still there, and writes m2. */
  replica_lead (&b, 1, 1);
  g_assert_cmpint (replica_log_end (&b), ==, 3);
  g_assert_cmpint (g_array_index (b.log, SimRecord, 1).id, ==,
                   g_array_index (a.log, SimRecord, 1).id);

  /* A comes back, from its checkpoint too, and follows B. */
  g_clear_pointer (&a.cache, mr_leader_epoch_cache_free);
  a.cache = open_cache (dir_a);
  g_assert_cmpuint (replica_follow (&a, &b), ==, 1);
  assert_converged (&a, &b);
  g_assert_cmpint (replica_log_end (&a), ==, 3);

  replica_clear (&a);
  replica_clear (&b);
  mr_test_remove_tree (dir_a);
  mr_test_remove_tree (dir_b);
}

/* KIP-279: rapid double failover. A leads epoch 1 and writes m0 and m1; B
 * fetches m0 only. A dies; B leads epoch 2 and writes m2 at offset 1. B
 * dies before anyone fetches it; A comes back and leads epoch 3, writing
 * m3 at offset 2. When B follows A, the two logs differ at offset 1.
 *
 * Under KIP-101, A answered B's request for epoch 2 with the start of its
 * first later epoch (2), so B kept m2 at offset 1 while A has m1 there:
 * diverged for good. Under KIP-279, A answers (1, 2): it never had epoch
 * 2, and its epoch 1 ended at 2. B's own epoch 1 ended at 1, so B
 * truncates to 1 and then copies m1 and m3. */
static void
test_kip279_double_failover (void)
{
  Replica a, b;

  replica_init (&a, "A", NULL);
  replica_init (&b, "B", NULL);

  replica_lead (&a, 1, 2);
  replica_fetch (&b, &a, 1);
  replica_lead (&b, 2, 1);
  replica_lead (&a, 3, 1);
  assert_entries (a.cache, "1:0 3:2");
  assert_entries (b.cache, "1:0 2:1");
  g_assert_cmpuint (g_array_index (a.log, SimRecord, 1).id, !=,
                    g_array_index (b.log, SimRecord, 1).id);

  g_assert_cmpuint (replica_follow (&b, &a), ==, 1);
  assert_converged (&a, &b);
  assert_entries (b.cache, "1:0 3:2");

  replica_clear (&a);
  replica_clear (&b);
}

/* KIP-279 with a second round: the leader answers with an epoch the
 * follower never had, so the follower truncates to where its own history
 * leaves the epochs they share, and asks again.
 *
 *   A leads epoch 1: offsets 0-4; B fetches 0-2.
 *   A dies; B leads epoch 2: offsets 3-5.
 *   B dies; A comes back and leads epoch 4 (epoch 3 went to a replica that
 *   wrote nothing): offset 5.
 *   A dies; B comes back and leads epoch 5: offset 6.
 *   A follows B.
 *
 * A's epochs are 1:0 4:5, B's 1:0 2:3 5:6. A asks for 4; B answers
 * (2, 6). A has no epoch 2, its history goes from 1 to 4 at offset 5: it
 * truncates to 5 and asks for 1. B answers (1, 3); A's epoch 1 ends at 5;
 * it truncates to 3, the true divergence point, and copies 3-6. */
static void
test_kip279_iterates (void)
{
  Replica a, b;

  replica_init (&a, "A", NULL);
  replica_init (&b, "B", NULL);

  replica_lead (&a, 1, 5);
  replica_fetch (&b, &a, 3);
  replica_lead (&b, 2, 3);
  replica_lead (&a, 4, 1);
  replica_lead (&b, 5, 1);
  assert_entries (a.cache, "1:0 4:5");
  assert_entries (b.cache, "1:0 2:3 5:6");

  g_assert_cmpuint (replica_follow (&a, &b), ==, 2);
  assert_converged (&a, &b);
  assert_entries (a.cache, "1:0 2:3 5:6");

  replica_clear (&a);
  replica_clear (&b);
}

/* Three replicas and a random history of elections (clean or not),
 * replicas that are away for a while, partial fetches and lost unflushed
 * tails: whenever a follower has run the loop and fetched, its log is the
 * leader's. Checks the loop against histories nobody drew by hand. */
static void
test_random_failovers (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (279);
  Replica replicas[3];
  gint32 epoch = 0;
  guint max_rounds = 0;

  replica_init (&replicas[0], "A", NULL);
  replica_init (&replicas[1], "B", NULL);
  replica_init (&replicas[2], "C", NULL);

  for (guint round = 0; round < 1000; round++)
    {
      Replica *leader = &replicas[g_rand_int_range (rand, 0, 3)];
      gboolean up[3];
      guint n_rounds;

      /* Elected with whatever it has; it may write before the others
       * follow. A replica that is away neither follows nor fetches. */
      epoch += g_rand_int_range (rand, 1, 3);
      replica_lead (leader, epoch, g_rand_int_range (rand, 0, 3));

      for (guint i = 0; i < 3; i++)
        {
          up[i] = &replicas[i] != leader && g_rand_int_range (rand, 0, 3) > 0;
          if (!up[i])
            continue;
          n_rounds = replica_follow (&replicas[i], leader);
          max_rounds = MAX (max_rounds, n_rounds);
          assert_converged (&replicas[i], leader);
        }

      /* More writes, fetched only in part; then a replica may lose the
       * tail it had not flushed. */
      replica_lead (leader, epoch, g_rand_int_range (rand, 0, 5));
      for (guint i = 0; i < 3; i++)
        if (up[i])
          replica_fetch (&replicas[i], leader,
                         g_rand_int_range (rand,
                                           replica_log_end (&replicas[i]),
                                           replica_log_end (leader) + 1));
      for (guint i = 0; i < 3; i++)
        {
          gint64 end = replica_log_end (&replicas[i]);

          if (g_rand_int_range (rand, 0, 4) == 0)
            replica_truncate (&replicas[i],
                              g_rand_int_range (rand, MAX (end - 3, 0),
                                                end + 1));
        }
    }

  /* The histories did make followers ask more than once. */
  g_test_message ("at most %u OffsetsForLeaderEpoch rounds", max_rounds);
  g_assert_cmpuint (max_rounds, >, 1);

  for (guint i = 0; i < 3; i++)
    replica_clear (&replicas[i]);
}

typedef struct
{
  const char *entries;       /* the follower's cache, "epoch:start ..." */
  gint32      leader_epoch;
  gint64      leader_end;
  gint64      log_end;
  gint64      expected;
  gboolean    completed;
} FollowerCase;

static void
test_follower_truncation_offset (void)
{
  static const FollowerCase cases[] = {
    /* The leader had no answer: fall back to the high watermark. */
    { "1:0", UNDEFINED, UNDEFINED_OFFSET, 9, UNDEFINED_OFFSET, TRUE },
    /* An answer without an epoch (old protocol): the offset alone. */
    { "1:0", UNDEFINED, 4, 9, 4, TRUE },
    { "1:0", UNDEFINED, 12, 9, 9, TRUE },
    /* The follower has no history at all. */
    { "", 3, 4, 9, 4, TRUE },
    /* Both know the epoch: the smaller of the two ends. */
    { "1:0 3:5", 3, 7, 9, 7, TRUE },
    { "1:0 3:5", 3, 12, 9, 9, TRUE },
    { "1:0 3:5", 1, 7, 9, 5, TRUE },
    { "1:0 3:5", 1, 3, 9, 3, TRUE },
    /* Older than the follower's history: the leader's offset, capped by
     * the start of the follower's first epoch. */
    { "2:4 3:5", 1, 3, 9, 3, TRUE },
    { "2:4 3:5", 1, 6, 9, 4, TRUE },
    /* The follower never had the leader's epoch: truncate to where its
     * own epochs jump over it, and ask again. */
    { "1:0 3:5", 2, 7, 9, 5, FALSE },
    { "1:0 4:5 6:8", 5, 9, 9, 8, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrLeaderEpochCache) cache = mr_leader_epoch_cache_new ();
      g_auto(GStrv) entries = g_strsplit (cases[i].entries, " ", -1);
      gboolean completed = !cases[i].completed;
      gint64 offset;

      for (guint j = 0; entries[j] != NULL && entries[j][0] != '\0'; j++)
        {
          gint32 epoch = 0;
          gint64 start = 0;

          g_assert_cmpint (sscanf (entries[j], "%d:%" G_GINT64_FORMAT,
                                   &epoch, &start), ==, 2);
          assign (cache, epoch, start);
        }

      g_test_message ("case %u", i);
      offset = mr_leader_epoch_cache_follower_truncation_offset (
        cache, cases[i].leader_epoch, cases[i].leader_end, cases[i].log_end,
        &completed);
      g_assert_cmpint (offset, ==, cases[i].expected);
      g_assert_cmpint (completed, ==, cases[i].completed);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/leader-epoch-cache/" path, Fixture, NULL, \
              mr_test_log_fixture_setup, func, mr_test_log_fixture_teardown)

  ADD ("checkpoint-format", test_checkpoint_format);
  ADD ("checkpoint-read", test_checkpoint_read);
  ADD ("checkpoint-io-errors", test_checkpoint_io_errors);
  ADD ("assign", test_assign);
  ADD ("truncate", test_truncate);
  ADD ("rebuild-from-log", test_rebuild_from_log);
  g_test_add_func ("/leader-epoch-cache/end-offset-for-epoch",
                   test_end_offset_for_epoch);
  g_test_add_func ("/leader-epoch-cache/follower-truncation-offset",
                   test_follower_truncation_offset);
  g_test_add_func ("/leader-epoch-cache/kip101-restart",
                   test_kip101_restart_keeps_acked_records);
  g_test_add_func ("/leader-epoch-cache/kip279-double-failover",
                   test_kip279_double_failover);
  g_test_add_func ("/leader-epoch-cache/kip279-iterates",
                   test_kip279_iterates);
  g_test_add_func ("/leader-epoch-cache/random-failovers",
                   test_random_failovers);

  return g_test_run ();
}
