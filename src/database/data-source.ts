// The DataSource of the TypeORM CLI (npm run migration:run / migration:revert / migration:show).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { readDatabase } from '../config/load-config';
import { buildDataSourceOptions } from './data-source-options';

export default new DataSource(
  buildDataSourceOptions(readDatabase(process.env.DATABASE_URL ?? 'sqlite:./data/rbcd.sqlite')),
);
