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

#include "mr-test-util.h"
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

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  guint *n_frames = user_data;

  (*n_frames)++;

  return G_SOURCE_CONTINUE;
}

/* Iterates until the window has drawn a few frames at its current size. */
static void
wait_for_frames (GtkWidget *widget)
{
  gboolean timed_out = FALSE;
  guint n_frames = 0;
  guint tick;
  guint source;

  source = g_timeout_add_once (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);
  tick = gtk_widget_add_tick_callback (widget, tick_cb, &n_frames, NULL);
  gtk_widget_queue_draw (widget);

  while (n_frames < 3 && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  gtk_widget_remove_tick_callback (widget, tick);
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
  wait_for_frames (GTK_WIDGET (window));

  return window;
}

static void
close_window (MrWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
collect_widgets (GtkWidget  *widget,
                 GType       type,
                 GPtrArray  *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, type, found);
}

static GPtrArray *
find_widgets (MrWindow *window,
              GType     type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (window), type, found);

  return found;
}

static guint
count_partition_rows (GtkWidget *topic_row)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint n = 0;

  /* The expander's own header is an action row too: count the replicas. */
  collect_widgets (topic_row, ADW_TYPE_ACTION_ROW, rows);
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

static void
save_screenshot (GtkWidget  *widget,
                 const char *file_name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  path = mr_test_dup_artifact_path (file_name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s", path);
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_DEFAULT);
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
  titles = find_widgets (window, ADW_TYPE_WINDOW_TITLE);
  g_assert_cmpuint (titles->len, ==, 1);
  title = g_ptr_array_index (titles, 0);
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "Millrace");
  g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "shop");

  /* One row per topic, sorted, each saying what it holds; the damaged
   * replica is flagged on its own row and on its topic's. */
  topic_rows = find_widgets (window, ADW_TYPE_EXPANDER_ROW);
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
  topic_rows = find_widgets (window, ADW_TYPE_EXPANDER_ROW);
  g_assert_cmpuint (topic_rows->len, ==, 2);

  /* Pictures for people: the first topic opened, light and dark. */
  adw_expander_row_set_expanded (g_ptr_array_index (topic_rows, 0), TRUE);
  wait_for_frames (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "window-light.png");
  set_dark (TRUE);
  wait_for_frames (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "window-dark.png");
  set_dark (FALSE);

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

  topic_rows = find_widgets (window, ADW_TYPE_EXPANDER_ROW);
  g_assert_cmpuint (topic_rows->len, ==, 2);
  adw_expander_row_set_expanded (g_ptr_array_index (topic_rows, 0), TRUE);
  g_clear_pointer (&topic_rows, g_ptr_array_unref);

  wait_for_frames (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "window-narrow-light.png");
  set_dark (TRUE);
  wait_for_frames (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "window-narrow-dark.png");
  set_dark (FALSE);

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

  topic_rows = find_widgets (window, ADW_TYPE_EXPANDER_ROW);
  g_assert_cmpuint (topic_rows->len, ==, 0);

  save_screenshot (GTK_WIDGET (window), "window-empty.png");

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

  save_screenshot (GTK_WIDGET (window), "window-error.png");

  close_window (window);

  g_assert_cmpint (g_chmod (cluster_dir, 0700), ==, 0);
}

static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *overlay;

  /* GtkApplication loads it by name; it must parse and hold the window. */
  builder = gtk_builder_new_from_resource (APP_BASE_PATH "/gtk/help-overlay.ui");
  overlay = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));

  g_object_ref (overlay);
  g_clear_object (&builder);
  gtk_window_destroy (overlay);
  g_assert_finalize_object (overlay);
}

static void
setup_resources (void)
{
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  /* What AdwApplication and GtkApplication do for the real application:
   * the stylesheet and the icons from the resource base path. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, APP_BASE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (display,
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    APP_BASE_PATH "/icons");

  /* Settle at once instead of animating. */
  g_object_set (gtk_settings_get_for_display (display),
                "gtk-enable-animations", FALSE,
                NULL);
}

int
main (int   argc,
      char *argv[])
{
  gboolean tap = FALSE;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--tap"))
      tap = TRUE;

  /* The AT-SPI backend wants a session bus, which a test has no need of;
   * the test backend keeps the accessibility tree without one. */
  g_setenv ("GTK_A11Y", "test", FALSE);

  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      /* A TAP harness reads the plan; others read the automake code. */
      g_print ("1..0 # SKIP no display\n");
      return tap ? 0 : 77;
    }

  adw_init ();
  setup_resources ();

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
  g_test_add_func ("/window/help-overlay", test_help_overlay);

  return g_test_run ();
}
