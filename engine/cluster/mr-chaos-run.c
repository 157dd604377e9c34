/* mr-chaos-run.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-chaos-run"

#include "config.h"

#include "mr-chaos-run.h"

/* The plan. A GRand seeded with the seed draws, in this order, for each
 * fault: the broker (1..n), the fault (stop, crash, pause, isolate, slow),
 * the slow-down in ms (20..400, drawn for every fault so that the sequence
 * does not depend on which fault came), how long it holds (400..2000 ms)
 * and the quiet time after its heal (300..1200 ms). Faults start 500 ms
 * into the run and stop being planned when a fault and its heal would end
 * past the duration. The plan is a pure function of its arguments: the
 * same seed on the same cluster size replays the same run. */

#define FIRST_FAULT_MS   500

struct _MrChaosRun
{
  MrCluster *cluster;
  guint32    seed;
  guint      duration_ms;

  GMutex     lock;
  GCond      cond;
  /* Under lock. */
  GArray    *steps;               /* MrChaosStep */
  GThread   *thread;
  gboolean   cancelled;
  gboolean   finished;
};

static const MrBrokerAction faults[] = {
  MR_BROKER_ACTION_STOP,
  MR_BROKER_ACTION_CRASH,
  MR_BROKER_ACTION_PAUSE,
  MR_BROKER_ACTION_ISOLATE,
  MR_BROKER_ACTION_SLOW,
};

void
mr_chaos_step_clear (MrChaosStep *step)
{
  g_clear_pointer (&step->error_message, g_free);
}

GArray *
mr_chaos_plan (guint32 seed,
               guint   n_brokers,
               guint   duration_ms)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GArray *steps;
  guint at = FIRST_FAULT_MS;

  g_return_val_if_fail (n_brokers >= 1, NULL);

  steps = g_array_new (FALSE, TRUE, sizeof (MrChaosStep));
  g_array_set_clear_func (steps, (GDestroyNotify) mr_chaos_step_clear);

  for (;;)
    {
      gint32 broker = g_rand_int_range (rand, 1, (gint32) n_brokers + 1);
      MrBrokerAction fault = faults[g_rand_int_range (rand, 0, G_N_ELEMENTS (faults))];
      guint slow_ms = g_rand_int_range (rand, 20, 401);
      guint hold_ms = g_rand_int_range (rand, 400, 2001);
      guint quiet_ms = g_rand_int_range (rand, 300, 1201);
      MrChaosStep step = { 0, };

      if ((guint64) at + hold_ms >= duration_ms)
        break;

      step.index = steps->len;
      step.at_ms = at;
      step.broker_id = broker;
      step.action = fault;
      step.parameter = fault == MR_BROKER_ACTION_SLOW ? slow_ms : 0;
      g_array_append_val (steps, step);

      step.index = steps->len;
      step.at_ms = at + hold_ms;
      step.action = mr_broker_action_get_healing (fault);
      step.parameter = 0;
      g_array_append_val (steps, step);

      at += hold_ms + quiet_ms;
    }

  return steps;
}

/* @locality: the run's thread. */
static gpointer
run_thread (gpointer data)
{
  MrChaosRun *run = data;
  gint64 start = g_get_monotonic_time ();
  MrChaosStep *open_fault = NULL;

  g_mutex_lock (&run->lock);
  for (guint i = 0; i < run->steps->len; i++)
    {
      MrChaosStep *step = &g_array_index (run->steps, MrChaosStep, i);
      gint64 when = start + (gint64) step->at_ms * G_TIME_SPAN_MILLISECOND;
      g_autoptr(GError) error = NULL;
      MrChaosStep copy;

      while (!run->cancelled && g_get_monotonic_time () < when)
        g_cond_wait_until (&run->cond, &run->lock, when);
      if (run->cancelled)
        break;

      copy = *step;
      g_mutex_unlock (&run->lock);

      g_debug ("Chaos step %u at %u ms: %s broker %d", copy.index, copy.at_ms,
               mr_broker_action_to_string (copy.action), copy.broker_id);
      mr_cluster_broker_action (run->cluster, copy.broker_id, copy.action,
                                copy.parameter, &error);

      g_mutex_lock (&run->lock);
      step = &g_array_index (run->steps, MrChaosStep, i);
      step->done = TRUE;
      if (error != NULL)
        step->error_message = g_strdup (error->message);
      /* Even steps are faults, odd ones their heals. */
      open_fault = i % 2 == 0 ? step : NULL;
    }

  /* Cancelled with a fault in force: heal it, outside the plan. */
  if (open_fault != NULL && open_fault->error_message == NULL)
    {
      gint32 broker_id = open_fault->broker_id;
      MrBrokerAction heal = mr_broker_action_get_healing (open_fault->action);

      g_mutex_unlock (&run->lock);
      mr_cluster_broker_action (run->cluster, broker_id, heal, 0, NULL);
      g_mutex_lock (&run->lock);
    }

  run->finished = TRUE;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);

  return NULL;
}

/**
 * mr_chaos_run_new:
 * @cluster: the cluster to break
 * @seed: the schedule's seed
 * @duration_ms: how long the run lasts
 *
 * Returns: (transfer full): a run, not started
 */
MrChaosRun *
mr_chaos_run_new (MrCluster *cluster,
                  guint32    seed,
                  guint      duration_ms)
{
  MrChaosRun *run;

  g_return_val_if_fail (cluster != NULL, NULL);

  run = g_new0 (MrChaosRun, 1);
  run->cluster = mr_cluster_ref (cluster);
  run->seed = seed;
  run->duration_ms = duration_ms;
  run->steps = mr_chaos_plan (seed, mr_cluster_get_n_brokers (cluster), duration_ms);
  g_mutex_init (&run->lock);
  g_cond_init (&run->cond);

  return run;
}

void
mr_chaos_run_free (MrChaosRun *run)
{
  if (run == NULL)
    return;

  mr_chaos_run_cancel (run);

  g_array_unref (run->steps);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->cond);
  mr_cluster_unref (run->cluster);
  g_free (run);
}

guint32
mr_chaos_run_get_seed (MrChaosRun *run)
{
  g_return_val_if_fail (run != NULL, 0);

  return run->seed;
}

guint
mr_chaos_run_get_duration (MrChaosRun *run)
{
  g_return_val_if_fail (run != NULL, 0);

  return run->duration_ms;
}

GArray *
mr_chaos_run_dup_steps (MrChaosRun *run)
{
  GArray *copy;

  g_return_val_if_fail (run != NULL, NULL);

  copy = g_array_sized_new (FALSE, TRUE, sizeof (MrChaosStep), run->steps->len);
  g_array_set_clear_func (copy, (GDestroyNotify) mr_chaos_step_clear);

  g_mutex_lock (&run->lock);
  for (guint i = 0; i < run->steps->len; i++)
    {
      MrChaosStep step = g_array_index (run->steps, MrChaosStep, i);

      step.error_message = g_strdup (step.error_message);
      g_array_append_val (copy, step);
    }
  g_mutex_unlock (&run->lock);

  return copy;
}

void
mr_chaos_run_start (MrChaosRun *run)
{
  g_return_if_fail (run != NULL);

  g_mutex_lock (&run->lock);
  if (run->thread == NULL && !run->finished)
    run->thread = g_thread_new ("mr-chaos-run", run_thread, run);
  g_mutex_unlock (&run->lock);
}

void
mr_chaos_run_request_cancel (MrChaosRun *run)
{
  g_return_if_fail (run != NULL);

  g_mutex_lock (&run->lock);
  run->cancelled = TRUE;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
}

void
mr_chaos_run_cancel (MrChaosRun *run)
{
  GThread *thread;

  g_return_if_fail (run != NULL);

  g_mutex_lock (&run->lock);
  run->cancelled = TRUE;
  if (run->thread == NULL)
    run->finished = TRUE;
  thread = g_steal_pointer (&run->thread);
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);

  if (thread != NULL)
    g_thread_join (thread);
}

gboolean
mr_chaos_run_is_finished (MrChaosRun *run)
{
  gboolean finished;

  g_return_val_if_fail (run != NULL, FALSE);

  g_mutex_lock (&run->lock);
  finished = run->finished;
  g_mutex_unlock (&run->lock);

  return finished;
}

gboolean
mr_chaos_run_wait (MrChaosRun *run,
                   guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean finished;

  g_return_val_if_fail (run != NULL, FALSE);

  g_mutex_lock (&run->lock);
  while (!run->finished && g_cond_wait_until (&run->cond, &run->lock, deadline))
    ;
  finished = run->finished;
  g_mutex_unlock (&run->lock);

  return finished;
}
