// Serves the built web console (web/, `npm run build`) at `/`: index.html and its hashed assets,
// one route per file (no wildcard), so every other path keeps the API's own 404 body. The console
// routes by the URL fragment (/#/inbox), so no fallback to index.html is needed.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/config.types';

/** Where the build is: RBCD_CONSOLE_DIR, else dist/web beside the compiled service (or the sources' checkout). */
export function consoleDirectory(config: Pick<AppConfig, 'console'>): string | undefined {
  const candidates = config.console.dir
    ? [resolve(config.console.dir)]
    : [join(__dirname, '..', '..', 'web'), join(__dirname, '..', '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only (nothing from a CDN), API
 * calls to this origin, and sign-in calls (discovery, token) to the OIDC issuer.
 */
export function consoleCsp(config: Pick<AppConfig, 'oidc'>): string {
  const issuer = config.oidc ? new URL(config.oidc.issuer).origin : '';
  return [
    "default-src 'self'",
    `connect-src 'self'${issuer ? ` ${issuer}` : ''}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Registers the console's files on the Fastify instance; no build: nothing is served (the API works alone). */
export function registerConsole(app: INestApplication, config: AppConfig): string | undefined {
  const root = consoleDirectory(config);
  if (!root) return undefined;
  const csp = consoleCsp(config);
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  // Registered now, loaded with the other plugins when the app initialises (errors surface there).
  void fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    index: ['index.html'],
    schemaHide: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('Content-Security-Policy', csp);
      reply.header('X-Content-Type-Options', 'nosniff');
      reply.header('Referrer-Policy', 'no-referrer');
      // Hashed assets never change; index.html names the current ones, so it is always revalidated.
      reply.header('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return root;
}
