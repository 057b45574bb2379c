import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../scripts/redis-server';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  dir: string;
  process: ChildProcess;
}

export interface TestCluster {
  nodes: ClusterNode[];
  /** `redis+cluster://127.0.0.1:p1,…` for Riffle's config. */
  url: string;
  /** Ports of the current masters. */
  masters(): Promise<number[]>;
  /** Which master port serves a key's slot. */
  masterFor(key: string): Promise<number>;
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server on ${port} did not start`);
}

async function clusterInfo(port: number, command: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...command]);
  return stdout;
}

/**
 * A real local Redis Cluster for tests: six `redis-server` processes in cluster mode on free ports (three
 * masters, three replicas, AOF `always`), created with `redis-cli --cluster create`. Fast failover
 * (`cluster-node-timeout` 1 s) so a killed master's replica takes over within seconds.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const root = mkdtempSync(join(tmpdir(), 'riffle-cluster-'));
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    const dir = join(root, String(port));
    mkdirSync(dir, { recursive: true });
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '1000',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--logfile',
        join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    nodes.push({ port, dir, process: child });
  }
  await Promise.all(nodes.map((n) => waitForPing(n.port, 10_000)));
  await run('redis-cli', [
    '--cluster',
    'create',
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas',
    '1',
    '--cluster-yes',
  ]);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const states = await Promise.all(nodes.map((n) => clusterInfo(n.port, ['cluster', 'info'])));
    if (states.every((s) => s.includes('cluster_state:ok'))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const alive = () => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  const masters = async () => {
    const [first] = alive();
    if (!first) return [];
    const lines = (await clusterInfo(first.port, ['cluster', 'nodes'])).split('\n');
    return lines
      .filter((l) => l.includes('master') && !l.includes('fail') && l.includes('connected'))
      .map((l) => Number(/:(\d+)@/.exec(l)?.[1]))
      .filter((p) => Number.isFinite(p));
  };
  return {
    nodes,
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    masters,
    async masterFor(key) {
      const [first] = alive();
      if (!first) throw new Error('no live cluster node');
      const slot = Number((await clusterInfo(first.port, ['cluster', 'keyslot', key])).trim());
      const lines = (await clusterInfo(first.port, ['cluster', 'nodes'])).split('\n');
      for (const line of lines) {
        if (!line.includes('master') || line.includes('fail')) continue;
        const ranges = line.split(' ').slice(8);
        for (const range of ranges) {
          const [from, to] = range.split('-').map(Number);
          if (from !== undefined && slot >= from && slot <= (to ?? from))
            return Number(/:(\d+)@/.exec(line)?.[1]);
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    async kill(port) {
      const node = nodes.find((n) => n.port === port);
      if (!node || node.process.exitCode !== null) return;
      node.process.kill('SIGKILL');
      await new Promise((r) => node.process.once('exit', r));
    },
    async stop() {
      await Promise.all(
        alive().map(
          (n) =>
            new Promise<void>((resolve) => {
              n.process.once('exit', () => resolve());
              n.process.kill('SIGKILL');
            }),
        ),
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
}
