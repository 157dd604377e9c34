/* mr-failure-lab.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "mr-cluster-monitor.h"
#include "mr-latency-plot.h"
#include "mr-partition-map.h"

G_BEGIN_DECLS

#define MR_TYPE_FAILURE_LAB (mr_failure_lab_get_type())

G_DECLARE_FINAL_TYPE (MrFailureLab, mr_failure_lab, MR, FAILURE_LAB, GtkWidget)

/* The fault buttons of a broker's row, in order. */
typedef enum
{
  MR_LAB_FAULT_STOP,
  MR_LAB_FAULT_CRASH,
  MR_LAB_FAULT_PAUSE,
  MR_LAB_FAULT_ISOLATE,
  MR_LAB_FAULT_SLOW,
  MR_LAB_FAULT_HEAL,
  MR_LAB_N_FAULTS,
} MrLabFault;

/* The latency "slow" adds, in ms. */
#define MR_LAB_SLOW_MS 200

GtkWidget      *mr_failure_lab_new               (MrClusterMonitor    *monitor);
GtkWidget      *mr_failure_lab_get_fault_button  (MrFailureLab        *self,
                                                  gint32               broker_id,
                                                  MrLabFault           fault);
MrPartitionMap *mr_failure_lab_get_partition_map (MrFailureLab        *self);
MrLatencyPlot  *mr_failure_lab_get_latency_plot  (MrFailureLab        *self);
/* Starts the demo workload at the rate shown, in a worker. */
void            mr_failure_lab_start_demo        (MrFailureLab        *self);
void            mr_failure_lab_stop_demo         (MrFailureLab        *self);
void            mr_failure_lab_set_demo_rate     (MrFailureLab        *self,
                                                  guint                rate);
/* What the lab shows of the demo workload; FALSE before its first start. */
gboolean        mr_failure_lab_get_demo_stats    (MrFailureLab        *self,
                                                  MrDemoWorkloadStats *stats);
const char     *mr_failure_lab_get_acked_text    (MrFailureLab        *self);
/* Starts a chaos run from @seed over @seconds. */
void            mr_failure_lab_run_chaos         (MrFailureLab        *self,
                                                  guint32              seed,
                                                  guint                seconds);
/* The steps applied so far by the current or last run, or -1 for none;
 * and its status line. */
int             mr_failure_lab_get_chaos_steps_done (MrFailureLab     *self);
const char     *mr_failure_lab_get_chaos_status  (MrFailureLab        *self);

G_END_DECLS
