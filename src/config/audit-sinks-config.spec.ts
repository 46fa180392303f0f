import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

const dir = mkdtempSync(join(tmpdir(), 'rbcd-sinks-config-'));
let files = 0;
function file(content: string): string {
  const path = join(dir, `f${++files}`);
  writeFileSync(path, content);
  return path;
}
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const load = (yaml: string) => loadConfig({ DATABASE_URL: 'sqlite::memory:', RBCD_CONFIG: file(yaml) });

function refused(yaml: string): string {
  try {
    load(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted it');
}

describe('audit.sinks in RBCD_CONFIG', () => {
  it('reads syslog (JSON, CEF) and Splunk HEC sinks with their defaults; the token comes from a file', () => {
    const ca = file(PEM);
    const token = file('tok-123\n');
    const config = load(`
audit:
  sinks:
    - {name: siem, type: syslog, address: "siem.example.com:6514", caFile: "${ca}"}
    - {name: siem-cef, type: syslog, address: "tls://[::1]:6514", format: cef, hostname: broker-1, batchSize: 50, timeoutMs: 3000}
    - {name: splunk, type: splunk-hec, url: "https://splunk.example.com:8088/services/collector/event", tokenFile: "${token}", index: sec}
`);
    expect(config.audit.sinks).toEqual([
      {
        name: 'siem',
        type: 'syslog',
        host: 'siem.example.com',
        port: 6514,
        format: 'json',
        batchSize: 500,
        timeoutMs: 10_000,
        ca: PEM,
      },
      {
        name: 'siem-cef',
        type: 'syslog',
        host: '::1',
        port: 6514,
        format: 'cef',
        hostname: 'broker-1',
        batchSize: 50,
        timeoutMs: 3000,
      },
      {
        name: 'splunk',
        type: 'splunk-hec',
        url: 'https://splunk.example.com:8088/services/collector/event',
        token: 'tok-123',
        index: 'sec',
        source: 'rbcd-broker',
        sourcetype: 'rbcd:audit',
        batchSize: 500,
        timeoutMs: 10_000,
      },
    ]);
    expect(load('policy: {}').audit.sinks).toEqual([]);
  });

  it.each([
    ['not a list', 'audit: {sinks: {name: x}}', 'audit.sinks'],
    ['no name', 'audit: {sinks: [{type: syslog, address: "h:1"}]}', 'audit.sinks[0].name'],
    [
      'two sinks, one name',
      'audit: {sinks: [{name: a, type: syslog, address: "h:1"}, {name: a, type: syslog, address: "h:2"}]}',
      'audit.sinks[1].name',
    ],
    ['unknown type', 'audit: {sinks: [{name: a, type: kafka}]}', 'audit.sinks[0].type'],
    [
      'syslog without port',
      'audit: {sinks: [{name: a, type: syslog, address: "siem.example.com"}]}',
      'audit.sinks[0].address',
    ],
    ['syslog port range', 'audit: {sinks: [{name: a, type: syslog, address: "h:70000"}]}', 'audit.sinks[0].address'],
    [
      'unknown format',
      'audit: {sinks: [{name: a, type: syslog, address: "h:1", format: leef}]}',
      'audit.sinks[0].format',
    ],
    [
      'hostname with a space',
      'audit: {sinks: [{name: a, type: syslog, address: "h:1", hostname: "a b"}]}',
      'audit.sinks[0].hostname',
    ],
    [
      'client cert without key',
      `audit: {sinks: [{name: a, type: syslog, address: "h:1", certFile: "${file(PEM)}"}]}`,
      'audit.sinks[0].certFile',
    ],
    [
      'HEC without token file',
      'audit: {sinks: [{name: a, type: splunk-hec, url: "https://s:8088/services/collector/event"}]}',
      'audit.sinks[0].tokenFile',
    ],
    [
      'HEC unreadable token file',
      'audit: {sinks: [{name: a, type: splunk-hec, url: "https://s:8088/x", tokenFile: /nonexistent/t}]}',
      'audit.sinks[0].tokenFile',
    ],
    [
      'HEC credentials in the URL',
      `audit: {sinks: [{name: a, type: splunk-hec, url: "https://u:p@s:8088/x", tokenFile: "${file('t')}"}]}`,
      'audit.sinks[0].url',
    ],
    [
      'batch size',
      'audit: {sinks: [{name: a, type: syslog, address: "h:1", batchSize: 0}]}',
      'audit.sinks[0].batchSize',
    ],
    [
      'CA file without a certificate',
      'audit: {sinks: [{name: a, type: syslog, address: "h:1", caFile: /etc/hostname}]}',
      'audit.sinks[0].caFile',
    ],
  ])('refuses %s, naming it', (_, yaml, name) => {
    expect(refused(yaml)).toContain(name);
  });

  it('never puts the token in a message', () => {
    const token = file('super-secret-token');
    expect(
      refused(`audit: {sinks: [{name: a, type: splunk-hec, url: "ftp://x", tokenFile: "${token}"}]}`),
    ).not.toContain('super-secret-token');
  });
});
