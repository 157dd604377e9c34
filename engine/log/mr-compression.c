/* mr-compression.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The codecs of record batches, in the framings Kafka clients use.
 *
 *  - gzip: an RFC 1952 gzip member (zlib with windowBits 15 + 16). Readers
 *    accept several concatenated members, as gunzip does.
 *  - snappy: librdkafka writes raw Snappy (one block with its varint length
 *    prefix). The Java client writes the xerial framing instead: the magic
 *    "\x82SNAPPY\0", a big-endian int32 version and an int32 compatible
 *    version (16 bytes in all), then chunks, each a big-endian int32 length
 *    followed by that many bytes of raw Snappy. Readers accept both; the
 *    writer produces raw Snappy, which every client reads.
 *  - lz4: the LZ4 frame format (magic 0x184D2204), with independent 64 KiB
 *    blocks and no checksums, which is what the Java client writes and
 *    every client reads. Readers accept concatenated frames.
 *  - zstd: a Zstandard frame. Readers use the streaming decoder because
 *    the frames librdkafka and the Java client write do not record their
 *    content size. The decoder keeps zstd's default window limit of
 *    128 MiB, which is also what the Java client accepts.
 *
 * Decompression writes into the caller's array through a Sink that grows it
 * geometrically and never beyond max_output + 1 bytes: a decoder that
 * fills the extra byte has shown that the output is over the limit, which is
 * an error. So a small input that would inflate to gigabytes costs at most
 * max_output + 1 bytes of memory.
 *
 * The zlib, LZ4 and Zstandard contexts are expensive to create (zlib's
 * deflate state alone is about 256 KiB), so each thread keeps one of each in
 * a GPrivate and resets it before every use; they are freed when the thread
 * exits.
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-compression.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "mr-log-error.h"

#define XERIAL_HEADER_SIZE 16
static const guint8 xerial_magic[8] = { 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0 };

/* Raw Snappy's densest element is a 3-byte copy of 64 bytes, so no valid
 * block expands by more than 64/3. A larger declared length is garbage,
 * rejected before any memory is reserved for it. */
#define SNAPPY_MAX_EXPANSION 22

typedef struct
{
  z_stream   deflate;
  gboolean   deflate_ready;
  z_stream   inflate;
  gboolean   inflate_ready;
  LZ4F_dctx *lz4_dctx;
  ZSTD_CCtx *zstd_cctx;
  ZSTD_DCtx *zstd_dctx;
} CodecContexts;

typedef struct
{
  MrCompression codec;
  GByteArray   *out;
  gsize         start;     /* out->len on entry */
  gsize         produced;  /* bytes written after start */
  gsize         capacity;  /* bytes reserved after start */
  gsize         limit;     /* max output; the array may hold limit + 1 */
} Sink;

static void
codec_contexts_free (gpointer data)
{
  CodecContexts *ctx = data;

  if (ctx->deflate_ready)
    deflateEnd (&ctx->deflate);
  if (ctx->inflate_ready)
    inflateEnd (&ctx->inflate);
  if (ctx->lz4_dctx != NULL)
    LZ4F_freeDecompressionContext (ctx->lz4_dctx);
  ZSTD_freeCCtx (ctx->zstd_cctx);
  ZSTD_freeDCtx (ctx->zstd_dctx);
  g_free (ctx);
}

static GPrivate codec_contexts_key = G_PRIVATE_INIT (codec_contexts_free);

static CodecContexts *
codec_contexts_get (void)
{
  CodecContexts *ctx = g_private_get (&codec_contexts_key);

  if (ctx == NULL)
    {
      ctx = g_new0 (CodecContexts, 1);
      g_private_set (&codec_contexts_key, ctx);
    }

  return ctx;
}

static gboolean
set_codec_error (GError        **error,
                 MrCompression   codec,
                 const char     *what,
                 const char     *detail)
{
  g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION,
               "Cannot %s %s data: %s", what,
               mr_compression_to_string (codec), detail);
  return FALSE;
}

static gboolean
set_decompress_error (GError        **error,
                      MrCompression   codec,
                      const char     *detail)
{
  return set_codec_error (error, codec, "decompress", detail);
}

static inline guint32
read_be32 (const guint8 *p)
{
  return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
         ((guint32)p[2] << 8) | (guint32)p[3];
}

/* Output of the compressors: grows @out by @bound bytes and points @dst at
 * them. GByteArray lengths are 32-bit. */
static gboolean
out_reserve (GByteArray     *out,
             gsize           bound,
             MrCompression   codec,
             guint8        **dst,
             GError        **error)
{
  gsize start = out->len;

  if (bound > (gsize)G_MAXUINT - start)
    return set_codec_error (error, codec, "compress",
                            "the output would exceed 4 GiB");

  g_byte_array_set_size (out, (guint)(start + bound));
  *dst = out->data + start;
  return TRUE;
}

static void
sink_init (Sink          *sink,
           MrCompression  codec,
           GByteArray    *out,
           gsize          max_output)
{
  sink->codec = codec;
  sink->out = out;
  sink->start = out->len;
  sink->produced = 0;
  sink->capacity = 0;
  /* Keep limit + 1 within a GByteArray's 32-bit length. */
  sink->limit = MIN (max_output, (gsize)G_MAXUINT - sink->start - 1);
}

static gboolean
sink_set_limit_error (Sink    *sink,
                      GError **error)
{
  g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION,
               "Decompressed %s data exceeds the limit of %" G_GSIZE_FORMAT
               " bytes", mr_compression_to_string (sink->codec), sink->limit);
  return FALSE;
}

/* Makes room for at least @min_free more bytes, up to limit + 1 in all. */
static gboolean
sink_reserve (Sink    *sink,
              gsize    min_free,
              GError **error)
{
  gsize ceiling = sink->limit + 1;
  gsize needed;
  gsize capacity;

  g_assert (min_free > 0);

  if (sink->capacity - sink->produced >= min_free)
    return TRUE;

  if (min_free > ceiling - sink->produced)
    return sink_set_limit_error (sink, error);

  needed = sink->produced + min_free;
  capacity = MAX (MAX (sink->capacity * 2, needed), 4096);
  capacity = MIN (capacity, ceiling);

  g_byte_array_set_size (sink->out, (guint)(sink->start + capacity));
  sink->capacity = capacity;
  return TRUE;
}

static inline guint8 *
sink_free_space (Sink  *sink,
                 gsize *free_len)
{
  *free_len = sink->capacity - sink->produced;
  return sink->out->data + sink->start + sink->produced;
}

static gboolean
sink_finish (Sink    *sink,
             GError **error)
{
  if (sink->produced > sink->limit)
    return sink_set_limit_error (sink, error);

  g_byte_array_set_size (sink->out, (guint)(sink->start + sink->produced));
  return TRUE;
}

static void
sink_abort (Sink *sink)
{
  g_byte_array_set_size (sink->out, (guint)sink->start);
}

static gboolean
gzip_compress (const guint8  *data,
               gsize          len,
               GByteArray    *out,
               GError       **error)
{
  CodecContexts *ctx = codec_contexts_get ();
  z_stream *zs = &ctx->deflate;
  guint8 *dst;
  gsize bound;
  int ret;

  if (!ctx->deflate_ready)
    {
      memset (zs, 0, sizeof *zs);
      if (deflateInit2 (zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                        Z_DEFAULT_STRATEGY) != Z_OK)
        return set_codec_error (error, MR_COMPRESSION_GZIP, "compress",
                                "zlib could not allocate its state");
      ctx->deflate_ready = TRUE;
    }
  else if (deflateReset (zs) != Z_OK)
    return set_codec_error (error, MR_COMPRESSION_GZIP, "compress",
                            "zlib could not reset its state");

  bound = deflateBound (zs, len);
  if (!out_reserve (out, bound, MR_COMPRESSION_GZIP, &dst, error))
    return FALSE;

  /* With the whole input and deflateBound() bytes of room, one call with
   * Z_FINISH completes the stream. */
  zs->next_in = (Bytef *)data;
  zs->avail_in = (uInt)len;
  zs->next_out = dst;
  zs->avail_out = (uInt)bound;
  ret = deflate (zs, Z_FINISH);

  if (ret != Z_STREAM_END)
    {
      g_byte_array_set_size (out, (guint)(dst - out->data));
      return set_codec_error (error, MR_COMPRESSION_GZIP, "compress",
                              zs->msg != NULL ? zs->msg : "deflate failed");
    }

  g_byte_array_set_size (out, (guint)(dst - out->data + zs->total_out));
  return TRUE;
}

static gboolean
gzip_decompress (const guint8  *data,
                 gsize          len,
                 Sink          *sink,
                 GError       **error)
{
  CodecContexts *ctx = codec_contexts_get ();
  z_stream *zs = &ctx->inflate;

  if (!ctx->inflate_ready)
    {
      memset (zs, 0, sizeof *zs);
      if (inflateInit2 (zs, 15 + 16) != Z_OK)
        return set_decompress_error (error, MR_COMPRESSION_GZIP,
                                     "zlib could not allocate its state");
      ctx->inflate_ready = TRUE;
    }
  else if (inflateReset (zs) != Z_OK)
    return set_decompress_error (error, MR_COMPRESSION_GZIP,
                                 "zlib could not reset its state");

  zs->next_in = (Bytef *)data;
  zs->avail_in = (uInt)len;

  for (;;)
    {
      guint8 *dst;
      gsize free_len;
      int ret;

      if (!sink_reserve (sink, 1, error))
        return FALSE;

      dst = sink_free_space (sink, &free_len);
      zs->next_out = dst;
      zs->avail_out = (uInt)MIN (free_len, G_MAXUINT);
      ret = inflate (zs, Z_NO_FLUSH);
      sink->produced += (gsize)(zs->next_out - dst);

      if (ret == Z_STREAM_END)
        {
          if (zs->avail_in == 0)
            return TRUE;

          /* Another member follows. */
          if (inflateReset (zs) != Z_OK)
            return set_decompress_error (error, MR_COMPRESSION_GZIP,
                                         "zlib could not reset its state");
          continue;
        }

      if (ret == Z_BUF_ERROR && zs->avail_in == 0)
        return set_decompress_error (error, MR_COMPRESSION_GZIP,
                                     "the data is truncated");

      if (ret != Z_OK)
        return set_decompress_error (error, MR_COMPRESSION_GZIP,
                                     zs->msg != NULL ? zs->msg
                                                     : "inflate failed");
    }
}

static gboolean
snappy_raw_decompress (const guint8  *data,
                       gsize          len,
                       Sink          *sink,
                       GError       **error)
{
  guint8 *dst;
  gsize free_len;
  size_t declared = 0;
  size_t written;

  if (snappy_uncompressed_length ((const char *)data, len, &declared)
      != SNAPPY_OK)
    return set_decompress_error (error, MR_COMPRESSION_SNAPPY,
                                 "the length prefix is invalid");

  if (declared > sink->limit - MIN (sink->limit, sink->produced))
    return sink_set_limit_error (sink, error);

  if (declared / SNAPPY_MAX_EXPANSION > len)
    return set_decompress_error (error, MR_COMPRESSION_SNAPPY,
                                 "the declared length is impossible for "
                                 "the input size");

  if (declared == 0)
    {
      /* Nothing follows the length of an empty block. */
      if (len != 1)
        return set_decompress_error (error, MR_COMPRESSION_SNAPPY,
                                     "the data is invalid");
      return TRUE;
    }

  if (!sink_reserve (sink, declared, error))
    return FALSE;

  dst = sink_free_space (sink, &free_len);
  written = free_len;
  if (snappy_uncompress ((const char *)data, len, (char *)dst, &written)
      != SNAPPY_OK || written != declared)
    return set_decompress_error (error, MR_COMPRESSION_SNAPPY,
                                 "the data is invalid");

  sink->produced += written;
  return TRUE;
}

static gboolean
snappy_decompress (const guint8  *data,
                   gsize          len,
                   Sink          *sink,
                   GError       **error)
{
  const guint8 *p;
  gsize left;

  if (len < XERIAL_HEADER_SIZE ||
      memcmp (data, xerial_magic, sizeof xerial_magic) != 0)
    return snappy_raw_decompress (data, len, sink, error);

  /* Xerial framing. The version fields are not checked: every version
   * written so far has the same chunk layout. */
  p = data + XERIAL_HEADER_SIZE;
  left = len - XERIAL_HEADER_SIZE;

  while (left > 0)
    {
      guint32 chunk_len;

      if (left < 4)
        return set_decompress_error (error, MR_COMPRESSION_SNAPPY,
                                     "a xerial chunk length is truncated");

      chunk_len = read_be32 (p);
      p += 4;
      left -= 4;

      if (chunk_len > left)
        return set_decompress_error (error, MR_COMPRESSION_SNAPPY,
                                     "a xerial chunk runs past the end of "
                                     "the data");

      if (chunk_len > 0 &&
          !snappy_raw_decompress (p, chunk_len, sink, error))
        return FALSE;

      p += chunk_len;
      left -= chunk_len;
    }

  return TRUE;
}

static gboolean
snappy_compress_raw (const guint8  *data,
                     gsize          len,
                     GByteArray    *out,
                     GError       **error)
{
  gsize start = out->len;
  size_t bound = snappy_max_compressed_length (len);
  size_t written = bound;
  guint8 *dst;

  if (!out_reserve (out, bound, MR_COMPRESSION_SNAPPY, &dst, error))
    return FALSE;

  if (snappy_compress ((const char *)data, len, (char *)dst, &written)
      != SNAPPY_OK)
    {
      g_byte_array_set_size (out, (guint)start);
      return set_codec_error (error, MR_COMPRESSION_SNAPPY, "compress",
                              "snappy_compress failed");
    }

  g_byte_array_set_size (out, (guint)(start + written));
  return TRUE;
}

static void
lz4_preferences_init (LZ4F_preferences_t *prefs)
{
  memset (prefs, 0, sizeof *prefs);
  prefs->frameInfo.blockSizeID = LZ4F_max64KB;
  prefs->frameInfo.blockMode = LZ4F_blockIndependent;
  prefs->frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs->frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs->compressionLevel = 0;
}

static gboolean
lz4_compress (const guint8  *data,
              gsize          len,
              GByteArray    *out,
              GError       **error)
{
  LZ4F_preferences_t prefs;
  gsize start = out->len;
  size_t bound;
  size_t written;
  guint8 *dst;

  lz4_preferences_init (&prefs);
  bound = LZ4F_compressFrameBound (len, &prefs);

  if (!out_reserve (out, bound, MR_COMPRESSION_LZ4, &dst, error))
    return FALSE;

  written = LZ4F_compressFrame (dst, bound, data, len, &prefs);
  if (LZ4F_isError (written))
    {
      g_byte_array_set_size (out, (guint)start);
      return set_codec_error (error, MR_COMPRESSION_LZ4, "compress",
                              LZ4F_getErrorName (written));
    }

  g_byte_array_set_size (out, (guint)(start + written));
  return TRUE;
}

static gboolean
lz4_decompress (const guint8  *data,
                gsize          len,
                Sink          *sink,
                GError       **error)
{
  CodecContexts *ctx = codec_contexts_get ();
  const guint8 *p = data;
  gsize left = len;
  size_t hint = 1;

  if (ctx->lz4_dctx == NULL)
    {
      LZ4F_errorCode_t ret;

      ret = LZ4F_createDecompressionContext (&ctx->lz4_dctx, LZ4F_VERSION);
      if (LZ4F_isError (ret))
        {
          ctx->lz4_dctx = NULL;
          return set_decompress_error (error, MR_COMPRESSION_LZ4,
                                       LZ4F_getErrorName (ret));
        }
    }
  else
    LZ4F_resetDecompressionContext (ctx->lz4_dctx);

  /* A hint of 0 means the decoder stands between frames. */
  while (left > 0 || hint != 0)
    {
      guint8 *dst;
      gsize free_len;
      size_t dst_len;
      size_t src_len = left;

      if (!sink_reserve (sink, 1, error))
        return FALSE;

      dst = sink_free_space (sink, &free_len);
      dst_len = free_len;
      hint = LZ4F_decompress (ctx->lz4_dctx, dst, &dst_len, p, &src_len,
                              NULL);
      if (LZ4F_isError (hint))
        return set_decompress_error (error, MR_COMPRESSION_LZ4,
                                     LZ4F_getErrorName (hint));

      p += src_len;
      left -= src_len;
      sink->produced += dst_len;

      if (src_len == 0 && dst_len == 0)
        return set_decompress_error (error, MR_COMPRESSION_LZ4,
                                     "the data is truncated");
    }

  return TRUE;
}

static ZSTD_CCtx *
zstd_get_cctx (GError **error)
{
  CodecContexts *ctx = codec_contexts_get ();

  if (ctx->zstd_cctx == NULL && (ctx->zstd_cctx = ZSTD_createCCtx ()) == NULL)
    set_codec_error (error, MR_COMPRESSION_ZSTD, "compress",
                     "zstd could not allocate a context");

  return ctx->zstd_cctx;
}

static ZSTD_DCtx *
zstd_get_dctx (GError **error)
{
  CodecContexts *ctx = codec_contexts_get ();

  if (ctx->zstd_dctx == NULL)
    {
      if ((ctx->zstd_dctx = ZSTD_createDCtx ()) == NULL)
        set_decompress_error (error, MR_COMPRESSION_ZSTD,
                              "zstd could not allocate a context");
    }
  else
    ZSTD_DCtx_reset (ctx->zstd_dctx, ZSTD_reset_session_only);

  return ctx->zstd_dctx;
}

static gboolean
zstd_compress (const guint8  *data,
               gsize          len,
               GByteArray    *out,
               GError       **error)
{
  ZSTD_CCtx *cctx = zstd_get_cctx (error);
  gsize start = out->len;
  size_t bound;
  size_t written;
  guint8 *dst;

  if (cctx == NULL)
    return FALSE;

  bound = ZSTD_compressBound (len);
  if (!out_reserve (out, bound, MR_COMPRESSION_ZSTD, &dst, error))
    return FALSE;

  written = ZSTD_compressCCtx (cctx, dst, bound, data, len,
                               ZSTD_CLEVEL_DEFAULT);
  if (ZSTD_isError (written))
    {
      g_byte_array_set_size (out, (guint)start);
      return set_codec_error (error, MR_COMPRESSION_ZSTD, "compress",
                              ZSTD_getErrorName (written));
    }

  g_byte_array_set_size (out, (guint)(start + written));
  return TRUE;
}

static gboolean
zstd_decompress (const guint8  *data,
                 gsize          len,
                 Sink          *sink,
                 GError       **error)
{
  ZSTD_DCtx *dctx = zstd_get_dctx (error);
  ZSTD_inBuffer in = { data, len, 0 };
  size_t hint = 1;

  if (dctx == NULL)
    return FALSE;

  /* A hint of 0 means the decoder stands between frames. */
  while (in.pos < in.size || hint != 0)
    {
      ZSTD_outBuffer outbuf;
      gsize free_len;
      gsize in_before = in.pos;

      if (!sink_reserve (sink, 1, error))
        return FALSE;

      outbuf.dst = sink_free_space (sink, &free_len);
      outbuf.size = free_len;
      outbuf.pos = 0;

      hint = ZSTD_decompressStream (dctx, &outbuf, &in);
      if (ZSTD_isError (hint))
        return set_decompress_error (error, MR_COMPRESSION_ZSTD,
                                     ZSTD_getErrorName (hint));

      sink->produced += outbuf.pos;

      if (outbuf.pos == 0 && in.pos == in_before)
        return set_decompress_error (error, MR_COMPRESSION_ZSTD,
                                     "the data is truncated");
    }

  return TRUE;
}

const char *
mr_compression_to_string (MrCompression codec)
{
  switch (codec)
    {
    case MR_COMPRESSION_NONE:
      return "none";
    case MR_COMPRESSION_GZIP:
      return "gzip";
    case MR_COMPRESSION_SNAPPY:
      return "snappy";
    case MR_COMPRESSION_LZ4:
      return "lz4";
    case MR_COMPRESSION_ZSTD:
      return "zstd";
    default:
      /* Codec bits 5 to 7 of a foreign batch. */
      return "unknown";
    }
}

gboolean
mr_compression_from_string (const char    *name,
                            MrCompression *codec)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i <= MR_COMPRESSION_LAST; i++)
    {
      if (g_str_equal (name, mr_compression_to_string ((MrCompression)i)))
        {
          if (codec != NULL)
            *codec = (MrCompression)i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
mr_compression_compress (MrCompression   codec,
                         const guint8   *data,
                         gsize           len,
                         GByteArray     *out,
                         GError        **error)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Every codec library here takes 32-bit lengths somewhere, and a batch
   * is at most 2 GiB anyway. */
  if (len > G_MAXINT32)
    return set_codec_error (error, codec, "compress",
                            "the input exceeds 2 GiB");

  if (data == NULL)
    data = (const guint8 *)"";

  switch (codec)
    {
    case MR_COMPRESSION_NONE:
      if (len > (gsize)G_MAXUINT - out->len)
        return set_codec_error (error, codec, "compress",
                                "the output would exceed 4 GiB");
      g_byte_array_append (out, data, (guint)len);
      return TRUE;

    case MR_COMPRESSION_GZIP:
      return gzip_compress (data, len, out, error);

    case MR_COMPRESSION_SNAPPY:
      return snappy_compress_raw (data, len, out, error);

    case MR_COMPRESSION_LZ4:
      return lz4_compress (data, len, out, error);

    case MR_COMPRESSION_ZSTD:
      return zstd_compress (data, len, out, error);

    default:
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION,
                   "Unknown compression codec %d", (int)codec);
      return FALSE;
    }
}

gboolean
mr_compression_decompress (MrCompression   codec,
                           const guint8   *data,
                           gsize           len,
                           gsize           max_output,
                           GByteArray     *out,
                           GError        **error)
{
  Sink sink;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len > G_MAXINT32)
    return set_decompress_error (error, codec, "the input exceeds 2 GiB");

  if (out->len >= G_MAXUINT - 1)
    return set_decompress_error (error, codec, "the output array is full");

  if (data == NULL)
    data = (const guint8 *)"";

  sink_init (&sink, codec, out, max_output);

  switch (codec)
    {
    case MR_COMPRESSION_NONE:
      if (len > sink.limit)
        return sink_set_limit_error (&sink, error);
      g_byte_array_append (out, data, (guint)len);
      return TRUE;

    case MR_COMPRESSION_GZIP:
      ok = gzip_decompress (data, len, &sink, error);
      break;

    case MR_COMPRESSION_SNAPPY:
      ok = snappy_decompress (data, len, &sink, error);
      break;

    case MR_COMPRESSION_LZ4:
      ok = lz4_decompress (data, len, &sink, error);
      break;

    case MR_COMPRESSION_ZSTD:
      ok = zstd_decompress (data, len, &sink, error);
      break;

    default:
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION,
                   "Unknown compression codec %d", (int)codec);
      return FALSE;
    }

  if (ok)
    ok = sink_finish (&sink, error);
  if (!ok)
    sink_abort (&sink);

  return ok;
}
