import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '../lib/logger';

export interface ChildSpec {
  name: string;
  /** Entry file, run with `node --import tsx`. */
  entry: string;
  env: NodeJS.ProcessEnv;
}

const MIN_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** A child that stayed up this long is considered healthy again: its back-off resets. */
const HEALTHY_AFTER_MS = 60_000;

/**
 * Runs Riffle's processes (server, workers): restarts a child that dies, with exponential back-off, and
 * on stop() sends SIGTERM to all, escalating to SIGKILL after `shutdownTimeoutMs`.
 */
export class Supervisor {
  private readonly running = new Map<string, ChildProcess>();
  private readonly restartDelayMs = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly specs: readonly ChildSpec[],
    private readonly logger: Logger,
    private readonly shutdownTimeoutMs: number,
  ) {}

  start(): void {
    for (const spec of this.specs) this.launch(spec);
  }

  private launch(spec: ChildSpec): void {
    const startedAtMs = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
      env: spec.env,
      stdio: 'inherit',
    });
    this.running.set(spec.name, child);
    this.logger.info({ child: spec.name, pid: child.pid }, 'started');
    child.on('exit', (code, signal) => {
      this.running.delete(spec.name);
      if (this.stopping) return;
      const healthy = Date.now() - startedAtMs > HEALTHY_AFTER_MS;
      const delayMs = healthy
        ? MIN_RESTART_DELAY_MS
        : (this.restartDelayMs.get(spec.name) ?? MIN_RESTART_DELAY_MS);
      this.restartDelayMs.set(spec.name, Math.min(delayMs * 2, MAX_RESTART_DELAY_MS));
      this.logger.error({ child: spec.name, code, signal, restartInMs: delayMs }, 'child exited; restarting');
      setTimeout(() => {
        if (!this.stopping) this.launch(spec);
      }, delayMs);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const children = [...this.running.values()];
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const killTimer = setTimeout(() => child.kill('SIGKILL'), this.shutdownTimeoutMs);
            child.once('exit', () => {
              clearTimeout(killTimer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
