/* mr-lag-sampler.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <glib.h>

#include "cluster/mr-cluster.h"

G_BEGIN_DECLS

/* Lag of consumer groups over time: a ring of samples per group, taken
 * by the group coordinator's ticker once a second (see
 * mr-lag-sampler.c). Thread-safe. */
typedef struct _MrLagSampler MrLagSampler;

#define MR_LAG_SAMPLER_CAPACITY 600

MrLagSampler *mr_lag_sampler_new           (void);
void          mr_lag_sampler_free          (MrLagSampler *sampler);
/* Adds a sample for @group_id; @time_ms since the epoch. */
void          mr_lag_sampler_add           (MrLagSampler *sampler,
                                            const char   *group_id,
                                            gint64        time_ms,
                                            gint64        lag,
                                            gint64        time_lag_ms);
/* Forgets groups not in @group_ids (a NULL-terminated list). */
void          mr_lag_sampler_retain        (MrLagSampler *sampler,
                                            GPtrArray    *group_ids);
/* The samples of @group_id, oldest first (MrLagSample). */
GArray       *mr_lag_sampler_dup_samples   (MrLagSampler *sampler,
                                            const char   *group_id) G_GNUC_WARN_UNUSED_RESULT;

/* The lag of one partition for a committed offset (-1: none): the
 * partition's log start and high watermark, the lag in records and the
 * age of the oldest unconsumed record (read from the log). */
void          mr_lag_measure_partition     (MrCluster    *cluster,
                                            const char   *topic,
                                            gint32        partition,
                                            gint64        committed,
                                            gint64       *log_start_offset,
                                            gint64       *high_watermark,
                                            gint64       *lag,
                                            gint64       *time_lag_ms);

G_END_DECLS
