/* bench-window.c: the window's responsiveness.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * 1. Launch to first frame: a 3-broker cluster started in a fresh
 *    directory, then a window on it, until the frame clock's first
 *    after-paint. Five runs; median, min and max of the whole and of the
 *    window's part alone. Target: under 1 s.
 * 2. Frame times under load: the window on the Failure Lab, the demo
 *    workload producing 50,000 records/s (acks=all, 3 partitions,
 *    replication 3), the whole window redrawn every frame for 10 s. For each
 *    frame, the main thread's work from the frame clock's before-paint to
 *    its after-paint; and the gaps between frames, which show any stall of
 *    the main thread. p50, p99 and the share under 16 ms. Target: 99 % of
 *    frames under 16 ms.
 *
 * There is no peer for a GTK window; the figures stand against the
 * targets. Run it under a display (build-aux/test provides Xvfb).
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mr-bench-util.h"
#include "mr-failure-lab.h"
#include "mr-test-ui-util.h"
#include "mr-test-util.h"
#include "mr-window.h"

#define N_RUNS          5
#define N_BROKERS       3
#define LOAD_RATE       50000
#define LOAD_SECONDS    10

typedef struct
{
  gint64  paint_start;
  gint64  cpu_start;
  GArray *cpu_us;                  /* double: the main thread's CPU time */
  GArray *work_us;                 /* double */
  GArray *gap_us;                  /* double */
  gint64  last_end;
  gboolean first_painted;
} FrameLog;

/* What the main thread itself spent, whatever else the two CPUs ran. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);

  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 FrameLog      *log)
{
  log->paint_start = g_get_monotonic_time ();
  log->cpu_start = thread_cpu_us ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                FrameLog      *log)
{
  gint64 now = g_get_monotonic_time ();
  double work = now - log->paint_start;

  if (log->cpu_us != NULL && log->cpu_start > 0)
    {
      double cpu = thread_cpu_us () - log->cpu_start;

      g_array_append_val (log->cpu_us, cpu);
    }

  log->first_painted = TRUE;
  if (log->work_us != NULL && log->paint_start > 0)
    {
      g_array_append_val (log->work_us, work);
      if (log->last_end > 0)
        {
          double gap = now - log->last_end;

          g_array_append_val (log->gap_us, gap);
        }
    }
  log->last_end = now;
}

static gboolean
painted_cb (gpointer user_data)
{
  return ((FrameLog *) user_data)->first_painted;
}

static MrCluster *
start_cluster (const char *dir)
{
  MrClusterOptions options;
  MrCluster *cluster;

  mr_test_cluster_options_init (&options, dir, N_BROKERS);
  cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  return cluster;
}

static GtkWidget *
open_window (MrCluster *cluster,
             FrameLog  *log)
{
  GtkWidget *window = mr_window_new (NULL, NULL, cluster);
  GdkFrameClock *clock;

  g_object_ref (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
  gtk_widget_realize (window);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), log);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), log);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static void
close_window (GtkWidget *window,
              FrameLog  *log)
{
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (window), log);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static void
measure_first_frame (void)
{
  g_autoptr(GArray) totals = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autofree char *dir = mr_test_make_tmpdir ();
      FrameLog log = { 0, };
      MrCluster *cluster;
      GtkWidget *window;
      gint64 start = g_get_monotonic_time ();
      gint64 window_start;
      double total, part;

      cluster = start_cluster (dir);
      window_start = g_get_monotonic_time ();
      window = open_window (cluster, &log);
      g_assert_true (mr_test_wait_until (painted_cb, &log, 10000));
      total = (g_get_monotonic_time () - start) / 1000.0;
      part = (g_get_monotonic_time () - window_start) / 1000.0;
      g_array_append_val (totals, total);
      g_array_append_val (windows, part);

      close_window (window, &log);
      mr_cluster_shutdown (cluster);
      mr_cluster_unref (cluster);
      mr_test_remove_tree (dir);
    }

  printf ("launch to first frame, 3 brokers: median %.0f ms [min %.0f, max %.0f] "
          "(the window alone: %.0f ms [%.0f, %.0f]); target < 1000 ms\n",
          mr_bench_quantile (totals, 0.5),
          mr_bench_quantile (totals, 0),
          mr_bench_quantile (totals, 1),
          mr_bench_quantile (windows, 0.5),
          mr_bench_quantile (windows, 0),
          mr_bench_quantile (windows, 1));
}

static gboolean
redraw_cb (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       user_data)
{
  /* A live screen at its worst: everything drawn again every frame. */
  gtk_widget_queue_draw (widget);

  return G_SOURCE_CONTINUE;
}

typedef struct
{
  gint64 end;
} Deadline;

static gboolean
deadline_cb (gpointer user_data)
{
  return g_get_monotonic_time () >= ((Deadline *) user_data)->end;
}

static gboolean
demo_running_cb (gpointer user_data)
{
  MrDemoWorkloadStats stats;

  return mr_failure_lab_get_demo_stats (user_data, &stats) && stats.n_acknowledged > 0;
}

static void
measure_frames_under_load (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  FrameLog log = { 0, };
  g_autofree char *loadavg = NULL;
  const char *load_average = "unknown";
  MrDemoWorkloadStats before, after;
  MrFailureLab *lab;
  MrCluster *cluster;
  GtkWidget *window;
  Deadline deadline;
  gint64 start;
  guint tick;

  cluster = start_cluster (dir);
  window = open_window (cluster, &log);
  g_assert_true (mr_test_wait_until (painted_cb, &log, 10000));

  g_assert_true (gtk_widget_activate_action (window, "win.start-demo", NULL));
  lab = mr_test_find_widget (window, MR_TYPE_FAILURE_LAB);
  mr_failure_lab_set_demo_rate (lab, LOAD_RATE);
  g_assert_true (mr_test_wait_until (demo_running_cb, lab, 10000));

  /* Let it settle, then measure. */
  deadline.end = g_get_monotonic_time () + G_USEC_PER_SEC;
  mr_test_wait_until (deadline_cb, &deadline, 2000);

  tick = gtk_widget_add_tick_callback (window, redraw_cb, NULL, NULL);
  log.work_us = g_array_new (FALSE, FALSE, sizeof (double));
  log.gap_us = g_array_new (FALSE, FALSE, sizeof (double));
  log.cpu_us = g_array_new (FALSE, FALSE, sizeof (double));
  log.last_end = 0;
  mr_failure_lab_get_demo_stats (lab, &before);
  start = g_get_monotonic_time ();
  deadline.end = start + LOAD_SECONDS * G_USEC_PER_SEC;
  mr_test_wait_until (deadline_cb, &deadline, (LOAD_SECONDS + 1) * 1000);
  mr_failure_lab_get_demo_stats (lab, &after);
  gtk_widget_remove_tick_callback (window, tick);
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    {
      g_strdelimit (loadavg, "\n", '\0');
      load_average = loadavg;
    }

  printf ("frames while the demo workload produces %u records/s "
          "(acknowledged %.0f records/s, %" G_GUINT64_FORMAT " failed), "
          "%u frames in %d s:\n",
          LOAD_RATE,
          (after.n_acknowledged - before.n_acknowledged) /
            ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC),
          after.n_failed - before.n_failed,
          log.work_us->len, LOAD_SECONDS);
  printf ("  frame work (before-paint to after-paint): p50 %.2f ms, p99 %.2f ms, "
          "max %.2f ms, %.1f %% under 16 ms; target 99 %%\n",
          mr_bench_quantile (log.work_us, 0.5) / 1000, mr_bench_quantile (log.work_us, 0.99) / 1000,
          mr_bench_quantile (log.work_us, 1.0) / 1000, mr_bench_share_below (log.work_us, 16000));
  printf ("  between frames: p50 %.2f ms, p99 %.2f ms, max %.2f ms, "
          "%.1f %% under 17 ms\n",
          mr_bench_quantile (log.gap_us, 0.5) / 1000, mr_bench_quantile (log.gap_us, 0.99) / 1000,
          mr_bench_quantile (log.gap_us, 1.0) / 1000, mr_bench_share_below (log.gap_us, 17000));

  printf ("  main thread CPU time per frame: p50 %.2f ms, p99 %.2f ms, max %.2f ms, "
          "%.1f %% under 16 ms (the rest of the wall time above is waiting for a "
          "CPU: load average %s)\n",
          mr_bench_quantile (log.cpu_us, 0.5) / 1000, mr_bench_quantile (log.cpu_us, 0.99) / 1000,
          mr_bench_quantile (log.cpu_us, 1.0) / 1000, mr_bench_share_below (log.cpu_us, 16000),
          load_average);

  g_clear_pointer (&log.cpu_us, g_array_unref);
  g_clear_pointer (&log.work_us, g_array_unref);
  g_clear_pointer (&log.gap_us, g_array_unref);
  close_window (window, &log);
  mr_cluster_shutdown (cluster);
  mr_cluster_unref (cluster);
  mr_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "test", FALSE);

  if (!gtk_init_check ())
    {
      printf ("no display: skipped\n");
      return 77;
    }
  adw_init ();
  mr_test_setup_ui_resources ();

  measure_first_frame ();
  measure_frames_under_load ();

  return EXIT_SUCCESS;
}
