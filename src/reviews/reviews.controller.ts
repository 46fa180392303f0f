import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/roles';
import { Roles } from '../auth/roles.decorator';
import {
  ApiErrors,
  AUTHENTICATED,
  CHANGE,
  DIRECTORY,
  WITH_BODY,
  WITH_PATH_PARAMETER,
} from '../common/openapi/api-errors.decorator';
import { OpenReviewInput, ReviewDecisionInput } from './inputs/review.inputs';
import { ReviewCampaignListModel, ReviewCampaignModel, ReviewItemModel } from './models/review.model';
import { ReviewsService } from './reviews.service';

@ApiTags('reviews')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED, 400)
@Controller('reviews')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Post()
  @Roles('approver')
  @ApiOperation({
    summary: 'Open an access review campaign: a snapshot of every RBCD entry in scope, managed and standing',
  })
  @ApiCreatedResponse({ type: ReviewCampaignModel })
  @ApiErrors(...WITH_BODY, ...DIRECTORY, ...CHANGE)
  open(@Body() body: OpenReviewInput, @CurrentPrincipal() caller: Principal) {
    return this.reviews.open(body, caller);
  }

  @Get()
  @Roles('approver', 'auditor')
  @ApiOperation({ summary: 'Review campaigns, newest first (counts only)' })
  @ApiOkResponse({ type: ReviewCampaignListModel })
  async list() {
    return { items: await this.reviews.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One campaign with every entry and its decision' })
  @ApiOkResponse({ type: ReviewCampaignModel })
  @ApiErrors(404, ...WITH_PATH_PARAMETER)
  get(@Param('id') id: string) {
    return this.reviews.get(id);
  }

  @Post(':id/items/:itemId/decision')
  @ApiOperation({
    summary:
      "A reviewer's keep or remove, with a comment: remove files a revoke request; keep of a standing entry files an adopt request",
  })
  @ApiCreatedResponse({ type: ReviewItemModel })
  @ApiErrors(...WITH_BODY, ...WITH_PATH_PARAMETER, 404, 409, ...CHANGE)
  decide(
    @Param('id') id: string,
    @Param('itemId') itemId: string,
    @Body() body: ReviewDecisionInput,
    @CurrentPrincipal() caller: Principal,
  ) {
    return this.reviews.decide(id, itemId, caller, body.decision, body.comment);
  }

  @Get(':id/report')
  @Roles('approver', 'auditor')
  @ApiOperation({ summary: 'The report: who decided what and when (JSON)' })
  @ApiOkResponse({ type: ReviewCampaignModel })
  @ApiErrors(404, ...WITH_PATH_PARAMETER)
  report(@Param('id') id: string) {
    return this.reviews.report(id);
  }

  @Get(':id/report.csv')
  @Roles('approver', 'auditor')
  @ApiOperation({ summary: 'The report as CSV (one row per entry; cells defused against spreadsheet formulas)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'RFC 4180 CSV with a header row', schema: { type: 'string' } })
  @ApiErrors(404, ...WITH_PATH_PARAMETER)
  async reportCsv(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const csv = await this.reviews.reportCsv(id);
    await reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="review-${id}.csv"`)
      .send(csv);
  }
}
