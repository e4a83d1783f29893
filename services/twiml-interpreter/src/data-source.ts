// The DataSource the TypeORM CLI uses to generate and inspect this service's migrations.
import { serviceDataSource } from '@parley/nest-kit';
import { service } from './service';

export default serviceDataSource(service);
