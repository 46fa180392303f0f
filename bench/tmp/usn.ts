import { adminClient, svcClient, withClient } from '../../test/support/sandbox';
import { Attribute, Change } from 'ldapts';
async function main() {
  const usn = () => withClient(svcClient(), async (c) => (await c.search('', { scope: 'base', attributes: ['highestCommittedUSN', 'dsServiceName'] })).searchEntries[0]);
  console.log(await usn());
  const t0 = Date.now(); for (let i = 0; i < 200; i++) await usn(); console.log('200 probes incl bind ms', Date.now() - t0);
  await withClient(adminClient(), async (c) => {
    const { searchEntries } = await c.search('OU=BenchRead,OU=Servers,DC=contoso,DC=test', { scope: 'one', sizeLimit: 1, attributes: ['dn'] });
    await c.modify(searchEntries[0].dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['x' + Date.now()] }) })]);
  });
  console.log(await usn());
}
main();
