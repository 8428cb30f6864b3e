/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why not GStreamer's own certificate: its dtls elements answer OpenSSL's MTU query with 0, so
 * OpenSSL cuts every handshake flight into 256-byte datagrams, and it retransmits a lost flight
 * after 1 s, then 2, 4, 8 s... An RSA-2048 certificate and its signatures made the flights
 * six to eight datagrams each; with 10 % loss a whole flight got through about half the time
 * and calls took up to 16 s, once more than 60 s, to connect (measured in the net-impair test
 * bed). P-256 halves the flights (its certificate and signatures are a third of RSA's), and
 * making the key takes a millisecond rather than RSA's 200 ms.
 */
#include "config.h"

#include "rp-dtls-cert.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

G_DEFINE_QUARK (rp-dtls-cert-error-quark, rp_dtls_cert_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

/* Browsers' WebRTC certificates: valid from a day ago (clock skew) for 30 days; the name
 * means nothing, the fingerprint in the SDP is what is checked. */
#define VALID_BEFORE_S (24 * 3600L)
#define VALID_FOR_S (30 * 24 * 3600L)

static gboolean
fill_certificate (X509     *x509,
                  EVP_PKEY *key)
{
  unsigned char serial[8];
  ASN1_INTEGER *sn = X509_get_serialNumber (x509);
  BIGNUM *bn;
  X509_NAME *name = X509_get_subject_name (x509);
  gboolean ok;

  if (RAND_bytes (serial, sizeof serial) != 1)
    return FALSE;
  serial[0] &= 0x7f;   /* a positive serial number */
  bn = BN_bin2bn (serial, sizeof serial, NULL);
  ok = bn != NULL && BN_to_ASN1_INTEGER (bn, sn) != NULL;
  BN_free (bn);

  return ok
         && X509_set_version (x509, 2) == 1
         && X509_gmtime_adj (X509_getm_notBefore (x509), -VALID_BEFORE_S) != NULL
         && X509_gmtime_adj (X509_getm_notAfter (x509), VALID_FOR_S) != NULL
         && X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC,
                                        (const unsigned char *) "rapport", -1, -1, 0) == 1
         && X509_set_issuer_name (x509, name) == 1
         && X509_set_pubkey (x509, key) == 1
         && X509_sign (x509, key, EVP_sha256 ()) > 0;
}

char *
rp_dtls_cert_new_pem (GError **error)
{
  g_autoptr(EVP_PKEY) key = EVP_EC_gen ("P-256");
  g_autoptr(X509) x509 = X509_new ();
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long len;

  if (key == NULL || x509 == NULL || bio == NULL || !fill_certificate (x509, key)
      || PEM_write_bio_X509 (bio, x509) != 1
      || PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) != 1)
    {
      g_set_error (error, RP_DTLS_CERT_ERROR, 0,
                   "Could not make the call's DTLS certificate (OpenSSL failed)");
      return NULL;
    }
  len = BIO_get_mem_data (bio, &data);
  return g_strndup (data, len);
}

char *
rp_dtls_cert_fingerprint (const char *pem)
{
  g_autoptr(BIO) bio = BIO_new_mem_buf (pem, -1);
  g_autoptr(X509) x509 = bio != NULL ? PEM_read_bio_X509 (bio, NULL, NULL, NULL) : NULL;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  GString *out;

  if (x509 == NULL || X509_digest (x509, EVP_sha256 (), md, &len) != 1)
    return NULL;
  out = g_string_sized_new (len * 3);
  for (unsigned int i = 0; i < len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", md[i]);
  return g_string_free (out, FALSE);
}
