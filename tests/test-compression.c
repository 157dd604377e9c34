/* test-compression.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

static const MrCompression all_codecs[] = {
  MR_COMPRESSION_NONE,
  MR_COMPRESSION_GZIP,
  MR_COMPRESSION_SNAPPY,
  MR_COMPRESSION_LZ4,
  MR_COMPRESSION_ZSTD,
};

static const MrCompression real_codecs[] = {
  MR_COMPRESSION_GZIP,
  MR_COMPRESSION_SNAPPY,
  MR_COMPRESSION_LZ4,
  MR_COMPRESSION_ZSTD,
};

#define UNLIMITED ((gsize)256 * 1024 * 1024)

static GBytes *
make_compressible (gsize len)
{
  GString *s = g_string_sized_new (len + 64);
  guint i = 0;

  while (s->len < len)
    {
      g_string_append_printf (s, "{\"order\": %u, \"item\": \"widget-%u\"}\n",
                              i, i % 17);
      i++;
    }
  g_string_truncate (s, len);
  return g_string_free_to_bytes (s);
}

static GBytes *
make_random (gsize  len,
             guint  seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  guint8 *buf = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8)g_rand_int (rand);
  g_rand_free (rand);
  return g_bytes_new_take (buf, len);
}

static GByteArray *
compress_or_die (MrCompression  codec,
                 const guint8  *data,
                 gsize          len)
{
  g_autoptr(GError) error = NULL;
  GByteArray *out = g_byte_array_new ();

  g_assert_true (mr_compression_compress (codec, data, len, out, &error));
  g_assert_no_error (error);
  return out;
}

static void
assert_round_trip (MrCompression  codec,
                   GBytes        *input)
{
  g_autoptr(GByteArray) compressed = NULL;
  g_autoptr(GByteArray) decompressed = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (input, &len);
  static const guint8 prefix[] = "prefix";

  compressed = compress_or_die (codec, data, len);

  /* Decompression appends after what the array already holds. */
  g_byte_array_append (decompressed, prefix, sizeof prefix);
  g_assert_true (mr_compression_decompress (codec, compressed->data,
                                            compressed->len, UNLIMITED,
                                            decompressed, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (decompressed->data, sizeof prefix, prefix, sizeof prefix);
  g_assert_cmpmem (decompressed->data + sizeof prefix,
                   decompressed->len - sizeof prefix, data, len);
}

static void
test_compression_round_trip (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) small = g_bytes_new_static ("hello, kafka", 12);
  g_autoptr(GBytes) one_byte = g_bytes_new_static ("x", 1);
  g_autoptr(GBytes) text = make_compressible (1024 * 1024);
  g_autoptr(GBytes) noise = make_random (1024 * 1024, 1);
  g_autoptr(GBytes) odd = make_random (65536 * 3 + 17, 2);

  for (guint i = 0; i < G_N_ELEMENTS (all_codecs); i++)
    {
      g_test_message ("codec %s", mr_compression_to_string (all_codecs[i]));
      assert_round_trip (all_codecs[i], empty);
      assert_round_trip (all_codecs[i], one_byte);
      assert_round_trip (all_codecs[i], small);
      assert_round_trip (all_codecs[i], text);
      assert_round_trip (all_codecs[i], noise);
      assert_round_trip (all_codecs[i], odd);
    }
}

static void
test_compression_compresses (void)
{
  g_autoptr(GBytes) text = make_compressible (1024 * 1024);
  static const guint8 prefix[] = { 1, 2, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (real_codecs); i++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      /* Compression appends too. */
      g_byte_array_append (out, prefix, sizeof prefix);
      g_assert_true (mr_compression_compress (real_codecs[i],
                                              g_bytes_get_data (text, NULL),
                                              g_bytes_get_size (text),
                                              out, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (out->data, sizeof prefix, prefix, sizeof prefix);
      g_assert_cmpuint (out->len, <, g_bytes_get_size (text) / 4);
    }
}

static void
test_compression_framing (void)
{
  g_autoptr(GByteArray) gz = compress_or_die (MR_COMPRESSION_GZIP,
                                              (const guint8 *)"abc", 3);
  g_autoptr(GByteArray) lz = compress_or_die (MR_COMPRESSION_LZ4,
                                              (const guint8 *)"abc", 3);
  g_autoptr(GByteArray) zs = compress_or_die (MR_COMPRESSION_ZSTD,
                                              (const guint8 *)"abc", 3);
  g_autoptr(GByteArray) sn = compress_or_die (MR_COMPRESSION_SNAPPY,
                                              (const guint8 *)"abc", 3);
  g_autoptr(GByteArray) none = compress_or_die (MR_COMPRESSION_NONE,
                                                (const guint8 *)"abc", 3);

  /* A gzip member, not a zlib stream. */
  g_assert_cmpuint (gz->len, >, 18);
  g_assert_cmphex (gz->data[0], ==, 0x1f);
  g_assert_cmphex (gz->data[1], ==, 0x8b);

  /* An LZ4 frame with independent 64 KiB blocks (FLG 0x60, BD 0x40), the
   * form the Java client reads. */
  g_assert_cmpuint (lz->len, >, 7);
  g_assert_cmpmem (lz->data, 4, "\x04\x22\x4d\x18", 4);
  g_assert_cmphex (lz->data[4], ==, 0x60);
  g_assert_cmphex (lz->data[5], ==, 0x40);

  /* A Zstandard frame. */
  g_assert_cmpuint (zs->len, >, 4);
  g_assert_cmpmem (zs->data, 4, "\x28\xb5\x2f\xfd", 4);

  /* Raw Snappy, as librdkafka writes it: the length, then one literal. */
  g_assert_cmpmem (sn->data, sn->len, "\x03\x08" "abc", 5);

  g_assert_cmpmem (none->data, none->len, "abc", 3);
}

static GByteArray *
build_xerial (const guint8 *data,
              gsize         len,
              gsize         chunk_size)
{
  static const guint8 header[16] = {
    0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0,
    0, 0, 0, 1,   /* version */
    0, 0, 0, 1,   /* compatible version */
  };
  GByteArray *framed = g_byte_array_new ();

  g_byte_array_append (framed, header, sizeof header);

  for (gsize off = 0; off < len; off += chunk_size)
    {
      g_autoptr(GByteArray) chunk = NULL;
      gsize n = MIN (chunk_size, len - off);
      guint32 be;

      chunk = compress_or_die (MR_COMPRESSION_SNAPPY, data + off, n);
      be = GUINT32_TO_BE (chunk->len);
      g_byte_array_append (framed, (const guint8 *)&be, 4);
      g_byte_array_append (framed, chunk->data, chunk->len);
    }

  return framed;
}

static void
test_compression_snappy_xerial (void)
{
  g_autoptr(GBytes) text = make_compressible (100000);
  g_autoptr(GByteArray) framed = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) empty_out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (text, &len);

  /* The Java client frames chunks of 32 KiB. */
  framed = build_xerial (data, len, 32 * 1024);
  g_assert_true (mr_compression_decompress (MR_COMPRESSION_SNAPPY,
                                            framed->data, framed->len,
                                            UNLIMITED, out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out->data, out->len, data, len);

  /* The limit counts across chunks. */
  g_byte_array_set_size (out, 0);
  g_assert_false (mr_compression_decompress (MR_COMPRESSION_SNAPPY,
                                             framed->data, framed->len,
                                             len - 1, out, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
  g_assert_nonnull (strstr (error->message, "limit"));
  g_assert_cmpuint (out->len, ==, 0);
  g_clear_error (&error);

  /* A chunk length that runs past the end. */
  g_byte_array_set_size (framed, framed->len - 5);
  g_assert_false (mr_compression_decompress (MR_COMPRESSION_SNAPPY,
                                             framed->data, framed->len,
                                             UNLIMITED, out, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
  g_clear_error (&error);

  /* A header with no chunks is empty data. */
  g_byte_array_set_size (framed, 16);
  g_assert_true (mr_compression_decompress (MR_COMPRESSION_SNAPPY,
                                            framed->data, framed->len,
                                            UNLIMITED, empty_out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (empty_out->len, ==, 0);

  /* A truncated chunk length. */
  g_byte_array_append (framed, (const guint8 *)"\0\0", 2);
  g_assert_false (mr_compression_decompress (MR_COMPRESSION_SNAPPY,
                                             framed->data, framed->len,
                                             UNLIMITED, empty_out, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
}

static void
test_compression_concatenated (void)
{
  static const MrCompression codecs[] = {
    MR_COMPRESSION_GZIP,
    MR_COMPRESSION_LZ4,
    MR_COMPRESSION_ZSTD,
  };

  /* gunzip, lz4 and zstd all read concatenated members or frames as the
   * concatenation of their contents. */
  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    {
      g_autoptr(GByteArray) both = g_byte_array_new ();
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      g_assert_true (mr_compression_compress (codecs[i],
                                              (const guint8 *)"first,", 6,
                                              both, &error));
      g_assert_true (mr_compression_compress (codecs[i],
                                              (const guint8 *)"second", 6,
                                              both, &error));
      g_assert_true (mr_compression_decompress (codecs[i], both->data,
                                                both->len, UNLIMITED, out,
                                                &error));
      g_assert_no_error (error);
      g_assert_cmpmem (out->data, out->len, "first,second", 12);
    }
}

static void
assert_decompress_fails (MrCompression  codec,
                         const guint8  *data,
                         gsize          len)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_byte_array_append (out, (const guint8 *)"keep", 4);
  g_assert_false (mr_compression_decompress (codec, data, len, UNLIMITED,
                                             out, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
  g_assert_nonnull (strstr (error->message,
                            mr_compression_to_string (codec)));
  /* A failure leaves the array as it was. */
  g_assert_cmpmem (out->data, out->len, "keep", 4);
}

static void
test_compression_bad_input (void)
{
  g_autoptr(GBytes) text = make_compressible (300000);
  g_autoptr(GBytes) noise = make_random (4096, 3);
  const guint8 *noise_data = g_bytes_get_data (noise, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (real_codecs); i++)
    {
      MrCompression codec = real_codecs[i];
      g_autoptr(GByteArray) good = NULL;

      g_test_message ("codec %s", mr_compression_to_string (codec));
      good = compress_or_die (codec, g_bytes_get_data (text, NULL),
                              g_bytes_get_size (text));

      /* Nothing at all. */
      assert_decompress_fails (codec, NULL, 0);

      /* Cut at several points, including inside the frame header. */
      assert_decompress_fails (codec, good->data, 1);
      assert_decompress_fails (codec, good->data, 3);
      assert_decompress_fails (codec, good->data, good->len / 2);
      assert_decompress_fails (codec, good->data, good->len - 1);

      /* Random bytes, and random bytes behind a valid frame. */
      assert_decompress_fails (codec, noise_data, 4096);
      {
        g_autoptr(GByteArray) trailing = g_byte_array_new ();

        g_byte_array_append (trailing, good->data, good->len);
        g_byte_array_append (trailing, noise_data, 64);
        /* Snappy has no end marker: trailing bytes make the declared length
         * wrong, which it also detects. */
        assert_decompress_fails (codec, trailing->data, trailing->len);
      }

      /* Damage in the middle of the compressed stream. Only gzip carries
       * a checksum of its content; the others may decode damaged literals
       * without noticing (the batch CRC covers them instead). */
      if (codec == MR_COMPRESSION_GZIP)
        {
          g_autoptr(GByteArray) damaged = g_byte_array_new ();

          g_byte_array_append (damaged, good->data, good->len);
          for (gsize j = damaged->len / 3; j < damaged->len / 3 + 8; j++)
            damaged->data[j] ^= 0x5a;
          assert_decompress_fails (codec, damaged->data, damaged->len);
        }
    }
}

static void
test_compression_garbage_never_crashes (void)
{
  GRand *rand = g_rand_new_with_seed (99);

  /* Random damage to valid frames: any outcome but a crash or an unbounded
   * allocation is acceptable. */
  for (guint i = 0; i < G_N_ELEMENTS (real_codecs); i++)
    {
      g_autoptr(GBytes) text = make_compressible (20000);
      g_autoptr(GByteArray) good = NULL;

      good = compress_or_die (real_codecs[i], g_bytes_get_data (text, NULL),
                              g_bytes_get_size (text));

      for (guint round = 0; round < 300; round++)
        {
          g_autoptr(GByteArray) damaged = g_byte_array_new ();
          g_autoptr(GByteArray) out = g_byte_array_new ();
          g_autoptr(GError) error = NULL;
          gboolean ok;

          g_byte_array_append (damaged, good->data, good->len);
          for (guint k = 0; k < 1 + round % 4; k++)
            damaged->data[g_rand_int_range (rand, 0, (gint32)damaged->len)]
              = (guint8)g_rand_int (rand);

          ok = mr_compression_decompress (real_codecs[i], damaged->data,
                                          damaged->len, 100000, out, &error);
          if (ok)
            {
              g_assert_no_error (error);
              g_assert_cmpuint (out->len, <=, 100000);
            }
          else
            {
              g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
              g_assert_cmpuint (out->len, ==, 0);
            }
        }
    }

  g_rand_free (rand);
}

static void
test_compression_max_output (void)
{
  const gsize big = 4 * 1024 * 1024;
  g_autofree guint8 *zeros = g_malloc0 (big);

  for (guint i = 0; i < G_N_ELEMENTS (all_codecs); i++)
    {
      MrCompression codec = all_codecs[i];
      g_autoptr(GByteArray) bomb = compress_or_die (codec, zeros, big);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      g_test_message ("codec %s: %u bytes inflate to %" G_GSIZE_FORMAT,
                      mr_compression_to_string (codec), bomb->len, big);
      if (codec != MR_COMPRESSION_NONE)
        g_assert_cmpuint (bomb->len, <, big / 20);

      /* Far over the limit. */
      g_assert_false (mr_compression_decompress (codec, bomb->data,
                                                 bomb->len, 64 * 1024, out,
                                                 &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
      g_assert_nonnull (strstr (error->message, "limit"));
      g_assert_nonnull (strstr (error->message, "65536"));
      g_assert_cmpuint (out->len, ==, 0);
      g_clear_error (&error);

      /* One byte over. */
      g_assert_false (mr_compression_decompress (codec, bomb->data,
                                                 bomb->len, big - 1, out,
                                                 &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
      g_assert_cmpuint (out->len, ==, 0);
      g_clear_error (&error);

      /* Exactly at the limit is fine. */
      g_assert_true (mr_compression_decompress (codec, bomb->data,
                                                bomb->len, big, out,
                                                &error));
      g_assert_no_error (error);
      g_assert_cmpuint (out->len, ==, big);
      g_assert_true (memcmp (out->data, zeros, big) == 0);
    }
}

static void
test_compression_names (void)
{
  static const char *names[] = { "none", "gzip", "snappy", "lz4", "zstd" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      MrCompression codec = MR_COMPRESSION_ZSTD + 1;

      g_assert_cmpstr (mr_compression_to_string ((MrCompression)i),
                       ==, names[i]);
      g_assert_true (mr_compression_from_string (names[i], &codec));
      g_assert_cmpint (codec, ==, i);
    }

  g_assert_false (mr_compression_from_string ("brotli", NULL));
  g_assert_false (mr_compression_from_string ("", NULL));
  g_assert_false (mr_compression_from_string ("GZIP", NULL));
  g_assert_true (mr_compression_from_string ("lz4", NULL));
}

static void
test_compression_unknown_codec (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  /* Codec bits 5-7 can arrive from the wire. */
  g_assert_false (mr_compression_decompress ((MrCompression)5,
                                             (const guint8 *)"abc", 3,
                                             UNLIMITED, out, &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
  g_assert_cmpuint (out->len, ==, 0);
}

static void
codec_thread_cb (gpointer data,
                 gpointer user_data)
{
  GBytes *text = user_data;
  MrCompression codec = real_codecs[GPOINTER_TO_UINT (data) %
                                    G_N_ELEMENTS (real_codecs)];

  for (guint i = 0; i < 20; i++)
    assert_round_trip (codec, text);
}

static void
test_compression_threads (void)
{
  g_autoptr(GBytes) text = make_compressible (50000);
  GThreadPool *pool = NULL;

  /* Each thread keeps its own codec contexts. */
  pool = g_thread_pool_new (codec_thread_cb, text, 4, TRUE, NULL);
  for (guint i = 0; i < 16; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/compression/round-trip", test_compression_round_trip);
  g_test_add_func ("/compression/compresses", test_compression_compresses);
  g_test_add_func ("/compression/framing", test_compression_framing);
  g_test_add_func ("/compression/snappy-xerial",
                   test_compression_snappy_xerial);
  g_test_add_func ("/compression/concatenated",
                   test_compression_concatenated);
  g_test_add_func ("/compression/bad-input", test_compression_bad_input);
  g_test_add_func ("/compression/garbage-never-crashes",
                   test_compression_garbage_never_crashes);
  g_test_add_func ("/compression/max-output", test_compression_max_output);
  g_test_add_func ("/compression/names", test_compression_names);
  g_test_add_func ("/compression/unknown-codec",
                   test_compression_unknown_codec);
  g_test_add_func ("/compression/threads", test_compression_threads);

  return g_test_run ();
}
