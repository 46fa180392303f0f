import { useState } from 'react';
import { api, unwrap, type InventoryRisk as Risk, type Schemas } from '../api';
import { ErrorBox, useApi } from '../components';
import { Button, CheckboxesField, DataTable, SelectField } from '../ui';

const KINDS = ['rbcd', 'constrained', 'unconstrained', 'protocolTransition'] as const;
type Item = Schemas['InventoryItemModel'];

/** The risks an inventory item can carry (the API refuses any other value: the type says which exist). */
export const INVENTORY_RISKS: Risk[] = [
  'UNCONSTRAINED_ON_NON_DC',
  'PROTOCOL_TRANSITION',
  'RBCD_ON_PROTECTED_TARGET',
  'RBCD_OPEN_TO_ANY_ACCOUNT',
  'RBCD_WRITABLE_BY_NON_TIER0',
  'ORPHANED_SID',
  'INVALID_SECURITY_DESCRIPTOR',
  'INEFFECTIVE_MASK',
  'DENY_ACE',
  'DENIED_EARLIER',
  'EMPTY_DACL',
  'NO_DACL',
  'DACL_NOT_PRESENT',
  'OBJECT_ACE',
  'INHERIT_ONLY_ACE',
  'UNKNOWN_ACE_TYPE',
];

/** Every delegation of the configured domains: filters by kind and risk (both the API's), paging, CSV. */
export function InventoryPage() {
  const [kinds, setKinds] = useState<string[]>([]);
  const [risk, setRisk] = useState<Risk | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { data, error, loading } = useApi(
    () =>
      unwrap(
        api.GET('/api/v1/inventory', {
          params: {
            query: {
              limit: 50,
              ...(kinds.length ? { kinds } : {}),
              ...(risk ? { risk } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
          querySerializer: { array: { style: 'form', explode: false } },
        }),
      ),
    [kinds.join(','), risk, cursor],
  );
  const items = data?.items ?? [];
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setCursors([undefined]);
      set(value);
    };
  return (
    <>
      <form onSubmit={(e) => e.preventDefault()} aria-label="Inventory filters" className="row">
        <CheckboxesField label="Kind" name="kind" options={KINDS} value={kinds} onChange={filter(setKinds)} />
        <SelectField<Risk>
          label="Risk"
          name="risk"
          value={risk}
          options={[{ id: '', label: 'Any' }, ...INVENTORY_RISKS.map((r) => ({ id: r, label: r }))]}
          onChange={filter(setRisk)}
        />
      </form>
      <ErrorBox error={error} />
      {data?.domains.map((d) => (
        <p key={d.domain}>
          <strong>{d.domain}</strong>: ms-DS-MachineAccountQuota {d.machineAccountQuota ?? 'unknown'}
          {d.risks.map((r) => (
            <span key={r.code}>
              {' '}
              <code className="warn">{r.code}</code>
            </span>
          ))}
        </p>
      ))}
      <p aria-live="polite">{loading ? 'Loading…' : `${items.length} shown of ${data?.total ?? 0} in the inventory`}</p>
      <DataTable
        label="Delegations in the inventory"
        testId="inventory"
        columns={['Account', 'Domain', 'Kinds', 'RBCD principals', 'Risks']}
        rows={items.map((i) => ({
          id: i.sid,
          cells: [
            <a key="a" href={`#/target/${encodeURIComponent(i.samAccountName)}`}>
              {i.samAccountName}
            </a>,
            i.domain,
            i.kinds.join(', '),
            i.rbcdPrincipals.map((p) => p.samAccountName ?? p.sid).join(', '),
            i.risks.map((r) => r.code).join(', '),
          ],
        }))}
        empty={loading ? 'Loading…' : 'No delegation matches these filters.'}
      />
      <div className="row">
        <Button secondary isDisabled={cursors.length < 2} onPress={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </Button>
        <Button
          secondary
          isDisabled={!data?.nextCursor}
          onPress={() => setCursors((c) => [...c, data?.nextCursor ?? undefined])}
        >
          Next page
        </Button>
        <a
          role="button"
          className="button secondary"
          href={`data:text/csv;charset=utf-8,${encodeURIComponent(toCsv(items))}`}
          download="rbcd-inventory.csv"
        >
          Export CSV
        </a>
      </div>
    </>
  );
}

function cell(value: string): string {
  // Quoted, and a leading = + - @ neutralised: a spreadsheet must not run a cell as a formula.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function toCsv(items: Item[]): string {
  const header = ['samAccountName', 'domain', 'dn', 'kinds', 'rbcdPrincipals', 'allowedToDelegateTo', 'risks'];
  const rows = items.map((i) =>
    [
      i.samAccountName,
      i.domain,
      i.dn,
      i.kinds.join(' '),
      i.rbcdPrincipals.map((p) => p.samAccountName ?? p.sid).join(' '),
      i.allowedToDelegateTo.join(' '),
      i.risks.map((r) => r.code).join(' '),
    ]
      .map(cell)
      .join(','),
  );
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}
