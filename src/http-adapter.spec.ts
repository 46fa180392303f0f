import type { FastifyInstance } from 'fastify';
import { createHttpAdapter } from './http-adapter';

/** A bare Fastify instance from the adapter with one route that shows what the request says of itself. */
async function server(trustProxy?: boolean | number | string[]): Promise<FastifyInstance> {
  const fastify = createHttpAdapter({ trustProxy }).getInstance() as unknown as FastifyInstance;
  fastify.get('/who', async (request) => ({ ip: request.ip, id: request.id }));
  await fastify.ready();
  return fastify;
}

describe('createHttpAdapter', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.9' };

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const trusting = await server(['127.0.0.1', '10.0.0.0/8']);
    const via = (remoteAddress: string) =>
      trusting.inject({ url: '/who', remoteAddress, headers: forwarded }).then((r) => r.json().ip);
    expect(await via('127.0.0.1')).toBe('203.0.113.9');
    expect(await via('10.20.30.40')).toBe('203.0.113.9');
    expect(await via('192.0.2.1')).toBe('192.0.2.1');
    const closed = await server();
    expect((await closed.inject({ url: '/who', remoteAddress: '127.0.0.1', headers: forwarded })).json().ip).toBe(
      '127.0.0.1',
    );
    await Promise.all([trusting.close(), closed.close()]);
  });

  it('answers with a sane X-Request-Id as given, and replaces any other with a UUID', async () => {
    const fastify = await server();
    const sane = await fastify.inject({ url: '/who', headers: { 'x-request-id': 'ticket-42.a_b' } });
    expect([sane.headers['x-request-id'], sane.json().id]).toEqual(['ticket-42.a_b', 'ticket-42.a_b']);
    const odd = await fastify.inject({ url: '/who', headers: { 'x-request-id': 'a b<script>' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.json().id).toBe(odd.headers['x-request-id']);
    await fastify.close();
  });
});
