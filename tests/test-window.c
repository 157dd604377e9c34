/* test-window.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mr-broker-card.h"
#include "mr-test-ui-util.h"
#include "mr-test-util.h"
#include "mr-timeline-item.h"
#include "mr-cluster-view.h"
#include "mr-partition-map.h"
#include "mr-topics-view.h"
#include "mr-window.h"

/* How long a scan or a frame may take before the test gives up. */
#define WAIT_TIMEOUT_MS 10000

typedef struct
{
  char *tmpdir;
} Fixture;

/* The cluster every test reads: "orders" with three partitions and
 * "payments" with one, each partition replicated on brokers 1 to 3. */
#define N_BROKERS            3
#define ORDERS_PARTITIONS    3
#define BATCHES_PER_REPLICA  2
#define DAMAGED_BYTES        100

static guint
records_per_batch (const char *topic,
                   int         partition)
{
  if (g_str_equal (topic, "orders"))
    return 10 + 5 * partition;

  return 7;
}

static gint64
expected_records (const char *topic)
{
  int n_partitions = g_str_equal (topic, "orders") ? ORDERS_PARTITIONS : 1;
  gint64 total = 0;

  for (int p = 0; p < n_partitions; p++)
    total += BATCHES_PER_REPLICA * records_per_batch (topic, p);

  return total;
}

/* Helpers. */

static void
write_replica (const char *cluster_dir,
               int         broker_id,
               const char *topic,
               int         partition)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broker_dir = NULL;
  g_autofree char *dir_name = NULL;
  g_autofree char *dir = NULL;
  MrLogConfig config;
  guint n_records = records_per_batch (topic, partition);

  broker_dir = g_strdup_printf ("broker-%d", broker_id);
  dir_name = g_strdup_printf ("%s-%d", topic, partition);
  dir = g_build_filename (cluster_dir, broker_dir, dir_name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  mr_log_config_init_defaults (&config);
  log = mr_partition_log_open (dir, &config, NULL, MR_LOG_OPEN_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (log);

  for (guint i = 0; i < BATCHES_PER_REPLICA; i++)
    {
      g_autofree guint8 *data = NULL;
      gsize len = 0;

      data = g_bytes_unref_to_data (
        mr_test_build_batch (n_records, 64, i * n_records,
                             1700000000000 + i * n_records,
                             MR_COMPRESSION_NONE),
        &len);
      mr_partition_log_append (log, data, len, -1,
                               MR_APPEND_FLAGS_ASSIGN_OFFSETS, NULL, &error);
      g_assert_no_error (error);
    }

  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
}

/* Leaves bytes after the last batch of one replica, as a crash in the
 * middle of a write would. */
static void
damage_replica (const char *cluster_dir,
                int         broker_id,
                const char *topic,
                int         partition)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *broker_dir = NULL;
  g_autofree char *dir_name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GByteArray) damaged = NULL;
  gsize len = 0;
  guint8 garbage[DAMAGED_BYTES];

  broker_dir = g_strdup_printf ("broker-%d", broker_id);
  dir_name = g_strdup_printf ("%s-%d", topic, partition);
  path = g_build_filename (cluster_dir, broker_dir, dir_name,
                           "00000000000000000000.log", NULL);

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  memset (garbage, 0xa5, sizeof garbage);
  damaged = g_byte_array_new ();
  g_byte_array_append (damaged, (const guint8 *) contents, len);
  g_byte_array_append (damaged, garbage, sizeof garbage);

  g_file_set_contents (path, (const char *) damaged->data, damaged->len, &error);
  g_assert_no_error (error);
}

static void
write_cluster (const char *cluster_dir)
{
  for (int broker_id = 1; broker_id <= N_BROKERS; broker_id++)
    {
      for (int p = 0; p < ORDERS_PARTITIONS; p++)
        write_replica (cluster_dir, broker_id, "orders", p);
      write_replica (cluster_dir, broker_id, "payments", 0);
    }

  /* One replica with a torn tail, for the window to warn about. */
  damage_replica (cluster_dir, 2, "orders", 0);
}

static void
find_icons (GtkWidget  *widget,
            const char *icon_name,
            guint      *n_found)
{
  if (GTK_IS_IMAGE (widget) &&
      g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)), icon_name) == 0)
    (*n_found)++;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_icons (child, icon_name, n_found);
}

static guint
count_icons (GtkWidget  *widget,
             const char *icon_name)
{
  guint n_found = 0;

  find_icons (widget, icon_name, &n_found);

  return n_found;
}

static void
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
}

static void
wait_for_scan (MrWindow *window)
{
  gboolean timed_out = FALSE;
  guint source;

  source = g_timeout_add_once (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);

  while (mr_window_get_loading (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (source);
}

static MrWindow *
open_window (const char *data_dir,
             int         width,
             int         height)
{
  MrWindow *window;

  /* GTK owns a new window; the test keeps a reference of its own so that
   * it can check the window goes away. */
  window = g_object_ref (g_object_new (MR_TYPE_WINDOW,
                                       "data-dir", data_dir,
                                       "default-width", width,
                                       "default-height", height,
                                       NULL));
  gtk_window_present (GTK_WINDOW (window));
  wait_for_scan (window);
  mr_test_wait_for_frames (GTK_WIDGET (window));

  return window;
}

static void
close_window (MrWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static guint
count_partition_rows (GtkWidget *topic_row)
{
  g_autoptr(GPtrArray) rows = mr_test_find_widgets (topic_row, ADW_TYPE_ACTION_ROW, FALSE);
  guint n = 0;

  /* The expander's own header is an action row too: count the replicas. */
  for (guint i = 0; i < rows->len; i++)
    {
      const char *title = adw_preferences_row_get_title (g_ptr_array_index (rows, i));

      if (g_str_has_prefix (title, "Partition "))
        n++;
    }

  return n;
}

/* A topic's row: its name, its subtitle (starting with @counts, then the
 * records written to it), a row per replica and @n_warnings warning icons. */
static void
assert_topic_row (GtkWidget  *row,
                  const char *topic,
                  const char *counts,
                  guint       n_replica_rows,
                  guint       n_warnings)
{
  g_autofree char *records = NULL;
  const char *subtitle;

  records = g_strdup_printf ("%'" G_GINT64_FORMAT " records",
                             expected_records (topic));
  subtitle = adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row));

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, topic);
  g_assert_true (g_str_has_prefix (subtitle, counts));
  g_assert_nonnull (strstr (subtitle, records));
  g_assert_cmpuint (count_partition_rows (row), ==, n_replica_rows);
  g_assert_cmpuint (count_icons (row, "dialog-warning-symbolic"), ==, n_warnings);
}

/* Fixture. */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->tmpdir = mr_test_make_tmpdir ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  mr_test_remove_tree (fixture->tmpdir);
  g_clear_pointer (&fixture->tmpdir, g_free);
}

/* Tests. */

static void
test_window_inventory (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GPtrArray) titles = NULL;
  g_autoptr(GPtrArray) stacks = NULL;
  g_autoptr(GPtrArray) topic_rows = NULL;
  g_autofree char *cluster_dir = NULL;
  const MrLogInventory *inventory;
  AdwWindowTitle *title;
  MrWindow *window;

  cluster_dir = g_build_filename (fixture->tmpdir, "shop", NULL);
  write_cluster (cluster_dir);

  window = open_window (cluster_dir, 960, 720);

  g_assert_cmpstr (mr_window_get_data_dir (window), ==, cluster_dir);
  g_assert_cmpstr (mr_window_get_visible_view (window), ==, "inventory");
  g_assert_null (mr_window_get_error (window));

  inventory = mr_window_get_inventory (window);
  g_assert_nonnull (inventory);
  g_assert_true (inventory->exists);
  g_assert_cmpuint (inventory->n_brokers, ==, N_BROKERS);
  g_assert_cmpuint (inventory->topics->len, ==, 2);

  /* The cluster is named after its directory. */
  titles = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE, TRUE);
  g_assert_cmpuint (titles->len, ==, 1);
  title = g_ptr_array_index (titles, 0);
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "Millrace");
  g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "shop");
  /* No views to switch between without a running cluster. */
  stacks = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, TRUE);
  g_assert_cmpuint (stacks->len, ==, 0);
  g_assert_null (mr_window_get_cluster (window));

  /* One row per topic, sorted, each saying what it holds; the damaged
   * replica is flagged on its own row and on its topic's. */
  topic_rows = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW, FALSE);
  g_assert_cmpuint (topic_rows->len, ==, 2);
  assert_topic_row (g_ptr_array_index (topic_rows, 0), "orders",
                    "3 partitions · 9 replicas · ",
                    ORDERS_PARTITIONS * N_BROKERS, 2);
  assert_topic_row (g_ptr_array_index (topic_rows, 1), "payments",
                    "1 partition · 3 replicas · ",
                    N_BROKERS, 0);

  /* Reloading goes through the window's action and lands on the same view. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.reload", NULL));
  g_assert_true (mr_window_get_loading (window));
  wait_for_scan (window);
  g_assert_cmpstr (mr_window_get_visible_view (window), ==, "inventory");
  g_clear_pointer (&topic_rows, g_ptr_array_unref);
  topic_rows = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW, FALSE);
  g_assert_cmpuint (topic_rows->len, ==, 2);

  /* Pictures for people: the first topic opened, light and dark. */
  adw_expander_row_set_expanded (g_ptr_array_index (topic_rows, 0), TRUE);
  mr_test_wait_for_frames (GTK_WIDGET (window));
  mr_test_save_screenshot (GTK_WIDGET (window), "window-light.png");
  mr_test_set_dark (TRUE);
  mr_test_wait_for_frames (GTK_WIDGET (window));
  mr_test_save_screenshot (GTK_WIDGET (window), "window-dark.png");
  mr_test_set_dark (FALSE);

  g_clear_pointer (&topic_rows, g_ptr_array_unref);
  g_clear_pointer (&titles, g_ptr_array_unref);
  close_window (window);
}

static void
test_window_narrow (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GPtrArray) topic_rows = NULL;
  g_autofree char *cluster_dir = NULL;
  MrWindow *window;

  cluster_dir = g_build_filename (fixture->tmpdir, "shop", NULL);
  write_cluster (cluster_dir);

  window = open_window (cluster_dir, 360, 720);

  g_assert_cmpstr (mr_window_get_visible_view (window), ==, "inventory");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  topic_rows = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW, FALSE);
  g_assert_cmpuint (topic_rows->len, ==, 2);
  adw_expander_row_set_expanded (g_ptr_array_index (topic_rows, 0), TRUE);
  g_clear_pointer (&topic_rows, g_ptr_array_unref);

  mr_test_wait_for_frames (GTK_WIDGET (window));
  mr_test_save_screenshot (GTK_WIDGET (window), "window-narrow-light.png");
  mr_test_set_dark (TRUE);
  mr_test_wait_for_frames (GTK_WIDGET (window));
  mr_test_save_screenshot (GTK_WIDGET (window), "window-narrow-dark.png");
  mr_test_set_dark (FALSE);

  close_window (window);
}

static void
test_window_empty (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GPtrArray) topic_rows = NULL;
  MrWindow *window;

  window = open_window (fixture->tmpdir, 960, 720);

  g_assert_cmpstr (mr_window_get_visible_view (window), ==, "empty");
  g_assert_nonnull (mr_window_get_inventory (window));
  g_assert_true (mr_window_get_inventory (window)->exists);
  g_assert_cmpuint (mr_window_get_inventory (window)->topics->len, ==, 0);

  topic_rows = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW, FALSE);
  g_assert_cmpuint (topic_rows->len, ==, 0);

  mr_test_save_screenshot (GTK_WIDGET (window), "window-empty.png");

  close_window (window);
}

static void
test_window_missing (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *cluster_dir = NULL;
  MrWindow *window;

  cluster_dir = g_build_filename (fixture->tmpdir, "not-there-yet", NULL);
  window = open_window (cluster_dir, 960, 720);

  g_assert_cmpstr (mr_window_get_visible_view (window), ==, "empty");
  g_assert_nonnull (mr_window_get_inventory (window));
  g_assert_false (mr_window_get_inventory (window)->exists);
  g_assert_null (mr_window_get_error (window));

  /* Looking changes nothing on disk. */
  g_assert_false (g_file_test (cluster_dir, G_FILE_TEST_EXISTS));

  close_window (window);
}

static void
test_window_unreadable (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *cluster_dir = NULL;
  MrWindow *window;

  if (geteuid () == 0)
    {
      g_test_skip ("root reads any directory");
      return;
    }

  cluster_dir = g_build_filename (fixture->tmpdir, "locked", NULL);
  write_cluster (cluster_dir);
  g_assert_cmpint (g_chmod (cluster_dir, 0), ==, 0);

  window = open_window (cluster_dir, 360, 720);

  g_assert_cmpstr (mr_window_get_visible_view (window), ==, "error");
  g_assert_nonnull (mr_window_get_error (window));
  g_assert_null (mr_window_get_inventory (window));

  mr_test_save_screenshot (GTK_WIDGET (window), "window-error.png");

  close_window (window);

  g_assert_cmpint (g_chmod (cluster_dir, 0700), ==, 0);
}

/* A running cluster. */

/* Fast failure detection, as in test-cluster.c, so that elections follow a
 * crash within half a second. */
#define LIVE_SESSION_TIMEOUT_MS 400

typedef struct
{
  char      *tmpdir;
  char      *cluster_dir;
  MrCluster *cluster;
} LiveFixture;

static MrCluster *
open_cluster (const char *dir)
{
  g_autoptr(GError) error = NULL;
  MrClusterOptions options;
  MrCluster *cluster;

  mr_test_cluster_options_init (&options, dir, N_BROKERS);
  options.broker_session_timeout_ms = LIVE_SESSION_TIMEOUT_MS;
  cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  return cluster;
}

static void
live_fixture_set_up (LiveFixture   *fixture,
                     gconstpointer  user_data)
{
  fixture->tmpdir = mr_test_make_tmpdir ();
  fixture->cluster_dir = g_build_filename (fixture->tmpdir, "lab", NULL);
  fixture->cluster = open_cluster (fixture->cluster_dir);
}

static void
live_fixture_tear_down (LiveFixture   *fixture,
                        gconstpointer  user_data)
{
  /* A refresh still in a worker holds a reference of its own: stop the
   * brokers now, so that nothing writes while the tree goes. */
  mr_cluster_shutdown (fixture->cluster);
  g_clear_pointer (&fixture->cluster, mr_cluster_unref);
  mr_test_remove_tree (fixture->tmpdir);
  g_clear_pointer (&fixture->cluster_dir, g_free);
  g_clear_pointer (&fixture->tmpdir, g_free);
}

static MrWindow *
open_live_window (LiveFixture *fixture,
                  int          width,
                  int          height)
{
  MrWindow *window;

  /* GTK owns a new window; the test keeps a reference of its own so that
   * it can check the window goes away. */
  window = g_object_ref (MR_WINDOW (mr_window_new (NULL, fixture->cluster_dir,
                                                   fixture->cluster)));
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

/* The Cluster view's partition map (the Failure Lab has one too). */
static MrPartitionMap *
find_map (MrWindow *window)
{
  g_autoptr(GPtrArray) maps = mr_test_find_widgets (GTK_WIDGET (window), MR_TYPE_PARTITION_MAP, FALSE);

  for (guint i = 0; i < maps->len; i++)
    if (gtk_widget_get_ancestor (g_ptr_array_index (maps, i), MR_TYPE_CLUSTER_VIEW) != NULL)
      return g_ptr_array_index (maps, i);

  return NULL;
}

static MrTopicsView *
find_topics_view (MrWindow *window)
{
  g_autoptr(GPtrArray) views = mr_test_find_widgets (GTK_WIDGET (window), MR_TYPE_TOPICS_VIEW, FALSE);

  g_assert_cmpuint (views->len, ==, 1);

  return g_ptr_array_index (views, 0);
}

/* The leader the map draws for a partition, -1 for none. */
static gint32
leader_shown (MrWindow   *window,
              const char *topic,
              guint       partition)
{
  MrPartitionMap *map = find_map (window);

  for (gint32 id = 1; map != NULL && id <= N_BROKERS; id++)
    if (mr_partition_map_get_role (map, topic, (gint32) partition, id, NULL) == MR_REPLICA_ROLE_LEADER)
      return id;

  return -1;
}

static gboolean
in_sync_shown (MrWindow   *window,
               const char *topic,
               guint       partition,
               gint32      broker_id)
{
  MrReplicaRole role = mr_partition_map_get_role (find_map (window), topic, (gint32) partition,
                                                  broker_id, NULL);

  return role == MR_REPLICA_ROLE_LEADER || role == MR_REPLICA_ROLE_IN_SYNC;
}

/* Whether every replica of @topic the map draws is the leader or in sync. */
static gboolean
all_in_sync_shown (MrWindow   *window,
                   const char *topic,
                   guint       n_partitions)
{
  MrPartitionMap *map = find_map (window);

  for (guint p = 0; map != NULL && p < n_partitions; p++)
    for (gint32 id = 1; id <= N_BROKERS; id++)
      {
        MrReplicaRole role = mr_partition_map_get_role (map, topic, (gint32) p, id, NULL);

        if (role == MR_REPLICA_ROLE_LAGGING || role == MR_REPLICA_ROLE_OFFLINE)
          return FALSE;
      }

  return map != NULL && leader_shown (window, topic, 0) > 0;
}

typedef struct
{
  MrWindow   *window;
  gint32      broker_id;
  const char *state_text;
} CardWait;

static gboolean
card_shows_cb (gpointer user_data)
{
  CardWait *wait = user_data;
  MrBrokerCard *card = mr_test_find_broker_card (GTK_WIDGET (wait->window), wait->broker_id);

  return card != NULL &&
         g_strcmp0 (mr_broker_card_get_state_text (card), wait->state_text) == 0 &&
         mr_test_find_label (GTK_WIDGET (card), wait->state_text);
}

static gboolean
cluster_shown_cb (gpointer user_data)
{
  MrWindow *window = user_data;
  MrPartitionMap *map = find_map (window);

  return mr_test_brokers_running (GTK_WIDGET (window), N_BROKERS) &&
         map != NULL &&
         mr_partition_map_get_n_partitions (map) == ORDERS_PARTITIONS + 1 &&
         all_in_sync_shown (window, "orders", ORDERS_PARTITIONS) &&
         all_in_sync_shown (window, "payments", 1);
}

static gboolean
timeline_shows_crash_cb (gpointer user_data)
{
  MrWindow *window = user_data;
  g_autoptr(GPtrArray) lists = mr_test_find_widgets (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, FALSE);

  for (guint i = 0; i < lists->len; i++)
    {
      GtkSelectionModel *selection = gtk_list_view_get_model (g_ptr_array_index (lists, i));
      GListModel *model;

      if (!GTK_IS_NO_SELECTION (selection))
        continue;
      model = gtk_no_selection_get_model (GTK_NO_SELECTION (selection));
      /* Filtered and sliced models say G_TYPE_OBJECT: look at an item. */
      if (g_list_model_get_n_items (model) > 0)
        {
          g_autoptr(GObject) first = g_list_model_get_item (model, 0);

          if (!MR_IS_TIMELINE_ITEM (first))
            continue;
        }

      /* The crash is in the model, and on screen as a row. */
      for (guint pos = 0; pos < g_list_model_get_n_items (model); pos++)
        {
          g_autoptr(MrTimelineItem) item = g_list_model_get_item (model, pos);

          if (g_str_has_prefix (mr_timeline_item_get_summary (item), "Broker 2 crashed"))
            return mr_test_find_label (g_ptr_array_index (lists, i),
                                           "Broker 2 crashed");
        }
    }

  return FALSE;
}

/* Every partition of “orders” led by a broker other than 2, and broker 2
 * out of every ISR. */
static gboolean
failed_over_cb (gpointer user_data)
{
  MrWindow *window = user_data;

  for (guint p = 0; p < ORDERS_PARTITIONS; p++)
    {
      gint32 leader = leader_shown (window, "orders", p);

      if (leader < 1 || leader == 2 ||
          mr_partition_map_get_role (find_map (window), "orders", (gint32) p, 2, NULL)
            != MR_REPLICA_ROLE_OFFLINE)
        return FALSE;
    }

  return TRUE;
}

static gboolean
caught_up_cb (gpointer user_data)
{
  return all_in_sync_shown (user_data, "orders", ORDERS_PARTITIONS);
}

static gboolean
toast_shown_cb (gpointer user_data)
{
  MrWindow *window = user_data;

  return mr_test_find_label (GTK_WIDGET (window), "Broker 1 could not be resumed");
}

/* The window's view stack, not the ones inside its views. */
static AdwViewStack *
find_view_stack (MrWindow *window)
{
  g_autoptr(GPtrArray) stacks = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, FALSE);
  AdwViewStack *found = NULL;

  for (guint i = 0; i < stacks->len; i++)
    if (gtk_widget_get_ancestor (gtk_widget_get_parent (g_ptr_array_index (stacks, i)),
                                 ADW_TYPE_VIEW_STACK) == NULL)
      {
        g_assert_null (found);
        found = g_ptr_array_index (stacks, i);
      }
  g_assert_nonnull (found);

  return found;
}

static void
show_page (MrWindow   *window,
           const char *name)
{
  adw_view_stack_set_visible_child_name (find_view_stack (window), name);
  g_assert_cmpstr (mr_window_get_visible_view (window), ==, name);
}

/* Both pages, light and dark, with the first topic opened. */
static void
save_live_screenshots (MrWindow   *window,
                       const char *prefix,
                       const char *first_topic)
{
  /* The Topics page with a topic open. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_topics_view (window)),
                                             "topics.select", "s", first_topic));

  for (guint dark = 0; dark <= 1; dark++)
    {
      g_autofree char *cluster_png = NULL;
      g_autofree char *topics_png = NULL;

      cluster_png = g_strdup_printf ("%s-cluster-%s.png", prefix, dark ? "dark" : "light");
      topics_png = g_strdup_printf ("%s-topics-%s.png", prefix, dark ? "dark" : "light");

      mr_test_set_dark (dark);

      show_page (window, "cluster");
      mr_test_wait_for_frames (GTK_WIDGET (window));
      mr_test_save_screenshot (GTK_WIDGET (window), cluster_png);

      show_page (window, "topics");
      mr_test_wait_for_frames (GTK_WIDGET (window));
      mr_test_save_screenshot (GTK_WIDGET (window), topics_png);
    }

  mr_test_set_dark (FALSE);
  show_page (window, "cluster");
}

static gboolean
topics_listed_cb (gpointer user_data)
{
  MrTopicsView *view = find_topics_view (user_data);

  return mr_test_find_label (GTK_WIDGET (view), "orders") &&
         mr_test_find_label (GTK_WIDGET (view), "payments");
}

static void
test_window_live (LiveFixture   *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GPtrArray) titles = NULL;
  AdwWindowTitle *title;
  MrWindow *window;
  CardWait wait;
  guint n_controllers = 0;
  guint n_titles_seen = 0;

  mr_test_create_topic (fixture->cluster, "orders", ORDERS_PARTITIONS, N_BROKERS);
  mr_test_create_topic (fixture->cluster, "payments", 1, N_BROKERS);
  for (gint32 p = 0; p < ORDERS_PARTITIONS; p++)
    mr_test_produce (fixture->cluster, "orders", p, 250 + 125 * p, 64, -1);
  mr_test_produce (fixture->cluster, "payments", 0, 40, 64, -1);

  window = open_live_window (fixture, 1100, 820);

  g_assert_true (mr_window_get_cluster (window) == fixture->cluster);
  g_assert_cmpstr (mr_window_get_data_dir (window), ==, fixture->cluster_dir);
  g_assert_null (mr_window_get_inventory (window));
  g_assert_cmpstr (mr_window_get_visible_view (window), ==, "cluster");

  /* The title names Millrace and the cluster; the sidebar lists the views
   * beside the one shown. */
  mr_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "lab — Millrace");
  titles = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE, TRUE);
  g_assert_cmpuint (titles->len, ==, 2);
  for (guint i = 0; i < titles->len; i++)
    {
      title = g_ptr_array_index (titles, i);
      g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "lab");
      n_titles_seen += g_str_equal (adw_window_title_get_title (title), "Millrace");
      n_titles_seen += 2 * g_str_equal (adw_window_title_get_title (title), "Cluster");
    }
  /* The sidebar's “Millrace” and the view's “Cluster”. */
  g_assert_cmpuint (n_titles_seen, ==, 3);
  g_assert_true (mr_test_find_label (GTK_WIDGET (window), "Failure Lab"));

  /* Three running brokers, one of them the controller, and both topics. */
  g_assert_true (mr_test_wait_until (cluster_shown_cb, window, WAIT_TIMEOUT_MS));
  for (gint32 id = 1; id <= N_BROKERS; id++)
    {
      MrBrokerCard *card = mr_test_find_broker_card (GTK_WIDGET (window), id);

      g_assert_cmpstr (mr_broker_card_get_state_text (card), ==, "Running");
      n_controllers += mr_broker_card_get_controller (card);
    }
  g_assert_cmpuint (n_controllers, ==, 1);

  for (guint p = 0; p < ORDERS_PARTITIONS; p++)
    {
      g_assert_cmpint (leader_shown (window, "orders", p), >=, 1);
      g_assert_true (in_sync_shown (window, "orders", p, 2));
    }
  /* The Topics page lists both. */
  show_page (window, "topics");
  g_assert_true (mr_test_wait_until (topics_listed_cb, window, WAIT_TIMEOUT_MS));
  show_page (window, "cluster");

  /* Crash broker 2 through the window's action: its card says so at once,
   * and the timeline has the event. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "broker.crash", "i", 2));
  wait = (CardWait) { window, 2, "Crashed" };
  g_assert_true (mr_test_wait_until (card_shows_cb, &wait, 2000));
  g_assert_cmpint (mr_broker_card_get_state (mr_test_find_broker_card (GTK_WIDGET (window), 2)),
                   ==, MR_BROKER_STATE_CRASHED);
  g_assert_true (mr_test_wait_until (timeline_shows_crash_cb, window, 2000));

  /* After the session timeout the controller moves the leaderships off the
   * dead broker and out of the ISR, and the rows say so. */
  g_assert_true (mr_test_wait_until (failed_over_cb, window, 10 * LIVE_SESSION_TIMEOUT_MS));

  save_live_screenshots (window, "live-cluster", "orders");
  close_window (window);

  /* The same cluster at phone width: the views switch at the bottom. */
  window = open_live_window (fixture, 360, 720);
  wait = (CardWait) { window, 2, "Crashed" };
  g_assert_true (mr_test_wait_until (card_shows_cb, &wait, WAIT_TIMEOUT_MS));
  g_assert_true (mr_test_wait_until (failed_over_cb, window, WAIT_TIMEOUT_MS));
  mr_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);
  save_live_screenshots (window, "live-cluster-narrow", "orders");

  /* Start it again: running, and back in sync. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "broker.start", "i", 2));
  wait = (CardWait) { window, 2, "Running" };
  g_assert_true (mr_test_wait_until (card_shows_cb, &wait, WAIT_TIMEOUT_MS));
  g_assert_true (mr_test_wait_until (caught_up_cb, window, WAIT_TIMEOUT_MS));

  /* A fault that makes no sense is refused with a toast. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "broker.resume", "i", 1));
  g_assert_true (mr_test_wait_until (toast_shown_cb, window, WAIT_TIMEOUT_MS));
  g_assert_cmpint (mr_broker_card_get_state (mr_test_find_broker_card (GTK_WIDGET (window), 1)),
                   ==, MR_BROKER_STATE_RUNNING);

  g_clear_pointer (&titles, g_ptr_array_unref);
  close_window (window);
}

static gboolean
brokers_shown_cb (gpointer user_data)
{
  return mr_test_brokers_running (user_data, N_BROKERS);
}

static gboolean
empty_topics_shown_cb (gpointer user_data)
{
  g_autoptr(GPtrArray) status_pages = mr_test_find_widgets (user_data, ADW_TYPE_STATUS_PAGE, FALSE);

  for (guint i = 0; i < status_pages->len; i++)
    if (gtk_widget_get_mapped (g_ptr_array_index (status_pages, i)) &&
        g_strcmp0 (adw_status_page_get_title (g_ptr_array_index (status_pages, i)),
                   "No Topics Yet") == 0)
      return TRUE;

  return FALSE;
}

static void
test_window_live_empty (LiveFixture   *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GPtrArray) status_pages = NULL;
  AdwStatusPage *empty = NULL;
  MrWindow *window;

  window = open_live_window (fixture, 960, 720);
  g_assert_true (mr_test_wait_until (brokers_shown_cb, window, WAIT_TIMEOUT_MS));

  /* No topics: the page says how to make one, once it has looked. */
  show_page (window, "topics");
  g_assert_true (mr_test_wait_until (empty_topics_shown_cb, window, WAIT_TIMEOUT_MS));

  status_pages = mr_test_find_widgets (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, FALSE);
  for (guint i = 0; i < status_pages->len; i++)
    if (gtk_widget_get_mapped (g_ptr_array_index (status_pages, i)))
      empty = g_ptr_array_index (status_pages, i);
  g_assert_nonnull (empty);
  g_assert_cmpstr (adw_status_page_get_title (empty), ==, "No Topics Yet");
  /* It offers to create one. */
  g_assert_true (mr_test_find_label (GTK_WIDGET (empty), "_Create Topic…"));

  mr_test_wait_for_frames (GTK_WIDGET (window));
  mr_test_save_screenshot (GTK_WIDGET (window), "live-empty-topics-light.png");
  mr_test_set_dark (TRUE);
  mr_test_wait_for_frames (GTK_WIDGET (window));
  mr_test_save_screenshot (GTK_WIDGET (window), "live-empty-topics-dark.png");
  mr_test_set_dark (FALSE);

  g_clear_pointer (&status_pages, g_ptr_array_unref);
  close_window (window);
}

typedef struct
{
  MrWindow   *window;
  const char *topic;
  gint32      broker_id;
} OfflineWait;

static gboolean
topic_offline_cb (gpointer user_data)
{
  OfflineWait *wait = user_data;
  MrPartitionMap *map = find_map (wait->window);

  return map != NULL &&
         leader_shown (wait->window, wait->topic, 0) == -1 &&
         mr_partition_map_get_role (map, wait->topic, 0, wait->broker_id, NULL)
           == MR_REPLICA_ROLE_OFFLINE;
}

typedef struct
{
  MrWindow *window;
  gint32    broker_id;
  gboolean  slowed;
} LatencyWait;

static gboolean
latency_shown_cb (gpointer user_data)
{
  LatencyWait *wait = user_data;
  MrBrokerCard *card = mr_test_find_broker_card (GTK_WIDGET (wait->window), wait->broker_id);

  return card != NULL &&
         mr_test_find_label (GTK_WIDGET (card), "Slowed: 250 ms") == wait->slowed;
}

static void
activate_and_wait (MrWindow   *window,
                   const char *action,
                   gint32      broker_id,
                   const char *state_text)
{
  CardWait wait = { window, broker_id, state_text };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, "i", broker_id));
  g_assert_true (mr_test_wait_until (card_shows_cb, &wait, WAIT_TIMEOUT_MS));
}

/* Every fault on the cards, and a partition with no replica left. */
static void
test_window_live_faults (LiveFixture   *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(MrTopicInfo) audit = NULL;
  g_autoptr(GError) error = NULL;
  OfflineWait offline;
  LatencyWait latency;
  MrWindow *window;
  gint32 lonely;
  gint32 paused;
  gint32 slowed;

  mr_test_create_topic (fixture->cluster, "orders", ORDERS_PARTITIONS, N_BROKERS);
  mr_cluster_create_topic (fixture->cluster, "audit", 1, 1, NULL, FALSE, &error);
  g_assert_no_error (error);
  mr_test_produce (fixture->cluster, "audit", 0, 12, 64, -1);

  /* The one broker that holds “audit”, and the two others. */
  audit = mr_cluster_describe_topic (fixture->cluster, "audit", &error);
  g_assert_no_error (error);
  lonely = g_array_index (((MrPartitionInfo *) g_ptr_array_index (audit->partitions, 0))->replicas,
                          gint32, 0);
  paused = lonely % N_BROKERS + 1;
  slowed = paused % N_BROKERS + 1;

  window = open_live_window (fixture, 1100, 820);
  g_assert_true (mr_test_wait_until (brokers_shown_cb, window, WAIT_TIMEOUT_MS));

  /* Crash the only replica of “audit”: after the session timeout it has no
   * leader, and its row turns to an error. */
  activate_and_wait (window, "broker.crash", lonely, "Crashed");
  offline = (OfflineWait) { window, "audit", lonely };
  g_assert_true (mr_test_wait_until (topic_offline_cb, &offline, WAIT_TIMEOUT_MS));

  /* Pause one, slow the other: its card tells how much. */
  activate_and_wait (window, "broker.pause", paused, "Paused");
  mr_cluster_broker_action (fixture->cluster, slowed, MR_BROKER_ACTION_SLOW, 250, &error);
  g_assert_no_error (error);
  latency = (LatencyWait) { window, slowed, TRUE };
  g_assert_true (mr_test_wait_until (latency_shown_cb, &latency, WAIT_TIMEOUT_MS));

  save_live_screenshots (window, "live-faults", "audit");

  /* And back. */
  activate_and_wait (window, "broker.resume", paused, "Running");
  activate_and_wait (window, "broker.heal", slowed, "Running");
  latency.slowed = FALSE;
  g_assert_true (mr_test_wait_until (latency_shown_cb, &latency, WAIT_TIMEOUT_MS));

  activate_and_wait (window, "broker.isolate", paused, "Isolated");
  activate_and_wait (window, "broker.heal", paused, "Running");
  activate_and_wait (window, "broker.stop", paused, "Stopped");
  activate_and_wait (window, "broker.start", paused, "Running");
  activate_and_wait (window, "broker.start", lonely, "Running");

  close_window (window);
}

static void
test_help_overlay (void)
{
  /* GtkApplication loads it by name; it must parse and hold the window. */
  GtkWindow *overlay = mr_test_load_help_overlay ();

  gtk_window_destroy (overlay);
  g_assert_finalize_object (overlay);
}

int
main (int   argc,
      char *argv[])
{
  int exit_status;

  if (!mr_test_ui_init (&argc, &argv, &exit_status))
    return exit_status;

  g_test_add ("/window/inventory", Fixture, NULL,
              fixture_set_up, test_window_inventory, fixture_tear_down);
  g_test_add ("/window/narrow", Fixture, NULL,
              fixture_set_up, test_window_narrow, fixture_tear_down);
  g_test_add ("/window/empty", Fixture, NULL,
              fixture_set_up, test_window_empty, fixture_tear_down);
  g_test_add ("/window/missing", Fixture, NULL,
              fixture_set_up, test_window_missing, fixture_tear_down);
  g_test_add ("/window/unreadable", Fixture, NULL,
              fixture_set_up, test_window_unreadable, fixture_tear_down);
  g_test_add ("/window/live", LiveFixture, NULL,
              live_fixture_set_up, test_window_live, live_fixture_tear_down);
  g_test_add ("/window/live-faults", LiveFixture, NULL,
              live_fixture_set_up, test_window_live_faults, live_fixture_tear_down);
  g_test_add ("/window/live-empty", LiveFixture, NULL,
              live_fixture_set_up, test_window_live_empty, live_fixture_tear_down);
  g_test_add_func ("/window/help-overlay", test_help_overlay);

  return g_test_run ();
}
