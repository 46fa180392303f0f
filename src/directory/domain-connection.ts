import { Logger } from '@nestjs/common';
import { Client } from 'ldapts';
import { DomainError } from '../common/errors/domain-error';
import type { DomainConfig } from '../config/config.types';
import { sidFromBytes } from '../security-descriptor';
import type { DcStatus, DomainInfo } from './directory.types';
import { isConnectionError, LDAP_RESULT, resultCode, toDirectoryError } from './ldap-errors';

/** How long a DC that failed is skipped before it is tried again. */
const DC_COOLDOWN_MS = 30_000;
/** After a refused bind, the least time before the next bind attempt (DomainConfig.bindRetryAfterMs). */
export const DEFAULT_BIND_RETRY_AFTER_MS = 60_000;

/** One finished directory operation, as reported to observers (metrics). */
export interface DirectoryOperationEvent {
  domain: DomainConfig;
  operation: string;
  seconds: number;
  /** The error code when the operation failed. */
  error?: string;
}

/** Observers of every withClient operation (the metrics module registers one); framework-free. */
export const directoryOperationObservers = new Set<(event: DirectoryOperationEvent) => void>();

/** One pooled connection: its bound client (once open) and the DC it is bound to. */
interface PoolSlot {
  client?: Client;
  connecting?: Promise<Client>;
  url?: string;
}

/** The operation that goes to the write connection; every other one spreads over the read pool. */
export const WRITE_OPERATION = 'write';

/**
 * One domain's connections: a small pool (poolSize, LDAP_POOL_SIZE) of bound ldapts clients for
 * reads, each multiplexing the operations handed to it, taken in turn; one more connection that
 * carries every write (modify) of this process, pipelined; DC failover in the configured order for
 * all of them; and the rootDSE facts. Any directory read (identity look-ups, attribute reads,
 * descriptors with controls, tokens) runs through withClient and so spreads over the pool.
 *
 * Why writes share one connection: a DC commits one change at a time. Samba's LDAP server hands
 * each connection to one of its worker processes, and modifies arriving on several connections make
 * those processes contend for the database's write lock. Measured on the sandbox: 1,000 modifies
 * as 4 ldapmodify streams at once took 33–36% longer, with 34–44% more DC CPU, than as one stream;
 * bench:bulk-grant with all traffic on one connection (BENCH_LDAP_POOL_SIZE=1) came to 0.94–1.06x
 * ldapmodify against 1.24–1.63x over four. On one connection the writes are pipelined (several
 * outstanding), so the DC has the next one waiting. Windows AD serves the requests of one
 * connection on several threads, so the one connection does not serialize them there; the sandbox
 * cannot show Windows' figures.
 */
export class DomainConnection {
  private readonly logger: Logger;
  private readonly slots: PoolSlot[];
  /** The connection every write goes through (see the class comment). */
  private readonly writeSlot: PoolSlot = {};
  private nextSlot = 0;
  private readonly urlOfClient = new WeakMap<Client, string>();
  private readonly downUntil = new Map<string, number>();
  private facts?: DomainInfo;
  /** Set when a DC refused the bind: no bind is tried again before `until` (one try per window). */
  private refused?: { until: number; error: DomainError };
  private bindQueue: Promise<void> = Promise.resolve();

  constructor(readonly config: DomainConfig) {
    this.logger = new Logger(`Directory:${config.name}`);
    this.slots = Array.from({ length: Math.max(1, config.poolSize ?? 1) }, () => ({}));
  }

  get name(): string {
    return this.config.name;
  }

  /** How many connections this domain keeps (LDAP_POOL_SIZE). */
  get poolSize(): number {
    return this.slots.length;
  }

  /** rootDSE facts, read on first connect (configured values win). */
  async info(): Promise<DomainInfo> {
    if (!this.facts) await this.withClient('connect', async () => undefined);
    return this.facts as DomainInfo;
  }

  /** Known facts without connecting (for routing identifiers to domains). */
  cachedInfo(): DomainInfo | undefined {
    return this.facts;
  }

  /**
   * Runs `operation` on a bound client. On a connection failure the DC is marked down and the
   * operation is retried once on the next DC; LDAP result errors are mapped, never retried here.
   */
  async withClient<T>(operation: string, fn: (client: Client) => Promise<T>, dn?: string): Promise<T> {
    if (directoryOperationObservers.size === 0) return this.runWithClient(operation, fn, dn);
    const started = performance.now();
    try {
      const result = await this.runWithClient(operation, fn, dn);
      this.report(operation, started);
      return result;
    } catch (error) {
      this.report(operation, started, error);
      throw error;
    }
  }

  /** Tells the observers (metrics) about an operation that ran outside withClient (a paged search). */
  report(operation: string, started: number, error?: unknown): void {
    if (directoryOperationObservers.size === 0) return;
    const event = {
      domain: this.config,
      operation,
      seconds: (performance.now() - started) / 1000,
      error: error === undefined ? undefined : ((error as DomainError).code ?? 'ERROR'),
    };
    for (const observer of directoryOperationObservers) observer(event);
  }

  private async runWithClient<T>(operation: string, fn: (client: Client) => Promise<T>, dn?: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect(operation === WRITE_OPERATION ? this.writeSlot : this.nextReadSlot());
      try {
        return await fn(client);
      } catch (error) {
        if (isConnectionError(error) && !(error instanceof DomainError) && attempt < this.config.urls.length) {
          await this.dropDc(client, operation, error);
          continue;
        }
        throw toDirectoryError(error, { domain: this.name, dn, operation });
      }
    }
  }

  /** Pings each configured DC with a rootDSE read over a fresh connection. */
  async status(): Promise<DcStatus[]> {
    return Promise.all(
      this.config.urls.map(async (url) => {
        const started = Date.now();
        try {
          this.throwIfRefused();
        } catch (error) {
          return { domain: this.name, url, ok: false, error: (error as DomainError).message };
        }
        const client = this.newClient(url);
        try {
          await this.secureAndBind(client, url);
          await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['currentTime'] });
          return { domain: this.name, url, ok: true, latencyMs: Date.now() - started };
        } catch (error) {
          return {
            domain: this.name,
            url,
            ok: false,
            error: toDirectoryError(error, { domain: this.name, operation: 'ping' }).message,
          };
        } finally {
          await client.unbind().catch(() => undefined);
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.allSlots().map((slot) => this.reset(slot)));
  }

  /**
   * A bound client for an operation that cannot run inside withClient (a paged search that yields as
   * it goes). When it fails, call failedOver(error) to learn whether a retry on another DC makes sense.
   */
  acquire(): Promise<Client> {
    return this.connect(this.nextReadSlot());
  }

  /**
   * After a connection failure outside withClient (`client` is the one acquire() gave): marks its
   * DC down and drops every pooled connection to it.
   */
  async failedOver(error: unknown, client?: Client): Promise<boolean> {
    if (error instanceof DomainError || !isConnectionError(error)) return false;
    await this.dropDc(client, 'search', error);
    return true;
  }

  /** A connection to a DC failed: that DC is skipped for a while and no pooled connection to it is reused. */
  private async dropDc(client: Client | undefined, operation: string, error: unknown): Promise<void> {
    const url = client ? this.urlOfClient.get(client) : undefined;
    this.logger.warn(`${operation} on ${url ?? 'the current DC'} failed (${(error as Error).message}); failing over`);
    this.markDown(url);
    await Promise.all(
      this.allSlots()
        .filter((slot) => url === undefined || slot.url === url || slot.client === client)
        .map((slot) => this.reset(slot)),
    );
  }

  private nextReadSlot(): PoolSlot {
    return this.slots[this.nextSlot++ % this.slots.length];
  }

  private allSlots(): PoolSlot[] {
    return [...this.slots, this.writeSlot];
  }

  /** The slot's connection, opened (and bound) when it is not yet, or no longer. */
  private async connect(slot: PoolSlot): Promise<Client> {
    if (slot.client && this.usable(slot.client)) return slot.client;
    this.throwIfRefused();
    // The DC closed the connection (idle timeout, restart): ldapts would silently reconnect it
    // *unbound*, and every request would then run anonymously. Open and bind a new one instead.
    if (slot.client) await this.reset(slot);
    slot.connecting ??= this.openFirstAvailable(slot).finally(() => (slot.connecting = undefined));
    return slot.connecting;
  }

  private usable(client: Client): boolean {
    return client.isConnected && (!this.config.bindDn || client.isBound);
  }

  private orderedUrls(): string[] {
    const now = Date.now();
    const up = this.config.urls.filter((u) => (this.downUntil.get(u) ?? 0) <= now);
    const down = this.config.urls.filter((u) => !up.includes(u));
    return [...up, ...down];
  }

  private async openFirstAvailable(slot: PoolSlot): Promise<Client> {
    const failures: string[] = [];
    for (const url of this.orderedUrls()) {
      const client = this.newClient(url);
      try {
        await this.secureAndBind(client, url);
        if (!this.facts) this.facts = await this.readFacts(client);
        slot.client = client;
        slot.url = url;
        this.urlOfClient.set(client, url);
        this.downUntil.delete(url);
        if (this.refused) this.logger.log(`the bind to ${this.name} is accepted again`);
        this.refused = undefined;
        this.logger.log(`connected to ${url}`);
        return client;
      } catch (error) {
        await client.unbind().catch(() => undefined);
        const mapped = toDirectoryError(error, { domain: this.name, operation: 'bind' });
        if (mapped.code === 'DIRECTORY_CREDENTIALS_REFUSED') throw mapped;
        failures.push(`${url}: ${(error as Error).message}`);
        this.markDown(url);
      }
    }
    throw new DomainError(
      'DIRECTORY_UNAVAILABLE',
      `No domain controller of ${this.name} answered (${failures.join('; ')})`,
      {
        domain: this.name,
      },
    );
  }

  private newClient(url: string): Client {
    return new Client({
      url,
      timeout: this.config.operationTimeoutMs,
      connectTimeout: this.config.connectTimeoutMs,
      // ldapts opens TLS at once whenever tlsOptions are given: only for ldaps:// (ldap:// upgrades with StartTLS).
      ...(isLdaps(url) ? { tlsOptions: this.tlsOptions() } : {}),
      strictDN: false,
    });
  }

  private tlsOptions(url?: string) {
    // Verification stays on: only the CA bundle is configurable. StartTLS upgrades a socket Node did
    // not open itself, so the host name to verify must be given (Node would check "localhost").
    const host = url ? new URL(url).hostname.replace(/^\[(.*)\]$/, '$1') : undefined;
    return {
      ...(this.config.ca ? { ca: this.config.ca } : {}),
      minVersion: 'TLSv1.2' as const,
      ...(host ? { host } : {}),
    };
  }

  private async secureAndBind(client: Client, url: string): Promise<void> {
    if (!isLdaps(url) && this.config.startTls) await client.startTLS(this.tlsOptions(url));
    const { bindDn } = this.config;
    if (bindDn) await this.oneBindAtATime(() => client.bind(bindDn, this.config.bindPassword ?? ''));
  }

  /**
   * Binds of this domain run one at a time (connections, health pings): after a refusal, those
   * queued behind it fail at once instead of each costing the account a bad password.
   */
  private oneBindAtATime(bind: () => Promise<void>): Promise<void> {
    const run = this.bindQueue.then(async () => {
      this.throwIfRefused();
      try {
        await bind();
      } catch (error) {
        if (resultCode(error) === LDAP_RESULT.INVALID_CREDENTIALS)
          throw this.bindRefused(toDirectoryError(error, { domain: this.name, operation: 'bind' }));
        throw error;
      }
    });
    this.bindQueue = run.catch(() => undefined);
    return run;
  }

  private async readFacts(client: Client): Promise<DomainInfo> {
    const { searchEntries } = await client.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: [
        'defaultNamingContext',
        'domainFunctionality',
        'domainControllerFunctionality',
        'configurationNamingContext',
      ],
    });
    const root = searchEntries[0] ?? {};
    const baseDn = this.config.baseDn ?? String(root.defaultNamingContext ?? '');
    if (!baseDn)
      throw new DomainError(
        'DIRECTORY_ERROR',
        `${this.name}: no base DN configured and rootDSE has no defaultNamingContext`,
      );
    const base = await client.search(baseDn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['objectSid'],
      explicitBufferAttributes: ['objectSid'],
    });
    const sidBytes = base.searchEntries[0]?.objectSid;
    let netbios = this.config.netbios;
    if (!netbios) {
      const partitions = await client
        .search(`CN=Partitions,CN=Configuration,${baseDn}`, {
          scope: 'one',
          filter: '(&(objectClass=crossRef)(nETBIOSName=*))',
          attributes: ['nETBIOSName', 'nCName'],
        })
        .catch(() => ({ searchEntries: [] as Record<string, unknown>[] }));
      const own = partitions.searchEntries.find((e) => String(e.nCName).toLowerCase() === baseDn.toLowerCase());
      netbios = own ? String(own.nETBIOSName).toUpperCase() : undefined;
    }
    return {
      name: this.name,
      netbios,
      baseDn,
      domainSid: Buffer.isBuffer(sidBytes) ? sidFromBytes(sidBytes) : undefined,
      domainFunctionality: root.domainFunctionality !== undefined ? Number(root.domainFunctionality) : undefined,
      domainControllerFunctionality:
        root.domainControllerFunctionality !== undefined ? Number(root.domainControllerFunctionality) : undefined,
      configurationDn: root.configurationNamingContext ? String(root.configurationNamingContext) : undefined,
    };
  }

  /**
   * The same account binds to every DC of the domain: one refusal stands for all of them, and no
   * bind is tried (by operations, health probes or jobs) until the window has passed.
   */
  private bindRefused(error: DomainError): DomainError {
    const retryAfterMs = this.config.bindRetryAfterMs ?? DEFAULT_BIND_RETRY_AFTER_MS;
    this.refused = { until: Date.now() + retryAfterMs, error };
    this.logger.error(`${error.message} (next bind attempt in ${Math.round(retryAfterMs / 1000)} s)`);
    return error;
  }

  private throwIfRefused(): void {
    if (!this.refused || Date.now() >= this.refused.until) return;
    const { error, until } = this.refused;
    throw new DomainError('DIRECTORY_CREDENTIALS_REFUSED', error.message, {
      ...error.details,
      retryAfterSeconds: Math.max(1, Math.ceil((until - Date.now()) / 1000)),
    });
  }

  private markDown(url: string | undefined): void {
    if (url) this.downUntil.set(url, Date.now() + DC_COOLDOWN_MS);
  }

  private async reset(slot: PoolSlot): Promise<void> {
    const client = slot.client;
    slot.client = undefined;
    slot.url = undefined;
    await client?.unbind().catch(() => undefined);
  }
}

function isLdaps(url: string): boolean {
  return url.toLowerCase().startsWith('ldaps://');
}
