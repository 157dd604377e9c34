/* test-cluster-views.c: the window's views of a running cluster, driven
 * through their actions and buttons under a real display: the Cluster view
 * (cards, partition map, sparklines, timeline filter, empty state), the
 * Failure Lab (fault buttons, demo workload, chaos run) and the
 * preferences. Screenshots of each, light and dark, wide and at 360 px,
 * go to the test log directory.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-cluster-views"

#include "config.h"

#include <adwaita.h>

#include "mr-broker-card.h"
#include "mr-cluster-view.h"
#include "mr-failure-lab.h"
#include "mr-partition-map.h"
#include "mr-preferences-window.h"
#include "mr-test-ui-util.h"
#include "mr-test-util.h"
#include "mr-window.h"

#define N_BROKERS          3
#define WAIT_TIMEOUT_MS    10000
/* Fast failure detection, so that elections follow a crash quickly. */
#define SESSION_TIMEOUT_MS 400

typedef struct
{
  char      *tmpdir;
  char      *cluster_dir;
  MrCluster *cluster;
  MrWindow  *window;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  MrClusterOptions options;

  fixture->tmpdir = mr_test_make_tmpdir ();
  fixture->cluster_dir = g_build_filename (fixture->tmpdir, "lab", NULL);
  mr_test_cluster_options_init (&options, fixture->cluster_dir, N_BROKERS);
  options.broker_session_timeout_ms = SESSION_TIMEOUT_MS;
  fixture->cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  mr_test_close_window (&fixture->window);
  mr_cluster_shutdown (fixture->cluster);
  g_clear_pointer (&fixture->cluster, mr_cluster_unref);
  mr_test_remove_tree (fixture->tmpdir);
  g_clear_pointer (&fixture->cluster_dir, g_free);
  g_clear_pointer (&fixture->tmpdir, g_free);
}

static void
open_window (Fixture *fixture,
             int      width,
             int      height)
{
  mr_test_close_window (&fixture->window);
  fixture->window = mr_test_open_window (fixture->cluster, width, height);
}

static gpointer
find (Fixture *fixture,
      GType    type)
{
  gpointer widget = mr_test_find_widget (GTK_WIDGET (fixture->window), type);

  g_assert_nonnull (widget);

  return widget;
}

static void
show_view (Fixture    *fixture,
           const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.show-page", "s", name));
  g_assert_cmpstr (mr_window_get_visible_view (fixture->window), ==, name);
}

/* Waits. */

typedef struct
{
  Fixture    *fixture;
  gint32      broker_id;
  const char *state_text;
} CardWait;

static gboolean
card_shows_cb (gpointer user_data)
{
  CardWait *wait = user_data;
  MrBrokerCard *card = mr_test_find_broker_card (GTK_WIDGET (wait->fixture->window), wait->broker_id);

  return card != NULL &&
         g_strcmp0 (mr_broker_card_get_state_text (card), wait->state_text) == 0;
}

static gboolean
all_running_cb (gpointer user_data)
{
  Fixture *fixture = user_data;

  return mr_test_brokers_running (GTK_WIDGET (fixture->window), N_BROKERS);
}

typedef struct
{
  MrPartitionMap *map;
  const char     *topic;
  gint32          partition;
  gint32          broker_id;
  MrReplicaRole   role;
} RoleWait;

static gboolean
role_shown_cb (gpointer user_data)
{
  RoleWait *wait = user_data;

  return mr_partition_map_get_role (wait->map, wait->topic, wait->partition,
                                    wait->broker_id, NULL) == wait->role;
}

static gint32
leader_of (MrCluster  *cluster,
           const char *topic,
           gint32      partition)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = mr_cluster_describe_topic (cluster, topic, &error);
  g_assert_no_error (error);

  return ((MrPartitionInfo *) g_ptr_array_index (info->partitions, partition))->leader;
}

/* The Cluster view. */

static gboolean
partition_map_filled_cb (gpointer user_data)
{
  MrPartitionMap *map = user_data;

  return mr_partition_map_get_n_partitions (map) == 4;
}

typedef struct
{
  MrClusterView   *view;
  MrTimelineFilter filter;
  const char      *prefix;
} TimelineWait;

/* Every event shown matches the filter, and one starts with @prefix. */
static gboolean
timeline_shows_cb (gpointer user_data)
{
  TimelineWait *wait = user_data;
  GListModel *shown = mr_cluster_view_get_shown_events (wait->view);
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(MrTimelineItem) item = g_list_model_get_item (shown, i);

      if (!mr_timeline_item_matches (item, wait->filter))
        return FALSE;
      found |= g_str_has_prefix (mr_timeline_item_get_summary (item), wait->prefix);
    }

  return found;
}

typedef struct
{
  Fixture *fixture;
  gint32   broker_id;
} RateWait;

static gboolean
rate_shown_cb (gpointer user_data)
{
  RateWait *wait = user_data;
  MrBrokerCard *card = mr_test_find_broker_card (GTK_WIDGET (wait->fixture->window), wait->broker_id);

  /* Keep the requests coming: one produce a poll. */
  mr_test_produce (wait->fixture->cluster, "orders", 0, 1, 64, -1);

  return card != NULL &&
         g_strcmp0 (mr_broker_card_get_request_rate_text (card), "0") != 0;
}

static void
test_cluster_view (Fixture       *fixture,
                   gconstpointer  user_data)
{
  MrPartitionMap *map;
  MrClusterView *view;
  TimelineWait timeline;
  RoleWait role;
  RateWait rate;
  CardWait card;
  gint32 leader;
  gint32 follower;

  mr_test_create_topic (fixture->cluster, "orders", 3, N_BROKERS);
  mr_test_create_topic (fixture->cluster, "payments", 1, N_BROKERS);
  for (gint32 p = 0; p < 3; p++)
    mr_test_produce (fixture->cluster, "orders", p, 100 * (p + 1), 64, -1);

  open_window (fixture, 1100, 860);
  g_assert_true (mr_test_wait_until (all_running_cb, fixture, WAIT_TIMEOUT_MS));
  g_assert_cmpstr (mr_window_get_visible_view (fixture->window), ==, "cluster");

  view = find (fixture, MR_TYPE_CLUSTER_VIEW);
  map = mr_cluster_view_get_partition_map (view);
  g_assert_true (mr_test_wait_until (partition_map_filled_cb, map, WAIT_TIMEOUT_MS));

  /* The map says what the engine says: the leader of orders-0 leads, and a
   * follower is in sync. */
  leader = leader_of (fixture->cluster, "orders", 0);
  follower = leader % N_BROKERS + 1;
  g_assert_cmpint (mr_partition_map_get_role (map, "orders", 0, leader, NULL), ==,
                   MR_REPLICA_ROLE_LEADER);
  g_assert_cmpint (mr_partition_map_get_role (map, "orders", 0, follower, NULL), ==,
                   MR_REPLICA_ROLE_IN_SYNC);

  /* Requests a second: in-process produces count on the leader, and its
   * card's number and sparkline move. */
  rate = (RateWait) { fixture, leader_of (fixture->cluster, "orders", 0) };
  g_assert_true (mr_test_wait_until (rate_shown_cb, &rate, WAIT_TIMEOUT_MS));

  /* Crash the follower through its card's action: within a second its card
   * and the partition map say so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "broker.crash", "i", follower));
  card = (CardWait) { fixture, follower, "Crashed" };
  g_assert_true (mr_test_wait_until (card_shows_cb, &card, 1000));
  role = (RoleWait) { map, "orders", 0, follower, MR_REPLICA_ROLE_OFFLINE };
  g_assert_true (mr_test_wait_until (role_shown_cb, &role, 1000));

  /* The timeline, filtered to brokers and faults, has the crash and
   * nothing else kind; filtered to ISR changes, the shrink that follows. */
  mr_cluster_view_set_filter (view, MR_TIMELINE_FILTER_BROKERS);
  timeline = (TimelineWait) { view, MR_TIMELINE_FILTER_BROKERS, "Broker" };
  g_assert_true (mr_test_wait_until (timeline_shows_cb, &timeline, WAIT_TIMEOUT_MS));
  mr_cluster_view_set_filter (view, MR_TIMELINE_FILTER_ISR);
  timeline = (TimelineWait) { view, MR_TIMELINE_FILTER_ISR, "Partition" };
  g_assert_true (mr_test_wait_until (timeline_shows_cb, &timeline, WAIT_TIMEOUT_MS));
  mr_cluster_view_set_filter (view, MR_TIMELINE_FILTER_ALL);

  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "cluster-view");

  /* The same at phone width: one column, the view without the sidebar. */
  open_window (fixture, 360, 740);
  g_assert_true (mr_test_wait_until (card_shows_cb, &card, WAIT_TIMEOUT_MS));
  mr_test_wait_for_frames (GTK_WIDGET (fixture->window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 360);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "cluster-view-narrow");
  show_view (fixture, "topics");
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-narrow");
  show_view (fixture, "failure-lab");
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "failure-lab-narrow");

  /* Back up. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "broker.start", "i", follower));
  card = (CardWait) { fixture, follower, "Running" };
  g_assert_true (mr_test_wait_until (card_shows_cb, &card, WAIT_TIMEOUT_MS));
}

/* A slowed follower falls behind: the map says by how much. */

typedef struct
{
  Fixture        *fixture;
  MrPartitionMap *map;
  gint32          follower;
} LagWait;

static gboolean
lagging_shown_cb (gpointer user_data)
{
  LagWait *wait = user_data;
  gint64 lag = 0;

  /* Keep writing, acknowledged by the leader alone. */
  mr_test_produce (wait->fixture->cluster, "lag", 0, 50, 64, 1);

  return mr_partition_map_get_role (wait->map, "lag", 0, wait->follower, &lag) ==
           MR_REPLICA_ROLE_LAGGING &&
         lag > 0;
}

static void
test_cluster_view_lagging (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  MrClusterView *view;
  RoleWait role;
  LagWait lag;
  gint32 leader;

  mr_test_create_topic (fixture->cluster, "lag", 1, N_BROKERS);
  leader = leader_of (fixture->cluster, "lag", 0);

  open_window (fixture, 1100, 760);
  g_assert_true (mr_test_wait_until (all_running_cb, fixture, WAIT_TIMEOUT_MS));
  view = find (fixture, MR_TYPE_CLUSTER_VIEW);

  lag = (LagWait) { fixture, mr_cluster_view_get_partition_map (view), leader % N_BROKERS + 1 };
  mr_cluster_broker_action (fixture->cluster, lag.follower, MR_BROKER_ACTION_SLOW, 1500, &error);
  g_assert_no_error (error);
  g_assert_true (mr_test_wait_until (lagging_shown_cb, &lag, WAIT_TIMEOUT_MS));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "cluster-view-lagging");

  /* Healed, it catches up and is back in sync. */
  mr_cluster_broker_action (fixture->cluster, lag.follower, MR_BROKER_ACTION_HEAL, 0, &error);
  g_assert_no_error (error);
  role = (RoleWait) { lag.map, "lag", 0, lag.follower, MR_REPLICA_ROLE_IN_SYNC };
  g_assert_true (mr_test_wait_until (role_shown_cb, &role, WAIT_TIMEOUT_MS));
}

/* A new cluster: the Cluster view offers to create a topic, which then
 * shows on the map. */

static gboolean
dialog_shown_cb (gpointer user_data)
{
  AdwMessageDialog **dialog = user_data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        {
          *dialog = ADW_MESSAGE_DIALOG (window);
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
topic_on_map_cb (gpointer user_data)
{
  MrPartitionMap *map = user_data;

  return mr_partition_map_get_n_partitions (map) == 3;
}

static void
test_cluster_view_empty (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GPtrArray) labels = NULL;
  AdwMessageDialog *dialog = NULL;
  GtkLabel *empty = NULL;
  GtkWidget *empty_box;
  MrClusterView *view;

  open_window (fixture, 1100, 760);
  g_assert_true (mr_test_wait_until (all_running_cb, fixture, WAIT_TIMEOUT_MS));
  mr_test_wait_for_frames (GTK_WIDGET (fixture->window));
  view = find (fixture, MR_TYPE_CLUSTER_VIEW);

  /* The map's place offers a topic or the demo. */
  labels = mr_test_find_widgets (GTK_WIDGET (view), GTK_TYPE_LABEL, TRUE);
  for (guint i = 0; i < labels->len; i++)
    if (g_str_equal (gtk_label_get_label (g_ptr_array_index (labels, i)), "No Topics Yet"))
      empty = g_ptr_array_index (labels, i);
  g_assert_nonnull (empty);
  empty_box = gtk_widget_get_parent (GTK_WIDGET (empty));
  g_assert_true (mr_test_find_label (empty_box, "_Create Topic"));
  g_assert_true (mr_test_find_label (empty_box, "_Start Demo"));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "cluster-view-empty");

  /* Create one through the view's action and its dialog. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "cluster.create-topic", NULL));
  g_assert_true (mr_test_wait_until (dialog_shown_cb, &dialog, WAIT_TIMEOUT_MS));
  mr_test_wait_for_frames (GTK_WIDGET (dialog));
  mr_test_save_screenshot (GTK_WIDGET (dialog), "create-topic-dialog.png");
  adw_message_dialog_response (dialog, "create");

  g_assert_true (mr_test_wait_until (topic_on_map_cb,
                                     mr_cluster_view_get_partition_map (view),
                                     WAIT_TIMEOUT_MS));
  g_assert_false (gtk_widget_get_mapped (empty_box));
}

/* The Failure Lab. */

typedef struct
{
  MrFailureLab *lab;
  guint64       n_acknowledged;
} DemoWait;

static gboolean
demo_counts_cb (gpointer user_data)
{
  DemoWait *wait = user_data;
  MrDemoWorkloadStats stats;

  return mr_failure_lab_get_demo_stats (wait->lab, &stats) &&
         stats.n_acknowledged >= wait->n_acknowledged &&
         stats.n_read > 0 &&
         g_strcmp0 (mr_failure_lab_get_acked_text (wait->lab), "0") != 0 &&
         mr_latency_plot_get_n_samples (mr_failure_lab_get_latency_plot (wait->lab)) > 0;
}

static gboolean
demo_stopped_cb (gpointer user_data)
{
  MrFailureLab *lab = user_data;
  MrDemoWorkloadStats stats;

  return mr_failure_lab_get_demo_stats (lab, &stats) && !stats.running &&
         stats.n_in_flight == 0;
}

static gboolean
chaos_done_cb (gpointer user_data)
{
  MrFailureLab *lab = user_data;

  return g_str_has_prefix (mr_failure_lab_get_chaos_status (lab), "Seed 5: ") &&
         mr_failure_lab_get_chaos_steps_done (lab) > 0;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
test_failure_lab (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GPtrArray) images = NULL;
  GtkScrolledWindow *scroller;
  GtkAdjustment *adjustment;
  MrDemoWorkloadStats stats;
  MrFailureLab *lab;
  int n_marks = 0;
  RoleWait role;
  DemoWait demo;
  CardWait card;
  gint32 leader;

  open_window (fixture, 1280, 900);
  g_assert_true (mr_test_wait_until (all_running_cb, fixture, WAIT_TIMEOUT_MS));

  /* The empty state's offer: the demo workload, which opens the lab. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.start-demo", NULL));
  g_assert_cmpstr (mr_window_get_visible_view (fixture->window), ==, "failure-lab");
  lab = find (fixture, MR_TYPE_FAILURE_LAB);
  mr_failure_lab_set_demo_rate (lab, 2000);

  /* Its counts rise, records come back, and the plot has dots. */
  demo = (DemoWait) { lab, 1000 };
  g_assert_true (mr_test_wait_until (demo_counts_cb, &demo, WAIT_TIMEOUT_MS));
  g_assert_true (mr_failure_lab_get_demo_stats (lab, &stats));
  g_assert_cmpuint (stats.n_failed, ==, 0);
  g_assert_cmpuint (stats.rate, ==, 2000);

  /* Crash the leader of demo-0 with its button: the lab's map shows it
   * offline, then someone else leads, and the workload goes on. */
  role.map = mr_failure_lab_get_partition_map (lab);
  g_assert_true (mr_test_wait_until (topic_on_map_cb, role.map, WAIT_TIMEOUT_MS));
  leader = leader_of (fixture->cluster, "demo", 0);
  click (mr_failure_lab_get_fault_button (lab, leader, MR_LAB_FAULT_CRASH));
  card = (CardWait) { fixture, leader, "Crashed" };
  g_assert_true (mr_test_wait_until (card_shows_cb, &card, 1000));
  role = (RoleWait) { role.map, "demo", 0, leader, MR_REPLICA_ROLE_OFFLINE };
  g_assert_true (mr_test_wait_until (role_shown_cb, &role, 1000));
  g_assert_false (gtk_widget_get_sensitive (mr_failure_lab_get_fault_button (lab, leader,
                                                                            MR_LAB_FAULT_CRASH)));

  demo.n_acknowledged = stats.n_acknowledged + 1000;
  g_assert_true (mr_test_wait_until (demo_counts_cb, &demo, WAIT_TIMEOUT_MS));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "failure-lab");

  /* Heal starts it again; slow and heal on another. */
  click (mr_failure_lab_get_fault_button (lab, leader, MR_LAB_FAULT_HEAL));
  card.state_text = "Running";
  g_assert_true (mr_test_wait_until (card_shows_cb, &card, WAIT_TIMEOUT_MS));
  click (mr_failure_lab_get_fault_button (lab, leader, MR_LAB_FAULT_PAUSE));
  card.state_text = "Paused";
  g_assert_true (mr_test_wait_until (card_shows_cb, &card, WAIT_TIMEOUT_MS));
  click (mr_failure_lab_get_fault_button (lab, leader, MR_LAB_FAULT_HEAL));
  card.state_text = "Running";
  g_assert_true (mr_test_wait_until (card_shows_cb, &card, WAIT_TIMEOUT_MS));

  /* A short chaos run from a seed, applied step by step. */
  mr_failure_lab_run_chaos (lab, 5, 3);
  g_assert_true (mr_test_wait_until (chaos_done_cb, lab, 3 * WAIT_TIMEOUT_MS));
  /* The plan is on screen, a row per step, each marked as applied. */
  images = mr_test_find_widgets (GTK_WIDGET (lab), GTK_TYPE_IMAGE, TRUE);
  for (guint i = 0; i < images->len; i++)
    n_marks += g_strcmp0 (gtk_image_get_icon_name (g_ptr_array_index (images, i)),
                          "object-select-symbolic") == 0;
  g_assert_cmpint (n_marks, ==, mr_failure_lab_get_chaos_steps_done (lab));
  scroller = mr_test_find_widget (GTK_WIDGET (lab), GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "failure-lab-chaos");
  g_assert_true (mr_test_wait_until (all_running_cb, fixture, WAIT_TIMEOUT_MS));

  /* Stop the workload: every record sent is answered. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lab), "lab.toggle-demo", NULL));
  g_assert_true (mr_test_wait_until (demo_stopped_cb, lab, WAIT_TIMEOUT_MS));
  g_assert_true (mr_failure_lab_get_demo_stats (lab, &stats));
  g_assert_cmpuint (stats.n_sent, ==, stats.n_acknowledged + stats.n_failed);
}

/* Preferences. */

static void
assert_setting (GSettings  *settings,
                const char *key,
                const char *expected)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) spins = NULL;
  g_autoptr(GPtrArray) switches = NULL;
  AdwComboRow *style;
  AdwEntryRow *data_dir;
  GtkWidget *window;

  window = mr_preferences_window_new (NULL);
  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  mr_test_wait_for_frames (window);
  mr_preferences_follow_color_scheme (settings);

  /* Brokers, first port, HTTP port; auto-create, power loss. */
  spins = mr_test_find_widgets (window, GTK_TYPE_SPIN_BUTTON, FALSE);
  g_assert_cmpuint (spins->len, ==, 3);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (g_ptr_array_index (spins, 0)), ==,
                   g_settings_get_int (settings, "brokers"));
  gtk_spin_button_set_value (g_ptr_array_index (spins, 0), 5);
  g_assert_cmpint (g_settings_get_int (settings, "brokers"), ==, 5);
  gtk_spin_button_set_value (g_ptr_array_index (spins, 1), 19092);
  g_assert_cmpint (g_settings_get_int (settings, "first-port"), ==, 19092);

  switches = mr_test_find_widgets (window, GTK_TYPE_SWITCH, FALSE);
  g_assert_cmpuint (switches->len, ==, 2);
  g_assert_false (g_settings_get_boolean (settings, "simulate-power-loss"));
  gtk_switch_set_active (g_ptr_array_index (switches, 1), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "simulate-power-loss"));

  /* The directory is written when applied. */
  data_dir = mr_test_find_widget (window, ADW_TYPE_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (data_dir), "  /srv/millrace/lab  ");
  assert_setting (settings, "data-dir", "");
  g_signal_emit_by_name (data_dir, "apply");
  assert_setting (settings, "data-dir", "/srv/millrace/lab");

  mr_test_wait_for_frames (window);
  mr_test_save_screenshot (window, "preferences-light.png");

  /* The style applies at once. */
  style = mr_test_find_widget (window, ADW_TYPE_COMBO_ROW);
  adw_combo_row_set_selected (style, 2);
  assert_setting (settings, "color-scheme", "dark");
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  mr_test_wait_for_frames (window);
  mr_test_save_screenshot (window, "preferences-dark.png");
  adw_combo_row_set_selected (style, 0);
  assert_setting (settings, "color-scheme", "default");

  g_settings_reset (settings, "brokers");
  g_settings_reset (settings, "first-port");
  g_settings_reset (settings, "simulate-power-loss");
  g_settings_reset (settings, "data-dir");
  g_signal_handlers_disconnect_by_data (settings, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The shortcuts window lists the views' keys. */
static void
test_shortcuts (void)
{
  GtkWidget *overlay = GTK_WIDGET (mr_test_load_help_overlay ());

  gtk_window_present (GTK_WINDOW (overlay));
  mr_test_wait_for_frames (overlay);
  g_assert_true (mr_test_find_label (overlay, "Failure Lab"));
  g_assert_true (mr_test_find_label (overlay, "Consumer Groups"));
  g_assert_true (mr_test_find_label (overlay, "New topic"));
  g_assert_true (mr_test_find_label (overlay, "Preferences"));
  mr_test_save_screenshot (overlay, "shortcuts.png");
  gtk_window_destroy (GTK_WINDOW (overlay));
  g_assert_finalize_object (overlay);
}

int
main (int   argc,
      char *argv[])
{
  int exit_status;

  if (!mr_test_ui_init (&argc, &argv, &exit_status))
    return exit_status;

  g_test_add ("/cluster-views/cluster", Fixture, NULL,
              fixture_set_up, test_cluster_view, fixture_tear_down);
  g_test_add ("/cluster-views/cluster-lagging", Fixture, NULL,
              fixture_set_up, test_cluster_view_lagging, fixture_tear_down);
  g_test_add ("/cluster-views/cluster-empty", Fixture, NULL,
              fixture_set_up, test_cluster_view_empty, fixture_tear_down);
  g_test_add ("/cluster-views/failure-lab", Fixture, NULL,
              fixture_set_up, test_failure_lab, fixture_tear_down);
  g_test_add_func ("/cluster-views/preferences", test_preferences);
  g_test_add_func ("/cluster-views/shortcuts", test_shortcuts);

  return g_test_run ();
}
