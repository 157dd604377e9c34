/* mr-demo-workload.h
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

#include "mr-cluster.h"

G_BEGIN_DECLS

/* A demo workload: an in-process producer that writes a steady number of
 * records a second into one topic through mr_cluster_produce_async()
 * (acks=all), and a reader that follows the topic with mr_cluster_fetch().
 * What clients live through (acknowledged, failed, in flight, latency) is
 * counted for the failure lab and the benchmarks.
 *
 * Threads: the workload runs two threads of its own while started; every
 * function may be called from any thread, none blocks on the cluster except
 * start (topic creation) and stop (joins its threads), which the UI calls
 * from a worker. A mutex guards the counters; produce callbacks only take
 * it for a moment. */
typedef struct _MrDemoWorkload MrDemoWorkload;

#define MR_DEMO_WORKLOAD_MAX_RATE 1000000

typedef struct
{
  gint64  time_us;                  /* monotonic, when the answer came */
  guint32 latency_us;               /* produce to answer */
  gboolean ok;
} MrDemoLatencySample;

typedef struct
{
  guint64 n_sent;                   /* records handed to the cluster */
  guint64 n_acknowledged;
  guint64 n_failed;
  guint64 n_in_flight;              /* sent, not answered yet */
  guint64 n_read;                   /* records the reader fetched */
  guint64 n_read_errors;            /* fetches that failed */
  guint   rate;                     /* records/s asked for */
  gboolean running;
} MrDemoWorkloadStats;

/* @topic is created (3 partitions, the cluster's replication) on start
 * when it does not exist. */
MrDemoWorkload *mr_demo_workload_new            (MrCluster           *cluster,
                                                 const char          *topic,
                                                 guint                rate) G_GNUC_WARN_UNUSED_RESULT;
/* Stops it first. */
void            mr_demo_workload_free           (MrDemoWorkload      *self);

const char     *mr_demo_workload_get_topic      (MrDemoWorkload      *self);
/* Records per second, 1 to MR_DEMO_WORKLOAD_MAX_RATE; takes effect at
 * once, also while running. */
void            mr_demo_workload_set_rate       (MrDemoWorkload      *self,
                                                 guint                rate);
guint           mr_demo_workload_get_rate       (MrDemoWorkload      *self);

/* Creates the topic if needed and starts the producer and the reader.
 * Idempotent. @locality: any thread but the GTK main thread (it creates a
 * topic). */
gboolean        mr_demo_workload_start          (MrDemoWorkload      *self,
                                                 GError             **error);
/* Stops sending and reading, joins the threads. Answers to produces in
 * flight are still counted when they come. Idempotent. @locality: any
 * thread but the main thread: it joins. */
void            mr_demo_workload_stop           (MrDemoWorkload      *self);
gboolean        mr_demo_workload_is_running     (MrDemoWorkload      *self);

/* A consistent copy of the counters. @locality: any thread; never waits
 * on the cluster. */
void            mr_demo_workload_get_stats      (MrDemoWorkload      *self,
                                                 MrDemoWorkloadStats *stats);
/* The latency samples (one per produced batch) since the previous call,
 * oldest first; at most the latest 8192 are kept. */
GArray         *mr_demo_workload_take_latencies (MrDemoWorkload      *self) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDemoWorkload, mr_demo_workload_free)

G_END_DECLS
