/* millrace-engine.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

#define MILLRACE_ENGINE_INSIDE

#include "cluster/mr-broker-network.h"
#include "cluster/mr-chaos-run.h"
#include "cluster/mr-cluster.h"
#include "cluster/mr-cluster-event.h"
#include "cluster/mr-event-stream.h"
#include "cluster/mr-cluster-error.h"
#include "cluster/mr-demo-workload.h"
#include "cluster/mr-kafka-error.h"
#include "cluster/mr-metadata-store.h"
#include "cluster/mr-topic-rules.h"
#include "cluster/mr-leader-epoch-cache.h"
#include "cluster/mr-producer-state.h"
#include "cluster/mr-record-jsonl.h"
#include "cluster/mr-record-reader.h"
#include "connect/mr-http-api.h"
#include "group/mr-consumer-group.h"
#include "group/mr-group-coordinator.h"
#include "group/mr-group-member.h"
#include "group/mr-group-offsets-codec.h"
#include "group/mr-groups.h"
#include "group/mr-lag-sampler.h"
#include "log/mr-compression.h"
#include "log/mr-crc32c.h"
#include "log/mr-log-cleaner.h"
#include "log/mr-log-config.h"
#include "log/mr-log-error.h"
#include "log/mr-log-inventory.h"
#include "log/mr-log-io.h"
#include "log/mr-partition-log.h"
#include "log/mr-record-batch.h"
#include "log/mr-record-batch-builder.h"
#include "protocol/mr-kafka-codec.h"
#include "protocol/mr-kafka-listener.h"

#undef MILLRACE_ENGINE_INSIDE
