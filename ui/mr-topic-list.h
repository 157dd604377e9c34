/* mr-topic-list.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "mr-cluster-monitor.h"

G_BEGIN_DECLS

#define MR_TYPE_TOPIC_LIST (mr_topic_list_get_type())

G_DECLARE_FINAL_TYPE (MrTopicList, mr_topic_list, MR, TOPIC_LIST, GtkWidget)

GtkWidget *mr_topic_list_new            (MrClusterMonitor *monitor);
/* Partitions offline or under-replicated, for the sidebar's badge. */
guint      mr_topic_list_get_n_problems (MrTopicList      *self);

G_END_DECLS
