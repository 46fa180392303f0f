// The deployment files (docker/): the compose file is valid for `docker compose` (no engine needed
// for `config`), and the Dockerfiles have the properties the issue asks for, read from the files.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile instructions (continuations joined, comments and the parser directive dropped), by stage. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment lines inside a continued instruction
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(`${current}${line}`.trim());
    current = '';
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
    const upper = op.toUpperCase();
    if (upper === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) as RegExpExecArray;
      stages.push({ from: m[1], name: m[2], instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [k, v] = rest.split('=');
      args[k] = v ?? '';
    } else {
      stages[stages.length - 1].instructions.push({ op: upper, args: rest });
    }
  }
  return { args, stages };
}

function composeCommand(): string[] | null {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(cmd[0], [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (r.status === 0) return cmd;
  }
  return null;
}

const COMPOSE = composeCommand();
if (!COMPOSE) {
  console.warn(
    'docker.spec: neither `docker compose` nor `docker-compose` is installed: compose validation skipped (apt-get install --no-install-recommends docker-compose)',
  );
}

describe('docker/compose.yaml', () => {
  const compose = parseYaml(read('docker/compose.yaml'), { merge: true }) as {
    services: Record<string, any>;
    volumes: Record<string, unknown>;
  };
  const services = compose.services;

  (COMPOSE ? it : it.skip)('passes `docker compose config -q`', () => {
    const [bin, ...pre] = COMPOSE as string[];
    const r = spawnSync(bin, [...pre, '-f', path.join(ROOT, 'docker/compose.yaml'), 'config', '-q'], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs the service, PostgreSQL 15, a one-shot migration and the sandbox DC', () => {
    expect(Object.keys(services).sort()).toEqual(['migrate', 'postgres', 'rbcd-broker', 'samba-dc']);
    expect(services.postgres.image).toMatch(/^postgres:15(\b|-)/);
    expect(services['rbcd-broker'].build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
    expect(services['samba-dc'].build).toEqual({ context: '..', dockerfile: 'docker/samba-dc.Dockerfile' });
  });

  it('migrates PostgreSQL as a deploy step before the service starts', () => {
    const migrate = services.migrate;
    expect(migrate.build).toEqual(services['rbcd-broker'].build);
    expect(migrate.command).toEqual([
      'node',
      './node_modules/typeorm/cli.js',
      '-d',
      'dist/src/database/data-source.js',
      'migration:run',
    ]);
    expect(migrate.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services['rbcd-broker'].environment.DATABASE_URL).toBe(migrate.environment.DATABASE_URL);
    expect(services['rbcd-broker'].depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
      postgres: { condition: 'service_healthy' },
      'samba-dc': { condition: 'service_healthy' },
    });
    // The compiled data source is where `nest build` puts it: tsconfig.build.json compiles src/ and
    // migrations/ into dist/ (so dist/src/..., dist/migrations/...).
    const build = JSON.parse(read('tsconfig.build.json'));
    const base = JSON.parse(read('tsconfig.json'));
    expect(build.include).toEqual(expect.arrayContaining(['src/**/*', 'migrations/**/*']));
    expect(build.compilerOptions?.outDir ?? base.compilerOptions.outDir).toBe('./dist');
    expect(existsSync(path.join(ROOT, 'src/database/data-source.ts'))).toBe(true);
    expect(read('src/database/data-source.ts')).toMatch(/export default new DataSource\(/);
    expect(existsSync(path.join(ROOT, 'src/main.ts'))).toBe(true);
  });

  it('points the service at the DC container by the names and ports the entrypoint forwards', () => {
    const broker = services['rbcd-broker'];
    const mounts: string[] = broker.volumes;
    const configMount = mounts.find((v) => v.endsWith(':/etc/rbcd/rbcd.yaml:ro')) as string;
    expect(broker.environment.RBCD_CONFIG).toBe('/etc/rbcd/rbcd.yaml');
    const rbcd = parseYaml(read(path.join('docker', configMount.split(':')[0]))) as {
      domains: { name: string; urls: string[]; bindPasswordFile: string; caFile: string }[];
    };
    const aliases: string[] = services['samba-dc'].networks.default.aliases;
    const entrypoint = read('docker/samba-dc-entrypoint.sh');
    for (const domain of rbcd.domains) {
      const url = new URL(domain.urls[0]);
      expect(url.protocol).toBe('ldaps:');
      expect(aliases).toContain(url.hostname);
      expect(entrypoint).toContain(`TCP-LISTEN:${url.port},bind=$addr`);
      expect(path.dirname(domain.bindPasswordFile)).toBe('/run/rbcd-sandbox');
      expect(entrypoint).toContain(`$EXPORT/${path.basename(domain.bindPasswordFile)}`);
    }
    expect(mounts).toContain('sandbox-export:/run/rbcd-sandbox:ro');
    expect(services['samba-dc'].volumes).toContain('sandbox-export:/export');
    expect(
      String(broker.environment.RBCD_ADMIN_API_KEY).replace(/^\$\{[^:]+:-(.*)\}$/, '$1').length,
    ).toBeGreaterThanOrEqual(16);
    expect(broker.healthcheck.test.join(' ')).toContain('/health/live');
    expect(broker.user).toBe('10001:10001');
  });
});

describe('docker/Dockerfile', () => {
  const { args, stages } = parseDockerfile(read('docker/Dockerfile'));
  const stage = (name: string) => stages.find((s) => s.name === name) as Stage;
  const runs = (s: Stage) =>
    s.instructions
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join('\n');
  const final = stages[stages.length - 1];

  it('is multi-stage on node:20-bookworm-slim: build, prod-deps, runtime', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'prod-deps', 'runtime']);
    for (const s of stages) expect(s.from.replace('${NODE_IMAGE}', args.NODE_IMAGE)).toBe('node:20-bookworm-slim');
  });

  it('builds with npm ci + nest build, and the native addon with python3, make and g++', () => {
    expect(runs(stage('build'))).toMatch(/npm ci(?! --omit)/);
    expect(runs(stage('build'))).toMatch(/nest build/);
    expect(runs(stage('build'))).toContain('test -f dist/src/main.js');
    // The web console, built by vite into dist/web (shipped with dist, served at /).
    expect(runs(stage('build'))).toMatch(/vite build --config web\/vite.config.mts/);
    expect(runs(stage('build'))).toContain('test -f dist/web/index.html');
    for (const name of ['build', 'prod-deps'])
      expect(runs(stage(name))).toMatch(/apt-get install .*python3 make g\+\+/);
    expect(runs(stage('prod-deps'))).toMatch(/npm ci --omit=dev/);
  });

  it('ships production dependencies from prod-deps and dist from build, nothing else installed', () => {
    const copies = final.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=prod-deps /app/node_modules ./node_modules');
    expect(copies).toContain('--from=build /app/dist ./dist');
    expect(runs(final)).not.toMatch(/npm (ci|install)/);
  });

  it('runs as a non-root user', () => {
    const users = final.instructions.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].split(':')[0];
    expect(user).not.toMatch(/^(root|0)$/);
    const lastUser = final.instructions.map((i) => i.op).lastIndexOf('USER');
    expect(final.instructions.slice(lastUser).some((i) => i.op === 'RUN')).toBe(false);
  });

  it('checks /health/live and starts node dist/src/main.js with the flags of npm start', () => {
    const healthcheck = final.instructions.find((i) => i.op === 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/CMD .*\/health\/live/);
    const cmd = final.instructions.filter((i) => i.op === 'CMD').pop();
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
      .scripts.start;
    expect(JSON.parse(cmd?.args ?? 'null')).toEqual(start.split(' '));
    expect(start).toBe('node --max-semi-space-size=64 dist/src/main.js');
  });
});

describe('docker/samba-dc.Dockerfile', () => {
  const { stages } = parseDockerfile(read('docker/samba-dc.Dockerfile'));

  it('is debian:bookworm with samba from backports, running the project’s sandbox script', () => {
    expect(stages.map((s) => s.from)).toEqual(['debian:bookworm']);
    const ins = stages[0].instructions;
    const run = ins
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(run).toMatch(/bookworm-backports/);
    expect(run).toMatch(/-t bookworm-backports samba /);
    const copies = ins.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    expect(copies).toEqual(expect.arrayContaining(['scripts/sandbox-dc.sh', 'scripts/sandbox/']));
    expect(ins.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["/usr/local/bin/samba-dc-entrypoint"]');
    expect(ins.find((i) => i.op === 'HEALTHCHECK')?.args).toContain('sandbox-dc.sh", "status"');
    expect(read('docker/samba-dc-entrypoint.sh')).toMatch(/^"\$SCRIPT" up$/m);
  });

  it('has an entrypoint that is valid bash', () => {
    const r = spawnSync('bash', ['-n', path.join(ROOT, 'docker/samba-dc-entrypoint.sh')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('build context', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('leaves out dependencies, build output, local state and secrets', () => {
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', 'dist', '.sandbox', 'data', '.env']));
  });

  it('keeps every file the Dockerfiles copy, and each exists', () => {
    for (const file of ['docker/Dockerfile', 'docker/samba-dc.Dockerfile']) {
      for (const s of parseDockerfile(read(file)).stages) {
        for (const copy of s.instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
          const sources = copy.args
            .split(/\s+/)
            .filter((a) => !a.startsWith('--'))
            .slice(0, -1);
          for (const source of sources) {
            expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
            const clean = source.replace(/\/$/, '');
            expect({ source, ignored: ignored.some((p) => clean === p || clean.startsWith(`${p}/`)) }).toEqual({
              source,
              ignored: false,
            });
          }
        }
      }
    }
  });
});
