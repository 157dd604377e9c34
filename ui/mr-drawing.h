/* mr-drawing.h: what the custom-drawn widgets (sparkline, latency plot,
 * partition map) share: colours from the style and a cairo context
 * covering the widget.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*MrDrawingFunc) (GtkWidget *widget,
                               cairo_t   *cr,
                               int        width,
                               int        height);

/* The colour @name the style defines (accent_color, error_color...); the
 * foreground colour where the style has none of that name. */
void mr_drawing_lookup_color         (GtkWidget     *widget,
                                      const char    *name,
                                      GdkRGBA       *color);
/* The foreground colour with its alpha scaled by @alpha: grid lines,
 * axes, dimmed text. */
void mr_drawing_get_faded_foreground (GtkWidget     *widget,
                                      double         alpha,
                                      GdkRGBA       *color);
/* A one-pixel line in @color along the bottom edge: the zero line or
 * axis of a plot. */
void mr_drawing_fill_baseline        (cairo_t       *cr,
                                      const GdkRGBA *color,
                                      int            width,
                                      int            height);
/* For a snapshot vfunc: calls @draw with a cairo context covering the
 * whole of @widget; nothing while the widget has no size. */
void mr_drawing_snapshot_cairo       (GtkWidget     *widget,
                                      GtkSnapshot   *snapshot,
                                      MrDrawingFunc  draw);

G_END_DECLS
