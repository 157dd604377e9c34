/* test-groups-view.c: the Consumer Groups view under a real display,
 * driven through its actions: demo consumers start and the group appears
 * with its members and their partitions; one stops and the group
 * rebalances; the lag it shows matches the engine's; the reset dialog's
 * preview, its refusal while the group has members, and Apply; the copy
 * dialog. Screenshots, light and dark, wide and at 360 px, go to the test
 * log directory.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-groups-view"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "mr-copy-records-dialog.h"
#include "mr-groups-view.h"
#include "mr-reset-offsets-dialog.h"
#include "mr-test-ui-util.h"
#include "mr-test-util.h"
#include "mr-window.h"

#define WAIT_TIMEOUT_MS 15000
#define TOPIC           "orders"
#define COPY_TOPIC      "orders-copy"
#define N_PARTITIONS    4
#define N_RECORDS       10
/* Markup characters: the view must show group ids as text. */
#define GROUP           "billing & <co>"

typedef struct
{
  char         *tmpdir;
  MrCluster    *cluster;
  MrWindow     *window;
  MrGroupsView *view;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *dir = NULL;
  MrClusterOptions options;

  fixture->tmpdir = mr_test_make_tmpdir ();
  dir = g_build_filename (fixture->tmpdir, "groups", NULL);
  mr_test_cluster_options_init (&options, dir, 1);
  options.offsets_topic_partitions = 2;
  fixture->cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  mr_test_create_topic (fixture->cluster, TOPIC, N_PARTITIONS, 1);
  mr_test_create_topic (fixture->cluster, COPY_TOPIC, N_PARTITIONS, 1);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    mr_test_produce (fixture->cluster, TOPIC, p, N_RECORDS, 32, -1);
}

static void
destroy_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i - 1);

      if (!MR_IS_WINDOW (window))
        gtk_window_destroy (GTK_WINDOW (window));
    }
}

static void
close_window (Fixture *fixture)
{
  if (fixture->window == NULL)
    return;

  destroy_dialogs ();
  fixture->view = NULL;
  mr_test_close_window (&fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  close_window (fixture);
  mr_cluster_stop_group_members (fixture->cluster, NULL);
  mr_cluster_shutdown (fixture->cluster);
  g_clear_pointer (&fixture->cluster, mr_cluster_unref);
  mr_test_remove_tree (fixture->tmpdir);
  g_clear_pointer (&fixture->tmpdir, g_free);
}

static void
open_window (Fixture *fixture,
             int      width,
             int      height)
{
  close_window (fixture);
  fixture->window = mr_test_open_window (fixture->cluster, width, height);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.show-page", "s", "groups"));
  g_assert_cmpstr (mr_window_get_visible_view (fixture->window), ==, "groups");
  fixture->view = mr_test_find_widget (GTK_WIDGET (fixture->window), MR_TYPE_GROUPS_VIEW);
  g_assert_nonnull (fixture->view);
}

/* What the view shows. */

static MrGroupInfo *
shown_group (Fixture *fixture)
{
  GPtrArray *groups = mr_groups_view_get_groups (fixture->view);

  for (guint i = 0; groups != NULL && i < groups->len; i++)
    {
      MrGroupInfo *info = g_ptr_array_index (groups, i);

      if (g_str_equal (info->group_id, GROUP))
        return info;
    }

  return NULL;
}

static MrGroupInfo *
engine_group (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  MrGroupInfo *info = mr_cluster_describe_group (fixture->cluster, GROUP, &error);

  g_assert_no_error (error);

  return info;
}

static guint
n_assigned (MrGroupInfo *info)
{
  guint n = 0;

  for (guint i = 0; i < info->members->len; i++)
    {
      MrGroupMemberInfo *m = g_ptr_array_index (info->members, i);

      n += m->assignment != NULL ? m->assignment->len : 0;
    }

  return n;
}

typedef struct
{
  Fixture *fixture;
  guint    n_members;
  gint32   min_generation;
} GroupWait;

/* The view shows the group stable with @n_members sharing every partition. */
static gboolean
group_shown_cb (gpointer user_data)
{
  GroupWait *wait = user_data;
  MrGroupInfo *info = shown_group (wait->fixture);

  return info != NULL &&
         info->state == MR_GROUP_STATE_STABLE &&
         info->members->len == wait->n_members &&
         info->generation >= wait->min_generation &&
         n_assigned (info) == N_PARTITIONS &&
         g_strcmp0 (mr_groups_view_get_selected_group (wait->fixture->view), GROUP) == 0;
}

static gboolean
empty_shown_cb (gpointer user_data)
{
  Fixture *fixture = user_data;
  GtkStack *stack = mr_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_STACK);

  return mr_groups_view_get_n_refreshes (fixture->view) > 0 &&
         g_strcmp0 (gtk_stack_get_visible_child_name (stack), "empty") == 0;
}

typedef struct
{
  Fixture    *fixture;
  gint32      partition;
  const char *committed;
  const char *lag;
} CellWait;

static gboolean
cells_show_cb (gpointer user_data)
{
  CellWait *wait = user_data;
  const char *committed = mr_groups_view_get_cell_text (wait->fixture->view, TOPIC, wait->partition,
                                                        MR_GROUPS_COLUMN_COMMITTED);
  const char *lag = mr_groups_view_get_cell_text (wait->fixture->view, TOPIC, wait->partition,
                                                  MR_GROUPS_COLUMN_LAG);

  return g_strcmp0 (committed, wait->committed) == 0 && g_strcmp0 (lag, wait->lag) == 0;
}

static gboolean
not_busy_cb (gpointer user_data)
{
  return !mr_groups_view_get_busy (user_data);
}

static gboolean
plot_filled_cb (gpointer user_data)
{
  MrSparkline *plot = user_data;

  return mr_sparkline_get_n_values (plot) >= 3 && mr_sparkline_get_max (plot) > 0;
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }

  return NULL;
}

static gboolean
reset_settled_cb (gpointer user_data)
{
  MrResetOffsetsDialog *dialog = user_data;

  return !mr_reset_offsets_dialog_get_busy (dialog) &&
         (mr_reset_offsets_dialog_get_preview (dialog) != NULL ||
          mr_reset_offsets_dialog_get_message (dialog) != NULL);
}

static gboolean
preview_shown_cb (gpointer user_data)
{
  MrResetOffsetsDialog *dialog = user_data;

  return !mr_reset_offsets_dialog_get_busy (dialog) &&
         mr_reset_offsets_dialog_get_preview (dialog) != NULL;
}

static gboolean
applied_cb (gpointer user_data)
{
  return mr_reset_offsets_dialog_get_n_applied (user_data) >= 0 &&
         !mr_reset_offsets_dialog_get_busy (user_data);
}

static gboolean
copied_cb (gpointer user_data)
{
  return !mr_copy_records_dialog_get_busy (user_data) &&
         mr_copy_records_dialog_get_message (user_data) != NULL;
}

static gboolean
copy_progress_shown_cb (gpointer user_data)
{
  const char *message = mr_copy_records_dialog_get_message (user_data);

  return message != NULL && strstr (message, "so far") != NULL;
}

/* Every broker's disk slowed by @latency_ms, or healed with 0. */
static void
slow_every_broker (MrCluster *cluster,
                   guint      latency_ms)
{
  g_autoptr(GPtrArray) brokers = mr_cluster_list_brokers (cluster);

  for (guint i = 0; i < brokers->len; i++)
    {
      MrBrokerInfo *broker = g_ptr_array_index (brokers, i);
      g_autoptr(GError) error = NULL;

      mr_cluster_broker_action (cluster, broker->id,
                                latency_ms > 0 ? MR_BROKER_ACTION_SLOW
                                               : MR_BROKER_ACTION_HEAL,
                                latency_ms, &error);
      g_assert_no_error (error);
    }
}

static gint64
total_high_watermark (MrCluster  *cluster,
                      const char *topic)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  gint64 total = 0;

  info = mr_cluster_describe_topic (cluster, topic, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < info->partitions->len; i++)
    total += ((MrPartitionInfo *) g_ptr_array_index (info->partitions, i))->high_watermark;
  return total;
}

static MrResetOffsetsDialog *
wait_preview (MrResetOffsetsDialog *dialog)
{
  g_assert_true (mr_test_wait_until (reset_settled_cb, dialog, WAIT_TIMEOUT_MS));
  /* The form's change schedules a preview a little later. */
  g_assert_true (mr_test_wait_until (preview_shown_cb, dialog, WAIT_TIMEOUT_MS));

  return dialog;
}

static gint64
committed (MrGroupInfo *info,
           gint32       partition)
{
  for (guint i = 0; i < info->offsets->len; i++)
    {
      MrGroupPartitionInfo *p = g_ptr_array_index (info->offsets, i);

      if (g_str_equal (p->topic, TOPIC) && p->partition == partition)
        return p->committed_offset;
    }

  return -1;
}

static gint64
lag_of (MrGroupInfo *info,
        gint32       partition)
{
  for (guint i = 0; i < info->offsets->len; i++)
    {
      MrGroupPartitionInfo *p = g_ptr_array_index (info->offsets, i);

      if (g_str_equal (p->topic, TOPIC) && p->partition == partition)
        return p->lag;
    }

  return -2;
}

static void
test_groups_view (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(MrGroupInfo) before = NULL;
  g_autoptr(MrGroupInfo) after = NULL;
  g_autoptr(MrGroupInfo) reset = NULL;
  g_autoptr(GError) error = NULL;
  MrResetOffsetsDialog *reset_dialog;
  MrCopyRecordsDialog *copy_dialog;
  AdwMessageDialog *new_dialog;
  GroupWait group_wait = { fixture, 2, 1 };
  CellWait cell_wait = { fixture, 0, "10", "0" };
  GPtrArray *preview;

  open_window (fixture, 1000, 900);

  /* No group yet: the empty state, with its button. */
  g_assert_true (mr_test_wait_until (empty_shown_cb, fixture, WAIT_TIMEOUT_MS));
  g_assert_true (mr_test_find_label (GTK_WIDGET (fixture->view), "No Consumer Groups Yet"));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "groups-view-empty");

  /* Two demo consumers through the view's action: the group appears,
   * stable, each member with two of the four partitions. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "groups.start-demo",
                                             "(ssu)", GROUP, TOPIC, 2));
  g_assert_true (mr_test_wait_until (group_shown_cb, &group_wait, WAIT_TIMEOUT_MS));
  for (guint i = 0; i < shown_group (fixture)->members->len; i++)
    {
      MrGroupMemberInfo *m = g_ptr_array_index (shown_group (fixture)->members, i);

      g_assert_true (m->in_process);
      g_assert_cmpuint (m->assignment->len, ==, 2);
      g_assert_true (mr_test_find_label (GTK_WIDGET (fixture->view), m->client_id));
    }

  /* They read everything and commit: committed 10, lag 0, as the engine
   * says. */
  for (cell_wait.partition = 0; cell_wait.partition < N_PARTITIONS; cell_wait.partition++)
    g_assert_true (mr_test_wait_until (cells_show_cb, &cell_wait, WAIT_TIMEOUT_MS));
  before = engine_group (fixture);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    {
      g_assert_cmpint (committed (before, p), ==, N_RECORDS);
      g_assert_cmpint (lag_of (before, p), ==, 0);
    }
  g_assert_cmpint (shown_group (fixture)->generation, ==, before->generation);
  g_assert_true (mr_test_find_label (GTK_WIDGET (fixture->view), "Stable"));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "groups-view");

  /* The "new demo group" dialog offers the topics. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "groups.new-demo-group", NULL));
  new_dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (new_dialog);
  g_assert_true (adw_message_dialog_has_response (new_dialog, "start"));
  mr_test_save_screenshots (GTK_WIDGET (new_dialog), "groups-new-demo-dialog");
  adw_message_dialog_response (new_dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (new_dialog));

  /* Stop one: the group rebalances, a new generation gives the other
   * member all four partitions. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "groups.stop-member", NULL));
  group_wait.n_members = 1;
  group_wait.min_generation = before->generation + 1;
  g_assert_true (mr_test_wait_until (group_shown_cb, &group_wait, WAIT_TIMEOUT_MS));
  g_assert_true (mr_test_wait_until (not_busy_cb, fixture->view, WAIT_TIMEOUT_MS));
  after = engine_group (fixture);
  g_assert_cmpuint (after->members->len, ==, 1);
  g_assert_cmpint (after->generation, >, before->generation);
  g_assert_cmpuint (n_assigned (after), ==, N_PARTITIONS);

  /* Reset while a member is active: refused, with the offer to stop it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "groups.reset-offsets", NULL));
  reset_dialog = find_toplevel (MR_TYPE_RESET_OFFSETS_DIALOG);
  g_assert_nonnull (reset_dialog);
  g_assert_true (mr_test_wait_until (reset_settled_cb, reset_dialog, WAIT_TIMEOUT_MS));
  g_assert_null (mr_reset_offsets_dialog_get_preview (reset_dialog));
  g_assert_nonnull (strstr (mr_reset_offsets_dialog_get_message (reset_dialog), "active members"));
  g_assert_true (mr_test_find_label (GTK_WIDGET (reset_dialog), "_Stop the Demo Consumers"));
  mr_test_save_screenshots (GTK_WIDGET (reset_dialog), "groups-reset-refused");

  /* Stop them from the dialog: the preview comes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (reset_dialog), "reset.stop-members", NULL));
  wait_preview (reset_dialog);

  /* Lag: records the group has not read, as the view and engine say. */
  mr_test_produce (fixture->cluster, TOPIC, 1, 7, 32, -1);
  cell_wait.partition = 1;
  cell_wait.committed = "10";
  cell_wait.lag = "7";
  g_assert_true (mr_test_wait_until (cells_show_cb, &cell_wait, WAIT_TIMEOUT_MS));
  g_clear_pointer (&after, mr_group_info_free);
  after = engine_group (fixture);
  g_assert_cmpint (lag_of (after, 1), ==, 7);
  g_assert_cmpint (after->total_lag, ==, 7);
  g_assert_cmpuint (after->members->len, ==, 0);

  /* Previews of three kinds. */
  mr_reset_offsets_dialog_set_kind (reset_dialog, MR_OFFSET_RESET_TO_EARLIEST);
  preview = mr_reset_offsets_dialog_get_preview (wait_preview (reset_dialog));
  g_assert_cmpuint (preview->len, ==, N_PARTITIONS);
  for (guint i = 0; i < preview->len; i++)
    g_assert_cmpint (((MrOffsetChange *) g_ptr_array_index (preview, i))->new_offset, ==, 0);

  mr_reset_offsets_dialog_set_kind (reset_dialog, MR_OFFSET_RESET_SHIFT_BY);
  mr_reset_offsets_dialog_set_value (reset_dialog, "-4");
  mr_reset_offsets_dialog_set_partitions (reset_dialog, "2");
  preview = mr_reset_offsets_dialog_get_preview (wait_preview (reset_dialog));
  g_assert_cmpuint (preview->len, ==, 1);
  g_assert_cmpint (((MrOffsetChange *) g_ptr_array_index (preview, 0))->old_offset, ==, 10);
  g_assert_cmpint (((MrOffsetChange *) g_ptr_array_index (preview, 0))->new_offset, ==, 6);

  /* By a duration: everything was written within the hour, so back to
   * the start; to a date and time to come: the end. */
  mr_reset_offsets_dialog_set_kind (reset_dialog, MR_OFFSET_RESET_BY_DURATION);
  mr_reset_offsets_dialog_set_value (reset_dialog, "1h");
  preview = mr_reset_offsets_dialog_get_preview (wait_preview (reset_dialog));
  g_assert_cmpuint (preview->len, ==, 1);
  g_assert_cmpint (((MrOffsetChange *) g_ptr_array_index (preview, 0))->new_offset, ==, 0);
  mr_reset_offsets_dialog_set_kind (reset_dialog, MR_OFFSET_RESET_TO_DATETIME);
  mr_reset_offsets_dialog_set_value (reset_dialog, "2100-01-01 00:00");
  preview = mr_reset_offsets_dialog_get_preview (wait_preview (reset_dialog));
  g_assert_cmpuint (preview->len, ==, 1);
  g_assert_cmpint (((MrOffsetChange *) g_ptr_array_index (preview, 0))->new_offset, ==, N_RECORDS);
  mr_reset_offsets_dialog_set_kind (reset_dialog, MR_OFFSET_RESET_SHIFT_BY);
  mr_reset_offsets_dialog_set_value (reset_dialog, "-4");

  /* Bad input: a clear message, no preview. */
  mr_reset_offsets_dialog_set_value (reset_dialog, "lots");
  g_assert_true (mr_test_wait_until (reset_settled_cb, reset_dialog, WAIT_TIMEOUT_MS));
  g_assert_null (mr_reset_offsets_dialog_get_preview (reset_dialog));
  g_assert_nonnull (strstr (mr_reset_offsets_dialog_get_message (reset_dialog), "shift"));

  /* To offset 3 on partitions 0 and 1: the preview, then Apply. */
  mr_reset_offsets_dialog_set_kind (reset_dialog, MR_OFFSET_RESET_TO_OFFSET);
  mr_reset_offsets_dialog_set_value (reset_dialog, "3");
  mr_reset_offsets_dialog_set_partitions (reset_dialog, "0-1");
  preview = mr_reset_offsets_dialog_get_preview (wait_preview (reset_dialog));
  g_assert_cmpuint (preview->len, ==, 2);
  for (guint i = 0; i < preview->len; i++)
    {
      MrOffsetChange *change = g_ptr_array_index (preview, i);

      g_assert_cmpint (change->partition, ==, i);
      g_assert_cmpint (change->old_offset, ==, 10);
      g_assert_cmpint (change->new_offset, ==, 3);
    }
  g_assert_true (mr_test_find_label (GTK_WIDGET (reset_dialog), "10 → 3"));
  mr_test_save_screenshots (GTK_WIDGET (reset_dialog), "groups-reset-preview");
  /* Previewing changed nothing. */
  g_clear_pointer (&reset, mr_group_info_free);
  reset = engine_group (fixture);
  g_assert_cmpint (committed (reset, 0), ==, 10);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (reset_dialog), "reset.apply", NULL));
  g_assert_true (mr_test_wait_until (applied_cb, reset_dialog, WAIT_TIMEOUT_MS));
  g_assert_cmpint (mr_reset_offsets_dialog_get_n_applied (reset_dialog), ==, 2);
  g_clear_pointer (&reset, mr_group_info_free);
  reset = engine_group (fixture);
  g_assert_cmpint (committed (reset, 0), ==, 3);
  g_assert_cmpint (committed (reset, 1), ==, 3);
  g_assert_cmpint (committed (reset, 2), ==, 10);
  g_assert_cmpint (lag_of (reset, 1), ==, 14);
  cell_wait.partition = 1;
  cell_wait.committed = "3";
  cell_wait.lag = "14";
  g_assert_true (mr_test_wait_until (cells_show_cb, &cell_wait, WAIT_TIMEOUT_MS));
  gtk_window_destroy (GTK_WINDOW (reset_dialog));

  /* The lag plot has the engine's samples, with the lag in them. */
  g_assert_true (mr_test_wait_until (plot_filled_cb, mr_groups_view_get_lag_plot (fixture->view),
                                     WAIT_TIMEOUT_MS));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "groups-view-lag");

  /* Copy offsets [2, 5) of every partition: three records each. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "groups.copy-records", NULL));
  copy_dialog = find_toplevel (MR_TYPE_COPY_RECORDS_DIALOG);
  g_assert_nonnull (copy_dialog);
  mr_copy_records_dialog_set_topics (copy_dialog, TOPIC, COPY_TOPIC);
  mr_copy_records_dialog_set_range (copy_dialog, MR_COPY_RANGE_OFFSET, "5", "2");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (copy_dialog), "copy.copy", NULL));
  g_assert_true (mr_test_wait_until (copied_cb, copy_dialog, WAIT_TIMEOUT_MS));
  g_assert_cmpint (mr_copy_records_dialog_get_copied (copy_dialog), ==, -1);
  mr_copy_records_dialog_set_range (copy_dialog, MR_COPY_RANGE_OFFSET, "2", "5");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (copy_dialog), "copy.copy", NULL));
  g_assert_true (mr_test_wait_until (copied_cb, copy_dialog, WAIT_TIMEOUT_MS));
  g_assert_cmpint (mr_copy_records_dialog_get_copied (copy_dialog), ==, 3 * N_PARTITIONS);
  g_assert_true (mr_test_find_label (GTK_WIDGET (copy_dialog), "Copied 12 records"));
  mr_test_save_screenshots (GTK_WIDGET (copy_dialog), "groups-copy-dialog");
  g_assert_cmpint (total_high_watermark (fixture->cluster, COPY_TOPIC), ==, 3 * N_PARTITIONS);

  /* By time: from an hour ago, every record of the topic (40 written at
   * first, 7 more since). */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) hour_ago = g_date_time_add_hours (now, -1);
    g_autofree char *from = g_date_time_format (hour_ago, "%Y-%m-%d %H:%M");

    mr_copy_records_dialog_set_range (copy_dialog, MR_COPY_RANGE_TIME, from, "");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (copy_dialog), "copy.copy", NULL));
    g_assert_true (mr_test_wait_until (copied_cb, copy_dialog, WAIT_TIMEOUT_MS));
    g_assert_cmpint (mr_copy_records_dialog_get_copied (copy_dialog), ==,
                     N_PARTITIONS * N_RECORDS + 7);
  }

  /* Stop: with every disk slowed, each partition's batch takes a while.
   * Stopped once the first is in, the copy ends after the batch under
   * way, and what it copied stays in the target, counted exactly. */
  {
    gint64 target_before = total_high_watermark (fixture->cluster, COPY_TOPIC);
    gint64 n;

    slow_every_broker (fixture->cluster, 150);
    mr_copy_records_dialog_set_range (copy_dialog, MR_COPY_RANGE_OFFSET, "", "");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (copy_dialog), "copy.copy", NULL));
    g_assert_true (mr_test_wait_until (copy_progress_shown_cb, copy_dialog, WAIT_TIMEOUT_MS));
    mr_test_save_screenshots (GTK_WIDGET (copy_dialog), "groups-copy-running");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (copy_dialog), "copy.stop", NULL));
    g_assert_true (mr_test_wait_until (copied_cb, copy_dialog, WAIT_TIMEOUT_MS));
    slow_every_broker (fixture->cluster, 0);
    g_assert_true (g_str_has_prefix (mr_copy_records_dialog_get_message (copy_dialog),
                                     "Stopped after copying"));
    n = mr_copy_records_dialog_get_copied (copy_dialog);
    g_assert_cmpint (n, >, 0);
    g_assert_cmpint (n, <, N_PARTITIONS * N_RECORDS + 7);
    g_assert_cmpint (total_high_watermark (fixture->cluster, COPY_TOPIC) - target_before, ==, n);
    mr_test_save_screenshots (GTK_WIDGET (copy_dialog), "groups-copy-stopped");
  }
  gtk_window_destroy (GTK_WINDOW (copy_dialog));

  /* At phone width. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "groups.start-demo",
                                             "(ssu)", GROUP, TOPIC, 2));
  open_window (fixture, 360, 900);
  group_wait.n_members = 2;
  group_wait.min_generation = after->generation + 1;
  g_assert_true (mr_test_wait_until (group_shown_cb, &group_wait, WAIT_TIMEOUT_MS));
  mr_test_wait_for_frames (GTK_WIDGET (fixture->window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 360);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "groups-view-narrow");
}

/* The form's parsers: what a person types. */
static void
test_parsers (void)
{
  g_autoptr(GArray) partitions = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ms = 0;

  g_assert_true (mr_parse_duration ("1h30m", &ms, NULL));
  g_assert_cmpint (ms, ==, 90 * 60 * 1000);
  g_assert_true (mr_parse_duration ("PT10M", &ms, NULL));
  g_assert_cmpint (ms, ==, 10 * 60 * 1000);
  g_assert_true (mr_parse_duration ("P1DT2H", &ms, NULL));
  g_assert_cmpint (ms, ==, 26 * 3600 * 1000);
  g_assert_true (mr_parse_duration ("250ms", &ms, NULL));
  g_assert_cmpint (ms, ==, 250);
  g_assert_false (mr_parse_duration ("soon", &ms, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (mr_parse_duration ("", &ms, NULL));

  g_assert_true (mr_parse_date_time ("2026-11-25T09:30:00Z", &ms, NULL));
  g_assert_cmpint (ms, ==, G_GINT64_CONSTANT (1795599000000));
  g_assert_true (mr_parse_date_time ("2026-11-25 09:30", &ms, NULL));
  g_assert_false (mr_parse_date_time ("yesterday", &ms, NULL));

  g_assert_true (mr_parse_partitions (" 0, 2-4 ,7", &partitions, NULL));
  g_assert_cmpuint (partitions->len, ==, 5);
  g_assert_cmpint (g_array_index (partitions, gint32, 0), ==, 0);
  g_assert_cmpint (g_array_index (partitions, gint32, 1), ==, 2);
  g_assert_cmpint (g_array_index (partitions, gint32, 3), ==, 4);
  g_assert_cmpint (g_array_index (partitions, gint32, 4), ==, 7);
  g_clear_pointer (&partitions, g_array_unref);
  g_assert_true (mr_parse_partitions ("", &partitions, NULL));
  g_assert_cmpuint (partitions->len, ==, 0);
  g_clear_pointer (&partitions, g_array_unref);
  g_assert_false (mr_parse_partitions ("1, x", &partitions, NULL));
  g_assert_false (mr_parse_partitions ("5-2", &partitions, NULL));
}

int
main (int   argc,
      char *argv[])
{
  int exit_status;

  if (!mr_test_ui_init (&argc, &argv, &exit_status))
    return exit_status;

  g_test_add_func ("/groups-view/parsers", test_parsers);
  g_test_add ("/groups-view/groups", Fixture, NULL,
              fixture_set_up, test_groups_view, fixture_tear_down);

  return g_test_run ();
}
