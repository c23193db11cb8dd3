// A local AT Protocol network for the Bluesky tests: PLC, PDS and the AppView (on PostgreSQL), from
// npm's @atproto/dev-env as tests/atproto/install.sh installs it. Started by the fixture in
// tests/atproto/conftest.py with Node 22:
//   ATPROTO_DEV_ENV=<dist/index.js> DB_POSTGRES_URL=postgres://... node network.mjs
// Every server listens on 127.0.0.1 and a free port (dev-env's own port locks keep two networks
// apart); prints {"pds", "plc", "bsky"} as one JSON line; stops when its standard input closes
// (the test run ended, or died) or on SIGTERM.
import net from 'node:net'
import { pathToFileURL } from 'node:url'

// dev-env's servers listen on every interface; the tests want loopback only.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host && !args[0].path)
    args[0] = { ...args[0], host: '127.0.0.1' }
  return listen.apply(this, args)
}

const { TestNetwork } = await import(pathToFileURL(process.env.ATPROTO_DEV_ENV).href)
const network = await TestNetwork.create({
  dbPostgresUrl: process.env.DB_POSTGRES_URL,
  dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA || 'klartext',
})
console.log(JSON.stringify({ pds: network.pds.url, plc: network.plc.url, bsky: network.bsky.url }))

// Let the AppView catch up with the PDS all the time, so a thread read soon after a post sees it.
const timer = setInterval(() => network.processAll().catch(() => {}), 300)
let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  clearInterval(timer)
  await network.close().catch(() => {})
  process.exit(0)
}
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
