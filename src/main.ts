import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError } from './config/config.error';
import { discoverDomainNames } from './config/discover-domains';
import { loadConfig } from './config/load-config';
import { configureApp } from './configure-app';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = await discoverDomainNames(loadConfig());
  } catch (error) {
    if (error instanceof ConfigError) {
      // One clear line naming the variable; never the value of a secret.
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true, rawBody: true });
  configureApp(app, { bufferLogs: true });
  await app.listen(config.port, config.host);
}

void bootstrap();
