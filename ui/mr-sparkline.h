/* mr-sparkline.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MR_TYPE_SPARKLINE (mr_sparkline_get_type())

G_DECLARE_FINAL_TYPE (MrSparkline, mr_sparkline, MR, SPARKLINE, GtkWidget)

GtkWidget *mr_sparkline_new        (void);
/* Copies @values (oldest first) and redraws. */
void       mr_sparkline_set_values (MrSparkline  *self,
                                    const double *values,
                                    guint         n_values);
guint      mr_sparkline_get_n_values (MrSparkline *self);
double     mr_sparkline_get_last   (MrSparkline  *self);
double     mr_sparkline_get_max    (MrSparkline  *self);

G_END_DECLS
