#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Call benchmarks with real processes: a rapport-server and two rapport-peer processes on
loopback, test sources at 640x480@30.

  setup   the joiner's first-frame video `ms` (PROTOCOL.md: from its joined/peer-joined,
          whichever is later, to the first decoded remote frame), with the host's local media
          already running; N calls, each with fresh processes
  cpu     % of one core and RSS of each peer during a two-way call, sampled from /proc after
          a warm-up
  audio-only-joiner
          the same for a video host (test pattern) whose joiner is --audio-only: the host's
          CPU and its send bitrate (stats send_kbps), which want-video: false should bring
          down to the audio stream's

Prints figures; never fails on time.  Usage: bench-call.py BUILD_DIR [setup|cpu|all] [N]
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time


def start_server(build):
    proc = subprocess.Popen([os.path.join(build, 'src/server/rapport-server'), '--port', '0',
                             '--bind', '127.0.0.1'], stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r'event=listening .*port=(\d+)', line)
        if m:
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

    def wait_for(self, pred, timeout=60):
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
    return ev['event'] == 'first-frame' and ev['kind'] == 'video'


def one_call(build, server):
    host = Peer(build, ['--host', '--server', server, '--video', 'test', '--audio', 'test:440'])
    link = host.wait_for(lambda e: e['event'] == 'ready')['link']
    host.wait_for(lambda e: e['event'] == 'joined')
    time.sleep(1.0)     # the host's preview is running, as in the app before anyone joins
    guest = Peer(build, [link, '--video', 'test', '--audio', 'test:880', '--duration', '1'])
    ev = guest.wait_for(is_video_frame, 30)
    guest.wait_for(lambda e: e['event'] == 'ended', 30)
    guest.stop()
    host.stop()
    return ev['ms'] if ev else None


def bench_setup(build, n):
    server, host_port = start_server(build)
    try:
        results = [one_call(build, host_port) for _ in range(n)]
    finally:
        server.terminate()
        server.wait()
    ok = [r for r in results if r is not None]
    print('call setup, joiner first-frame video ms (%d calls): %s' % (n, ok))
    if ok:
        print('  median %d ms, min %d ms, max %d ms' % (statistics.median(ok), min(ok), max(ok)))
    if len(ok) < n:
        print('  %d call(s) showed no video within 30 s' % (n - len(ok)))


def cpu_ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])      # utime + stime


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def bench_cpu(build, seconds=10, warmup=5):
    server, host_port = start_server(build)
    hz = os.sysconf('SC_CLK_TCK')
    try:
        host = Peer(build, ['--host', '--server', host_port, '--video', 'test', '--audio',
                            'test:440'])
        link = host.wait_for(lambda e: e['event'] == 'ready')['link']
        guest = Peer(build, [link, '--video', 'test', '--audio', 'test:880'])
        guest.wait_for(is_video_frame, 30)
        host.wait_for(is_video_frame, 30)
        time.sleep(warmup)
        peers = [('host', host), ('guest', guest)]
        before = {name: cpu_ticks(p.proc.pid) for name, p in peers}
        t0 = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        for name, p in peers:
            used = (cpu_ticks(p.proc.pid) - before[name]) / hz
            print('two-way 640x480@30 call, %s: %.1f %% of one core, RSS %.1f MiB'
                  % (name, 100.0 * used / elapsed, rss_kib(p.proc.pid) / 1024.0))
        guest.wait_for(lambda e: False, 2)      # read the stats printed meanwhile
        host.stop()
        guest.stop()
        fps = [e['fps'] for e in guest.events if e['event'] == 'stats'][-5:]
        print('  guest received fps, last stats: %s' % fps)
    finally:
        server.terminate()
        server.wait()


def bench_audio_only_joiner(build, seconds=10, warmup=5):
    server, host_port = start_server(build)
    hz = os.sysconf('SC_CLK_TCK')
    try:
        host = Peer(build, ['--host', '--server', host_port, '--video', 'test', '--audio',
                            'test:440'])
        link = host.wait_for(lambda e: e['event'] == 'ready')['link']
        guest = Peer(build, [link, '--audio-only', '--audio', 'test:880'])
        host.wait_for(lambda e: e['event'] == 'first-frame' and e['kind'] == 'audio', 30)
        time.sleep(warmup)
        peers = [('host (video)', host), ('guest (audio-only)', guest)]
        before = {name: cpu_ticks(p.proc.pid) for name, p in peers}
        t0 = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        for name, p in peers:
            used = (cpu_ticks(p.proc.pid) - before[name]) / hz
            print('video host, audio-only joiner, %s: %.1f %% of one core, RSS %.1f MiB'
                  % (name, 100.0 * used / elapsed, rss_kib(p.proc.pid) / 1024.0))
        host.wait_for(lambda e: False, 2)       # read the stats printed meanwhile
        host.stop()
        guest.stop()
        kbps = [e['send_kbps'] for e in host.events if e['event'] == 'stats'][-5:]
        print('  host send_kbps, last stats: %s' % kbps)
    finally:
        server.terminate()
        server.wait()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('RAPPORT_BUILD_DIR', 'build')
    what = sys.argv[2] if len(sys.argv) > 2 else 'all'
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    print('load average before: %s' % ' '.join(open('/proc/loadavg').read().split()[:3]))
    if what in ('setup', 'all'):
        bench_setup(build, n)
    if what in ('cpu', 'all'):
        bench_cpu(build)
    if what in ('audio-only-joiner', 'all'):
        bench_audio_only_joiner(build)


if __name__ == '__main__':
    main()
