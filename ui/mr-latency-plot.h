/* mr-latency-plot.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_LATENCY_PLOT (mr_latency_plot_get_type())

G_DECLARE_FINAL_TYPE (MrLatencyPlot, mr_latency_plot, MR, LATENCY_PLOT, GtkWidget)

GtkWidget *mr_latency_plot_new           (void);
/* Adds MrDemoLatencySamples (oldest first); drops those older than the
 * plot's window of time. */
void       mr_latency_plot_add_samples   (MrLatencyPlot *self,
                                          GArray        *samples);
void       mr_latency_plot_clear         (MrLatencyPlot *self);
guint      mr_latency_plot_get_n_samples (MrLatencyPlot *self);
/* Over the samples shown, in microseconds; 0 when there are none. */
guint32    mr_latency_plot_get_quantile  (MrLatencyPlot *self,
                                          double         q);

G_END_DECLS
