import type { Client } from 'ldapts';
import { readDcStamp } from './dc-stamp';

/** A client whose rootDSE answers come from `usn`, recording the attributes of each read. */
function fakeClient(usn: () => string, options: { reconnectOnRead?: number } = {}) {
  const asked: string[][] = [];
  const client = {
    socket: {} as object,
    async search(_base: string, opts: { attributes: string[] }) {
      asked.push(opts.attributes);
      if (options.reconnectOnRead === asked.length) client.socket = {};
      return { searchEntries: [{ dsServiceName: 'CN=NTDS Settings,CN=DC1', highestCommittedUSN: usn() }] };
    },
  };
  return { client, asked, asClient: client as unknown as Client };
}

describe('readDcStamp', () => {
  it('reads the DC name once per connection, then highestCommittedUSN alone', async () => {
    let usn = 10;
    const { asked, asClient } = fakeClient(() => String(usn));
    expect(await readDcStamp(asClient)).toEqual({ dc: 'CN=NTDS Settings,CN=DC1', usn: '10' });
    usn = 11;
    expect(await readDcStamp(asClient)).toEqual({ dc: 'CN=NTDS Settings,CN=DC1', usn: '11' });
    expect(asked).toEqual([['dsServiceName', 'highestCommittedUSN'], ['highestCommittedUSN']]);
  });

  it('reads the name again on a new connection (a reconnected client may reach another DC)', async () => {
    const { client, asked, asClient } = fakeClient(() => '5');
    await readDcStamp(asClient);
    client.socket = {}; // ldapts opened a new socket
    await readDcStamp(asClient);
    expect(asked).toEqual([
      ['dsServiceName', 'highestCommittedUSN'],
      ['dsServiceName', 'highestCommittedUSN'],
    ]);
  });

  it('asks again, with the name, when the connection changed during a USN-only read', async () => {
    const { asked, asClient } = fakeClient(() => '7', { reconnectOnRead: 2 });
    await readDcStamp(asClient);
    expect(await readDcStamp(asClient)).toEqual({ dc: 'CN=NTDS Settings,CN=DC1', usn: '7' });
    expect(asked).toEqual([
      ['dsServiceName', 'highestCommittedUSN'],
      ['highestCommittedUSN'],
      ['dsServiceName', 'highestCommittedUSN'],
    ]);
  });

  it('without a socket to key on, reads both attributes every time', async () => {
    const { client, asked, asClient } = fakeClient(() => '1');
    (client as { socket?: object }).socket = undefined;
    await readDcStamp(asClient);
    await readDcStamp(asClient);
    expect(asked.every((a) => a.length === 2)).toBe(true);
  });
});
