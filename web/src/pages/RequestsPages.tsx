import { useEffect, useState } from 'react';
import { api, unwrap, type RequestView } from '../api';
import { ErrorBox, Section, Status, useApi } from '../components';
import { quorumText } from '../requests';
import type { Session } from '../session';
import { Button, DataTable, Field } from '../ui';

/** The requests this caller filed, newest first. */
export function MyRequestsPage({ session }: { session: Session }) {
  const { data, error, loading } = useApi(
    () => unwrap(api.GET('/api/v1/requests', { params: { query: { requester: session.me.id, limit: 100 } } })),
    [session.me.id],
  );
  if (loading) return <p aria-busy="true">Loading your requests…</p>;
  if (error || !data) return <ErrorBox error={error} />;
  if (!data.items.length)
    return (
      <p>
        You have filed no request yet. <a href="#/new">File one</a>.
      </p>
    );
  return (
    <DataTable
      label="Requests you filed, newest first"
      testId="my-requests"
      columns={['Filed', 'Change', 'Status', 'Expires']}
      rows={data.items.map((r) => ({
        id: r.id,
        cells: [
          <a key="f" href={`#/requests/${r.id}`}>
            {new Date(r.createdAt).toLocaleString()}
          </a>,
          summary(r),
          <Status key="s" status={r.status} />,
          r.expiresAt ? new Date(r.expiresAt).toLocaleString() : 'never',
        ],
      }))}
    />
  );
}

export function summary(r: RequestView): string {
  const principals = r.principals.map((p) => p.samAccountName).join(', ');
  const targets = r.targets.map((t) => t.samAccountName).join(', ');
  return `${r.action} ${principals} → ${targets}`;
}

/** One request: a status timeline, the next steps, and cancel or revoke where allowed. */
export function RequestPage({ id, session }: { id: string; session: Session }) {
  const { data, error, loading, reload } = useApi(
    () => unwrap(api.GET('/api/v1/requests/{id}', { params: { path: { id } } })),
    [id],
  );
  const [actionError, setActionError] = useState<unknown>();
  const [comment, setComment] = useState('');
  const [watching, setWatching] = useState<string>();
  // While the request is on its way (approved, being written, a revoke queued), follow it closely;
  // while it waits for approvers, look now and then.
  const moving = data && (['approved', 'applying', 'scheduled'].includes(data.status) || watching === data.status);
  const waiting = data?.status === 'pending';
  useEffect(() => {
    if (!moving && !waiting) return;
    const timer = setTimeout(reload, moving ? 1500 : 5000);
    return () => clearTimeout(timer);
  }, [moving, waiting, data, reload]);
  if (loading && !data) return <p aria-busy="true">Loading the request…</p>;
  if (error || !data) return <ErrorBox error={error} />;
  const mine = data.requester === session.me.id || data.requestedBy.person?.key === session.me.identityKey;
  const act = (action: 'cancel' | 'revoke') => {
    setActionError(undefined);
    const call =
      action === 'cancel'
        ? api.POST('/api/v1/requests/{id}/cancel', { params: { path: { id } } })
        : api.POST('/api/v1/requests/{id}/revoke', {
            params: { path: { id } },
            body: comment ? { comment } : {},
          });
    unwrap(call).then((updated) => {
      setWatching(updated.status === 'applied' ? 'applied' : undefined);
      reload();
    }, setActionError);
  };
  return (
    <>
      <h2>
        {summary(data)} <Status status={data.status} />
      </h2>
      <p className="muted">Request {data.id}</p>
      <dl>
        <dt>Requester</dt>
        <dd>{data.requesterName}</dd>
        <dt>Justification</dt>
        <dd>{data.justification}</dd>
        <dt>Ticket</dt>
        <dd>
          {data.ticket ? (
            data.ticket.url ? (
              <a href={data.ticket.url}>{`${data.ticket.system} ${data.ticket.id}`}</a>
            ) : (
              `${data.ticket.system} ${data.ticket.id}`
            )
          ) : (
            'none'
          )}
        </dd>
        <dt>Quorum</dt>
        <dd>{quorumText(data)}</dd>
      </dl>
      <Section title="Timeline">
        <ol data-testid="timeline">
          <li>
            {new Date(data.createdAt).toLocaleString()}: filed by {data.requesterName}
          </li>
          {data.approvals.map((a) => (
            <li key={`${a.approver}-${a.createdAt}`}>
              {new Date(a.createdAt).toLocaleString()}: {a.decision === 'approve' ? 'approved' : 'rejected'} by{' '}
              {a.approverName}
              {a.comment ? ` (“${a.comment}”)` : ''}
            </li>
          ))}
          {data.appliedAt ? <li>{new Date(data.appliedAt).toLocaleString()}: written to the directory</li> : null}
          {data.result?.targets.map((t) => (
            <li key={t.target.sid}>
              {t.target.samAccountName}: {t.status}
              {t.error ? ` (${t.error.code}: ${t.error.message})` : ''}
            </li>
          ))}
          <li>
            Now: <Status status={data.status} />
            {data.expiresAt ? `, expires ${new Date(data.expiresAt).toLocaleString()}` : ''}
          </li>
        </ol>
      </Section>
      {data.nextSteps.length ? (
        <Section title="Next steps">
          <ul data-testid="next-steps">
            {data.nextSteps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </Section>
      ) : null}
      <ErrorBox error={actionError} />
      {data.status === 'pending' && mine ? (
        <Button secondary onPress={() => act('cancel')}>
          Cancel this request
        </Button>
      ) : null}
      {data.status === 'applied' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act('revoke');
          }}
        >
          <Field label="Why end it now (optional)" name="comment" value={comment} onChange={setComment} />
          <Button type="submit" secondary>
            Revoke now
          </Button>
        </form>
      ) : null}
    </>
  );
}
