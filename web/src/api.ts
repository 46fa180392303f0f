// The typed API client: openapi-fetch over the types openapi-typescript generated from
// openapi/openapi.json (npm run openapi). A change of the API that the console does not follow
// fails `tsc -p web` (test/e2e/console-client.spec.ts), so the console cannot drift from the API.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../openapi/openapi';

export type Schemas = components['schemas'];
export type RequestView = Schemas['RequestModel'];
export type Me = Schemas['MeModel'];
export type Plan = Schemas['PlanModel'];
/** The values GET /inventory?risk= takes. */
export type InventoryRisk = NonNullable<NonNullable<paths['/api/v1/inventory']['get']['parameters']['query']>['risk']>;

/** An error the API answered ({"error": {"code", "message", "details"}}), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

let credential: (() => Promise<string | undefined>) | undefined;

/** The session sets how each call is authenticated (an API key, or the OIDC access token). */
export function useCredential(source: (() => Promise<string | undefined>) | undefined): void {
  credential = source;
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await credential?.();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a call, or an ApiError with the API's code and message (never a stack trace). */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (error) {
    throw new ApiError(0, 'NETWORK_ERROR', `The service did not answer: ${(error as Error).message}`);
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
  throw new ApiError(
    response.status,
    body.error?.code ?? `HTTP_${response.status}`,
    body.error?.message ?? response.statusText ?? 'The service refused the call',
    body.error?.details,
    response.headers.get('X-Request-Id') ?? undefined,
  );
}
