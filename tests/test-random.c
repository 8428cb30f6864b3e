/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rp-random.h"

static void
test_token_is_128_bits_base64url (void)
{
  g_autofree char *a = rp_random_token (16);
  g_autofree char *b = rp_random_token (16);

  g_assert_cmpuint (strlen (a), ==, 22);
  for (const char *p = a; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_cmpstr (a, !=, b);
}

static void
test_hex_has_two_digits_per_byte (void)
{
  g_autofree char *h = rp_random_hex (16);

  g_assert_cmpuint (strlen (h), ==, 32);
  for (const char *p = h; *p; p++)
    g_assert_true (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
}

static void
test_base64url_has_no_padding (void)
{
  const guint8 data[] = { 0xfb, 0xff };
  g_autofree char *s = rp_base64url_encode (data, sizeof data);

  g_assert_cmpstr (s, ==, "-_8");
}

static void
test_replica_ids_are_distinct_and_never_zero (void)
{
  guint64 a = rp_random_replica_id ();
  guint64 b = rp_random_replica_id ();

  g_assert_cmpuint (a, !=, 0);
  g_assert_cmpuint (b, !=, 0);
  g_assert_cmpuint (a, !=, b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/random/token/is-128-bits-base64url", test_token_is_128_bits_base64url);
  g_test_add_func ("/random/hex/two-digits-per-byte", test_hex_has_two_digits_per_byte);
  g_test_add_func ("/random/base64url/no-padding", test_base64url_has_no_padding);
  g_test_add_func ("/random/replica-id/distinct-and-never-zero",
                   test_replica_ids_are_distinct_and_never_zero);
  return g_test_run ();
}
