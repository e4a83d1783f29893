import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { NatsBus, type PromptSource } from '@parley/contracts';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { OpusEncoder, SILENT_FRAME, type AudioEngines } from '../audio';
import { type Leg } from '../legs/leg';
import { LegRegistry } from '../legs/leg-registry';
import { PromptPlayer, type LiveFeed, type PlayFinished } from './prompt-player';

export type PlayFinishedReason = PlayFinished['reason'];

export const AUDIO_ENGINES = Symbol('AUDIO_ENGINES');

/**
 * `media.v1.play.*`: one PromptPlayer per leg, created with the first prompt and plugged
 * into the leg as its frame source. Every prompt ends with one `media.v1.play.finished`
 * (completed, stopped, failed), also when its leg closes.
 */
@Injectable()
export class PlaybackService implements OnModuleInit {
  private readonly players = new Map<string, PromptPlayer>();
  private readonly silencePayload: Buffer;
  private internalIds = 0;

  constructor(
    private readonly legs: LegRegistry,
    private readonly bus: NatsBus,
    @Inject(AUDIO_ENGINES) private readonly engines: AudioEngines,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {
    const encoder = new OpusEncoder();
    this.silencePayload = encoder.encode(SILENT_FRAME);
    encoder.delete();
  }

  onModuleInit(): void {
    this.legs.listen({
      closing: (leg) => {
        this.players.get(leg.callSid)?.dispose();
        this.players.delete(leg.callSid);
      },
    });
  }

  start(callSid: string, playId: string, source: PromptSource, loop: number): void {
    const leg = this.legs.require(callSid);
    this.playerOf(leg).enqueue(playId, source, loop);
  }

  /** Plays frames Parley made (a beep); resolves when they were heard or stopped. */
  playFrames(callSid: string, frames: Int16Array[]): Promise<PlayFinishedReason> {
    const leg = this.legs.require(callSid);
    return new Promise((resolve) => {
      this.playerOf(leg).enqueueFrames(`internal-${++this.internalIds}`, frames, resolve);
    });
  }

  /**
   * Audio written while it plays (a bidirectional Media Stream's server), in the leg's
   * prompt queue; `onDone` when it is closed or stopped with the leg's prompts.
   */
  openLive(
    callSid: string,
    playId: string,
    onMark: (name: string) => void,
    onDone: () => void,
  ): LiveFeed {
    const leg = this.legs.require(callSid);
    return this.playerOf(leg).openLive(playId, onMark, onDone);
  }

  /** Stops one prompt or (no playId) every prompt of the leg. */
  stop(callSid: string, playId?: string): number {
    this.legs.require(callSid);
    return this.players.get(callSid)?.stop(playId) ?? 0;
  }

  private playerOf(leg: Leg): PromptPlayer {
    let player = this.players.get(leg.callSid);
    if (!player) {
      player = new PromptPlayer(leg, this.engines, this.silencePayload, (f) => {
        this.logger.debug({ callSid: leg.callSid, ...f }, 'prompt finished');
        this.bus.publish('media.v1.play.finished', {
          callSid: leg.callSid,
          playId: f.playId,
          reason: f.reason,
          errorCode: f.errorCode,
          playedMs: f.playedMs,
          finishedAt: new Date().toISOString(),
        });
      });
      this.players.set(leg.callSid, player);
      leg.playFrom(player);
    }
    return player;
  }
}
