/* test-crc32c.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

typedef struct
{
  const char *name;
  guint8      data[48];
  gsize       len;
  guint32     crc;
} Vector;

static void
fill_vectors (Vector *v)
{
  /* RFC 3720, appendix B.4. */
  v[0].name = "32 zero bytes";
  memset (v[0].data, 0x00, 32);
  v[0].len = 32;
  v[0].crc = 0x8A9136AA;

  v[1].name = "32 bytes of 0xff";
  memset (v[1].data, 0xff, 32);
  v[1].len = 32;
  v[1].crc = 0x62A8AB43;

  v[2].name = "32 incrementing bytes";
  for (guint i = 0; i < 32; i++)
    v[2].data[i] = (guint8)i;
  v[2].len = 32;
  v[2].crc = 0x46DD794E;

  v[3].name = "32 decrementing bytes";
  for (guint i = 0; i < 32; i++)
    v[3].data[i] = (guint8)(31 - i);
  v[3].len = 32;
  v[3].crc = 0x113FDB5C;

  v[4].name = "an iSCSI read command";
  {
    static const guint8 pdu[48] = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
      0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };

    memcpy (v[4].data, pdu, sizeof pdu);
    v[4].len = sizeof pdu;
    v[4].crc = 0xD9963A56;
  }
}

static void
test_crc32c_check_value (void)
{
  /* The "check" value of the CRC-32C catalogue entry. */
  g_assert_cmphex (mr_crc32c (0, "123456789", 9), ==, 0xE3069283);
  g_assert_cmphex (mr_crc32c_software (0, "123456789", 9), ==, 0xE3069283);
}

static void
test_crc32c_empty (void)
{
  g_assert_cmphex (mr_crc32c (0, NULL, 0), ==, 0);
  g_assert_cmphex (mr_crc32c (0x12345678, "", 0), ==, 0x12345678);
  g_assert_cmphex (mr_crc32c_software (0xdeadbeef, NULL, 0), ==, 0xdeadbeef);
}

static void
test_crc32c_rfc3720 (void)
{
  Vector vectors[5];

  fill_vectors (vectors);

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      const Vector *v = &vectors[i];

      g_test_message ("%s", v->name);
      g_assert_cmphex (mr_crc32c (0, v->data, v->len), ==, v->crc);
      g_assert_cmphex (mr_crc32c_software (0, v->data, v->len), ==, v->crc);
    }
}

static void
test_crc32c_chaining (void)
{
  g_autofree guint8 *buf = g_malloc (10000);
  guint32 whole;
  GRand *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < 10000; i++)
    buf[i] = (guint8)g_rand_int (rand);

  whole = mr_crc32c (0, buf, 10000);
  g_assert_cmphex (whole, ==, mr_crc32c_software (0, buf, 10000));

  /* Any split point gives the same result, in both implementations. */
  for (gsize split = 0; split <= 10000; split += 97)
    {
      guint32 a = mr_crc32c (0, buf, split);
      guint32 b = mr_crc32c_software (0, buf, split);

      g_assert_cmphex (mr_crc32c (a, buf + split, 10000 - split), ==, whole);
      g_assert_cmphex (mr_crc32c_software (b, buf + split, 10000 - split),
                       ==, whole);
    }

  /* Byte by byte. */
  {
    guint32 crc = 0;

    for (gsize i = 0; i < 10000; i++)
      crc = mr_crc32c (crc, buf + i, 1);
    g_assert_cmphex (crc, ==, whole);
  }

  /* "123456789" in two pieces. */
  g_assert_cmphex (mr_crc32c (mr_crc32c (0, "1234", 4), "56789", 5),
                   ==, 0xE3069283);

  g_rand_free (rand);
}

static void
test_crc32c_implementation (void)
{
  const char *name = mr_crc32c_implementation ();

  g_assert_nonnull (name);
  if (mr_crc32c_is_accelerated ())
    g_assert_cmpstr (name, !=, "slicing-by-8");
  else
    g_assert_cmpstr (name, ==, "slicing-by-8");
  g_test_message ("implementation: %s", name);
}

static void
test_crc32c_accelerated_matches_software (void)
{
  const gsize big = 3 * 1024 * 1024 + 123;
  g_autofree guint8 *buf = g_malloc (big + 16);
  GRand *rand = g_rand_new_with_seed (7);

  for (gsize i = 0; i < big + 16; i++)
    buf[i] = (guint8)g_rand_int (rand);

  /* Every length up to 4 KiB at every alignment within a word, plus the
   * lengths around the three-way block sizes. */
  for (gsize align = 0; align < 8; align++)
    for (gsize len = 0; len <= 4096; len++)
      {
        guint32 seed = (guint32)(len * 2654435761u);

        g_assert_cmphex (mr_crc32c (seed, buf + align, len),
                         ==, mr_crc32c_software (seed, buf + align, len));
      }

  for (gsize len = 12288 - 64; len <= 12288 + 64; len++)
    g_assert_cmphex (mr_crc32c (0, buf + 3, len),
                     ==, mr_crc32c_software (0, buf + 3, len));

  /* A few MiB, aligned and not. */
  for (gsize align = 0; align < 16; align += 5)
    g_assert_cmphex (mr_crc32c (0, buf + align, big),
                     ==, mr_crc32c_software (0, buf + align, big));

  g_rand_free (rand);
}

static void
test_crc32c_single_bit_flips (void)
{
  guint8 buf[300];
  guint32 good;

  for (guint i = 0; i < sizeof buf; i++)
    buf[i] = (guint8)(i * 7);
  good = mr_crc32c (0, buf, sizeof buf);

  /* A CRC catches every single-bit error. */
  for (guint i = 0; i < sizeof buf * 8; i++)
    {
      buf[i / 8] ^= (guint8)(1u << (i % 8));
      g_assert_cmphex (mr_crc32c (0, buf, sizeof buf), !=, good);
      buf[i / 8] ^= (guint8)(1u << (i % 8));
    }
  g_assert_cmphex (mr_crc32c (0, buf, sizeof buf), ==, good);
}

static void
check_value_in_thread_cb (gpointer data,
                            gpointer user_data)
{
  const guint8 *buf = user_data;

  g_assert_cmphex (mr_crc32c (0, buf, 9), ==, 0xE3069283);
}

static void
test_crc32c_threads (void)
{
  /* The first calls may race to initialise the tables; every one of them
   * must see finished tables. Only meaningful in a fresh process. */
  if (g_test_subprocess ())
    {
      GThreadPool *pool = g_thread_pool_new (check_value_in_thread_cb,
                                             (gpointer)"123456789", 8, FALSE,
                                             NULL);

      for (guint i = 0; i < 64; i++)
        g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
      g_thread_pool_free (pool, FALSE, TRUE);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crc32c/check-value", test_crc32c_check_value);
  g_test_add_func ("/crc32c/empty", test_crc32c_empty);
  g_test_add_func ("/crc32c/rfc3720", test_crc32c_rfc3720);
  g_test_add_func ("/crc32c/chaining", test_crc32c_chaining);
  g_test_add_func ("/crc32c/implementation", test_crc32c_implementation);
  g_test_add_func ("/crc32c/accelerated-matches-software",
                   test_crc32c_accelerated_matches_software);
  g_test_add_func ("/crc32c/single-bit-flips", test_crc32c_single_bit_flips);
  g_test_add_func ("/crc32c/threads", test_crc32c_threads);

  return g_test_run ();
}
