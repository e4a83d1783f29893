import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { CustomerUrls } from './customer-urls';

@Global()
@Module({ providers: [Clock, CustomerUrls], exports: [Clock, CustomerUrls] })
export class CommonModule {}
