/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The calls' own DTLS certificates (rp-dtls-cert): what webrtcbin and a browser rely on.
 */
#include "config.h"

#include <string.h>

#include "rp-dtls-cert.h"

static void
test_new_pem_holds_certificate_and_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = rp_dtls_cert_new_pem (&error);

  g_assert_no_error (error);
  g_assert_nonnull (pem);
  /* The certificate first: GStreamer's dtls agent and our fingerprint read it from there. */
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----\n"));
  g_assert_nonnull (strstr (pem, "-----BEGIN PRIVATE KEY-----\n"));
  /* P-256, not RSA: a small certificate keeps the handshake flights short. */
  g_assert_cmpuint (strlen (pem), <, 1200);
}

static void
test_fingerprint_is_sha256_in_sdp_form (void)
{
  g_autofree char *pem = rp_dtls_cert_new_pem (NULL);
  g_autofree char *fp = rp_dtls_cert_fingerprint (pem);

  g_assert_nonnull (fp);
  g_assert_cmpuint (strlen (fp), ==, 32 * 3 - 1);
  for (gsize i = 0; fp[i] != '\0'; i++)
    {
      if (i % 3 == 2)
        g_assert_cmpint (fp[i], ==, ':');
      else
        g_assert_true (g_ascii_isxdigit (fp[i]) && !g_ascii_islower (fp[i]));
    }
}

/* The fingerprint is the certificate's alone: the key that follows it in the PEM must not
 * change it (webrtcbin 1.22's own fingerprint hashed both; see rp-call.c). */
static void
test_fingerprint_ignores_the_key (void)
{
  g_autofree char *pem = rp_dtls_cert_new_pem (NULL);
  const char *key = strstr (pem, "-----BEGIN PRIVATE KEY-----");
  g_autofree char *cert_only = g_strndup (pem, key - pem);
  g_autofree char *a = rp_dtls_cert_fingerprint (pem);
  g_autofree char *b = rp_dtls_cert_fingerprint (cert_only);

  g_assert_cmpstr (a, ==, b);
}

static void
test_each_call_gets_its_own_certificate (void)
{
  g_autofree char *a = rp_dtls_cert_new_pem (NULL);
  g_autofree char *b = rp_dtls_cert_new_pem (NULL);
  g_autofree char *fa = rp_dtls_cert_fingerprint (a);
  g_autofree char *fb = rp_dtls_cert_fingerprint (b);

  g_assert_cmpstr (fa, !=, fb);
}

static void
test_garbage_has_no_fingerprint (void)
{
  g_assert_null (rp_dtls_cert_fingerprint (""));
  g_assert_null (rp_dtls_cert_fingerprint ("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                           "-----END CERTIFICATE-----\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dtls-cert/new-pem-holds-p256-certificate-then-key",
                   test_new_pem_holds_certificate_and_key);
  g_test_add_func ("/dtls-cert/fingerprint-is-sha256-in-sdp-form",
                   test_fingerprint_is_sha256_in_sdp_form);
  g_test_add_func ("/dtls-cert/fingerprint-is-the-certificates-not-the-keys",
                   test_fingerprint_ignores_the_key);
  g_test_add_func ("/dtls-cert/each-call-gets-its-own-certificate",
                   test_each_call_gets_its_own_certificate);
  g_test_add_func ("/dtls-cert/garbage-has-no-fingerprint", test_garbage_has_no_fingerprint);
  return g_test_run ();
}
