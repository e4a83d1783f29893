import { runService } from '@parley/nest-kit';
import { service } from './service';

runService(service);
