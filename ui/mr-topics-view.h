/* mr-topics-view.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_TOPICS_VIEW (mr_topics_view_get_type())

G_DECLARE_FINAL_TYPE (MrTopicsView, mr_topics_view, MR, TOPICS_VIEW, AdwBin)

/* The "Topics and messages" view of a running cluster. Its actions:
 *
 *   topics.new, topics.edit, topics.add-partitions, topics.delete  dialogs
 *   topics.select (s)          show a topic
 *   topics.refresh             read the cluster again now
 *   topics.back                back to the list when folded
 *   messages.seek-beginning, messages.seek-end,
 *   messages.seek-offset (x), messages.seek-time (x: ms since the epoch)
 *   messages.filter ((us))     field (0 key, 1 value, 2 header) and text
 *   messages.partition (i)     the partition shown, -1 for all
 *   messages.live-tail         follow new records (stateful)
 *   messages.produce           the produce dialog
 *   messages.export-selection, messages.export-all, messages.import
 *                              with a file chooser
 *   messages.export-to ((sb))  to a URI: the selection (TRUE) or all shown
 *   messages.import-from (s)   from a URI, into the topic shown */
GtkWidget       *mr_topics_view_new                (MrCluster     *cluster);
MrCluster       *mr_topics_view_get_cluster        (MrTopicsView  *self);
const char      *mr_topics_view_get_selected_topic (MrTopicsView  *self);
/* TRUE while work started by the view runs in a thread (a refresh, a
 * filter, a dialog's change, an export or import). */
gboolean         mr_topics_view_get_busy           (MrTopicsView  *self);
/* The records shown (MrMessageItem) and their selection. */
GListModel      *mr_topics_view_get_messages       (MrTopicsView  *self);
GtkSelectionModel *mr_topics_view_get_selection    (MrTopicsView  *self);
/* The topic as last read, or NULL. */
const MrTopicInfo *mr_topics_view_get_topic_info   (MrTopicsView  *self);
/* The detail pane's text for "json", "text", "hex" or "headers". */
char            *mr_topics_view_dup_detail_text    (MrTopicsView  *self,
                                                    const char    *format) G_GNUC_WARN_UNUSED_RESULT;
/* The dialog the view shows now, or NULL. */
GtkWindow       *mr_topics_view_get_dialog         (MrTopicsView  *self);

G_END_DECLS
