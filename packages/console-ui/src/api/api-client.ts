// Calls to the console's API. Errors come back as `{"error":{"code","message"}}` and are thrown as
// ApiError with the server's message, which pages show as is (it names the problem and the fix).
// A console started with --token wants `Authorization: Bearer`; the token is kept for the browser
// tab only (sessionStorage), and a 401 asks the app to prompt for it.

const TOKEN_KEY = 'keel-console-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Fired on window when the API answers 401: keel-app shows the token prompt. */
export const UNAUTHORIZED_EVENT = 'keel-unauthorized';

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`api/${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(
      0,
      'NETWORK',
      `the console did not answer (${String(error)}); is keel console still running?`,
    );
  }
  const text = await response.text();
  const json: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP', error?.message ?? `HTTP ${response.status}`);
  }
  return json as T;
}

/** Path segments are encoded: topic and group names may hold `%` (%RETRY%, %DLQ%). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: object = {}) => call<T>('POST', path, body),
  delete: <T>(path: string, body: object = {}) => call<T>('DELETE', path, body),
};
