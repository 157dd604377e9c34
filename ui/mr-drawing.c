/* mr-drawing.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-drawing.h"

void
mr_drawing_lookup_color (GtkWidget  *widget,
                         const char *name,
                         GdkRGBA    *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (!gtk_style_context_lookup_color (context, name, color))
    gtk_style_context_get_color (context, color);
}

void
mr_drawing_get_faded_foreground (GtkWidget *widget,
                                 double     alpha,
                                 GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  color->alpha *= alpha;
}

void
mr_drawing_fill_baseline (cairo_t       *cr,
                          const GdkRGBA *color,
                          int            width,
                          int            height)
{
  gdk_cairo_set_source_rgba (cr, color);
  cairo_rectangle (cr, 0, height - 1, width, 1);
  cairo_fill (cr);
}

void
mr_drawing_snapshot_cairo (GtkWidget     *widget,
                           GtkSnapshot   *snapshot,
                           MrDrawingFunc  draw)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw (widget, cr, width, height);
  cairo_destroy (cr);
}
