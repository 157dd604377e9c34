/* mr-groups-view.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "mr-cluster-monitor.h"
#include "mr-sparkline.h"

G_BEGIN_DECLS

#define MR_TYPE_GROUPS_VIEW (mr_groups_view_get_type())

G_DECLARE_FINAL_TYPE (MrGroupsView, mr_groups_view, MR, GROUPS_VIEW, GtkWidget)

/* The columns of the offsets table. */
typedef enum
{
  MR_GROUPS_COLUMN_PARTITION,
  MR_GROUPS_COLUMN_COMMITTED,
  MR_GROUPS_COLUMN_END,
  MR_GROUPS_COLUMN_LAG,
  MR_GROUPS_COLUMN_TIME_LAG,
  MR_GROUPS_N_COLUMNS,
} MrGroupsColumn;

GtkWidget   *mr_groups_view_new               (MrClusterMonitor *monitor);
/* Asks the engine again, in a worker; coalesced with one under way. */
void         mr_groups_view_refresh           (MrGroupsView     *self);
/* How many answers have been shown so far. */
guint        mr_groups_view_get_n_refreshes   (MrGroupsView     *self);
/* Whether a start or stop of demo consumers runs in a worker. */
gboolean     mr_groups_view_get_busy          (MrGroupsView     *self);
/* The groups as last shown (MrGroupInfo, by id); NULL before the first. */
GPtrArray   *mr_groups_view_get_groups        (MrGroupsView     *self);
const char  *mr_groups_view_get_selected_group (MrGroupsView    *self);
void         mr_groups_view_select_group      (MrGroupsView     *self,
                                               const char       *group_id);
/* The text the offsets table shows for @topic's @partition, or NULL
 * when it has no such row. */
const char  *mr_groups_view_get_cell_text     (MrGroupsView     *self,
                                               const char       *topic,
                                               gint32            partition,
                                               MrGroupsColumn    column);
MrSparkline *mr_groups_view_get_lag_plot      (MrGroupsView     *self);

G_END_DECLS
