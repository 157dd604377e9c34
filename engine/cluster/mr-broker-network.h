/* mr-broker-network.h
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

G_BEGIN_DECLS

/* The in-process network between brokers. Every inter-broker call (replica
 * fetches, heartbeats, metadata, ISR changes) first passes through
 * mr_broker_network_enter(), which applies the faults in one place: a
 * broker that is down refuses, an isolated one is unreachable from the other
 * brokers and the controller quorum (address 0), a paused one holds the
 * call until it resumes or the call times out, a slow one adds latency.
 * Client traffic enters through mr_broker_network_enter_client(): an
 * isolated broker still serves clients (a zombie leader), a down one
 * refuses them. It also counts the messages and bytes on each link.
 *
 * Every function may be called from any thread; the network's lock is a
 * leaf lock (nothing else is taken while it is held). */
typedef struct _MrBrokerNetwork MrBrokerNetwork;

#define MR_BROKER_NETWORK_QUORUM 0

MrBrokerNetwork *mr_broker_network_new           (guint             n_brokers) G_GNUC_WARN_UNUSED_RESULT;
void             mr_broker_network_free          (MrBrokerNetwork  *network);

void             mr_broker_network_set_up        (MrBrokerNetwork  *network,
                                                  gint32            broker_id,
                                                  gboolean          up);
void             mr_broker_network_set_paused    (MrBrokerNetwork  *network,
                                                  gint32            broker_id,
                                                  gboolean          paused);
void             mr_broker_network_set_isolated  (MrBrokerNetwork  *network,
                                                  gint32            broker_id,
                                                  gboolean          isolated);
void             mr_broker_network_set_latency   (MrBrokerNetwork  *network,
                                                  gint32            broker_id,
                                                  guint             latency_ms);
guint            mr_broker_network_get_latency   (MrBrokerNetwork  *network,
                                                  gint32            broker_id);
gboolean         mr_broker_network_is_paused     (MrBrokerNetwork  *network,
                                                  gint32            broker_id);
gboolean         mr_broker_network_is_isolated   (MrBrokerNetwork  *network,
                                                  gint32            broker_id);

/* A call from @from to @to (either may be the quorum, 0). Fails at once
 * with MR_KAFKA_ERROR_NETWORK_EXCEPTION when the link is cut or the target
 * is down; waits while the target is paused, failing with
 * MR_KAFKA_ERROR_REQUEST_TIMED_OUT after @timeout_ms; sleeps the latency of
 * slow brokers on the way. */
gboolean         mr_broker_network_enter         (MrBrokerNetwork  *network,
                                                  gint32            from,
                                                  gint32            to,
                                                  guint             timeout_ms,
                                                  GError          **error);
/* A client's request reaching @broker_id: MR_KAFKA_ERROR_BROKER_NOT_AVAILABLE
 * when it is down, a wait while it is paused. */
gboolean         mr_broker_network_enter_client  (MrBrokerNetwork  *network,
                                                  gint32            broker_id,
                                                  guint             timeout_ms,
                                                  GError          **error);
/* Blocks the calling broker thread while @broker_id is paused, or until
 * @deadline (monotonic µs; 0: none). Returns whether it is still paused. */
gboolean         mr_broker_network_wait_resumed  (MrBrokerNetwork  *network,
                                                  gint32            broker_id,
                                                  gint64            deadline);

void             mr_broker_network_count         (MrBrokerNetwork  *network,
                                                  gint32            from,
                                                  gint32            to,
                                                  gsize             bytes);
void             mr_broker_network_get_traffic   (MrBrokerNetwork  *network,
                                                  gint32            from,
                                                  gint32            to,
                                                  guint64          *messages,
                                                  guint64          *bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrBrokerNetwork, mr_broker_network_free)

G_END_DECLS
