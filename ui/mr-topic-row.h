/* mr-topic-row.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_TOPIC_ROW (mr_topic_row_get_type())

G_DECLARE_FINAL_TYPE (MrTopicRow, mr_topic_row, MR, TOPIC_ROW, AdwExpanderRow)

GtkWidget    *mr_topic_row_new                    (const char        *name);
const char   *mr_topic_row_get_name               (MrTopicRow        *self);
guint         mr_topic_row_get_n_partitions       (MrTopicRow        *self);
AdwActionRow *mr_topic_row_get_partition_row      (MrTopicRow        *self,
                                                   guint              partition);
guint         mr_topic_row_get_n_under_replicated (MrTopicRow        *self);
guint         mr_topic_row_get_n_offline          (MrTopicRow        *self);
void          mr_topic_row_update                 (MrTopicRow        *self,
                                                   const MrTopicInfo *info);

G_END_DECLS
