/* mr-log-inventory.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a cluster data directory holds, found by opening every partition log
 * under it read-only: <dir>/broker-<id>/<topic>-<partition>/. Nothing on disk
 * changes. Used by the window to show a cluster before its brokers start. */

typedef struct
{
  char   *topic;
  gint32  partition;
  gint32  broker_id;
  gint64  log_start_offset;
  gint64  log_end_offset;
  gint64  size_bytes;
  guint   n_segments;
  gint64  corrupt_bytes;     /* bytes recovery would drop, 0 when healthy */
  char   *error_message;     /* set when the log could not be opened */
} MrPartitionSummary;

typedef struct
{
  char      *topic;
  guint      n_partitions;     /* distinct partition numbers */
  guint      n_replicas;       /* partition logs across all brokers */
  gint64     n_records;        /* sum over partitions of the largest
                                * log end minus log start among replicas */
  gint64     size_bytes;       /* bytes on disk, all replicas */
  GPtrArray *partitions;       /* MrPartitionSummary, by partition then broker */
} MrTopicSummary;

typedef struct
{
  char      *directory;
  gboolean   exists;
  guint      n_brokers;        /* broker-<id> directories */
  gint64     size_bytes;
  GPtrArray *topics;           /* MrTopicSummary, sorted by name */
} MrLogInventory;

/* Scans @directory. A directory that does not exist gives an empty
 * inventory with exists = FALSE; one that cannot be read is an error.
 * Blocks on disk: call it from a worker thread. */
MrLogInventory *mr_log_inventory_scan       (const char      *directory,
                                             GCancellable    *cancellable,
                                             GError         **error) G_GNUC_WARN_UNUSED_RESULT;
void            mr_log_inventory_free       (MrLogInventory  *inventory);

/* Splits "<topic>-<partition>" (topic names may contain '-'). */
gboolean        mr_log_inventory_parse_partition_dir_name (const char  *name,
                                                           char       **topic,
                                                           gint32      *partition);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLogInventory, mr_log_inventory_free)

G_END_DECLS
