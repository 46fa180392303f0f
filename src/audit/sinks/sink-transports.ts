// The two ways audit events leave the service. Each send() resolves only once the receiver has
// taken the whole batch, and throws otherwise (the batch is then sent again: at least once).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { hostname as machineName } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { AuditSinkConfig, SplunkHecSinkConfig, SyslogSinkConfig } from '../../config/config.types';
import type { AuditEventView } from '../audit.types';
import { hecBatch } from './hec-payload';
import { octetFrame, syslogMessage } from './syslog-message';

export interface SinkTransport {
  send(events: AuditEventView[]): Promise<void>;
}

export function transportFor(sink: AuditSinkConfig, version: string): SinkTransport {
  return sink.type === 'syslog' ? new SyslogTlsTransport(sink, version) : new SplunkHecTransport(sink);
}

/**
 * One TLS session per batch: the frames, then our close; the batch counts as received when the
 * receiver has read to our end of stream and closed its side in turn (a plain TCP write only
 * proves the bytes reached our own socket buffer). A reset, an error or no close within the
 * timeout fails the batch.
 */
export class SyslogTlsTransport implements SinkTransport {
  private readonly hostname: string;

  constructor(
    private readonly sink: SyslogSinkConfig,
    private readonly version: string,
  ) {
    this.hostname = sink.hostname ?? machineName();
  }

  send(events: AuditEventView[]): Promise<void> {
    const payload = Buffer.concat(
      events.map((e) => octetFrame(syslogMessage(e, this.sink.format, this.hostname, this.version))),
    );
    const where = `${this.sink.host}:${this.sink.port}`;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let peerEnded = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error(`${where}: no acknowledgement within ${this.sink.timeoutMs} ms`)),
        this.sink.timeoutMs,
      );
      const socket = tlsConnect({
        host: this.sink.host,
        port: this.sink.port,
        ca: this.sink.ca,
        cert: this.sink.cert,
        key: this.sink.key,
        servername: isIP(this.sink.host) ? undefined : this.sink.host,
        minVersion: 'TLSv1.2',
      });
      socket.once('secureConnect', () => {
        socket.end(payload);
      });
      socket.on('data', () => undefined); // a syslog receiver sends nothing; drain anyway
      socket.once('end', () => (peerEnded = true));
      socket.once('error', (error: NodeJS.ErrnoException) =>
        finish(new Error(`${where}: ${error.code ?? error.message}`)),
      );
      socket.once('close', () =>
        finish(
          peerEnded && socket.writableFinished
            ? undefined
            : new Error(`${where}: the connection closed before the batch was taken`),
        ),
      );
    });
  }
}

/** POSTs the batch to a Splunk HEC-compatible endpoint; any 2xx answer acknowledges it. */
export class SplunkHecTransport implements SinkTransport {
  private readonly hostname = machineName();

  constructor(private readonly sink: SplunkHecSinkConfig) {}

  send(events: AuditEventView[]): Promise<void> {
    const body = Buffer.from(
      hecBatch(events, {
        host: this.hostname,
        source: this.sink.source,
        sourcetype: this.sink.sourcetype,
        index: this.sink.index,
      }),
      'utf8',
    );
    const url = new URL(this.sink.url);
    const shown = `${url.protocol}//${url.host}${url.pathname}`;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<void>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: {
            Authorization: `Splunk ${this.sink.token}`,
            'Content-Type': 'application/json',
            'Content-Length': body.length,
            'User-Agent': 'rbcd-broker',
          },
          ca: this.sink.ca,
          timeout: this.sink.timeoutMs,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text = (text + c).slice(0, 500)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else
              reject(
                new Error(`${shown} answered ${status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`),
              );
          });
          res.on('error', (error) => reject(new Error(`${shown}: ${error.message}`)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.sink.timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(`${shown}: ${error.code ?? error.message}`)));
      req.end(body);
    });
  }
}
