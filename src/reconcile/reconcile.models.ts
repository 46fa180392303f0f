import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DRIFT_KINDS } from './drift';

export class ReconcileTargetModel {
  @ApiProperty({ example: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test' }) dn: string;
  @ApiProperty({ example: 'S-1-5-21-1-2-3-1105' }) sid: string;
  @ApiProperty({ example: 'contoso.test' }) domain: string;
}

export class DriftFindingModel {
  @ApiProperty({ type: ReconcileTargetModel }) target: ReconcileTargetModel;
  @ApiProperty({ enum: DRIFT_KINDS }) kind: string;
  @ApiPropertyOptional({ description: 'The principal the finding is about' }) sid?: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({
    enum: ['WRITER_ADDED'],
    description:
      'WRITER_ADDED on a writer-added finding: a writer outside Tier 0 gained since the grant was applied or last reconciled',
  })
  code?: string;
  @ApiPropertyOptional({ description: 'With RBCD_DRIFT_REPAIR=true, for missing grants: whether the ACE was put back' })
  repaired?: boolean;
}

export class ReconcileErrorModel {
  @ApiProperty({ type: ReconcileTargetModel }) target: ReconcileTargetModel;
  @ApiProperty({ example: 'DIRECTORY_UNAVAILABLE' }) code: string;
  @ApiProperty() message: string;
}

export class ReconcileReportModel {
  @ApiProperty({ type: 'integer', description: 'Targets with an active grant whose descriptor was read' })
  checkedTargets: number;
  @ApiProperty({ type: DriftFindingModel, isArray: true }) findings: DriftFindingModel[];
  @ApiProperty({ type: ReconcileErrorModel, isArray: true, description: 'Targets that could not be read now' })
  errors: ReconcileErrorModel[];
}
