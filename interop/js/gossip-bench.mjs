// js-libp2p gossipsub publish-to-last-delivery latency, the js side of Cairn's
// src/test/java/dev/cairn/bench/GossipBenchmark.java (bin/bench gossip), for docs/BENCHMARKS.md.
//
//   node gossip-bench.mjs [--nodes 20] [--messages 200] [--degree 4] [--policy nosign|sign]
//                         [--sizes 1024,524288] [--threads 1] [--timeout-ms 10000] [--topology]
//                         [--warmup N | --warmup-seconds 10]
//   (or bin/bench js-gossip [same options], which runs npm ci here first if needed)
//
// What it mirrors from GossipBenchmark, on purpose the same:
// - N js-libp2p 3.x nodes on 127.0.0.1 over TCP + Noise + yamux (+ identify, which js gossipsub
//   needs to learn that a peer speaks meshsub), fresh Ed25519 identities, all subscribed to
//   /cairn/bench/gossip before any dial. No discovery, no DHT, no PX, no connection monitor.
// - Topology: GossipBenchmark.connect() re-done with java.util.Random(1): for node i, it draws
//   (i + 1 + nextInt(N - 1)) % N until it holds min(degree, N - 1) distinct peers, then dials them in
//   java.util.HashSet iteration order, node 0 first, one dial at a time. Both stacks reuse an open
//   connection when the other side dialled first. So node i of both runs has the same neighbours
//   and the same outbound/inbound sides (`--topology` prints the dial list and exits).
// - Gossipsub parameters: Cairn's GossipConfig.defaults()/cairn() field by field (see GOSSIP below);
//   js differs by default only in the IDONTWANT threshold (512 data bytes; ours 1024), the IP
//   colocation whitelist (empty; ours whitelists loopback, which js would score past 10 peers on one
//   IP) and floodsub fallback (js also registers /floodsub/1.0.0; ours speaks only meshsub). Those
//   three are set to ours here. `--policy nosign` (the default here): StrictNoSign and SHA-256 of
//   the data as message id (GossipConfig.cairn(), MessageIdFunction.sha256()); `--policy sign`:
//   StrictSign and from ‖ seqno (GossipConfig.defaults(), MessageIdFunction.fromAndSeqno()).
// - Measurement: wait until every node's mesh holds at least D_lo peers (30 s at most, as ours),
//   then for each size, warm-up messages (--warmup N, else at least max(10, messages / 10) and
//   until --warmup-seconds, default 10, have passed: both JITs warm) and `messages` measured ones, one
//   at a time, the publisher rotating (message k from node k % N). The first 8 bytes of a message
//   are k (big-endian), the rest random, made before the clock starts. Latency: from just before
//   publish() until the last of the other N - 1 nodes' 'message' handlers ran (process.hrtime, one
//   monotonic clock for all threads). The publisher awaits a promise that the last delivery resolves
//   (no spinning); after 10 s a message counts as lost (ours throws) and is left out of the
//   latencies. CPU: process.cpuUsage() (all threads of the process) from before publish() to the
//   last delivery, summed over measured messages, divided by the bytes delivered (size × receivers
//   that got it). The table has ours' figures: median, p99 (element ceil(0.99 n) - 1), max.
//
// One difference that cannot be mirrored: a JVM runs its 20 hosts on every core, a Node.js thread on
// one. `--threads T` spreads the nodes over T worker threads of this one process (node i on thread
// i % T); they still talk only over loopback TCP. The main thread only coordinates (publish order,
// deliveries reported by postMessage; reporting costs ~19 small postMessages per message, inside
// the CPU window). With T = 1 every node shares one core's event loop; docs/BENCHMARKS.md gives both.
import './shim.mjs' // must stay first: defines Promise.withResolvers before libp2p runs

import { createHash, randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const TOPIC = '/cairn/bench/gossip'

// Cairn's GossipConfig.defaults(), each value as there (js's own default is the same unless noted).
const GOSSIP = {
  D: 6,
  Dlo: 4,
  Dhi: 12,
  Dscore: 4,
  Dout: 2,
  Dlazy: 6,
  gossipFactor: 0.25,
  heartbeatInterval: 1000,
  fanoutTTL: 60_000,
  mcacheLength: 5,
  mcacheGossip: 3,
  seenTTL: 120_000,
  pruneBackoff: 60_000,
  unsubcribeBackoff: 10_000, // (sic, js's spelling)
  graftFloodThreshold: 10_000,
  opportunisticGraftTicks: 60,
  opportunisticGraftPeers: 2,
  prunePeers: 16,
  gossipsubIWantFollowupMs: 3000,
  floodPublish: true,
  doPX: false,
  idontwantMinDataSize: 1024, // js default 512; ours sends IDONTWANT for data of 1024 bytes or more
  fallbackToFloodsub: false, // js default true
  scoreParams: {
    // js default: empty whitelist; ours: PeerScoreParams.defaults() whitelists 127.0.0.1 and ::1
    IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1'])
    // the rest of PeerScoreParams.defaults() equals js's defaults (no topic scoring)
  },
  // PeerScoreThresholds.defaults() equals js's: -10, -50, -80, 10, 20
  emitSelf: false
}

/** SHA-256 of the data (MessageIdFunction.sha256) or from ‖ seqno (fromAndSeqno). */
function messageId (policy) {
  const sha256 = (msg) => new Uint8Array(createHash('sha256').update(msg.data).digest())
  if (policy === 'nosign') return sha256
  return (msg) => {
    if (msg.type !== 'signed') return sha256(msg)
    const seqno = Buffer.alloc(8)
    seqno.writeBigUInt64BE(msg.sequenceNumber)
    return new Uint8Array(Buffer.concat([msg.from.toMultihash().bytes, seqno]))
  }
}

// ---------------------------------------------------------------------------------------------
// Worker thread: runs some of the nodes, answers the coordinator's commands.

async function worker () {
  const { indices, policy } = workerData
  const nodes = new Map() // index -> libp2p node
  const payloads = new Map() // key -> data made ahead of publish
  for (const i of indices) {
    const node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false },
      // js refuses more than 5 inbound connections a second from one host (ECONNRESET at the
      // dialler); here every node is on 127.0.0.1 and on a quiet machine the dials come faster
      connectionManager: { inboundConnectionThreshold: Number.MAX_SAFE_INTEGER },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          ...GOSSIP,
          globalSignaturePolicy: policy === 'nosign' ? 'StrictNoSign' : 'StrictSign',
          msgIdFn: messageId(policy)
        })
      }
    })
    node.services.pubsub.subscribe(TOPIC)
    node.services.pubsub.addEventListener('message', (evt) => {
      const t = process.hrtime.bigint()
      const msg = evt.detail
      if (msg.topic !== TOPIC || msg.data.length < 8) return
      const key = Number(new DataView(msg.data.buffer, msg.data.byteOffset, 8).getBigUint64(0))
      parentPort.postMessage({ event: 'delivery', key, node: i, t })
    })
    nodes.set(i, node)
  }

  const commands = {
    addrs: () => ({
      addrs: [...nodes].map(([i, n]) => [i, `${n.getMultiaddrs()[0].toString().split('/p2p/')[0]}/p2p/${n.peerId}`])
    }),
    dial: async ({ from, to }) => {
      await nodes.get(from).dial(multiaddr(to))
      return {}
    },
    mesh: async ({ dLo, deadline }) => {
      // setup only: poll as ours does (50 ms), until every local node has D_lo mesh peers
      for (const node of nodes.values()) {
        while (node.services.pubsub.getMeshPeers(TOPIC).length < dLo && Date.now() < deadline) {
          await new Promise(resolve => setTimeout(resolve, 50))
        }
      }
      return { sizes: [...nodes].map(([i, n]) => [i, n.services.pubsub.getMeshPeers(TOPIC).length]) }
    },
    prepare: ({ key, size }) => {
      const data = randomBytes(size)
      data.writeBigUInt64BE(BigInt(key), 0)
      payloads.set(key, data)
      return {}
    },
    publish: async ({ node, key }) => {
      const data = payloads.get(key)
      payloads.delete(key)
      const t0 = process.hrtime.bigint()
      const result = await nodes.get(node).services.pubsub.publish(TOPIC, data)
      return { t0, recipients: result.recipients.length }
    },
    stop: async () => {
      await Promise.all([...nodes.values()].map(n => n.stop()))
      return {}
    }
  }

  parentPort.on('message', async ({ id, cmd, args }) => {
    try {
      parentPort.postMessage({ id, ok: true, ...(await commands[cmd](args)) })
    } catch (err) {
      parentPort.postMessage({ id, ok: false, error: String(err?.stack ?? err) })
    }
    if (cmd === 'stop') parentPort.close()
  })
  parentPort.postMessage({ event: 'ready' })
}

// ---------------------------------------------------------------------------------------------
// Coordinator (main thread).

/** java.util.Random (the 48-bit LCG of its javadoc), enough of it to redo GossipBenchmark.connect. */
class JavaRandom {
  static MASK = (1n << 48n) - 1n

  constructor (seed) {
    this.seed = (BigInt(seed) ^ 0x5DEECE66Dn) & JavaRandom.MASK
  }

  next (bits) {
    this.seed = (this.seed * 0x5DEECE66Dn + 0xBn) & JavaRandom.MASK
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)))
  }

  nextInt (bound) {
    let r = this.next(31)
    const m = bound - 1
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(r)) >> 31n)
    // rejects the top partial range; the test is Java's int arithmetic, overflow included
    for (let u = r; ((u - (r = u % bound) + m) | 0) < 0; u = this.next(31));
    return r
  }
}

/** The dials of GossipBenchmark.connect(hosts, degree): [i, j] in the order Java makes them. */
function dials (nodes, degree) {
  const random = new JavaRandom(1)
  const out = []
  for (let i = 0; i < nodes; i++) {
    const picked = [] // insertion order
    while (picked.length < Math.min(degree, nodes - 1)) {
      const j = (i + 1 + random.nextInt(nodes - 1)) % nodes
      if (!picked.includes(j)) picked.push(j)
    }
    // HashSet<Integer> iterates by bucket (hash & (capacity - 1); an Integer's hash is its value,
    // below 2^16 unchanged by HashMap's spreading), a bucket's entries in insertion order
    let capacity = 16
    while (picked.length > capacity * 0.75) capacity *= 2
    const order = picked.map((j, at) => ({ j, at })).sort((a, b) => ((a.j & (capacity - 1)) - (b.j & (capacity - 1))) || (a.at - b.at))
    for (const { j } of order) out.push([i, j])
  }
  return out
}

function report (what, lat, cpuPerByte, lost) {
  lat.sort((a, b) => a - b)
  const ms = (ns) => (ns / 1e6).toFixed(2)
  const n = lat.length
  console.log(`${what}: publish-to-last-delivery median ${n ? ms(lat[Math.floor(n / 2)]) : '-'} ms, ` +
    `p99 ${n ? ms(lat[Math.ceil(n * 0.99) - 1]) : '-'} ms, max ${n ? ms(lat[n - 1]) : '-'} ms (${n} messages), ` +
    `CPU ${cpuPerByte == null ? '-' : cpuPerByte.toFixed(2)} ns per delivered byte, lost ${lost}`)
}

async function coordinator () {
  const { values: o } = parseArgs({
    options: {
      nodes: { type: 'string', default: '20' },
      messages: { type: 'string', default: '200' },
      degree: { type: 'string', default: '4' },
      policy: { type: 'string', default: 'nosign' },
      sizes: { type: 'string', default: '1024,524288' },
      threads: { type: 'string', default: '1' },
      'timeout-ms': { type: 'string', default: '10000' },
      warmup: { type: 'string', default: '-1' },
      'warmup-seconds': { type: 'string', default: '10' },
      topology: { type: 'boolean', default: false }
    }
  })
  const nodes = Number(o.nodes)
  const messages = Number(o.messages)
  const degree = Number(o.degree)
  const threads = Math.max(1, Math.min(Number(o.threads), nodes))
  const timeoutMs = Number(o['timeout-ms'])
  const warmupCount = Number(o.warmup)
  const warmupNanos = BigInt(Math.round(Number(o['warmup-seconds']) * 1e9))
  const sizes = o.sizes.split(',').map(Number).filter(s => s > 0)
  if (o.policy !== 'nosign' && o.policy !== 'sign') throw new Error('--policy must be nosign or sign')
  if (sizes.some(s => s < 8)) throw new Error('sizes must be at least 8 bytes (the message key)')
  const plan = dials(nodes, degree)
  if (o.topology) {
    for (let i = 0; i < nodes; i++) console.log(`${i} -> ${plan.filter(([a]) => a === i).map(([, b]) => b).join(' ')}`)
    return
  }

  const started = process.hrtime.bigint()
  const pending = new Map() // key -> { left, last, resolve }
  const calls = new Map() // call id -> resolvers
  let nextCall = 0
  const workers = []
  const readies = []
  for (let w = 0; w < threads; w++) {
    const indices = []
    for (let i = w; i < nodes; i += threads) indices.push(i)
    const wk = new Worker(new URL(import.meta.url), { workerData: { indices, policy: o.policy } })
    const ready = Promise.withResolvers()
    readies.push(ready.promise)
    wk.on('error', (err) => { console.error('worker failed:', err); process.exit(1) })
    wk.on('message', (m) => {
      if (m.event === 'delivery') {
        const d = pending.get(m.key)
        if (d == null) return // a warm-up straggler or a lost message's late delivery
        if (m.t > d.last) d.last = m.t
        if (--d.left === 0) d.resolve(true)
      } else if (m.event === 'ready') {
        ready.resolve()
      } else {
        const c = calls.get(m.id)
        calls.delete(m.id)
        if (m.ok) c.resolve(m)
        else c.reject(new Error(m.error))
      }
    })
    workers.push(wk)
  }
  const call = (w, cmd, args = {}) => {
    const c = Promise.withResolvers()
    const id = nextCall++
    calls.set(id, c)
    workers[w].postMessage({ id, cmd, args })
    return c.promise
  }
  const owner = (i) => i % threads

  try {
    await Promise.all(readies)
    const addrs = new Map()
    for (let w = 0; w < threads; w++) for (const [i, a] of (await call(w, 'addrs')).addrs) addrs.set(i, a)
    for (const [i, j] of plan) await call(owner(i), 'dial', { from: i, to: addrs.get(j) })
    const deadline = Date.now() + 30_000
    const meshes = (await Promise.all(workers.map((_, w) => call(w, 'mesh', { dLo: GOSSIP.Dlo, deadline }))))
      .flatMap(r => r.sizes).map(([, s]) => s)
    const setup = Number(process.hrtime.bigint() - started) / 1e9
    console.log(`js-libp2p gossipsub: ${nodes} nodes, degree ${degree}, policy ${o.policy}, cores ${availableParallelism()}, ` +
      `${threads} worker thread(s), node ${process.version}; meshes ${Math.min(...meshes)}..${Math.max(...meshes)} peers, ` +
      `setup ${setup.toFixed(1)} s`)

    let seq = 0
    for (const size of sizes) {
      const minWarmup = Math.max(10, Math.floor(messages / 10))
      const warmStart = process.hrtime.bigint()
      let warmed = 0
      const lat = []
      let cpu = 0
      let delivered = 0
      let lost = 0
      for (let k = 0; k < messages;) {
        // as GossipBenchmark's Warmup: --warmup N messages, else at least minWarmup and until
        // --warmup-seconds (10) have passed; stays true once true
        const measured = warmupCount >= 0
          ? warmed >= warmupCount
          : warmed >= minWarmup && process.hrtime.bigint() - warmStart >= warmupNanos
        const key = ++seq
        const pub = key % nodes
        await call(owner(pub), 'prepare', { key, size })
        const done = Promise.withResolvers()
        const d = { left: nodes - 1, last: 0n, resolve: done.resolve }
        pending.set(key, d)
        const timer = setTimeout(() => done.resolve(false), timeoutMs)
        const cpu0 = process.cpuUsage()
        const { t0 } = await call(owner(pub), 'publish', { node: pub, key })
        const all = await done.promise
        const used = process.cpuUsage(cpu0)
        clearTimeout(timer)
        pending.delete(key)
        if (!measured) {
          warmed++
          continue
        }
        k++
        cpu += (used.user + used.system) * 1000
        delivered += (nodes - 1 - d.left) * size
        if (all) lat.push(Number(d.last - t0))
        else lost++
      }
      console.log(`size ${String(size).padStart(7)} B: ${warmed} warm-up messages first`)
      report(`size ${String(size).padStart(7)} B`, lat, delivered > 0 ? cpu / delivered : null, lost)
    }
  } finally {
    await Promise.all(workers.map((_, w) => call(w, 'stop').catch(() => {})))
    await Promise.all(workers.map(wk => wk.terminate()))
  }
}

if (isMainThread) {
  await coordinator()
} else {
  await worker()
}
