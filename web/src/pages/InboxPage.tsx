import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, unwrap, type RequestView } from '../api';
import { ErrorBox, PlanDiff, Section, Status, useApi } from '../components';
import { quorumText, whyNotApprovable } from '../requests';
import { go } from '../router';
import { signInWithOidc, type ConsoleConfig, type Session } from '../session';
import { Button, DialogButton, Field } from '../ui';
import { summary } from './RequestsPages';

const PENDING_DECISION = 'rbcd.pendingDecision';

/** The requests waiting for a decision, each with everything an approver needs to decide. */
export function InboxPage({ session, config, focus }: { session: Session; config: ConsoleConfig; focus?: string }) {
  const { data, error, loading, reload } = useApi(
    () => unwrap(api.GET('/api/v1/requests', { params: { query: { status: 'pending', limit: 100 } } })),
    [],
  );
  if (loading && !data) return <p aria-busy="true">Loading the requests waiting for a decision…</p>;
  if (error || !data) return <ErrorBox error={error} />;
  if (!data.items.length) return <p data-testid="inbox-empty">Nothing waits for a decision.</p>;
  return (
    <>
      <p>{data.items.length} request(s) wait for a decision.</p>
      {data.items.map((r) => (
        <InboxItem key={r.id} request={r} session={session} config={config} open={focus === r.id} onDone={reload} />
      ))}
    </>
  );
}

function InboxItem(props: {
  request: RequestView;
  session: Session;
  config: ConsoleConfig;
  open: boolean;
  onDone: () => void;
}) {
  const { request, session, config } = props;
  const blocked = whyNotApprovable(request, session.me);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<RequestView>();
  const resumed = useRef(false);
  // Adopting writes nothing (the entries stand already): its plan is the grant's, which shows them unchanged.
  const planAction = request.action === 'revoke' ? 'revoke' : 'grant';
  const plan = useApi(
    () =>
      unwrap(
        api.POST('/api/v1/delegations/plan', {
          body: {
            action: planAction,
            targets: request.targets.map((t) => t.dn),
            principals: request.principals.map((p) => p.sid),
          },
        }),
      ),
    [request.id],
  );

  const decide = (decision: 'approve' | 'reject', text: string, close?: () => void) => {
    setBusy(true);
    setError(undefined);
    const call =
      decision === 'approve'
        ? api.POST('/api/v1/requests/{id}/approve', {
            params: { path: { id: request.id } },
            body: text ? { comment: text } : {},
          })
        : api.POST('/api/v1/requests/{id}/reject', { params: { path: { id: request.id } }, body: { comment: text } });
    unwrap(call)
      .then((updated) => {
        setDone(updated);
        setBusy(false);
        close?.();
      })
      .catch(async (e: unknown) => {
        if (e instanceof ApiError && e.code === 'STEP_UP_REQUIRED' && session.kind === 'oidc' && config.oidc) {
          // Sign in again with max_age, then come back here and finish this very decision.
          sessionStorage.setItem(PENDING_DECISION, JSON.stringify({ id: request.id, decision, comment: text }));
          const maxAge = Number(e.details?.maxAgeSeconds ?? config.oidc.approvalMaxAgeSeconds ?? 0);
          await signInWithOidc(config, `#/inbox/${request.id}`, maxAge);
          return;
        }
        setError(e);
        setBusy(false);
      });
  };

  // Back from a step-up sign-in: the decision the person had made is carried out once.
  useEffect(() => {
    const stored = sessionStorage.getItem(PENDING_DECISION);
    if (!stored || resumed.current) return;
    const pending = JSON.parse(stored) as { id: string; decision: 'approve' | 'reject'; comment: string };
    if (pending.id !== request.id) return;
    resumed.current = true;
    sessionStorage.removeItem(PENDING_DECISION);
    setComment(pending.comment);
    decide(pending.decision, pending.comment);
  }, [request.id]);

  /** The dialog of one decision: its comment (required to reject), then the decision or Cancel. */
  const decision = (kind: 'approve' | 'reject') => (close: () => void) => (
    <form
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        decide(kind, comment.trim(), close);
      }}
    >
      <p>{summary(request)}</p>
      <Field
        label={kind === 'approve' ? 'Comment (optional)' : 'Comment (required to reject)'}
        name="comment"
        value={comment}
        onChange={setComment}
        multiline
        isRequired={kind === 'reject'}
      />
      <ErrorBox error={error} />
      <div className="row">
        <Button type="submit" isDisabled={busy} secondary={kind === 'reject'}>
          {kind === 'approve' ? 'Approve' : 'Reject'}
        </Button>
        <Button secondary onPress={close}>
          Cancel
        </Button>
      </div>
    </form>
  );

  return (
    <article className="card" data-testid={`inbox-${request.id}`} aria-labelledby={`title-${request.id}`}>
      <header>
        <h2 id={`title-${request.id}`}>{summary(request)}</h2>
        <Status status={done?.status ?? request.status} />{' '}
        <span className="muted">filed {new Date(request.createdAt).toLocaleString()}</span>
      </header>
      <dl>
        <dt>Requester</dt>
        <dd>
          {request.requesterName}
          {request.requestedForPerson ? ` for ${request.requestedForPerson.name}` : ''}
        </dd>
        <dt>Justification</dt>
        <dd>{request.justification}</dd>
        <dt>Ticket</dt>
        <dd>
          {request.ticket?.url ? (
            <a href={request.ticket.url}>{`${request.ticket.system} ${request.ticket.id}`}</a>
          ) : request.ticket ? (
            `${request.ticket.system} ${request.ticket.id}`
          ) : (
            'none'
          )}
        </dd>
        <dt>Duration</dt>
        <dd>{request.expiresAt ? `until ${new Date(request.expiresAt).toLocaleString()}` : 'no expiry'}</dd>
        <dt>Quorum</dt>
        <dd data-testid="quorum">{quorumText(request)}</dd>
      </dl>
      <details open={props.open || undefined}>
        <summary>Plan: what the directory looks like before and after</summary>
        <ErrorBox error={plan.error} />
        {plan.loading ? <p aria-busy="true">Computing the plan…</p> : null}
        {plan.data?.items.map((item) => (
          <PlanDiff key={item.target.sid} item={item} />
        ))}
      </details>
      {done ? (
        <p role="status" data-testid="decision">
          Done: the request is now <Status status={done.status} />.{' '}
          <a href={`#/requests/${done.id}`} onClick={() => go(`requests/${done.id}`)}>
            Follow it
          </a>
        </p>
      ) : blocked ? (
        <p role="note" data-testid="not-approvable">
          <strong>You cannot approve this request.</strong> {blocked}
        </p>
      ) : (
        <Section title="Decide">
          <div className="row">
            <DialogButton label="Approve" title="Approve this request">
              {decision('approve')}
            </DialogButton>
            <DialogButton label="Reject" title="Reject this request" secondary>
              {decision('reject')}
            </DialogButton>
          </div>
        </Section>
      )}
      <ErrorBox error={error} />
    </article>
  );
}
