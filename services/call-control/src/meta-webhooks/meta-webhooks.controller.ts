import { Controller, Get, Headers, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HUB_SIGNATURE_HEADER } from '@parley/meta-graph';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type Response } from 'express';
import { type ParleyRequest } from '../auth/principal';
import { type CallControlEnv } from '../config/env.schema';
import { WebhookInbox } from './webhook-inbox.service';
import { WebhookProcessor } from './webhook-processor.service';

/** Where Meta's WhatsApp Business Account webhooks (calls, messages) are delivered. */
@ApiTags('Meta webhooks')
@Controller('meta/webhooks')
export class MetaWebhooksController {
  constructor(
    private readonly inbox: WebhookInbox,
    private readonly processor: WebhookProcessor,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Meta's subscription check: answers hub.challenge when hub.verify_token is known",
  })
  @ApiQuery({ name: 'hub.mode', required: true, schema: { type: 'string', enum: ['subscribe'] } })
  @ApiQuery({ name: 'hub.verify_token', required: true, schema: { type: 'string' } })
  @ApiQuery({ name: 'hub.challenge', required: true, schema: { type: 'string' } })
  @ApiResponse({ status: 200, description: 'The challenge, as text/plain' })
  @ApiResponse({ status: 403, description: 'Unknown verify token' })
  async verify(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    const ok =
      mode === 'subscribe' &&
      typeof token === 'string' &&
      typeof challenge === 'string' &&
      challenge.length <= 256 &&
      (await this.inbox.isVerifyToken(token, this.env.META_WEBHOOK_VERIFY_TOKEN));
    if (!ok) {
      res.status(403).type('text/plain').send('verification failed');
      return;
    }
    res.status(200).type('text/plain').send(challenge);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Meta webhook deliveries, signed with X-Hub-Signature-256' })
  @ApiHeader({
    name: HUB_SIGNATURE_HEADER,
    required: true,
    description: 'sha256=<hex HMAC-SHA256(app secret, raw body)>',
  })
  @ApiResponse({ status: 200, description: 'Accepted (duplicates included)' })
  @ApiResponse({ status: 401, description: 'Missing or wrong signature: nothing stored' })
  async receive(
    @Req() req: ParleyRequest,
    @Headers(HUB_SIGNATURE_HEADER) signature: string | undefined,
  ) {
    const receivedAt = performance.now();
    const outcome = await this.inbox.receive(req.rawBody, signature);
    this.processor.processSoon(outcome.stored, receivedAt);
    return {
      received: outcome.stored.length,
      duplicates: outcome.duplicates,
      ignored: outcome.ignored,
      unparsed: outcome.unparsed,
    };
  }
}
