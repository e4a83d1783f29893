import { observer } from 'mediasoup';
import { type Router, type Transport, type Worker } from 'mediasoup/node/lib/types';

export interface MediasoupCounts {
  workers: number;
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

/**
 * Live mediasoup objects of this process, counted from mediasoup's own observer events,
 * so a leak (a transport or consumer nobody closed) shows up whatever code created it.
 */
export class MediasoupResources {
  private readonly counts: MediasoupCounts = {
    workers: 0,
    routers: 0,
    transports: 0,
    producers: 0,
    consumers: 0,
  };
  private readonly onWorker = (worker: Worker) => this.watchWorker(worker);

  constructor() {
    observer.on('newworker', this.onWorker);
  }

  snapshot(): MediasoupCounts {
    return { ...this.counts };
  }

  dispose(): void {
    observer.off('newworker', this.onWorker);
  }

  private watchWorker(worker: Worker): void {
    this.counts.workers++;
    worker.observer.once('close', () => this.counts.workers--);
    worker.observer.on('newrouter', (router: Router) => this.watchRouter(router));
  }

  private watchRouter(router: Router): void {
    this.counts.routers++;
    router.observer.once('close', () => this.counts.routers--);
    router.observer.on('newtransport', (transport: Transport) => this.watchTransport(transport));
  }

  private watchTransport(transport: Transport): void {
    this.counts.transports++;
    transport.observer.once('close', () => this.counts.transports--);
    transport.observer.on('newproducer', (producer) => {
      this.counts.producers++;
      producer.observer.once('close', () => this.counts.producers--);
    });
    transport.observer.on('newconsumer', (consumer) => {
      this.counts.consumers++;
      consumer.observer.once('close', () => this.counts.consumers--);
    });
  }
}
