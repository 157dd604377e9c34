/* mr-bench-util.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "mr-bench-util.h"

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
mr_bench_quantile (GArray *values,
                   double  q)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_double);
  return g_array_index (values, double, MIN ((guint) (q * values->len), values->len - 1));
}

double
mr_bench_share_below (GArray *values,
                      double  limit)
{
  guint n = 0;

  for (guint i = 0; i < values->len; i++)
    n += g_array_index (values, double, i) < limit;

  return values->len > 0 ? 100.0 * n / values->len : 0;
}
