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

MrTimelineItem *mr_timeline_item_new           (MrClusterEvent *event) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent *mr_timeline_item_get_event     (MrTimelineItem *self);
guint64         mr_timeline_item_get_seq       (MrTimelineItem *self);
const char     *mr_timeline_item_get_summary   (MrTimelineItem *self);
const char     *mr_timeline_item_get_time      (MrTimelineItem *self);
const char     *mr_timeline_item_get_icon_name (MrTimelineItem *self);

G_END_DECLS
