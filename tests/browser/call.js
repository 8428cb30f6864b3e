// SPDX-License-Identifier: GPL-3.0-or-later
//
// The client side of the Rapport wire contract, version 1 (PROTOCOL.md), in a browser:
// signaling over WebSocket, perfect negotiation with the server's `polite` flag, trickle ICE,
// the pre-negotiated data channel, a canvas test pattern and a sine tone as media, and the
// verification code. It reports the same events as `rapport-peer` (joined, peer-joined,
// connected, first-frame, audio-level, verification, stats, peer-left, error, ended), shown on
// the page and, with ?report=URL, POSTed there one JSON object at a time. A reply to such a
// POST may say {"action": "hang-up"}: the page then says bye and ends.
'use strict';

const params = new URLSearchParams(location.search);
const config = {
  server: params.get('server') || location.host,
  room: params.get('room'),
  name: params.get('name') || 'browser',
  freq: Number(params.get('freq') || 660),
  client: params.get('client') || randomHex(16),
  report: params.get('report'),
  duration: Number(params.get('duration') || 0),
};

const t0 = performance.now();
const state = {
  ws: null,
  pc: null,
  channel: null,
  polite: false,
  peerPresent: false,
  joinedAt: null,      // performance.now() of our welcome
  peerJoinedAt: null,  // performance.now() of the other side's arrival
  makingOffer: false,
  ignoreOffer: false,
  firstExchangeDone: false,
  firstFrame: { audio: false, video: false },
  codeShown: false,
  connected: false,
  ended: false,
  leaving: null,       // why we said bye, until the server closes
  gen: 0,              // the last rapport-restart generation of this pair
  iceServers: [],
  deadTimer: null,
  media: null,         // { stream, audioTrack, videoTrack, audioContext }
  analyser: null,
  timers: [],
};
const events = [];   // everything reported, also for a harness reading the page
window.rapportEvents = events;

function randomHex(bytes) {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

function sinceStart(t) {
  return Math.round((t === undefined ? performance.now() : t) - t0);
}

// ---- reporting ------------------------------------------------------------------------------

// POSTs go one after another so that the receiver sees the events in order.
let reportChain = Promise.resolve();

function report(event, fields) {
  const ev = Object.assign({ event, t_ms: sinceStart() }, fields || {});
  events.push(ev);
  const line = document.createElement('div');
  line.textContent = JSON.stringify(ev);
  document.getElementById('log').append(line);
  if (!config.report)
    return;
  reportChain = reportChain.then(async () => {
    try {
      const reply = await fetch(config.report, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(ev),
      });
      const text = await reply.text();
      const order = text ? JSON.parse(text) : null;
      if (order && order.action === 'hang-up')
        hangUp('hang-up');
    } catch (e) {
      console.warn('report failed', e);
    }
  });
}

function fail(message) {
  report('error', { message: String(message) });
  end('error');
}

// ---- local media: a moving test pattern and a sine tone -------------------------------------

function startLocalMedia() {
  const canvas = document.getElementById('local');
  const ctx = canvas.getContext('2d');
  let n = 0;
  // A timer, not requestAnimationFrame: frames keep coming when the page is not painted.
  state.timers.push(setInterval(() => {
    ctx.fillStyle = `hsl(${(n * 3) % 360}, 60%, 40%)`;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#fff';
    ctx.fillRect((n * 8) % canvas.width, 200, 80, 80);
    ctx.font = '48px sans-serif';
    ctx.fillText(String(n), 20, 60);
    n++;
  }, 1000 / 30));
  const video = canvas.captureStream(30);

  const audioContext = new AudioContext({ sampleRate: 48000 });
  const osc = new OscillatorNode(audioContext, { type: 'sine', frequency: config.freq });
  const gain = new GainNode(audioContext, { gain: 0.5 });
  const dest = new MediaStreamAudioDestinationNode(audioContext);
  osc.connect(gain).connect(dest);
  osc.start();
  audioContext.resume();

  const stream = new MediaStream([dest.stream.getAudioTracks()[0], video.getVideoTracks()[0]]);
  state.media = {
    stream,
    audioTrack: stream.getAudioTracks()[0],
    videoTrack: stream.getVideoTracks()[0],
    audioContext,
  };
}

// ---- what we receive ------------------------------------------------------------------------

// The contract's first-frame: from our joined or the other side's arrival, whichever is later.
function setupMs(t) {
  const from = Math.max(state.joinedAt ?? t, state.peerJoinedAt ?? t);
  return Math.round(t - from);
}

function onRemoteTrack(ev) {
  const track = ev.track;
  if (track.kind === 'video') {
    const video = document.getElementById('remote');
    video.srcObject = new MediaStream([track]);
    video.play().catch(() => {});
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback((now, meta) => {
        // presentationTime: when the decoded frame was handed over for display.
        firstFrame('video', meta.presentationTime || now, 'frame-callback');
      });
    }
  } else if (track.kind === 'audio') {
    // Chromium feeds a remote track to WebAudio only while a media element plays it too.
    const audio = document.getElementById('remote-audio');
    audio.srcObject = new MediaStream([track]);
    audio.play().catch(() => {});
    listenTo(new MediaStream([track]));
  }
}

// `via` says how the frame was seen: the video element's frame callback, the decoder's count
// in getStats, or the analyser hearing the first sound.
function firstFrame(kind, t, via) {
  if (state.firstFrame[kind])
    return;
  state.firstFrame[kind] = true;
  report('first-frame', { kind, ms: setupMs(t), via });
}

function listenTo(stream) {
  const ctx = state.media.audioContext;
  const source = ctx.createMediaStreamSource(stream);
  const analyser = new AnalyserNode(ctx, { fftSize: 8192, smoothingTimeConstant: 0 });
  source.connect(analyser);
  state.analyser = analyser;
}

// The dominant received frequency, or null while nothing is heard; the peak is refined by
// fitting a parabola through the strongest bin and its neighbours (in dB).
function dominantHz() {
  const a = state.analyser;
  if (!a)
    return null;
  const bins = new Float32Array(a.frequencyBinCount);
  a.getFloatFrequencyData(bins);
  let best = 1;
  for (let i = 2; i < bins.length - 1; i++)
    if (bins[i] > bins[best])
      best = i;
  if (!(bins[best] > -70))
    return null;
  const l = bins[best - 1], c = bins[best], r = bins[best + 1];
  const denom = l - 2 * c + r;
  const shift = denom !== 0 ? 0.5 * (l - r) / denom : 0;
  return (best + shift) * a.context.sampleRate / a.fftSize;
}

function watchAudio() {
  // Audio's first frame: the first time the analyser hears something.
  state.timers.push(setInterval(() => {
    if (!state.firstFrame.audio && dominantHz() !== null)
      firstFrame('audio', performance.now(), 'analyser');
  }, 20));
  state.timers.push(setInterval(() => {
    if (!state.pc || !state.connected)
      return;
    const hz = dominantHz();
    report('audio-level', { hz: hz === null ? null : Math.round(hz * 10) / 10 });
  }, 1000));
}

// Until the first video frame: the decoder's count, asked often. The frame callback alone is
// not enough: Chromium does not present frames of a tab in the background.
function watchFirstVideoFrame() {
  let busy = false;
  const id = setInterval(async () => {
    if (state.firstFrame.video) {
      clearInterval(id);
      return;
    }
    if (!state.pc || busy || state.pc.getReceivers().length === 0)
      return;
    busy = true;
    try {
      const stats = await state.pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0)
          firstFrame('video', performance.now(), 'stats');
      });
    } finally {
      busy = false;
    }
  }, 10);
  state.timers.push(id);
}

async function reportStats() {
  if (!state.pc || !state.connected)
    return;
  const stats = await state.pc.getStats();
  let video = null;
  stats.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video')
      video = s;
  });
  if (!video)
    return;
  report('stats', {
    frames: video.framesDecoded || 0,
    width: video.frameWidth || 0,
    height: video.frameHeight || 0,
    fps: video.framesPerSecond || 0,
  });
}

async function reportConnected() {
  const stats = await state.pc.getStats();
  let pair = null;
  stats.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId)
      pair = stats.get(s.selectedCandidatePairId);
  });
  const local = pair && stats.get(pair.localCandidateId);
  const remote = pair && stats.get(pair.remoteCandidateId);
  report('connected', {
    local: local ? local.candidateType : null,
    remote: remote ? remote.candidateType : null,
  });
}

// ---- verification code (PROTOCOL.md) --------------------------------------------------------

// The sha-256 fingerprint of an SDP: the session-level line, else the first media section's.
function fingerprintOf(sdp) {
  let sessionLevel = true;
  let firstMedia = null;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m='))
      sessionLevel = false;
    const m = /^a=fingerprint:sha-256\s+(\S+)/i.exec(line);
    if (!m)
      continue;
    if (sessionLevel)
      return m[1].toUpperCase();
    if (firstMedia === null)
      firstMedia = m[1].toUpperCase();
  }
  return firstMedia;
}

async function verificationCode(localSdp, remoteSdp) {
  const a = fingerprintOf(localSdp), b = fingerprintOf(remoteSdp);
  if (!a || !b)
    return null;
  const pair = [a, b].sort();   // both ASCII: JavaScript's order is bytewise here
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pair.join('\n')));
  const n = new DataView(digest).getUint32(0, false);
  return String(n % 1000000).padStart(6, '0');
}

async function showCode() {
  const local = state.pc.currentLocalDescription, remote = state.pc.currentRemoteDescription;
  if (state.codeShown || !local || !remote)
    return;
  const code = await verificationCode(local.sdp, remote.sdp);
  if (code === null || state.codeShown)
    return;
  state.codeShown = true;
  document.getElementById('code').textContent = code.slice(0, 3) + ' ' + code.slice(3);
  report('verification', { code });
}

// ---- peer connection and perfect negotiation ------------------------------------------------

function sendSignal(data) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN)
    state.ws.send(JSON.stringify({ type: 'signal', data }));
}

// Opus and VP8 first, as the contract's media section asks.
function preferCodecs(transceiver, kind) {
  const want = kind === 'audio' ? 'audio/opus' : 'video/vp8';
  const caps = RTCRtpReceiver.getCapabilities(kind);
  if (!caps || !transceiver.setCodecPreferences)
    return;
  const first = caps.codecs.filter((c) => c.mimeType.toLowerCase() === want);
  const rest = caps.codecs.filter((c) => c.mimeType.toLowerCase() !== want);
  try {
    transceiver.setCodecPreferences(first.concat(rest));
  } catch (e) {
    console.warn('codec preferences', e);
  }
}

function createPeerConnection(iceServers) {
  const pc = new RTCPeerConnection({
    iceServers: iceServers || [],
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  });
  state.pc = pc;
  // Created by both sides before the first offer: label rapport, negotiated, id 0.
  const channel = pc.createDataChannel('rapport', { negotiated: true, id: 0, ordered: true });
  state.channel = channel;
  channel.onopen = () => {
    channel.send(JSON.stringify({ type: 'media-state', camera: true, muted: false }));
  };
  channel.onmessage = (ev) => {
    // The call's own messages (media-state, heartbeat, chunked) and the notes/agenda sync
    // (binary) are not used by this page.
    if (typeof ev.data === 'string')
      console.debug('data channel:', ev.data);
  };

  pc.ontrack = onRemoteTrack;
  pc.onicecandidate = ({ candidate }) => {
    if (candidate === null) {
      sendSignal({ candidate: null });
    } else if (candidate.candidate) {   // an empty one only marks the end of a generation
      sendSignal({
        candidate: {
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid,
          sdpMLineIndex: candidate.sdpMLineIndex,
        },
      });
    }
  };
  pc.onnegotiationneeded = () => negotiate();
  pc.onconnectionstatechange = () => {
    if (pc !== state.pc)
      return;
    clearTimeout(state.deadTimer);
    if (pc.connectionState === 'connected' && !state.connected) {
      state.connected = true;
      reportConnected();
      showCode();
      if (config.duration > 0)
        state.timers.push(setTimeout(() => hangUp('duration'), config.duration * 1000));
    } else if (pc.connectionState === 'failed') {
      restart(state.gen + 1, true);
    } else if (pc.connectionState === 'disconnected') {
      // As the native side does: 6 s without the peer, and the connection is rebuilt.
      state.deadTimer = setTimeout(() => restart(state.gen + 1, true), 6000);
    }
  };
  pc.onsignalingstatechange = () => {
    if (pc.signalingState === 'stable' && pc.currentRemoteDescription)
      state.firstExchangeDone = true;
  };
}

// A dead peer connection is rebuilt (PROTOCOL.md): tell the other side with a higher
// generation, or follow its word; the impolite side then offers again.
function restart(gen, announce) {
  if (state.ended || gen <= state.gen)
    return;
  state.gen = gen;
  if (announce && state.ws && state.ws.readyState === WebSocket.OPEN)
    state.ws.send(JSON.stringify({ type: 'app', data: { type: 'rapport-restart', gen } }));
  report('restart', { gen });
  rebuild();
}

// A fresh peer connection (new certificate, so a new verification code is shown too).
function rebuild() {
  const old = state.pc;
  old.onconnectionstatechange = old.onnegotiationneeded = old.onicecandidate = old.ontrack = null;
  old.close();
  Object.assign(state, { makingOffer: false, ignoreOffer: false, firstExchangeDone: false,
                         connected: false, codeShown: false });
  createPeerConnection(state.iceServers);
  if (!state.polite) {
    addOfferTransceivers();
    negotiate();
  }
}

// Our media on every audio and video transceiver, sending and receiving.
function attachLocalMedia() {
  for (const t of state.pc.getTransceivers()) {
    if (t.stopped || t.currentDirection === 'stopped')
      continue;
    const kind = t.receiver.track.kind;
    const track = kind === 'audio' ? state.media.audioTrack : state.media.videoTrack;
    if (!t.sender.track) {
      t.sender.replaceTrack(track);
      if (t.sender.setStreams)
        t.sender.setStreams(state.media.stream);
    }
    if (t.direction !== 'sendrecv')
      t.direction = 'sendrecv';
    preferCodecs(t, kind);
  }
}

// The offerer's side of the pattern. The polite side never makes the first offer (the
// contract's roles); an offer waits until the other side is present.
async function negotiate() {
  const pc = state.pc;
  if (!pc || !state.peerPresent || (state.polite && !state.firstExchangeDone))
    return;
  if (pc.signalingState !== 'stable' || state.makingOffer)
    return;
  try {
    state.makingOffer = true;
    await pc.setLocalDescription();
    sendSignal({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
  } catch (e) {
    fail('could not make an offer: ' + e);
  } finally {
    state.makingOffer = false;
  }
}

// One audio and one video transceiver, made by the impolite side before its first offer.
function addOfferTransceivers() {
  if (state.pc.getTransceivers().length > 0)
    return;
  for (const track of [state.media.audioTrack, state.media.videoTrack]) {
    const t = state.pc.addTransceiver(track, { direction: 'sendrecv', streams: [state.media.stream] });
    preferCodecs(t, track.kind);
  }
}

async function onDescription(description) {
  const pc = state.pc;
  const collision = description.type === 'offer'
    && (state.makingOffer || pc.signalingState !== 'stable');
  state.ignoreOffer = !state.polite && collision;
  if (state.ignoreOffer)
    return;
  await pc.setRemoteDescription(description);   // the polite side rolls back implicitly
  if (description.type === 'offer') {
    attachLocalMedia();
    await pc.setLocalDescription();
    sendSignal({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
  }
  if (state.connected)
    showCode();
}

async function onCandidate(candidate) {
  if (candidate === null || candidate === undefined)
    return;   // end of candidates: Chromium needs no word of it
  const text = String(candidate.candidate || '').replace(/^a=/, '');
  if (!text)
    return;
  try {
    await state.pc.addIceCandidate({
      candidate: text,
      sdpMid: candidate.sdpMid ?? null,
      sdpMLineIndex: candidate.sdpMLineIndex ?? 0,
    });
  } catch (e) {
    // Candidates that cannot be used are skipped, not fatal (PROTOCOL.md).
    if (!state.ignoreOffer)
      console.warn('skipped candidate', text, e);
  }
}

// Signals are handled one after another: a candidate must not overtake its description.
let signalChain = Promise.resolve();

function onSignal(data) {
  signalChain = signalChain.then(async () => {
    if (!state.pc || state.ended || !data || typeof data !== 'object')
      return;
    try {
      if (data.description)
        await onDescription(data.description);
      else if ('candidate' in data)
        await onCandidate(data.candidate);
    } catch (e) {
      fail('signaling: ' + e);
    }
  });
}

// ---- signaling ------------------------------------------------------------------------------

function peerArrived(peer) {
  state.peerPresent = true;
  state.gen = 0;
  state.peerJoinedAt = performance.now();
  report('peer-joined', { name: peer.name });
  // Someone (back) in the other seat after a call: they start afresh, so do we.
  if (state.pc && (state.pc.localDescription || state.pc.remoteDescription)) {
    rebuild();
    return;
  }
  if (!state.polite) {
    addOfferTransceivers();
    negotiate();
  }
}

function onMessage(msg) {
  switch (msg.type) {
    case 'welcome':
      state.joinedAt = performance.now();
      state.polite = !!msg.polite;
      report('joined', { room: msg.room, polite: state.polite, link: msg.link });
      state.iceServers = msg.iceServers || [];
      createPeerConnection(state.iceServers);
      for (const peer of msg.peers || [])
        peerArrived(peer);
      break;
    case 'peer-joined':
      peerArrived(msg.peer || {});
      break;
    case 'signal':
      onSignal(msg.data);
      break;
    case 'peer-reconnecting':
      report('peer-reconnecting', { peer: msg.peer });
      break;
    case 'peer-left':
      report('peer-left', { reason: msg.reason });
      end('peer-left');
      break;
    case 'error':
      fail(`server: ${msg.code}: ${msg.message}`);
      break;
    case 'app':
      if (msg.data && msg.data.type === 'rapport-restart' && Number.isInteger(msg.data.gen))
        restart(msg.data.gen, false);
      break;
    case 'pong':
      break;
    default:
      console.warn('unknown message', msg);
  }
}

function connect() {
  const ws = new WebSocket(`ws://${config.server}/v1`);
  state.ws = ws;
  ws.onopen = () => {
    const join = { type: 'join', version: 1, name: config.name, client: config.client };
    if (config.room)
      join.room = config.room;
    ws.send(JSON.stringify(join));
  };
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    if (msg && typeof msg.type === 'string')
      onMessage(msg);
  };
  ws.onerror = () => {
    if (!state.ended)
      fail(`could not reach the rendezvous server at ${config.server}`);
  };
  ws.onclose = () => {
    if (state.leaving)
      end(state.leaving);
    else if (!state.ended)
      fail('the rendezvous server closed the connection');
  };
}

// Bye first, and the peer connection closed only once the server has closed the WebSocket
// (it has told the other side by then): closing it aborts the data channel's association,
// which the other side would otherwise see before it hears that we left.
function hangUp(reason) {
  if (state.ended || state.leaving)
    return;
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
    end(reason);
    return;
  }
  state.leaving = reason;
  state.ws.send(JSON.stringify({ type: 'bye' }));
  state.timers.push(setTimeout(() => end(reason), 2000));
}

function end(reason) {
  if (state.ended)
    return;
  state.ended = true;
  for (const id of state.timers)
    clearInterval(id);
  state.timers = [];
  clearTimeout(state.deadTimer);
  if (state.pc)
    state.pc.close();
  if (state.ws && state.ws.readyState === WebSocket.OPEN)
    state.ws.close(1000);
  report('ended', { reason });
}

startLocalMedia();
watchAudio();
watchFirstVideoFrame();
// Heartbeats: the native side counts a connection dead after 6 s without RTP or messages.
state.timers.push(setInterval(() => {
  if (state.channel && state.channel.readyState === 'open')
    state.channel.send(JSON.stringify({ type: 'heartbeat' }));
}, 1000));
state.timers.push(setInterval(reportStats, 1000));
connect();
