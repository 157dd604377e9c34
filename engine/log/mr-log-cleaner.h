/* mr-log-cleaner.h
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

#include "mr-partition-log.h"

G_BEGIN_DECLS

/* A background thread that compacts the logs given to it whose
 * cleanup.policy has "compact": after a segment closes (checked every
 * interval), or at once on request. Compaction never holds a log's lock
 * while it copies, so appends go on meanwhile.
 *
 * Every function may be called from any thread. */
typedef struct _MrLogCleaner MrLogCleaner;

typedef struct
{
  guint64 passes;            /* compactions run */
  guint64 cleaned_segments;
  guint64 records_removed;
  guint64 failures;
} MrLogCleanerStats;

MrLogCleaner *mr_log_cleaner_new       (guint               interval_ms) G_GNUC_WARN_UNUSED_RESULT;
/* Stops the thread (waiting for a compaction in progress) and frees. */
void          mr_log_cleaner_free      (MrLogCleaner       *cleaner);

void          mr_log_cleaner_add       (MrLogCleaner       *cleaner,
                                        MrPartitionLog     *log);
void          mr_log_cleaner_remove    (MrLogCleaner       *cleaner,
                                        MrPartitionLog     *log);
/* Compacts @log soon, whether or not a segment closed. */
void          mr_log_cleaner_request   (MrLogCleaner       *cleaner,
                                        MrPartitionLog     *log);
void          mr_log_cleaner_get_stats (MrLogCleaner       *cleaner,
                                        MrLogCleanerStats  *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLogCleaner, mr_log_cleaner_free)

G_END_DECLS
