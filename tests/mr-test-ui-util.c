/* mr-test-ui-util.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "mr-test-ui-util.h"

#include <string.h>

#include "mr-test-util.h"

#define FRAMES_TIMEOUT_MS 10000

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
mr_test_wait_until (MrTestWaitFunc func,
                    gpointer       user_data,
                    guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean done;
  guint wake;

  /* Look again at least every 20 ms, whatever else runs. */
  wake = g_timeout_add (20, wake_cb, NULL);

  while (!(done = func (user_data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);

  return done;
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

static gboolean
three_frames_cb (gpointer user_data)
{
  return *(guint *) user_data >= 3;
}

void
mr_test_wait_for_frames (GtkWidget *widget)
{
  guint n_frames = 0;
  guint tick;

  tick = gtk_widget_add_tick_callback (widget, tick_cb, &n_frames, NULL);
  gtk_widget_queue_draw (widget);
  g_assert_true (mr_test_wait_until (three_frames_cb, &n_frames, FRAMES_TIMEOUT_MS));
  gtk_widget_remove_tick_callback (widget, tick);
}

static void
collect (GtkWidget *widget,
         GType      type,
         gboolean   mapped,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (!mapped || gtk_widget_get_mapped (widget)))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, mapped, found);
}

GPtrArray *
mr_test_find_widgets (GtkWidget *widget,
                      GType      type,
                      gboolean   mapped)
{
  GPtrArray *found = g_ptr_array_new ();

  collect (widget, type, mapped, found);

  return found;
}

gpointer
mr_test_find_widget (GtkWidget *widget,
                     GType      type)
{
  g_autoptr(GPtrArray) found = mr_test_find_widgets (widget, type, FALSE);

  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

gboolean
mr_test_find_label (GtkWidget  *widget,
                    const char *prefix)
{
  if (GTK_IS_LABEL (widget) &&
      gtk_widget_get_mapped (widget) &&
      g_str_has_prefix (gtk_label_get_label (GTK_LABEL (widget)), prefix))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (mr_test_find_label (child, prefix))
      return TRUE;

  return FALSE;
}

void
mr_test_save_screenshot (GtkWidget  *widget,
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

void
mr_test_set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_DEFAULT);
}

void
mr_test_save_screenshots (GtkWidget  *widget,
                          const char *prefix)
{
  for (guint dark = 0; dark <= 1; dark++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%s.png", prefix, dark ? "dark" : "light");

      mr_test_set_dark (dark);
      mr_test_wait_for_frames (widget);
      mr_test_save_screenshot (widget, name);
    }
  mr_test_set_dark (FALSE);
}

MrBrokerCard *
mr_test_find_broker_card (GtkWidget *widget,
                          gint32     broker_id)
{
  g_autoptr(GPtrArray) cards = mr_test_find_widgets (widget, MR_TYPE_BROKER_CARD, FALSE);

  for (guint i = 0; i < cards->len; i++)
    if (mr_broker_card_get_broker_id (g_ptr_array_index (cards, i)) == broker_id)
      return g_ptr_array_index (cards, i);

  return NULL;
}

gboolean
mr_test_brokers_running (GtkWidget *widget,
                         gint32     n_brokers)
{
  for (gint32 id = 1; id <= n_brokers; id++)
    {
      MrBrokerCard *card = mr_test_find_broker_card (widget, id);

      if (card == NULL || mr_broker_card_get_state (card) != MR_BROKER_STATE_RUNNING)
        return FALSE;
    }

  return TRUE;
}

MrWindow *
mr_test_open_window (MrCluster *cluster,
                     int        width,
                     int        height)
{
  /* GTK owns a new window; the test's own reference lets it check that
   * the window goes away. */
  MrWindow *window = g_object_ref (MR_WINDOW (mr_window_new (NULL, NULL, cluster)));

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

void
mr_test_close_window (MrWindow **window)
{
  if (*window == NULL)
    return;

  gtk_window_destroy (GTK_WINDOW (*window));
  g_assert_finalize_object (g_steal_pointer (window));
}

GtkWindow *
mr_test_load_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GObject *overlay;

  builder = gtk_builder_new_from_resource (APP_BASE_PATH "/gtk/help-overlay.ui");
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));

  return GTK_WINDOW (g_object_ref (overlay));
}

void
mr_test_create_topic (MrCluster  *cluster,
                      const char *name,
                      gint32      n_partitions,
                      gint32      replication_factor)
{
  g_autoptr(GError) error = NULL;

  mr_cluster_create_topic (cluster, name, n_partitions, replication_factor, NULL,
                           FALSE, &error);
  g_assert_no_error (error);
}

void
mr_test_produce (MrCluster  *cluster,
                 const char *topic,
                 gint32      partition,
                 guint       n_records,
                 guint       value_size,
                 gint16      acks)
{
  g_auto(MrProduceResult) result = { 0, };
  guint8 *batch;
  gsize len = 0;

  batch = g_bytes_unref_to_data (mr_test_build_batch (n_records, value_size, 0,
                                                      g_get_real_time () / 1000,
                                                      MR_COMPRESSION_NONE),
                                 &len);
  mr_cluster_produce (cluster, -1, topic, partition, batch, len, acks, 5000, &result);
  g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
}

void
mr_test_setup_ui_resources (void)
{
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, APP_BASE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (display,
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    APP_BASE_PATH "/icons");

  g_object_set (gtk_settings_get_for_display (display),
                "gtk-enable-animations", FALSE,
                NULL);
}

gboolean
mr_test_ui_init (int    *argc,
                 char ***argv,
                 int    *exit_status)
{
  gboolean tap = FALSE;

  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--tap"))
      tap = TRUE;

  /* The AT-SPI backend wants a session bus, which a test has no need of;
   * the test backend keeps the accessibility tree without one. */
  g_setenv ("GTK_A11Y", "test", FALSE);

  g_test_init (argc, argv, NULL);

  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      *exit_status = tap ? 0 : 77;
      return FALSE;
    }

  adw_init ();
  mr_test_setup_ui_resources ();
  *exit_status = 0;

  return TRUE;
}
