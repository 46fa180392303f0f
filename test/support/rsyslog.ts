// A real rsyslog (Debian's package) for the audit-sink tests: its own config, pid file, work dir
// and output file under a temporary folder, never the system daemon's. TLS input (gtls netstream
// driver, package rsyslog-gnutls) on a loopback port, with a server certificate issued here by
// the sandbox CA (.sandbox/ca). Installs rsyslog + rsyslog-gnutls when absent (as the benches do).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { sandboxDir } from './sandbox';

const GTLS_MODULE = '/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so';

export function ensureRsyslog(): void {
  const has = () => {
    try {
      execFileSync('sh', ['-c', 'command -v rsyslogd'], { stdio: 'ignore' });
      return (
        existsSync(GTLS_MODULE) ||
        execFileSync('sh', ['-c', 'ls /usr/lib/*/rsyslog/lmnsd_gtls.so'], { stdio: 'pipe' }).length > 0
      );
    } catch {
      return false;
    }
  };
  if (has()) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
  // policy-rc.d (when present) keeps the package from starting the system daemon; ours is separate anyway.
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'rsyslog', 'rsyslog-gnutls'], {
    stdio: 'ignore',
    env,
  });
}

/** A server key and certificate for 127.0.0.1 / localhost, signed by the sandbox CA. */
export function issueServerCert(dir: string): { cert: string; key: string; ca: string } {
  const caDir = join(sandboxDir(), 'ca');
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.pem');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  writeFileSync(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n',
  );
  execFileSync(
    'openssl',
    ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=localhost', '-out', csr],
    { stdio: 'pipe' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      join(caDir, 'ca.pem'),
      '-CAkey',
      join(caDir, 'ca.key'),
      '-set_serial',
      `0x${Date.now().toString(16)}`,
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  return { cert, key, ca: join(caDir, 'ca.pem') };
}

export class Rsyslog {
  private child?: ChildProcess;
  readonly output: string;
  readonly jsonOutput: string;
  private readonly conf: string;
  private readonly pidFile: string;

  constructor(
    private readonly dir: string,
    readonly port: number,
    tls: { cert: string; key: string; ca: string },
  ) {
    mkdirSync(join(dir, 'work'), { recursive: true });
    this.output = join(dir, 'received.log');
    this.jsonOutput = join(dir, 'received-json.jsonl');
    this.conf = join(dir, 'rsyslog.conf');
    this.pidFile = join(dir, 'rsyslogd.pid');
    writeFileSync(
      this.conf,
      [
        `global(workDirectory="${join(dir, 'work')}" maxMessageSize="256k"`,
        `  defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="${tls.ca}"`,
        `  defaultNetstreamDriverCertFile="${tls.cert}" defaultNetstreamDriverKeyFile="${tls.key}")`,
        'module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")',
        `input(type="imtcp" port="${port}" address="127.0.0.1")`,
        // The message exactly as received (after the octet count): what the test compares.
        'template(name="raw" type="string" string="%rawmsg%\\n")',
        `action(type="omfile" file="${this.output}" template="raw")`,
        // The JSON bodies alone, one per line: a file `rbcd audit verify --allow-repeats` reads as it is.
        'template(name="msgonly" type="string" string="%msg%\n")',
        `if $msg startswith "{" then { action(type="omfile" file="${this.jsonOutput}" template="msgonly") }`,
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    let stderr = '';
    this.child = spawn('rsyslogd', ['-n', '-f', this.conf, '-i', this.pidFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 60_000;
    while (!(await this.accepts())) {
      if (this.child.exitCode !== null) throw new Error(`rsyslogd exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${this.port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM: rsyslog drains its queue to the file, then exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  lines(): string[] {
    if (!existsSync(this.output)) return [];
    return readFileSync(this.output, 'utf8').split('\n').filter(Boolean);
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }
}
