import { Injectable } from '@nestjs/common';
import {
  type CallStatusChangedV1,
  type ContentApprovalChangedV1,
  type MessageReceivedV1,
  type MessageStatusChangedV1,
  type RecordingStatusChangedV1,
  type StreamStatusChangedV1,
} from '@parley/contracts';
import { DurableEventHandler } from '@parley/nest-kit';
import {
  callStatusCallback,
  contentApprovalCallback,
  incomingMessageWebhook,
  messageStatusCallback,
  recordingStatusCallback,
  streamStatusCallback,
  type CallbackRequest,
} from '../callbacks/callback-requests';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryPoller } from './delivery-poller';

/**
 * Takes call, recording, media stream, message and Content approval events from JetStream (one durable consumer each,
 * shared by every replica: `webhook-dispatch.*-status-callbacks` in the subject registry)
 * and records the callback each asks for before the event is acked: a crash before the
 * row is committed means a redelivery, and a redelivery finds the row already there
 * (unique per logical event) and records nothing new.
 */
@Injectable()
export class CallbackIntake {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly poller: DeliveryPoller,
  ) {}

  @DurableEventHandler('webhook-dispatch.call-status-callbacks')
  async onCallStatus(event: CallStatusChangedV1): Promise<void> {
    await this.record(callStatusCallback(event));
  }

  @DurableEventHandler('webhook-dispatch.recording-status-callbacks')
  async onRecordingStatus(event: RecordingStatusChangedV1): Promise<void> {
    await this.record(recordingStatusCallback(event));
  }

  @DurableEventHandler('webhook-dispatch.stream-status-callbacks')
  async onStreamStatus(event: StreamStatusChangedV1): Promise<void> {
    await this.record(streamStatusCallback(event));
  }

  @DurableEventHandler('webhook-dispatch.message-status-callbacks')
  async onMessageStatus(event: MessageStatusChangedV1): Promise<void> {
    await this.record(messageStatusCallback(event));
  }

  @DurableEventHandler('webhook-dispatch.incoming-messages')
  async onIncomingMessage(event: MessageReceivedV1): Promise<void> {
    await this.record(incomingMessageWebhook(event));
  }

  @DurableEventHandler('webhook-dispatch.content-approvals')
  async onContentApproval(event: ContentApprovalChangedV1): Promise<void> {
    await this.record(contentApprovalCallback(event));
  }

  private async record(request: CallbackRequest | null): Promise<void> {
    if (!request) return;
    if (await this.deliveries.record(request)) this.poller.kick();
  }
}
