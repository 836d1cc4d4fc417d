/**
 * Private Redis and PostgreSQL servers for tests that stop a server or scan all of its
 * data: each runs on a spare port of 127.0.0.1 with its own data directory, is stopped only
 * through its own pid or data directory, and never touches the shared services.
 * @internal test helper
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IN_CI } from './services';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port the OS reports free right now. */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once `probe` succeeds; bounded (about 10 s). */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up`);
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500);
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}

export interface PrivateServer {
  readonly url: string;
  /** Stops the server abruptly (SIGKILL for Redis, `pg_ctl -m immediate` for PostgreSQL). */
  stop(): Promise<void>;
  /** Starts it again on the same port (and, for PostgreSQL, the same data). */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  dispose(): Promise<void>;
}

export const hasRedisServer = () =>
  ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some(existsSync);

export function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const v = versions.find((x) => existsSync(join(root, x, 'bin', 'initdb')));
  return v ? join(root, v, 'bin') : undefined;
}

/** Whether the binaries exist; under CI their absence fails the run. */
export function binariesAvailable(kind: 'redis' | 'postgres'): boolean {
  const ok = kind === 'redis' ? hasRedisServer() : pgBinDir() !== undefined;
  if (!ok) {
    if (IN_CI) throw new Error(`${kind} server binaries are missing (required under CI=true)`);
    console.warn(`[phoneproof tests] no ${kind} server binaries: skipping private-server tests.`);
  }
  return ok;
}

/** A Redis server without persistence on a spare port. */
export async function startRedis(): Promise<PrivateServer> {
  const port = await sparePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await until(() => redisPing(port), `redis-server on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop, dispose: stop };
}

/** A PostgreSQL cluster (trust auth, fsync off) in a temporary directory on a spare port. */
export async function startPostgres(): Promise<PrivateServer> {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  const port = await sparePort();
  const dir = mkdtempSync(join(tmpdir(), 'phoneproof-pg-'));
  const data = join(dir, 'data');
  const root = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: run its tools as the `postgres` OS user then.
  const as = (cmd: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args])
      : run(join(bin, cmd), args);
  if (root) await run('chown', ['postgres', dir]);
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async () => {
    await as('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  };
  const stop = async () => {
    await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateCluster {
  /** The master nodes, for `new Cluster(nodes)`. */
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  dispose(): Promise<void>;
}

/** Whether `port` and its cluster bus port (`port + 10000`) are both free now. */
async function clusterPortFree(port: number): Promise<boolean> {
  const free = (p: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  return (await free(port)) && (await free(port + 10_000));
}

/** A 3-master Redis Cluster without persistence, on spare ports of 127.0.0.1. */
export async function startRedisCluster(): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'phoneproof-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  for (let tries = 0; ports.length < 3 && tries < 200; tries += 1) {
    const p = 20_000 + Math.floor(Math.random() * 20_000);
    if (!ports.includes(p) && (await clusterPortFree(p))) ports.push(p);
  }
  const dispose = async () => {
    await Promise.all(
      children.map((c) => {
        if (c.exitCode !== null) return undefined;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of ports) {
      const args = ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${p}.conf`);
      args.push('--dir', dir, '--cluster-node-timeout', '5000');
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const p of ports) await until(() => redisPing(p), `cluster node ${p}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const p of ports) {
      await until(async () => {
        const { stdout } = await run('redis-cli', ['-p', String(p), 'cluster', 'info']);
        return stdout.includes('cluster_state:ok');
      }, `cluster state on ${p}`);
    }
  } catch (e) {
    await dispose();
    throw e;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), dispose };
}
