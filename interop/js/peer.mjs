// A long-running js-libp2p peer for Cairn's interop tests, driven over stdin/stdout with JSON lines.
//
// stdout carries only JSON lines: first {"event":"ready",...}, then answers ({"id":..,"ok":..})
// and events ({"event":..}). Diagnostics go to stderr. The process exits when stdin closes or on
// the "stop" command. See README.md for the command set.

import './shim.mjs' // must stay first: defines Promise.withResolvers before libp2p runs

import { createHash, randomBytes } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const ECHO = '/cairn/test/echo/1.0.0'
const PERF = '/perf/1.0.0'
const CHUNK = 64 * 1024
const ZEROS = new Uint8Array(CHUNK)

// ---------------------------------------------------------------------------------------------
// Output: one JSON object per line on stdout, nothing else. Pipes are synchronous on Linux, so a
// line is complete before process.exit().

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function debug (...args) {
  if (options.debug) console.error('[peer]', ...args)
}

function errorText (err) {
  if (err == null) return 'unknown error'
  const name = err.name != null && err.name !== 'Error' ? `${err.name}: ` : ''
  return name + (err.message ?? String(err))
}

// ---------------------------------------------------------------------------------------------
// Kademlia DHT (optional, --kad): @libp2p/kad-dht forced into server mode on the protocol id of
// --kad-protocol, addresses passed through unfiltered (loopback), no self-query timer. Commands:
// kadFindPeer {peer}, kadClosest {key: hex}, kadRoutingTable. Kept apart from the other sections.

const KAD_OPTIONS = {
  kad: { type: 'boolean', default: false },
  'kad-protocol': { type: 'string', default: '/ipfs/kad/1.0.0' }
}

function kadServices (opts) {
  if (!opts.kad) return {}
  return {
    dht: kadDHT({
      protocol: opts['kad-protocol'],
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      allowQueryWithZeroPeers: true,
      initialQuerySelfInterval: 3_600_000,
      querySelfInterval: 3_600_000
    })
  }
}

function kadPeerInfo (info) {
  return { peer: info.id.toString(), addrs: info.multiaddrs.map(String) }
}

const kadCommands = {
  async kadFindPeer (args, signal) {
    const wanted = peerIdFromString(args.peer)
    for await (const event of node.services.dht.findPeer(wanted, { signal })) {
      if (event.name === 'FINAL_PEER' && event.peer.id.equals(wanted)) {
        return { found: kadPeerInfo(event.peer), from: event.from.toString() }
      }
    }
    throw new Error(`peer ${args.peer} not found`)
  },

  async kadClosest (args, signal) {
    const peers = []
    for await (const event of node.services.dht.getClosestPeers(Buffer.from(args.key, 'hex'), { signal })) {
      if (event.name === 'FINAL_PEER') peers.push(kadPeerInfo(event.peer))
    }
    return { peers }
  },

  async kadRoutingTable () {
    const peers = []
    const kb = node.services.dht.routingTable.kb
    if (kb != null) for (const c of kb.toIterable()) peers.push(c.peerId.toString())
    return { size: node.services.dht.routingTable.size, peers }
  }
}

// ---------------------------------------------------------------------------------------------
// Options

const { values: options } = parseArgs({
  strict: true,
  options: {
    listen: { type: 'string', multiple: true },
    'no-listen': { type: 'boolean', default: false },
    'key-seed': { type: 'string' },
    'key-type': { type: 'string', default: 'ed25519' },
    'ping-max-streams': { type: 'string' },
    'max-streams': { type: 'string', default: '256' },
    'connection-monitor': { type: 'boolean', default: false },
    'ping-interval': { type: 'string', default: '10000' },
    'agent-version': { type: 'string' },
    // gossipsub section (see "Gossipsub" below)
    gossipsub: { type: 'boolean', default: false },
    'gossip-sign': { type: 'string', default: 'StrictSign' },
    'gossip-msgid': { type: 'string', default: 'sha256' },
    debug: { type: 'boolean', default: false },
    ...KAD_OPTIONS
  }
})

function intOption (name) {
  const v = options[name]
  if (v == null) return undefined
  const n = Number.parseInt(v, 10)
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got ${v}`)
  return n
}

async function privateKey () {
  const seed = options['key-seed']
  const type = options['key-type'].toLowerCase()
  if (seed != null) {
    if (type !== 'ed25519') throw new Error('--key-seed works only with --key-type ed25519')
    if (!/^[0-9a-fA-F]{64}$/.test(seed)) throw new Error('--key-seed needs 32 bytes as 64 hex digits')
    return generateKeyPairFromSeed('Ed25519', Buffer.from(seed, 'hex'))
  }
  switch (type) {
    case 'ed25519': return generateKeyPair('Ed25519')
    case 'secp256k1': return generateKeyPair('secp256k1')
    case 'rsa': return generateKeyPair('RSA', 2048)
    default: throw new Error(`--key-type must be ed25519, secp256k1 or rsa, got ${type}`)
  }
}

const maxStreams = intOption('max-streams')
const pingMaxStreams = intOption('ping-max-streams')
const listen = options['no-listen'] ? [] : (options.listen ?? ['/ip4/127.0.0.1/tcp/0'])

const node = await createLibp2p({
  privateKey: await privateKey(),
  addresses: { listen },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // No peer discovery, no DHT, no bootstrap: this peer dials only when told to.
  connectionMonitor: {
    enabled: options['connection-monitor'],
    pingInterval: intOption('ping-interval')
  },
  nodeInfo: options['agent-version'] != null ? { userAgent: options['agent-version'] } : undefined,
  services: {
    identify: identify(),
    ping: ping(pingMaxStreams != null
      ? { maxInboundStreams: pingMaxStreams, maxOutboundStreams: pingMaxStreams }
      : {}),
    ...gossipService(),
    ...kadServices(options)
  }
})

// ---------------------------------------------------------------------------------------------
// Stream helpers (libp2p 3.x streams: send()/onDrain() to write, 'message'/'end'/'close' to read)

function bytesOf (data) {
  return data instanceof Uint8Array ? data : data.subarray()
}

/** Calls onChunk for every inbound chunk; resolves when the remote closed its write side. */
function readAll (stream, onChunk) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('end', onEnd)
      stream.removeEventListener('close', onClose)
    }
    const onMessage = (evt) => {
      try {
        onChunk(bytesOf(evt.data))
      } catch (err) {
        cleanup()
        stream.abort(err)
        reject(err)
      }
    }
    const onEnd = () => { cleanup(); resolve() }
    const onClose = (evt) => {
      cleanup()
      if (evt.error != null) reject(evt.error)
      else resolve()
    }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('end', onEnd)
    stream.addEventListener('close', onClose)
    if (stream.readableEnded) onEnd()
  })
}

/** Writes data in CHUNK pieces, waiting for the muxer to drain when its buffer is full. */
async function writeAll (stream, data, signal) {
  for (let off = 0; off < data.byteLength; off += CHUNK) {
    if (!stream.send(data.subarray(off, off + CHUNK))) await stream.onDrain({ signal })
  }
}

async function writeZeros (stream, count, signal) {
  let left = count
  while (left > 0) {
    const n = Math.min(left, CHUNK)
    if (!stream.send(n === CHUNK ? ZEROS : ZEROS.subarray(0, n))) await stream.onDrain({ signal })
    left -= n
  }
}

function streamOptions (signal, extra = {}) {
  return { signal, maxOutboundStreams: maxStreams, ...extra }
}

// ---------------------------------------------------------------------------------------------
// Inbound protocols

// Echo: every inbound byte goes straight back. When the remote has closed its write side and
// everything is echoed, close our write side. Back-pressure: pause reading while our send buffer
// is full (yamux then withholds window updates from the remote).
await node.handle(ECHO, (stream, connection) => {
  const peer = connection.remotePeer.toString()
  const hash = createHash('sha256')
  let bytes = 0
  const onMessage = (evt) => {
    try {
      const data = bytesOf(evt.data)
      bytes += data.byteLength
      hash.update(data)
      if (!stream.send(data) && stream.readStatus === 'readable') {
        stream.pause()
        stream.onDrain().then(() => {
          if (stream.readStatus === 'paused') stream.resume()
        }, () => {})
      }
    } catch (err) {
      // a throwing event listener would crash the process; fail only this stream
      stream.abort(err)
    }
  }
  const finish = () => {
    stream.removeEventListener('message', onMessage)
    stream.close().then(
      () => emit({ event: 'echo:served', peer, bytes, sha256: hash.digest('hex') }),
      (err) => emit({ event: 'stream:error', protocol: ECHO, peer, error: errorText(err) }))
  }
  stream.addEventListener('message', onMessage)
  stream.addEventListener('end', finish, { once: true })
  stream.addEventListener('close', (evt) => {
    if (evt.error != null) emit({ event: 'stream:error', protocol: ECHO, peer, error: errorText(evt.error) })
  }, { once: true })
  if (stream.readableEnded) finish()
}, { maxInboundStreams: maxStreams, maxOutboundStreams: maxStreams })

// Perf (https://github.com/libp2p/specs/blob/master/perf/perf.md), server side: read a big-endian
// u64 N, drain the upload until EOF, then send N bytes and close.
await node.handle(PERF, async (stream, connection) => {
  const peer = connection.remotePeer.toString()
  try {
    let header = Buffer.alloc(0)
    let uploaded = 0
    await readAll(stream, (buf) => {
      if (header.byteLength < 8) {
        const need = 8 - header.byteLength
        header = Buffer.concat([header, buf.subarray(0, need)])
        uploaded += Math.max(0, buf.byteLength - need)
      } else {
        uploaded += buf.byteLength
      }
    })
    if (header.byteLength < 8) throw new Error(`perf stream ended after ${header.byteLength} header bytes`)
    const want = header.readBigUInt64BE(0)
    // "max uint64" means: until the client stops reading. Number is exact up to 2^53.
    const download = want > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(want)
    await writeZeros(stream, download)
    await stream.close()
    emit({ event: 'perf:served', peer, uploaded, downloaded: download })
  } catch (err) {
    stream.abort(err)
    emit({ event: 'stream:error', protocol: PERF, peer, error: errorText(err) })
  }
}, { maxInboundStreams: maxStreams, maxOutboundStreams: maxStreams })

// ---------------------------------------------------------------------------------------------
// Events

const identifyResults = new Map() // peer id string -> answer object of the last identify
const identifyWaiters = new Map() // peer id string -> [resolve]

function hex (bytes) {
  return bytes == null ? null : Buffer.from(bytes).toString('hex')
}

function describeIdentify (result, source) {
  return {
    peer: result.peerId.toString(),
    protocols: [...result.protocols].sort(),
    listenAddrs: result.listenAddrs.map(String),
    publicKey: hex(result.publicKey),
    agentVersion: result.agentVersion ?? null,
    protocolVersion: result.protocolVersion ?? null,
    observedAddr: result.observedAddr?.toString() ?? null,
    signedPeerRecord: result.signedPeerRecord != null,
    source
  }
}

function describeConnection (conn) {
  return {
    peer: conn.remotePeer.toString(),
    connId: conn.id,
    remoteAddr: conn.remoteAddr.toString(),
    direction: conn.direction,
    encryption: conn.encryption ?? null,
    multiplexer: conn.multiplexer ?? null
  }
}

node.addEventListener('connection:open', (evt) => emit({ event: 'connection:open', ...describeConnection(evt.detail) }))
node.addEventListener('connection:close', (evt) => emit({ event: 'connection:close', ...describeConnection(evt.detail) }))
node.addEventListener('peer:disconnect', (evt) => identifyResults.delete(evt.detail.toString()))
node.addEventListener('peer:identify', (evt) => {
  const answer = describeIdentify(evt.detail, 'auto')
  identifyResults.set(answer.peer, answer)
  emit({ event: 'identify', ...answer })
  for (const resolve of identifyWaiters.get(answer.peer) ?? []) resolve(answer)
  identifyWaiters.delete(answer.peer)
})

process.on('unhandledRejection', (err) => {
  console.error('[peer] unhandled rejection', err)
  emit({ event: 'unhandled', error: errorText(err) })
})

// ---------------------------------------------------------------------------------------------
// Commands

function target (args) {
  if (typeof args.addr === 'string') return multiaddr(args.addr)
  if (typeof args.peer === 'string') return peerIdFromString(args.peer)
  throw new Error('needs "addr" (a multiaddr with /p2p/) or "peer" (a peer id)')
}

function peerArg (args) {
  if (typeof args.peer !== 'string') throw new Error('needs "peer" (a peer id)')
  return peerIdFromString(args.peer)
}

function sha256 (data) {
  return createHash('sha256').update(data).digest('hex')
}

/** Writes `bytes` random bytes on a fresh echo stream, half-closes, reads the echo back. */
async function echoOnce (conn, bytes, signal, lazy) {
  const stream = await conn.newStream(ECHO, streamOptions(signal, lazy ? { negotiateFully: false } : {}))
  const data = randomBytes(bytes)
  const hash = createHash('sha256')
  let received = 0
  let afterFin = 0
  let finSent = false
  const reading = readAll(stream, (buf) => {
    received += buf.byteLength
    if (finSent) afterFin += buf.byteLength
    hash.update(buf)
  })
  try {
    await writeAll(stream, data, signal)
    await stream.close({ signal })
    finSent = true
    await reading
  } catch (err) {
    stream.abort(err)
    throw err
  }
  const sent = sha256(data)
  const got = hash.digest('hex')
  if (received !== bytes || got !== sent) {
    throw new Error(`echo mismatch: sent ${bytes} bytes (sha256 ${sent}), got ${received} (sha256 ${got})`)
  }
  return { bytes, sha256: sent, bytesAfterFin: afterFin }
}

const commands = {
  async self () {
    const peer = await node.peerStore.get(node.peerId)
    return {
      peerId: node.peerId.toString(),
      addrs: node.getMultiaddrs().map(String),
      protocols: [...node.getProtocols()].sort(),
      publicKey: hex(publicKeyToProtobuf(node.peerId.publicKey)),
      agentVersion: decode(peer.metadata.get('AgentVersion')),
      protocolVersion: decode(peer.metadata.get('ProtocolVersion'))
    }
  },

  async dial (args, signal) {
    const conn = await node.dial(target(args), { signal })
    return describeConnection(conn)
  },

  async ping (args, signal) {
    const count = args.count ?? 1
    const to = target(args)
    const rtts = []
    for (let i = 0; i < count; i++) rtts.push(await node.services.ping.ping(to, { signal }))
    return { rtts }
  },

  async identify (args, signal) {
    const peer = peerArg(args)
    const key = peer.toString()
    if (args.fresh === true) {
      const conn = node.getConnections(peer)[0]
      if (conn == null) throw new Error(`not connected to ${key}`)
      return describeIdentify(await node.services.identify.identify(conn, { signal }), 'fresh')
    }
    const known = identifyResults.get(key)
    if (known != null) return known
    return new Promise((resolve, reject) => {
      const list = identifyWaiters.get(key) ?? []
      list.push(resolve)
      identifyWaiters.set(key, list)
      signal.addEventListener('abort', () => reject(new Error(`no identify result from ${key} yet`)), { once: true })
    })
  },

  async echo (args, signal) {
    const streams = args.streams ?? 1
    const bytes = args.bytes ?? 1024
    const conn = await node.dial(target(args), { signal })
    const started = performance.now()
    const results = await Promise.allSettled(
      Array.from({ length: streams }, () => echoOnce(conn, bytes, signal, args.lazy === true)))
    const seconds = (performance.now() - started) / 1000
    const errors = results.filter(r => r.status === 'rejected').map(r => errorText(r.reason))
    const passed = streams - errors.length
    if (errors.length > 0) {
      const err = new Error(`${errors.length} of ${streams} echo streams failed; first: ${errors[0]}`)
      err.details = { streams, bytes, passed, failed: errors.length, errors: [...new Set(errors)].slice(0, 5) }
      throw err
    }
    return { streams, bytes, passed, failed: 0, seconds }
  },

  async halfclose (args, signal) {
    const conn = await node.dial(target(args), { signal })
    return echoOnce(conn, args.bytes ?? 1024, signal, false)
  },

  async perf (args, signal) {
    const upload = args.upload ?? 0
    const download = args.download ?? 0
    const conn = await node.dial(target(args), { signal })
    const stream = await conn.newStream(PERF, streamOptions(signal))
    const started = performance.now()
    let received = 0
    const reading = readAll(stream, (buf) => { received += buf.byteLength })
    let uploaded
    try {
      const header = Buffer.alloc(8)
      header.writeBigUInt64BE(BigInt(download))
      stream.send(header)
      await writeZeros(stream, upload, signal)
      await stream.close({ signal })
      uploaded = performance.now()
      await reading
    } catch (err) {
      stream.abort(err)
      throw err
    }
    const finished = performance.now()
    if (received !== download) throw new Error(`perf: asked for ${download} bytes, got ${received}`)
    return {
      upload,
      download,
      uploadSeconds: (uploaded - started) / 1000,
      downloadSeconds: (finished - uploaded) / 1000,
      seconds: (finished - started) / 1000
    }
  },

  async peers () {
    const byPeer = new Map()
    for (const conn of node.getConnections()) {
      const key = conn.remotePeer.toString()
      const entry = byPeer.get(key) ?? { peer: key, connections: [] }
      entry.connections.push(describeConnection(conn))
      byPeer.set(key, entry)
    }
    return { peers: [...byPeer.values()] }
  },

  async hangup (args, signal) {
    await node.hangUp(peerArg(args), { signal })
    return {}
  },

  async stop () {
    setImmediate(shutdown)
    return {}
  }
}

Object.assign(commands, kadCommands)

function decode (bytes) {
  return bytes == null ? null : new TextDecoder().decode(bytes)
}

async function run (line) {
  let request
  try {
    request = JSON.parse(line)
  } catch (err) {
    emit({ id: null, ok: false, error: `not JSON: ${errorText(err)}` })
    return
  }
  const { id, cmd, timeoutMs, ...args } = request
  const handler = Object.hasOwn(commands, cmd) ? commands[cmd] : null
  if (handler == null) {
    emit({ id, ok: false, error: `unknown command: ${cmd}` })
    return
  }
  const signal = AbortSignal.timeout(timeoutMs ?? 30_000)
  setMaxListeners(Infinity, signal) // one signal is shared by up to --max-streams streams
  try {
    debug('->', line)
    const answer = await handler(args, signal)
    emit({ id, ok: true, ...answer, ...{ id, ok: true } }) // answer fields never override id/ok
  } catch (err) {
    debug('command failed', cmd, err)
    const reason = signal.aborted ? `timed out after ${timeoutMs ?? 30_000} ms: ${errorText(err)}` : errorText(err)
    emit({ id, ok: false, error: reason, ...(err?.details != null ? { details: err.details } : {}) })
  }
}

let stopping = false
async function shutdown () {
  if (stopping) return
  stopping = true
  const timer = setTimeout(() => process.exit(0), 2000)
  try {
    await node.stop()
  } catch (err) {
    console.error('[peer] stop failed', err)
  }
  clearTimeout(timer)
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------
// Gossipsub (optional, --gossipsub): @libp2p/gossipsub with an explicit signature policy
// (--gossip-sign StrictSign|StrictNoSign) and message id function (--gossip-msgid sha256|from-seqno),
// set the same on the Java side. Commands: gossipSubscribe {topic}, gossipPublish {topic, data (hex)}
// -> {msgId (hex), recipients}, gossipPeers {topic} -> {peers, mesh}, gossipDontWant {peer, msgId
// (hex)} -> {has (the peer's IDONTWANT for msgId is remembered), protocol (of our stream to the
// peer)}. Event: gossip:message
// {topic, data (hex), msgId (hex), from (author or null)}.

function gossipMsgId (msg) {
  switch (options['gossip-msgid']) {
    case 'sha256':
      return new Uint8Array(createHash('sha256').update(msg.data).digest())
    case 'from-seqno': {
      // the spec's default: from (peer id bytes) ‖ seqno (8 bytes, big-endian)
      if (msg.type !== 'signed') return new Uint8Array(createHash('sha256').update(msg.data).digest())
      const seq = Buffer.alloc(8)
      seq.writeBigUInt64BE(msg.sequenceNumber)
      return new Uint8Array(Buffer.concat([msg.from.toMultihash().bytes, seq]))
    }
    default: throw new Error(`--gossip-msgid must be sha256 or from-seqno, got ${options['gossip-msgid']}`)
  }
}

function gossipService () {
  if (!options.gossipsub) return {}
  const policy = options['gossip-sign']
  if (policy !== 'StrictSign' && policy !== 'StrictNoSign') {
    throw new Error(`--gossip-sign must be StrictSign or StrictNoSign, got ${policy}`)
  }
  return {
    pubsub: gossipsub({
      globalSignaturePolicy: policy,
      msgIdFn: gossipMsgId,
      allowPublishToZeroTopicPeers: true,
      emitSelf: false
    })
  }
}

Object.assign(commands, {
  async gossipSubscribe (args) {
    node.services.pubsub.subscribe(args.topic)
    return {}
  },
  async gossipPublish (args) {
    const data = Buffer.from(args.data ?? '', 'hex')
    const result = await node.services.pubsub.publish(args.topic, data)
    return { recipients: result.recipients.map(String) }
  },
  async gossipDontWant (args) {
    // gossipsub v1.2: what js keeps from a peer's IDONTWANT (read from the router's own map, which
    // its forwarding consults) and the protocol its outbound stream to that peer negotiated
    const ps = node.services.pubsub
    const ids = ps.idontwants.get(args.peer)
    const key = ps.msgIdToStrFn(Buffer.from(args.msgId, 'hex'))
    return {
      has: ids?.has(key) === true,
      protocol: ps.streamsOutbound.get(args.peer)?.protocol ?? null
    }
  },
  async gossipPeers (args) {
    const ps = node.services.pubsub
    return {
      peers: ps.getSubscribers(args.topic).map(String),
      mesh: ps.getMeshPeers(args.topic).map(String)
    }
  }
})

if (options.gossipsub) {
  node.services.pubsub.addEventListener('message', (evt) => {
    const msg = evt.detail
    emit({
      event: 'gossip:message',
      topic: msg.topic,
      data: hex(msg.data),
      msgId: hex(gossipMsgId(msg)),
      from: msg.type === 'signed' ? msg.from.toString() : null
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Start: the ready line is the first line on stdout.

const self = node.peerId.toString()
emit({
  event: 'ready',
  peerId: self,
  addrs: node.getMultiaddrs().map(ma => {
    const s = ma.toString()
    return s.includes('/p2p/') ? s : `${s}/p2p/${self}`
  })
})

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
lines.on('line', (line) => {
  if (line.trim() !== '') run(line)
})
lines.on('close', shutdown)
