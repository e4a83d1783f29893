import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { newSid, ParleyError } from '@parley/contracts';
import { type Repository } from 'typeorm';
import { applyKeyset, buildPage, type PageRequest, type TwilioPage } from '../common/paging';
import { type Params } from '../common/params';
import { accountPath } from '../common/twilio-format';
import { ApplicationEntity } from './application.entity';
import { serializeApplication } from './application.resource';

type ApplicationFields = Partial<
  Pick<
    ApplicationEntity,
    | 'friendlyName'
    | 'voiceUrl'
    | 'voiceMethod'
    | 'voiceFallbackUrl'
    | 'voiceFallbackMethod'
    | 'statusCallback'
    | 'statusCallbackMethod'
  >
>;

/** Reads the Twilio form fields of an application; only the fields present are returned. */
export function applicationFields(p: Params): ApplicationFields {
  const fields: ApplicationFields = {};
  const name = p.text('FriendlyName', 64);
  if (name !== undefined) fields.friendlyName = name;
  const voiceUrl = p.url('VoiceUrl');
  if (voiceUrl !== undefined) fields.voiceUrl = voiceUrl;
  const voiceMethod = p.method('VoiceMethod');
  if (voiceMethod) fields.voiceMethod = voiceMethod;
  const fallback = p.url('VoiceFallbackUrl');
  if (fallback !== undefined) fields.voiceFallbackUrl = fallback;
  const fallbackMethod = p.method('VoiceFallbackMethod');
  if (fallbackMethod) fields.voiceFallbackMethod = fallbackMethod;
  const callback = p.url('StatusCallback');
  if (callback !== undefined) fields.statusCallback = callback;
  const callbackMethod = p.method('StatusCallbackMethod');
  if (callbackMethod) fields.statusCallbackMethod = callbackMethod;
  return fields;
}

/** TwiML applications of an account. */
@Injectable()
export class ApplicationsService {
  constructor(
    @InjectRepository(ApplicationEntity) private readonly apps: Repository<ApplicationEntity>,
  ) {}

  async create(accountSid: string, fields: ApplicationFields): Promise<ApplicationEntity> {
    const sid = newSid('AP');
    await this.apps.insert(this.apps.create({ sid, accountSid, friendlyName: '', ...fields }));
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
    fields: ApplicationFields,
  ): Promise<ApplicationEntity> {
    await this.get(accountSid, sid);
    if (Object.keys(fields).length) await this.apps.update({ sid, accountSid }, fields);
    return this.get(accountSid, sid);
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    const result = await this.apps.delete({ sid, accountSid });
    if (!result.affected) throw notFound(accountSid, sid);
  }

  async list(
    accountSid: string,
    filters: { FriendlyName?: string },
    request: PageRequest,
  ): Promise<TwilioPage> {
    const qb = this.apps
      .createQueryBuilder('a')
      .where('a.account_sid = :accountSid', { accountSid });
    if (filters.FriendlyName !== undefined)
      qb.andWhere('a.friendly_name = :name', { name: filters.FriendlyName });
    const rows = await applyKeyset(
      qb,
      [{ expr: 'a.date_created', cast: 'timestamptz' }, { expr: 'a.sid' }],
      'DESC',
      request,
    ).getMany();
    return buildPage({
      path: `${accountPath(accountSid)}/Applications.json`,
      resourceKey: 'applications',
      filters,
      request,
      rows,
      keyOf: (a) => [a.dateCreated.toISOString(), a.sid],
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
