#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Call setup: the joiner's first-frame video `ms` (PROTOCOL.md: from its joined/peer-joined,
whichever is later, to the first decoded remote frame), the host's media already running.

  peers     two rapport-peer processes (test sources, 640x480@30), fresh processes each call
  browsers  two headless Chromium pages (tests/browser/call.html: a canvas 640x480@30 and a
            sine tone) through the same rendezvous server; one browser process, two fresh
            tabs each call

Both go through one rapport-server on loopback. Prints figures; never fails on time.
Usage: call-setup.py BUILD_DIR [peers|browsers|all] [N]
"""
import http.server
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_DIR = os.path.join(HERE, '..', 'browser')
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMIUM_FLAGS = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
    # Host candidates with real addresses, loopback included, instead of mDNS names.
    '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
    # Background tabs are not throttled: both pages of a call are live.
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
]


class Pages:
    """Serves the browser page and collects the events each page POSTs to /report/TAG."""

    def __init__(self):
        self.queues = {}
        self.hang_up = set()
        self.lock = threading.Lock()
        pages = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=PAGE_DIR, **kwargs)

            def log_message(self, *args):
                pass

            def do_POST(self):
                tag = self.path.rsplit('/', 1)[-1]
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                if os.environ.get('RAPPORT_BENCH_DEBUG') is not None:
                    print(tag, body.decode(), file=sys.stderr)
                pages.queue(tag).put(json.loads(body))
                reply = b'{"action":"hang-up"}' if tag in pages.hang_up else b'{}'
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def queue(self, tag):
        with self.lock:
            return self.queues.setdefault(tag, queue.Queue())

    def wait_for(self, tag, pred, timeout=30):
        end = time.monotonic() + timeout
        q = self.queue(tag)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                ev = q.get(timeout=left)
            except queue.Empty:
                return None
            if ev.get('event') == 'error':
                raise RuntimeError(f'page {tag}: {ev.get("message")}')
            if pred(ev):
                return ev

    def url(self, tag, server, **params):
        query = '&'.join(f'{k}={v}' for k, v in params.items() if v is not None)
        return (f'http://127.0.0.1:{self.port}/call.html?server={server}'
                f'&report=/report/{tag}&{query}')

    def close(self):
        self.httpd.shutdown()


def start_server(build, origin):
    proc = subprocess.Popen([os.path.join(build, 'src/server/rapport-server'), '--port', '0',
                             '--bind', '127.0.0.1', '--allow-origin', origin],
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r'event=listening .*port=(\d+)', line)
        if m:
            threading.Thread(target=lambda: [print(l, end='', file=sys.stderr) for l in proc.stderr
                                             if os.environ.get('RAPPORT_BENCH_DEBUG')],
                             daemon=True).start()
            return proc, '127.0.0.1:' + m.group(1)
    raise RuntimeError('server did not start')


class Peer:
    def __init__(self, build, args):
        env = dict(os.environ)
        env.pop('G_MESSAGES_DEBUG', None)
        self.proc = subprocess.Popen([os.path.join(build, 'src/peer/rapport-peer')] + args,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=env)
        self.events = []

    def wait_for(self, pred, timeout=30):
        end = time.monotonic() + timeout
        for ev in self.events:
            if pred(ev):
                return ev
        while time.monotonic() < end:
            line = self.proc.stdout.readline()
            if not line:
                return None
            ev = json.loads(line)
            self.events.append(ev)
            if pred(ev):
                return ev
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def is_video_frame(ev):
    return ev.get('event') == 'first-frame' and ev.get('kind') == 'video'


def peers_call(build, server):
    host = Peer(build, ['--host', '--server', server, '--video', 'test', '--audio', 'test:440'])
    try:
        link = host.wait_for(lambda e: e['event'] == 'ready')['link']
        host.wait_for(lambda e: e['event'] == 'joined')
        time.sleep(1.0)     # the host's media is running, as in the app before anyone joins
        guest = Peer(build, [link, '--video', 'test', '--audio', 'test:880', '--duration', '1'])
        try:
            ev = guest.wait_for(is_video_frame)
            guest.wait_for(lambda e: e['event'] == 'ended')
        finally:
            guest.stop()
    finally:
        host.stop()
    return ev['ms'] if ev else None


class Chromium:
    """One headless browser; each call opens two fresh tabs through the DevTools HTTP API."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix='rapport-chromium-')
        debug = os.environ.get('RAPPORT_BENCH_DEBUG') is not None
        self.proc = subprocess.Popen(
            [CHROMIUM] + CHROMIUM_FLAGS + ['--user-data-dir=' + self.profile,
                                           '--remote-debugging-port=0', 'about:blank']
            + (['--enable-logging=stderr', '--log-level=0'] if debug else []),
            stdout=subprocess.DEVNULL, stderr=None if debug else subprocess.DEVNULL)
        port_file = os.path.join(self.profile, 'DevToolsActivePort')
        end = time.monotonic() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.monotonic() > end or self.proc.poll() is not None:
                raise RuntimeError('chromium did not start')
            time.sleep(0.05)
        with open(port_file) as f:
            self.devtools = 'http://127.0.0.1:' + f.readline().strip()

    def open(self, url):
        req = urllib.request.Request(self.devtools + '/json/new?' + urllib.parse.quote(url, safe=''), method='PUT')
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)['id']

    def close_tab(self, tab):
        with urllib.request.urlopen(self.devtools + '/json/close/' + tab, timeout=10) as r:
            r.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # Chromium's helper processes may still be writing to the profile for a moment.
        for _ in range(50):
            shutil.rmtree(self.profile, ignore_errors=True)
            if not os.path.exists(self.profile):
                break
            time.sleep(0.1)


def browsers_call(chromium, pages, server, i):
    host_tag, guest_tag = f'host{i}', f'guest{i}'
    tabs = [chromium.open(pages.url(host_tag, server, name='host', freq=440))]
    try:
        joined = pages.wait_for(host_tag, lambda e: e['event'] == 'joined')
        time.sleep(1.0)     # the host page's media is running
        tabs.append(chromium.open(pages.url(guest_tag, server, name='guest', freq=880,
                                            room=joined['room'])))
        ev = pages.wait_for(guest_tag, is_video_frame)
        pages.hang_up.add(guest_tag)
        pages.wait_for(host_tag, lambda e: e['event'] == 'ended', 10)
    finally:
        for tab in tabs:
            chromium.close_tab(tab)
    return ev['ms'] if ev else None


def summary(label, figures):
    got = [f for f in figures if f is not None]
    if not got:
        print(f'{label}: no call reached a first frame ({len(figures)} tried)')
        return
    print(f'{label}: median {statistics.median(got):.0f} ms, min {min(got)} ms, '
          f'max {max(got)} ms ({len(got)}/{len(figures)} calls; all: {figures})')


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    what = sys.argv[2] if len(sys.argv) > 2 else 'all'
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    pages = Pages()
    server, host_port = start_server(build, f'http://127.0.0.1:{pages.port}')
    try:
        print(f'load before: {os.getloadavg()[0]:.2f} (1-min average), {os.cpu_count()} cores')
        if what in ('peers', 'all'):
            summary('rapport-peer pair, joiner first-frame video',
                    [peers_call(build, host_port) for _ in range(n)])
        if what in ('browsers', 'all'):
            if not os.access(CHROMIUM, os.X_OK):
                print(f'chromium pair: skipped ({CHROMIUM} not installed)')
            else:
                chromium = Chromium()
                try:
                    summary('chromium pair, joiner first-frame video',
                            [browsers_call(chromium, pages, host_port, i) for i in range(n)])
                finally:
                    chromium.stop()
        print(f'load after: {os.getloadavg()[0]:.2f}')
    finally:
        server.terminate()
        server.wait()
        pages.close()


if __name__ == '__main__':
    main()
