import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import {
  durableConsumers,
  type DurableConsumerOptions,
  type DurableEventSubject,
  type HandlerContext,
  NatsBus,
  type RecordingCompletedV1,
  type ServiceName,
} from '@parley/contracts';
import pino from 'pino';
import { MetricsService } from '../metrics/metrics';
import { PARLEY_ENV, PARLEY_LOGGER, SERVICE_INFO } from '../tokens';
import { DurableEventHandler, DurableEventHandlers } from './durable-event-handler';

/** Stands in for NatsBus: records the consumers started and stopped. */
class FakeBus {
  readonly started: DurableConsumerOptions<DurableEventSubject>[] = [];
  stopped = 0;

  jetStreamName(name: string): string {
    return name;
  }

  consumeDurable(opts: DurableConsumerOptions<DurableEventSubject>) {
    this.started.push(opts);
    return Promise.resolve({
      stop: () => {
        this.stopped++;
        return Promise.resolve();
      },
    });
  }
}

@Injectable()
class RecordingsHandler {
  readonly seen: string[] = [];

  @DurableEventHandler('call-control.recording-completions')
  onCompleted(event: RecordingCompletedV1): Promise<void> {
    this.seen.push(event.recordingSid);
    return Promise.resolve();
  }
}

/** An application context holding the handler; creating it runs the bootstrap hooks. */
async function start(
  service: ServiceName,
  env: Record<string, unknown> = {},
): Promise<{ app: INestApplicationContext; bus: FakeBus }> {
  const bus = new FakeBus();
  @Module({
    imports: [DiscoveryModule],
    providers: [
      RecordingsHandler,
      DurableEventHandlers,
      MetricsService,
      { provide: NatsBus, useValue: bus },
      { provide: SERVICE_INFO, useValue: { name: service } },
      { provide: PARLEY_ENV, useValue: env },
      { provide: PARLEY_LOGGER, useValue: pino({ level: 'silent' }) },
    ],
  })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, {
    logger: false,
    abortOnError: false,
  });
  return { app, bus };
}

describe('@DurableEventHandler', () => {
  it('starts the consumer the registry describes, bound to the method, and stops it', async () => {
    const { app, bus } = await start('call-control');
    const def = durableConsumers['call-control.recording-completions'];
    expect(bus.started).toHaveLength(1);
    const [opts] = bus.started;
    expect(opts).toMatchObject({
      stream: def.stream,
      durable: def.durable,
      subject: def.subject,
    });
    await opts?.handler({ recordingSid: 'RE1' } as RecordingCompletedV1, {} as HandlerContext);
    expect(app.get(RecordingsHandler).seen).toEqual(['RE1']);
    await app.get(DurableEventHandlers).stopAll();
    expect(bus.stopped).toBe(1);
    await app.close();
  });

  it("takes the durable name from the entry's environment variable when it is set", async () => {
    const { app, bus } = await start('call-control', { RECORDINGS_CONSUMER: 'install-b' });
    expect(bus.started[0]?.durable).toBe('install-b');
    await app.close();
  });

  it("refuses to run another service's consumer", async () => {
    await expect(start('media')).rejects.toThrow(
      'durable consumer call-control.recording-completions belongs to call-control, not media',
    );
  });
});
