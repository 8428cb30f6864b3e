// SPDX-License-Identifier: GPL-3.0-or-later
// Reference figures: Yjs replaying a sequential editing trace as local edits into one Y.Text,
// one Yjs transaction per trace transaction (as in ../shared/bench/README.md).
// Usage: node bench-yjs.mjs TRACE.json[.gz]   (npm install here first; benchmark only)
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { basename } from 'node:path'
import * as Y from 'yjs'

const path = process.argv[2]
let raw = readFileSync(path)
if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw)
const trace = JSON.parse(raw.toString('utf8'))
raw = null
if (trace.txns.some(t => t.agent !== undefined && t.parents && t.parents.length > 1)) {
  console.error('bench-yjs: only sequential traces are replayed here')
  process.exit(2)
}
// Y.Text counts UTF-16 code units; the trace counts code points. Convert positions when the
// text is not all in the BMP (automerge-paper is ASCII, so this is a no-op there).
const ascii = !/[\u{10000}-\u{10FFFF}]/u.test(trace.endContent)
if (!ascii) {
  console.error('bench-yjs: traces with astral characters are not supported by this script')
  process.exit(2)
}

global.gc && global.gc()
const rssBefore = process.memoryUsage().rss
let peakRss = rssBefore
const doc = new Y.Doc()
const text = doc.getText('text')
const t0 = performance.now()
const cpu0 = process.cpuUsage()
let i = 0
for (const txn of trace.txns) {
  doc.transact(() => {
    for (const [pos, del, ins] of txn.patches) {
      if (del > 0) text.delete(pos, del)
      if (ins !== '') text.insert(pos, ins)
    }
  })
  if ((++i & 0x3fff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
}
const replayMs = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
const replayCpuMs = (cpu.user + cpu.system) / 1000
peakRss = Math.max(peakRss, process.memoryUsage().rss)
if (text.toString() !== trace.endContent) {
  console.error('bench-yjs: FAILED: the final text differs from endContent')
  process.exit(1)
}
const t1 = performance.now()
const update = Y.encodeStateAsUpdate(doc)
const encodeMs = performance.now() - t1
const updateV2 = Y.encodeStateAsUpdateV2(doc)
const t2 = performance.now()
const loaded = new Y.Doc()
Y.applyUpdate(loaded, update)
const loadMs = performance.now() - t2
if (loaded.getText('text').toString() !== trace.endContent) {
  console.error('bench-yjs: FAILED: reloaded text differs')
  process.exit(1)
}
const name = basename(path)
console.log(`trace            ${name} (Yjs ${JSON.parse(readFileSync(new URL('./node_modules/yjs/package.json', import.meta.url))).version}, Node ${process.version})`)
console.log(`replay           ${replayMs.toFixed(1)} ms (CPU ${replayCpuMs.toFixed(1)} ms, all Node threads)`)
console.log(`peak RSS growth  ${((peakRss - rssBefore) / 1048576).toFixed(1)} MB`)
console.log(`encoded size     ${update.length} B (V2 ${updateV2.length} B, encode ${encodeMs.toFixed(1)} ms)`)
console.log(`load encoding    ${loadMs.toFixed(1)} ms`)
console.log(JSON.stringify({ trace: name, impl: 'yjs', replay_ms: +replayMs.toFixed(2),
  replay_cpu_ms: +replayCpuMs.toFixed(2),
  peak_rss_growth_kb: Math.round((peakRss - rssBefore) / 1024), encoded_bytes: update.length,
  encoded_v2_bytes: updateV2.length, load_ms: +loadMs.toFixed(2), text_ok: true }))
