import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AUTHENTICATED, DIRECTORY } from '../common/openapi/api-errors.decorator';
import { StandingQueryInput } from './inputs/standing.inputs';
import { StandingPageModel } from './models/standing.model';
import { StandingService } from './standing.service';

@ApiTags('standing')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED, 400, ...DIRECTORY)
@Controller('standing')
export class StandingController {
  constructor(private readonly standing: StandingService) {}

  @Get()
  @ApiOperation({
    summary:
      'RBCD entries in force that no active grant covers: there before the service, or written behind its back (paged)',
  })
  @ApiOkResponse({ type: StandingPageModel })
  @ApiErrors(404)
  list(@Query() query: StandingQueryInput) {
    return this.standing.list(query);
  }
}
