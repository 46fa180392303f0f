import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api';
import { ErrorBox, useApi } from '../components';

type Filters = { requestId: string; target: string; actor: string; type: string; since: string };
const EMPTY: Filters = { requestId: '', target: '', actor: '', type: '', since: '' };

/** The hash-chained audit log: filters, paging, and "verify chain". */
export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v.trim() !== ''));
  const { data, error, loading } = useApi(
    () =>
      unwrap(
        api.GET('/api/v1/audit', {
          params: {
            query: {
              ...query,
              ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
              limit: 50,
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [JSON.stringify(filters), cursor],
  );
  const [verification, setVerification] = useState<Schemas['AuditVerificationModel']>();
  const [verifyError, setVerifyError] = useState<unknown>();
  const [verifying, setVerifying] = useState(false);
  const verify = () => {
    setVerifying(true);
    setVerifyError(undefined);
    unwrap(api.GET('/api/v1/audit/verify'))
      .then(setVerification, setVerifyError)
      .finally(() => setVerifying(false));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCursors([undefined]);
    setFilters(draft);
  };
  const field = (name: keyof Filters, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        name={name}
        value={draft[name]}
        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
      />
    </label>
  );
  return (
    <>
      <section aria-label="Chain verification">
        <button type="button" onClick={verify} aria-busy={verifying} disabled={verifying}>
          Verify chain
        </button>
        <ErrorBox error={verifyError} />
        {verification ? (
          <p role="status" data-testid="verification">
            {verification.ok ? (
              <strong className="pass">Chain intact: {verification.events} events, every hash links.</strong>
            ) : (
              <strong className="fail">
                Chain broken at event {verification.firstBadSeq}: {verification.reason}
              </strong>
            )}
          </p>
        ) : null}
      </section>
      <form onSubmit={submit} aria-label="Audit filters">
        <div className="grid-2">
          {field('requestId', 'Request id')}
          {field('target', 'Target')}
          {field('actor', 'Actor')}
          {field('type', 'Event type')}
          {field('since', 'Since', 'datetime-local')}
        </div>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={error} />
      <p aria-live="polite">{loading ? 'Loading…' : `${data?.items.length ?? 0} events on this page`}</p>
      <div className="overflow-auto">
        <table data-testid="audit">
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">When</th>
              <th scope="col">Type</th>
              <th scope="col">Actor</th>
              <th scope="col">Target</th>
              <th scope="col">Request</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((e) => (
              <tr key={e.id}>
                <td>{e.seq}</td>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td>{e.actor}</td>
                <td>{e.target ?? ''}</td>
                <td>{e.requestId ? <a href={`#/requests/${e.requestId}`}>{e.requestId.slice(0, 8)}</a> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div role="group">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length < 2}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!data?.nextCursor}
          onClick={() => setCursors((c) => [...c, data?.nextCursor ?? undefined])}
        >
          Next page
        </button>
      </div>
    </>
  );
}
