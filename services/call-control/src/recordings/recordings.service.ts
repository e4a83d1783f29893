import { type Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type AccountSid,
  type CallSid,
  NatsBus,
  newSid,
  ParleyError,
  type RecordingCompletedV1,
  type RecordingSid,
  type RecordingSource,
  type RecordingStatusCallbackConfig,
  type RecordingStatusChangedV1,
  type RecordingTrack,
  UnprocessableEventError,
} from '@parley/contracts';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import {
  recordingKey,
  type RecordingStorage,
  StorageNotFoundError,
} from '@parley/recording-storage';
import { type Repository } from 'typeorm';
import { type CallEntity } from '../calls/call.entity';
import { CallDomainEvents } from '../calls/call-domain-events';
import { CallsRepository } from '../calls/calls.repository';
import { Clock } from '../common/clock';
import { CustomerUrls } from '../common/customer-urls';
import { filterTexts } from '../common/list-query';
import { buildPage, newestFirst, newestFirstKey, type TwilioPage } from '../common/paging';
import { recordingCallbackEvents } from '../common/recording-callback-events';
import { configuredPublicUrl } from '../common/public-url';
import { applyTimeFilter } from '../common/time-filter';
import { accountPath } from '../common/twilio-format';
import { type CallControlEnv } from '../config/env.schema';
import { MediaClient } from '../clients/media.client';
import { describeError } from '../clients/client-errors';
import { RecordingEntity } from './recording.entity';
import {
  type ListRecordingsCommand,
  type StartRecordingCommand,
  type UpdateRecordingCommand,
} from './recordings.schemas';
import { recordingMediaUrl, serializeRecording } from './recording.resource';

export const RECORDING_STORAGE = Symbol('RECORDING_STORAGE');

/** A recording failed without a more precise reason from media. */
const RECORDING_FAILED = 20500;

export interface StartRecordingOptions {
  source: RecordingSource;
  channels: 'mono' | 'dual';
  track: RecordingTrack;
  statusCallback: RecordingStatusCallbackConfig | null;
  /** `<Dial record>`: the bridged child, on the second channel of a dual recording. */
  otherCallSid?: CallSid;
  trimSilence?: boolean;
}

/**
 * Twilio's Recording resource. call-control owns the metadata (this table), media owns the
 * audio path and writes the WAV to recording storage; `media.v1.recording.completed`
 * (durable) closes the row. Every status reaches webhook-dispatch as a durable
 * `calls.v1.recording.status-changed`, de-duplicated by `${sid}:${status}`.
 */
@Injectable()
export class RecordingsService implements OnModuleInit {
  constructor(
    @InjectRepository(RecordingEntity) private readonly recordings: Repository<RecordingEntity>,
    private readonly calls: CallsRepository,
    private readonly callEvents: CallDomainEvents,
    private readonly media: MediaClient,
    private readonly bus: NatsBus,
    private readonly clock: Clock,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
    private readonly urls: CustomerUrls,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  onModuleInit(): void {
    this.callEvents.on('call.answered', ({ call }) => this.startForAnsweredCall(call));
  }

  /**
   * Starts recording an answered call. The row exists before media is asked, so the
   * completion can never arrive for an unknown recording; when media refuses, the row
   * ends `failed` with media's code and the error is thrown.
   */
  async start(call: CallEntity, options: StartRecordingOptions): Promise<RecordingEntity> {
    if (call.status !== 'in-progress') {
      throw new ParleyError(
        21220,
        `Only an in-progress call can be recorded; it is ${call.status}`,
      );
    }
    const row = await this.recordings.save(
      this.recordings.create({
        sid: newSid('RE'),
        accountSid: call.accountSid,
        callSid: call.sid,
        status: 'in-progress',
        source: options.source,
        channels: options.channels === 'dual' ? 2 : 1,
        track: options.track,
        startTime: this.clock.now(),
        duration: null,
        errorCode: null,
        storageUri: null,
        statusCallback: options.statusCallback,
      }),
    );
    try {
      await this.media.startRecording(call, {
        recordingSid: row.sid,
        channels: options.channels,
        track: options.track,
        source: options.source,
        ...(options.otherCallSid ? { otherCallSid: options.otherCallSid } : {}),
        ...(options.trimSilence ? { trimSilence: true } : {}),
        // A recording never outlives the call's TimeLimit.
        maxLengthSec: Math.min(call.timeLimitSec, 86_400),
      });
    } catch (error) {
      const code = error instanceof ParleyError ? error.code : RECORDING_FAILED;
      await this.recordings.update(
        { sid: row.sid },
        { status: 'failed', errorCode: code, duration: 0 },
      );
      await this.publishBestEffort({ ...row, status: 'failed', errorCode: code, duration: 0 });
      throw error;
    }
    await this.publishBestEffort(row);
    return row;
  }

  /**
   * `Record=true` on Calls.json: the call was answered. A recording that cannot start
   * does not end the call (Twilio neither); it is kept as a failed Recording.
   */
  async startForAnsweredCall(call: CallEntity): Promise<void> {
    const options = call.recording;
    if (!options?.record) return;
    try {
      await this.start(call, {
        source: 'OutboundAPI',
        channels: options.channels,
        track: 'both',
        statusCallback: options.statusCallback
          ? {
              url: options.statusCallback,
              method: options.statusCallbackMethod,
              events: options.statusCallbackEvents,
            }
          : null,
      });
    } catch (error) {
      this.logger.warn(
        { callSid: call.sid, error: describeError(error) },
        'the call recording could not start',
      );
    }
  }

  /**
   * media finished a recording (redelivered until this succeeds). Recordings started by
   * call-control have their row; others (started by the interpreter) get one now.
   */
  async complete(e: RecordingCompletedV1): Promise<void> {
    const call = await this.calls.findBySid(e.callSid);
    if (!call || call.accountSid !== e.accountSid) {
      // Nothing to attach it to (another installation's message, or a call deleted since):
      // kept as a dead letter, where an operator sees it.
      throw new UnprocessableEventError(
        `finished recording ${e.recordingSid} names no call ${e.callSid} of account ${e.accountSid}`,
      );
    }
    const existing = await this.recordings.findOneBy({ sid: e.recordingSid });
    if (existing && existing.accountSid !== e.accountSid) {
      throw new UnprocessableEventError(
        `finished recording ${e.recordingSid} names another account than its row`,
      );
    }
    const row =
      existing ??
      this.recordings.create({
        sid: e.recordingSid,
        accountSid: e.accountSid,
        callSid: e.callSid,
        source: e.source,
        track: e.track,
        startTime: new Date(e.startedAt),
        statusCallback: null,
        errorCode: null,
      });
    row.status = e.status;
    row.channels = e.channels;
    row.duration = e.durationSec;
    row.storageUri = e.storageUri;
    row.errorCode = e.status === 'failed' ? (row.errorCode ?? RECORDING_FAILED) : null;
    await this.recordings.save(row);
    await this.publish(row);
  }

  /**
   * The reconciler's ending of a recording media never reported (its completion lost, or
   * media gone): only while the row is still in-progress, so a completion that arrives
   * meanwhile wins. Returns whether it closed the row.
   */
  async closeUnreported(
    row: RecordingEntity,
    outcome: { status: 'completed'; durationSec: number; channels: 1 | 2 } | { status: 'failed' },
  ): Promise<boolean> {
    const changes: Partial<RecordingEntity> =
      outcome.status === 'completed'
        ? {
            status: 'completed',
            duration: outcome.durationSec,
            channels: outcome.channels,
            errorCode: null,
          }
        : { status: 'failed', duration: 0, errorCode: RECORDING_FAILED };
    const result = await this.recordings
      .createQueryBuilder()
      .update(RecordingEntity)
      .set(changes)
      .where("sid = :sid AND status = 'in-progress'", { sid: row.sid })
      .execute();
    if (!result.affected) return false;
    await this.publish({ ...row, ...changes });
    return true;
  }

  /**
   * `calls.v1.recording.start` (`<Dial record>`): records an account's running call and
   * tells where the recording will be served.
   */
  async startForInterpreter(
    accountSid: string,
    callSid: string,
    options: StartRecordingOptions,
  ): Promise<{ recordingSid: RecordingSid; mediaUrl: string | null }> {
    const call = await this.calls.findBySid(callSid);
    if (!call || call.accountSid !== accountSid) {
      throw new ParleyError(20404, `The call ${callSid} was not found`);
    }
    const row = await this.start(call, options);
    const publicUrl = configuredPublicUrl(this.env);
    return {
      recordingSid: row.sid as RecordingSid,
      mediaUrl: publicUrl ? recordingMediaUrl(publicUrl, row.accountSid, row.sid) : null,
    };
  }

  async get(accountSid: string, sid: string, callSid?: string): Promise<RecordingEntity> {
    const row = await this.recordings.findOneBy({
      sid,
      accountSid,
      ...(callSid ? { callSid } : {}),
    });
    if (!row) {
      const parent = callSid ? `/Calls/${callSid}` : '';
      throw new ParleyError(
        20404,
        `The requested resource ${accountPath(accountSid)}${parent}/Recordings/${sid}.json was not found`,
      );
    }
    return row;
  }

  /** `Calls/{CallSid}/Recordings.json`: start recording a live call. */
  async startByApi(
    accountSid: string,
    callSid: string,
    command: StartRecordingCommand,
  ): Promise<RecordingEntity> {
    const call = await this.calls.get(accountSid, callSid);
    this.urls.assertAllowed({ RecordingStatusCallback: command.RecordingStatusCallback });
    const url = command.RecordingStatusCallback;
    return this.start(call, {
      source: 'StartCallRecordingAPI',
      channels: command.RecordingChannels ?? 'mono',
      track: command.RecordingTrack ?? 'both',
      statusCallback: url
        ? {
            url,
            method: command.RecordingStatusCallbackMethod ?? 'POST',
            events: recordingCallbackEvents(command.RecordingStatusCallbackEvent),
          }
        : null,
    });
  }

  /** `Status=stopped` on a recording: media ends it and reports it as usual. */
  async stopByApi(
    accountSid: string,
    callSid: string,
    sid: string,
    command: UpdateRecordingCommand,
  ): Promise<RecordingEntity> {
    const row = await this.get(accountSid, sid, callSid);
    const status = command.Status;
    if (status !== 'stopped') {
      throw new ParleyError(
        20001,
        status === undefined
          ? 'Status is required (stopped)'
          : 'Pausing and resuming recordings is not supported; Status can only be stopped',
      );
    }
    if (row.status !== 'in-progress') {
      throw new ParleyError(21220, `The recording is already ${row.status}`);
    }
    await this.media.stopRecording({ sid: row.callSid, accountSid }, row.sid);
    return row;
  }

  async list(
    accountSid: string,
    { page, filters }: ListRecordingsCommand,
    baseUrl: string,
    callSid?: string,
  ): Promise<TwilioPage> {
    if (callSid) await this.calls.get(accountSid, callSid);
    const qb = this.recordings
      .createQueryBuilder('r')
      .where('r.account_sid = :accountSid', { accountSid });
    const onCall = callSid ?? filters.CallSid;
    if (onCall) qb.andWhere('r.call_sid = :callSid', { callSid: onCall });
    applyTimeFilter(qb, 'r.date_created', 'DateCreated', [
      filters.DateCreated,
      filters['DateCreated<'],
      filters['DateCreated>'],
    ]);
    const rows = await newestFirst(qb, 'r', page).getMany();
    const parent = callSid ? `/Calls/${callSid}` : '';
    return buildPage({
      path: `${accountPath(accountSid)}${parent}/Recordings.json`,
      resourceKey: 'recordings',
      filters: filterTexts(filters),
      request: page,
      rows,
      keyOf: newestFirstKey,
      serialize: (r) => serializeRecording(r, baseUrl),
    });
  }

  /** The WAV of a completed recording. */
  async openMedia(accountSid: string, sid: string): Promise<Readable> {
    const row = await this.get(accountSid, sid);
    if (row.status !== 'completed') {
      throw new ParleyError(20404, `The recording ${sid} has no media: it is ${row.status}`);
    }
    try {
      return await this.storage.get(recordingKey(accountSid, sid));
    } catch (error) {
      if (error instanceof StorageNotFoundError) {
        throw new ParleyError(20404, `The media of recording ${sid} is no longer stored`);
      }
      throw error;
    }
  }

  /** Deletes the audio, then the row (a failure leaves the row to delete again). */
  async delete(accountSid: string, sid: string, callSid?: string): Promise<void> {
    const row = await this.get(accountSid, sid, callSid);
    if (row.status === 'in-progress') {
      throw new ParleyError(21220, 'A recording in progress cannot be deleted; stop it first');
    }
    await this.storage.delete(recordingKey(accountSid, sid));
    await this.recordings.delete({ sid, accountSid });
  }

  /**
   * Statuses call-control itself decides (in-progress, a refused start) have no message to
   * redeliver them: a JetStream outage loses that callback, and says so in the log.
   */
  private async publishBestEffort(row: RecordingEntity): Promise<void> {
    try {
      await this.publish(row);
    } catch (error) {
      this.logger.error(
        { recordingSid: row.sid, status: row.status, err: error },
        'recording status event not published; its callback is lost',
      );
    }
  }

  private async publish(row: RecordingEntity): Promise<void> {
    const publicUrl = configuredPublicUrl(this.env);
    const payload: RecordingStatusChangedV1 = {
      // The row's sids were checked by its CHECK constraints and by whoever wrote them.
      recordingSid: row.sid as RecordingSid,
      accountSid: row.accountSid as AccountSid,
      callSid: row.callSid as CallSid,
      status: row.status,
      source: row.source,
      channels: row.channels,
      track: row.track,
      startTime: row.startTime.toISOString(),
      durationSec: row.status === 'in-progress' ? null : (row.duration ?? 0),
      errorCode: row.errorCode,
      mediaUrl:
        row.status === 'completed' && publicUrl
          ? recordingMediaUrl(publicUrl, row.accountSid, row.sid)
          : null,
      statusCallback: row.statusCallback,
      occurredAt: this.clock.now().toISOString(),
    };
    await this.bus.publishDurable('calls.v1.recording.status-changed', payload, {
      msgId: `${row.sid}:${row.status}`,
      correlationId: row.callSid,
    });
  }
}
