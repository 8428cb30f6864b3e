/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Randomness from the kernel's CSPRNG (getrandom), for room tokens and client ids: these
 * must be unguessable, which g_random is not.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "rp-random.h"

G_DEFINE_QUARK (rp-random-error-quark, rp_random_error)

gboolean
rp_random_bytes (guint8  *buf,
                 gsize    len,
                 GError **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_set_error (error, RP_RANDOM_ERROR, 0,
                       "Could not read random bytes: %s", g_strerror (errno));
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

char *
rp_base64url_encode (const guint8 *data,
                     gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  GString *out = g_string_sized_new (strlen (b64));

  for (const char *p = b64; *p; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* A base64url token without padding; n_bytes = 16 gives 128 bits, 22 characters. Aborts only
 * if the kernel cannot give randomness at all, which leaves no safe way to go on. */
char *
rp_random_token (gsize n_bytes)
{
  g_autofree guint8 *buf = g_malloc (n_bytes);
  g_autoptr(GError) error = NULL;

  if (!rp_random_bytes (buf, n_bytes, &error))
    g_error ("%s", error->message);
  return rp_base64url_encode (buf, n_bytes);
}

char *
rp_random_hex (gsize n_bytes)
{
  g_autofree guint8 *buf = g_malloc (n_bytes);
  g_autoptr(GError) error = NULL;
  GString *out = g_string_sized_new (n_bytes * 2);

  if (!rp_random_bytes (buf, n_bytes, &error))
    g_error ("%s", error->message);
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (out, "%02x", buf[i]);
  return g_string_free (out, FALSE);
}

/* A document replica's id: random and never 0, as docs/SYNC.md requires. */
guint64
rp_random_replica_id (void)
{
  guint64 id = 0;

  while (id == 0)
    {
      g_autoptr(GError) error = NULL;

      if (!rp_random_bytes ((guint8 *) &id, sizeof id, &error))
        g_error ("%s", error->message);
    }
  return id;
}
