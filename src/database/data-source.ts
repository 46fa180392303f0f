// The DataSource of the TypeORM CLI (npm run migration:run / migration:revert / migration:show).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { DEFAULT_DATABASE_URL, readDatabase } from '../config/sections/database';
import { buildDataSourceOptions } from './data-source-options';

export default new DataSource(buildDataSourceOptions(readDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL)));
