// A local HTTP receiver for webhook and chat deliveries: records every JSON body it is sent.
import { createServer, type Server } from 'node:http';

export interface Received {
  path: string;
  body: Record<string, unknown>;
}

export class EventReceiver {
  readonly received: Received[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '/', body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  /** Webhook events (path /hook) of one type. */
  events(type: string): Record<string, unknown>[] {
    return this.received.filter((r) => r.path === '/hook' && r.body.type === type).map((r) => r.body);
  }

  /** Chat messages (path /chat) as text. */
  chatTexts(): string[] {
    return this.received.filter((r) => r.path === '/chat').map((r) => String(r.body.text));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
