// The tests' client for a gateway's REST API over real HTTP: JSON in, the
// status and the parsed JSON body (if any) out.

export interface ApiReply { status: number; body: any }

export type ApiCall = (method: string, path: string, token: string, body?: unknown) => Promise<ApiReply>;

/** `base` is the API's origin, e.g. `http://127.0.0.1:8080`. */
export function apiClient(base: string): ApiCall {
  return async (method, path, token, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}
