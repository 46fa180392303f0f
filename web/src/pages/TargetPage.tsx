import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api';
import { ErrorBox, Section, useApi, Warnings } from '../components';
import { go } from '../router';

/** Who may delegate to a target, who could change that, warnings, the raw SDDL, and a diagnose checklist. */
export function TargetPage({ name }: { name?: string }) {
  const [input, setInput] = useState(name ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (input.trim()) go(`target/${encodeURIComponent(input.trim())}`);
  };
  return (
    <>
      <form onSubmit={submit} role="search">
        <label>
          Target computer
          <input
            name="target"
            value={input}
            placeholder="SERVERC, SERVERC$, a DN or a SID"
            onChange={(e) => setInput(e.target.value)}
            required
          />
        </label>
        <button type="submit">Show</button>
      </form>
      {name ? <TargetView key={name} name={name} /> : null}
    </>
  );
}

function TargetView({ name }: { name: string }) {
  const { data, error, loading } = useApi(
    () => unwrap(api.GET('/api/v1/delegations/{target}', { params: { path: { target: name } } })),
    [name],
  );
  if (loading) return <p aria-busy="true">Reading {name} from the directory…</p>;
  if (error || !data) return <ErrorBox error={error} />;
  return (
    <>
      <h2>
        {data.target.samAccountName} <small className="muted">{data.target.domain}</small>
      </h2>
      <p className="muted">{data.target.dn}</p>
      <Section title="Who may delegate to it">
        {data.principals.length === 0 ? (
          <p>Nobody: msDS-AllowedToActOnBehalfOfOtherIdentity is empty.</p>
        ) : (
          <div className="overflow-auto">
            <table data-testid="principals">
              <thead>
                <tr>
                  <th scope="col">Principal</th>
                  <th scope="col">Domain</th>
                  <th scope="col">Effective</th>
                  <th scope="col">ACE</th>
                </tr>
              </thead>
              <tbody>
                {data.principals.map((p) => (
                  <tr key={p.sid}>
                    <td>
                      {p.samAccountName ?? p.sid}
                      <br />
                      <small className="muted">{p.dn ?? p.sid}</small>
                    </td>
                    <td>{p.domain ?? '?'}</td>
                    <td>{p.effective ? 'yes' : 'no'}</td>
                    <td>{p.aceType}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Who could change that (writers)">
        <div className="overflow-auto">
          <table data-testid="writers">
            <thead>
              <tr>
                <th scope="col">Writer</th>
                <th scope="col">Class</th>
                <th scope="col">Via</th>
                <th scope="col">Rights</th>
              </tr>
            </thead>
            <tbody>
              {data.writers.map((w) => (
                <tr key={`${w.sid}-${w.via}`}>
                  <td>{w.samAccountName ?? w.sid}</td>
                  <td>
                    <span className={w.class === 'other' ? 'warn' : undefined}>{w.class}</span>
                  </td>
                  <td>{w.via}</td>
                  <td>{w.rights.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Warnings">{data.warnings.length ? <Warnings warnings={data.warnings} /> : <p>None.</p>}</Section>
      <Section title="Raw security descriptor (SDDL)">
        <pre className="sddl" data-testid="sddl">
          {data.sddl ?? '(the attribute is empty)'}
        </pre>
      </Section>
      <Diagnose backEnd={data.target.samAccountName} />
    </>
  );
}

const MARK: Record<string, string> = { pass: '✓', warn: '!', fail: '✗' };

function Diagnose({ backEnd }: { backEnd: string }) {
  const [form, setForm] = useState({ user: '', frontEnd: '', spn: '' });
  const [result, setResult] = useState<Schemas['DiagnoseModel']>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    unwrap(
      api.POST('/api/v1/diagnose', {
        body: { user: form.user, frontEnd: form.frontEnd, backEnd, ...(form.spn ? { spn: form.spn } : {}) },
      }),
    )
      .then(setResult, setError)
      .finally(() => setBusy(false));
  };
  return (
    <Section title="Diagnose: will delegation to this target work?">
      <form onSubmit={submit}>
        <div className="grid-2">
          <label>
            User
            <input
              name="user"
              value={form.user}
              onChange={(e) => setForm({ ...form, user: e.target.value })}
              required
            />
          </label>
          <label>
            Front-end service
            <input
              name="frontEnd"
              value={form.frontEnd}
              onChange={(e) => setForm({ ...form, frontEnd: e.target.value })}
              required
            />
          </label>
          <label>
            SPN (optional)
            <input name="spn" value={form.spn} onChange={(e) => setForm({ ...form, spn: e.target.value })} />
          </label>
        </div>
        <button type="submit" aria-busy={busy} disabled={busy}>
          Diagnose
        </button>
      </form>
      <ErrorBox error={error} />
      {result ? (
        <>
          <p>
            <strong className={result.ok ? 'pass' : 'fail'}>
              {result.ok ? 'Every check passed.' : 'Some checks failed.'}
            </strong>
          </p>
          <ul className="checklist" aria-label="Diagnose checklist">
            {result.checks.map((c) => (
              <li key={c.id}>
                <span className={c.status} aria-label={c.status}>
                  {MARK[c.status]}
                </span>{' '}
                <code>{c.id}</code> {c.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}
