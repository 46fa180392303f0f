// Standing entries on 10,000 computers that all carry an RBCD descriptor (issue 14 §1: "stays fine on
// 10,000 objects"): GET /api/v1/standing, every page (decoded, origin from replPropertyMetaData and the
// service's writes, principal names, the target's writers classed, risk flags), against the inventory
// with writers over the same objects (GET /api/v1/inventory, the closest existing listing), in the same
// run. Rounds alternate so that load on the machine hits both alike; the medians are compared.
// Target: within 1.5x of the inventory with writers.
//   npm run bench:standing   (BENCH_COUNT, default 10000; BENCH_ROUNDS, default 3; shares the population
//   of bench:inventory: the first run of either creates it through one ldapadd stream, a few minutes)
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { sandboxApp } from '../test/support/workflow';
import { ensureComputers } from './support/population';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
const DESCRIPTOR = encodeSecurityDescriptor(
  createRbcdDescriptor(['S-1-5-21-2885983422-1122602711-2830151633-1103']),
).toString('base64');

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const pop = await ensureComputers('BenchInventory', 'INV', COUNT, { ldifLines: [`${ATTR}:: ${DESCRIPTOR}`] });
  const t = await sandboxApp();
  try {
    const fetchAll = async (path: 'standing' | 'inventory') => {
      const start = process.hrtime.bigint();
      let cursor: string | null = null;
      let items = 0;
      let pages = 0;
      let slowestPage = 0;
      do {
        const limit = path === 'standing' ? 1000 : 5000;
        const query: string = `/api/v1/${path}?base=${encodeURIComponent(pop.ouDn)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const pageStart = process.hrtime.bigint();
        const res = await t.http().get(query).set(t.admin);
        slowestPage = Math.max(slowestPage, Number(process.hrtime.bigint() - pageStart) / 1e9);
        if (res.status !== 200) throw new Error(JSON.stringify(res.body));
        items += res.body.items.length;
        pages++;
        cursor = res.body.nextCursor;
      } while (cursor);
      return { seconds: Number(process.hrtime.bigint() - start) / 1e9, items, pages, slowestPage };
    };
    await fetchAll('standing'); // warm-up (connections, SID and writer caches)
    await fetchAll('inventory');
    const standing: number[] = [];
    const inventory: number[] = [];
    let last = { items: 0, pages: 0, slowestPage: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const s = await fetchAll('standing');
      const i = await fetchAll('inventory');
      standing.push(s.seconds);
      inventory.push(i.seconds);
      last = s;
      if (s.items !== i.items) throw new Error(`standing listed ${s.items} entries, the inventory ${i.items} objects`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `\nStanding entries of ${COUNT} computers with RBCD descriptors (${pop.ouDn}), median of ${ROUNDS} rounds`,
    );
    console.log(`  GET /api/v1/inventory (with writers)   ${median(inventory).toFixed(2).padStart(7)} s`);
    console.log(
      `  GET /api/v1/standing                   ${median(standing).toFixed(2).padStart(7)} s  ${last.items} entries in ${last.pages} pages, slowest page ${last.slowestPage.toFixed(2)} s`,
    );
    console.log(
      `  standing: ${(median(standing) / median(inventory)).toFixed(2)}x the inventory with writers (target <= 1.5x); rounds ${standing.map((s, i) => (s / inventory[i]).toFixed(2)).join(' ')}`,
    );
  } finally {
    await t.close();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
