/* mr-log-io.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-log-io.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static gssize
default_pwritev (const MrLogIo      *io,
                 int                 fd,
                 const struct iovec *iov,
                 int                 iovcnt,
                 goffset             offset)
{
  return pwritev (fd, iov, iovcnt, offset);
}

static gssize
default_pread (const MrLogIo *io,
               int            fd,
               void          *buf,
               gsize          count,
               goffset        offset)
{
  return pread (fd, buf, count, offset);
}

static int
default_fdatasync (const MrLogIo *io,
                   int            fd)
{
  return fdatasync (fd);
}

static int
default_ftruncate (const MrLogIo *io,
                   int            fd,
                   goffset        length)
{
  return ftruncate (fd, length);
}

static gint64
default_now_ms (const MrLogIo *io)
{
  return g_get_real_time () / 1000;
}

static const MrLogIo default_io = {
  .pwritev = default_pwritev,
  .pread = default_pread,
  .fdatasync = default_fdatasync,
  .ftruncate = default_ftruncate,
  .now_ms = default_now_ms,
  .user_data = NULL,
};

const MrLogIo *
mr_log_io_get_default (void)
{
  return &default_io;
}

gboolean
mr_log_io_pwritev_all (const MrLogIo      *io,
                       int                 fd,
                       const struct iovec *iov,
                       int                 iovcnt,
                       goffset             offset)
{
  struct iovec local[IOV_MAX];
  struct iovec *cur = NULL;
  int n = 0;

  g_return_val_if_fail (iovcnt >= 0, FALSE);

  /* A short write leaves us mid-vector: finish it from a private copy, so the
   * caller's vector is never modified. */
  while (iovcnt > 0)
    {
      int chunk = MIN (iovcnt, IOV_MAX);
      gssize written;

      memcpy (local, iov, chunk * sizeof (struct iovec));
      cur = local;
      n = chunk;
      iov += chunk;
      iovcnt -= chunk;

      while (n > 0)
        {
          written = io->pwritev (io, fd, cur, n, offset);
          if (written < 0)
            {
              if (errno == EINTR)
                continue;
              return FALSE;
            }
          if (written == 0)
            {
              errno = ENOSPC;
              return FALSE;
            }

          offset += written;
          while (n > 0 && (gsize)written >= cur->iov_len)
            {
              written -= cur->iov_len;
              cur++;
              n--;
            }
          if (n > 0)
            {
              cur->iov_base = (guint8 *)cur->iov_base + written;
              cur->iov_len -= written;
            }
        }
    }

  return TRUE;
}

gboolean
mr_log_io_pread_all (const MrLogIo *io,
                     int            fd,
                     void          *buf,
                     gsize          count,
                     goffset        offset)
{
  guint8 *p = buf;

  while (count > 0)
    {
      gssize n = io->pread (io, fd, p, count, offset);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      if (n == 0)
        {
          /* The file is shorter than the caller believed. */
          errno = EIO;
          return FALSE;
        }
      p += n;
      count -= n;
      offset += n;
    }

  return TRUE;
}
