/* bench-message-browser.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "bench-message-browser"

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <string.h>

#include "mr-bench-util.h"
#include "mr-test-ui-util.h"
#include "mr-test-util.h"
#include "mr-topics-view.h"

/* Frame times of the message browser while it scrolls a topic of
 * 10,000,000 records (one partition, replication factor 1).
 *
 * The records go in through mr_cluster_produce() in batches of
 * RECORDS_PER_BATCH. The view then shows the topic's messages page in a
 * 1100 × 760 window, and a tick callback drives the list's vertical
 * adjustment, one step per frame: first a steady scroll (a fling of
 * SCROLL_STEP_PX per frame), then jumps to random places in the topic
 * (dragging the scrollbar thumb). 120 px a frame is 7,200 px/s, about
 * 330 rows a second: a fast flick of the wheel. For every frame the frame clock's
 * before-paint → after-paint span is the work of the frame (layout,
 * binding rows, snapshot, rendering); the interval between two frames'
 * starts shows stalls of the main thread anywhere else. Pages of records
 * load in the view's loader threads meanwhile.
 *
 * Prints p50, p99 and max of both, and the share of frames under 16 ms.
 * The target is 99 % of frames under 16 ms. There is no peer program to
 * compare with, so the figures are absolute (median of the runs, with min
 * and max). MILLRACE_BENCH_RECORDS changes the record count. */

#define RECORDS_PER_BATCH  10000
#define SCROLL_FRAMES      600
#define JUMP_FRAMES        200
#define SCROLL_STEP_PX     120.0
#define N_RUNS             5

typedef struct
{
  GArray        *work;         /* double: µs per frame */
  GArray        *work_scroll;  /* the same, steady scrolling frames only */
  GArray        *work_jump;    /* the same, jump frames only */
  GArray        *intervals;    /* double: µs between frame starts */
  gint64         paint_start;
  gint64         last_start;
  guint          frame;
  guint          n_frames;
  GtkAdjustment *adjustment;
  GRand         *rand;
  gboolean       done;
} Run;

static void
before_paint_cb (GdkFrameClock *clock,
                 Run           *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->last_start != 0)
    {
      double interval = now - run->last_start;

      g_array_append_val (run->intervals, interval);
    }
  run->last_start = now;
  run->paint_start = now;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Run           *run)
{
  double work = g_get_monotonic_time () - run->paint_start;

  if (run->paint_start != 0)
    {
      g_array_append_val (run->work, work);
      if (run->frame <= SCROLL_FRAMES)
        g_array_append_val (run->work_scroll, work);
      else
        g_array_append_val (run->work_jump, work);
    }
  run->paint_start = 0;
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  Run *run = user_data;
  double upper = gtk_adjustment_get_upper (run->adjustment);
  double page = gtk_adjustment_get_page_size (run->adjustment);
  double value;

  if (run->frame >= run->n_frames)
    {
      run->done = TRUE;
      return G_SOURCE_REMOVE;
    }

  if (run->frame < SCROLL_FRAMES)
    value = gtk_adjustment_get_value (run->adjustment) + SCROLL_STEP_PX;
  else
    value = g_rand_double_range (run->rand, 0, upper - page);

  gtk_adjustment_set_value (run->adjustment, MIN (value, upper - page));
  run->frame++;

  return G_SOURCE_CONTINUE;
}

typedef struct
{
  MrTopicsView *view;
  guint         n;
} Shown;

static gboolean
shown_cb (gpointer data)
{
  Shown *shown = data;

  return !mr_topics_view_get_busy (shown->view) &&
         g_list_model_get_n_items (mr_topics_view_get_messages (shown->view)) == shown->n;
}

static gboolean
run_done_cb (gpointer data)
{
  return ((Run *)data)->done;
}

static void
produce_topic (MrCluster *cluster,
               guint      n_records)
{
  g_autoptr(MrRecordBatchBuilder) builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / 1000 - 3600 * 1000;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < RECORDS_PER_BATCH; i++)
    {
      char key[32];
      char value[96];
      int key_len = g_snprintf (key, sizeof key, "sensor-%u", i % 1000);
      int value_len = g_snprintf (value, sizeof value,
                                  "{\"reading\": %u, \"unit\": \"kPa\", \"ok\": true}", i);

      mr_record_batch_builder_add (builder, now + i, (const guint8 *)key, key_len,
                                   (const guint8 *)value, value_len, NULL, 0);
    }
  batch = mr_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);

  for (guint done = 0; done < n_records; done += RECORDS_PER_BATCH)
    {
      g_auto(MrProduceResult) result = { 0 };
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (batch, &len);

      mr_cluster_produce (cluster, -1, "big", 0, g_memdup2 (data, len), len, 1, 30000,
                          &result);
      g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
    }

  g_print ("# produced %u records in %.1f s\n", n_records,
           (g_get_monotonic_time () - start) / 1e6);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) p99s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) p50s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) shares = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) interval_p99s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) scroll_shares = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) jump_shares = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) scrollers = NULL;
  const char *env = g_getenv ("MILLRACE_BENCH_RECORDS");
  guint n_records = env != NULL ? (guint)atoi (env) : 10000000;
  MrClusterOptions options;
  MrCluster *cluster;
  GtkWindow *window;
  MrTopicsView *view;
  GdkFrameClock *clock;
  GtkAdjustment *adjustment;
  Shown shown;

  g_setenv ("GTK_A11Y", "test", FALSE);
  if (!gtk_init_check ())
    {
      g_print ("# no display: skipped\n");
      return 77;
    }
  adw_init ();

  dir = mr_test_make_tmpdir ();
  mr_test_cluster_options_init (&options, dir, 1);
  cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);
  mr_cluster_create_topic (cluster, "big", 1, 1, NULL, FALSE, &error);
  g_assert_no_error (error);
  n_records = MAX (n_records / RECORDS_PER_BATCH, 1) * RECORDS_PER_BATCH;
  produce_topic (cluster, n_records);

  window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (window, 1100, 760);
  view = MR_TOPICS_VIEW (mr_topics_view_new (cluster));
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (window);

  gtk_widget_activate_action (GTK_WIDGET (view), "topics.select", "s", "big");
  shown = (Shown) { view, n_records };
  mr_test_wait_until (shown_cb, &shown, G_MAXUINT);
  {
    g_autoptr(GPtrArray) stacks = mr_test_find_widgets (GTK_WIDGET (view),
                                                        ADW_TYPE_VIEW_STACK, FALSE);

    adw_view_stack_set_visible_child_name (g_ptr_array_index (stacks, 0), "messages");
  }

  scrollers = mr_test_find_widgets (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW, FALSE);
  adjustment = NULL;
  for (guint i = 0; i < scrollers->len; i++)
    {
      GtkWidget *child = gtk_scrolled_window_get_child (g_ptr_array_index (scrollers, i));

      if (GTK_IS_COLUMN_VIEW (child))
        adjustment = gtk_scrolled_window_get_vadjustment (g_ptr_array_index (scrollers, i));
    }
  g_assert_nonnull (adjustment);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

  g_print ("# %u records shown; %u frames of scrolling and %u of jumps per run\n",
           g_list_model_get_n_items (mr_topics_view_get_messages (view)),
           SCROLL_FRAMES, JUMP_FRAMES);

  for (guint r = 0; r < N_RUNS; r++)
    {
      Run run = { 0 };
      gulong before, after;
      double p50, p99, share, interval_p99, scroll_share, jump_share;

      run.work = g_array_new (FALSE, FALSE, sizeof (double));
      run.intervals = g_array_new (FALSE, FALSE, sizeof (double));
      run.work_scroll = g_array_new (FALSE, FALSE, sizeof (double));
      run.work_jump = g_array_new (FALSE, FALSE, sizeof (double));
      run.adjustment = adjustment;
      run.rand = g_rand_new_with_seed (r + 1);
      run.n_frames = SCROLL_FRAMES + JUMP_FRAMES;
      gtk_adjustment_set_value (adjustment, 0);

      before = g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &run);
      after = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &run);
      gtk_widget_add_tick_callback (GTK_WIDGET (view), scroll_tick_cb, &run, NULL);
      mr_test_wait_until (run_done_cb, &run, G_MAXUINT);
      g_signal_handler_disconnect (clock, before);
      g_signal_handler_disconnect (clock, after);

      share = mr_bench_share_below (run.work, 16000);
      scroll_share = mr_bench_share_below (run.work_scroll, 16000);
      jump_share = mr_bench_share_below (run.work_jump, 16000);
      g_print ("# run %u: steady scrolling p50 %.2f ms, p99 %.2f ms, %.1f %% under 16 ms; "
               "jumps p50 %.2f ms, p99 %.2f ms, %.1f %% under 16 ms\n", r + 1,
               mr_bench_quantile (run.work_scroll, 0.5) / 1000,
               mr_bench_quantile (run.work_scroll, 0.99) / 1000,
               scroll_share, mr_bench_quantile (run.work_jump, 0.5) / 1000,
               mr_bench_quantile (run.work_jump, 0.99) / 1000, jump_share);
      g_array_append_val (scroll_shares, scroll_share);
      g_array_append_val (jump_shares, jump_share);
      p50 = mr_bench_quantile (run.work, 0.50) / 1000;
      p99 = mr_bench_quantile (run.work, 0.99) / 1000;
      interval_p99 = mr_bench_quantile (run.intervals, 0.99) / 1000;
      g_print ("# run %u: %u frames, work p50 %.2f ms, p99 %.2f ms, max %.2f ms, "
               "%.1f %% under 16 ms; frame interval p50 %.1f ms, p99 %.1f ms\n",
               r + 1, run.work->len, p50, p99,
               mr_bench_quantile (run.work, 1.0) / 1000, share,
               mr_bench_quantile (run.intervals, 0.50) / 1000, interval_p99);
      g_array_append_val (p50s, p50);
      g_array_append_val (p99s, p99);
      g_array_append_val (shares, share);
      g_array_append_val (interval_p99s, interval_p99);

      g_array_unref (run.work);
      g_array_unref (run.intervals);
      g_array_unref (run.work_scroll);
      g_array_unref (run.work_jump);
      g_rand_free (run.rand);
    }

  {
    GArray *all[] = { p50s, p99s, shares, scroll_shares, jump_shares, interval_p99s };
    const char *names[] = { "frame work p50 (ms)", "frame work p99 (ms)",
                            "frames under 16 ms (%)",
                            "steady-scroll frames under 16 ms (%)",
                            "jump frames under 16 ms (%)",
                            "frame interval p99 (ms)" };

    g_print ("# median of %u runs [min – max]\n", N_RUNS);
    for (guint i = 0; i < G_N_ELEMENTS (all); i++)
      {
        g_print ("%s: %.2f [%.2f – %.2f]\n", names[i],
                 mr_bench_quantile (all[i], 0.5),
                 mr_bench_quantile (all[i], 0),
                 mr_bench_quantile (all[i], 1));
      }
  }

  gtk_window_destroy (window);
  mr_cluster_shutdown (cluster);
  mr_cluster_unref (cluster);
  mr_test_remove_tree (dir);

  return 0;
}
