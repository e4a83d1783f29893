import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiBasicAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PARLEY_ENV } from '@parley/nest-kit';
import { ApiAuthGuard } from '../auth/api-auth.guard';
import { CurrentPrincipal, type ParleyRequest, type Principal } from '../auth/principal';
import { publicBaseUrl } from '../common/public-url';
import { parseJsonBody } from '../common/twilio-form';
import { type CallControlEnv } from '../config/env.schema';
import { ApiDoc } from '../openapi/api-doc';
import {
  ApprovalCreateBody,
  serializeApprovalCreate,
  serializeApprovalFetch,
} from './approval.schemas';
import { ApprovalsService } from './approvals.service';
import { CONTENT_PATH } from './content.resource';

/** Twilio's Content ApprovalRequests: WhatsApp approval of a Content template. */
@ApiTags('Content')
@ApiBasicAuth()
@UseGuards(ApiAuthGuard)
@Controller('v1/Content/:Sid/ApprovalRequests')
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  @Post('whatsapp')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Submit a Content template for WhatsApp approval (checked against the rules Meta refuses templates for, then sent to Meta)',
  })
  @ApiDoc({
    params: ['Sid'],
    json: ApprovalCreateBody,
    response: 'ContentApprovalCreate',
    status: 201,
  })
  async create(@CurrentPrincipal() p: Principal, @Param('Sid') sid: string, @Body() body: unknown) {
    return serializeApprovalCreate(
      await this.approvals.create(p.accountSid, sid, parseJsonBody(ApprovalCreateBody, body)),
    );
  }

  @Get()
  @ApiOperation({ summary: "A Content template's WhatsApp approval status" })
  @ApiDoc({ params: ['Sid'], response: 'ContentApprovalFetch' })
  async fetch(
    @CurrentPrincipal() p: Principal,
    @Param('Sid') sid: string,
    @Req() req: ParleyRequest,
  ) {
    const { content, approval } = await this.approvals.fetch(p.accountSid, sid);
    return serializeApprovalFetch(
      content,
      approval,
      `${publicBaseUrl(this.env, req)}${CONTENT_PATH}/${content.sid}/ApprovalRequests`,
    );
  }
}
