/* mr-fetch-waiter.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_COMPILATION)
# error "This header is private to the engine."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* One consumer fetch's long poll over several partitions: the fetch
 * registers the waiter with the replica of every partition it reads, and
 * whichever replica's high watermark moves first (or whose leadership
 * ends) wakes it. A replica calls mr_fetch_waiter_notify() under its own
 * lock; the waiter's lock nests inside any replica's lock. */
typedef struct _MrFetchWaiter MrFetchWaiter;

MrFetchWaiter *mr_fetch_waiter_new    (void);
MrFetchWaiter *mr_fetch_waiter_ref    (MrFetchWaiter *waiter);
void           mr_fetch_waiter_unref  (MrFetchWaiter *waiter);

/* Forgets earlier notifications: call before looking at the partitions. */
void           mr_fetch_waiter_reset  (MrFetchWaiter *waiter);
void           mr_fetch_waiter_notify (MrFetchWaiter *waiter);
/* Waits until a notification since the last reset, or @deadline
 * (monotonic µs); returns whether one came. */
gboolean       mr_fetch_waiter_wait   (MrFetchWaiter *waiter,
                                       gint64         deadline);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrFetchWaiter, mr_fetch_waiter_unref)

G_END_DECLS
