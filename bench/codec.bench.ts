// Decode + encode throughput of our security-descriptor codec against impacket's
// ldaptypes.SR_SECURITY_DESCRIPTOR, on the same descriptors and in the same run (impacket runs in a
// /usr/bin/python3 child after our measurement). Target: at least 20x impacket.
//   npx ts-node --transpile-only bench/codec.bench.ts
// Environment: BENCH_SECONDS (per descriptor and side, default 1), BENCH_PYTHON (default /usr/bin/python3).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRbcdDescriptor, decodeSecurityDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { ensureDebianPackage } from './support/debian';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const TARGET_RATIO = 20;

interface Descriptor {
  name: string;
  base64: string;
}
interface Result {
  name: string;
  ops: number;
  seconds: number;
  opsPerSec: number;
}

function descriptors(): Descriptor[] {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../test/fixtures/security-descriptors.json'), 'utf8')) as {
    valid: Descriptor[];
  };
  const fifty = createRbcdDescriptor(
    Array.from({ length: 50 }, (_, i) => `S-1-5-21-1544822996-929305224-3231428034-${1100 + i}`),
  );
  return [
    ...fixture.valid.map(({ name, base64 }) => ({ name, base64 })),
    { name: 'fifty-principals', base64: encodeSecurityDescriptor(fifty).toString('base64') },
  ];
}

function measureOurs(d: Descriptor): Result {
  const bytes = Buffer.from(d.base64, 'base64');
  // Correctness first: the benchmark is meaningless if the codec does not round-trip.
  if (!encodeSecurityDescriptor(decodeSecurityDescriptor(bytes)).equals(bytes))
    throw new Error(`${d.name} does not round-trip`);
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += encodeSecurityDescriptor(decodeSecurityDescriptor(bytes)).length;
  const batch = 1000;
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) sink += encodeSecurityDescriptor(decodeSecurityDescriptor(bytes)).length;
    ops += batch;
    now = process.hrtime.bigint();
  }
  if (sink === 0) throw new Error('unreachable');
  const seconds = Number(now - start) / 1e9;
  return { name: d.name, ops, seconds, opsPerSec: ops / seconds };
}

function measureImpacket(list: Descriptor[]): { impacket: string; python: string; results: Result[] } {
  if (!process.env.BENCH_PYTHON)
    ensureDebianPackage('python3-impacket', () => spawnSync(PYTHON, ['-c', 'import impacket']).status === 0);
  const child = spawnSync(PYTHON, [join(__dirname, 'codec_impacket.py')], {
    input: JSON.stringify({ seconds: SECONDS, descriptors: list }),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.error || child.status !== 0) {
    throw new Error(
      `impacket baseline failed (${PYTHON}; apt-get install -y python3-impacket): ${child.error?.message ?? child.stderr}`,
    );
  }
  return JSON.parse(child.stdout);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function main(): void {
  const list = descriptors();
  const ours = list.map(measureOurs);
  const theirs = measureImpacket(list);
  const rows = list.map((d, i) => {
    const a = ours[i].opsPerSec;
    const b = theirs.results[i].opsPerSec;
    return { name: d.name, bytes: Buffer.from(d.base64, 'base64').length, ours: a, impacket: b, ratio: a / b };
  });
  const geoMean = Math.exp(rows.reduce((sum, r) => sum + Math.log(r.ratio), 0) / rows.length);

  console.log(
    `decode+encode, ${SECONDS}s per descriptor and side; node ${process.version}; impacket ${theirs.impacket} on python ${theirs.python}`,
  );
  const header = ['descriptor', 'bytes', 'ours ops/s', 'impacket ops/s', 'ratio'];
  const table = rows.map((r) => [r.name, String(r.bytes), fmt(r.ours), fmt(r.impacket), `${r.ratio.toFixed(1)}x`]);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  const worst = rows.reduce((a, b) => (a.ratio < b.ratio ? a : b));
  console.log(
    `geometric mean ratio ${geoMean.toFixed(1)}x; lowest ${worst.ratio.toFixed(1)}x (${worst.name}); target >= ${TARGET_RATIO}x: ${worst.ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
  );
}

main();
