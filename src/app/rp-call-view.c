/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <handy.h>

#include "rp-agenda-panel.h"
#include "rp-call-docs.h"
#include "rp-call-view.h"
#include "rp-chime.h"
#include "rp-devices.h"
#include "rp-notes-panel.h"
#include "rp-proposal-center.h"
#include "rp-server.h"
#include "rp-session.h"

/* Where the own-video overlay rests before the user drags it: clear of the control bar.
 * Distances from the stage's right and bottom edges, so it stays in its corner on resize. */
#define SELF_VIEW_MARGIN_END 18
#define SELF_VIEW_MARGIN_BOTTOM 96

/* The level meters' scale (dB RMS), and how loud the partner must be for the avatar's ring. */
#define LEVEL_EMPTY_DB (-60.0)
#define LEVEL_SPEAKING_DB (-50.0)
#define LEVEL_SILENCE_DB (-100.0)

struct _RpCallView
{
  GtkBin parent_instance;

  HdyFlap *flap;
  GtkOverlay *stage;
  GtkWidget *top_bar;
  GtkStack *stage_stack;
  HdyStatusPage *waiting_page;
  HdyStatusPage *connecting_page;
  GtkEntry *link_entry;
  GtkBox *remote_video_box;
  HdyAvatar *peer_avatar;
  GtkLabel *audio_reason_label;
  GtkLevelBar *peer_level;
  GtkLevelBar *mic_level;
  GtkLabel *peer_name_label;
  GtkWidget *speaking_icon;
  GtkLabel *timer_label;
  GtkMenuButton *verification_button;
  GtkLabel *verification_short_label;
  GtkLabel *verification_label;
  GtkMenuButton *quality_button;
  GtkImage *quality_icon;
  GtkLabel *quality_summary_label;
  GtkLabel *rtt_label;
  GtkLabel *loss_label;
  GtkLabel *jitter_label;
  GtkLabel *send_label;
  GtkLabel *recv_label;
  GtkLabel *video_label;
  GtkLabel *route_label;
  GtkRevealer *reconnecting_revealer;
  GtkWidget *self_view;
  GtkStack *self_view_stack;
  GtkBox *local_video_box;
  GtkImage *mic_icon;
  GtkImage *camera_icon;
  GtkWidget *mic_button;
  GtkWidget *camera_button;
  GtkComboBoxText *camera_combo;
  GtkComboBoxText *microphone_combo;
  GtkComboBoxText *speaker_combo;
  GtkStack *panel_stack;
  RpNotesPanel *notes_panel;
  RpAgendaPanel *agenda_panel;

  GtkGesture *self_view_drag;
  int self_view_end;      /* distance from the stage's right edge */
  int self_view_bottom;   /* distance from the stage's bottom edge */
  int drag_start_end;
  int drag_start_bottom;

  GSettings *settings;
  RpPartnerBook *book;
  RpChime *chime;
  RpCallDocs *docs;       /* the session's record, notes and agenda; NULL between calls */
  RpProposalCenter *proposals;
  RpProposalExchange *exchange;   /* the partner's proposals, lent this call's session */
  GtkRevealer *proposal_revealer;
  GtkLabel *proposal_label;
  GtkButton *proposal_view_button;

  RpSession *session;
  RpServer *server;
  GstElement *remote_sink;
  GstElement *local_sink;
  char *partner_name;
  GDateTime *connected_at;
  guint timer_source;
  guint server_stop_source;
  gboolean hosting;
  gboolean ever_connected;
  gboolean remote_video_seen;
  gboolean peer_left;     /* until someone (re)joins */
  guint call_generation;  /* tells a late preview frame of an earlier call from this one's */
  char *end_error;
};

G_DEFINE_FINAL_TYPE (RpCallView, rp_call_view, GTK_TYPE_BIN)

static void
destroy_child (GtkWidget *child, gpointer user_data)
{
  gtk_widget_destroy (child);
}

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- presentation ------------------------------------------------------------------ */

static void
set_accessible_name (GtkWidget *widget, const char *name)
{
  atk_object_set_name (gtk_widget_get_accessible (widget), name);
}

static gboolean
remote_camera_on (RpCallView *self)
{
  gboolean audio_only = FALSE, remote_camera = TRUE;

  g_object_get (self->session, "audio-only", &audio_only,
                "remote-camera-enabled", &remote_camera, NULL);
  return !audio_only && remote_camera;
}

static GtkWidget *
focus_widget (RpCallView *self)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));

  return GTK_IS_WINDOW (toplevel) ? gtk_window_get_focus (GTK_WINDOW (toplevel)) : NULL;
}

/* The link and its Copy button go when the partner comes, and GtkStack then moves the focus
 * to nowhere or to a status page's scroller: only the waiting page has something to focus,
 * so elsewhere the keyboard moves to the controls. */
static void
keep_focus_on_stage (RpCallView *self)
{
  GtkWidget *focus = focus_widget (self);
  const char *page = gtk_stack_get_visible_child_name (self->stage_stack);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || g_strcmp0 (page, "waiting") == 0)
    return;
  if (focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->stage_stack)))
    gtk_widget_grab_focus (self->mic_button);
}

/* A host whose partner left waits on the same link, which the page says. */
static void
update_waiting_page (RpCallView *self)
{
  g_autofree char *title = NULL;

  if (!self->ever_connected)
    {
      hdy_status_page_set_title (self->waiting_page, _("Waiting for Your Partner"));
      hdy_status_page_set_description (self->waiting_page,
                                       _("Send them this link. The call starts as soon as they open it."));
      return;
    }
  if (self->partner_name != NULL)
    /* Translators: %s is the partner's name */
    title = g_strdup_printf (_("%s Left the Call"), self->partner_name);
  hdy_status_page_set_title (self->waiting_page, title != NULL ? title : _("Your Partner Left the Call"));
  hdy_status_page_set_description (self->waiting_page,
                                   _("They can come back with the same link. Your notes and agenda are kept."));
}

static void
update_stage (RpCallView *self)
{
  RpSessionState state;
  gboolean audio_only = FALSE;

  if (self->session == NULL)
    return;
  g_object_get (self->session, "state", &state, "audio-only", &audio_only, NULL);
  gtk_revealer_set_reveal_child (self->reconnecting_revealer,
                                 state == RP_SESSION_STATE_RECONNECTING);

  switch (state)
    {
    case RP_SESSION_STATE_IDLE:
    case RP_SESSION_STATE_SIGNALING:
    case RP_SESSION_STATE_WAITING:
      /* Stats of a call that is over would read as the quality of this wait. */
      gtk_widget_hide (GTK_WIDGET (self->quality_button));
      gtk_stack_set_visible_child_name (self->stage_stack, self->hosting ? "waiting" : "connecting");
      update_waiting_page (self);
      hdy_status_page_set_title (self->connecting_page,
                                 state == RP_SESSION_STATE_WAITING
                                   ? _("Waiting for Your Partner") : _("Joining…"));
      break;
    case RP_SESSION_STATE_CONNECTING:
      hdy_status_page_set_title (self->connecting_page, _("Connecting…"));
      gtk_stack_set_visible_child_name (self->stage_stack, "connecting");
      break;
    case RP_SESSION_STATE_CONNECTED:
    case RP_SESSION_STATE_RECONNECTING:
      /* A partner without a camera sends no video at all: their avatar, not a black stage. */
      if (remote_camera_on (self) && self->remote_video_seen)
        {
          gtk_stack_set_visible_child_name (self->stage_stack, "video");
        }
      else
        {
          gtk_label_set_label (self->audio_reason_label,
                               self->peer_left ? _("Left the call")
                               : audio_only || !self->remote_video_seen ? _("Audio only")
                               : _("Camera is off"));
          gtk_stack_set_visible_child_name (self->stage_stack, "audio");
        }
      break;
    case RP_SESSION_STATE_ENDED:
    default:
      break;
    }
  gtk_widget_queue_resize (self->self_view);
  keep_focus_on_stage (self);
}

static void
update_timer (RpCallView *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan span;
  guint seconds;
  g_autofree char *text = NULL;

  if (self->connected_at == NULL)
    {
      gtk_label_set_label (self->timer_label, self->hosting ? _("Hosting") : _("Joining"));
      return;
    }
  span = g_date_time_difference (now, self->connected_at);
  seconds = span / G_TIME_SPAN_SECOND;
  if (seconds >= 3600)
    text = g_strdup_printf ("%u:%02u:%02u", seconds / 3600, seconds / 60 % 60, seconds % 60);
  else
    text = g_strdup_printf ("%02u:%02u", seconds / 60, seconds % 60);
  gtk_label_set_label (self->timer_label, text);
}

static gboolean
on_timer_tick (gpointer user_data)
{
  update_timer (user_data);
  return G_SOURCE_CONTINUE;
}

static void attach_proposals (RpCallView *self);

static void
set_peer_name (RpCallView *self, const char *name)
{
  const char *shown = (name != NULL && *name != '\0') ? name : _("Your partner");
  RpPartnerItem *partner = rp_partner_book_find_partner (self->book, name);
  g_autofree char *level_name = g_strdup_printf (_("%s's voice level"), shown);

  gtk_label_set_label (self->peer_name_label, shown);
  hdy_avatar_set_text (self->peer_avatar, shown);
  set_accessible_name (GTK_WIDGET (self->peer_level), level_name);
  if (name != NULL && *name != '\0')
    {
      g_free (self->partner_name);
      self->partner_name = g_strdup (name);
    }
  if (partner != NULL)
    rp_notes_panel_set_partner (self->notes_panel, partner);
  if (partner != NULL && self->docs != NULL)
    rp_call_docs_set_partner (self->docs, partner);
  attach_proposals (self);
}

/* --- session callbacks --------------------------------------------------------------- */

static void
on_state_changed (RpCallView *self)
{
  RpSessionState state;

  g_object_get (self->session, "state", &state, NULL);
  if (state == RP_SESSION_STATE_CONNECTED && self->connected_at == NULL)
    {
      self->ever_connected = TRUE;
      self->connected_at = g_date_time_new_now_utc ();
      rp_agenda_panel_set_running (self->agenda_panel, TRUE);
    }
  update_timer (self);
  update_stage (self);
}

static void
on_link_changed (RpCallView *self)
{
  g_autofree char *link = NULL;

  g_object_get (self->session, "link", &link, NULL);
  gtk_entry_set_text (self->link_entry, link != NULL ? link : "");
  if (self->docs != NULL)
    rp_call_docs_set_link (self->docs, link);
  /* Also in the terminal or journal, for whoever started us with --host. */
  if (link != NULL && self->hosting)
    g_message ("Join link: %s", link);
}

static void
on_peer_name_changed (RpCallView *self)
{
  g_autofree char *name = NULL;

  g_object_get (self->session, "peer-name", &name, NULL);
  /* The name goes when the partner leaves; whom we are waiting for does not change. */
  if (name != NULL && *name != '\0')
    set_peer_name (self, name);
}

static void
on_verification_changed (RpCallView *self)
{
  g_autofree char *code = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *accessible = NULL;

  g_object_get (self->session, "verification-code", &code, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->verification_button), code != NULL);
  if (code == NULL || strlen (code) != 6)
    return;
  /* "042 917": two groups are easier to read aloud to each other. */
  spaced = g_strdup_printf ("%.3s %.3s", code, code + 3);
  accessible = g_strdup_printf (_("Security code %s"), spaced);
  gtk_label_set_label (self->verification_short_label, spaced);
  gtk_label_set_label (self->verification_label, spaced);
  set_accessible_name (GTK_WIDGET (self->verification_button), accessible);
}

/* dB RMS to a meter's 0..1: speech sits between about -50 and -10 dB, so -60 dB (a quiet room)
 * is empty and 0 dB full; below that the session reports silence as -100. */
static double
level_fraction (double db)
{
  return CLAMP ((db - LEVEL_EMPTY_DB) / -LEVEL_EMPTY_DB, 0.0, 1.0);
}

/* The partner's voice: the meter under the avatar, and a ring around it while they speak. */
static void
on_output_level (RpCallView *self)
{
  double db = LEVEL_SILENCE_DB;
  GtkStyleContext *avatar = gtk_widget_get_style_context (GTK_WIDGET (self->peer_avatar));

  g_object_get (self->session, "output-level", &db, NULL);
  gtk_level_bar_set_value (self->peer_level, level_fraction (db));
  gtk_widget_set_opacity (self->speaking_icon, db > LEVEL_SPEAKING_DB ? 1.0 : 0.0);
  if (db > LEVEL_SPEAKING_DB)
    gtk_style_context_add_class (avatar, "rp-speaking");
  else
    gtk_style_context_remove_class (avatar, "rp-speaking");
}

/* What we send, after mute: the user sees the microphone works, and that muting silences it. */
static void
on_input_level (RpCallView *self)
{
  double db = LEVEL_SILENCE_DB;

  g_object_get (self->session, "input-level", &db, NULL);
  gtk_level_bar_set_value (self->mic_level, level_fraction (db));
}

static void
reset_levels (RpCallView *self)
{
  gtk_level_bar_set_value (self->peer_level, 0);
  gtk_level_bar_set_value (self->mic_level, 0);
  gtk_widget_set_opacity (self->speaking_icon, 0);
  gtk_style_context_remove_class (gtk_widget_get_style_context (GTK_WIDGET (self->peer_avatar)),
                                  "rp-speaking");
}

static void
on_peer_joined (RpCallView *self, const char *name)
{
  self->peer_left = FALSE;
  set_peer_name (self, name);
  if (g_settings_get_boolean (self->settings, "call-sounds"))
    rp_chime_play (self->chime, RP_CHIME_JOIN);
}

static void
on_peer_left (RpCallView *self, const char *reason)
{
  /* Whoever comes back may come without a camera. */
  self->remote_video_seen = FALSE;
  self->peer_left = TRUE;
  reset_levels (self);
  update_stage (self);
  if (g_settings_get_boolean (self->settings, "call-sounds"))
    rp_chime_play (self->chime, RP_CHIME_LEAVE);
}

static const char *
describe_candidate (const char *type)
{
  if (g_strcmp0 (type, "relay") == 0)
    return _("through a relay server");
  if (g_strcmp0 (type, "srflx") == 0 || g_strcmp0 (type, "prflx") == 0)
    return _("through your router");
  return _("directly");
}

static void
on_connected (RpCallView *self, const char *local_type, const char *remote_type)
{
  g_autofree char *route = NULL;

  if (g_strcmp0 (local_type, "relay") == 0 || g_strcmp0 (remote_type, "relay") == 0)
    route = g_strdup (_("Connected through a relay server. The relay cannot read the call; it is encrypted end to end."));
  else
    /* Translators: %s is "directly" or "through your router" */
    route = g_strdup_printf (_("Connected %s, peer to peer."), describe_candidate (local_type));
  gtk_label_set_label (self->route_label, route);
}

static void
on_first_frame (RpCallView *self, const char *kind, gint64 ms)
{
  if (g_strcmp0 (kind, "video") == 0)
    self->remote_video_seen = TRUE;
  update_stage (self);
}

static void
set_label_printf (GtkLabel *label, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
set_label_printf (GtkLabel *label, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  gtk_label_set_label (label, text);
}

static void
on_stats (RpCallView *self, RpCallStats *stats)
{
  const char *icon, *summary;
  g_autofree char *accessible = NULL;

  if (stats->rtt_ms < 150 && stats->loss_pct < 2)
    icon = "network-cellular-signal-excellent-symbolic", summary = _("Good connection");
  else if (stats->rtt_ms < 400 && stats->loss_pct < 8)
    icon = "network-cellular-signal-ok-symbolic", summary = _("Fair connection");
  else
    icon = "network-cellular-signal-weak-symbolic", summary = _("Poor connection");

  gtk_image_set_from_icon_name (self->quality_icon, icon, GTK_ICON_SIZE_BUTTON);
  gtk_widget_set_visible (GTK_WIDGET (self->quality_button), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->quality_button), summary);
  accessible = g_strdup_printf (_("Connection quality: %s"), summary);
  set_accessible_name (GTK_WIDGET (self->quality_button), accessible);
  gtk_label_set_label (self->quality_summary_label, summary);
  set_label_printf (self->rtt_label, _("%.0f ms"), stats->rtt_ms);
  set_label_printf (self->loss_label, _("%.1f %%"), stats->loss_pct);
  set_label_printf (self->jitter_label, _("%.0f ms"), stats->jitter_ms);
  set_label_printf (self->send_label, _("%.0f kbit/s"), stats->send_kbps);
  set_label_printf (self->recv_label, _("%.0f kbit/s"), stats->recv_kbps);
  if (stats->width > 0)
    set_label_printf (self->video_label, _("%d×%d, %.0f fps"), stats->width, stats->height,
                      stats->fps);
  else
    gtk_label_set_label (self->video_label, _("none"));
}

static void
on_session_error (RpCallView *self, const GError *error)
{
  g_warning ("Call error: %s", error->message);
  g_free (self->end_error);
  self->end_error = g_strdup (error->message);
}

static void finish_call (RpCallView *self, const char *reason);

static void
on_ended (RpCallView *self, const char *reason)
{
  finish_call (self, reason);
}

/* --- call lifecycle ------------------------------------------------------------------ */

/* gtksink draws from the GTK main loop; a new pair per call, since a sink cannot be moved
 * from one finished pipeline into the next. The converter lets the session hand over
 * whatever raw format it has (its preview is I420, gtksink wants RGB). */
static GstElement *
make_video_sink (GtkBox *box)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) gtksink = NULL;
  GstElement *bin;
  GtkWidget *widget = NULL;

  bin = gst_parse_bin_from_description ("videoconvert ! gtksink name=view", TRUE, &error);
  if (bin == NULL)
    {
      g_warning ("GStreamer's gtksink is missing (gstreamer1.0-gtk3); video will not show: %s",
                 error->message);
      return NULL;
    }
  gtksink = gst_bin_get_by_name (GST_BIN (bin), "view");
  g_object_get (gtksink, "widget", &widget, NULL);
  gtk_container_foreach (GTK_CONTAINER (box), destroy_child, NULL);
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_widget_set_vexpand (widget, TRUE);
  gtk_container_add (GTK_CONTAINER (box), widget);
  gtk_widget_show (widget);
  g_object_unref (widget);
  /* gtksink's NULL→READY runs on the GTK main thread and waits for it. The session brings
   * sinks up from a streaming thread, which would then hang on a main thread that is itself
   * waiting for the pipeline: reach READY here, on the main thread, beforehand. */
  gst_element_set_state (bin, GST_STATE_READY);
  return gst_object_ref_sink (bin);
}

/* The own view shows only once the camera has given the preview a frame: with no camera
 * (none chosen, none found) there is nothing of ours to show, and a sink that never got a
 * frame draws as a black box. The first buffer arrives on a streaming thread. */
typedef struct {
  GWeakRef view;
  guint generation;
} PreviewWatch;

static PreviewWatch *
preview_watch_new (RpCallView *self)
{
  PreviewWatch *watch = g_new0 (PreviewWatch, 1);

  g_weak_ref_init (&watch->view, self);
  watch->generation = self->call_generation;
  return watch;
}

static void
preview_watch_free (gpointer data)
{
  PreviewWatch *watch = data;

  g_weak_ref_clear (&watch->view);
  g_free (watch);
}

static gboolean
on_preview_started (gpointer data)
{
  PreviewWatch *watch = data;
  g_autoptr (RpCallView) self = g_weak_ref_get (&watch->view);

  if (self != NULL && self->session != NULL && watch->generation == self->call_generation)
    gtk_widget_show (self->self_view);
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
on_preview_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PreviewWatch *watch = data;
  g_autoptr (RpCallView) self = g_weak_ref_get (&watch->view);

  if (self != NULL)
    g_idle_add_full (G_PRIORITY_DEFAULT, on_preview_started, preview_watch_new (self),
                     preview_watch_free);
  return GST_PAD_PROBE_REMOVE;
}

static void
watch_preview (RpCallView *self, GstElement *sink)
{
  g_autoptr (GstPad) pad = sink != NULL ? gst_element_get_static_pad (sink, "sink") : NULL;

  if (pad != NULL)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_preview_buffer,
                       preview_watch_new (self), preview_watch_free);
}

/* A sink the session never took (or gave back) is ours to bring down from READY. */
static void
drop_sink (GstElement **sink)
{
  if (*sink != NULL && GST_OBJECT_PARENT (*sink) == NULL)
    gst_element_set_state (*sink, GST_STATE_NULL);
  gst_clear_object (sink);
}

static char *
setting_or_null (GSettings *settings, const char *key)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  return *value != '\0' ? g_steal_pointer (&value) : NULL;
}

static char *
own_display_name (GSettings *settings)
{
  g_autofree char *name = setting_or_null (settings, "display-name");
  const char *real = g_get_real_name ();

  if (name != NULL)
    return g_steal_pointer (&name);
  if (real != NULL && *real != '\0' && g_strcmp0 (real, "Unknown") != 0)
    return g_strdup (real);
  return g_strdup (g_get_user_name ());
}

static void
reset_view (RpCallView *self)
{
  gtk_entry_set_text (self->link_entry, "");
  gtk_label_set_label (self->peer_name_label, "");
  gtk_label_set_label (self->route_label, "");
  gtk_widget_hide (GTK_WIDGET (self->verification_button));
  gtk_widget_hide (GTK_WIDGET (self->quality_button));
  gtk_revealer_set_reveal_child (self->reconnecting_revealer, FALSE);
  reset_levels (self);
  gtk_stack_set_visible_child_name (self->self_view_stack, "video");
  gtk_widget_hide (self->self_view);
  g_clear_pointer (&self->connected_at, g_date_time_unref);
  g_clear_pointer (&self->partner_name, g_free);
  g_clear_pointer (&self->end_error, g_free);
  self->ever_connected = FALSE;
  self->remote_video_seen = FALSE;
  self->peer_left = FALSE;
  rp_agenda_panel_set_running (self->agenda_panel, FALSE);
}

static void
create_session (RpCallView *self)
{
  g_autofree char *name = own_display_name (self->settings);
  g_autofree char *camera = setting_or_null (self->settings, "camera");
  g_autofree char *microphone = setting_or_null (self->settings, "microphone");
  g_autofree char *speaker = setting_or_null (self->settings, "speaker");

  reset_view (self);
  drop_sink (&self->remote_sink);
  drop_sink (&self->local_sink);
  self->remote_sink = make_video_sink (self->remote_video_box);
  self->local_sink = make_video_sink (self->local_video_box);
  self->call_generation++;
  watch_preview (self, self->local_sink);

  self->session = rp_session_new ();
  g_object_set (self->session,
                "name", name,
                "video-source", camera,
                "audio-source", microphone,
                "audio-sink", speaker,
                "remote-video-sink", self->remote_sink,
                "local-video-sink", self->local_sink,
                NULL);
  g_signal_connect_swapped (self->session, "notify::state", G_CALLBACK (on_state_changed), self);
  g_signal_connect_swapped (self->session, "notify::link", G_CALLBACK (on_link_changed), self);
  g_signal_connect_swapped (self->session, "notify::peer-name",
                            G_CALLBACK (on_peer_name_changed), self);
  g_signal_connect_swapped (self->session, "notify::remote-camera-enabled",
                            G_CALLBACK (update_stage), self);
  g_signal_connect_swapped (self->session, "notify::verification-code",
                            G_CALLBACK (on_verification_changed), self);
  g_signal_connect_swapped (self->session, "peer-joined", G_CALLBACK (on_peer_joined), self);
  g_signal_connect_swapped (self->session, "peer-left", G_CALLBACK (on_peer_left), self);
  g_signal_connect_swapped (self->session, "connected", G_CALLBACK (on_connected), self);
  g_signal_connect_swapped (self->session, "first-frame", G_CALLBACK (on_first_frame), self);
  g_signal_connect_swapped (self->session, "notify::output-level", G_CALLBACK (on_output_level),
                            self);
  g_signal_connect_swapped (self->session, "notify::input-level", G_CALLBACK (on_input_level),
                            self);
  g_signal_connect_swapped (self->session, "stats", G_CALLBACK (on_stats), self);
  g_signal_connect_swapped (self->session, "error", G_CALLBACK (on_session_error), self);
  g_signal_connect_swapped (self->session, "ended", G_CALLBACK (on_ended), self);

  self->timer_source = g_timeout_add_seconds (1, on_timer_tick, self);
  update_timer (self);
}

/* The notes and agenda beside the call are the session's shared documents, kept in the store;
 * without a store (it failed to open) the panels still work, on their own. */
static void start_docs (RpCallView *self, RpPartnerItem *partner);

/* A call started in the first moments after launch waits for the store to open. */
static void
on_store_ready (RpCallView *self)
{
  if (self->session == NULL || self->docs != NULL)
    return;
  start_docs (self, rp_partner_book_find_partner (self->book, self->partner_name));
  if (self->docs != NULL)
    rp_call_docs_set_link (self->docs, gtk_entry_get_text (self->link_entry));
  attach_proposals (self);
}

static void
start_docs (RpCallView *self, RpPartnerItem *partner)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&self->docs);
  if (rp_partner_book_get_store (self->book) == NULL)
    return;   /* on_store_ready () comes back */
  self->docs = rp_call_docs_new (self->book, partner,
                                 rp_notes_panel_get_buffer (self->notes_panel),
                                 rp_agenda_panel_get_model (self->agenda_panel), &error);
  if (self->docs == NULL)
    {
      g_warning ("This session's notes will not be kept: %s", error->message);
      return;
    }
  rp_notes_panel_set_binding (self->notes_panel, rp_call_docs_get_notes_binding (self->docs));
  rp_call_docs_set_session (self->docs, self->session);
}

/* --- scheduling proposals ------------------------------------------------------------ */

/* The partner's proposals travel over this call: the exchange is lent the session while the
 * partner is known (hosting for a partner, or once a joiner's peer name matches one). */
static void
detach_proposals (RpCallView *self)
{
  if (self->exchange != NULL)
    rp_proposal_exchange_set_session (self->exchange, NULL);
  g_clear_object (&self->exchange);
  gtk_revealer_set_reveal_child (self->proposal_revealer, FALSE);
}

static void
attach_proposals (RpCallView *self)
{
  RpPartnerItem *partner;
  RpProposalExchange *exchange;

  if (self->proposals == NULL || self->session == NULL || self->partner_name == NULL)
    return;
  partner = rp_partner_book_find_partner (self->book, self->partner_name);
  exchange = partner != NULL ? rp_proposal_center_get_exchange (self->proposals, partner) : NULL;
  if (exchange == NULL || exchange == self->exchange)
    return;
  detach_proposals (self);
  self->exchange = g_object_ref (exchange);
  rp_proposal_exchange_set_session (exchange, self->session);
  /* Lent after the channel opened (the store was still opening): send what waits now. */
  if (rp_session_get_state (self->session) == RP_SESSION_STATE_CONNECTED)
    rp_proposal_exchange_channel_opened (exchange);
}

static void
on_proposal_received (RpCallView *self, RpPartnerItem *partner, RpProposal *proposal)
{
  g_autofree char *text = NULL;
  guint n = rp_proposal_get_n_slots (proposal);

  if (self->session == NULL || g_strcmp0 (rp_partner_item_get_name (partner),
                                          self->partner_name) != 0)
    return;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s proposes %u time for your next session",
                                       "%s proposes %u times for your next session", n),
                          rp_partner_item_get_name (partner), n);
  gtk_label_set_label (self->proposal_label, text);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->proposal_view_button), "s",
                                    rp_partner_item_get_name (partner));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->proposal_view_button), "win.proposals");
  gtk_revealer_set_reveal_child (self->proposal_revealer, TRUE);
}

static void
on_proposal_dismissed (RpCallView *self)
{
  gtk_revealer_set_reveal_child (self->proposal_revealer, FALSE);
}

void
rp_call_view_set_proposals (RpCallView *self, RpProposalCenter *center)
{
  g_return_if_fail (RP_IS_CALL_VIEW (self));

  if (self->proposals != NULL)
    g_signal_handlers_disconnect_by_data (self->proposals, self);
  g_set_object (&self->proposals, center);
  if (center != NULL)
    g_signal_connect_object (center, "proposal-received", G_CALLBACK (on_proposal_received), self,
                             G_CONNECT_SWAPPED);
  attach_proposals (self);
}

static void
record_session (RpCallView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RpCallDocs) docs = g_steal_pointer (&self->docs);

  if (docs == NULL)
    return;
  rp_notes_panel_set_binding (self->notes_panel, NULL);
  if (!rp_call_docs_finish (docs, self->ever_connected ? self->connected_at : NULL, &error))
    g_warning ("Could not record the session: %s", error->message);
}

static gboolean
stop_server (gpointer user_data)
{
  RpCallView *self = user_data;

  self->server_stop_source = 0;
  if (self->server != NULL)
    rp_server_stop (self->server);
  g_clear_object (&self->server);
  return G_SOURCE_REMOVE;
}

static void
finish_call (RpCallView *self, const char *reason)
{
  g_autofree char *error = NULL;

  if (self->session == NULL)
    return;
  record_session (self);
  detach_proposals (self);
  g_signal_handlers_disconnect_by_data (self->session, self);
  reset_levels (self);
  g_clear_handle_id (&self->timer_source, g_source_remove);
  /* We may be inside one of the session's own signal emissions: let it unwind first. (Once:
   * g_object_unref as a GSourceFunc returned garbage, so the idle ran again and dropped a
   * reference the session's pending connect still held.) */
  g_idle_add_once ((GSourceOnceFunc) g_object_unref, g_steal_pointer (&self->session));
  /* The server stays a moment so that our "bye" reaches the partner, who then sees us leave
   * instead of a dropped connection; a new session in the meantime reuses it. */
  if (self->server != NULL && self->server_stop_source == 0)
    self->server_stop_source = g_timeout_add_seconds (3, stop_server, self);
  if (g_strcmp0 (reason, "error") == 0 && self->end_error != NULL)
    error = g_strdup (self->end_error);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, error);
}

/* "wss://host:port" or "host:port" (TLS) or "ws://host:port" (plain). */
static gboolean
parse_server_url (const char *url, char **host_port, gboolean *tls, GError **error)
{
  g_autofree char *with_scheme = strstr (url, "://") ? g_strdup (url) : g_strconcat ("wss://", url, NULL);
  g_autoptr (GUri) uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL
      || (g_strcmp0 (scheme, "ws") != 0 && g_strcmp0 (scheme, "wss") != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The rendezvous server address “%s” is not valid. Use the form wss://HOST:PORT, or leave it empty in Preferences to host on this computer."),
                   url);
      return FALSE;
    }
  *tls = g_strcmp0 (scheme, "wss") == 0;
  *host_port = g_strdup_printf ("%s:%d", g_uri_get_host (uri),
                                g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (*tls ? 443 : 80));
  return TRUE;
}

static gboolean
start_embedded_server (RpCallView *self, char **host_port, GError **error)
{
  g_autoptr (RpServer) server = NULL;

  if (self->server != NULL)
    {
      g_clear_handle_id (&self->server_stop_source, g_source_remove);
      *host_port = g_strdup_printf ("127.0.0.1:%u", rp_server_get_port (self->server));
      return TRUE;
    }
  server = rp_server_new ();

  if (!rp_server_start (server, error))
    {
      g_prefix_error (error, _("Could not start hosting on this computer: "));
      return FALSE;
    }
  *host_port = g_strdup_printf ("127.0.0.1:%u", rp_server_get_port (server));
  self->server = g_steal_pointer (&server);
  return TRUE;
}

/* --- own-video overlay ------------------------------------------------------------- */

/* The own video gets a size from the stage, not from the camera's resolution: about a fifth
 * of the stage's width, 4:3, where the user last dragged it. */
static gboolean
on_get_child_position (RpCallView *self, GtkWidget *child, GdkRectangle *rect)
{
  int stage_w = gtk_widget_get_allocated_width (GTK_WIDGET (self->stage));
  int stage_h = gtk_widget_get_allocated_height (GTK_WIDGET (self->stage));
  const char *page = gtk_stack_get_visible_child_name (self->stage_stack);

  if (child != self->self_view)
    return FALSE;
  rect->width = CLAMP (stage_w / 5, 120, 280);
  rect->height = rect->width * 3 / 4;
  rect->x = CLAMP (stage_w - rect->width - self->self_view_end, 0, MAX (0, stage_w - rect->width));
  rect->y = CLAMP (stage_h - rect->height - self->self_view_bottom, 0,
                   MAX (0, stage_h - rect->height));
  /* Until the partner is there the middle of the stage holds the link and its Copy button,
   * which the corner above the control bar reaches in a narrow window: wait below the top
   * bar instead. */
  if (g_strcmp0 (page, "waiting") == 0 || g_strcmp0 (page, "connecting") == 0)
    rect->y = gtk_widget_get_allocated_height (GTK_WIDGET (self->top_bar));
  return TRUE;
}

static void
on_self_view_drag_begin (RpCallView *self, double x, double y)
{
  self->drag_start_end = self->self_view_end;
  self->drag_start_bottom = self->self_view_bottom;
}

static void
on_self_view_drag_update (RpCallView *self, double dx, double dy)
{
  int max_end = gtk_widget_get_allocated_width (GTK_WIDGET (self->stage))
                - gtk_widget_get_allocated_width (self->self_view);
  int max_bottom = gtk_widget_get_allocated_height (GTK_WIDGET (self->stage))
                   - gtk_widget_get_allocated_height (self->self_view);

  self->self_view_end = CLAMP (self->drag_start_end - (int) dx, 0, MAX (0, max_end));
  self->self_view_bottom = CLAMP (self->drag_start_bottom - (int) dy, 0, MAX (0, max_bottom));
  gtk_widget_queue_resize (self->self_view);
}

static void
on_devices_popover_shown (RpCallView *self)
{
  rp_devices_fill_combo (self->camera_combo, RP_DEVICE_CAMERA, self->settings, "camera");
  rp_devices_fill_combo (self->microphone_combo, RP_DEVICE_MICROPHONE, self->settings,
                         "microphone");
  rp_devices_fill_combo (self->speaker_combo, RP_DEVICE_SPEAKER, self->settings, "speaker");
}

/* The session swaps camera or microphone in place during a call. */
static void
on_device_setting_changed (RpCallView *self, const char *key)
{
  g_autofree char *value = NULL;

  if (self->session == NULL)
    return;
  value = setting_or_null (self->settings, key);
  g_object_set (self->session, g_str_equal (key, "camera") ? "video-source" : "audio-source",
                value, NULL);
}

/* --- GObject --------------------------------------------------------------------------- */

static void
rp_call_view_dispose (GObject *object)
{
  RpCallView *self = RP_CALL_VIEW (object);

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      rp_session_hang_up (self->session);
      g_clear_object (&self->session);
    }
  g_clear_object (&self->docs);
  if (self->exchange != NULL)
    rp_proposal_exchange_set_session (self->exchange, NULL);
  g_clear_object (&self->exchange);
  g_clear_object (&self->proposals);
  if (self->server != NULL)
    rp_server_stop (self->server);
  g_clear_object (&self->server);
  g_clear_handle_id (&self->server_stop_source, g_source_remove);
  g_clear_handle_id (&self->timer_source, g_source_remove);
  drop_sink (&self->remote_sink);
  drop_sink (&self->local_sink);
  g_clear_object (&self->self_view_drag);
  g_clear_object (&self->chime);
  g_clear_object (&self->settings);
  g_clear_object (&self->book);
  g_clear_pointer (&self->connected_at, g_date_time_unref);
  g_clear_pointer (&self->partner_name, g_free);
  g_clear_pointer (&self->end_error, g_free);
  G_OBJECT_CLASS (rp_call_view_parent_class)->dispose (object);
}

static void
rp_call_view_class_init (RpCallViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rp_call_view_dispose;

  /* The error message when the call failed, else NULL. */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (RP_TYPE_NOTES_PANEL);
  g_type_ensure (RP_TYPE_AGENDA_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/rapport/Rapport/ui/rp-call-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, RpCallView, name)
  BIND (flap); BIND (stage); BIND (stage_stack); BIND (waiting_page); BIND (connecting_page);
  BIND (link_entry); BIND (remote_video_box); BIND (peer_avatar); BIND (audio_reason_label);
  BIND (peer_level); BIND (mic_level); BIND (peer_name_label); BIND (speaking_icon);
  BIND (timer_label); BIND (verification_button);
  BIND (verification_short_label); BIND (verification_label); BIND (quality_button);
  BIND (quality_icon); BIND (quality_summary_label); BIND (rtt_label); BIND (loss_label);
  BIND (jitter_label); BIND (send_label); BIND (recv_label); BIND (video_label);
  BIND (route_label); BIND (reconnecting_revealer); BIND (self_view); BIND (self_view_stack);
  BIND (top_bar);
  BIND (local_video_box); BIND (mic_icon); BIND (camera_icon); BIND (mic_button);
  BIND (camera_button); BIND (camera_combo); BIND (microphone_combo); BIND (speaker_combo);
  BIND (panel_stack); BIND (notes_panel); BIND (agenda_panel);
  BIND (proposal_revealer); BIND (proposal_label); BIND (proposal_view_button);
#undef BIND
  /* Not needed by the code, but reachable through gtk_widget_get_template_child () for tests. */
  gtk_widget_class_bind_template_child_full (widget_class, "hang_up_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "copy_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "devices_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_devices_popover_shown);
  gtk_widget_class_bind_template_callback (widget_class, on_proposal_dismissed);
  gtk_widget_class_set_css_name (widget_class, "rp-call-view");
}

/* A level bar's default offsets colour a low value as a warning: for a voice, quiet is fine.
 * (The class is set here: GtkLevelBar's builder does not take a <style> element.) */
static void
plain_meter (GtkLevelBar *meter)
{
  gtk_style_context_add_class (gtk_widget_get_style_context (GTK_WIDGET (meter)), "rp-meter");
  gtk_level_bar_remove_offset_value (meter, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (meter, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (meter, GTK_LEVEL_BAR_OFFSET_FULL);
}

static void
rp_call_view_init (RpCallView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->self_view_end = SELF_VIEW_MARGIN_END;
  self->self_view_bottom = SELF_VIEW_MARGIN_BOTTOM;
  g_signal_connect_swapped (self->stage, "get-child-position",
                            G_CALLBACK (on_get_child_position), self);
  self->self_view_drag = gtk_gesture_drag_new (self->self_view);
  g_signal_connect_swapped (self->self_view_drag, "drag-begin",
                            G_CALLBACK (on_self_view_drag_begin), self);
  g_signal_connect_swapped (self->self_view_drag, "drag-update",
                            G_CALLBACK (on_self_view_drag_update), self);
  self->chime = rp_chime_new ();
  plain_meter (self->peer_level);
  plain_meter (self->mic_level);
}

/* --- public API -------------------------------------------------------------------- */

void
rp_call_view_setup (RpCallView *self, GSettings *settings, RpPartnerBook *book)
{
  g_return_if_fail (RP_IS_CALL_VIEW (self));

  g_set_object (&self->settings, settings);
  g_set_object (&self->book, book);
  g_signal_connect_object (book, "notify::store", G_CALLBACK (on_store_ready), self,
                           G_CONNECT_SWAPPED);
  g_settings_bind (settings, "side-panel-open", self->flap, "reveal-flap", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (settings, "changed::camera", G_CALLBACK (on_device_setting_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::microphone",
                           G_CALLBACK (on_device_setting_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->camera_combo, "changed", G_CALLBACK (rp_devices_store_choice),
                            self->camera_combo);
  g_signal_connect_swapped (self->microphone_combo, "changed",
                            G_CALLBACK (rp_devices_store_choice), self->microphone_combo);
  g_signal_connect_swapped (self->speaker_combo, "changed", G_CALLBACK (rp_devices_store_choice),
                            self->speaker_combo);
}

gboolean
rp_call_view_host (RpCallView *self, RpPartnerItem *partner, GError **error)
{
  g_autofree char *url = NULL;
  g_autofree char *host_port = NULL;
  gboolean tls = FALSE;

  g_return_val_if_fail (RP_IS_CALL_VIEW (self), FALSE);
  g_return_val_if_fail (self->session == NULL, FALSE);

  url = setting_or_null (self->settings, "server-url");
  if (url != NULL ? !parse_server_url (url, &host_port, &tls, error)
                  : !start_embedded_server (self, &host_port, error))
    return FALSE;

  self->hosting = TRUE;
  create_session (self);
  if (partner != NULL)
    set_peer_name (self, rp_partner_item_get_name (partner));
  else
    gtk_label_set_label (self->peer_name_label, _("New session"));
  start_docs (self, partner);
  rp_session_host (self->session, host_port, tls);
  update_stage (self);
  return TRUE;
}

gboolean
rp_call_view_join (RpCallView *self, const char *link, GError **error)
{
  g_return_val_if_fail (RP_IS_CALL_VIEW (self), FALSE);
  g_return_val_if_fail (self->session == NULL, FALSE);

  self->hosting = FALSE;
  create_session (self);
  if (!rp_session_join_link (self->session, link, error))
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_handle_id (&self->timer_source, g_source_remove);
      g_clear_object (&self->session);
      return FALSE;
    }
  gtk_label_set_label (self->peer_name_label, _("Joining…"));
  start_docs (self, NULL);
  update_stage (self);
  return TRUE;
}

void
rp_call_view_hang_up (RpCallView *self)
{
  g_return_if_fail (RP_IS_CALL_VIEW (self));

  if (self->session == NULL)
    return;
  /* Keep a reference: hanging up may emit "ended", which drops ours. */
  {
    g_autoptr (RpSession) session = g_object_ref (self->session);

    rp_session_hang_up (session);
    finish_call (self, "hang-up");
  }
}

gboolean
rp_call_view_is_active (RpCallView *self)
{
  return self->session != NULL;
}

const char *
rp_call_view_get_link (RpCallView *self)
{
  return gtk_entry_get_text (self->link_entry);
}

void
rp_call_view_set_muted (RpCallView *self, gboolean muted)
{
  const char *label = muted ? _("Unmute microphone") : _("Mute microphone");

  gtk_image_set_from_icon_name (self->mic_icon,
                                muted ? "microphone-disabled-symbolic"
                                      : "audio-input-microphone-symbolic",
                                GTK_ICON_SIZE_BUTTON);
  gtk_widget_set_tooltip_text (self->mic_button, label);
  set_accessible_name (self->mic_button, label);
  /* Greyed while muted; it also falls to empty, as the session sends silence. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->mic_level), !muted);
  if (self->session != NULL)
    g_object_set (self->session, "muted", muted, NULL);
}

void
rp_call_view_set_camera_enabled (RpCallView *self, gboolean enabled)
{
  const char *label = enabled ? _("Turn camera off") : _("Turn camera on");

  gtk_image_set_from_icon_name (self->camera_icon,
                                enabled ? "camera-web-symbolic" : "camera-disabled-symbolic",
                                GTK_ICON_SIZE_BUTTON);
  gtk_widget_set_tooltip_text (self->camera_button, label);
  set_accessible_name (self->camera_button, label);
  gtk_stack_set_visible_child_name (self->self_view_stack, enabled ? "video" : "off");
  if (self->session != NULL)
    g_object_set (self->session, "camera-enabled", enabled, NULL);
}

void
rp_call_view_show_verification (RpCallView *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->verification_button)))
    gtk_popover_popup (gtk_menu_button_get_popover (self->verification_button));
}

void
rp_call_view_show_panel_page (RpCallView *self, const char *page)
{
  hdy_flap_set_reveal_flap (self->flap, TRUE);
  gtk_stack_set_visible_child_name (self->panel_stack, page);
  if (g_strcmp0 (page, "notes") == 0)
    rp_notes_panel_focus (self->notes_panel);
  else
    rp_agenda_panel_focus (self->agenda_panel);
}

GstElement *
rp_call_view_get_remote_sink (RpCallView *self)
{
  return self->remote_sink;
}

GObject *
rp_call_view_get_session (RpCallView *self)
{
  return self->session ? G_OBJECT (self->session) : NULL;
}

/* The session's record and shared documents while in a call (NULL otherwise): for tests. */
GObject *
rp_call_view_get_docs (RpCallView *self)
{
  return self->docs ? G_OBJECT (self->docs) : NULL;
}
