import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api';
import { ErrorBox, useApi } from '../components';
import { Button, DataTable, Field } from '../ui';

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
  const field = (name: keyof Filters, label: string, type: 'text' | 'datetime-local' = 'text') => (
    <Field
      label={label}
      name={name}
      type={type}
      value={draft[name]}
      onChange={(value) => setDraft({ ...draft, [name]: value })}
    />
  );
  return (
    <>
      <section aria-label="Chain verification">
        <Button onPress={verify} isDisabled={verifying}>
          Verify chain
        </Button>
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
        <Button type="submit">Filter</Button>
      </form>
      <ErrorBox error={error} />
      <p aria-live="polite">{loading ? 'Loading…' : `${data?.items.length ?? 0} events on this page`}</p>
      <DataTable
        label="Audit events"
        testId="audit"
        columns={['Seq', 'When', 'Type', 'Actor', 'Target', 'Request']}
        rows={(data?.items ?? []).map((e) => ({
          id: e.id,
          cells: [
            String(e.seq),
            new Date(e.at).toLocaleString(),
            <code key="t">{e.type}</code>,
            e.actor,
            e.target ?? '',
            e.requestId ? (
              <a key="r" href={`#/requests/${e.requestId}`}>
                {e.requestId.slice(0, 8)}
              </a>
            ) : (
              ''
            ),
          ],
        }))}
        empty={loading ? 'Loading…' : 'No event matches these filters.'}
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
      </div>
    </>
  );
}
