import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { newSid, ParleyError } from '@parley/contracts';
import { type Repository } from 'typeorm';
import { buildPage, newestFirst, newestFirstKey, type TwilioPage } from '../common/paging';
import { accountPath } from '../common/twilio-format';
import { ApplicationEntity } from './application.entity';
import { serializeApplication } from './application.resource';
import { type ApplicationCommand, type ListApplicationsCommand } from './applications.schemas';
import { CustomerUrls } from '../common/customer-urls';

/** The entity columns an application command sets: only the fields given. */
function applicationFields(command: ApplicationCommand): Partial<ApplicationEntity> {
  const fields: Partial<ApplicationEntity> = {};
  if (command.FriendlyName !== undefined) fields.friendlyName = command.FriendlyName;
  if (command.VoiceUrl !== undefined) fields.voiceUrl = command.VoiceUrl;
  if (command.VoiceMethod !== undefined) fields.voiceMethod = command.VoiceMethod;
  if (command.VoiceFallbackUrl !== undefined) fields.voiceFallbackUrl = command.VoiceFallbackUrl;
  if (command.VoiceFallbackMethod !== undefined)
    fields.voiceFallbackMethod = command.VoiceFallbackMethod;
  if (command.StatusCallback !== undefined) fields.statusCallback = command.StatusCallback;
  if (command.StatusCallbackMethod !== undefined)
    fields.statusCallbackMethod = command.StatusCallbackMethod;
  return fields;
}

/** TwiML applications of an account. */
@Injectable()
export class ApplicationsService {
  constructor(
    @InjectRepository(ApplicationEntity) private readonly apps: Repository<ApplicationEntity>,
    private readonly urls: CustomerUrls,
  ) {}

  async create(accountSid: string, command: ApplicationCommand): Promise<ApplicationEntity> {
    this.assertUrls(command);
    const sid = newSid('AP');
    await this.apps.insert(
      this.apps.create({ sid, accountSid, friendlyName: '', ...applicationFields(command) }),
    );
    return this.get(accountSid, sid);
  }

  async get(accountSid: string, sid: string): Promise<ApplicationEntity> {
    const app = await this.apps.findOneBy({ sid, accountSid });
    if (!app) throw notFound(accountSid, sid);
    return app;
  }

  /** An application of this account, or a 404 naming it (never another account's). */
  async find(accountSid: string, sid: string): Promise<ApplicationEntity | null> {
    return this.apps.findOneBy({ sid, accountSid });
  }

  async update(
    accountSid: string,
    sid: string,
    command: ApplicationCommand,
  ): Promise<ApplicationEntity> {
    await this.get(accountSid, sid);
    this.assertUrls(command);
    const fields = applicationFields(command);
    if (Object.keys(fields).length) await this.apps.update({ sid, accountSid }, fields);
    return this.get(accountSid, sid);
  }

  private assertUrls(command: ApplicationCommand): void {
    this.urls.assertAllowed({
      VoiceUrl: command.VoiceUrl,
      VoiceFallbackUrl: command.VoiceFallbackUrl,
      StatusCallback: command.StatusCallback,
    });
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    const result = await this.apps.delete({ sid, accountSid });
    if (!result.affected) throw notFound(accountSid, sid);
  }

  async list(accountSid: string, { page, filters }: ListApplicationsCommand): Promise<TwilioPage> {
    const qb = this.apps
      .createQueryBuilder('a')
      .where('a.account_sid = :accountSid', { accountSid });
    if (filters.FriendlyName !== undefined)
      qb.andWhere('a.friendly_name = :name', { name: filters.FriendlyName });
    const rows = await newestFirst(qb, 'a', page).getMany();
    return buildPage({
      path: `${accountPath(accountSid)}/Applications.json`,
      resourceKey: 'applications',
      filters,
      request: page,
      rows,
      keyOf: newestFirstKey,
      serialize: serializeApplication,
    });
  }
}

function notFound(accountSid: string, sid: string): ParleyError {
  return new ParleyError(
    20404,
    `The requested resource ${accountPath(accountSid)}/Applications/${sid}.json was not found`,
  );
}
