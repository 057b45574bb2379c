import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of Redis for fault tests. `dropReplyAfter(marker)`: the next time a client sends
 * bytes containing `marker` (e.g. a script's SHA), the command reaches Redis, but the reply never reaches
 * the client: both connections are cut as soon as Redis answers — a "lost reply".
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private armed: string | undefined;
  private holding = false;
  private readonly held: Array<() => void> = [];
  dropped = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client);
      this.sockets.add(upstream);
      let cutNextReply = false;
      client.on('data', (chunk: Buffer) => {
        if (this.armed !== undefined && chunk.includes(this.armed)) {
          this.armed = undefined;
          cutNextReply = true;
        }
        this.forward(() => upstream.write(chunk));
      });
      upstream.on('data', (chunk: Buffer) => {
        if (cutNextReply) {
          this.dropped++;
          client.destroy();
          upstream.destroy();
          return;
        }
        this.forward(() => client.write(chunk));
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  dropReplyAfter(marker: string): void {
    this.armed = marker;
  }

  /** Cuts every open connection (clients reconnect through the proxy). */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * A blackhole: connections stay open but nothing gets through either way until it is lifted; then the
   * held bytes flow in order, as after a network partition heals.
   */
  blackhole(on: boolean): void {
    this.holding = on;
    if (!on) for (const send of this.held.splice(0)) send();
  }

  private forward(send: () => void): void {
    if (this.holding) this.held.push(send);
    else send();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
