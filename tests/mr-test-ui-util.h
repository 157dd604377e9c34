/* mr-test-ui-util.h: what the window tests share: waiting on the main
 * loop, finding widgets, screenshots.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

#include "mr-broker-card.h"
#include "mr-window.h"

G_BEGIN_DECLS

typedef gboolean (*MrTestWaitFunc) (gpointer user_data);

/* Iterates the main context until @func says yes or @timeout_ms pass;
 * returns whether it said yes. */
gboolean   mr_test_wait_until          (MrTestWaitFunc  func,
                                        gpointer        user_data,
                                        guint           timeout_ms);
/* Iterates until @widget has drawn a few frames. */
void       mr_test_wait_for_frames     (GtkWidget      *widget);
/* Every descendant of @widget (itself included) of @type; with @mapped,
 * only those on screen. The array does not own them. */
GPtrArray *mr_test_find_widgets        (GtkWidget      *widget,
                                        GType           type,
                                        gboolean        mapped) G_GNUC_WARN_UNUSED_RESULT;
gpointer   mr_test_find_widget         (GtkWidget      *widget,
                                        GType           type);
/* Whether a label on screen under @widget starts with @prefix. */
gboolean   mr_test_find_label          (GtkWidget      *widget,
                                        const char     *prefix);
/* Renders @widget into the test artifacts directory as a PNG. */
void       mr_test_save_screenshot     (GtkWidget      *widget,
                                        const char     *file_name);
void       mr_test_set_dark            (gboolean        dark);
/* Screenshots of @widget light and dark: @prefix-light.png and
 * @prefix-dark.png; leaves the light style on. */
void       mr_test_save_screenshots    (GtkWidget      *widget,
                                        const char     *prefix);
/* The broker card of broker @broker_id under @widget, or %NULL. */
MrBrokerCard *mr_test_find_broker_card (GtkWidget      *widget,
                                        gint32          broker_id);
/* Whether @widget shows a card for each of brokers 1 to @n_brokers, every
 * one running. */
gboolean   mr_test_brokers_running     (GtkWidget      *widget,
                                        gint32          n_brokers);

/* A window on @cluster, @width × @height, presented; the caller holds a
 * reference, which mr_test_close_window() gives back. */
MrWindow  *mr_test_open_window         (MrCluster      *cluster,
                                        int             width,
                                        int             height) G_GNUC_WARN_UNUSED_RESULT;
/* Destroys *@window, if any, asserts that nothing keeps it alive, and
 * clears the pointer. */
void       mr_test_close_window        (MrWindow      **window);

/* The shortcuts window the application loads by name, from its
 * resource; asserts that the file parses and holds one. The caller holds
 * a reference. */
GtkWindow *mr_test_load_help_overlay   (void) G_GNUC_WARN_UNUSED_RESULT;

/* A topic made through the cluster's API; asserts that it was. */
void       mr_test_create_topic        (MrCluster      *cluster,
                                        const char     *name,
                                        gint32          n_partitions,
                                        gint32          replication_factor);
/* @n_records records of @value_size bytes each, timestamped now, produced
 * to @topic's @partition with @acks (-1: all in-sync replicas); asserts
 * that the cluster took them. */
void       mr_test_produce             (MrCluster      *cluster,
                                        const char     *topic,
                                        gint32          partition,
                                        guint           n_records,
                                        guint           value_size,
                                        gint16          acks);
/* What the application does: the stylesheet and icons from the resources;
 * and no animations. */
void       mr_test_setup_ui_resources  (void);
/* What every window test's main() does first: g_test_init(), GTK and
 * libadwaita on the display, the resources as mr_test_setup_ui_resources()
 * sets them up. Without a display it prints a plan that skips every test
 * and returns FALSE; main() then returns *exit_status (0 under a TAP
 * harness, which reads the plan, 77 for others). */
gboolean   mr_test_ui_init             (int            *argc,
                                        char         ***argv,
                                        int            *exit_status);

G_END_DECLS
