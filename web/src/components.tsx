import { Component, useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, type Schemas } from './api';
import { DataTable } from './ui';

/** The API's code and message (and the request id, for the logs); never a stack trace. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, 'CONSOLE_ERROR', error instanceof Error ? error.message : String(error));
  return (
    <div className="error-box" role="alert">
      <p>
        <code>{e.code}</code> {e.message}
      </p>
      {e.requestId ? <small className="muted">Request id {e.requestId}</small> : null}
    </div>
  );
}

/** Runs an API call when its inputs change; `reload` runs it again. */
export function useApi<T>(
  load: () => Promise<T>,
  deps: unknown[],
): {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
} {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function Status({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

type Principal = Schemas['DelegationPrincipalModel'];

function principalLabel(p: Principal): string {
  return p.samAccountName ?? p.sid;
}

/** The plan of one target: principals before and after, the SDDL before and after, policy reasons. */
export function PlanDiff({ item }: { item: Schemas['PlanItemModel'] }) {
  const before = new Set(item.before.principals.map((p) => p.sid));
  const after = new Set(item.after.principals.map((p) => p.sid));
  const all = [...item.before.principals, ...item.after.principals.filter((p) => !before.has(p.sid))];
  return (
    <div>
      <h4>
        {item.target.samAccountName} <small className="muted">{item.target.dn}</small>
      </h4>
      {item.error ? <ErrorBox error={new ApiError(0, item.error.code, item.error.message)} /> : null}
      <p>{item.changed ? 'This changes the target.' : 'No change: the target already is this way.'}</p>
      <DataTable
        label={`Principals that may delegate to ${item.target.samAccountName}, before and after`}
        columns={['Principal', 'Before', 'After']}
        rows={all.map((p) => ({
          id: p.sid,
          cells: [
            <span
              key="p"
              className={!before.has(p.sid) ? 'diff-added' : !after.has(p.sid) ? 'diff-removed' : undefined}
            >
              {principalLabel(p)}
              {!before.has(p.sid) ? ' (added)' : !after.has(p.sid) ? ' (removed)' : ''}
            </span>,
            before.has(p.sid) ? 'yes' : 'no',
            after.has(p.sid) ? 'yes' : 'no',
          ],
        }))}
        empty="Nobody, before or after."
      />
      <div className="grid-2">
        <div>
          <strong>SDDL before</strong>
          <pre className="sddl">{item.sddlBefore ?? '(none)'}</pre>
        </div>
        <div>
          <strong>SDDL after</strong>
          <pre className="sddl">{item.sddlAfter ?? '(none)'}</pre>
        </div>
      </div>
      <p>
        Policy: {item.policy.allowed ? 'allowed' : 'denied'}, {item.policy.requiredApprovals} approval(s) needed
        {item.policy.owners ? ` (${item.policy.owners.summary})` : ''}.
      </p>
      {item.policy.reasons.length ? (
        <ul aria-label="Policy reasons">
          {item.policy.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      <Warnings warnings={item.warnings} />
    </div>
  );
}

export function Warnings({ warnings }: { warnings: Schemas['WarningModel'][] }) {
  if (!warnings.length) return null;
  return (
    <ul aria-label="Warnings">
      {warnings.map((w, i) => (
        <li key={`${w.code}-${i}`}>
          <code className="warn">{w.code}</code> {w.message}
        </li>
      ))}
    </ul>
  );
}

/** A page that throws while rendering shows what happened (and the way back), never a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: unknown }> {
  state: { error?: unknown } = {};

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <>
        <ErrorBox
          error={new ApiError(0, 'CONSOLE_ERROR', `This page could not be shown: ${String(this.state.error)}`)}
        />
        <p>
          <a href="#/inbox" onClick={() => this.setState({ error: undefined })}>
            Back to the inbox
          </a>
        </p>
      </>
    );
  }
}
