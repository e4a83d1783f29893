import { runMigrationsCli } from '@parley/nest-kit';
import { service } from './service';

runMigrationsCli(service);
