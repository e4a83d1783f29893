import { GraphErrors } from '../graph/graph-error';
import { callPermissionReply, messageStatus, userTextMessage } from '../webhooks/payloads';
import type { SimContext } from './context';
import { wamid } from './ids';
import type { PermissionSource } from './permission-ledger';
import type { BusinessRecord, UserRecord } from './types';

export interface OutboundMessage {
  to: string;
  type: string;
  /** An interactive `call_permission_request`, or a template that carries one. */
  isPermissionRequest: boolean;
}

export interface SentMessage {
  id: string;
  waId: string;
}

/** Meta's customer service window: free-form messages only this long after the user wrote. */
export const SESSION_WINDOW_MS = 24 * 3_600_000;

const OUTSIDE_WINDOW = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: {
    details:
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
};

const UNDELIVERABLE = {
  code: 131026,
  title: 'Message undeliverable',
  message: 'Message undeliverable',
  error_data: { details: 'The recipient is not a WhatsApp user known to the simulator.' },
};

/**
 * The messaging side Meta's calling rules depend on: call-permission requests (counted
 * against the per-user limits), their delivery statuses, and the user's reply.
 */
export class Messaging {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** When each user last wrote to each business (simulated clock, ms). */
  private readonly lastUserMessage = new Map<string, number>();

  constructor(private readonly ctx: SimContext) {}

  send(business: BusinessRecord, message: OutboundMessage): SentMessage {
    const user = this.ctx.user(message.to);
    const id = wamid(message.to);
    const now = this.ctx.clock.unixSeconds();
    if (!user) {
      // Meta accepts the send and reports the failure asynchronously.
      this.ctx.webhooks.enqueue(
        business,
        messageStatus(business, id, message.to, 'failed', now, [UNDELIVERABLE]),
        {
          kind: 'messages.status.failed',
        },
      );
      return { id, waId: message.to };
    }
    // Free-form messages (text, interactive) only within 24 h of the user's last message;
    // Meta accepts the send and fails it asynchronously.
    if (message.type !== 'template' && !this.sessionOpen(business, user.waId)) {
      this.ctx.webhooks.enqueue(
        business,
        messageStatus(business, id, user.waId, 'failed', now, [OUTSIDE_WINDOW]),
        { kind: 'messages.status.failed' },
      );
      return { id, waId: user.waId };
    }
    if (message.isPermissionRequest) {
      if (!this.ctx.ledger.canRequestPermission(business.phoneNumberId, user.waId)) {
        throw GraphErrors.permissionRequestLimit();
      }
      this.ctx.ledger.recordPermissionRequest(business.phoneNumberId, user.waId);
    }
    this.ctx.webhooks.enqueue(business, messageStatus(business, id, user.waId, 'sent', now), {
      kind: 'messages.status.sent',
    });
    this.ctx.webhooks.enqueue(business, messageStatus(business, id, user.waId, 'delivered', now), {
      kind: 'messages.status.delivered',
    });
    this.ctx.logger.info('message sent to simulated user', {
      phoneNumberId: business.phoneNumberId,
      waId: user.waId,
      type: message.type,
      permissionRequest: message.isPermissionRequest,
    });
    const behaviour = user.behaviour;
    if (message.isPermissionRequest && behaviour.permissionReply !== 'none') {
      const reply = behaviour.permissionReply;
      const permanent = behaviour.permanent;
      this.later(behaviour.permissionReplyAfterMs, () => {
        const current = this.ctx.business(business.phoneNumberId);
        const currentUser = this.ctx.user(user.waId);
        if (!current || !currentUser) return;
        if (reply === 'accept')
          this.accept(current, currentUser, {
            permanent,
            source: 'user_action',
            contextMessageId: id,
          });
        else this.reject(current, currentUser, id);
      });
    }
    return { id, waId: user.waId };
  }

  /** The user writes a text to the business (opening the 24-hour window). */
  userMessage(business: BusinessRecord, user: UserRecord, text: string): SentMessage {
    const id = wamid(user.waId);
    this.noteUserMessage(business, user.waId);
    this.ctx.webhooks.enqueue(
      business,
      userTextMessage(business, user, { id, timestamp: this.ctx.clock.unixSeconds(), text }),
      { kind: 'messages.text' },
    );
    return { id, waId: user.waId };
  }

  /** Whether the business may send the user free-form messages now. */
  sessionOpen(business: BusinessRecord, waId: string): boolean {
    const last = this.lastUserMessage.get(`${business.phoneNumberId}:${waId}`);
    return last !== undefined && this.ctx.clock.now() - last < SESSION_WINDOW_MS;
  }

  private noteUserMessage(business: BusinessRecord, waId: string): void {
    this.lastUserMessage.set(`${business.phoneNumberId}:${waId}`, this.ctx.clock.now());
  }

  /** The user grants permission (reply to a request, or on their own) and Meta tells the business. */
  accept(
    business: BusinessRecord,
    user: UserRecord,
    options: { permanent: boolean; source: PermissionSource; contextMessageId: string | null },
  ): void {
    this.noteUserMessage(business, user.waId);
    const view = this.ctx.ledger.grant(business.phoneNumberId, user.waId, {
      permanent: options.permanent,
      source: options.source,
    });
    this.ctx.webhooks.enqueue(
      business,
      callPermissionReply(
        business,
        user,
        {
          response: 'accept',
          isPermanent: options.permanent,
          expirationTimestamp: view.expiresAt === null ? null : Math.floor(view.expiresAt / 1000),
          responseSource: options.source,
        },
        {
          id: wamid(user.waId),
          timestamp: this.ctx.clock.unixSeconds(),
          contextMessageId: options.contextMessageId,
        },
      ),
      { kind: 'messages.call_permission_reply' },
    );
    this.ctx.logger.info('call permission granted', {
      phoneNumberId: business.phoneNumberId,
      waId: user.waId,
      permanent: options.permanent,
      source: options.source,
    });
  }

  /** The user declines (a request) or withdraws an earlier permission. */
  reject(
    business: BusinessRecord,
    user: UserRecord,
    contextMessageId: string | null,
    revoke = false,
  ): void {
    this.noteUserMessage(business, user.waId);
    if (revoke) this.ctx.ledger.revoke(business.phoneNumberId, user.waId, 'user_action');
    else this.ctx.ledger.reject(business.phoneNumberId, user.waId);
    this.ctx.webhooks.enqueue(
      business,
      callPermissionReply(
        business,
        user,
        {
          response: 'reject',
          isPermanent: false,
          expirationTimestamp: null,
          responseSource: 'user_action',
        },
        { id: wamid(user.waId), timestamp: this.ctx.clock.unixSeconds(), contextMessageId },
      ),
      { kind: 'messages.call_permission_reply' },
    );
  }

  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.lastUserMessage.clear();
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}
