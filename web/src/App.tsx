import { useEffect, useState, type FormEvent } from 'react';
import { ErrorBoundary, ErrorBox } from './components';
import { Button, Field } from './ui';
import { AuditPage } from './pages/AuditPage';
import { InboxPage } from './pages/InboxPage';
import { InventoryPage } from './pages/InventoryPage';
import { MyRequestsPage, RequestPage } from './pages/RequestsPages';
import { NewRequestPage } from './pages/NewRequestPage';
import { TargetPage } from './pages/TargetPage';
import { useHashRoute, useNavigationCount } from './router';
import {
  loadConsoleConfig,
  restoreSession,
  signInWithApiKey,
  signInWithOidc,
  signOut,
  type ConsoleConfig,
  type Session,
} from './session';

const PAGES = [
  { path: 'inbox', label: 'Inbox' },
  { path: 'new', label: 'New request' },
  { path: 'mine', label: 'My requests' },
  { path: 'target', label: 'Target' },
  { path: 'inventory', label: 'Inventory' },
  { path: 'audit', label: 'Audit' },
];

export function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [session, setSession] = useState<Session | null>();
  const [error, setError] = useState<unknown>();
  const route = useHashRoute();
  const visit = useNavigationCount();

  useEffect(() => {
    (async () => {
      const loaded = await loadConsoleConfig();
      setConfig(loaded);
      const restored = await restoreSession(loaded);
      setSession(restored.session ?? null);
    })().catch((e: unknown) => {
      setError(e);
      setSession(null);
    });
  }, []);

  if (session === undefined) {
    return (
      <main className="container" aria-busy="true">
        <p className="busy">Loading the console…</p>
        <ErrorBox error={error} />
      </main>
    );
  }
  if (!session || !config) {
    return <SignIn config={config} error={error} onSignedIn={setSession} />;
  }

  const [page = 'inbox', ...rest] = route;
  const current = PAGES.find((p) => p.path === page)?.label ?? 'Request';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site">
        <nav aria-label="Main" className="container">
          <ul>
            <li>
              <strong>rbcd-broker</strong>
            </li>
          </ul>
          <ul className="pages">
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p.path === page ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
          <ul>
            <li>
              <span data-testid="whoami">
                {session.me.name} <small className="muted">({session.me.roles.join(', ') || 'no role'})</small>
              </span>
            </li>
            <li>
              <Button
                secondary
                onPress={() => {
                  void signOut(config, session).then(() => {
                    window.location.hash = '#/';
                    setSession(null);
                  });
                }}
              >
                Sign out
              </Button>
            </li>
          </ul>
        </nav>
      </header>
      {/* Keyed by the route: opening a page (even the one shown) loads it afresh. */}
      <main id="main" className="container" tabIndex={-1} key={`${route.join('/')}#${visit}`}>
        <h1>{current}</h1>
        <ErrorBoundary>
          {page === 'inbox' ? <InboxPage session={session} config={config} focus={rest[0]} /> : null}
          {page === 'new' ? <NewRequestPage /> : null}
          {page === 'mine' ? <MyRequestsPage session={session} /> : null}
          {page === 'requests' && rest[0] ? <RequestPage id={rest[0]} session={session} /> : null}
          {page === 'target' ? <TargetPage name={rest[0]} /> : null}
          {page === 'inventory' ? <InventoryPage /> : null}
          {page === 'audit' ? <AuditPage /> : null}
        </ErrorBoundary>
      </main>
    </>
  );
}

function SignIn(props: { config?: ConsoleConfig; error?: unknown; onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(props.error);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    signInWithApiKey(key.trim()).then(props.onSignedIn, (e: unknown) => {
      setError(e);
      setBusy(false);
    });
  };
  const returnTo = window.location.hash || '#/inbox';
  return (
    <main id="main" className="container">
      <h1>Sign in to rbcd-broker</h1>
      <ErrorBox error={error} />
      {props.config?.oidc ? (
        <section aria-label="Sign in with single sign-on">
          <Button
            onPress={() => {
              if (props.config) void signInWithOidc(props.config, returnTo).catch(setError);
            }}
          >
            Sign in with your organisation
          </Button>
          <p className="muted">Authorization code with PKCE at {props.config.oidc.issuer}</p>
        </section>
      ) : null}
      <section aria-label="Sign in with an API key">
        <form onSubmit={submit}>
          <Field
            label="API key"
            name="apiKey"
            type="password"
            autoComplete="off"
            value={key}
            onChange={setKey}
            isRequired
          />
          <Button type="submit" isDisabled={busy}>
            Sign in with API key
          </Button>
        </form>
        <p className="muted">The key stays in this tab only (sessionStorage) and is gone when you close it.</p>
      </section>
    </main>
  );
}
