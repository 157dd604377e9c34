/* mr-preferences-window.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MR_TYPE_PREFERENCES_WINDOW (mr_preferences_window_get_type())

G_DECLARE_FINAL_TYPE (MrPreferencesWindow, mr_preferences_window, MR, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *mr_preferences_window_new (GtkWindow *parent);

/* Applies the "color-scheme" key to libadwaita's style manager, now and
 * whenever it changes, for as long as @settings lives. */
void       mr_preferences_follow_color_scheme (GSettings *settings);

G_END_DECLS
