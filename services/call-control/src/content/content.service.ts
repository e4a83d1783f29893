import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { newSid, ParleyError } from '@parley/contracts';
import { type Repository } from 'typeorm';
import { accountV2Page, type PageRequest, type TwilioV2Page } from '../common/paging';
import { ContentEntity } from './content.entity';
import { CONTENT_PATH, serializeContent } from './content.resource';
import { type ContentCreateCommand } from './content.schemas';

/** Content templates of an account: created once, read by Messages.json, never shared. */
@Injectable()
export class ContentService {
  constructor(
    @InjectRepository(ContentEntity) private readonly contents: Repository<ContentEntity>,
  ) {}

  async create(accountSid: string, command: ContentCreateCommand): Promise<ContentEntity> {
    const sid = newSid('HX');
    await this.contents.insert({
      sid,
      accountSid,
      friendlyName: command.friendly_name,
      language: command.language,
      variables: command.variables,
      types: command.types,
    });
    return this.get(accountSid, sid);
  }

  async get(accountSid: string, sid: string): Promise<ContentEntity> {
    const content = await this.find(accountSid, sid);
    if (!content)
      throw new ParleyError(20404, `The requested resource ${CONTENT_PATH}/${sid} was not found`);
    return content;
  }

  /** The account's content, or null (another account's content is never found). */
  find(accountSid: string, sid: string): Promise<ContentEntity | null> {
    if (!/^HX[0-9a-f]{32}$/.test(sid)) return Promise.resolve(null);
    return this.contents.findOneBy({ sid, accountSid });
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    const result = await this.contents.delete({ sid, accountSid });
    if (!result.affected)
      throw new ParleyError(20404, `The requested resource ${CONTENT_PATH}/${sid} was not found`);
  }

  /** Twilio's v1 list page: `contents` and a `meta` block with absolute URLs. */
  list(accountSid: string, request: PageRequest, baseUrl: string): Promise<TwilioV2Page> {
    return accountV2Page(this.contents, {
      accountSid,
      path: CONTENT_PATH,
      key: 'contents',
      filters: {},
      request,
      baseUrl,
      serialize: serializeContent,
    });
  }
}
