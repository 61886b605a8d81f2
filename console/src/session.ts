// The signed-in token lives in sessionStorage only: gone when the tab closes,
// never in a URL, a cookie or localStorage.

export type Role = 'tenant' | 'operator';

export interface Session {
  token: string;
  role: Role;
  /** Tenant name or 'Operator', for the header. */
  label: string;
}

const KEY = 'relayguard.session';

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Session;
    return s && typeof s.token === 'string' && (s.role === 'tenant' || s.role === 'operator') ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
