/* mr-fetch-waiter.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-fetch-waiter.h"

struct _MrFetchWaiter
{
  gatomicrefcount ref_count;
  GMutex          lock;
  GCond           cond;
  gboolean        notified;       /* under lock */
};

MrFetchWaiter *
mr_fetch_waiter_new (void)
{
  MrFetchWaiter *waiter = g_new0 (MrFetchWaiter, 1);

  g_atomic_ref_count_init (&waiter->ref_count);
  g_mutex_init (&waiter->lock);
  g_cond_init (&waiter->cond);
  return waiter;
}

MrFetchWaiter *
mr_fetch_waiter_ref (MrFetchWaiter *waiter)
{
  g_atomic_ref_count_inc (&waiter->ref_count);
  return waiter;
}

void
mr_fetch_waiter_unref (MrFetchWaiter *waiter)
{
  if (!g_atomic_ref_count_dec (&waiter->ref_count))
    return;
  g_mutex_clear (&waiter->lock);
  g_cond_clear (&waiter->cond);
  g_free (waiter);
}

/* @locality: the fetching thread. */
void
mr_fetch_waiter_reset (MrFetchWaiter *waiter)
{
  g_mutex_lock (&waiter->lock);
  waiter->notified = FALSE;
  g_mutex_unlock (&waiter->lock);
}

/* @locality: any thread. @locks: called with a replica's lock held; takes
 * the waiter's. */
void
mr_fetch_waiter_notify (MrFetchWaiter *waiter)
{
  g_mutex_lock (&waiter->lock);
  waiter->notified = TRUE;
  g_cond_signal (&waiter->cond);
  g_mutex_unlock (&waiter->lock);
}

/* @locality: the fetching thread. @locks: no replica lock may be held. */
gboolean
mr_fetch_waiter_wait (MrFetchWaiter *waiter,
                      gint64         deadline)
{
  gboolean notified;

  g_mutex_lock (&waiter->lock);
  while (!waiter->notified)
    if (!g_cond_wait_until (&waiter->cond, &waiter->lock, deadline))
      break;
  notified = waiter->notified;
  g_mutex_unlock (&waiter->lock);

  return notified;
}
