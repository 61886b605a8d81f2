// The console's only door to the gateway: the REST API, with the bearer token
// in the Authorization header (never in a URL). Every failure becomes an
// ApiError whose message is a sentence a person can act on.

export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  constructor(status: number, problem: Problem, fallback: string) {
    const title = problem.title ?? fallback;
    const detail = problem.detail ?? '';
    super(detail && detail !== title ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? (status === 0 ? 'NETWORK' : `HTTP_${status}`);
    this.title = title;
    this.detail = detail;
  }
  /** The route does not exist on this deployment (an older API, or a feature not built yet). */
  get notAvailable(): boolean {
    // The API answers an unknown route with 404 NOT_FOUND "No route …"; a static host may answer with HTML.
    return (this.status === 404 && (this.code !== 'NOT_FOUND' || /^No route/.test(this.detail)))
      || this.status === 501 || this.code === 'NOT_JSON';
  }
}

const STATUS_WORDS: Record<number, string> = {
  400: 'The request was not valid',
  401: 'The token was not accepted; sign in again',
  403: 'This token is not allowed to do that',
  404: 'Not found',
  409: 'That conflicts with the current state',
  413: 'That is too large',
  429: 'Too many requests; wait a moment and try again',
  500: 'The gateway had an internal error',
  502: 'The gateway could not be reached (bad gateway)',
  503: 'The gateway is temporarily unavailable',
  504: 'The gateway took too long to answer',
};

export type Query = Record<string, string | number | undefined>;

export class ApiClient {
  constructor(
    /** '' for the same origin, or e.g. https://abc.execute-api.eu-west-1.amazonaws.com/prod */
    readonly base: string,
    private readonly token: () => string | undefined,
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  url(path: string, query?: Query): string {
    const qs = query
      ? Object.entries(query).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')
      : '';
    return `${this.base.replace(/\/$/, '')}${path}${qs ? `?${qs}` : ''}`;
  }

  async request<T>(method: string, path: string, opts: { query?: Query; body?: unknown; token?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    const token = opts.token ?? this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: 'omit',
      });
    } catch (err) {
      throw new ApiError(0, {
        title: 'Could not reach the API',
        detail: `${method} ${this.url(path)} failed before an answer came back (${err instanceof Error ? err.message : String(err)}). Check your connection and the API address in config.json.`,
      }, 'Network error');
    }
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const isJson = /json/i.test(type);
    let data: unknown;
    if (isJson && text) {
      try { data = JSON.parse(text); } catch { data = undefined; }
    }
    if (!res.ok) {
      if (res.status === 401 && !opts.token) this.onUnauthorized();
      const body = (data && typeof data === 'object' ? data : {}) as Problem & { message?: unknown; Message?: unknown };
      // API Gateway answers before the API does (authorizer, throttling) with {"message": "…"}, not problem+json.
      const gatewayMessage = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : undefined;
      const problem: Problem = body.title || body.detail ? body : gatewayMessage ? { detail: gatewayMessage } : {};
      throw new ApiError(res.status, problem, STATUS_WORDS[res.status] ?? `The API answered ${res.status} ${res.statusText}`);
    }
    if (res.status === 204 || text === '') return undefined as T;
    if (!isJson || data === undefined) {
      // An HTML page where JSON was expected: the route is not served by this API (static fallback).
      throw new ApiError(404, { title: 'Not available', detail: `${method} ${path} is not offered by this API`, code: 'NOT_JSON' }, 'Not available');
    }
    return data as T;
  }

  get<T>(path: string, query?: Query) { return this.request<T>('GET', path, { query }); }
  post<T>(path: string, body?: unknown) { return this.request<T>('POST', path, { body: body ?? {} }); }
  patch<T>(path: string, body: unknown) { return this.request<T>('PATCH', path, { body }); }
  del<T>(path: string) { return this.request<T>('DELETE', path); }
}

/** Lists come back either as an array or as {items: [...]} (paged); the console accepts both. */
export function itemsOf<T>(data: unknown, key = 'items'): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    for (const k of [key, 'items', 'data']) if (Array.isArray(obj[k])) return obj[k] as T[];
  }
  return [];
}

/** Path segment escaping for user-provided names (addresses contain @ and +). */
export const seg = (s: string) => encodeURIComponent(s);

/** Words for any thrown value, for the error banner. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
