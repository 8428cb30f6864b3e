/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rp-meeting.h"

G_BEGIN_DECLS

#define RP_ICAL_ERROR (rp_ical_error_quark ())
GQuark rp_ical_error_quark (void);

typedef enum {
  RP_ICAL_ERROR_NOT_ICALENDAR,   /* no VCALENDAR to be found */
  RP_ICAL_ERROR_TOO_LARGE,
  RP_ICAL_ERROR_NO_EVENTS,
  RP_ICAL_ERROR_INVALID,         /* a meeting that cannot be written */
} RpIcalError;

/* Export: a VCALENDAR with one VEVENT per meeting and one VTIMEZONE per zone used, built from
 * the zone's own transitions and named by its plain IANA identifier. method may be NULL
 * (no METHOD) or e.g. "REQUEST". */
char       *rp_ical_export             (RpMeeting * const *meetings,
                                        guint              n_meetings,
                                        const char        *method,
                                        GError           **error);
char       *rp_ical_build_vtimezone    (GTimeZone         *tz,
                                        gint64             from_utc,
                                        gint64             to_utc);

/* Import: every VEVENT that could be read becomes a meeting; every part that could not
 * becomes one human-readable message in *errors. FALSE (and error) only when the data is not
 * iCalendar at all or holds no events. */
gboolean    rp_ical_import             (const char        *data,
                                        gssize             length,
                                        GPtrArray        **meetings,
                                        GPtrArray        **errors,
                                        GError           **error);

/* The same off the main loop, reading a file: libical can spend seconds on a hostile rule. */
void        rp_ical_import_file_async  (GFile             *file,
                                        GCancellable      *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer           user_data);
GPtrArray  *rp_ical_import_file_finish (GAsyncResult      *result,
                                        GPtrArray        **errors,
                                        GError           **error);

char       *rp_ical_tzid_to_iana       (const char        *tzid);
const char *rp_ical_windows_zone_to_iana (const char      *windows_name);

G_END_DECLS
