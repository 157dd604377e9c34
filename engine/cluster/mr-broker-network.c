/* mr-broker-network.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-broker-network.h"

#include "mr-kafka-error.h"

typedef struct
{
  gboolean up;
  gboolean paused;
  gboolean isolated;
  guint    latency_ms;
} NodeState;

typedef struct
{
  guint64 messages;
  guint64 bytes;
} LinkTraffic;

/* @locks lock protects everything. Node 0 is the controller quorum. */
struct _MrBrokerNetwork
{
  GMutex       lock;
  GCond        changed;
  guint        n_nodes;
  NodeState   *nodes;
  LinkTraffic *traffic;      /* n_nodes × n_nodes, from-major */
};

MrBrokerNetwork *
mr_broker_network_new (guint n_brokers)
{
  MrBrokerNetwork *network = g_new0 (MrBrokerNetwork, 1);

  g_mutex_init (&network->lock);
  g_cond_init (&network->changed);
  network->n_nodes = n_brokers + 1;
  network->nodes = g_new0 (NodeState, network->n_nodes);
  network->traffic = g_new0 (LinkTraffic,
                             network->n_nodes * network->n_nodes);
  network->nodes[MR_BROKER_NETWORK_QUORUM].up = TRUE;

  return network;
}

void
mr_broker_network_free (MrBrokerNetwork *network)
{
  if (network == NULL)
    return;

  g_mutex_clear (&network->lock);
  g_cond_clear (&network->changed);
  g_free (network->nodes);
  g_free (network->traffic);
  g_free (network);
}

static NodeState *
node (MrBrokerNetwork *network,
      gint32           id)
{
  g_assert (id >= 0 && (guint)id < network->n_nodes);
  return &network->nodes[id];
}

#define SETTER(name, field, type)                              \
  void                                                         \
  mr_broker_network_set_##name (MrBrokerNetwork *network,      \
                                gint32           broker_id,    \
                                type             value)        \
  {                                                            \
    g_return_if_fail (network != NULL);                        \
    g_return_if_fail (broker_id > 0                            \
                      && (guint)broker_id < network->n_nodes); \
                                                               \
    g_mutex_lock (&network->lock);                             \
    node (network, broker_id)->field = value;                  \
    g_cond_broadcast (&network->changed);                      \
    g_mutex_unlock (&network->lock);                           \
  }

SETTER (up, up, gboolean)
SETTER (paused, paused, gboolean)
SETTER (isolated, isolated, gboolean)
SETTER (latency, latency_ms, guint)

guint
mr_broker_network_get_latency (MrBrokerNetwork *network,
                               gint32           broker_id)
{
  guint latency;

  g_mutex_lock (&network->lock);
  latency = node (network, broker_id)->latency_ms;
  g_mutex_unlock (&network->lock);

  return latency;
}

gboolean
mr_broker_network_is_paused (MrBrokerNetwork *network,
                             gint32           broker_id)
{
  gboolean paused;

  g_mutex_lock (&network->lock);
  paused = node (network, broker_id)->paused;
  g_mutex_unlock (&network->lock);

  return paused;
}

gboolean
mr_broker_network_is_isolated (MrBrokerNetwork *network,
                               gint32           broker_id)
{
  gboolean isolated;

  g_mutex_lock (&network->lock);
  isolated = node (network, broker_id)->isolated;
  g_mutex_unlock (&network->lock);

  return isolated;
}

/* @locks: lock held. Waits while @id is paused, until @deadline. */
static gboolean
wait_while_paused_locked (MrBrokerNetwork *network,
                          gint32           id,
                          gint64           deadline)
{
  while (node (network, id)->paused && node (network, id)->up)
    {
      if (deadline == 0)
        g_cond_wait (&network->changed, &network->lock);
      else if (!g_cond_wait_until (&network->changed, &network->lock,
                                   deadline))
        return node (network, id)->paused;
    }
  return FALSE;
}

gboolean
mr_broker_network_wait_resumed (MrBrokerNetwork *network,
                                gint32           broker_id,
                                gint64           deadline)
{
  gboolean paused;

  g_mutex_lock (&network->lock);
  paused = wait_while_paused_locked (network, broker_id, deadline);
  g_mutex_unlock (&network->lock);

  return paused;
}

static void
sleep_latency (guint latency_ms)
{
  if (latency_ms > 0)
    g_usleep ((gulong)latency_ms * 1000);
}

gboolean
mr_broker_network_enter (MrBrokerNetwork  *network,
                         gint32            from,
                         gint32            to,
                         guint             timeout_ms,
                         GError          **error)
{
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint latency = 0;
  NodeState *source;
  NodeState *target;

  g_return_val_if_fail (network != NULL, FALSE);

  g_mutex_lock (&network->lock);
  source = node (network, from);
  target = node (network, to);

  if (!source->up || !target->up)
    {
      g_mutex_unlock (&network->lock);
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_NETWORK_EXCEPTION,
                   "Broker %d is down", source->up ? to : from);
      return FALSE;
    }

  if (from != to && (source->isolated || target->isolated))
    {
      g_mutex_unlock (&network->lock);
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_NETWORK_EXCEPTION,
                   "Broker %d is isolated from the cluster",
                   source->isolated ? from : to);
      return FALSE;
    }

  if (wait_while_paused_locked (network, to, deadline))
    {
      g_mutex_unlock (&network->lock);
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_REQUEST_TIMED_OUT,
                   "Broker %d did not answer within %u ms (paused)", to,
                   timeout_ms);
      return FALSE;
    }

  if (!target->up)
    {
      g_mutex_unlock (&network->lock);
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_NETWORK_EXCEPTION,
                   "Broker %d is down", to);
      return FALSE;
    }

  latency = source->latency_ms + target->latency_ms;
  network->traffic[from * network->n_nodes + to].messages++;
  g_mutex_unlock (&network->lock);

  sleep_latency (latency);
  return TRUE;
}

gboolean
mr_broker_network_enter_client (MrBrokerNetwork  *network,
                                gint32            broker_id,
                                guint             timeout_ms,
                                GError          **error)
{
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint latency;

  g_return_val_if_fail (network != NULL, FALSE);

  g_mutex_lock (&network->lock);
  if (!node (network, broker_id)->up)
    {
      g_mutex_unlock (&network->lock);
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_BROKER_NOT_AVAILABLE,
                   "Broker %d is not running", broker_id);
      return FALSE;
    }
  if (wait_while_paused_locked (network, broker_id, deadline))
    {
      g_mutex_unlock (&network->lock);
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_REQUEST_TIMED_OUT,
                   "Broker %d did not answer within %u ms (paused)",
                   broker_id, timeout_ms);
      return FALSE;
    }
  if (!node (network, broker_id)->up)
    {
      g_mutex_unlock (&network->lock);
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_BROKER_NOT_AVAILABLE,
                   "Broker %d is not running", broker_id);
      return FALSE;
    }
  latency = node (network, broker_id)->latency_ms;
  g_mutex_unlock (&network->lock);

  sleep_latency (latency);
  return TRUE;
}

void
mr_broker_network_count (MrBrokerNetwork *network,
                         gint32           from,
                         gint32           to,
                         gsize            bytes)
{
  g_mutex_lock (&network->lock);
  network->traffic[from * network->n_nodes + to].bytes += bytes;
  g_mutex_unlock (&network->lock);
}

void
mr_broker_network_get_traffic (MrBrokerNetwork *network,
                               gint32           from,
                               gint32           to,
                               guint64         *messages,
                               guint64         *bytes)
{
  LinkTraffic *link;

  g_mutex_lock (&network->lock);
  link = &network->traffic[from * network->n_nodes + to];
  if (messages != NULL)
    *messages = link->messages;
  if (bytes != NULL)
    *bytes = link->bytes;
  g_mutex_unlock (&network->lock);
}
