/* fuzz-target.h: the libFuzzer entry points, shared by the fuzz targets
 * and the corpus replay (fuzz-replay.c).
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

/* Called once before the first input; optional (a weak symbol). */
int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
/* Runs one input; returns 0. A bug aborts. */
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);
