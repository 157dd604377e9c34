/* mr-timeline-item.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_TIMELINE_ITEM (mr_timeline_item_get_type())

G_DECLARE_FINAL_TYPE (MrTimelineItem, mr_timeline_item, MR, TIMELINE_ITEM, GObject)

/* The timeline's filters, in the order of the views' drop-downs. */
typedef enum
{
  MR_TIMELINE_FILTER_ALL,
  MR_TIMELINE_FILTER_ELECTIONS,      /* leaders and the controller */
  MR_TIMELINE_FILTER_ISR,            /* ISR shrink and expand, truncations */
  MR_TIMELINE_FILTER_BROKERS,        /* broker states, faults and heals */
  MR_TIMELINE_FILTER_TOPICS,         /* topics created, deleted, changed */
} MrTimelineFilter;

MrTimelineItem *mr_timeline_item_new           (MrClusterEvent *event) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent *mr_timeline_item_get_event     (MrTimelineItem *self);
guint64         mr_timeline_item_get_seq       (MrTimelineItem *self);
const char     *mr_timeline_item_get_summary   (MrTimelineItem *self);
const char     *mr_timeline_item_get_time      (MrTimelineItem *self);
const char     *mr_timeline_item_get_icon_name (MrTimelineItem *self);
gboolean        mr_timeline_item_matches       (MrTimelineItem   *self,
                                                MrTimelineFilter  filter);

G_END_DECLS
