// RBCD_CONFIG `audit.sinks`: where the audit events are streamed.
import { ConfigError } from '../config.error';
import { AUDIT_SINK_TYPES, SYSLOG_FORMATS, type AuditSinkConfig } from '../setting-types';
import { readCa, secretFrom } from '../sources/secret-files';
import { optionalString, pem, readPositiveInt } from '../sources/yaml-values';

/** RBCD_CONFIG `audit.sinks`: syslog over TLS and Splunk HEC receivers of the audit events. */
export function readAuditSinks(raw: unknown): AuditSinkConfig[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('RBCD_CONFIG audit', 'must be a mapping (audit.sinks: [...])');
  const sinks = (raw as Record<string, unknown>).sinks;
  if (sinks === undefined || sinks === null) return [];
  if (!Array.isArray(sinks)) throw new ConfigError('RBCD_CONFIG audit.sinks', 'must be a list');
  const names = new Set<string>();
  return sinks.map((s, i) => {
    const label = `audit.sinks[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new ConfigError(label, 'must be a mapping');
    const sink = s as Record<string, unknown>;
    const name = optionalString(sink.name, `${label}.name`);
    if (!name || !/^[A-Za-z0-9][\w.-]{0,99}$/.test(name))
      throw new ConfigError(`${label}.name`, 'is required: letters, digits, ".", "_" or "-" (at most 100)');
    if (names.has(name)) throw new ConfigError(`${label}.name`, `"${name}" is used by two sinks`);
    names.add(name);
    const type = sink.type;
    if (!AUDIT_SINK_TYPES.includes(type as never))
      throw new ConfigError(`${label}.type`, `must be one of: ${AUDIT_SINK_TYPES.join(', ')}`);
    const base = {
      name,
      batchSize: readPositiveInt(sink.batchSize, `${label}.batchSize`, 500, 10_000),
      timeoutMs: readPositiveInt(sink.timeoutMs, `${label}.timeoutMs`, 10_000, 600_000),
      ...pem(readCa(sink.caFile, `${label}.caFile`).ca),
    };
    if (type === 'syslog') {
      const address = optionalString(sink.address, `${label}.address`);
      const match = address ? /^(?:tls:\/\/)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address) : null;
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
        throw new ConfigError(
          `${label}.address`,
          'must be host:port of a syslog TLS receiver (e.g. siem.example.com:6514)',
        );
      const format = sink.format ?? 'json';
      if (!SYSLOG_FORMATS.includes(format as never))
        throw new ConfigError(`${label}.format`, `must be one of: ${SYSLOG_FORMATS.join(', ')}`);
      const hostname = optionalString(sink.hostname, `${label}.hostname`);
      if (hostname !== undefined && !/^[\x21-\x7e]{1,255}$/.test(hostname))
        throw new ConfigError(`${label}.hostname`, 'must be printable ASCII without spaces (RFC 5424 HOSTNAME)');
      const cert = secretFrom(undefined, sink.certFile, `${label}.certFile`);
      const key = secretFrom(undefined, sink.keyFile, `${label}.keyFile`);
      if (!cert !== !key) throw new ConfigError(`${label}.certFile`, 'certFile and keyFile go together (mutual TLS)');
      return {
        ...base,
        type: 'syslog' as const,
        host: match[1].replace(/^\[|\]$/g, ''),
        port: Number(match[2]),
        format: format as 'json' | 'cef',
        ...(hostname ? { hostname } : {}),
        ...(cert ? { cert, key } : {}),
      };
    }
    const url = optionalString(sink.url, `${label}.url`);
    if (!url || !/^https?:\/\/[^\s@]+$/.test(url))
      throw new ConfigError(
        `${label}.url`,
        'must be the http(s) URL of the HEC endpoint, without credentials (e.g. https://splunk:8088/services/collector/event)',
      );
    const token = secretFrom(undefined, sink.tokenFile, `${label}.tokenFile`)?.trim();
    if (!token) throw new ConfigError(`${label}.tokenFile`, 'is required: a file holding the HEC token');
    return {
      ...base,
      type: 'splunk-hec' as const,
      url,
      token,
      ...(optionalString(sink.index, `${label}.index`) ? { index: String(sink.index) } : {}),
      source: optionalString(sink.source, `${label}.source`) ?? 'rbcd-broker',
      sourcetype: optionalString(sink.sourcetype, `${label}.sourcetype`) ?? 'rbcd:audit',
    };
  });
}
