import { useState } from 'preact/hooks';
import { ApiError, type ApiClient } from '../api/client.js';
import type { Me } from '../api/types.js';
import { ErrorNotice, useAction } from '../components/ui.js';
import type { Session } from '../session.js';

/** Tries the token as a tenant token (GET /v1/me), then as the operator token (GET /v1/tenants). */
async function identify(api: ApiClient, token: string): Promise<Session> {
  try {
    const me = await api.request<Me>('GET', '/v1/me', { token });
    return { token, role: 'tenant', label: me.name };
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) throw err;
  }
  try {
    await api.request('GET', '/v1/tenants', { token });
    return { token, role: 'operator', label: 'Operator' };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      throw new ApiError(401, { title: 'Sign-in failed', detail: 'The token was accepted neither as a tenant token nor as the operator token. Check that you pasted all of it.', code: 'UNAUTHORIZED' }, 'Sign-in failed');
    }
    throw err;
  }
}

export function SignIn({ api, notice, onSignedIn }: { api: ApiClient; notice?: string; onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const { busy, error, run } = useAction();
  return (
    <main class="signin" id="main">
      <h1>Relayguard console</h1>
      <p>Sign in with your tenant token, or with the operator token to manage tenants.</p>
      {notice && <div class="notice info" role="status">{notice}</div>}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const s = await run(() => identify(api, token.trim()));
          if (s) onSignedIn(s);
        }}
      >
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)} aria-describedby="token-help" />
        <p id="token-help" class="muted">Kept in this browser tab's session storage only; closing the tab signs you out.</p>
        <ErrorNotice error={error} />
        <button type="submit" class="primary" disabled={busy || !token.trim()}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
