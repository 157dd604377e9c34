/* mr-cluster-event-private.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Private to the cluster module: MrEventStream stamps the events it emits. */

#include "mr-cluster-event.h"

G_BEGIN_DECLS

/* Gives @event its sequence number, and the current time when it has none.
 * @locality: the emitting thread, before the event is visible to any other
 * thread. */
void mr_cluster_event_stamp (MrClusterEvent *event,
                             guint64         seq);

G_END_DECLS
