import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api';
import { ErrorBox, Section, useApi, Warnings } from '../components';
import { go } from '../router';
import { Button, DataTable, Field, SearchField } from '../ui';

/** Who may delegate to a target, who could change that, warnings, the raw SDDL, and a diagnose checklist. */
export function TargetPage({ name }: { name?: string }) {
  const [input, setInput] = useState(name ?? '');
  const show = (value: string) => {
    if (value.trim()) go(`target/${encodeURIComponent(value.trim())}`);
  };
  return (
    <>
      <form
        role="search"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          show(input);
        }}
      >
        <SearchField
          label="Target computer"
          name="target"
          value={input}
          placeholder="SERVERC, SERVERC$, a DN or a SID"
          onChange={setInput}
          onSubmit={show}
          submitLabel="Show"
        />
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
          <DataTable
            label={`Principals that may delegate to ${data.target.samAccountName}`}
            testId="principals"
            columns={['Principal', 'Domain', 'Effective', 'ACE']}
            rows={data.principals.map((p) => ({
              id: p.sid,
              cells: [
                <span key="p">
                  {p.samAccountName ?? p.sid}
                  <br />
                  <small className="muted">{p.dn ?? p.sid}</small>
                </span>,
                p.domain ?? '?',
                p.effective ? 'yes' : 'no',
                p.aceType,
              ],
            }))}
          />
        )}
      </Section>
      <Section title="Who could change that (writers)">
        <DataTable
          label={`Who could change who may delegate to ${data.target.samAccountName}`}
          testId="writers"
          columns={['Writer', 'Class', 'Via', 'Rights']}
          rows={data.writers.map((w) => ({
            id: `${w.sid}-${w.via}`,
            cells: [
              w.samAccountName ?? w.sid,
              <span key="c" className={w.class === 'other' ? 'warn' : undefined}>
                {w.class}
              </span>,
              w.via,
              w.rights.join(', '),
            ],
          }))}
          empty="No writer found."
        />
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
          <Field
            label="User"
            name="user"
            value={form.user}
            onChange={(user) => setForm({ ...form, user })}
            isRequired
          />
          <Field
            label="Front-end service"
            name="frontEnd"
            value={form.frontEnd}
            onChange={(frontEnd) => setForm({ ...form, frontEnd })}
            isRequired
          />
          <Field label="SPN (optional)" name="spn" value={form.spn} onChange={(spn) => setForm({ ...form, spn })} />
        </div>
        <Button type="submit" isDisabled={busy}>
          Diagnose
        </Button>
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
