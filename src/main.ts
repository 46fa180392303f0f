import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { ConfigError } from './config/config.error';
import { discoverDomainNames } from './config/discover-domains';
import { loadConfig } from './config/load-config';
import { configureApp } from './configure-app';
import { createHttpAdapter } from './http-adapter';

async function bootstrap(): Promise<void> {
  const config = await discoverDomainNames(loadConfig());
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
    process.exit(78);
  }
  process.stderr.write(
    `rbcd-broker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
