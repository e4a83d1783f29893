import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type DurableConsumer, NatsBus } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import {
  callStatusCallback,
  recordingStatusCallback,
  type CallbackRequest,
} from '../callbacks/callback-requests';
import { type WebhookDispatchEnv } from '../config/env.schema';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryPoller } from './delivery-poller';

/**
 * Takes call and recording status events from JetStream (one durable consumer each,
 * shared by every replica) and records the callback each asks for before the event is
 * acked: a crash before the row is committed means a redelivery, and a redelivery finds
 * the row already there (unique per logical event) and records nothing new.
 */
@Injectable()
export class CallbackIntake implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumers: DurableConsumer[] = [];

  constructor(
    private readonly bus: NatsBus,
    private readonly deliveries: DeliveriesRepository,
    private readonly poller: DeliveryPoller,
    @Inject(PARLEY_ENV) private readonly env: WebhookDispatchEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumers.push(
      await this.bus.consumeDurable({
        stream: 'PARLEY_CALLS',
        durable: this.env.CALL_STATUS_CONSUMER,
        subject: 'calls.v1.call.status-changed',
        ackWaitMs: this.env.CONSUMER_ACK_WAIT_MS,
        handler: (event) => this.record(callStatusCallback(event)),
      }),
      await this.bus.consumeDurable({
        stream: 'PARLEY_CALLS',
        durable: this.env.RECORDING_STATUS_CONSUMER,
        subject: 'calls.v1.recording.status-changed',
        ackWaitMs: this.env.CONSUMER_ACK_WAIT_MS,
        handler: (event) => this.record(recordingStatusCallback(event)),
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((c) => c.stop()));
  }

  private async record(request: CallbackRequest | null): Promise<void> {
    if (!request) return;
    if (await this.deliveries.record(request)) this.poller.kick();
  }
}
