import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PARLEY_ENV } from '@parley/nest-kit';
import { Clock } from '../common/clock';
import { ConsentMetrics } from '../common/consent-metrics';
import { type ConsentEnv } from '../config/env.schema';
import { RULE_SETTINGS, ruleSettingsFromEnv } from '../config/rule-settings';
import { LedgerIntake } from '../intake/ledger-intake';
import { LEDGER_ENTITIES } from '../ledger/entities';
import { LedgerRepository } from '../ledger/ledger.repository';
import { PermissionChecks } from './permission-checks.service';
import { PermissionsController } from './permissions.controller';

@Module({
  imports: [TypeOrmModule.forFeature(LEDGER_ENTITIES)],
  controllers: [PermissionsController],
  providers: [
    Clock,
    ConsentMetrics,
    {
      provide: RULE_SETTINGS,
      inject: [PARLEY_ENV],
      useFactory: (env: ConsentEnv) => ruleSettingsFromEnv(env),
    },
    LedgerRepository,
    PermissionChecks,
    LedgerIntake,
  ],
})
export class PermissionsModule {}
