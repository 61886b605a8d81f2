// Where the API lives. Same origin by default (the local gateway serves the
// console and the API on one port). A deployment behind CloudFront writes
// config.json next to index.html with {"apiBase": "https://…/prod"}; a build
// can also bake it in with VITE_API_BASE.

export interface ConsoleConfig {
  apiBase: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const baked = (import.meta.env.VITE_API_BASE as string | undefined) ?? '';
  try {
    const res = await fetch('./config.json', { cache: 'no-store' });
    if (res.ok && /json/.test(res.headers.get('content-type') ?? '')) {
      const cfg = (await res.json()) as Partial<ConsoleConfig>;
      if (typeof cfg.apiBase === 'string' && cfg.apiBase) return { apiBase: cfg.apiBase };
    }
  } catch {
    // No config.json: fall through to the build-time value or the same origin.
  }
  return { apiBase: baked };
}
