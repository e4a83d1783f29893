import { describeServiceSchema } from '@parley/nest-kit/testing';
import { service } from '../service';

describeServiceSchema(service);
