// A client as a ticketing system or portal would write it: types generated from the committed
// openapi/openapi.json (openapi-typescript → openapi/openapi.d.ts) and openapi-fetch. It files a
// grant, approves it, waits until it is applied and reads the delegation. `npm test` compiles this file on its own with
// `tsc --noEmit` (test/client/tsconfig.json) and runs it against the service on the sandbox DC,
// so the spec stays usable as it is: a field the spec gets wrong breaks the build or the run.
import createClient from 'openapi-fetch';
import type { components, paths } from '../../openapi/openapi';

type RequestModel = components['schemas']['RequestModel'];
type DelegationModel = components['schemas']['DelegationModel'];

export interface TypedClientOptions {
  baseUrl: string;
  requesterKey: string;
  approverKey: string;
  /** Defaults to the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Between two polls of the request until it is applied (default: half a second). */
  wait?: () => Promise<unknown>;
}

export interface GrantOutcome {
  filed: RequestModel;
  approved: RequestModel;
  applied: RequestModel;
  delegation: DelegationModel;
  /** The ticket is null when the request names none: the types say so, and the code must check. */
  ticketId: string | null;
}

export async function fileApproveAndRead(
  options: TypedClientOptions,
  grant: { target: string; principal: string; ticketId?: string },
): Promise<GrantOutcome> {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const as = (key: string) => ({ Authorization: `Bearer ${key}` });

  const filed = await client.POST('/api/v1/requests', {
    headers: as(options.requesterKey),
    params: { header: { 'Idempotency-Key': `typed-client-${grant.target}` } },
    body: {
      action: 'grant',
      targets: [grant.target],
      principals: [grant.principal],
      justification: 'typed client check',
      duration: 'PT1H',
      ...(grant.ticketId ? { ticket: { system: 'servicenow', id: grant.ticketId } } : {}),
    },
  });
  if (!filed.data)
    throw new Error(`file: ${filed.response.status} ${filed.error?.error.code}: ${filed.error?.error.message}`);

  const approved = await client.POST('/api/v1/requests/{id}/approve', {
    headers: as(options.approverKey),
    params: { path: { id: filed.data.id } },
    body: { comment: 'approved by the typed client' },
  });
  if (!approved.data) throw new Error(`approve: ${approved.response.status} ${approved.error?.error.code}`);

  // The worker writes the directory after approval: poll until the request is applied (or failed).
  let applied = approved.data;
  for (let poll = 0; poll < 20 && ['approved', 'applying'].includes(applied.status); poll++) {
    await (options.wait ?? (() => new Promise((resolve) => setTimeout(resolve, 500))))();
    const read = await client.GET('/api/v1/requests/{id}', {
      headers: as(options.requesterKey),
      params: { path: { id: filed.data.id } },
    });
    if (!read.data) throw new Error(`poll: ${read.response.status} ${read.error?.error.code}`);
    applied = read.data;
  }
  if (applied.status !== 'applied')
    throw new Error(`not applied: ${applied.status} ${applied.result?.error?.code ?? ''}`);

  const delegation = await client.GET('/api/v1/delegations/{target}', {
    headers: as(options.requesterKey),
    params: { path: { target: grant.target } },
  });
  if (!delegation.data) throw new Error(`read: ${delegation.response.status} ${delegation.error?.error.code}`);

  const ticket = applied.ticket;
  return {
    filed: filed.data,
    approved: approved.data,
    applied,
    delegation: delegation.data,
    ticketId: ticket === null ? null : ticket.id,
  };
}
