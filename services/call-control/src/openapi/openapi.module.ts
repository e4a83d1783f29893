import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller';
import { OpenApiDocument } from './openapi.service';
import { SwaggerAssets } from './swagger-assets';

@Module({
  controllers: [OpenApiController],
  providers: [OpenApiDocument, SwaggerAssets],
  exports: [OpenApiDocument],
})
export class OpenApiModule {}
