import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallPermissionEntity } from './call-permission.entity';

@Module({
  imports: [TypeOrmModule.forFeature([CallPermissionEntity])],
  exports: [TypeOrmModule],
})
export class PermissionsModule {}
