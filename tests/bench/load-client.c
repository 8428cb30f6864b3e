/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Load client for a PROTOCOL.md rendezvous server (rapport-server, or the Node `ws` server
 * beside it): opens many real WebSocket connections in pairs, one room per pair, then sends
 * `app` messages at a fixed total rate and measures how long each takes to come out on the
 * other side of its room. One thread and epoll, so that thousands of connections cost the
 * client little next to the server it measures.
 *
 *   load-client --port N [--host 127.0.0.1] [--rooms 2500] [--rate 2000] [--duration 20]
 *               [--server-pid PID] [--label NAME]
 *
 * Prints figures; never fails on them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RX_CAP 4096
#define MAX_EVENTS 512
#define JOIN_WINDOW 200     /* rooms being set up at once */

enum { ST_CONNECTING, ST_HANDSHAKE, ST_JOINING, ST_READY, ST_CLOSED };

typedef struct {
  int      fd;
  int      state;
  int      room;
  int      side;
  uint8_t  mask[4];
  size_t   rx_len;
  char     rx[RX_CAP];
  char    *tx;
  size_t   tx_len;
  size_t   tx_cap;
} Conn;

typedef struct {
  char token[64];
  int  ready;
} Room;

static struct {
  const char *host;
  int         port;
  int         rooms;
  double      rate;
  double      duration;
  int         server_pid;
  const char *label;
} opt = { "127.0.0.1", 0, 2500, 2000, 20, 0, "server" };

static int epfd;
static Conn *conns;
static Room *rooms;
static int n_conns;
static int rooms_ready, rooms_started, rooms_failed;
static uint64_t *latencies;
static size_t n_latencies, cap_latencies;
static uint64_t received, closed_by_server;

static uint64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static long
rss_kib (int pid)
{
  char path[64], line[256];
  long kib = -1;
  FILE *f;

  if (pid <= 0)
    return -1;
  snprintf (path, sizeof path, "/proc/%d/status", pid);
  if (!(f = fopen (path, "r")))
    return -1;
  while (fgets (line, sizeof line, f))
    if (sscanf (line, "VmRSS: %ld kB", &kib) == 1)
      break;
  fclose (f);
  return kib;
}

static double
cpu_seconds (int pid)
{
  char path[64], buf[1024];
  unsigned long utime = 0, stime = 0;
  FILE *f;
  char *p;

  if (pid <= 0)
    return -1;
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  if (!(f = fopen (path, "r")))
    return -1;
  if (!fgets (buf, sizeof buf, f))
    buf[0] = '\0';
  fclose (f);
  /* Fields 14 and 15, counted after the ")" that ends the command name. */
  p = strrchr (buf, ')');
  if (p == NULL || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                           &utime, &stime) != 2)
    return -1;
  return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

/* --- sending --- */

static void
watch (Conn *c, uint32_t events, int op)
{
  struct epoll_event ev = { .events = events, .data.ptr = c };

  epoll_ctl (epfd, op, c->fd, &ev);
}

static void
queue_bytes (Conn *c, const char *data, size_t len)
{
  if (c->tx_len + len > c->tx_cap)
    {
      c->tx_cap = (c->tx_len + len) * 2;
      c->tx = realloc (c->tx, c->tx_cap);
    }
  memcpy (c->tx + c->tx_len, data, len);
  c->tx_len += len;
  watch (c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
}

static void
send_raw (Conn *c, const char *data, size_t len)
{
  ssize_t n = 0;

  if (c->tx_len == 0)
    {
      n = send (c->fd, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN)
        {
          c->state = ST_CLOSED;
          return;
        }
      if (n < 0)
        n = 0;
    }
  if ((size_t) n < len)
    queue_bytes (c, data + n, len - (size_t) n);
}

static void
flush_tx (Conn *c)
{
  ssize_t n = send (c->fd, c->tx, c->tx_len, MSG_NOSIGNAL);

  if (n < 0)
    {
      if (errno != EAGAIN)
        c->state = ST_CLOSED;
      return;
    }
  memmove (c->tx, c->tx + n, c->tx_len - (size_t) n);
  c->tx_len -= (size_t) n;
  if (c->tx_len == 0)
    watch (c, EPOLLIN, EPOLL_CTL_MOD);
}

/* A client frame: FIN, opcode, masked payload (RFC 6455 5.3). */
static void
send_frame (Conn *c, int opcode, const char *payload, size_t len)
{
  char frame[RX_CAP + 16];
  size_t off = 0;

  if (len > RX_CAP)
    return;
  frame[off++] = (char) (0x80 | opcode);
  if (len < 126)
    frame[off++] = (char) (0x80 | len);
  else
    {
      frame[off++] = (char) (0x80 | 126);
      frame[off++] = (char) (len >> 8);
      frame[off++] = (char) (len & 0xff);
    }
  memcpy (frame + off, c->mask, 4);
  off += 4;
  for (size_t i = 0; i < len; i++)
    frame[off + i] = (char) (payload[i] ^ c->mask[i & 3]);
  send_raw (c, frame, off + len);
}

static void
send_text (Conn *c, const char *text)
{
  send_frame (c, 0x1, text, strlen (text));
}

static void
send_join (Conn *c)
{
  char text[256];

  if (c->side == 0)
    snprintf (text, sizeof text, "{\"type\":\"join\",\"version\":1,\"name\":\"bench\","
              "\"client\":\"%016x%016x\"}", c->room, 0);
  else
    snprintf (text, sizeof text, "{\"type\":\"join\",\"version\":1,\"room\":\"%s\","
              "\"name\":\"bench\",\"client\":\"%016x%016x\"}", rooms[c->room].token, c->room, 1);
  c->state = ST_JOINING;
  send_text (c, text);
}

/* --- connecting --- */

static void
start_connect (Conn *c)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) opt.port) };
  int one = 1;

  inet_pton (AF_INET, opt.host, &addr.sin_addr);
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0)
    {
      perror ("socket");
      exit (1);
    }
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  for (int i = 0; i < 4; i++)
    c->mask[i] = (uint8_t) rand ();
  c->state = ST_CONNECTING;
  if (connect (c->fd, (struct sockaddr *) &addr, sizeof addr) < 0 && errno != EINPROGRESS)
    {
      c->state = ST_CLOSED;
      return;
    }
  watch (c, EPOLLOUT | EPOLLIN, EPOLL_CTL_ADD);
}

static void
on_connected (Conn *c)
{
  char req[512];
  int err = 0;
  socklen_t len = sizeof err;

  getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0)
    {
      c->state = ST_CLOSED;
      return;
    }
  snprintf (req, sizeof req,
            "GET /v1 HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            opt.host, opt.port);
  c->state = ST_HANDSHAKE;
  watch (c, EPOLLIN, EPOLL_CTL_MOD);
  send_raw (c, req, strlen (req));
}

static void
start_room (int r)
{
  rooms_started++;
  start_connect (&conns[2 * r]);
}

/* --- receiving --- */

static int
extract_string (const char *text, const char *key, char *out, size_t out_len)
{
  const char *p = strstr (text, key);
  size_t n = 0;

  if (p == NULL)
    return 0;
  p += strlen (key);
  while (p[n] && p[n] != '"' && n + 1 < out_len)
    n++;
  memcpy (out, p, n);
  out[n] = '\0';
  return 1;
}

static void
record_latency (const char *text)
{
  const char *p = strstr (text, "\"t\":");
  uint64_t t;

  if (p == NULL)
    return;
  t = strtoull (p + 4, NULL, 10);
  received++;
  if (n_latencies < cap_latencies)
    latencies[n_latencies++] = now_ns () - t;
}

static void
on_text (Conn *c, char *text)
{
  if (strstr (text, "\"type\":\"app\""))
    {
      record_latency (text);
      return;
    }
  if (c->state != ST_JOINING)
    return;
  if (strstr (text, "\"type\":\"welcome\""))
    {
      c->state = ST_READY;
      if (c->side == 0)
        {
          extract_string (text, "\"room\":\"", rooms[c->room].token, sizeof rooms[c->room].token);
          start_connect (&conns[2 * c->room + 1]);
        }
      else
        {
          rooms[c->room].ready = 1;
          rooms_ready++;
        }
    }
  else if (strstr (text, "\"type\":\"error\""))
    {
      fprintf (stderr, "join refused: %s\n", text);
      c->state = ST_CLOSED;
    }
}

/* Returns bytes consumed, 0 if the frame is not complete yet. */
static size_t
parse_frame (Conn *c, char *buf, size_t len)
{
  uint8_t *b = (uint8_t *) buf;
  size_t head = 2, plen;
  int opcode;

  if (len < 2)
    return 0;
  opcode = b[0] & 0x0f;
  plen = b[1] & 0x7f;
  if (plen == 126)
    {
      if (len < 4)
        return 0;
      plen = ((size_t) b[2] << 8) | b[3];
      head = 4;
    }
  else if (plen == 127)
    {
      fprintf (stderr, "frame too large for the load client\n");
      c->state = ST_CLOSED;
      return len;
    }
  if (len < head + plen)
    return 0;
  if (opcode == 0x1)
    {
      char saved = buf[head + plen];

      buf[head + plen] = '\0';
      on_text (c, buf + head);
      buf[head + plen] = saved;
    }
  else if (opcode == 0x9)
    send_frame (c, 0xA, buf + head, plen);
  else if (opcode == 0x8)
    {
      closed_by_server++;
      c->state = ST_CLOSED;
    }
  return head + plen;
}

static void
on_handshake (Conn *c)
{
  char *end;
  size_t used;

  c->rx[c->rx_len] = '\0';
  end = strstr (c->rx, "\r\n\r\n");
  if (end == NULL)
    return;
  if (strncmp (c->rx, "HTTP/1.1 101", 12) != 0)
    {
      fprintf (stderr, "upgrade refused: %.40s\n", c->rx);
      c->state = ST_CLOSED;
      return;
    }
  used = (size_t) (end + 4 - c->rx);
  memmove (c->rx, c->rx + used, c->rx_len - used);
  c->rx_len -= used;
  send_join (c);
}

static void
on_readable (Conn *c)
{
  ssize_t n = recv (c->fd, c->rx + c->rx_len, RX_CAP - 1 - c->rx_len, 0);
  size_t off = 0, used;

  if (n <= 0)
    {
      if (n == 0 || errno != EAGAIN)
        c->state = ST_CLOSED;
      return;
    }
  c->rx_len += (size_t) n;
  if (c->state == ST_HANDSHAKE)
    on_handshake (c);
  while (c->state != ST_CLOSED && c->state != ST_HANDSHAKE
         && (used = parse_frame (c, c->rx + off, c->rx_len - off)) > 0)
    off += used;
  memmove (c->rx, c->rx + off, c->rx_len - off);
  c->rx_len -= off;
}

static void
on_event (Conn *c, uint32_t events)
{
  int was = c->state;

  if (c->state == ST_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
    on_connected (c);
  else
    {
      if ((events & EPOLLOUT) && c->tx_len > 0)
        flush_tx (c);
      if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        on_readable (c);
    }
  if (c->state == ST_CLOSED && was != ST_CLOSED)
    {
      epoll_ctl (epfd, EPOLL_CTL_DEL, c->fd, NULL);
      close (c->fd);
      c->fd = -1;
      if (was != ST_READY)
        rooms_failed++;
    }
}

static void
poll_once (int timeout_ms)
{
  struct epoll_event events[MAX_EVENTS];
  int n = epoll_wait (epfd, events, MAX_EVENTS, timeout_ms);

  for (int i = 0; i < n; i++)
    on_event (events[i].data.ptr, events[i].events);
}

/* --- phases --- */

static double
connect_all (void)
{
  uint64_t start = now_ns (), last_progress = start;
  int next = 0, last_ready = -1;

  while (rooms_ready + rooms_failed < opt.rooms)
    {
      while (next < opt.rooms && rooms_started - rooms_ready - rooms_failed < JOIN_WINDOW)
        start_room (next++);
      poll_once (100);
      if (rooms_ready != last_ready)
        {
          last_ready = rooms_ready;
          last_progress = now_ns ();
        }
      else if (now_ns () - last_progress > 30ull * 1000000000u)
        {
          fprintf (stderr, "no progress for 30 s; giving up on the rest\n");
          break;
        }
    }
  return (double) (now_ns () - start) / 1e9;
}

static void
send_app (int i)
{
  int r = i % opt.rooms, side = (i / opt.rooms) % 2;
  Conn *c;
  char text[128];

  if (!rooms[r].ready)
    return;
  c = &conns[2 * r + side];
  if (c->state != ST_READY)
    return;
  snprintf (text, sizeof text, "{\"type\":\"app\",\"data\":{\"t\":%llu}}",
            (unsigned long long) now_ns ());
  send_text (c, text);
}

static uint64_t
run_load (void)
{
  uint64_t start = now_ns (), end = start + (uint64_t) (opt.duration * 1e9);
  uint64_t sent = 0;

  for (uint64_t now = start; now < end; now = now_ns ())
    {
      uint64_t due = (uint64_t) ((double) (now - start) * opt.rate / 1e9);

      while (sent < due)
        send_app ((int) sent++);
      poll_once (1);
    }
  /* Let the last messages arrive. */
  for (uint64_t drain = now_ns () + 1000000000u; now_ns () < drain && received < sent;)
    poll_once (10);
  return sent;
}

static int
compare_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (double p)
{
  size_t i;

  if (n_latencies == 0)
    return -1;
  i = (size_t) (p * (double) (n_latencies - 1));
  return (double) latencies[i] / 1e6;
}

static void
parse_options (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "host", required_argument, NULL, 'h' },
    { "port", required_argument, NULL, 'p' },
    { "rooms", required_argument, NULL, 'r' },
    { "rate", required_argument, NULL, 'm' },
    { "duration", required_argument, NULL, 'd' },
    { "server-pid", required_argument, NULL, 's' },
    { "label", required_argument, NULL, 'l' },
    { NULL, 0, NULL, 0 }
  };
  int ch;

  while ((ch = getopt_long (argc, argv, "h:p:r:m:d:s:l:", longopts, NULL)) != -1)
    {
      switch (ch)
        {
        case 'h': opt.host = optarg; break;
        case 'p': opt.port = atoi (optarg); break;
        case 'r': opt.rooms = atoi (optarg); break;
        case 'm': opt.rate = atof (optarg); break;
        case 'd': opt.duration = atof (optarg); break;
        case 's': opt.server_pid = atoi (optarg); break;
        case 'l': opt.label = optarg; break;
        default:
          fprintf (stderr, "usage: load-client --port N [--host H] [--rooms N] [--rate MSG_S] "
                   "[--duration S] [--server-pid PID] [--label NAME]\n");
          exit (2);
        }
    }
  if (opt.port <= 0 || opt.rooms <= 0 || opt.rate <= 0 || opt.duration <= 0)
    {
      fprintf (stderr, "load-client: --port, --rooms, --rate, --duration must be positive\n");
      exit (2);
    }
}

int
main (int argc, char **argv)
{
  long rss_before, rss_after, rss_end;
  double connect_s, cpu_before, cpu_after;
  uint64_t sent;
  int held = 0;

  parse_options (argc, argv);
  n_conns = 2 * opt.rooms;
  conns = calloc ((size_t) n_conns, sizeof *conns);
  rooms = calloc ((size_t) opt.rooms, sizeof *rooms);
  for (int i = 0; i < n_conns; i++)
    {
      conns[i].fd = -1;
      conns[i].room = i / 2;
      conns[i].side = i % 2;
    }
  cap_latencies = (size_t) (opt.rate * opt.duration) + 1024;
  latencies = malloc (cap_latencies * sizeof *latencies);
  epfd = epoll_create1 (0);

  rss_before = rss_kib (opt.server_pid);
  connect_s = connect_all ();
  rss_after = rss_kib (opt.server_pid);
  cpu_before = cpu_seconds (opt.server_pid);
  sent = run_load ();
  cpu_after = cpu_seconds (opt.server_pid);
  rss_end = rss_kib (opt.server_pid);
  for (int i = 0; i < n_conns; i++)
    held += conns[i].state == ST_READY;

  qsort (latencies, n_latencies, sizeof *latencies, compare_u64);
  printf ("[%s] connections held: %d of %d (%d rooms; set up in %.1f s)\n", opt.label, held,
          n_conns, rooms_ready, connect_s);
  printf ("[%s] messages: %llu sent, %llu relayed in %.0f s = %.0f msg/s (target %.0f); "
          "closed by server: %llu\n", opt.label, (unsigned long long) sent,
          (unsigned long long) received, opt.duration, (double) received / opt.duration,
          opt.rate, (unsigned long long) closed_by_server);
  printf ("[%s] relay latency: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n", opt.label,
          percentile_ms (0.50), percentile_ms (0.99), percentile_ms (0.999),
          percentile_ms (1.0));
  if (rss_after > 0)
    printf ("[%s] server RSS: %.1f MB idle, %.1f MB with connections, %.1f MB after load; "
            "%.2f KB per connection; server CPU %.0f%% of one core under load\n", opt.label,
            rss_before / 1024.0, rss_after / 1024.0, rss_end / 1024.0,
            held ? (double) (rss_end - rss_before) / held : 0.0,
            100.0 * (cpu_after - cpu_before) / opt.duration);
  printf ("{\"label\":\"%s\",\"connections\":%d,\"held\":%d,\"msg_per_s\":%.0f,"
          "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"rss_mb\":%.1f,\"rss_kb_per_conn\":%.2f}\n",
          opt.label, n_conns, held, (double) received / opt.duration, percentile_ms (0.50),
          percentile_ms (0.99), rss_end / 1024.0,
          held ? (double) (rss_end - rss_before) / held : 0.0);
  return 0;
}
