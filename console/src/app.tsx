// The shell: sign-in, navigation and the page for the current route.
import { useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api/client.js';
import type { ConsoleConfig } from './config.js';
import { Ctx } from './context.js';
import { href, useRoute } from './router.js';
import { clearSession, loadSession, saveSession, type Session } from './session.js';
import { SignIn } from './pages/sign-in.js';
import { Dashboard } from './pages/dashboard.js';
import { Domains } from './pages/domains.js';
import { Users } from './pages/users.js';
import { IpUsers } from './pages/ip-users.js';
import { Senders } from './pages/senders.js';
import { Messages } from './pages/messages.js';
import { MessageDetail } from './pages/message-detail.js';
import { Suppressions } from './pages/suppressions.js';
import { SettingsPage } from './pages/settings.js';
import { Tenants } from './pages/tenants.js';

const TENANT_NAV = [
  ['/dashboard', 'Dashboard'],
  ['/messages', 'Message log'],
  ['/senders', 'Senders'],
  ['/domains', 'Domains'],
  ['/users', 'Mailbox users'],
  ['/ip-users', 'IP users'],
  ['/suppressions', 'Suppression list'],
  ['/settings', 'Settings'],
] as const;

const OPERATOR_NAV = [['/tenants', 'Tenants']] as const;

export function App({ config }: { config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const [signedOutWhy, setSignedOutWhy] = useState<string | undefined>();
  const [menuOpen, setMenuOpen] = useState(false);
  const route = useRoute();

  const signOut = (message?: string) => {
    clearSession();
    setSession(undefined);
    setSignedOutWhy(message);
  };
  const api = useMemo(
    () => new ApiClient(config.apiBase, () => session?.token, () => signOut('Your token is no longer accepted (revoked or rotated). Sign in again.')),
    [config.apiBase, session?.token],
  );

  if (!session) {
    return (
      <SignIn
        api={new ApiClient(config.apiBase, () => undefined)}
        notice={signedOutWhy}
        onSignedIn={(s) => { saveSession(s); setSignedOutWhy(undefined); setSession(s); if (!location.hash || location.hash === '#/') location.hash = s.role === 'operator' ? '#/tenants' : '#/dashboard'; }}
      />
    );
  }

  const nav = session.role === 'operator' ? OPERATOR_NAV : TENANT_NAV;
  const section = '/' + (route.path.split('/')[1] ?? '');
  return (
    <Ctx.Provider value={{ api, session, signOut }}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="topbar">
        <span class="brand">Relayguard</span>
        <span class="who" title={session.role === 'operator' ? 'Signed in with the operator token' : 'Signed in with a tenant token'}>
          {session.role === 'operator' ? 'Operator' : session.label}
        </span>
        <button type="button" class="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>Menu</button>
        <button type="button" class="signout" onClick={() => signOut()}>Sign out</button>
      </header>
      <div class="layout">
        <nav id="nav" aria-label="Main" class={menuOpen ? 'open' : ''}>
          <ul>
            {nav.map(([path, label]) => (
              <li key={path}>
                <a href={href(path)} aria-current={section === path ? 'page' : undefined} onClick={() => setMenuOpen(false)}>{label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Page role={session.role} path={route.path} params={route.params} />
        </main>
      </div>
    </Ctx.Provider>
  );
}

function Page({ role, path, params }: { role: Session['role']; path: string; params: URLSearchParams }) {
  const parts = path.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  if (role === 'operator') return <Tenants />;
  switch (parts[0]) {
    case undefined:
    case 'dashboard': return <Dashboard />;
    case 'domains': return <Domains />;
    case 'users': return <Users />;
    case 'ip-users': return <IpUsers />;
    case 'senders': return <Senders />;
    case 'messages': return parts[1] ? <MessageDetail id={parts[1]} /> : <Messages params={params} />;
    case 'suppressions': return <Suppressions />;
    case 'settings': return <SettingsPage />;
    case 'tenants': return <p>The tenant list needs the operator token. <a href={href('/dashboard')}>Back to the dashboard</a></p>;
    default: return <p role="alert">There is no page at {path}. <a href={href('/dashboard')}>Go to the dashboard</a></p>;
  }
}
