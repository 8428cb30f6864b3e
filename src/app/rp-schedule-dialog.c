/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schedule dialog: a thin view over the core's overlap finder (rp-slots), recurrence
 * expansion (rp-schedule), proposals and iCalendar export. The search runs in a worker thread
 * (rp_find_slots_async) and is cancelled whenever an option changes, so typing or clicking
 * never waits on it.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rp-ical.h"
#include "rp-schedule-dialog.h"
#include "rp-working-hours.h"

#define SEARCH_DAYS    7
#define LISTED_SLOTS   24
#define PROPOSED_SLOTS 3

struct _RpScheduleDialog
{
  GtkDialog       parent_instance;

  /* template */
  GtkLabel       *date_label;
  GtkCalendar    *calendar;
  GtkComboBoxText *length_combo;
  GtkComboBoxText *repeat_combo;
  GtkDrawingArea *strip_area;
  GtkLabel       *me_time_label;
  GtkLabel       *partner_time_label;
  GtkRevealer    *warning_revealer;
  GtkLabel       *warning_label;
  GtkListBox     *slot_list;
  GtkLabel       *placeholder_label;
  GtkLabel       *status_label;

  char           *me_zone;
  char           *me_hours;
  char           *partner_name;
  char           *partner_zone;
  char           *partner_hours;
  char           *link;

  RpLocal         from;
  GPtrArray      *slots;        /* RpSlot*, best first */
  gint            selected;     /* index into slots, or -1 */
  char           *warning;
  char           *error;
  GCancellable   *search;
  GCancellable   *io;
};

G_DEFINE_FINAL_TYPE (RpScheduleDialog, rp_schedule_dialog, GTK_TYPE_DIALOG)

enum {
  PROP_0,
  PROP_ME_ZONE,
  PROP_ME_HOURS,
  PROP_PARTNER_NAME,
  PROP_PARTNER_ZONE,
  PROP_PARTNER_HOURS,
  PROP_LINK,
  N_PROPS
};

enum {
  SIGNAL_PROPOSE,
  SIGNAL_SLOTS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_search (RpScheduleDialog *self);

/* ---------------------------------------------------------------- helpers ---- */

static guint
selected_minutes (RpScheduleDialog *self)
{
  const char *id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->length_combo));

  return id ? (guint) g_ascii_strtoull (id, NULL, 10) : 60;
}

/* NULL for a single session, else "week", "2weeks" or "month". */
static const char *
selected_every (RpScheduleDialog *self)
{
  const char *id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->repeat_combo));

  return id == NULL || g_str_equal (id, "none") ? NULL : id;
}

static const char *
partner_display_name (RpScheduleDialog *self)
{
  return self->partner_name && *self->partner_name ? self->partner_name : _("Your partner");
}

static char *
format_local (const RpLocal *l)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (l->year, l->month, l->day, l->hour, l->minute, 0);

  /* TRANSLATORS: a session time, e.g. "Tue 3 Mar, 22:30" */
  return g_date_time_format (dt, _("%a %-d %b, %H:%M"));
}

static void
set_error (RpScheduleDialog *self,
           const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->status_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
}

static void
set_actions_enabled (RpScheduleDialog *self,
                     gboolean          enabled)
{
  GActionGroup *group = gtk_widget_get_action_group (GTK_WIDGET (self), "schedule");
  const char *names[] = { "export", "propose" };

  for (guint i = 0; group && i < G_N_ELEMENTS (names); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (group), names[i])),
                                 enabled);
}

/* ---------------------------------------------------------------- selection ---- */

/* "From 30 March this is 08:00 for Aiko, not 07:00." for the first instance whose time moves
 * for the partner, or NULL. */
static char *
series_warning (RpScheduleDialog *self,
                const RpSlot     *slot)
{
  g_autoptr(GTimeZone) me = rp_zone_new (self->me_zone, NULL);
  g_autoptr(GTimeZone) partner = rp_zone_new (self->partner_zone, NULL);
  g_autofree char *rule = NULL;
  g_autoptr(GArray) occs = NULL;

  if (selected_every (self) == NULL || me == NULL || partner == NULL)
    return NULL;
  rule = rp_rrule_for_every (selected_every (self), &slot->me_local, NULL);
  occs = rule ? rp_schedule_expand (me, &slot->me_local, rule, partner, 12, NULL) : NULL;
  for (guint i = 0; occs && i < occs->len; i++)
    {
      const RpOccurrence *occ = &g_array_index (occs, RpOccurrence, i);
      g_autoptr(GDateTime) day = NULL;
      g_autofree char *date = NULL;

      if (occ->skipped || !occ->partner_moved)
        continue;
      day = g_date_time_new_utc (occ->local.year, occ->local.month, occ->local.day, 0, 0, 0);
      date = g_date_time_format (day, "%-d %B");
      return g_strdup_printf (_("From %s this is %02d:%02d for %s, not %02d:%02d."), date,
                              occ->partner_local.hour, occ->partner_local.minute,
                              partner_display_name (self), occ->partner_previous.hour,
                              occ->partner_previous.minute);
    }
  return NULL;
}

static void
show_selected (RpScheduleDialog *self)
{
  const RpSlot *slot = rp_schedule_dialog_get_selected (self);
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *me_text = NULL;
  g_autofree char *partner_text = NULL;

  g_clear_pointer (&self->warning, g_free);
  set_actions_enabled (self, slot != NULL);
  if (slot == NULL)
    {
      gtk_label_set_text (self->me_time_label, "");
      gtk_label_set_text (self->partner_time_label, "");
      gtk_revealer_set_reveal_child (self->warning_revealer, FALSE);
      gtk_widget_queue_draw (GTK_WIDGET (self->strip_area));
      return;
    }
  mine = format_local (&slot->me_local);
  theirs = format_local (&slot->partner_local);
  me_text = g_strdup_printf (_("You: %s (%s)"), mine, self->me_zone);
  partner_text = g_strdup_printf ("%s: %s (%s), %s", partner_display_name (self), theirs,
                                  self->partner_zone, _(rp_day_shift_label (slot->day_shift)));
  gtk_label_set_text (self->me_time_label, me_text);
  gtk_label_set_text (self->partner_time_label, partner_text);

  self->warning = series_warning (self, slot);
  gtk_label_set_text (self->warning_label, self->warning ? self->warning : "");
  gtk_revealer_set_reveal_child (self->warning_revealer, self->warning != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->strip_area));
}

static void
on_row_selected (RpScheduleDialog *self,
                 GtkListBoxRow    *row)
{
  self->selected = row ? gtk_list_box_row_get_index (row) : -1;
  show_selected (self);
}

/* ---------------------------------------------------------------- slot list ---- */

static GtkWidget *
make_row (const RpSlot *slot)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (slot->label);
  g_autofree char *detail = NULL;
  GtkWidget *note;

  if (slot->instances > 1 && slot->instances_ok < slot->instances)
    detail = g_strdup_printf (_("fits %u of %u sessions"), slot->instances_ok, slot->instances);
  else if (slot->partner_moves)
    detail = g_strdup (_("moves with the clocks"));
  else
    detail = g_strdup ("");
  note = gtk_label_new (detail);
  gtk_style_context_add_class (gtk_widget_get_style_context (note), "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  g_object_set (box, "margin", 8, NULL);
  gtk_container_add (GTK_CONTAINER (box), label);
  gtk_container_add (GTK_CONTAINER (box), note);
  gtk_widget_show_all (box);
  return box;
}

static void
fill_list (RpScheduleDialog *self)
{
  GList *children = gtk_container_get_children (GTK_CONTAINER (self->slot_list));

  for (GList *l = children; l; l = l->next)
    gtk_widget_destroy (l->data);
  g_list_free (children);
  for (guint i = 0; self->slots && i < self->slots->len && i < LISTED_SLOTS; i++)
    gtk_list_box_insert (self->slot_list, make_row (self->slots->pdata[i]), -1);
  gtk_label_set_text (self->placeholder_label,
                      _("No time suits you both this week. Try another week, a shorter session "
                        "or wider working hours."));
  self->selected = -1;
  if (self->slots && self->slots->len > 0)
    gtk_list_box_select_row (self->slot_list, gtk_list_box_get_row_at_index (self->slot_list, 0));
  else
    show_selected (self);
}

static void
on_slots_found (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RpScheduleDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *slots = rp_find_slots_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  self->slots = slots;
  set_error (self, error ? error->message : NULL);
  fill_list (self);
  g_signal_emit (self, signals[SIGNAL_SLOTS_CHANGED], 0);
}

static void
start_search (RpScheduleDialog *self)
{
  g_autoptr(GTimeZone) me = NULL;
  g_autoptr(GTimeZone) partner = NULL;
  g_autoptr(RpWorkingHours) me_hours = NULL;
  g_autoptr(RpWorkingHours) partner_hours = NULL;
  g_autoptr(GError) error = NULL;
  RpSlotQuery q = { 0, };

  g_cancellable_cancel (self->search);
  g_clear_object (&self->search);
  if (self->me_zone == NULL || self->partner_zone == NULL)
    return;
  if ((me = rp_zone_new (self->me_zone, &error)) == NULL ||
      (partner = rp_zone_new (self->partner_zone, &error)) == NULL ||
      (me_hours = rp_working_hours_parse (self->me_hours, &error)) == NULL ||
      (partner_hours = rp_working_hours_parse (self->partner_hours, &error)) == NULL)
    {
      /* Reported like a search result, from the main loop: one path for the list and the
       * "slots-changed" signal, and a later change still cancels it. */
      g_autoptr(GTask) task = NULL;

      self->search = g_cancellable_new ();
      task = g_task_new (NULL, self->search, on_slots_found, g_object_ref (self));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  q.me_zone = me;
  q.partner_zone = partner;
  q.me_hours = me_hours;
  q.partner_hours = partner_hours;
  q.from = self->from;
  q.days = SEARCH_DAYS;
  q.minutes = selected_minutes (self);
  q.every = selected_every (self);
  self->search = g_cancellable_new ();
  rp_find_slots_async (&q, self->search, on_slots_found, g_object_ref (self));
}

static void
on_option_changed (RpScheduleDialog *self)
{
  start_search (self);
}

static void
update_date_label (RpScheduleDialog *self)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (self->from.year, self->from.month, self->from.day, 0, 0, 0);
  g_autofree char *text = g_date_time_format (dt, _("%a %-d %B %Y"));

  gtk_label_set_text (self->date_label, text);
}

static void
on_day_selected (RpScheduleDialog *self)
{
  guint y, m, d;

  gtk_calendar_get_date (self->calendar, &y, &m, &d);
  if (d == 0)
    return;
  self->from.year = (gint) y;
  self->from.month = (gint) m + 1;
  self->from.day = (gint) d;
  update_date_label (self);
  start_search (self);
}

/* ---------------------------------------------------------------- day strips ---- */

static void
shade_person (cairo_t              *cr,
              GTimeZone            *tz,
              const RpWorkingHours *hours,
              gint64                day_start,
              double                width,
              double                y,
              double                h)
{
  /* One column per 10 minutes of the day (as instants), shaded where the person works. */
  for (gint i = 0; i < 144; i++)
    {
      RpLocal l;

      rp_zone_local_at (tz, day_start + i * 600, &l);
      if (rp_working_hours_is_free (hours, rp_local_weekday (&l), l.hour * 60 + l.minute))
        cairo_rectangle (cr, width * i / 144.0, y, width / 144.0 + 0.5, h);
    }
  cairo_fill (cr);
}

static void
hour_labels (cairo_t    *cr,
             GTimeZone  *tz,
             gint64      day_start,
             double      width,
             double      y)
{
  for (gint i = 0; i <= 24; i += 6)
    {
      RpLocal l;
      char text[8];

      rp_zone_local_at (tz, day_start + i * 3600, &l);
      g_snprintf (text, sizeof text, "%02d:%02d", l.hour, l.minute);
      cairo_move_to (cr, CLAMP (width * i / 24.0 - 14, 0, width - 30), y);
      cairo_show_text (cr, text);
    }
}

static void
draw_strips (RpScheduleDialog *self,
             cairo_t          *cr,
             double            width,
             GTimeZone        *me,
             GTimeZone        *partner,
             const RpWorkingHours *me_hours,
             const RpWorkingHours *partner_hours,
             const RpSlot     *slot)
{
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self->strip_area));
  RpLocal midnight = slot->me_local;
  gint64 day_start, day_end;
  GdkRGBA fg, accent;

  midnight.hour = midnight.minute = midnight.second = 0;
  day_start = rp_zone_resolve (me, &midnight, NULL, NULL);
  day_end = day_start + 86400;
  gtk_style_context_get_color (style, gtk_style_context_get_state (style), &fg);
  if (!gtk_style_context_lookup_color (style, "theme_selected_bg_color", &accent))
    gdk_rgba_parse (&accent, "#3584e4");

  cairo_set_font_size (cr, 11);
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_move_to (cr, 0, 12);
  cairo_show_text (cr, _("You"));
  cairo_move_to (cr, 0, 78);
  cairo_show_text (cr, partner_display_name (self));

  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.08);
  cairo_rectangle (cr, 0, 18, width, 28);
  cairo_rectangle (cr, 0, 84, width, 28);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, 0.2, 0.7, 0.3, 0.45);
  shade_person (cr, me, me_hours, day_start, width, 18, 28);
  shade_person (cr, partner, partner_hours, day_start, width, 84, 28);

  /* Every candidate of this day as a tick in both strips; the selected one as a band. */
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.8);
  for (guint i = 0; i < self->slots->len; i++)
    {
      const RpSlot *s = self->slots->pdata[i];
      double x = width * (s->utc - day_start) / (double) (day_end - day_start);

      if (s->utc < day_start || s->utc >= day_end)
        continue;
      cairo_rectangle (cr, x, 44, 1.5, 4);
      cairo_rectangle (cr, x, 110, 1.5, 4);
    }
  cairo_fill (cr);
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.55);
  cairo_rectangle (cr, width * (slot->utc - day_start) / 86400.0, 16,
                   MAX (2.0, width * slot->minutes * 60 / 86400.0), 100);
  cairo_fill (cr);

  gdk_cairo_set_source_rgba (cr, &fg);
  hour_labels (cr, me, day_start, width, 60);
  hour_labels (cr, partner, day_start, width, 126);
}

static gboolean
on_strip_draw (RpScheduleDialog *self,
               cairo_t          *cr)
{
  const RpSlot *slot = rp_schedule_dialog_get_selected (self);
  g_autoptr(GTimeZone) me = NULL;
  g_autoptr(GTimeZone) partner = NULL;
  g_autoptr(RpWorkingHours) me_hours = NULL;
  g_autoptr(RpWorkingHours) partner_hours = NULL;

  if (slot == NULL || (me = rp_zone_new (self->me_zone, NULL)) == NULL ||
      (partner = rp_zone_new (self->partner_zone, NULL)) == NULL ||
      (me_hours = rp_working_hours_parse (self->me_hours, NULL)) == NULL ||
      (partner_hours = rp_working_hours_parse (self->partner_hours, NULL)) == NULL)
    return FALSE;
  draw_strips (self, cr, gtk_widget_get_allocated_width (GTK_WIDGET (self->strip_area)), me,
               partner, me_hours, partner_hours, slot);
  return FALSE;
}

/* ---------------------------------------------------------------- actions ---- */

static RpMeeting *
meeting_for_selection (RpScheduleDialog *self,
                       GError          **error)
{
  const RpSlot *slot = rp_schedule_dialog_get_selected (self);
  g_autoptr(RpMeeting) m = NULL;
  g_autofree char *hex = NULL;

  if (slot == NULL)
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
                   _("Choose a time first"));
      return NULL;
    }
  m = rp_meeting_new ();
  hex = g_uuid_string_random ();
  m->uid = g_strdup_printf ("%s@rapport", hex);
  m->zone = g_strdup (self->me_zone);
  m->start = slot->me_local;
  m->minutes = slot->minutes;
  if (selected_every (self))
    m->rrule = rp_rrule_for_every (selected_every (self), &slot->me_local, NULL);
  m->summary = g_strdup_printf (_("Mentoring with %s"), partner_display_name (self));
  m->attendee_name = g_strdup (self->partner_name);
  m->link = g_strdup (self->link);
  m->dtstamp = g_get_real_time () / G_USEC_PER_SEC;
  return g_steal_pointer (&m);
}

char *
rp_schedule_dialog_build_ics (RpScheduleDialog *self,
                              GError          **error)
{
  g_autoptr(RpMeeting) m = NULL;

  g_return_val_if_fail (RP_IS_SCHEDULE_DIALOG (self), NULL);
  if ((m = meeting_for_selection (self, error)) == NULL)
    return NULL;
  return rp_ical_export (&m, 1, "REQUEST", error);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RpScheduleDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the invitation: %s"),
                                                  error->message);
      set_error (self, message);
    }
}

static void
on_export_response (GtkNativeDialog *chooser,
                    gint             response,
                    gpointer         user_data)
{
  RpScheduleDialog *self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *ics;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (file == NULL)
    return;
  if ((ics = rp_schedule_dialog_build_ics (self, &error)) == NULL)
    {
      set_error (self, error->message);
      return;
    }
  bytes = g_bytes_new_take (ics, strlen (ics));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->io, on_saved, g_object_ref (self));
}

static void
export_activated (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  RpScheduleDialog *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Save Invitation"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("mentoring-session.ics"));
  gtk_file_chooser_set_do_overwrite_confirmation (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Calendar invitations"));
  gtk_file_filter_add_mime_type (filter, "text/calendar");
  gtk_file_filter_add_pattern (filter, "*.ics");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), g_object_ref_sink (filter));
  set_error (self, NULL);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

RpProposal *
rp_schedule_dialog_build_proposal (RpScheduleDialog *self,
                                   GError          **error)
{
  const RpSlot *slot = rp_schedule_dialog_get_selected (self);
  g_autoptr(RpProposal) proposal = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *summary = NULL;
  guint added = 1;

  g_return_val_if_fail (RP_IS_SCHEDULE_DIALOG (self), NULL);
  if (slot == NULL)
    {
      g_set_error (error, RP_SCHEDULE_ERROR, RP_SCHEDULE_ERROR_INVALID_ARGUMENT,
                   _("Choose a time first"));
      return NULL;
    }
  if ((proposal = rp_proposal_new (self->me_zone, slot->minutes, error)) == NULL ||
      !rp_proposal_add_slot (proposal, &slot->me_local, error))
    return NULL;
  /* The chosen time first, then the next best ones on other days. */
  for (guint i = 0; i < self->slots->len && added < PROPOSED_SLOTS; i++)
    {
      const RpSlot *s = self->slots->pdata[i];

      if (s == slot || (s->me_local.year == slot->me_local.year &&
                        s->me_local.month == slot->me_local.month && s->me_local.day == slot->me_local.day))
        continue;
      if (rp_proposal_add_slot (proposal, &s->me_local, NULL))
        added++;
    }
  if (selected_every (self))
    rule = rp_rrule_for_every (selected_every (self), &slot->me_local, NULL);
  summary = g_strdup_printf (_("Mentoring with %s"), partner_display_name (self));
  rp_proposal_set_rrule (proposal, rule);
  rp_proposal_set_summary (proposal, summary);
  rp_proposal_set_link (proposal, self->link);
  return g_steal_pointer (&proposal);
}

static void
propose_activated (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  RpScheduleDialog *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RpProposal) proposal = rp_schedule_dialog_build_proposal (self, &error);

  if (proposal == NULL)
    {
      set_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_PROPOSE], 0, proposal);
}

static const GActionEntry actions[] = {
  { .name = "export", .activate = export_activated },
  { .name = "propose", .activate = propose_activated },
};

/* ---------------------------------------------------------------- GObject ---- */

static char **
string_field (RpScheduleDialog *self,
              guint             prop_id)
{
  switch (prop_id)
    {
    case PROP_ME_ZONE: return &self->me_zone;
    case PROP_ME_HOURS: return &self->me_hours;
    case PROP_PARTNER_NAME: return &self->partner_name;
    case PROP_PARTNER_ZONE: return &self->partner_zone;
    case PROP_PARTNER_HOURS: return &self->partner_hours;
    case PROP_LINK: return &self->link;
    default: return NULL;
    }
}

static void
rp_schedule_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  char **field = string_field (RP_SCHEDULE_DIALOG (object), prop_id);

  if (field == NULL)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else
    g_value_set_string (value, *field);
}

static void
rp_schedule_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  RpScheduleDialog *self = RP_SCHEDULE_DIALOG (object);
  char **field = string_field (self, prop_id);

  if (field == NULL)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (g_strcmp0 (*field, g_value_get_string (value)) == 0)
    return;
  g_free (*field);
  *field = g_value_dup_string (value);
  g_object_notify_by_pspec (object, pspec);
  if (prop_id != PROP_LINK && prop_id != PROP_PARTNER_NAME)
    start_search (self);
  else
    show_selected (self);
}

static void
rp_schedule_dialog_dispose (GObject *object)
{
  RpScheduleDialog *self = RP_SCHEDULE_DIALOG (object);

  g_cancellable_cancel (self->search);
  g_cancellable_cancel (self->io);
  g_clear_object (&self->search);
  g_clear_object (&self->io);
  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (rp_schedule_dialog_parent_class)->dispose (object);
}

static void
rp_schedule_dialog_finalize (GObject *object)
{
  RpScheduleDialog *self = RP_SCHEDULE_DIALOG (object);

  for (guint p = PROP_ME_ZONE; p < N_PROPS; p++)
    g_clear_pointer (string_field (self, p), g_free);
  g_clear_pointer (&self->warning, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (rp_schedule_dialog_parent_class)->finalize (object);
}

static void
rp_schedule_dialog_class_init (RpScheduleDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const char *names[] = { NULL, "me-zone", "me-hours", "partner-name", "partner-zone",
                          "partner-hours", "link" };

  object_class->get_property = rp_schedule_dialog_get_property;
  object_class->set_property = rp_schedule_dialog_set_property;
  object_class->dispose = rp_schedule_dialog_dispose;
  object_class->finalize = rp_schedule_dialog_finalize;

  for (guint p = PROP_ME_ZONE; p < N_PROPS; p++)
    properties[p] = g_param_spec_string (names[p], NULL, NULL, NULL,
                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PROPOSE] =
    g_signal_new ("propose", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, RP_TYPE_PROPOSAL);
  signals[SIGNAL_SLOTS_CHANGED] =
    g_signal_new ("slots-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-schedule-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, date_label);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, length_combo);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, repeat_combo);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, strip_area);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, me_time_label);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, partner_time_label);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, warning_revealer);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, warning_label);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, slot_list);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, RpScheduleDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_option_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_strip_draw);
}

static void
rp_schedule_dialog_init (RpScheduleDialog *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();

  self->selected = -1;
  self->io = g_cancellable_new ();
  self->me_hours = g_strdup ("Mon-Fri 09:00-17:00");
  self->partner_hours = g_strdup ("Mon-Fri 09:00-17:00");
  self->from.year = g_date_time_get_year (today);
  self->from.month = g_date_time_get_month (today);
  self->from.day = g_date_time_get_day_of_month (today);

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (group), actions, G_N_ELEMENTS (actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "schedule", G_ACTION_GROUP (group));
  set_actions_enabled (self, FALSE);
  update_date_label (self);
}

RpScheduleDialog *
rp_schedule_dialog_new (GtkWindow  *parent,
                        const char *me_zone,
                        const char *partner_name,
                        const char *partner_zone)
{
  return g_object_new (RP_TYPE_SCHEDULE_DIALOG, "use-header-bar", TRUE,
                       "transient-for", parent, "me-zone", me_zone,
                       "partner-name", partner_name, "partner-zone", partner_zone, NULL);
}

void
rp_schedule_dialog_set_start_date (RpScheduleDialog *self,
                                   gint              year,
                                   gint              month,
                                   gint              day)
{
  g_return_if_fail (RP_IS_SCHEDULE_DIALOG (self));
  /* The calendar's day-selected handler takes it from there. */
  gtk_calendar_select_month (self->calendar, (guint) month - 1, (guint) year);
  gtk_calendar_select_day (self->calendar, (guint) day);
}

void
rp_schedule_dialog_set_minutes (RpScheduleDialog *self,
                                guint             minutes)
{
  g_autofree char *id = g_strdup_printf ("%u", minutes);

  g_return_if_fail (RP_IS_SCHEDULE_DIALOG (self));
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->length_combo), id);
}

void
rp_schedule_dialog_set_recurrence (RpScheduleDialog *self,
                                   const char       *every)
{
  g_return_if_fail (RP_IS_SCHEDULE_DIALOG (self));
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->repeat_combo), every ? every : "none");
}

guint
rp_schedule_dialog_get_n_slots (RpScheduleDialog *self)
{
  g_return_val_if_fail (RP_IS_SCHEDULE_DIALOG (self), 0);
  return self->slots ? self->slots->len : 0;
}

const RpSlot *
rp_schedule_dialog_get_selected (RpScheduleDialog *self)
{
  g_return_val_if_fail (RP_IS_SCHEDULE_DIALOG (self), NULL);
  if (self->slots == NULL || self->selected < 0 || (guint) self->selected >= self->slots->len)
    return NULL;
  return self->slots->pdata[self->selected];
}

const char *
rp_schedule_dialog_get_warning (RpScheduleDialog *self)
{
  g_return_val_if_fail (RP_IS_SCHEDULE_DIALOG (self), NULL);
  return self->warning;
}

const char *
rp_schedule_dialog_get_error (RpScheduleDialog *self)
{
  g_return_val_if_fail (RP_IS_SCHEDULE_DIALOG (self), NULL);
  return self->error;
}
