import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsRepository } from './approvals.repository';
import { ContentApprovalEntity } from './content-approval.entity';
import { ContentEntity } from './content.entity';
import { ContentController } from './content.controller';
import { ContentService } from './content.service';

@Module({
  imports: [TypeOrmModule.forFeature([ContentEntity, ContentApprovalEntity])],
  controllers: [ContentController],
  providers: [ContentService, ApprovalsRepository],
  exports: [ContentService, ApprovalsRepository],
})
export class ContentModule {}
