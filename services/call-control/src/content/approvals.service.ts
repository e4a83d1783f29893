import { Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { SendersService } from '../senders/senders.service';
import { type ApprovalCreateCommand } from './approval.schemas';
import { ApprovalSubmitter } from './approval-submitter.service';
import { ApprovalsRepository } from './approvals.repository';
import { type ContentApprovalEntity } from './content-approval.entity';
import { type ContentEntity } from './content.entity';
import { ContentService } from './content.service';
import { contentToTemplate } from './template-rules';

/**
 * WhatsApp approval of Content templates. A request is checked against what Meta refuses
 * (the template rules, each answered with its rule named) and committed `received`; the
 * ApprovalSubmitter sends it to Meta from the row. The template goes to the WhatsApp
 * Business Account of the account's first registered sender (Twilio's API names none).
 */
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly contents: ContentService,
    private readonly approvals: ApprovalsRepository,
    private readonly senders: SendersService,
    private readonly submitter: ApprovalSubmitter,
  ) {}

  async create(
    accountSid: string,
    contentSid: string,
    command: ApprovalCreateCommand,
  ): Promise<ContentApprovalEntity> {
    const content = await this.contents.get(accountSid, contentSid);
    const converted = contentToTemplate(content, {
      name: command.name,
      category: command.category,
      allowCategoryChange: command.allow_category_change,
    });
    if (!converted.ok)
      throw new ParleyError(
        20001,
        `WhatsApp would refuse this template (rule ${converted.error.rule}): ${converted.error.problem}`,
      );
    const sender = await this.senders.firstOfAccount(accountSid);
    if (!sender)
      throw new ParleyError(
        63007,
        'The account has no WhatsApp sender: register one before submitting templates',
      );
    const saved = await this.approvals.insert({
      contentSid: content.sid,
      accountSid,
      senderSid: sender.sid,
      wabaId: sender.wabaId,
      name: converted.template.name,
      language: converted.template.language,
      category: converted.template.category,
      allowCategoryChange: command.allow_category_change,
      contentType: converted.contentType,
      template: { ...converted.template },
      status: 'received',
      rejectionReason: null,
      metaTemplateId: null,
      qualityScore: null,
      submitAttempts: 0,
      nextAttemptAt: new Date(),
      statusSequence: 0,
    });
    if (!saved) {
      const current = await this.approvals.find(content.sid);
      throw new ParleyError(
        20001,
        `The content ${content.sid} was already submitted for WhatsApp approval (status ${current?.status ?? 'unknown'}); only a rejected one can be submitted again`,
      );
    }
    this.submitter.submitSoon(content.sid);
    return saved;
  }

  async fetch(
    accountSid: string,
    contentSid: string,
  ): Promise<{ content: ContentEntity; approval: ContentApprovalEntity | null }> {
    const content = await this.contents.get(accountSid, contentSid);
    return { content, approval: await this.approvals.find(content.sid) };
  }
}
