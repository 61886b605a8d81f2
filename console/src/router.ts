// Hash routing (#/messages?sender=…): works from S3/CloudFront and the local
// gateway alike with no server rewrites. Filters may sit in the hash; the
// token never does.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** e.g. /messages/abc, always starting with '/'. */
  path: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', qs = ''] = raw.split('?', 2);
  return { path: path.startsWith('/') ? path : `/${path}`, params: new URLSearchParams(qs) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(path: string, params?: Record<string, string | undefined>): void {
  const qs = params
    ? new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString()
    : '';
  location.hash = `#${path}${qs ? `?${qs}` : ''}`;
}

export const href = (path: string) => `#${path}`;
