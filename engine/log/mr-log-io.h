/* mr-log-io.h
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
#include <sys/uio.h>

G_BEGIN_DECLS

/* The system calls and the clock that a partition log uses to change its
 * files. Production code uses mr_log_io_get_default(); tests pass their own
 * table to make a write fail (a full disk), a sync fail, or time move.
 *
 * Each call returns what the system call returns (-1 with errno set on
 * failure). Every function may be called from any thread that uses the log,
 * concurrently. */
typedef struct _MrLogIo MrLogIo;

struct _MrLogIo
{
  gssize  (*pwritev)   (const MrLogIo      *io,
                        int                 fd,
                        const struct iovec *iov,
                        int                 iovcnt,
                        goffset             offset);
  gssize  (*pread)     (const MrLogIo      *io,
                        int                 fd,
                        void               *buf,
                        gsize               count,
                        goffset             offset);
  int     (*fdatasync) (const MrLogIo      *io,
                        int                 fd);
  int     (*ftruncate) (const MrLogIo      *io,
                        int                 fd,
                        goffset             length);
  /* Wall-clock time in milliseconds since the epoch. */
  gint64  (*now_ms)    (const MrLogIo      *io);
  gpointer user_data;
};

const MrLogIo *mr_log_io_get_default (void);

/* Wrappers that loop over short writes and EINTR; they return FALSE with
 * errno set. */
gboolean       mr_log_io_pwritev_all (const MrLogIo      *io,
                                      int                 fd,
                                      const struct iovec *iov,
                                      int                 iovcnt,
                                      goffset             offset);
gboolean       mr_log_io_pread_all   (const MrLogIo      *io,
                                      int                 fd,
                                      void               *buf,
                                      gsize               count,
                                      goffset             offset);

G_END_DECLS
