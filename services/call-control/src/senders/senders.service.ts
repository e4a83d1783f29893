import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { newSid, ParleyError } from '@parley/contracts';
import { type CallingSettings, MetaGraphError } from '@parley/meta-graph';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type Repository } from 'typeorm';
import { ApplicationsService } from '../applications/applications.service';
import { accountV2Page, type PageRequest, type TwilioV2Page } from '../common/paging';
import { MetaService } from '../meta/meta.service';
import { SecretBox, secretContext } from '../secrets/secret-box';
import { tokenDigest } from '../secrets/secret-hash';
import { SenderEntity } from './sender.entity';
import { serializeSender } from './sender.resource';
import {
  type SenderCreateCommand,
  type SenderUpdateCommand,
  type SenderWebhookCommand,
} from './senders.schemas';

/** The entity fields a `webhook` object sets (absent fields change nothing). */
function webhookChanges(webhook: SenderWebhookCommand): Partial<SenderEntity> {
  const changes: Partial<SenderEntity> = {};
  if (!webhook) return changes;
  if (webhook.callback_url !== undefined) changes.webhookCallbackUrl = webhook.callback_url;
  if (webhook.callback_method !== undefined)
    changes.webhookCallbackMethod = webhook.callback_method;
  if (webhook.fallback_url !== undefined) changes.webhookFallbackUrl = webhook.fallback_url;
  if (webhook.fallback_method !== undefined)
    changes.webhookFallbackMethod = webhook.fallback_method;
  if (webhook.status_callback_url !== undefined)
    changes.webhookStatusCallbackUrl = webhook.status_callback_url;
  if (webhook.status_callback_method !== undefined)
    changes.webhookStatusCallbackMethod = webhook.status_callback_method;
  return changes;
}

const SENDERS_PATH = '/v2/Channels/Senders';

/**
 * WhatsApp senders: a business number bound to its Meta phone_number_id, WABA and
 * credentials. Setting a voice application turns calling on at Meta, clearing it turns
 * calling off; the Meta call happens first and nothing is saved when Meta refuses.
 */
@Injectable()
export class SendersService {
  constructor(
    @InjectRepository(SenderEntity) private readonly senders: Repository<SenderEntity>,
    private readonly apps: ApplicationsService,
    private readonly meta: MetaService,
    private readonly box: SecretBox,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  async create(accountSid: string, command: SenderCreateCommand): Promise<SenderEntity> {
    const { sender_id: senderId, configuration: cfg } = command;
    const phoneNumberId = cfg.phone_number_id;
    const verifyToken = cfg.webhook_verify_token;
    const appSid = cfg.voice_application_sid ?? null;
    if (appSid !== null) await this.assertApplication(accountSid, appSid);
    // Before anything is stored or compared: a number is registered only by whoever
    // controls it at Meta, so nobody can claim (and receive the webhooks of) another's.
    await this.assertControl(senderId, phoneNumberId, cfg.access_token);
    const conflict = await this.senders.findOne({
      where: [{ senderId }, { phoneNumberId }],
    });
    if (conflict) {
      throw new ParleyError(
        20001,
        `The WhatsApp number ${senderId} or phone_number_id ${phoneNumberId} is already registered`,
        { status: 409 },
      );
    }
    const sid = newSid('XE');
    const sender = this.senders.create({
      sid,
      accountSid,
      senderId,
      phoneNumberId,
      wabaId: cfg.waba_id,
      accessTokenSealed: this.box.encrypt(cfg.access_token, secretContext.metaAccessToken(sid)),
      appSecretSealed: this.box.encrypt(cfg.app_secret, secretContext.metaAppSecret(sid)),
      verifyTokenDigest: verifyToken ? tokenDigest(verifyToken) : null,
      voiceApplicationSid: appSid,
      callingStatus: 'DISABLED',
      callbackPermissionStatus: 'DISABLED',
      status: 'ONLINE',
      profileName: command.profile?.name ?? null,
      activeCalls: 0,
      webhookCallbackUrl: null,
      webhookCallbackMethod: 'POST',
      webhookFallbackUrl: null,
      webhookFallbackMethod: 'POST',
      webhookStatusCallbackUrl: null,
      webhookStatusCallbackMethod: 'POST',
      ...webhookChanges(command.webhook),
    });
    if (appSid !== null) {
      await this.setCalling(sender, 'ENABLED');
      sender.callingStatus = 'ENABLED';
    }
    if (cfg.callback_permission_status === 'ENABLED') {
      await this.setCallbackPermission(sender, 'ENABLED');
      sender.callbackPermissionStatus = 'ENABLED';
    }
    try {
      await this.senders.insert(sender);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ParleyError(
          20001,
          `The WhatsApp number ${senderId} or phone_number_id ${phoneNumberId} is already registered`,
          { status: 409 },
        );
      }
      throw error;
    }
    return this.get(accountSid, sid);
  }

  async update(
    accountSid: string,
    sid: string,
    command: SenderUpdateCommand,
  ): Promise<SenderEntity> {
    const sender = await this.get(accountSid, sid);
    const cfg = command.configuration ?? {};
    const changes: Partial<SenderEntity> = {};
    if (cfg.access_token !== undefined)
      await this.assertControl(sender.senderId, sender.phoneNumberId, cfg.access_token);
    if (cfg.access_token !== undefined)
      changes.accessTokenSealed = this.box.encrypt(
        cfg.access_token,
        secretContext.metaAccessToken(sid),
      );
    if (cfg.app_secret !== undefined)
      changes.appSecretSealed = this.box.encrypt(cfg.app_secret, secretContext.metaAppSecret(sid));
    if (cfg.webhook_verify_token !== undefined)
      changes.verifyTokenDigest = cfg.webhook_verify_token
        ? tokenDigest(cfg.webhook_verify_token)
        : null;
    if (command.profile?.name !== undefined) changes.profileName = command.profile.name;
    Object.assign(changes, webhookChanges(command.webhook));
    const effective = { ...sender, ...changes };
    if (cfg.voice_application_sid !== undefined) {
      const appSid = cfg.voice_application_sid;
      if (appSid !== null) await this.assertApplication(accountSid, appSid);
      const wanted = appSid === null ? 'DISABLED' : 'ENABLED';
      // Ask Meta first: a sender whose calling Meta refused to change keeps its old state.
      if (sender.callingStatus !== wanted) await this.setCalling(effective, wanted);
      changes.voiceApplicationSid = appSid;
      changes.callingStatus = wanted;
    }
    const callback = cfg.callback_permission_status;
    if (callback !== undefined && callback !== sender.callbackPermissionStatus) {
      await this.setCallbackPermission({ ...sender, ...changes }, callback);
      changes.callbackPermissionStatus = callback;
    }
    if (Object.keys(changes).length) await this.senders.update({ sid, accountSid }, changes);
    return this.get(accountSid, sid);
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    const sender = await this.get(accountSid, sid);
    if (sender.activeCalls > 0) {
      throw new ParleyError(
        20001,
        `The sender has ${sender.activeCalls} calls in progress; end them first`,
        { status: 409 },
      );
    }
    if (sender.callingStatus === 'ENABLED') {
      await this.setCalling(sender, 'DISABLED').catch((error: unknown) =>
        this.logger.warn(
          { err: error, senderSid: sid },
          'could not disable calling at Meta while deleting the sender',
        ),
      );
    }
    await this.senders.delete({ sid, accountSid });
  }

  async get(accountSid: string, sid: string): Promise<SenderEntity> {
    const sender = await this.senders.findOneBy({ sid, accountSid });
    if (!sender)
      throw new ParleyError(20404, `The requested resource ${SENDERS_PATH}/${sid} was not found`);
    return sender;
  }

  list(accountSid: string, request: PageRequest, baseUrl: string): Promise<TwilioV2Page> {
    return accountV2Page(this.senders, {
      accountSid,
      path: SENDERS_PATH,
      key: 'senders',
      filters: { Channel: 'whatsapp' },
      request,
      baseUrl,
      serialize: serializeSender,
    });
  }

  // ---- for calls and webhooks -----------------------------------------------------------

  findByAddress(accountSid: string, address: string): Promise<SenderEntity | null> {
    return this.senders.findOneBy({ accountSid, senderId: address });
  }

  findByPhoneNumberIds(phoneNumberIds: string[]): Promise<SenderEntity[]> {
    if (!phoneNumberIds.length) return Promise.resolve([]);
    return this.senders
      .createQueryBuilder('s')
      .where('s.phone_number_id IN (:...ids)', { ids: phoneNumberIds })
      .getMany();
  }

  /** The account's first registered sender: its WABA holds the account's WhatsApp templates. */
  firstOfAccount(accountSid: string): Promise<SenderEntity | null> {
    return this.senders.findOne({
      where: { accountSid },
      order: { dateCreated: 'ASC', sid: 'ASC' },
    });
  }

  /** Senders of these WhatsApp Business Accounts (template webhooks name only the WABA). */
  findByWabaIds(wabaIds: string[]): Promise<SenderEntity[]> {
    if (!wabaIds.length) return Promise.resolve([]);
    return this.senders
      .createQueryBuilder('s')
      .where('s.waba_id IN (:...ids)', { ids: wabaIds })
      .getMany();
  }

  findBySid(sid: string): Promise<SenderEntity | null> {
    return this.senders.findOneBy({ sid });
  }

  async hasVerifyToken(token: string): Promise<boolean> {
    return this.senders.existsBy({ verifyTokenDigest: tokenDigest(token) });
  }

  appSecret(sender: SenderEntity): string {
    return this.box.decrypt(sender.appSecretSealed, secretContext.metaAppSecret(sender.sid));
  }

  /**
   * The access token can read this phone_number_id at Meta (`GET /{phone-number-id}`),
   * and Meta's display number is the sender's. Refused with 37008 otherwise.
   */
  private async assertControl(
    senderId: string,
    phoneNumberId: string,
    accessToken: string,
  ): Promise<void> {
    let number: { id: string; display_phone_number?: string | undefined };
    try {
      number = await this.meta.graph.getPhoneNumber({ phoneNumberId, accessToken });
    } catch (error) {
      if (!(error instanceof MetaGraphError)) throw error;
      if (error.kind === 'timeout' || error.kind === 'network' || (error.httpStatus ?? 0) >= 500) {
        throw new ParleyError(20503, 'Meta could not be asked who controls the number; retry', {
          cause: error,
        });
      }
      throw new ParleyError(
        37008,
        `configuration.access_token cannot read phone_number_id ${phoneNumberId} at Meta: the number is not under this token's control`,
        { cause: error },
      );
    }
    const digits = (v: string) => v.replace(/\D/g, '');
    if (
      number.id !== phoneNumberId ||
      (number.display_phone_number !== undefined &&
        digits(number.display_phone_number) !== digits(senderId))
    ) {
      throw new ParleyError(
        37008,
        `phone_number_id ${phoneNumberId} is ${number.display_phone_number ?? 'another number'} at Meta, not ${senderId}`,
      );
    }
  }

  private async assertApplication(accountSid: string, appSid: string): Promise<void> {
    if (!(await this.apps.find(accountSid, appSid))) {
      throw new ParleyError(20404, `The voice application ${appSid} was not found`, {
        status: 400,
      });
    }
  }

  private async setCalling(sender: SenderEntity, status: 'ENABLED' | 'DISABLED'): Promise<void> {
    await this.updateSettings(sender, { status }, `calling ${status}`);
  }

  /** Meta's `callback_permission_status`: asked of Meta first, saved only when Meta agreed. */
  private async setCallbackPermission(
    sender: SenderEntity,
    status: 'ENABLED' | 'DISABLED',
  ): Promise<void> {
    await this.updateSettings(
      sender,
      { callback_permission_status: status },
      `callback permission ${status}`,
    );
  }

  private async updateSettings(
    sender: SenderEntity,
    calling: CallingSettings,
    what: string,
  ): Promise<void> {
    try {
      await this.meta.graph.updateCallingSettings(this.meta.credentials(sender), calling);
      this.logger.info({ senderSid: sender.sid, calling }, 'calling settings updated at Meta');
    } catch (error) {
      if (error instanceof MetaGraphError) {
        throw new ParleyError(
          error.twilioCode,
          `Meta refused to set ${what} on ${sender.senderId}: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
