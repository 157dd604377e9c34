/* mr-chaos-run.h
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

/* A repeatable chaos run: a schedule of broker faults, each healed before
 * the next, that depends only on its seed, the number of brokers and its
 * length; applied to a cluster through mr_cluster_broker_action() by a
 * thread of its own, step by step at the planned times.
 *
 * Threads: every function may be called from any thread. The run's thread
 * only takes the run's own mutex besides the cluster's calls; the UI reads
 * the steps done with mr_chaos_run_dup_steps(), which never waits on the
 * cluster. cancel() and free() join the thread, so the UI calls them from
 * a worker. */
typedef struct _MrChaosRun MrChaosRun;

typedef struct
{
  guint           index;          /* from 0 */
  guint           at_ms;          /* planned, from the start of the run */
  gint32          broker_id;
  MrBrokerAction  action;
  guint           parameter;      /* added latency in ms for SLOW */
  gboolean        done;           /* applied (or refused, see error) */
  char           *error_message;  /* why the cluster refused it, or NULL */
} MrChaosStep;

/* The schedule for @seed: GArray of MrChaosStep (with done FALSE), faults
 * and their heals in time order, the last heal before @duration_ms. The
 * same arguments give the same array. */
GArray     *mr_chaos_plan             (guint32      seed,
                                       guint        n_brokers,
                                       guint        duration_ms) G_GNUC_WARN_UNUSED_RESULT;
void        mr_chaos_step_clear       (MrChaosStep *step);

MrChaosRun *mr_chaos_run_new          (MrCluster   *cluster,
                                       guint32      seed,
                                       guint        duration_ms) G_GNUC_WARN_UNUSED_RESULT;
/* Cancels and joins the run first. */
void        mr_chaos_run_free         (MrChaosRun  *run);

guint32     mr_chaos_run_get_seed     (MrChaosRun  *run);
guint       mr_chaos_run_get_duration (MrChaosRun  *run);
/* The whole plan, GArray of MrChaosStep; done steps say so. */
GArray     *mr_chaos_run_dup_steps    (MrChaosRun  *run) G_GNUC_WARN_UNUSED_RESULT;

/* Starts the run's thread; once only. */
void        mr_chaos_run_start        (MrChaosRun  *run);
/* Asks the run to stop before its next step and heal the fault in force;
 * returns at once (is_finished() tells when it is done). */
void        mr_chaos_run_request_cancel (MrChaosRun *run);
/* The same, then joins the run's thread. */
void        mr_chaos_run_cancel       (MrChaosRun  *run);
/* Every step applied, or cancelled and healed. */
gboolean    mr_chaos_run_is_finished  (MrChaosRun  *run);
/* Blocks until finished or @timeout_ms pass; returns whether finished.
 * @locality: tests and workers, never the UI thread. */
gboolean    mr_chaos_run_wait         (MrChaosRun  *run,
                                       guint        timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrChaosRun, mr_chaos_run_free)

G_END_DECLS
