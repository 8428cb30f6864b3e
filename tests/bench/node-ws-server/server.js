// SPDX-License-Identifier: GPL-3.0-or-later
//
// The same relay as rapport-server for the subset the load benchmark uses (join, welcome,
// peer-joined, signal/app relay, ping, bye, peer-left), on Node.js with the `ws` package,
// so that tests/bench/server-load.sh can compare the two under the same load.
// Usage: node server.js [PORT]   (0 = a free one; prints "port=N" on stderr when listening)
'use strict';

const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const rooms = new Map();   // token -> [seat0, seat1], seat = { id, name, ws } or null

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] || 0),
  path: '/v1',
  maxPayload: 64 * 1024,
  perMessageDeflate: false,
});

function send(ws, message) {
  if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function error(ws, code, message) {
  send(ws, { type: 'error', code, message });
}

function join(ws, msg) {
  if (ws.room) return error(ws, 'bad-message', 'already joined');
  if (msg.version !== 1) return error(ws, 'bad-version', 'version must be 1');
  if (typeof msg.name !== 'string' || typeof msg.client !== 'string')
    return error(ws, 'bad-message', 'name and client are required');
  let token = msg.room;
  let seats;
  if (token === undefined) {
    token = crypto.randomBytes(16).toString('base64url');
    seats = [null, null];
    rooms.set(token, seats);
  } else if (typeof token !== 'string') {
    return error(ws, 'bad-message', 'room must be a string');
  } else if (!(seats = rooms.get(token))) {
    return error(ws, 'unknown-room', 'no such room');
  }
  let index = seats.findIndex((s) => s && s.id === msg.client);
  if (index < 0) index = seats.findIndex((s) => s === null);
  if (index < 0) return error(ws, 'room-full', 'room is full');
  const other = seats[1 - index];
  seats[index] = { id: msg.client, name: msg.name, ws };
  ws.room = token;
  ws.seat = index;
  send(ws, {
    type: 'welcome', room: token, link: `rapport://${ws.host}/${token}`, you: msg.client,
    polite: index === 1, grace_s: 10, iceServers: [],
    peers: other && other.ws ? [{ id: other.id, name: other.name }] : [],
  });
  if (other) send(other.ws, { type: 'peer-joined', peer: { id: msg.client, name: msg.name } });
}

function leave(ws, reason) {
  const seats = ws.room && rooms.get(ws.room);
  if (!seats) return;
  const me = seats[ws.seat];
  const other = seats[1 - ws.seat];
  seats[ws.seat] = null;
  if (other) send(other.ws, { type: 'peer-left', peer: me.id, reason });
  if (!seats[0] && !seats[1]) rooms.delete(ws.room);
  ws.room = null;
}

wss.on('connection', (ws, req) => {
  ws.host = req.headers.host || `127.0.0.1:${wss.address().port}`;
  ws.on('message', (data, isBinary) => {
    if (isBinary) return error(ws, 'bad-message', 'binary frame');
    let msg;
    try { msg = JSON.parse(data); } catch (e) { return error(ws, 'bad-message', 'not JSON'); }
    if (msg === null || typeof msg !== 'object') return error(ws, 'bad-message', 'not an object');
    switch (msg.type) {
      case 'join': return join(ws, msg);
      case 'signal':
      case 'app': {
        if (!ws.room) return error(ws, 'bad-message', 'join first');
        const other = rooms.get(ws.room)[1 - ws.seat];
        const me = rooms.get(ws.room)[ws.seat];
        if (other) send(other.ws, { type: msg.type, from: me.id, data: msg.data });
        return;
      }
      case 'ping': return send(ws, { type: 'pong' });
      case 'bye': leave(ws, 'bye'); return ws.close(1000);
      default: return error(ws, 'bad-message', 'unknown type');
    }
  });
  // No grace period here: the benchmark never drops connections.
  ws.on('close', () => leave(ws, 'timeout'));
});

wss.on('listening', () => process.stderr.write(`port=${wss.address().port}\n`));
