import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DocumentFetcher } from '../documents/document-fetcher';
import { DocumentLoader } from '../documents/document-loader';
import { SigningKeys } from '../documents/signing-keys';
import { TwilioDocumentFetcher } from '../documents/twilio-document-fetcher';
import { VerbRegistry } from '../verbs/verb-registry';
import { CallSessionEntity } from './call-session.entity';
import { CallSessionsRepository } from './call-sessions.repository';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [TypeOrmModule.forFeature([CallSessionEntity])],
  controllers: [SessionsController],
  providers: [
    CallSessionsRepository,
    SessionsService,
    VerbRegistry,
    DocumentLoader,
    SigningKeys,
    { provide: DocumentFetcher, useClass: TwilioDocumentFetcher },
  ],
  exports: [TypeOrmModule],
})
export class SessionsModule {}
