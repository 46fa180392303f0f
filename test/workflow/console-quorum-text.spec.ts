// The console's quorum line (web/src/requests.ts): what is still needed, said once. The module
// imports only types, so it runs here as it runs in the browser.
import type { RequestView } from '../../web/src/api';
import { quorumText } from '../../web/src/requests';

type Owner = RequestView['approvalStatus']['owners'][number];

const owner = (samAccountName: string, required: number, approvedBy: string[]): Owner =>
  ({ target: { samAccountName }, required, approvedBy }) as unknown as Owner;

const request = (approvers: number, required: number, owners: Owner[] = []): RequestView =>
  ({ approvalStatus: { approvers, required, owners, missing: [] } }) as unknown as RequestView;

describe('quorumText', () => {
  it('says how many more approvals are needed, once', () => {
    expect(quorumText(request(0, 1))).toBe('0 of 1 approvals (still needed: 1 more)');
  });

  it('names the target whose owner has not approved yet, even when the count is reached', () => {
    expect(quorumText(request(2, 2, [owner('SRV17A$', 1, [])]))).toBe(
      '2 of 2 approvals; owners: SRV17A$ 0/1 (still needed: 1 from an owner of SRV17A$)',
    );
  });

  it('needs nothing more once the quorum and every owner are met', () => {
    expect(quorumText(request(2, 2, [owner('SRV17A$', 1, ['Olga Owner'])]))).toBe(
      '2 of 2 approvals; owners: SRV17A$ 1/1',
    );
  });
});
