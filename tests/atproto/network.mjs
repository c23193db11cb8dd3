// A local AT Protocol network (PLC, PDS, AppView on PostgreSQL) from npm @atproto/dev-env, for the Bluesky tests:
// needs Node 22 (npm package node@22) and DB_POSTGRES_URL; prints the URLs as JSON, stops on SIGTERM.
import { TestNetwork } from '@atproto/dev-env'
const net = await TestNetwork.create({dbPostgresSchema: 'hh_' + Math.random().toString(36).replace(/[^a-z]/g, ''), dbPostgresUrl: process.env.DB_POSTGRES_URL})
console.log(JSON.stringify({pds: net.pds.url, plc: net.plc.url, bsky: net.bsky.url}))
setInterval(async () => { try { await net.processAll() } catch (e) {} }, 500)
process.on('SIGTERM', async () => { await net.close(); process.exit(0) })
