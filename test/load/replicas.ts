/**
 * A private replicated Redis on 127.0.0.1 for failover tests: one primary, replicas that
 * reach it through a delaying TCP proxy (replication lag), and one sentinel (the Debian
 * `redis-server` binary with `--sentinel`). Servers run without persistence on spare ports
 * in a temporary directory, are stopped only by their own pids, and the directory is
 * removed on `dispose`.
 * @internal test helper
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sparePort } from './servers';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends one inline command and resolves with the first reply chunk (or '' on failure). */
export function redisCommand(port: number, line: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const s = new Socket();
    let out = '';
    const done = () => {
      s.destroy();
      resolve(out);
    };
    s.setTimeout(timeoutMs, done);
    s.once('error', done);
    s.connect(port, '127.0.0.1', () => s.write(`${line}\r\n`));
    s.on('data', (d) => {
      out += d.toString();
      // Bulk replies (INFO) may come in several chunks: wait for the announced length.
      const m = /^\$(\d+)\r\n/.exec(out);
      if (!m || Buffer.byteLength(out) >= m[0].length + Number(m[1]) + 2) done();
    });
  });
}

async function until(probe: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not happen within ${ms} ms`);
}

/**
 * A TCP proxy that holds every chunk from the upstream (the primary) for `delayMs` before
 * passing it on, in order: the replica applies writes `delayMs` late, as across zones. When
 * the upstream dies, chunks still held are dropped, as they would be with the primary's host
 * or zone: that is the window a failover loses.
 */
function delayingProxy(
  upstreamPort: number,
  delayMs: number,
): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    const up = new Socket();
    sockets.add(down);
    sockets.add(up);
    let dead = false;
    const kill = () => {
      dead = true;
      up.destroy();
      down.destroy();
      sockets.delete(up);
      sockets.delete(down);
    };
    up.on('data', (chunk) => {
      if (delayMs === 0) down.write(chunk);
      else
        setTimeout(() => {
          if (!dead) down.write(chunk);
        }, delayMs);
    });
    down.on('data', (chunk) => {
      if (!dead) up.write(chunk);
    });
    up.on('error', kill);
    up.on('close', kill);
    down.on('error', kill);
    down.on('close', kill);
    // As Redis does on its replication links (repl-disable-tcp-nodelay no): no Nagle delay.
    up.setNoDelay(true);
    down.setNoDelay(true);
    up.connect(upstreamPort, '127.0.0.1');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      });
    });
  });
}

export interface ReplicatedRedis {
  readonly primaryPort: number;
  readonly replicaPorts: readonly number[];
  readonly sentinelPort: number;
  /** The sentinel's name for the primary (`new Redis({ sentinels, name })`). */
  readonly name: string;
  /** Whether every replica still replicates through its delaying proxy. */
  behindProxies(): Promise<boolean>;
  /** `kill -9` of the primary; resolves at once with the time it was sent. */
  killPrimary(): number;
  /** Resolves with the port the sentinel reports as primary once it is not the old one. */
  promoted(timeoutMs?: number): Promise<number>;
  dispose(): Promise<void>;
}

function spawnRedis(args: string[]): ChildProcess {
  return spawn('redis-server', args, { stdio: 'ignore' });
}

const base = (port: number, dir: string) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  dir,
];

/** Starts a primary, `replicas` replicas behind delaying proxies, and one sentinel. */
export async function startReplicated(opts: {
  replicas: number;
  delayMs: number;
  /** Start a sentinel (default true). Without one, `promoted` never resolves. */
  sentinel?: boolean;
}): Promise<ReplicatedRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'phoneproof-failover-'));
  const children: ChildProcess[] = [];
  const proxies: Array<{ port: number; close(): void }> = [];
  const name = 'pp-primary';
  const dispose = async () => {
    for (const p of proxies) p.close();
    await Promise.all(
      children.map((c) => {
        if (c.exitCode !== null || c.signalCode !== null) return undefined;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primaryPort = await sparePort();
    const primary = spawnRedis(base(primaryPort, dir));
    children.push(primary);
    await until(
      async () => (await redisCommand(primaryPort, 'PING')).startsWith('+PONG'),
      'primary',
    );
    const replicaPorts: number[] = [];
    for (let i = 0; i < opts.replicas; i += 1) {
      const proxy = await delayingProxy(primaryPort, opts.delayMs);
      proxies.push(proxy);
      const port = await sparePort();
      children.push(
        spawnRedis([...base(port, dir), '--replicaof', '127.0.0.1', String(proxy.port)]),
      );
      replicaPorts.push(port);
    }
    await until(async () => {
      const info = await redisCommand(primaryPort, 'INFO replication');
      const online = info.match(/state=online/g)?.length ?? 0;
      return online >= opts.replicas;
    }, 'replicas in sync');
    const sentinelPort = opts.sentinel === false ? 0 : await sparePort();
    if (sentinelPort !== 0) await startSentinel(sentinelPort);
    async function startSentinel(port: number) {
      const conf = join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
          `sentinel down-after-milliseconds ${name} 1000`,
          // Sentinel re-points a replica whose master address is not the primary's (here: the
          // proxy) once this long has passed; keep that beyond a test's run.
          `sentinel failover-timeout ${name} 600000`,
          `sentinel parallel-syncs ${name} ${opts.replicas}`,
          '',
        ].join('\n'),
      );
      children.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
      await until(async () => {
        const r = await redisCommand(port, `SENTINEL REPLICAS ${name}`);
        return (r.match(/\r\nslave\r\n/g)?.length ?? 0) >= opts.replicas;
      }, 'sentinel sees the replicas');
    }
    return {
      primaryPort,
      replicaPorts,
      sentinelPort,
      name,
      async behindProxies() {
        for (const [i, port] of replicaPorts.entries()) {
          const info = await redisCommand(port, 'INFO replication');
          if (!info.includes(`master_port:${proxies[i]!.port}\r\n`)) return false;
        }
        return true;
      },
      killPrimary() {
        const at = Date.now();
        primary.kill('SIGKILL');
        return at;
      },
      async promoted(timeoutMs = 20_000) {
        let port = primaryPort;
        await until(
          async () => {
            const r = await redisCommand(sentinelPort, `SENTINEL GET-MASTER-ADDR-BY-NAME ${name}`);
            const m = /\r\n(\d+)\r\n$/.exec(r);
            port = m ? Number(m[1]) : primaryPort;
            if (port === primaryPort) return false;
            const role = await redisCommand(port, 'ROLE');
            return role.includes('master');
          },
          'promotion',
          timeoutMs,
        );
        return port;
      },
      dispose,
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}
