import 'reflect-metadata';
import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { runHttpProcesses } from './cluster/http-processes';
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from './config/config.error';
import { discoverDomainNames } from './config/discover-domains';
import { loadConfig } from './config/load-config';
import { configureApp } from './configure-app';
import { createHttpAdapter } from './http-adapter';
import { createRootLogger } from './logging/root-logger';

async function bootstrap(): Promise<void> {
  const loaded = loadConfig();
  if (loaded.httpProcesses > 1 && cluster.isPrimary) {
    // This process only starts, watches and stops the copies that serve (RBCD_HTTP_PROCESSES).
    runHttpProcesses({
      processes: loaded.httpProcesses,
      worker: loaded.worker,
      logger: createRootLogger(loaded.logLevel),
    });
    return;
  }
  const config = await discoverDomainNames(loaded);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createHttpAdapter(config), {
    bufferLogs: true,
    rawBody: true,
  });
  configureApp(app, { bufferLogs: true });
  await app.listen(config.port, config.host);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    // One clear line naming the variable; never the value of a secret.
    process.stderr.write(`${error.message}\n`);
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
  process.stderr.write(
    `rbcd-broker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
