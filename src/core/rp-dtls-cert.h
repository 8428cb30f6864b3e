/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The DTLS certificate a call presents: a fresh self-signed ECDSA P-256 certificate per peer
 * connection (as browsers make), in place of GStreamer 1.22's default RSA-2048 one.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RP_DTLS_CERT_ERROR (rp_dtls_cert_error_quark ())
GQuark rp_dtls_cert_error_quark (void);

/* Certificate then private key, PEM, as dtlssrtpdec's `pem` property takes them. */
char *rp_dtls_cert_new_pem (GError **error);

/* SHA-256 of the PEM's (first) certificate, upper-case hex with colons as in a=fingerprint;
 * NULL if it holds none. */
char *rp_dtls_cert_fingerprint (const char *pem);

G_END_DECLS
