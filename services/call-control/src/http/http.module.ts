import { Module } from '@nestjs/common';
import { BodyParsers } from './body-parsers';

@Module({ providers: [BodyParsers] })
export class HttpModule {}
