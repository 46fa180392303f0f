import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap, type Plan, type Schemas } from '../api';
import { ErrorBox, PlanDiff, Section } from '../components';
import { go } from '../router';
import { Button, Field, RadiosField } from '../ui';

type Account = Schemas['AccountRefModel'];

/** Resolves a name as the user types (after a pause): what was found and where, or the API's error. */
function useResolved(
  value: string,
  kind: 'target' | 'principal',
): { account?: Account; error?: unknown; busy: boolean } {
  const [state, setState] = useState<{ account?: Account; error?: unknown; busy: boolean }>({ busy: false });
  useEffect(() => {
    const name = value.trim();
    if (!name) {
      setState({ busy: false });
      return;
    }
    let live = true;
    setState({ busy: true });
    const timer = setTimeout(() => {
      const call =
        kind === 'target'
          ? unwrap(api.GET('/api/v1/delegations/{target}', { params: { path: { target: name } } })).then(
              (d) => d.target,
            )
          : unwrap(api.GET('/api/v1/delegations', { params: { query: { principal: name } } })).then((d) => d.principal);
      call.then(
        (account) => live && setState({ account, busy: false }),
        (error: unknown) => live && setState({ error, busy: false }),
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [value, kind]);
  return state;
}

/** What the name resolved to, announced as it changes (the field's description). */
function Found({ state, id }: { state: ReturnType<typeof useResolved>; id: string }) {
  return (
    <span aria-live="polite" data-testid={id}>
      {state.busy ? 'Looking it up…' : null}
      {state.account ? (
        <span className="pass">
          Found {state.account.samAccountName} in {state.account.domain}: {state.account.dn}
        </span>
      ) : null}
      {state.error ? <ErrorBox error={state.error} /> : null}
    </span>
  );
}

/** File a grant: resolved fields, a target search by OU with its count, the plan preview, then submit. */
export function NewRequestPage() {
  const [mode, setMode] = useState<'targets' | 'search'>('targets');
  const [form, setForm] = useState({
    target: '',
    base: '',
    filter: '',
    principal: '',
    duration: 'PT8H',
    justification: '',
    ticketSystem: '',
    ticketId: '',
    ticketUrl: '',
  });
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [plan, setPlan] = useState<Plan>();
  const [planError, setPlanError] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const target = useResolved(mode === 'targets' ? form.target : '', 'target');
  const principal = useResolved(form.principal, 'principal');
  const set = (name: keyof typeof form) => (value: string) => {
    setForm({ ...form, [name]: value });
    setPlan(undefined);
  };
  const scope = () =>
    mode === 'targets'
      ? { targets: [form.target.trim()] }
      : { targetSearch: { base: form.base.trim(), ...(form.filter.trim() ? { filter: form.filter.trim() } : {}) } };

  const preview = () => {
    setPlanError(undefined);
    setBusy(true);
    unwrap(
      api.POST('/api/v1/delegations/plan', {
        body: { action: 'grant', ...scope(), principals: [form.principal.trim()] },
      }),
    )
      .then(setPlan, setPlanError)
      .finally(() => setBusy(false));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!plan) {
      preview();
      return;
    }
    setError(undefined);
    setBusy(true);
    const ticket =
      form.ticketSystem.trim() && form.ticketId.trim()
        ? {
            ticket: {
              system: form.ticketSystem.trim(),
              id: form.ticketId.trim(),
              ...(form.ticketUrl.trim() ? { url: form.ticketUrl.trim() } : {}),
            },
          }
        : {};
    unwrap(
      api.POST('/api/v1/requests', {
        params: { header: { 'Idempotency-Key': idempotencyKey } },
        body: {
          action: 'grant',
          ...scope(),
          principals: [form.principal.trim()],
          justification: form.justification.trim(),
          ...(form.duration.trim() ? { duration: form.duration.trim() } : {}),
          ...ticket,
        },
      }),
    ).then(
      (created) => {
        setIdempotencyKey(crypto.randomUUID());
        go(`requests/${created.id}`);
      },
      (e: unknown) => {
        setError(e);
        setBusy(false);
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="New request">
      <RadiosField<'targets' | 'search'>
        label="Targets"
        name="mode"
        value={mode}
        onChange={setMode}
        options={[
          { id: 'targets', label: 'One target computer' },
          { id: 'search', label: 'Every computer under an OU (targetSearch)' },
        ]}
      />
      {mode === 'targets' ? (
        <Field
          label="Target (the back-end service's computer)"
          name="target"
          value={form.target}
          onChange={set('target')}
          placeholder="SERVERC"
          isRequired
          description={<Found state={target} id="target-found" />}
        />
      ) : (
        <div className="grid-2">
          <Field
            label="OU (search base)"
            name="base"
            value={form.base}
            onChange={set('base')}
            placeholder="OU=Servers,DC=contoso,DC=test"
            isRequired
          />
          <Field
            label="LDAP filter (optional)"
            name="filter"
            value={form.filter}
            onChange={set('filter')}
            placeholder="(name=WEB*)"
          />
        </div>
      )}
      <Field
        label="Principal (the front-end account that may delegate)"
        name="principal"
        value={form.principal}
        onChange={set('principal')}
        placeholder="SERVERB$"
        isRequired
        description={<Found state={principal} id="principal-found" />}
      />
      <div className="grid-2">
        <Field
          label="Duration (ISO 8601)"
          name="duration"
          value={form.duration}
          onChange={set('duration')}
          placeholder="PT8H"
        />
        <Field
          label="Ticket system"
          name="ticketSystem"
          value={form.ticketSystem}
          onChange={set('ticketSystem')}
          placeholder="ServiceNow"
        />
        <Field
          label="Ticket id"
          name="ticketId"
          value={form.ticketId}
          onChange={set('ticketId')}
          placeholder="CHG0012345"
        />
        <Field label="Ticket link" name="ticketUrl" type="url" value={form.ticketUrl} onChange={set('ticketUrl')} />
      </div>
      <Field
        label="Justification"
        name="justification"
        value={form.justification}
        onChange={set('justification')}
        multiline
        isRequired
      />
      <p className="muted">
        Idempotency-Key <code data-testid="idempotency-key">{idempotencyKey}</code>: sending twice files one request.
      </p>
      <div className="row">
        <Button secondary onPress={preview} isDisabled={busy}>
          Preview plan
        </Button>
        <Button type="submit" isDisabled={busy || !plan}>
          Submit request
        </Button>
      </div>
      <ErrorBox error={planError} />
      <ErrorBox error={error} />
      {plan ? (
        <Section title="Plan preview">
          <p data-testid="plan-count">
            {plan.items.length} target(s), {plan.items.filter((i) => i.changed).length} would change.
          </p>
          {plan.items.map((item) => (
            <PlanDiff key={item.target.sid} item={item} />
          ))}
        </Section>
      ) : null}
    </form>
  );
}
