/* mr-bench-util.h: the statistics the UI benchmarks print: quantiles of
 * frame times and the share of frames under a budget.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts @values (of double) in place and returns the value at @q, from 0
 * (the smallest) to 1 (the largest): 0.5 is the median, 0.99 the 99th
 * percentile. 0 when @values is empty. */
double mr_bench_quantile    (GArray *values,
                             double  q);
/* The share of @values (of double) below @limit, in percent; 0 when
 * @values is empty. */
double mr_bench_share_below (GArray *values,
                             double  limit);

G_END_DECLS
