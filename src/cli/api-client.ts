// The broker's REST API over fetch (node >= 20): no framework, no dependency. Every error the API
// returns keeps its stable code and message, which the CLI prints as they are.
import { EXIT, type ExitCode } from './exit-codes';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Policy refusals are 3, a request the API found malformed is 2, anything else 1. */
  get exitCode(): ExitCode {
    if (this.code === 'POLICY_DENIED') return EXIT.refused;
    if (this.code === 'VALIDATION_FAILED') return EXIT.usage;
    return EXIT.failed;
  }
}

/** An API key, or a function that returns a current bearer token (an OIDC sign-in it refreshes). */
export type Bearer = string | (() => Promise<string>);

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly bearer: Bearer,
    private readonly timeoutMs = 60_000,
  ) {}

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.call<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.call<T>('POST', path, body, headers);
  }

  /** The raw response (streams: the audit export). */
  async stream(path: string, query: Record<string, string | number | undefined> = {}): Promise<Response> {
    const response = await this.send('GET', withQuery(path, query), undefined, {}, false);
    if (!response.ok) throw await toApiError(response);
    return response;
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(method, path, body, headers, true);
    if (!response.ok) throw await toApiError(response);
    return (await response.json()) as T;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    timeout: boolean,
  ): Promise<Response> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/api/v1${path}`;
    const token = typeof this.bearer === 'string' ? this.bearer : await this.bearer();
    try {
      return await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeout ? AbortSignal.timeout(this.timeoutMs) : undefined,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(
        0,
        'UNREACHABLE',
        `cannot reach ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
  }
}

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.code)
      return new ApiError(
        response.status,
        body.error.code,
        body.error.message ?? response.statusText,
        body.error.details,
      );
  } catch {
    // not the API's error body (a proxy page): reported by status below
  }
  return new ApiError(response.status, `HTTP_${response.status}`, text.slice(0, 200) || response.statusText);
}
