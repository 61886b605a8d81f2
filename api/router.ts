// Matches a request path against the table's patterns. Segments are matched
// raw and decoded one by one, so an encoded "/" inside a parameter stays part
// of that parameter.
import type { Route } from './route.js';

interface Compiled {
  route: Route;
  segments: ({ literal: string } | { param: string })[];
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

export function compileRoutes(routes: Route[]): (method: string, path: string) => { match?: Match; allowed: string[] } {
  const compiled: Compiled[] = routes.map((route) => ({
    route,
    segments: route.path.split('/').slice(1).map((s) => (s.startsWith('{') ? { param: s.slice(1, -1) } : { literal: s })),
  }));
  return (method, path) => {
    const parts = path.replace(/\/+$/, '').split('/').slice(1);
    const allowed: string[] = [];
    let match: Match | undefined;
    for (const c of compiled) {
      if (c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = c.segments.every((seg, i) => {
        if ('literal' in seg) return seg.literal === parts[i];
        const value = decode(parts[i]!);
        if (value === undefined || value === '') return false;
        params[seg.param] = value;
        return true;
      });
      if (!ok) continue;
      allowed.push(c.route.method);
      if (c.route.method === method.toUpperCase() && !match) match = { route: c.route, params };
    }
    return match ? { match, allowed } : { allowed };
  };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
