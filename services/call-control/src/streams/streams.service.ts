import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type AccountSid,
  type CallSid,
  NatsBus,
  newSid,
  ParleyError,
  type StreamEndedV1,
  type StreamStartedV1,
  type StreamStatusChangedV1,
  type StreamStatusEvent,
  UnprocessableEventError,
} from '@parley/contracts';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type Repository } from 'typeorm';
import { CallsRepository } from '../calls/calls.repository';
import { MediaClient } from '../clients/media.client';
import { CustomerUrls } from '../common/customer-urls';
import { accountPath } from '../common/twilio-format';
import { StreamEntity } from './stream.entity';
import {
  type CreateStreamCommand,
  streamParameters,
  type UpdateStreamCommand,
} from './streams.schemas';

/** A stream media refused without a more precise code. */
const STREAM_FAILED = 31920;

/**
 * Twilio's Stream resource. media holds the WebSocket and reports each stream's start and
 * end durably (`media.v1.stream.started` / `.ended`, whoever opened it: this API or the
 * interpreter); this table records them, and every status change leaves as a durable
 * `calls.v1.stream.status-changed` (de-duplicated by `${sid}:${event}`) published from the
 * committed row, for webhook-dispatch (the stream's `statusCallback`).
 */
@Injectable()
export class StreamsService {
  constructor(
    @InjectRepository(StreamEntity) private readonly streams: Repository<StreamEntity>,
    private readonly calls: CallsRepository,
    private readonly media: MediaClient,
    private readonly bus: NatsBus,
    private readonly urls: CustomerUrls,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  /**
   * `Calls/{CallSid}/Streams.json`: a listen-only stream on a live call of the account.
   * The row exists before media is asked; when media refuses, it ends stopped with media's
   * code and the error is thrown.
   */
  async createByApi(
    accountSid: string,
    callSid: string,
    command: CreateStreamCommand,
  ): Promise<StreamEntity> {
    const call = await this.calls.get(accountSid, callSid);
    if (call.status !== 'in-progress') {
      throw new ParleyError(
        21220,
        `Only an in-progress call can be streamed; it is ${call.status}`,
      );
    }
    this.urls.assertAllowed({ StatusCallback: command.StatusCallback });
    const name = command.Name ?? null;
    if (name !== null && (await this.streams.existsBy({ callSid, name, status: 'in-progress' }))) {
      throw new ParleyError(21220, `A stream named ${name} is already running on this call`);
    }
    const statusCallback = command.StatusCallback
      ? { url: command.StatusCallback, method: command.StatusCallbackMethod ?? 'POST' }
      : null;
    const row = await this.streams.save(
      this.streams.create({
        sid: newSid('MZ'),
        accountSid: call.accountSid,
        callSid: call.sid,
        name,
        status: 'in-progress',
        url: command.Url,
        track: command.Track ?? 'inbound_track',
        bidirectional: false,
        statusCallback,
        startedAt: null,
        endedAt: null,
        errorCode: null,
        errorMessage: null,
      }),
    );
    try {
      await this.media.startStream(call, {
        streamSid: row.sid,
        url: row.url,
        ...(name !== null ? { name } : {}),
        track: row.track,
        bidirectional: false,
        customParameters: streamParameters(command),
        statusCallback,
      });
    } catch (error) {
      const code = error instanceof ParleyError ? error.code : STREAM_FAILED;
      const message = error instanceof Error ? error.message : String(error);
      await this.streams.update(
        { sid: row.sid },
        { status: 'stopped', endedAt: new Date(), errorCode: code, errorMessage: message },
      );
      throw error;
    }
    return row;
  }

  /**
   * `Calls/{CallSid}/Streams/{Sid}.json` with `Status=stopped`, the stream named by its
   * sid or its name. media stops it and reports its end (the `stream-stopped` callback).
   */
  async stopByApi(
    accountSid: string,
    callSid: string,
    sidOrName: string,
    command: UpdateStreamCommand,
  ): Promise<StreamEntity> {
    if (command.Status !== 'stopped') {
      throw new ParleyError(20001, 'Status is required and can only be stopped');
    }
    const call = await this.calls.get(accountSid, callSid);
    const row = await this.find(accountSid, callSid, sidOrName);
    if (row.status === 'stopped') return row;
    if (call.status === 'in-progress') await this.media.stopStream(call, row.sid);
    // Stopped now whatever media said (it may have ended already): its end event follows.
    await this.streams.update({ sid: row.sid, status: 'in-progress' }, { status: 'stopped' });
    return this.find(accountSid, callSid, row.sid);
  }

  /** media opened a stream's socket (redelivered until this succeeds). */
  async started(e: StreamStartedV1): Promise<void> {
    const row = await this.rowFor(e);
    row.startedAt = new Date(e.startedAt);
    await this.streams.save(row);
    await this.publish(row, 'stream-started', row.startedAt);
  }

  /** A stream ended, whatever ended it (redelivered until this succeeds). */
  async ended(e: StreamEndedV1): Promise<void> {
    const row = await this.rowFor(e);
    row.status = 'stopped';
    row.endedAt = new Date(e.endedAt);
    row.errorCode = e.errorCode;
    row.errorMessage = e.errorMessage;
    await this.streams.save(row);
    await this.publish(row, e.reason === 'failed' ? 'stream-error' : 'stream-stopped', row.endedAt);
  }

  private async find(
    accountSid: string,
    callSid: string,
    sidOrName: string,
  ): Promise<StreamEntity> {
    const rows = await this.streams.find({
      where: [
        { accountSid, callSid, sid: sidOrName },
        { accountSid, callSid, name: sidOrName },
      ],
      order: { dateCreated: 'DESC' },
    });
    // By name: the running stream of that name, else the latest.
    const row = rows.find((r) => r.status === 'in-progress') ?? rows[0];
    if (!row) {
      throw new ParleyError(
        20404,
        `The requested resource ${accountPath(accountSid)}/Calls/${callSid}/Streams/${sidOrName}.json was not found`,
      );
    }
    return row;
  }

  /** The row of a reported stream, new (not yet saved) for a stream the interpreter opened. */
  private async rowFor(e: StreamStartedV1 | StreamEndedV1): Promise<StreamEntity> {
    const call = await this.calls.findBySid(e.callSid);
    if (!call || call.accountSid !== e.accountSid) {
      throw new UnprocessableEventError(
        `stream ${e.streamSid} names no call ${e.callSid} of account ${e.accountSid}`,
      );
    }
    const existing = await this.streams.findOneBy({ sid: e.streamSid });
    if (existing && (existing.accountSid !== e.accountSid || existing.callSid !== e.callSid)) {
      throw new UnprocessableEventError(`stream ${e.streamSid} names another call than its row`);
    }
    return (
      existing ??
      this.streams.create({
        sid: e.streamSid,
        accountSid: e.accountSid,
        callSid: e.callSid,
        name: e.name,
        status: 'in-progress',
        url: e.url,
        track: e.track,
        bidirectional: e.bidirectional,
        statusCallback: e.statusCallback,
        startedAt: null,
        endedAt: null,
        errorCode: null,
        errorMessage: null,
      })
    );
  }

  private async publish(row: StreamEntity, event: StreamStatusEvent, at: Date): Promise<void> {
    const payload: StreamStatusChangedV1 = {
      // The row's sids were checked by its CHECK constraints and by whoever wrote them.
      streamSid: row.sid,
      accountSid: row.accountSid as AccountSid,
      callSid: row.callSid as CallSid,
      name: row.name,
      event,
      error:
        event === 'stream-error'
          ? (row.errorMessage ?? `stream failed (${row.errorCode ?? STREAM_FAILED})`)
          : null,
      errorCode: event === 'stream-error' ? (row.errorCode ?? STREAM_FAILED) : null,
      statusCallback: row.statusCallback,
      occurredAt: at.toISOString(),
    };
    await this.bus.publishDurable('calls.v1.stream.status-changed', payload, {
      msgId: `${row.sid}:${event}`,
      correlationId: row.callSid,
    });
    this.logger.debug({ streamSid: row.sid, event }, 'stream status published');
  }
}
