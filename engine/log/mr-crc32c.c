/* mr-crc32c.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* CRC-32C (Castagnoli).
 *
 * The CRC uses the reflected polynomial 0x82F63B78, an initial register of
 * all ones and a final complement. Internally every function works on the
 * raw register (no complement on the way in or out); the public entry points
 * complement before and after, which is what makes calls chain.
 *
 * Two implementations:
 *
 *  - slicing-by-8: eight 256-entry tables, where table k maps a byte to the
 *    register it produces when followed by k zero bytes, so eight input
 *    bytes cost eight independent lookups.
 *
 *  - SSE4.2: the crc32 instruction consumes 8 bytes per call but has a
 *    latency of 3 cycles and a throughput of one per cycle. To keep the unit
 *    busy, long inputs are cut into blocks of three equal streams that are
 *    checksummed in parallel: the first stream continues from the incoming
 *    register, the other two start from zero. Because the raw CRC is linear
 *    over GF(2),
 *
 *      crc(s, A B C) = shift_L (shift_L (crc(s, A)) ^ crc(0, B)) ^ crc(0, C)
 *
 *    where shift_L(x) is the register obtained by feeding L zero bytes to a
 *    register x. shift_L is itself a linear map of the 32 register bits, so
 *    it is tabulated per stream length as four 256-entry tables, one per
 *    byte of x. The tables are built from the images of the 32 basis
 *    vectors.
 *
 * All tables are computed once, on first use, under g_once_init_enter();
 * the implementation is chosen at the same time with
 * __builtin_cpu_supports().
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-crc32c.h"

#include <string.h>

#if defined (__x86_64__) && (defined (__GNUC__) || defined (__clang__))
# define MR_CRC32C_HAVE_SSE42 1
# include <nmmintrin.h>
#endif

#define CRC32C_POLY 0x82F63B78u

typedef guint32 (*Crc32cFunc) (guint32       crc,
                               const guint8 *p,
                               gsize         len);

static guint32 slice_table[8][256];

#ifdef MR_CRC32C_HAVE_SSE42
/* A linear map of the 32-bit register: the effect of a run of zero bytes. */
typedef struct
{
  guint32 byte[4][256];
} ShiftTable;

/* Stream lengths of the three-way SSE4.2 loop, longest first, each a
 * multiple of 8 and each a quarter of the one before, so that a 16 KiB
 * batch takes one block of each tier and ends with eight single words. */
# define N_TIERS 4
static const gsize tier_lengths[N_TIERS] = { 4096, 1024, 256, 64 };
static ShiftTable shift_tables[N_TIERS];
#endif

static Crc32cFunc crc32c_impl;
static const char *crc32c_impl_name;
static gboolean crc32c_accelerated;

static inline guint64
load_le64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

static guint32
crc32c_slicing_by_8 (guint32       crc,
                     const guint8 *p,
                     gsize         len)
{
  while (len > 0 && ((guintptr)p & 7) != 0)
    {
      crc = (crc >> 8) ^ slice_table[0][(crc ^ *p++) & 0xff];
      len--;
    }

  while (len >= 8)
    {
      guint64 w = load_le64 (p) ^ crc;

      crc = slice_table[7][w & 0xff] ^
            slice_table[6][(w >> 8) & 0xff] ^
            slice_table[5][(w >> 16) & 0xff] ^
            slice_table[4][(w >> 24) & 0xff] ^
            slice_table[3][(w >> 32) & 0xff] ^
            slice_table[2][(w >> 40) & 0xff] ^
            slice_table[1][(w >> 48) & 0xff] ^
            slice_table[0][w >> 56];
      p += 8;
      len -= 8;
    }

  while (len > 0)
    {
      crc = (crc >> 8) ^ slice_table[0][(crc ^ *p++) & 0xff];
      len--;
    }

  return crc;
}

#ifdef MR_CRC32C_HAVE_SSE42

static inline guint32
shift_apply (const ShiftTable *table,
             guint32           crc)
{
  return table->byte[0][crc & 0xff] ^
         table->byte[1][(crc >> 8) & 0xff] ^
         table->byte[2][(crc >> 16) & 0xff] ^
         table->byte[3][crc >> 24];
}

__attribute__ ((target ("sse4.2")))
static guint32
crc32c_sse42 (guint32       crc,
              const guint8 *p,
              gsize         len)
{
  guint64 c0 = crc;

  while (len > 0 && ((guintptr)p & 7) != 0)
    {
      c0 = _mm_crc32_u8 ((guint32)c0, *p++);
      len--;
    }

  for (guint tier = 0; tier < N_TIERS; tier++)
    {
      const gsize block = tier_lengths[tier];
      const ShiftTable *shift = &shift_tables[tier];

      while (len >= 3 * block)
        {
          const guint8 *end = p + block;
          guint64 c1 = 0;
          guint64 c2 = 0;

          for (; p < end; p += 8)
            {
              c0 = _mm_crc32_u64 (c0, load_le64 (p));
              c1 = _mm_crc32_u64 (c1, load_le64 (p + block));
              c2 = _mm_crc32_u64 (c2, load_le64 (p + 2 * block));
            }

          c0 = shift_apply (shift, shift_apply (shift, (guint32)c0) ^
                                   (guint32)c1) ^ (guint32)c2;
          p += 2 * block;
          len -= 3 * block;
        }
    }

  while (len >= 8)
    {
      c0 = _mm_crc32_u64 (c0, load_le64 (p));
      p += 8;
      len -= 8;
    }

  while (len > 0)
    {
      c0 = _mm_crc32_u8 ((guint32)c0, *p++);
      len--;
    }

  return (guint32)c0;
}

static void
build_shift_table (ShiftTable *table,
                   gsize       n_zero_bytes)
{
  guint32 basis[32];

  /* The image of each single-bit register after n_zero_bytes zeros. */
  for (guint bit = 0; bit < 32; bit++)
    {
      guint32 crc = 1u << bit;

      for (gsize i = 0; i < n_zero_bytes; i++)
        crc = (crc >> 8) ^ slice_table[0][crc & 0xff];
      basis[bit] = crc;
    }

  /* Each entry is the sum of the images of its set bits; build it from the
   * entry without its lowest set bit. */
  for (guint k = 0; k < 4; k++)
    {
      table->byte[k][0] = 0;
      for (guint b = 1; b < 256; b++)
        table->byte[k][b] = table->byte[k][b & (b - 1)] ^
                            basis[8 * k + (guint)__builtin_ctz (b)];
    }
}

#endif /* MR_CRC32C_HAVE_SSE42 */

static void
crc32c_init (void)
{
  static gsize initialized = 0;

  if (!g_once_init_enter (&initialized))
    return;

  for (guint b = 0; b < 256; b++)
    {
      guint32 crc = b;

      for (guint i = 0; i < 8; i++)
        crc = (crc >> 1) ^ (CRC32C_POLY & (0u - (crc & 1)));
      slice_table[0][b] = crc;
    }

  for (guint k = 1; k < 8; k++)
    for (guint b = 0; b < 256; b++)
      {
        guint32 prev = slice_table[k - 1][b];

        slice_table[k][b] = (prev >> 8) ^ slice_table[0][prev & 0xff];
      }

  crc32c_impl = crc32c_slicing_by_8;
  crc32c_impl_name = "slicing-by-8";
  crc32c_accelerated = FALSE;

#ifdef MR_CRC32C_HAVE_SSE42
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("sse4.2"))
    {
      for (guint tier = 0; tier < N_TIERS; tier++)
        build_shift_table (&shift_tables[tier], tier_lengths[tier]);

      crc32c_impl = crc32c_sse42;
      crc32c_impl_name = "sse4.2";
      crc32c_accelerated = TRUE;
    }
#endif

  g_debug ("CRC-32C implementation: %s", crc32c_impl_name);

  g_once_init_leave (&initialized, 1);
}

guint32
mr_crc32c (guint32       crc,
           gconstpointer data,
           gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, crc);

  crc32c_init ();

  if (len == 0)
    return crc;

  return ~crc32c_impl (~crc, data, len);
}

guint32
mr_crc32c_software (guint32       crc,
                    gconstpointer data,
                    gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, crc);

  crc32c_init ();

  if (len == 0)
    return crc;

  return ~crc32c_slicing_by_8 (~crc, data, len);
}

gboolean
mr_crc32c_is_accelerated (void)
{
  crc32c_init ();

  return crc32c_accelerated;
}

const char *
mr_crc32c_implementation (void)
{
  crc32c_init ();

  return crc32c_impl_name;
}
