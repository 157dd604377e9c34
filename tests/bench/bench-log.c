/* bench-log.c: append and sequential-read throughput of the partition log,
 * beside plain write() and read() of the same bytes to the same filesystem
 * in the same run.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * 100-byte records in 16 KiB batches; each run appends MILLRACE_BENCH_MIB
 * (default 512) MiB. Runs alternate between the log and its peer, five of
 * each; the figures are medians with min and max. The directory is
 * MILLRACE_BENCH_DIR or a fresh one in the current directory (the build
 * directory under meson), so both sides use the same filesystem.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mr-test-util.h"

#define N_RUNS       5
#define BATCH_BYTES  (16 * 1024)
#define RECORD_BYTES 100
#define N_DISTINCT   64

typedef struct
{
  guint8 *batches[N_DISTINCT];   /* the log rewrites their headers in place */
  gsize   sizes[N_DISTINCT];
  gsize   batch_size;
  guint   records_per_batch;
  guint   n_batches;
} Workload;

static void
workload_init (Workload *workload,
               gsize     total_bytes)
{
  guint records = 0;

  /* As many 100-byte records as fit in 16 KiB. */
  for (records = 100; ; records++)
    {
      g_autoptr(GBytes) probe = mr_test_build_batch (records + 1, RECORD_BYTES,
                                                     N_DISTINCT * records, 0,
                                                     MR_COMPRESSION_NONE);
      if (g_bytes_get_size (probe) > BATCH_BYTES)
        break;
    }

  for (guint i = 0; i < N_DISTINCT; i++)
    workload->batches[i] = g_bytes_unref_to_data (
      mr_test_build_batch (records, RECORD_BYTES, i * records,
                           g_get_real_time () / 1000, MR_COMPRESSION_NONE),
      &workload->sizes[i]);
  /* Keys grow with the key base, so batches differ by a few bytes. */
  workload->batch_size = 0;
  for (guint i = 0; i < N_DISTINCT; i++)
    workload->batch_size += workload->sizes[i];
  workload->batch_size /= N_DISTINCT;
  workload->records_per_batch = records;
  workload->n_batches = total_bytes / workload->batch_size;
}

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
run_log_append (const char *dir,
                Workload   *workload)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  double start;
  double elapsed;

  log = mr_test_open_log (dir, NULL, NULL);
  start = now_s ();
  for (guint i = 0; i < workload->n_batches; i++)
    {
      guint j = i % N_DISTINCT;

      if (!mr_partition_log_append (log, workload->batches[j],
                                    workload->sizes[j], 0,
                                    MR_APPEND_FLAGS_ASSIGN_OFFSETS, NULL,
                                    &error))
        g_error ("append: %s", error->message);
    }
  elapsed = now_s () - start;
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
  return elapsed;
}

static double
run_plain_write (const char *dir,
                 Workload   *workload)
{
  g_autofree char *path = g_build_filename (dir, "plain.bin", NULL);
  double start;
  double elapsed;
  int fd;

  g_mkdir_with_parents (dir, 0755);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  start = now_s ();
  for (guint i = 0; i < workload->n_batches; i++)
    {
      guint j = i % N_DISTINCT;

      if (write (fd, workload->batches[j], workload->sizes[j])
          != (gssize)workload->sizes[j])
        g_error ("write: %s", g_strerror (errno));
    }
  elapsed = now_s () - start;
  close (fd);
  return elapsed;
}

/* Writes the log and the plain file batch by batch in turn, untimed, so the
 * page cache gives both the same kind of pages: which file is written first
 * after other memory activity otherwise decides read speed by up to 2x on
 * this machine, whatever the writer. */
static void
write_both_interleaved (const char *log_dir,
                        const char *plain_dir,
                        Workload   *workload)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (plain_dir, "plain.bin", NULL);
  int fd;

  log = mr_test_open_log (log_dir, NULL, NULL);
  g_mkdir_with_parents (plain_dir, 0755);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);

  for (guint i = 0; i < workload->n_batches; i++)
    {
      guint j = i % N_DISTINCT;

      if (!mr_partition_log_append (log, workload->batches[j],
                                    workload->sizes[j], 0,
                                    MR_APPEND_FLAGS_ASSIGN_OFFSETS, NULL,
                                    &error))
        g_error ("append: %s", error->message);
      if (write (fd, workload->batches[j], workload->sizes[j])
          != (gssize)workload->sizes[j])
        g_error ("write: %s", g_strerror (errno));
    }

  close (fd);
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
}

/* A consumer's sequential read: slices of up to 1 MiB, read from their fd
 * into one reused buffer (the wire path sends the same ranges). */
static double
run_log_read (const char *dir,
              guint8     *buffer,
              gsize       buffer_size,
              gint64     *bytes_read)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 offset = 0;
  gint64 end;
  double start;

  log = mr_test_open_log (dir, NULL, NULL);
  end = mr_partition_log_get_log_end_offset (log);
  *bytes_read = 0;

  start = now_s ();
  while (offset < end)
    {
      g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;

      if (!mr_partition_log_read (log, offset, buffer_size, -1, &slice,
                                  &error))
        g_error ("read: %s", error->message);
      if (pread (slice.fd, buffer, slice.length, slice.position)
          != (gssize)slice.length)
        g_error ("pread: %s", g_strerror (errno));
      *bytes_read += slice.length;
      offset = slice.next_offset;
    }
  return now_s () - start;
}

static double
run_plain_read (const char *dir,
                guint8     *buffer,
                gsize       buffer_size)
{
  g_autofree char *path = g_build_filename (dir, "plain.bin", NULL);
  double start;
  gssize n;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  start = now_s ();
  while ((n = read (fd, buffer, buffer_size)) > 0)
    ;
  g_assert_cmpint (n, ==, 0);
  close (fd);
  return now_s () - start;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

static void
summarize (const char *label,
           double     *values,
           const char *unit,
           double      scale)
{
  double sorted[N_RUNS];

  memcpy (sorted, values, sizeof sorted);
  qsort (sorted, N_RUNS, sizeof (double), compare_doubles);
  printf ("  %-28s %8.3f %s  [min %.3f, max %.3f]\n", label,
          sorted[N_RUNS / 2] * scale, unit, sorted[0] * scale,
          sorted[N_RUNS - 1] * scale);
}

int
main (int   argc,
      char *argv[])
{
  const char *env_dir = g_getenv ("MILLRACE_BENCH_DIR");
  const char *env_mib = g_getenv ("MILLRACE_BENCH_MIB");
  g_autofree char *root = NULL;
  g_autofree guint8 *buffer = NULL;
  gsize total = (env_mib != NULL ? g_ascii_strtoull (env_mib, NULL, 10) : 512)
                * 1024 * 1024;
  gsize buffer_size = 1024 * 1024;
  double append_log[N_RUNS], append_plain[N_RUNS], append_ratio[N_RUNS];
  double read_log[N_RUNS], read_plain[N_RUNS], read_ratio[N_RUNS];
  double append_records[N_RUNS];
  Workload workload;

  if (env_dir != NULL)
    root = g_strdup (env_dir);
  else
    {
      g_autofree char *cwd = g_get_current_dir ();
      g_autofree char *tmpl = g_build_filename (cwd, "bench-log-XXXXXX", NULL);

      root = g_mkdtemp (g_steal_pointer (&tmpl));
      g_assert_nonnull (root);
    }

  buffer = g_malloc (buffer_size);
  memset (buffer, 0, buffer_size);
  workload_init (&workload, total);

  printf ("# partition log: %u batches of %" G_GSIZE_FORMAT " bytes "
          "(%u records of %d bytes), %.0f MiB per run, CRC32C %s\n",
          workload.n_batches, workload.batch_size, workload.records_per_batch,
          RECORD_BYTES, workload.n_batches * workload.batch_size / 1048576.0,
          mr_crc32c_implementation ());

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autofree char *log_dir = g_build_filename (root, "log", NULL);
      g_autofree char *plain_dir = g_build_filename (root, "plain", NULL);
      double bytes = 0;
      gint64 bytes_read = 0;
      double t;

      for (guint i = 0; i < workload.n_batches; i++)
        bytes += workload.sizes[i % N_DISTINCT];

      /* Alternate which side goes first, so neither always gets the warmer
       * page cache. */
      if (run % 2 == 0)
        {
          append_log[run] = bytes / run_log_append (log_dir, &workload);
          append_plain[run] = bytes / run_plain_write (plain_dir, &workload);
        }
      else
        {
          append_plain[run] = bytes / run_plain_write (plain_dir, &workload);
          append_log[run] = bytes / run_log_append (log_dir, &workload);
        }
      append_ratio[run] = append_log[run] / append_plain[run];
      append_records[run] = append_log[run] / workload.batch_size
                            * workload.records_per_batch;
      mr_test_remove_tree (log_dir);
      mr_test_remove_tree (plain_dir);

      write_both_interleaved (log_dir, plain_dir, &workload);

      /* Let writeback finish first, so it does not run during either
       * side's reads; then alternate which side reads first. */
      sync ();
      if (run % 2 == 0)
        {
          t = run_log_read (log_dir, buffer, buffer_size, &bytes_read);
          read_plain[run] = bytes / run_plain_read (plain_dir, buffer,
                                                    buffer_size);
        }
      else
        {
          read_plain[run] = bytes / run_plain_read (plain_dir, buffer,
                                                    buffer_size);
          t = run_log_read (log_dir, buffer, buffer_size, &bytes_read);
        }
      read_log[run] = bytes_read / t;
      read_ratio[run] = read_log[run] / read_plain[run];

      mr_test_remove_tree (log_dir);
      mr_test_remove_tree (plain_dir);
    }

  printf ("append (%d runs, median [min, max]):\n", N_RUNS);
  summarize ("partition log", append_log, "GB/s", 1e-9);
  summarize ("plain write()", append_plain, "GB/s", 1e-9);
  summarize ("log / write() ratio", append_ratio, "x", 1);
  summarize ("partition log records", append_records, "M records/s", 1e-6);
  printf ("sequential read, 1 MiB slices:\n");
  summarize ("partition log", read_log, "GB/s", 1e-9);
  summarize ("plain read()", read_plain, "GB/s", 1e-9);
  summarize ("log / read() ratio", read_ratio, "x", 1);

  if (env_dir == NULL)
    mr_test_remove_tree (root);

  return 0;
}
