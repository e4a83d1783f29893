import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstanceLeaseEntity } from './instance-lease.entity';
import { InstanceLeasesRepository } from './instance-leases.repository';

@Module({
  imports: [TypeOrmModule.forFeature([InstanceLeaseEntity])],
  providers: [InstanceLeasesRepository],
  exports: [InstanceLeasesRepository],
})
export class InstancesModule {}
